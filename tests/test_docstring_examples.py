"""Every ``Examples`` section in the package runs and prints what it shows.

The examples are the first code a reader copies, so they are tested like code: each
module's docstring examples run under :mod:`doctest`, and every public function of
every area must have one.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import efttheory

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# The public areas; each re-exports its names in ``__all__``.
AREAS = (
    "efttheory.solvers",
    "efttheory.generalization",
    "efttheory.scaling",
    "efttheory.complexity",
    "efttheory.synthesis",
    "efttheory.games",
    "efttheory.testing",
)


def _public_functions():
    # Plain Python functions only: result classes are shown by the examples of the
    # functions that return them, and the raw Numba kernels re-exported for use inside
    # users' own @njit code are dispatchers, not functions.
    names = []
    for area in AREAS:
        module = importlib.import_module(area)
        names += [f"{area}.{n}" for n in module.__all__ if inspect.isfunction(getattr(module, n))]
    return names


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
    assert len(MODULES_WITH_EXAMPLES) >= len(AREAS)


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


PUBLIC_FUNCTIONS = _public_functions()


def test_public_functions_are_found():
    # The parametrized test below would pass vacuously if discovery found nothing.
    assert len(PUBLIC_FUNCTIONS) >= 150


@pytest.mark.parametrize("qualified", PUBLIC_FUNCTIONS)
def test_public_function_has_an_example(qualified):
    module_name, name = qualified.rsplit(".", 1)
    obj = getattr(importlib.import_module(module_name), name)
    doc = obj.__doc__ or ""
    assert "Examples\n" in doc and ">>>" in doc, f"{qualified} has no Examples section"
