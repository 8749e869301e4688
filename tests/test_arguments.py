import numpy as np
import pytest

from efttheory._arguments import (
    as_finite_array,
    as_generator,
    as_integer_array,
    as_tuple,
    check_choice,
    check_finite_scalar,
    check_flag,
    check_identifiers,
    check_in_interval,
    check_integer,
    check_positive,
)
from efttheory.errors import ConvergenceError


def test_as_finite_array_converts_and_checks_shape():
    out = as_finite_array("x", [[1, 2], [3, 4]], ndim=2, shape=(None, 2))
    assert out.dtype == np.float64 and out.flags.c_contiguous
    with pytest.raises(ValueError, match="x must have shape"):
        as_finite_array("x", [1.0, 2.0], shape=(3,))
    with pytest.raises(ValueError, match="x must have ndim"):
        as_finite_array("x", [1.0], ndim=2)
    with pytest.raises(ValueError, match="at least 3"):
        as_finite_array("x", [1.0], min_size=3)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_as_finite_array_rejects_non_finite(bad):
    with pytest.raises(ValueError, match="y0 must be finite"):
        as_finite_array("y0", [1.0, bad])


@pytest.mark.parametrize("bad", [["a", "b"], [True, False], [1 + 2j], [object()]])
def test_as_finite_array_rejects_non_real(bad):
    with pytest.raises(TypeError, match="values"):
        as_finite_array("values", bad)


def test_as_integer_array_accepts_whole_numbers_only():
    out = as_integer_array("z", [[1.0, -2.0], [3, 4]], shape=(2, 2))
    assert out.dtype == np.int64 and out.tolist() == [[1, -2], [3, 4]]
    with pytest.raises(ValueError, match=r"z must hold integers, got non-integer values such as 2\.5"):
        as_integer_array("z", [1.0, 2.5])
    with pytest.raises(ValueError, match="z must be finite"):
        as_integer_array("z", [1.0, np.nan])
    with pytest.raises(ValueError, match="z must have ndim"):
        as_integer_array("z", [1, 2], ndim=2)
    with pytest.raises(ValueError, match="z must lie inside the int64 range"):
        as_integer_array("z", [1.0, -1e20])


def test_as_integer_array_keeps_every_digit_of_integers():
    # integers do not pass through float64 (which rounds above 2**53)
    big = np.array([2**60 + 1, -(2**62) - 3, 2**63 - 1], dtype=np.int64)
    assert as_integer_array("z", big).tolist() == big.tolist()
    assert as_integer_array("z", [2**53 + 1]).tolist() == [2**53 + 1]
    assert as_integer_array("z", np.array([7], dtype=np.uint8)).dtype == np.int64
    with pytest.raises(ValueError, match=r"z must lie inside the int64 range .* got 9223372036854775808"):
        as_integer_array("z", np.array([2**63], dtype=np.uint64))
    with pytest.raises(ValueError, match="z must lie inside the int64 range"):
        as_integer_array("z", np.array([-(2**63)], dtype=np.int64))
    with pytest.raises(ValueError, match="z must have shape"):
        as_integer_array("z", np.zeros(3, dtype=np.int64), shape=(2,))
    with pytest.raises(TypeError, match="z must be an array of real numbers"):
        as_integer_array("z", [[1], [2, 3]])
    with pytest.raises(TypeError, match="z must be an array of real numbers"):
        as_integer_array("z", np.array([True]))


def test_check_identifiers():
    assert check_identifiers("names", ["a", "b1"]) == ("a", "b1")
    assert check_identifiers("names", "ab") == ("a", "b")
    with pytest.raises(TypeError, match="names must be a sequence of str, got NoneType"):
        check_identifiers("names", None)
    with pytest.raises(ValueError, match="names must hold Python identifiers"):
        check_identifiers("names", ["a", "1b"])
    with pytest.raises(ValueError, match="names must hold Python identifiers"):
        check_identifiers("names", ["a", 3])


def test_scalar_checks_name_argument_and_range():
    assert check_positive("dt", 0.1) == 0.1
    with pytest.raises(ValueError, match=r"dt must be > 0, got -1.0"):
        check_positive("dt", -1)
    assert check_positive("lam", 0.0, strict=False) == 0.0
    with pytest.raises(TypeError, match="dt must be a real number"):
        check_positive("dt", "1")
    with pytest.raises(ValueError, match="dt must be finite"):
        check_positive("dt", float("nan"))
    with pytest.raises(ValueError, match=r"ci must lie in \(0.0, 1.0\)"):
        check_in_interval("ci", 1.0, 0.0, 1.0, closed=(False, False))
    with pytest.raises(ValueError, match="n must be >= 1"):
        check_integer("n", 0, minimum=1)
    with pytest.raises(TypeError, match="n must be an integer"):
        check_integer("n", 2.0)
    # beyond int64, NumPy and Numba fail without naming the argument (or loop for ever)
    assert check_integer("n", 2**63 - 1) == 2**63 - 1 and check_integer("n", -(2**63)) == -(2**63)
    assert check_integer("d", 10**400, minimum=1, unbounded=True) == 10**400  # closed forms in Python ints
    for huge in (2**63, -(2**63) - 1, 2**70):
        with pytest.raises(ValueError, match="n must be an int64"):
            check_integer("n", huge, minimum=1 if huge > 0 else None)
    with pytest.raises(ValueError, match="stat must be one of"):
        check_choice("stat", "mode", ("mean", "median"))


def test_as_generator():
    g = np.random.default_rng(1)
    assert as_generator("rng", g) is g
    assert as_generator("rng", 5).random() == np.random.default_rng(5).random()
    with pytest.raises(ValueError, match="rng seed"):
        as_generator("rng", -1)
    with pytest.raises(TypeError, match="rng must be"):
        as_generator("rng", "seed")


def test_convergence_error_carries_last_iterate():
    err = ConvergenceError("no", last_iterate=np.ones(2), iterations=7)
    assert isinstance(err, RuntimeError) and err.iterations == 7
    np.testing.assert_array_equal(err.last_iterate, np.ones(2))


def test_scalar_beyond_float64_range_is_a_value_error_naming_the_argument():
    # float(10**400) raises OverflowError; callers promise ValueError/TypeError for bad input
    with pytest.raises(ValueError, match="dt must be finite"):
        check_positive("dt", 10**400)
    with pytest.raises(ValueError, match="x must be finite"):
        check_finite_scalar("x", -(10**400))
    assert check_finite_scalar("x", 10**300) == 1e300


def test_check_flag_takes_only_bools():
    assert check_flag("keep", True) is True and check_flag("keep", np.bool_(False)) is False
    for bad in ("no", "False", None, 0, 1, 2.0, np.array([True])):
        with pytest.raises(TypeError, match="keep must be True or False"):
            check_flag("keep", bad)


def test_integer_arrays_beyond_int64_held_as_python_ints_name_the_argument():
    # NumPy keeps such ints as objects; the message said "must be an array of real numbers"
    for value in ([4, 2**70, 1], [[1], [-(2**64)]]):
        with pytest.raises(ValueError, match="sizes must lie inside the int64 range"):
            as_integer_array("sizes", value)
    np.testing.assert_array_equal(as_integer_array("sizes", np.array([3, 4], dtype=object)), [3, 4])
    with pytest.raises(TypeError, match="sizes must be an array of real numbers"):
        as_integer_array("sizes", np.array([3, True], dtype=object))


def test_as_tuple_names_the_argument_for_a_non_sequence_or_a_string():
    assert as_tuple("steps", ["a", "b"], "names") == ("a", "b") and as_tuple("steps", (), "names") == ()
    for bad in (None, 3, 2.5):
        with pytest.raises(TypeError, match="steps must be a sequence of names, got"):
            as_tuple("steps", bad, "names")
    with pytest.raises(TypeError, match="got the string 'ab'"):
        as_tuple("steps", "ab", "names")
