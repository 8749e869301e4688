"""Properties of efttheory.scaling.resource (spec section 8)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.scaling import resource as R

positive = st.floats(0.05, 50.0, allow_nan=False, allow_infinity=False)


@st.composite
def subtasks(draw, min_size=1, max_size=6):
    m = draw(st.integers(min_size, max_size))
    a = np.array(draw(st.lists(positive, min_size=m, max_size=m)))
    w = np.array(draw(st.lists(st.floats(0.01, 5.0), min_size=m, max_size=m)))
    raw = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=m, max_size=m)))
    p = raw / raw.sum() * draw(st.floats(0.3, 1.0))
    return a, w, p


@settings(deadline=None, max_examples=50, derandomize=True)
@given(subtasks(), st.floats(1.0, 1e4), st.floats(0.1, 100.0))
def test_composite_loss_homogeneous_degree_minus_one(task, n, k):
    a, w, p = task
    assert R.composite_loss(k * n, p, a, w) == pytest.approx(R.composite_loss(n, p, a, w) / k, rel=1e-12)


@settings(deadline=None, max_examples=50, derandomize=True)
@given(subtasks(min_size=2), st.floats(1.0, 1e4), st.randoms(use_true_random=False))
def test_composite_loss_permutation_invariant(task, n, random):
    a, w, p = task
    perm = list(range(a.size))
    random.shuffle(perm)
    assert R.composite_loss(n, p[perm], a[perm], w[perm]) == pytest.approx(R.composite_loss(n, p, a, w), rel=1e-12)


@settings(deadline=None, max_examples=50, derandomize=True)
@given(subtasks(), st.floats(1.0, 1e4))
def test_composite_loss_strictly_decreasing_in_each_allocation(task, n):
    a, w, p = task
    base = np.sum(w * R.subtask_loss(p * n, a))
    assert base == pytest.approx(R.composite_loss(n, p, a, w), rel=1e-12)
    for i in range(a.size):
        n_alloc = p * n
        n_alloc[i] *= 1.01
        assert np.sum(w * R.subtask_loss(n_alloc, a)) < base


@settings(deadline=None, max_examples=50, derandomize=True)
@given(subtasks(), st.floats(1.0, 1e4), st.integers(0, 2**32 - 1))
def test_optimal_allocation_sums_kkt_and_beats_random(task, n, seed):
    a, w, _ = task
    res = R.optimal_allocation(n, a, w)
    assert res.n_alloc.sum() == pytest.approx(n, rel=1e-12)
    marginals = w * a / res.n_alloc**2
    np.testing.assert_allclose(marginals, res.marginal, rtol=1e-10)
    assert res.loss == pytest.approx(np.sum(w * a / res.n_alloc), rel=1e-12)
    rng = np.random.default_rng(seed)
    for frac in rng.dirichlet(np.ones(a.size), size=20):
        assert res.loss <= np.sum(w * a / (frac * n)) * (1 + 1e-12)


@settings(deadline=None, max_examples=50, derandomize=True)
@given(subtasks(), st.floats(1.0, 1e4), st.floats(0.1, 100.0))
def test_optimal_allocation_scales_with_width(task, n, k):
    a, w, _ = task
    np.testing.assert_allclose(R.optimal_allocation(k * n, a, w).n_alloc, k * R.optimal_allocation(n, a, w).n_alloc,
                               rtol=1e-12)


def test_allocation_ratio_values():
    assert R.allocation_ratio(0.5, 0.5) == 1.0
    assert R.allocation_ratio(0.5, 0.75) == 1.0
    expected = [4.36, 3.00, 2.38, 1.73, 1.00]
    got = R.allocation_ratio(np.array([0.95, 0.9, 0.85, 0.75, 0.5]), R.LAGRANGE_EXPONENT)
    np.testing.assert_allclose(got, expected, atol=0.005)


@settings(deadline=None, max_examples=50, derandomize=True)
@given(st.floats(0.01, 0.98), st.floats(0.001, 0.01), st.floats(0.05, 2.0))
def test_allocation_ratio_increasing(beta, step, kappa):
    assert R.allocation_ratio(beta + step, kappa) > R.allocation_ratio(beta, kappa)


def test_allocation_ratio_matches_optimal_allocation():
    for beta in (0.6, 0.75, 0.9):
        res = R.optimal_allocation(100.0, [1.0, 1.0], [beta, 1 - beta])
        assert res.n_alloc[0] / res.n_alloc[1] == pytest.approx(R.allocation_ratio(beta), rel=1e-12)


def test_parameter_exponent_exact_values():
    assert R.parameter_exponent(1, "redundancy") == 1 / 3
    assert R.parameter_exponent(1, "structural") == 2 / 3
    assert R.parameter_exponent(0, "redundancy") == 0.5
    assert R.parameter_exponent(0, "structural") == 0.5
    assert R.gamma_from_shape(2.52) == pytest.approx(0.52)
    assert R.parameter_exponent(R.gamma_from_shape(2.52)) == pytest.approx(1 / 2.52)


@settings(deadline=None, max_examples=50, derandomize=True)
@given(st.floats(0.0, 10.0), st.floats(0.01, 1.0))
def test_parameter_exponent_monotone(gamma, step):
    assert R.parameter_exponent(gamma + step, "redundancy") < R.parameter_exponent(gamma, "redundancy")
    assert R.parameter_exponent(gamma + step, "structural") > R.parameter_exponent(gamma, "structural")


def test_equilibrium_neurons():
    assert R.equilibrium_neurons(4.0, 1.0, 1.0) == pytest.approx(2.0)
    np.testing.assert_allclose(R.equilibrium_neurons(np.array([1.0, 4.0]), 1.0, 0.5, cost=2.0), [1.0, 2.0])


def _net(rng, hidden=12, d_in=2, d_out=2, batch=()):
    w = rng.normal(size=batch + (d_in, hidden)) * rng.choice([0.0, 1e-4, 1.0], size=batch + (1, hidden))
    v = rng.normal(size=batch + (hidden, d_out))
    return w, v


@settings(deadline=None, max_examples=50, derandomize=True)
@given(st.integers(0, 2**32 - 1))
def test_count_allocated_monotone_and_permutation_invariant(seed):
    rng = np.random.default_rng(seed)
    w, v = _net(rng, batch=(3,))
    perm = rng.permutation(w.shape[-1])
    for rule in ("product", "weight"):
        counts = [R.count_allocated(w, v, rule=rule, threshold=t) for t in (1e-6, 1e-4, 1e-2, 1.0)]
        for lo, hi in zip(counts[:-1], counts[1:]):
            assert np.all(hi <= lo)
        np.testing.assert_array_equal(R.count_allocated(w, v, rule=rule),
                                      R.count_allocated(w[..., perm], v[..., perm, :], rule=rule))


def numpy_count(w, v, threshold):
    """Plain loop twin of the product rule."""
    count = 0
    for i in range(w.shape[1]):
        if max(abs(w[d, i] * v[i, k]) for d in range(w.shape[0]) for k in range(v.shape[1])) > threshold:
            count += 1
    return count


def test_count_allocated_matches_loop():
    rng = np.random.default_rng(3)
    w, v = _net(rng, batch=(4,))
    got = R.count_allocated(w, v)
    assert got.tolist() == [numpy_count(w[r], v[r], 1e-3) for r in range(4)]


def test_attribute_allocated_per_task():
    w = np.zeros((2, 4))
    v = np.zeros((4, 2))
    w[0, 0], v[0, 0] = 1.0, 1.0  # task 0
    w[0, 1], v[1, 0] = 1.0, 1.0  # task 0
    w[1, 2], v[2, 1] = 1.0, 1.0  # task 1
    w[1, 3], v[3, 0] = 1.0, 1.0  # crosses tasks: counted for neither
    assert R.attribute_allocated(w, v).tolist() == [2, 1]
    mask = R.allocation_mask(w, v)
    assert mask.tolist() == [[True, True, False, False], [False, False, True, False]]
    assert R.allocation_mask(np.stack([w, 0 * w]), np.stack([v, v])).sum(axis=-1).tolist() == [[2, 1], [0, 0]]


def test_count_allocated_by_ablation():
    contributions = np.array([1.0, 0.0, 0.5, 1e-6])

    def masked_loss(mask):
        return 1.0 + float(np.sum(contributions[~mask]))

    assert R.count_allocated_by_ablation(masked_loss, 4, rel_increase=0.01) == 2
