"""twolayer.gradcheck: passes the real backprop, catches a broken one."""

import numpy as np
import pytest

from tests import reference as ref
from twolayer import TwoLayerNet
from twolayer.activations import HIDDEN_ACTIVATIONS
from twolayer.gradcheck import GOOD, gradient_check, numerical_gradients, relative_error

COMBOS = [("regression", "mse"), ("classification", "mse"), ("classification", "log_loss")]


def problem(activation, task, loss, seed=0, m=30):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(2, 6, activation, task, loss, seed=seed)
    net.b1 = rng.normal(0.0, 0.5, size=net.b1.shape)
    X = rng.normal(size=(2, m))
    y = rng.normal(size=(1, m)) if task == "regression" else rng.integers(0, 2, (1, m)) * 1.0
    return net, X, y


@pytest.mark.parametrize("task,loss", COMBOS)
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_real_backprop_passes(activation, task, loss):
    net, X, y = problem(activation, task, loss)
    before = net.get_params()
    errors = gradient_check(net, X, y)
    assert set(errors) == {"W1", "b1", "W2", "b2"}
    assert all(e < GOOD for e in errors.values()), errors
    for p, v in before.items():  # the check leaves the net as it was
        assert np.array_equal(getattr(net, p), v)
    # The errors are ||analytic - numeric|| / (||analytic|| + ||numeric||), the numeric
    # gradient by centred differences of tests/reference.py's loss, computed here.
    P = {p: v.copy() for p, v in before.items()}
    analytic = ref.gradients(P, X, y, activation, task, loss)
    for p in P:
        numeric = np.empty_like(P[p])
        for i in np.ndindex(P[p].shape):
            kept = P[p][i]
            P[p][i] = kept + 1e-6
            plus = ref.loss(P, X, y, activation, task, loss)
            P[p][i] = kept - 1e-6
            minus = ref.loss(P, X, y, activation, task, loss)
            P[p][i] = kept
            numeric[i] = (plus - minus) / 2e-6
        own = np.linalg.norm(analytic[p] - numeric) / (np.linalg.norm(analytic[p])
                                                       + np.linalg.norm(numeric))
        assert errors[p] == pytest.approx(own, rel=0.5, abs=1e-10), (p, errors[p], own)


@pytest.mark.parametrize("slip", [1e-5, 1e-3])
def test_the_threshold_tells_a_slightly_wrong_gradient_from_the_right_one(slip):
    # A gradient off by a relative 1e-5 (a float32 step somewhere, a constant slightly off)
    # is not "good"; the right one, checked the same way, is.
    net, X, y = problem("tanh", "classification", "log_loss")
    right = net.gradients(X, y)
    off = {p: g * (1 + slip) for p, g in right.items()}
    errors = gradient_check(net, X, y, analytic=off)
    assert all(e >= GOOD for e in errors.values()), errors
    assert all(e < GOOD for e in gradient_check(net, X, y, analytic=right).values())


def test_real_backprop_with_l2_passes():
    net, X, y = problem("tanh", "classification", "log_loss")
    assert all(e < GOOD for e in gradient_check(net, X, y, l2=0.1).values())


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_a_backward_pass_without_g_prime_is_caught(activation):
    net, X, y = problem(activation, "classification", "log_loss")
    f = net.forward(X)
    delta2 = (f.a2 - y) / X.shape[1]
    delta1 = net.W2.T @ delta2  # the slip: "* g'(z1)" forgotten
    broken = {"W1": delta1 @ X.T, "b1": delta1.sum(axis=1, keepdims=True),
              "W2": delta2 @ f.a1.T, "b2": delta2.sum(axis=1, keepdims=True)}
    errors = gradient_check(net, X, y, analytic=broken)
    assert errors["W1"] > 1e-2 and errors["b1"] > 1e-2, errors
    assert errors["W2"] < GOOD and errors["b2"] < GOOD, errors  # the output layer is still right


def test_numerical_gradients_and_relative_error():
    net, X, y = problem("sigmoid", "regression", "mse")
    numeric = numerical_gradients(net, X, y)
    assert {p: g.shape for p, g in numeric.items()} == {p: v.shape
                                                        for p, v in net.params().items()}
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(
        np.sqrt(2) / 2)
    assert relative_error(np.array([2.0]), np.array([-2.0])) == 1.0
