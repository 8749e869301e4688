"""Neural scaling laws.

lottery
    Lottery-ticket ensembling and the N^-1 law of ``y = x^2``
    (Liu & Tegmark, arXiv:2310.02258).
"""

from efttheory.scaling import lottery
from efttheory.scaling.lottery import (
    Mode,
    TicketFit,
    TicketStats,
    TicketTaylor,
    effective_exponent,
    ensemble_mse,
    loss_histogram_modes,
    odd_part_norm,
    reflection_matching_cost,
    reflection_partner_fraction,
    relu_interpolation_mse,
    relu_optimal_mse,
    scaling_exponent,
    sharma_kaplan_alpha,
    silu,
    silu_derivative,
    symmetric_pairs,
    symmetric_ticket,
    ticket_best_fit,
    ticket_error_statistics,
    ticket_taylor_coefficients,
)

__all__ = [
    "lottery",
    "Mode",
    "TicketFit",
    "TicketStats",
    "TicketTaylor",
    "effective_exponent",
    "ensemble_mse",
    "loss_histogram_modes",
    "odd_part_norm",
    "reflection_matching_cost",
    "reflection_partner_fraction",
    "relu_interpolation_mse",
    "relu_optimal_mse",
    "scaling_exponent",
    "sharma_kaplan_alpha",
    "silu",
    "silu_derivative",
    "symmetric_pairs",
    "symmetric_ticket",
    "ticket_best_fit",
    "ticket_error_statistics",
    "ticket_taylor_coefficients",
]
