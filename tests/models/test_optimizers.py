"""Optimizers against hand-computed updates."""

import numpy as np
import pytest

from models.optimizers import SGD, Adam, AdamW


def run(opt, p0, grads):
    p = [np.array(p0, dtype=float)]
    state = opt.init_state(p)
    for g in grads:
        opt.update(p, [np.array(g, dtype=float)], state)
    return p[0]


def test_sgd_plain_and_momentum():
    assert np.allclose(run(SGD(0.1), [1.0], [[2.0], [4.0]]), [1.0 - 0.2 - 0.4], rtol=0, atol=1e-15)
    # buffers: b1 = 2, b2 = 0.9*2 + 4 = 5.8
    assert np.allclose(run(SGD(0.1, momentum=0.9), [1.0], [[2.0], [4.0]]), [1.0 - 0.2 - 0.58],
                       rtol=0, atol=1e-15)


def test_adam_two_steps_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    g1, g2 = 2.0, -1.0
    m1, v1 = (1 - b1) * g1, (1 - b2) * g1 ** 2
    p1 = 1.0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2 ** 2
    p2 = p1 - lr * (m2 / (1 - b1 ** 2)) / (np.sqrt(v2 / (1 - b2 ** 2)) + eps)
    assert run(Adam(lr), [1.0], [[g1], [g2]])[0] == pytest.approx(p2, rel=1e-14)


def test_adamw_decay_is_decoupled():
    lr, wd = 0.1, 0.5
    # first Adam step moves by ~lr*sign(g) whatever the gradient scale; AdamW first shrinks p
    p_adamw = run(AdamW(lr, weight_decay=wd), [2.0], [[3.0]])[0]
    assert p_adamw == pytest.approx(2.0 * (1 - lr * wd) - lr, rel=1e-7)
    # Adam with an L2 term folds wd*p into the gradient, which Adam's normalisation cancels
    p_l2 = run(Adam(lr), [2.0], [[3.0 + wd * 2.0]])[0]
    assert p_l2 == pytest.approx(2.0 - lr, rel=1e-7)
    assert abs(p_adamw - p_l2) > 0.05


def test_zero_decay_adamw_equals_adam():
    grads = [[0.3, -1.0], [0.1, 2.0], [-0.5, 0.5]]
    assert np.array_equal(run(AdamW(1e-2, weight_decay=0.0), [1.0, 2.0], grads),
                          run(Adam(1e-2), [1.0, 2.0], grads))


@pytest.mark.parametrize("make, arg", [(lambda: SGD(lr=-1.0), "lr"),
                                       (lambda: SGD(momentum=1.0), "momentum"),
                                       (lambda: Adam(beta1=1.5), "beta1"),
                                       (lambda: Adam(eps=float("nan")), "eps"),
                                       (lambda: AdamW(weight_decay=-1.0), "weight_decay")])
def test_bad_hyperparameters_name_the_argument(make, arg):
    with pytest.raises(ValueError, match=arg):
        make()
