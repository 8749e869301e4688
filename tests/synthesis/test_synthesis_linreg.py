"""Integer linear regression on lattice coordinates (spec 2.9)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from efttheory.synthesis import linreg as LR

FAST = settings(deadline=None, max_examples=50)


@FAST
@given(seed=st.integers(0, 10_000), H=st.integers(1, 3), D=st.integers(1, 2), O=st.integers(1, 2))
def test_recovers_an_integer_recurrence(seed, H, D, O):
    rng = np.random.default_rng(seed)
    M = rng.integers(-2, 3, size=(H, H))
    Kx = rng.integers(-2, 3, size=(H, D))
    c = rng.integers(-5, 6, size=H)
    R = rng.integers(-2, 3, size=(O, H))
    d = rng.integers(-5, 6, size=O)
    N = 60
    Zp = rng.integers(-9, 10, size=(N, H))
    x = rng.integers(-5, 6, size=(N, D))
    Z = Zp @ M.T + x @ Kx.T + c
    y = Z @ R.T + d
    p = LR.integer_linear_regression(Zp, x, Z, y, z0_candidates=[np.zeros(H, dtype=int)])
    assert p is not None
    np.testing.assert_array_equal(Zp @ p.M.T + x @ p.K.T + p.c, Z)
    np.testing.assert_array_equal(Z @ p.R.T + p.d, y)
    assert p.M.dtype == np.int64 and p.z0.tolist() == [0] * H


def test_nonlinear_relation_is_rejected():
    rng = np.random.default_rng(0)
    Zp = rng.integers(0, 10, size=(50, 1))
    x = rng.integers(0, 10, size=50)
    Z = (Zp[:, 0] + x) % 7
    assert LR.integer_linear_regression(Zp, x, Z[:, None], Z, z0_candidates=[[0]]) is None


def test_nonlinear_readout_is_rejected():
    rng = np.random.default_rng(1)
    Zp = rng.integers(0, 10, size=(50, 1))
    x = rng.integers(0, 10, size=50)
    Z = Zp[:, 0] + x
    assert LR.integer_linear_regression(Zp, x, Z, np.abs(Z - 9), z0_candidates=[[0]]) is None


def test_authors_example_coefficients():
    # Prev1-like shape from the authors' programs: next = -x + 99, y = 99 - z
    x = np.arange(100)
    Zp = np.zeros((100, 1), dtype=int)
    Z = 99 - x
    p = LR.integer_linear_regression(Zp, x, Z, x, z0_candidates=[[99]])
    assert p.K.tolist() == [[-1]] and p.c.tolist() == [99] and p.R.tolist() == [[-1]] and p.d.tolist() == [99]
    assert "LinearProgram" in repr(p)


def test_z0_candidates_must_be_a_sequence():
    Z = np.arange(6).reshape(6, 1)
    x = np.ones((6, 1), dtype=np.int64)
    for bad in (None, np.int64(0)):  # "object is not iterable" before
        with pytest.raises(TypeError, match="z0_candidates must be a sequence of initial states"):
            LR.integer_linear_regression(Z, x, Z + x, Z + x, z0_candidates=bad)


def test_bad_input():
    with pytest.raises(ValueError, match="x must have 3 rows"):
        LR.integer_linear_regression(np.zeros((3, 1)), np.zeros(2), np.zeros((3, 1)), np.zeros(3), z0_candidates=[[0]])
    with pytest.raises(ValueError, match="Z_prev must hold integers"):
        LR.integer_linear_regression(np.full((3, 1), 0.5), np.zeros(3), np.zeros((3, 1)), np.zeros(3), z0_candidates=[[0]])
    with pytest.raises(ValueError, match="must be finite"):
        LR.integer_linear_regression(np.zeros((3, 1)), np.array([0, np.nan, 1]), np.zeros((3, 1)), np.zeros(3),
                                     z0_candidates=[[0]])
    with pytest.raises(ValueError, match="at least one candidate"):
        LR.integer_linear_regression(np.zeros((3, 1)), np.zeros(3), np.zeros((3, 1)), np.zeros(3), z0_candidates=[])
    with pytest.raises(ValueError, match=r"z0_candidates\[0\] must have shape \(1,\)"):
        LR.integer_linear_regression(np.zeros((3, 1)), np.zeros(3), np.zeros((3, 1)), np.zeros(3), z0_candidates=[[0, 1]])
    with pytest.raises(ValueError, match="Z must have H=1 columns"):
        LR.integer_linear_regression(np.zeros((3, 1)), np.zeros(3), np.zeros((3, 2)), np.zeros(3), z0_candidates=[[0]])


@pytest.mark.parametrize("offset", [10**9, 10**13, 2**53 + 1, 2**60 + 3])
def test_large_offset_coordinates_are_recovered(offset):
    # a running sum started at a large value, with a constant coordinate beside it; the
    # offset once swamped the rank test (None from 1e9 up) and, above 2**53, the values
    rng = np.random.default_rng(7)
    x = rng.integers(0, 10, size=40)
    Zp = np.column_stack([rng.integers(0, 100, size=40) + offset, np.full(40, 5)])
    Z = np.column_stack([Zp[:, 0] + x, Zp[:, 1]])
    y = Z[:, 0] - offset + 1
    p = LR.integer_linear_regression(Zp, x, Z, y, z0_candidates=[[0, 5]])
    assert p is not None
    # the constant coordinate goes into c (slope 0), as for any rank-deficient design
    assert p.M.tolist() == [[1, 0], [0, 0]] and p.K.tolist() == [[1], [0]] and p.c.tolist() == [0, 5]
    assert p.R.tolist() == [[1, 0]] and p.d.tolist() == [1 - offset]


def test_exactness_is_checked_in_integers():
    # y = z + 1 with z near 2**60: float64 cannot tell y from z, the integer check can
    z = np.arange(20, dtype=np.int64) + 2**60
    p = LR.integer_linear_regression(z - 1, np.ones(20, dtype=np.int64), z, z + 1, z0_candidates=[[0]])
    assert p.R.tolist() == [[1]] and p.d.tolist() == [1]
    off_by_one = z + 1
    off_by_one[7] += 1
    assert LR.integer_linear_regression(z - 1, np.ones(20, dtype=np.int64), z, off_by_one,
                                        z0_candidates=[[0]]) is None


def test_no_rows_is_an_error():
    empty = np.zeros((0, 1), dtype=np.int64)
    with pytest.raises(ValueError, match="Z_prev must hold at least one row"):
        LR.integer_linear_regression(empty, np.zeros(0, dtype=np.int64), empty, np.zeros(0, dtype=np.int64),
                                     z0_candidates=[[0]])
