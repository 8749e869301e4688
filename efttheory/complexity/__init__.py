"""Nonlinear complexity of networks: the linear mapping number (grokking as compression).

lmn
    Linear connectivity, linear mapping number (any vectorised map, and a Numba
    fast path for MLP sub-networks) and grokking phases
    (Liu, Zhong & Tegmark, arXiv:2310.05918).
regions
    Exact linear-region counts of ReLU networks on 1-D and 2-D domains.
norms
    The L2 parameter norm the paper compares against.
"""

from efttheory.complexity import lmn, norms, regions
from efttheory.complexity.lmn import (
    CONST_POLICIES,
    MLP_ACTIVATIONS,
    GrokkingPhases,
    LMNResult,
    grokking_phases,
    interpolation_grid,
    linear_connectivity,
    linear_mapping_number,
    lmn_from_connectivity,
    mlp_linear_mapping_number,
)
from efttheory.complexity.norms import l2_norm
from efttheory.complexity.regions import (
    LinearRegions1D,
    LinearRegions2D,
    relu_linear_regions_1d,
    relu_linear_regions_2d,
)

__all__ = [
    "lmn",
    "norms",
    "regions",
    "CONST_POLICIES",
    "MLP_ACTIVATIONS",
    "GrokkingPhases",
    "LMNResult",
    "LinearRegions1D",
    "LinearRegions2D",
    "grokking_phases",
    "interpolation_grid",
    "l2_norm",
    "linear_connectivity",
    "linear_mapping_number",
    "lmn_from_connectivity",
    "mlp_linear_mapping_number",
    "relu_linear_regions_1d",
    "relu_linear_regions_2d",
]
