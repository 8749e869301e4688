"""Reference experiments: PyTorch-free NumPy networks, trainers and task data.

This package imports nothing from the theory it is used to test.
"""

from models.activations import ACTIVATIONS, Activation, get_activation
from models.losses import Loss, mse_loss, softmax_cross_entropy
from models.mlp import MLP, MLP1dParams, MLPRuns, init_mlp, mlp1d_gradients, mlp_gradients, train_mlp1d
from models.optimizers import SGD, Adam, AdamW
from models.training import TrainingResult, train_mlp

__all__ = ["ACTIVATIONS", "Activation", "get_activation", "Loss", "mse_loss",
           "softmax_cross_entropy", "MLP", "MLP1dParams", "MLPRuns", "init_mlp",
           "mlp1d_gradients", "mlp_gradients", "train_mlp1d", "SGD", "Adam", "AdamW",
           "TrainingResult", "train_mlp"]
