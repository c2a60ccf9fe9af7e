"""The stacked forward pass: K nets at once equal K single nets, one by one."""

import numpy as np
import pytest

from tests import reference
from twolayer import TwoLayerNet, stacked
from twolayer.stacked import forward, mean_loss, stack


def _nets(activation, task, loss, k=5, n_inputs=2, n_hidden=6):
    nets = [TwoLayerNet(n_inputs, n_hidden, activation, task, loss, seed=s) for s in range(k)]
    for i, net in enumerate(nets):  # nonzero biases, different per net
        net.b1[:] = np.linspace(-1, 1, n_hidden)[:, None] * (i + 1) / k
        net.b2[:] = 0.3 * i - 0.5
    return nets


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize(("task", "loss"), [("classification", "log_loss"),
                                            ("classification", "mse"), ("regression", "mse")])
def test_k_stacked_nets_equal_k_single_nets(activation, task, loss):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 40))
    y = (rng.uniform(size=(1, 40)) > 0.5).astype(float) if task == "classification" \
        else rng.normal(size=(1, 40))
    nets = _nets(activation, task, loss)
    params = stack([n.get_params() for n in nets])
    assert params["W1"].shape == (5, 6, 2) and params["b2"].shape == (5, 1, 1)
    f = forward(params, X, activation, task)
    assert f.z1.shape == (5, 6, 40) and f.a2.shape == (5, 1, 40)
    losses = mean_loss(f, y, loss)
    for k, net in enumerate(nets):
        one = net.forward(X)
        np.testing.assert_allclose(f.z1[k], one.z1, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(f.a2[k], one.a2, rtol=1e-13, atol=1e-13)
        assert losses[k] == pytest.approx(net.loss(X, y), rel=1e-12)


def test_each_net_may_have_a_batch_of_its_own():
    rng = np.random.default_rng(4)
    nets = _nets("tanh", "classification", "log_loss", k=3)
    X = rng.normal(size=(3, 2, 10))
    y = (rng.uniform(size=(3, 1, 10)) > 0.5).astype(float)
    losses = mean_loss(forward(stack([n.get_params() for n in nets]), X, "tanh",
                               "classification"), y, "log_loss")
    for k, net in enumerate(nets):
        assert losses[k] == pytest.approx(net.loss(X[k], y[k]), rel=1e-12)


def test_stack_puts_net_k_at_index_k_as_a_copy():
    nets = _nets("relu", "regression", "mse", k=3)
    params = stack([n.get_params() for n in nets])
    for p, value in nets[2].get_params().items():
        np.testing.assert_array_equal(params[p][2], value)
    params["W1"][2][:] = 0
    assert nets[2].W1.any()


# -- K classes: c = K softmax outputs per net ---------------------------------------------------


def _k_nets(activation, n_classes, losses, n_inputs=2, n_hidden=6):
    rng = np.random.default_rng(11)
    nets = [TwoLayerNet(n_inputs, n_hidden, activation, loss=loss, seed=s, n_classes=n_classes)
            for s, loss in enumerate(losses)]
    for net in nets:  # nonzero biases, different per net and per class
        net.b1[:] = rng.normal(size=(n_hidden, 1))
        net.b2[:] = rng.normal(size=(n_classes, 1))
    return nets


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("n_classes", [3, 5])
def test_stacked_k_class_nets_equal_the_reference(activation, n_classes):
    # Nets of both losses in one stack; each against tests/reference.py's K-class functions.
    rng = np.random.default_rng(n_classes)
    losses = ["log_loss", "mse", "mse", "log_loss"]
    nets = _k_nets(activation, n_classes, losses)
    X = rng.normal(size=(2, 30))
    y = rng.integers(0, n_classes, size=(1, 30)).astype(float)
    params = stack([n.get_params() for n in nets])
    assert params["W2"].shape == (4, n_classes, 6) and params["b2"].shape == (4, n_classes, 1)
    f = forward(params, X, activation, "classification")
    assert f.a2.shape == (4, n_classes, 30)
    groups = stacked.loss_groups(losses)
    values = mean_loss(f, y, groups)
    grads = stacked.gradients(params, X, y, activation, "classification", groups, l2=0.03)
    for k, (net, loss) in enumerate(zip(nets, losses, strict=True)):
        P = net.get_params()
        np.testing.assert_allclose(f.a2[k], reference.forward_k(P, X, activation)[3],
                                   rtol=1e-12, atol=1e-15)
        assert values[k] == pytest.approx(reference.loss_k(P, X, y, activation, loss),
                                          rel=1e-12)
        expected = reference.gradients_k(P, X, y, activation, loss, l2=0.03)
        for p in expected:
            np.testing.assert_allclose(grads[p][k], expected[p], rtol=1e-8, atol=1e-14,
                                       err_msg=p)


def test_stacked_k_class_nets_with_a_batch_each_equal_single_nets():
    rng = np.random.default_rng(8)
    nets = _k_nets("tanh", 3, ["mse", "log_loss", "mse"])
    X = rng.normal(size=(3, 2, 12))
    y = rng.integers(0, 3, size=(3, 1, 12)).astype(float)
    params = stack([n.get_params() for n in nets])
    groups = stacked.loss_groups(["mse", "log_loss", "mse"])
    f = forward(params, X, "tanh", "classification")
    values = mean_loss(f, y, groups)
    grads = stacked.gradients(params, X, y, "tanh", "classification", groups, f=f)
    for k, net in enumerate(nets):
        assert values[k] == pytest.approx(net.loss(X[k], y[k]), rel=1e-12)
        one = net.gradients(X[k], y[k])
        for p in one:
            np.testing.assert_allclose(grads[p][k], one[p], rtol=1e-12, atol=1e-15)
