"""Every ``Examples`` section in the package runs and prints what it shows.

The examples are the first code a reader copies, so they are tested like code: each
module's docstring examples run under :mod:`doctest`, and the headline function of
each theory must have one.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import efttheory

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# The entry points a reader of each area meets first: each shows a worked call.
HEADLINE = {
    "efttheory.generalization": (
        "critical_data_fraction", "generalization_probability", "accuracy_upper_bound",
        "integrate_repons", "repon_closed_form", "classify_phase", "relation_statics",
        "automorphism_count", "integrate_many_repons",
    ),
    "efttheory.complexity": (
        "linear_mapping_number", "mlp_linear_mapping_number", "relu_linear_regions_1d",
        "grokking_phases", "linear_connectivity", "lmn_from_connectivity", "relu_linear_regions_2d",
    ),
    "efttheory.scaling": (
        "ensemble_mse", "symmetric_ticket", "relu_optimal_mse", "sharma_kaplan_alpha",
        "optimal_allocation", "composite_loss", "equilibrium_neurons", "parameter_exponent",
        "chinchilla_loss", "compute_optimal_allocation", "fit_chinchilla", "bootstrap_chinchilla",
        "likelihood_ratio_test", "ticket_best_fit",
    ),
    "efttheory.synthesis": (
        "integer_linear_regression", "boolean_regression", "extract_fsm", "lll_reduce",
        "integer_symbolic_regression", "to_python", "mips", "normalizer_chain", "verify_program",
    ),
    "efttheory.games": (
        "nash_equilibria", "lemke_howson", "support_enumeration", "tullock_csf",
        "dc2_subgame_perfect_equilibrium", "dcn_markov_perfect_equilibrium",
        "critical_threat_belief", "logit_qre_branch", "subgame_perfect_equilibria",
        "NormalFormGame",
    ),
    "efttheory.solvers": ("pairwise_forces", "fit_power_law", "rk4", "dormand_prince", "velocity_verlet"),
    "efttheory.testing": ("assert_is_nash",),
}


def _modules():
    names = [efttheory.__name__]
    for info in pkgutil.walk_packages(efttheory.__path__, prefix=f"{efttheory.__name__}."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


def _examples(module_name: str):
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [t for t in finder.find(module, module_name) if t.examples]


MODULES_WITH_EXAMPLES = [name for name in _modules() if _examples(name)]


def test_examples_are_collected():
    # The parametrized test below would pass vacuously if discovery found nothing.
    assert len(MODULES_WITH_EXAMPLES) >= len(HEADLINE)


@pytest.mark.parametrize("module_name", MODULES_WITH_EXAMPLES)
def test_docstring_examples_run(module_name):
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    report: list[str] = []
    tried = 0
    with np.printoptions(legacy=False):
        for test in _examples(module_name):
            result = runner.run(test, out=report.append, clear_globs=True)
            tried += result.attempted
    assert tried > 0
    assert runner.failures == 0, "".join(report)


@pytest.mark.parametrize(
    "qualified", [f"{module}.{name}" for module, names in HEADLINE.items() for name in names]
)
def test_headline_function_has_an_example(qualified):
    module_name, name = qualified.rsplit(".", 1)
    obj = getattr(importlib.import_module(module_name), name)
    doc = obj.__doc__ or ""
    assert "Examples\n" in doc and ">>>" in doc, f"{qualified} has no Examples section"
