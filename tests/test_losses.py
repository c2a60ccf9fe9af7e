"""Loss values and the hot-path metrics against sklearn.metrics."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score

from twolayer import TwoLayerNet
from twolayer.metrics import accuracy, r2


def random_net_and_data(task, loss, seed, m=200):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(3, 7, "tanh", task, loss, seed=seed)
    net.b2[:] = rng.normal()
    X = rng.normal(size=(3, m))
    y = rng.normal(size=(1, m)) if task == "regression" else rng.integers(0, 2, (1, m)) * 1.0
    return net, X, y


@pytest.mark.parametrize("seed", range(3))
def test_log_loss_matches_sklearn(seed):
    net, X, y = random_net_and_data("classification", "log_loss", seed)
    a2 = net.predict(X)
    expected = log_loss(y[0], a2[0], labels=[0, 1])
    assert net.loss(X, y) == pytest.approx(expected, rel=1e-12)
    assert net.loss(X, y[0]) == net.loss(X, y)  # y of shape (m,) is the same


@pytest.mark.parametrize("task", ["regression", "classification"])
@pytest.mark.parametrize("seed", range(3))
def test_mse_matches_sklearn(task, seed):
    net, X, y = random_net_and_data(task, "mse", seed)
    expected = mean_squared_error(y[0], net.predict(X)[0])
    assert net.loss(X, y) == pytest.approx(expected, rel=1e-12)


def test_l2_adds_half_l2_times_the_squared_weights():
    net, X, y = random_net_and_data("classification", "log_loss", 0)
    penalty = 0.5 * 0.01 * (np.sum(net.W1 ** 2) + np.sum(net.W2 ** 2))  # biases are not decayed
    assert net.loss(X, y, l2=0.01) == pytest.approx(net.loss(X, y) + penalty, rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_accuracy_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=(1, 101)) * 1.0
    a2 = rng.uniform(size=(1, 101))
    a2[0, :5] = 0.5  # the threshold itself counts as class 1
    assert accuracy(y, a2) == pytest.approx(accuracy_score(y[0], a2[0] >= 0.5), abs=1e-15)


def test_accuracy_extremes():
    y = np.array([[0.0, 1.0, 1.0]])
    assert accuracy(y, np.array([[0.1, 0.9, 0.5]])) == 1.0
    assert accuracy(y, np.array([[0.9, 0.1, 0.4]])) == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_r2_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(1, 80))
    a2 = y + rng.normal(scale=0.5, size=(1, 80))
    assert r2(y, a2) == pytest.approx(r2_score(y[0], a2[0]), rel=1e-12)
    bad = rng.normal(scale=3.0, size=(1, 80))  # worse than the mean: negative R^2
    assert r2(y, bad) == pytest.approx(r2_score(y[0], bad[0]), rel=1e-12)
    assert r2(y, bad) < 0


def test_r2_of_a_constant_target_matches_sklearn():
    y = np.full((1, 10), 3.0)
    for a2 in (y.copy(), y + 0.1, np.linspace(0, 1, 10)[None, :]):
        assert r2(y, a2) == r2_score(y[0], a2[0])  # 1.0 if exact, else 0.0
