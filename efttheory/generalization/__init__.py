r"""GenEFT: statics and dynamics of generalization (Baek, Liu & Tegmark, arXiv:2402.05916).

statics
    Description length from the automorphism group, balls in buckets, critical data
    fraction, accuracy upper bound (:mod:`~efttheory.generalization.statics`).
closure
    Monte-Carlos of balls in buckets and of what a training set determines
    (:mod:`~efttheory.generalization.closure`).
repons
    Two-repon dynamics: conserved hyperbola, closed form, RK4, the arctan law and
    its cluster form (:mod:`~efttheory.generalization.repons`).
many_repons
    N repons in d dimensions coupled by pairwise springs through a linear head [ours]
    (:mod:`~efttheory.generalization.many_repons`).
phases
    Phase labels and learning-rate phase boundaries (:mod:`~efttheory.generalization.phases`).
"""

from efttheory.generalization.closure import (
    ClosureMC,
    MCEstimate,
    balls_in_buckets_mc,
    closure_accuracy_mc,
    relation_axioms,
)
from efttheory.generalization.many_repons import (
    ManyReponTrajectory,
    class_weights,
    integrate_many_repons,
    many_repon_invariant,
    many_repon_loss,
    repon_forces,
)
from efttheory.generalization.phases import BoundaryEstimate, Phase, boundary_ratio, classify_phase
from efttheory.generalization.repons import (
    ReponTrajectory,
    conserved_quantity,
    critical_lr_ratio,
    generalization_probability,
    generalization_probability_mc,
    integrate_repons,
    printed_cluster_probability,
    reduced_repon_rhs,
    repon_closed_form,
)
from efttheory.generalization.statics import (
    RELATIONS,
    RelationStatics,
    accuracy_upper_bound,
    automorphism_count,
    automorphism_count_bruteforce,
    critical_data_fraction,
    description_length,
    description_length_relation,
    guessing_odds,
    known_fraction,
    relation_statics,
)

__all__ = [
    "RELATIONS",
    "BoundaryEstimate",
    "ClosureMC",
    "MCEstimate",
    "ManyReponTrajectory",
    "Phase",
    "RelationStatics",
    "ReponTrajectory",
    "accuracy_upper_bound",
    "automorphism_count",
    "automorphism_count_bruteforce",
    "balls_in_buckets_mc",
    "boundary_ratio",
    "class_weights",
    "classify_phase",
    "closure_accuracy_mc",
    "conserved_quantity",
    "critical_data_fraction",
    "critical_lr_ratio",
    "description_length",
    "description_length_relation",
    "generalization_probability",
    "generalization_probability_mc",
    "guessing_odds",
    "integrate_many_repons",
    "integrate_repons",
    "known_fraction",
    "many_repon_invariant",
    "many_repon_loss",
    "printed_cluster_probability",
    "reduced_repon_rhs",
    "relation_axioms",
    "relation_statics",
    "repon_closed_form",
    "repon_forces",
]
