"""Embedding + MLP decoder network: gradients, training, arguments."""

import numpy as np
import pytest

from models.relation_net import (
    RelationNetConfig,
    init_relation_net,
    relation_net_gradients,
    train_relation_net,
)
from models.tasks.graphs import pair_split, relation_matrix


def _loss(net, pairs, labels):
    return relation_net_gradients(net, pairs, labels)[0]


@pytest.mark.parametrize("combiner", ["concat", "difference", "squared_difference"])
@pytest.mark.parametrize("depth", [0, 2])
def test_gradients_match_central_differences(combiner, depth):
    config = RelationNetConfig(n=5, dim=2, depth=depth, width=4, combiner=combiner, emb_scale=0.8)
    net = init_relation_net(config, 0)
    adj = relation_matrix("mod", 5, k=2)
    pairs = np.arange(25)
    labels = adj.ravel().astype(float)
    _, d_emb, d_dec = relation_net_gradients(net, pairs, labels)
    h = 1e-6
    for param, grad in [(net.embeddings, d_emb)] + list(zip(net.decoder.parameters(), d_dec)):
        flat = param.reshape(-1)
        num = np.empty(flat.size)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            up = _loss(net, pairs, labels)
            flat[i] = old - h
            down = _loss(net, pairs, labels)
            flat[i] = old
            num[i] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad.reshape(-1), num, atol=1e-8, rtol=1e-6)


def test_training_learns_small_relation_and_is_deterministic():
    adj = relation_matrix("mod", 8, k=2)
    split = pair_split(64, 0.75, 0)
    config = RelationNetConfig(n=8, depth=1, width=16)
    h1 = train_relation_net(adj, split.train, split.test, config=config, eta_enc=1e-2, eta_dec=1e-2,
                            steps=300, eval_every=50, seed=1)
    h2 = train_relation_net(adj, split.train, split.test, config=config, eta_enc=1e-2, eta_dec=1e-2,
                            steps=300, eval_every=50, seed=1)
    np.testing.assert_array_equal(h1.train_acc, h2.train_acc)
    assert h1.train_acc[-1] == 1.0
    assert h1.train_loss[-1] < h1.train_loss[0]
    np.testing.assert_array_equal(h1.steps, np.arange(0, 301, 50))
    assert "TrainHistory(" in repr(h1)


def test_weight_decay_changes_decoder_only_path():
    adj = relation_matrix("mod", 6, k=2)
    split = pair_split(36, 0.5, 0)
    config = RelationNetConfig(n=6, depth=1, width=4)
    plain = train_relation_net(adj, split.train, split.test, config=config, steps=20, seed=0)
    decayed = train_relation_net(adj, split.train, split.test, config=config, steps=20, seed=0,
                                 weight_decay_dec=0.5)
    assert not np.array_equal(plain.train_loss, decayed.train_loss)


@pytest.mark.parametrize("kwargs, match", [
    ({"eta_enc": 0.0}, "eta_enc"),
    ({"eta_dec": -1e-3}, "eta_dec"),
    ({"eta_dec": float("inf")}, "eta_dec"),
    ({"steps": 0}, "steps"),
])
def test_bad_input(kwargs, match):
    adj = relation_matrix("mod", 6, k=2)
    split = pair_split(36, 0.5, 0)
    with pytest.raises(ValueError, match=match):
        train_relation_net(adj, split.train, split.test, config=RelationNetConfig(n=6), seed=0, **kwargs)


def test_bad_config_and_indices():
    with pytest.raises(ValueError, match="combiner"):
        RelationNetConfig(combiner="sum")
    with pytest.raises(ValueError, match="depth"):
        RelationNetConfig(depth=-1)
    adj = relation_matrix("mod", 6, k=2)
    with pytest.raises(ValueError, match="config.n"):
        train_relation_net(adj, np.arange(5), np.arange(5, 36), config=RelationNetConfig(n=7), seed=0)
    with pytest.raises(ValueError, match="train_idx"):
        train_relation_net(adj, np.array([0, 99]), np.arange(5), seed=0)


def test_single_precision_matches_double_precision_gradients():
    """float32 parameters are the float64 initialisation rounded; their gradients agree with the
    float64 gradients at the same (rounded) parameters to single-precision accuracy."""
    single = init_relation_net(RelationNetConfig(n=6, depth=2, width=8, precision="float32"), 3)
    double = init_relation_net(RelationNetConfig(n=6, depth=2, width=8), 3)
    np.testing.assert_array_equal(single.embeddings, double.embeddings.astype(np.float32))
    assert single.embeddings.dtype == np.float32
    assert all(p.dtype == np.float32 for p in single.decoder.parameters())
    exact = init_relation_net(RelationNetConfig(n=6, depth=2, width=8), 3)
    exact.embeddings[...] = single.embeddings
    for target, source in zip(exact.decoder.parameters(), single.decoder.parameters()):
        target[...] = source
    pairs = np.arange(36)
    labels = relation_matrix("mod", 6, k=2).ravel()
    loss32, emb32, dec32 = relation_net_gradients(single, pairs, labels.astype(np.float32))
    loss64, emb64, dec64 = relation_net_gradients(exact, pairs, labels.astype(float))
    assert loss32 == pytest.approx(loss64, rel=1e-6)
    scale = max(np.abs(g).max() for g in [emb64, *dec64])
    for g32, g64 in zip([emb32, *dec32], [emb64, *dec64]):
        np.testing.assert_allclose(g32, g64, atol=1e-5 * scale, rtol=0)


def test_single_precision_training_stays_single_and_learns():
    adj = relation_matrix("mod", 8, k=2)
    split = pair_split(64, 0.75, 0)
    config = RelationNetConfig(n=8, depth=1, width=16, precision="float32")
    history = train_relation_net(adj, split.train, split.test, config=config, eta_enc=1e-2,
                                 eta_dec=1e-2, steps=300, eval_every=50, seed=1)
    assert history.embeddings.dtype == np.float32
    assert history.train_acc[-1] == 1.0
    assert history.train_loss[-1] < history.train_loss[0]


def test_unknown_precision_is_rejected():
    with pytest.raises(ValueError, match="precision"):
        RelationNetConfig(precision="float16")


@pytest.mark.parametrize("bias", [5.0, 40.0, 400.0])
def test_loss_of_a_confident_prediction_keeps_its_digits(bias):
    # the decoder outputs z = bias for every pair; the loss of label 1 is softplus(-z),
    # which the difference softplus(z) - z rounded to 0 once z > 36
    net = init_relation_net(RelationNetConfig(n=3, dim=2, depth=0), 0)
    net.decoder.weights[0][...] = 0.0
    net.decoder.biases[0][...] = bias
    pairs = np.arange(9)
    ones = _loss(net, pairs, np.ones(9))
    zeros = _loss(net, pairs, np.zeros(9))
    assert ones == pytest.approx(np.log1p(np.exp(-bias)), rel=1e-14, abs=0.0)
    assert zeros == pytest.approx(bias + np.log1p(np.exp(-bias)), rel=1e-14, abs=0.0)
