"""Plain-GD repon toys (models.repon_toy): kernel twin and outcomes."""

import numpy as np
import pytest

from models._repon_toy_kernels import lone_vs_cluster_gd
from models.repon_toy import cluster_repon_gd, two_repon_gd


def gd_twin(lone, cluster, a, b, y, mult, eta_enc, eta_dec, steps):
    lone, cluster, a, b = (np.array(v, dtype=float) for v in (lone, cluster, a, b))
    for _ in range(steps):
        rl = a * lone + b - y
        rc = a * cluster + b - y
        ga = rl * lone + mult * rc * cluster
        gb = rl + mult * rc
        lone, cluster, a, b = lone - eta_enc * rl * a, cluster - eta_enc * rc * a, a - eta_dec * ga, b - eta_dec * gb
    return lone, cluster, a, b


def test_gd_kernel_twin():
    rng = np.random.default_rng(0)
    args = [rng.normal(size=5) for _ in range(4)]
    got = lone_vs_cluster_gd(*args, 1.0, 3.0, 0.02, 0.01, 200)
    want = gd_twin(*args, 1.0, 3.0, 0.02, 0.01, 200)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


def test_gd_kernel_is_gradient_descent_on_the_loss():
    # one step of the kernel equals one step along the numerical gradient of the loss
    def loss(p, mult=2.0, y=1.0):
        lone, cluster, a, b = p
        return 0.5 * (a * lone + b - y) ** 2 + 0.5 * mult * (a * cluster + b - y) ** 2
    p = np.array([0.4, -0.3, 1.1, 0.2])
    h = 1e-6
    grad = np.array([(loss(p + h * e) - loss(p - h * e)) / (2 * h) for e in np.eye(4)])
    out = lone_vs_cluster_gd(p[:1], p[1:2], p[2:3], p[3:4], 1.0, 2.0, 1e-3, 1e-3, 1)
    # the cluster representative moves with its own term only (gradient / multiplicity)
    step = np.array([o[0] for o in out]) - p
    expected = -1e-3 * grad
    expected[1] /= 2.0
    np.testing.assert_allclose(step, expected, atol=1e-10)


def test_toys_run_and_are_seeded():
    out = two_repon_gd(0.01, 0.005, n_samples=200, steps=2000, rng=0)
    again = two_repon_gd(0.01, 0.005, n_samples=200, steps=2000, rng=0)
    np.testing.assert_array_equal(out.collided, again.collided)
    assert 0.0 <= out.probability <= 1.0
    clus = cluster_repon_gd(0.008, 0.004, cluster_size=3, n_samples=100, steps=1000, rng=1)
    assert clus.collided.shape == (100,) and "ToyOutcome" in repr(clus)
    with pytest.raises(ValueError, match="eta_enc"):
        two_repon_gd(0.0, 0.005, n_samples=10, steps=10, rng=0)
