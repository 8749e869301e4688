"""Tests of efttheory.solvers.pairwise against a NumPy twin and physics identities."""

import numpy as np
import pytest
from numba import njit

from efttheory.solvers import (
    coulomb_law,
    custom_law,
    harmonic_law,
    lennard_jones_law,
    pairwise_forces,
    pairwise_forces_kernel,
    rk4,
)

LAWS = {
    "coulomb": coulomb_law(1.3, softening=0.2),
    "coulomb_unsoftened": coulomb_law(0.7),
    "inverse_square_energy": coulomb_law(-0.5, softening=0.1, power=2.0),
    "power_1.5": coulomb_law(2.0, softening=0.3, power=1.5),
    "harmonic": harmonic_law(0.8),
    "spring_rest_length": harmonic_law(1.7, rest_length=0.6),
    "lennard_jones": lennard_jones_law(0.9, 0.5),
}


def pair_energy_twin(name, r2, params):
    """U(r^2) and dU/dr^2 written directly from the formulas in the docs."""
    if name == "power":
        k, p, eps = params
        s = r2 + eps**2
        return k * s ** (-p / 2), -p / 2 * k * s ** (-p / 2 - 1)
    if name == "harmonic":
        k, r0, _ = params
        r = np.sqrt(r2)
        return 0.5 * k * (r - r0) ** 2, k * (r - r0) / (2 * r)
    eps, sigma, _ = params
    return (4 * eps * ((sigma**2 / r2) ** 6 - (sigma**2 / r2) ** 3),
            4 * eps * (-6 * sigma**12 / r2**7 + 3 * sigma**6 / r2**4))


def forces_twin(x, law, weights=None):
    """All-pairs NumPy twin (every ordered pair, no third-law shortcut)."""
    d, n = x.shape
    diff = x[:, :, None] - x[:, None, :]  # (d, i, j): x_i - x_j
    r2 = (diff**2).sum(axis=0)
    off = ~np.eye(n, dtype=bool)
    w = np.ones((n, n)) if weights is None else weights
    u = np.zeros((n, n))
    du = np.zeros((n, n))
    u[off], du[off] = pair_energy_twin(law.name, r2[off], law.params)
    forces = (-2.0 * w * du * diff).sum(axis=2)
    return forces, 0.5 * (w * u)[off].sum()


def random_configuration(rng, d, n, spacing=1.0):
    # jittered lattice keeps particles apart (Lennard-Jones and unsoftened laws)
    side = int(np.ceil(n ** (1.0 / d)))
    grid = np.stack(np.meshgrid(*[np.arange(side)] * d, indexing="ij")).reshape(d, -1)[:, :n]
    return spacing * (grid + rng.uniform(-0.2, 0.2, size=(d, n)))


@pytest.mark.parametrize("name", sorted(LAWS))
@pytest.mark.parametrize("d,n", [(1, 2), (2, 7), (3, 40), (5, 33)])
def test_kernel_matches_numpy_twin(name, d, n):
    rng = np.random.default_rng(d * 100 + n)
    x = random_configuration(rng, d, n)
    law = LAWS[name]
    out = pairwise_forces(x, law)
    forces, energy = forces_twin(x, law)
    scale = np.abs(forces).max()
    np.testing.assert_allclose(out.forces, forces, rtol=1e-11, atol=1e-11 * scale)
    assert out.energy == pytest.approx(energy, rel=1e-11, abs=1e-12)
    assert out.forces.shape == (d, n)


@pytest.mark.parametrize("name", sorted(LAWS))
def test_weighted_pairs_match_numpy_twin(name):
    rng = np.random.default_rng(11)
    x = random_configuration(rng, 2, 20)
    w = rng.uniform(0.0, 2.0, size=(20, 20))
    w = w + w.T
    out = pairwise_forces(x, LAWS[name], weights=w)
    forces, energy = forces_twin(x, LAWS[name], w)
    np.testing.assert_allclose(out.forces, forces, rtol=1e-11, atol=1e-11 * np.abs(forces).max())
    assert out.energy == pytest.approx(energy, rel=1e-11)


@pytest.mark.parametrize("name", sorted(LAWS))
def test_newtons_third_law_total_force_vanishes(name):
    rng = np.random.default_rng(5)
    x = random_configuration(rng, 3, 64)
    out = pairwise_forces(x, LAWS[name])
    total = out.forces.sum(axis=1)
    assert np.abs(total).max() <= 1e-12 * np.abs(out.forces).sum()


@pytest.mark.parametrize("name", sorted(LAWS))
def test_forces_are_minus_energy_gradient(name):
    rng = np.random.default_rng(7)
    x = random_configuration(rng, 2, 9)
    law = LAWS[name]
    forces = pairwise_forces(x, law).forces
    h = 1e-6
    grad = np.zeros_like(x)
    for k in range(x.shape[0]):
        for i in range(x.shape[1]):
            xp, xm = x.copy(), x.copy()
            xp[k, i] += h
            xm[k, i] -= h
            grad[k, i] = (pairwise_forces(xp, law).energy - pairwise_forces(xm, law).energy) / (2 * h)
    np.testing.assert_allclose(forces, -grad, rtol=1e-5, atol=1e-6 * np.abs(forces).max())


@njit(cache=True)
def soft_coulomb_energy(r2, params):
    s = r2 + params[1] * params[1]
    e = params[0] / np.sqrt(s)
    return e, -0.5 * e / s


def test_custom_law_matches_builtin_and_python_fallback():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 30))
    builtin = pairwise_forces(x, coulomb_law(1.1, softening=0.4))
    jitted = pairwise_forces(x, custom_law(soft_coulomb_energy, [1.1, 0.4]))
    python = pairwise_forces(x, custom_law(getattr(soft_coulomb_energy, "py_func", soft_coulomb_energy), [1.1, 0.4]))
    for out in (jitted, python):
        np.testing.assert_allclose(out.forces, builtin.forces, rtol=1e-12, atol=1e-13)
        assert out.energy == pytest.approx(builtin.energy, rel=1e-12)


def test_coincident_particles_with_rest_length_feel_no_force():
    x = np.array([[0.0, 0.0, 1.0]])
    out = pairwise_forces(x, harmonic_law(1.0, rest_length=0.5))
    forces, _ = forces_twin(x[:, 1:], harmonic_law(1.0, rest_length=0.5))
    # the coincident pair (0, 1) contributes nothing; each feels particle 2 only
    np.testing.assert_allclose(out.forces[:, 0], forces[:, 0], rtol=1e-14)
    np.testing.assert_allclose(out.forces[:, 1], forces[:, 0], rtol=1e-14)
    assert np.isfinite(out.forces).all()


@njit(cache=True)
def confined_particles(t, y, args):
    code, params, weights, stiffness = args
    d = y.shape[1]
    x = y[0]
    forces, _ = pairwise_forces_kernel(x, code, params, weights)
    out = np.empty_like(y)
    out[0] = y[1]
    out[1] = forces - stiffness * x
    return out


def test_kernel_is_callable_inside_a_jitted_rhs_and_conserves_momentum_and_energy():
    rng = np.random.default_rng(0)
    n = 12
    law = coulomb_law(0.5, softening=0.1)
    y0 = np.stack([rng.normal(size=(2, n)), rng.normal(size=(2, n))])
    args = (law.code, law.params, np.empty((0, 0)), 1.0)
    sol = rk4(confined_particles, y0, np.linspace(0.0, 2.0, 5), dt=1e-3, args=args)

    def energy(y):
        return 0.5 * (y[1] ** 2).sum() + 0.5 * (y[0] ** 2).sum() + pairwise_forces(y[0], law).energy

    assert abs(energy(sol.y[-1]) - energy(y0)) < 1e-8 * abs(energy(y0))


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="positions"):
        pairwise_forces(np.array([[0.0, np.nan]]), harmonic_law())
    with pytest.raises(ValueError, match="positions"):
        pairwise_forces(np.zeros(3), harmonic_law())
    with pytest.raises(TypeError, match="law"):
        pairwise_forces(np.zeros((2, 3)), "coulomb")
    with pytest.raises(ValueError, match="weights"):
        pairwise_forces(np.zeros((2, 3)), harmonic_law(), weights=np.ones((2, 2)))
    with pytest.raises(ValueError, match="weights"):
        pairwise_forces(np.zeros((2, 2)), harmonic_law(), weights=[[0.0, 1.0], [2.0, 0.0]])
    with pytest.raises(ValueError, match="softening"):
        coulomb_law(softening=-1.0)
    with pytest.raises(ValueError, match="sigma"):
        lennard_jones_law(sigma=0.0)
    with pytest.raises(TypeError, match="pair_energy"):
        custom_law(3.0)


def test_hand_built_pair_law_is_checked_before_the_kernel_reads_it():
    from efttheory.solvers import PairLaw

    law = PairLaw("harmonic", np.int64(1), [2.0, 0.0, 0.0])
    assert law.code == 1 and law.params.dtype == np.float64
    x = np.array([[0.0, 1.0, 3.0]])
    np.testing.assert_array_equal(pairwise_forces(x, law).forces, pairwise_forces(x, harmonic_law(2.0)).forces)
    with pytest.raises(ValueError, match="name and code must be a matching pair"):
        PairLaw("harmonic", 7, np.array([2.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="name and code must be a matching pair"):
        PairLaw("gravity", 0, np.array([1.0, 1.0, 0.0]))
    with pytest.raises(ValueError, match=r"params of a lennard_jones law must have shape \(3,\)"):
        PairLaw("lennard_jones", 2, np.array([1.0]))
    with pytest.raises(ValueError, match="params must be finite"):
        PairLaw("power", 0, np.array([1.0, np.nan, 0.0]))
    with pytest.raises(TypeError, match="pair_energy must be a function"):
        PairLaw("custom", -1, np.array([1.0]))


def test_reprs_are_short():
    assert repr(harmonic_law(2.0)) == "PairLaw('harmonic', params=[2, 0, 0])"
    out = pairwise_forces(np.array([[0.0, 1.0]]), harmonic_law(2.0))
    assert repr(out) == "PairwiseForces(d=1, N=2, energy=1)"


# ---------------------------------------------------------------- degenerate configurations

@pytest.mark.parametrize("shape", [(0, 3), (1, 0), (0, 0)])
def test_empty_positions_are_rejected(shape):
    # d = 0 made every pair coincide: energy = inf was returned
    with pytest.raises(ValueError, match=r"positions must have shape \(d, N\) with d >= 1 and N >= 1"):
        pairwise_forces(np.empty(shape), coulomb_law())


@pytest.mark.parametrize("law_factory", [lambda: coulomb_law(1.0), lambda: lennard_jones_law(1.0, 1.0)])
def test_coincident_particles_under_singular_laws_raise(law_factory):
    x = np.array([[0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match="non-finite"):
        pairwise_forces(x, law_factory())
    # softening removes the singularity of the power law
    out = pairwise_forces(x, coulomb_law(1.0, softening=0.1))
    assert np.all(np.isfinite(out.forces)) and np.isfinite(out.energy)


@njit
def _nan_pair_energy(r2, params):
    return np.nan, np.nan


def test_custom_law_returning_nan_raises_naming_the_law():
    with pytest.raises(ValueError, match=r"PairLaw\('custom'.*non-finite"):
        pairwise_forces(np.array([[0.0, 1.0, 3.0]]), custom_law(_nan_pair_energy, [1.0]))


def test_hand_built_pair_law_gets_the_constructor_checks():
    from efttheory.solvers import PairLaw

    with pytest.raises(ValueError, match="power"):
        PairLaw("power", 0, np.array([1.0, -2.0, 0.0]))  # coulomb_law(power=-2) is refused too
    with pytest.raises(ValueError, match="softening"):
        PairLaw("power", 0, np.array([1.0, 1.0, -0.5]))
    with pytest.raises(ValueError, match="epsilon"):
        PairLaw("lennard_jones", 2, np.array([-1.0, 1.0, 0.0]))
    with pytest.raises(ValueError, match="sigma"):
        PairLaw("lennard_jones", 2, np.array([1.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="rest_length"):
        PairLaw("harmonic", 1, np.array([1.0, -1.0, 0.0]))
    with pytest.raises(ValueError, match="name and code"):
        PairLaw("harmonic", True, np.array([1.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="name and code"):
        PairLaw(["harmonic"], 1, np.array([1.0, 0.0, 0.0]))
    assert PairLaw("power", 0, np.array([1.0, 1.0, 0.0])).params.tolist() == coulomb_law().params.tolist()
