"""Task data for the reference experiments."""

from models.tasks.graphs import RELATION_KINDS, PairSplit, pair_split, relation_matrix
from models.tasks.sequences import (
    TASK_NAMES,
    TASKS,
    ReferenceMachine,
    SequenceTask,
    count_sequences,
    enumerate_sequences,
    get_task,
)
from models.tasks.regression import RegressionData, quadratic_task, regression_task

__all__ = ["RegressionData", "regression_task", "quadratic_task", "RELATION_KINDS", "PairSplit",
           "pair_split", "relation_matrix", "TASK_NAMES", "TASKS", "ReferenceMachine", "SequenceTask",
           "count_sequences", "enumerate_sequences", "get_task"]
