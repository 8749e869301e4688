"""Game theory: equilibrium machinery and the divide-and-conquer conflict model.

normal_form
    n-player normal-form games: pure Nash equilibria, regret, symmetric mixed
    equilibria of participation games.
bimatrix
    All equilibria of bimatrix games (support and vertex enumeration), Lemke--Howson.
qre
    Principal branch of the logit quantal-response equilibrium.
extensive
    Finite game trees and backward induction.
selection
    Explicit equilibrium-selection rules.
conflict
    DC-2 and DC-N, a model inspired by Park & Tegmark, *Divide-and-Conquer
    Dynamics in AI-Driven Disempowerment* (arXiv 2310.06009); our formalisation.
"""

from efttheory.games import bimatrix, conflict, extensive, normal_form, qre, selection
from efttheory.games.bimatrix import (
    Equilibrium,
    EquilibriumSet,
    is_degenerate,
    lemke_howson,
    nash_equilibria,
    support_enumeration,
    vertex_enumeration,
)
from efttheory.games.conflict import (
    AttackOrder,
    ComparativeStatics,
    ContestProbabilities,
    DC2Equilibrium,
    DC2Params,
    DCNParams,
    DivisionBudget,
    EfficacyPeak,
    MarkovPerfectEquilibrium,
    ThreatChoice,
    comparative_statics,
    contest_probabilities,
    critical_discount_factor,
    critical_efficacy,
    critical_imminence,
    critical_threat_belief,
    dc2_game_tree,
    dc2_subgame_perfect_equilibrium,
    dcn_equilibrium_margins,
    dcn_markov_perfect_equilibrium,
    dcn_stage_game,
    dcn_stage_increments,
    discount_weight,
    division_budget,
    efficacy_peak,
    max_support_cost,
    solidarity_efficacy,
    solidarity_gain,
    support_decision,
    threat_attack_mode,
    threat_attack_order,
    tullock_csf,
)
from efttheory.games.extensive import (
    GameTree,
    SubgamePerfectEquilibrium,
    one_shot_deviation_gain,
    subgame_perfect_equilibria,
)
from efttheory.games.normal_form import (
    NormalFormGame,
    best_response_gaps,
    expected_payoffs,
    is_nash,
    nash_regret,
    pure_nash_equilibria,
    symmetric_mixed_equilibria,
)
from efttheory.games.qre import QREBranch, logit_qre_branch, logit_qre_limit
from efttheory.games.selection import select_equilibrium

__all__ = [
    "bimatrix", "conflict", "extensive", "normal_form", "qre", "selection",
    "Equilibrium", "EquilibriumSet", "is_degenerate", "lemke_howson", "nash_equilibria",
    "support_enumeration", "vertex_enumeration",
    "AttackOrder", "ComparativeStatics", "ContestProbabilities", "DC2Equilibrium", "DC2Params",
    "DCNParams", "DivisionBudget", "EfficacyPeak", "MarkovPerfectEquilibrium", "ThreatChoice",
    "comparative_statics", "contest_probabilities", "critical_discount_factor", "critical_efficacy",
    "critical_imminence", "critical_threat_belief", "dc2_game_tree", "dc2_subgame_perfect_equilibrium",
    "dcn_equilibrium_margins", "dcn_markov_perfect_equilibrium", "dcn_stage_game", "dcn_stage_increments",
    "discount_weight", "division_budget", "efficacy_peak", "max_support_cost", "solidarity_efficacy",
    "solidarity_gain", "support_decision", "threat_attack_mode", "threat_attack_order", "tullock_csf",
    "GameTree", "SubgamePerfectEquilibrium", "one_shot_deviation_gain", "subgame_perfect_equilibria",
    "NormalFormGame", "best_response_gaps", "expected_payoffs", "is_nash", "nash_regret",
    "pure_nash_equilibria", "symmetric_mixed_equilibria",
    "QREBranch", "logit_qre_branch", "logit_qre_limit",
    "select_equilibrium",
]
