"""Bad input to the Chinchilla functions raises errors naming the argument."""

import numpy as np
import pytest

from efttheory.scaling import chinchilla as C

N = np.geomspace(1e8, 1e10, 12)
D = np.geomspace(1e9, 1e11, 12)
L = 2.0 + 400 * N**-0.34 + 400 * D**-0.28


@pytest.mark.parametrize("kwargs, name", [
    (dict(N=-N), "N"), (dict(D=np.where(np.arange(12) == 3, 0.0, D)), "D"),
    (dict(loss=-L), "loss"), (dict(N=N[:5]), "same length"),
    (dict(N=np.where(np.arange(12) == 0, np.nan, N)), "N"),
    (dict(loss=np.where(np.arange(12) == 0, np.inf, L)), "loss"),
    (dict(N=N[:5], D=D[:5], loss=L[:5]), "more points than free parameters"),
    (dict(objective="l2"), "objective"), (dict(delta=0.0), "delta"),
    (dict(exclude_highest=-1), "exclude_highest"), (dict(fixed={"gamma": 1.0}), "fixed"),
    (dict(fixed={"alpha": -1.0}), "fixed"), (dict(starts="many"), "starts"),
    (dict(starts=np.ones((3, 4))), "starts"), (dict(gtol=0.0), "gtol"),
])
def test_fit_rejects(kwargs, name):
    args = dict(N=N, D=D, loss=L)
    args.update({k: kwargs.pop(k) for k in list(kwargs) if k in args})
    with pytest.raises(ValueError, match=name):
        C.fit_chinchilla(args["N"], args["D"], args["loss"], **kwargs)


def test_other_rejections():
    with pytest.raises(ValueError, match="alpha"):
        C.ChinchillaParams(E=1.0, A=1.0, B=1.0, alpha=-0.1, beta=0.3)
    with pytest.raises(ValueError, match="C"):
        C.compute_optimal_allocation(-1.0, C.EPOCH_2024)
    with pytest.raises(TypeError, match="params"):
        C.chinchilla_loss(1e9, 1e10, (1, 2, 3, 4, 5))
    with pytest.raises(TypeError, match="rng"):
        C.bootstrap_chinchilla(N, D, L, n_boot=10, rng=None)
    with pytest.raises(ValueError, match="n_boot"):
        C.bootstrap_chinchilla(N, D, L, n_boot=1, rng=0)
    with pytest.raises(ValueError, match="k"):
        C.highest_loss_mask(L, 12)
    with pytest.raises(FileNotFoundError, match="path"):
        C.read_chinchilla_csv("no-such-file.csv")
    with pytest.raises(ValueError, match="x"):
        C.chi2_survival_df5(-1.0)
    with pytest.raises(TypeError, match="fixed"):
        C.fit_chinchilla(N, D, L, fixed=[("alpha", 0.3)])


def test_fit_checks_rng_before_the_fit():
    # rng="abc" was accepted when n_boot = 0 left it unused; with n_boot > 0 and no rng the
    # TypeError came from the bootstrap, after the whole fit had run
    with pytest.raises(TypeError, match="rng must be"):
        C.fit_chinchilla(N, D, L, rng="abc")
    with pytest.raises(TypeError, match="n_boot = 5 needs rng"):
        C.fit_chinchilla(N, D, L, n_boot=5, starts=np.full((1, 5), np.nan))
    with pytest.raises(ValueError, match="rng seed must be >= 0"):
        C.fit_chinchilla(N, D, L, rng=-1)
