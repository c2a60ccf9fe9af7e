"""TwoLayerNet: backprop against our own finite differences, a hand-worked example, numerics,
initialisation and input checking."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import expit

from twolayer import TwoLayerNet
from twolayer.activations import HIDDEN_ACTIVATIONS, sigmoid
from twolayer.losses import LogLoss

PARAMS = ("W1", "b1", "W2", "b2")
COMBOS = [("regression", "mse"), ("classification", "mse"), ("classification", "log_loss")]


# The reference: the loss written out again, independently of twolayer, in extended precision
# where the platform has it (x86: 64-bit mantissa), differentiated by centred differences.
REF = np.longdouble
H = 1e-5
# A centred difference carries a rounding noise of about eps * L / H. A relative error says
# nothing about a gradient that small, so the (rare) examples with such a gradient are skipped;
# in extended precision that is a gradient below 1e-6 * L, in float64 below 1e-3 * L.
NOISE_FLOOR = 1e8 * float(np.finfo(REF).eps) / H
# The net itself works in float64, which holds a2 to about 1e-16: where every sample's a2 is
# within 1e-9 of its label, delta2 = a2 - y keeps 7 digits or fewer, whatever the reference.
# Such (rare) examples, with a gradient below ABS_FLOOR, are skipped too (hypothesis found
# one: relu, log-loss, one hidden unit, one sample, dL/db2 = -9.4e-10, relative error 1.6e-7).
ABS_FLOOR = 1e-8

HIDDEN = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
          "relu": lambda z: np.maximum(z, 0)}


def reference_loss(P, X, y, activation, task, loss):
    """The mean loss, straight from the equations: P maps W1, b1, W2, b2 to arrays."""
    s = HIDDEN["sigmoid"]
    z2 = P["W2"] @ HIDDEN[activation](P["W1"] @ X + P["b1"]) + P["b2"]
    if loss == "log_loss":  # 1 - sigmoid(z2) = sigmoid(-z2), without the cancellation
        return -np.mean(y * np.log(s(z2)) + (1 - y) * np.log(s(-z2)))
    a2 = z2 if task == "regression" else s(z2)
    return np.mean((y - a2) ** 2)


def centred_differences(net, X, y):
    """dL/dp = (L(p + H) - L(p - H)) / (2 H) for every entry of every parameter."""
    P = {p: getattr(net, p).astype(REF) for p in PARAMS}
    X, y = X.astype(REF), y.astype(REF)
    args = (X, y, net.activation, net.task, net.loss_name)
    grads = {}
    for name in PARAMS:
        G = np.empty(P[name].shape)
        for i in np.ndindex(G.shape):
            kept = P[name][i]
            P[name][i] = kept + H
            plus = reference_loss(P, *args)
            P[name][i] = kept - H
            minus = reference_loss(P, *args)
            P[name][i] = kept
            G[i] = (plus - minus) / (2 * H)
        grads[name] = G
    return grads


def norm_relative_error(a, b):
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else np.linalg.norm(a - b) / denom


def random_problem(n_inputs, n_hidden, m, seed, activation, task, loss):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(n_inputs, n_hidden, activation, task, loss, seed=seed)
    # Non-zero biases, so that their gradients and the kinks are exercised too.
    net.b1 = rng.normal(0.0, 0.5, size=net.b1.shape)
    net.b2 = rng.normal(0.0, 0.5, size=net.b2.shape)
    X = rng.normal(size=(n_inputs, m))
    y = rng.normal(size=(1, m)) if task == "regression" else rng.integers(0, 2, (1, m)) * 1.0
    return net, X, y


@pytest.mark.parametrize("task,loss", COMBOS)
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
# derandomize: the same examples in every run, so that CI is reproducible.
@settings(max_examples=60, deadline=None, derandomize=True)
@given(n_inputs=st.integers(1, 5), n_hidden=st.integers(1, 16), m=st.integers(1, 50),
       seed=st.integers(0, 2**32 - 1))
def test_backprop_matches_centred_differences(activation, task, loss, n_inputs, n_hidden, m,
                                              seed):
    net, X, y = random_problem(n_inputs, n_hidden, m, seed, activation, task, loss)
    if activation == "relu":  # keep every z1 (and its +-H neighbours) off the kink
        assume(np.min(np.abs(net.forward(X).z1)) > 1e-3)
    analytic = net.gradients(X, y)
    L = net.loss(X, y)
    assume(all(not 0 < np.linalg.norm(g) < NOISE_FLOOR * L for g in analytic.values()))
    assume(all(not 0 < np.linalg.norm(g) < ABS_FLOOR for g in analytic.values()))
    numeric = centred_differences(net, X, y)
    assert reference_loss({p: getattr(net, p) for p in PARAMS}, X, y, activation, task,
                          loss) == pytest.approx(L, rel=1e-12)
    for p in PARAMS:
        assert analytic[p].shape == getattr(net, p).shape
        assert norm_relative_error(analytic[p], numeric[p]) < 1e-7, p


# -- a hand-worked example -----------------------------------------------------------------
#
# x = [1, 2]^T (one sample), g = sigmoid, y = 1
# W1 = [[0.2, 0.1], [0.1, -0.1]], b1 = [-0.1, 0]^T, W2 = [0.5, -0.5], b2 = 0.1
#
# z1 = W1 x + b1 = [0.2 + 0.2 - 0.1, 0.1 - 0.2 + 0] = [0.3, -0.1]
# a1 = sigmoid(z1) = [1 / (1 + e^-0.3), 1 / (1 + e^0.1)] = [0.574442516812, 0.475020812521]
# z2 = 0.5 * 0.574442516812 - 0.5 * 0.475020812521 + 0.1 = 0.149710852145
# g'(z1) = a1 (1 - a1) = [0.244458311691, 0.249376040193]
#
# Backprop, m = 1, for any delta2:
# dW2 = delta2 a1^T, db2 = delta2
# delta1 = W2^T delta2 * g'(z1) = [0.5 delta2 * 0.244458311691, -0.5 delta2 * 0.249376040193]
# dW1 = delta1 x^T = [[delta1_1, 2 delta1_1], [delta1_2, 2 delta1_2]], db1 = delta1

Z1 = [0.3, -0.1]
A1 = [0.574442516812, 0.475020812521]
Z2 = 0.149710852145

HAND = {
    # Regression, MSE: a2 = z2 = 0.149710852145
    # L = (1 - 0.149710852145)^2 = 0.850289147855^2 = 0.722991634959
    # delta2 = -2 (y - a2) = -2 * 0.850289147855 = -1.70057829571
    # dW2 = -1.70057829571 * [0.574442516812, 0.475020812521] = [-0.976884476223, -0.807810083784]
    # delta1 = [0.5 * -1.70057829571 * 0.244458311691, -0.5 * -1.70057829571 * 0.249376040193]
    #        = [-0.207860249534, 0.212041740711]
    ("regression", "mse"): dict(
        a2=0.149710852145, loss=0.722991634959,
        W2=[[-0.976884476223, -0.807810083784]], b2=[[-1.70057829571]],
        W1=[[-0.207860249534, -0.415720499067], [0.212041740711, 0.424083481422]],
        b1=[[-0.207860249534], [0.212041740711]]),
    # Classification, log-loss: a2 = sigmoid(0.149710852145) = 0.537357962697
    # L = -log(0.537357962697) = 0.621090809350
    # delta2 = a2 - y = -0.462642037303
    # dW2 = -0.462642037303 * a1 = [-0.265761256291, -0.219764596466]
    # delta1 = [0.5 * -0.462642037303 * 0.244458311691, -0.5 * -0.462642037303 * 0.249376040193]
    #        = [-0.0565483456782, 0.0576859196447]
    ("classification", "log_loss"): dict(
        a2=0.537357962697, loss=0.621090809350,
        W2=[[-0.265761256291, -0.219764596466]], b2=[[-0.462642037303]],
        W1=[[-0.0565483456782, -0.113096691356], [0.0576859196447, 0.115371839289]],
        b1=[[-0.0565483456782], [0.0576859196447]]),
    # Classification, MSE: the same a2, L = (1 - 0.537357962697)^2 = 0.214037654680
    # delta2 = -2 (y - a2) a2 (1 - a2) = -2 * 0.462642037303 * 0.537357962697 * 0.462642037303
    #        = -0.230029676119 (the sigmoid's slope 0.248620... stays in)
    # dW2 = -0.230029676119 * a1 = [-0.132138826091, -0.109268883654]
    # delta1 = [-0.0281163331314, 0.0286819448786]
    ("classification", "mse"): dict(
        a2=0.537357962697, loss=0.214037654680,
        W2=[[-0.132138826091, -0.109268883654]], b2=[[-0.230029676119]],
        W1=[[-0.0281163331314, -0.0562326662627], [0.0286819448786, 0.0573638897573]],
        b1=[[-0.0281163331314], [0.0286819448786]]),
}


@pytest.mark.parametrize("task,loss", list(HAND))
def test_hand_worked_example(task, loss):
    net = TwoLayerNet(2, 2, "sigmoid", task, loss)
    net.W1 = np.array([[0.2, 0.1], [0.1, -0.1]])
    net.b1 = np.array([[-0.1], [0.0]])
    net.W2 = np.array([[0.5, -0.5]])
    net.b2 = np.array([[0.1]])
    X, y = np.array([[1.0], [2.0]]), np.array([[1.0]])
    expected = HAND[task, loss]
    approx = lambda v: pytest.approx(v, rel=1e-9, abs=1e-12)  # noqa: E731

    f = net.forward(X)
    assert f.z1.ravel() == approx(Z1)
    assert f.a1.ravel() == approx(A1)
    assert f.z2.item() == approx(Z2)
    assert f.a2.item() == approx(expected["a2"])
    assert net.loss(X, y) == approx(expected["loss"])
    grads = net.gradients(X, y)
    for p in PARAMS:
        assert grads[p].shape == getattr(net, p).shape
        assert grads[p].tolist() == [approx(row) for row in expected[p]], p


def test_one_step_moves_every_parameter_against_its_gradient():
    net = TwoLayerNet(2, 3, "tanh", "classification", "log_loss", seed=1)
    X, y = np.array([[0.5, -1.0], [2.0, 0.1]]), np.array([1.0, 0.0])
    before, grads = net.get_params(), net.gradients(X, y)
    net.step(X, y, lr=0.1)
    for p in PARAMS:
        np.testing.assert_allclose(getattr(net, p), before[p] - 0.1 * grads[p], rtol=1e-15)


# -- initialisation ------------------------------------------------------------------------


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_parameter_shapes_and_dtype(activation):
    net = TwoLayerNet(n_inputs=3, n_hidden=5, activation=activation, task="regression")
    shapes = {"W1": (5, 3), "b1": (5, 1), "W2": (1, 5), "b2": (1, 1)}
    for p, shape in shapes.items():
        assert getattr(net, p).shape == shape
        assert getattr(net, p).dtype == np.float64
    assert not np.any(net.b1) and not np.any(net.b2)
    assert np.all(np.isfinite(net.W1)) and np.std(net.W1) > 0


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_same_seed_same_weights_other_seed_other_weights(activation):
    a = TwoLayerNet(2, 8, activation, seed=7)
    b = TwoLayerNet(2, 8, activation, seed=7)
    c = TwoLayerNet(2, 8, activation, seed=8)
    for p in PARAMS:
        assert np.array_equal(getattr(a, p), getattr(b, p))  # bit-identical
    assert not np.array_equal(a.W1, c.W1) and not np.array_equal(a.W2, c.W2)


def test_initial_weights_do_not_depend_on_the_loss():
    mse = TwoLayerNet(2, 8, "sigmoid", "classification", "mse", seed=3)
    log = TwoLayerNet(2, 8, "sigmoid", "classification", "log_loss", seed=3)
    reg = TwoLayerNet(2, 8, "sigmoid", "regression", "mse", seed=3)
    for p in PARAMS:
        assert np.array_equal(getattr(mse, p), getattr(log, p))
        assert np.array_equal(getattr(mse, p), getattr(reg, p))


# -- numerics ------------------------------------------------------------------------------

# Overflow, division by zero and invalid values raise; underflow does not: e^-1e4 rounding to 0
# is the right answer (numpy never warns about it by default, so no user sees it either).
STRICT = dict(over="raise", divide="raise", invalid="raise")


def test_sigmoid_never_overflows_or_warns():
    z = np.array([-1e4, -800.0, -40.0, -1.0, 0.0, 1.0, 40.0, 800.0, 1e4])
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        s = sigmoid(z)
    np.testing.assert_allclose(s, expit(z), rtol=1e-15, atol=0)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[4] == 0.5
    assert np.all(np.diff(s) >= 0)


@pytest.mark.parametrize("z2", [1e4, -1e4])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_log_loss_is_exact_and_warning_free_at_huge_z2(z2, y):
    net = TwoLayerNet(2, 3, "sigmoid", "classification", "log_loss")
    net.W2 = np.zeros((1, 3))
    net.b2 = np.array([[z2]])
    X, Y = np.ones((2, 4)), np.full((1, 4), y)
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        L = net.loss(X, Y)
        grads = net.gradients(X, Y)
        f = net.forward(X)
        direct = LogLoss.value(f.z2, f.a2, Y)
    # Confidently right costs 0; confidently wrong costs |z2| (log(1 + e^1e4) = 1e4 exactly).
    wrong = (z2 > 0) != (y == 1.0)
    assert L == (1e4 if wrong else 0.0)
    assert np.all(direct == L)
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    assert grads["b2"].item() == (1.0 if z2 > 0 else 0.0) - y  # delta2 = a2 - y, a2 = 1 or 0


def test_saturated_forward_and_backward_do_not_warn():
    net = TwoLayerNet(2, 4, "sigmoid", "classification", "mse", seed=0)
    net.W1 *= 1e4  # every hidden unit saturated too
    net.b2[:] = -1e4
    X, y = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, 0.0]])
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        net.step(X, y, lr=1.0)
    assert all(np.all(np.isfinite(p)) for p in net.params().values())


# -- input checking ------------------------------------------------------------------------


def net_and_data():
    net = TwoLayerNet(2, 3, "tanh", "classification", "log_loss")
    return net, np.zeros((2, 5)), np.array([[0.0, 1.0, 0.0, 1.0, 1.0]])


def test_wrong_X_shape_says_the_expected_shape():
    net, X, y = net_and_data()
    with pytest.raises(ValueError, match=r"X must have shape \(n_inputs=2.*got shape \(3, 5\)"):
        net.forward(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="samples as columns"):
        net.loss(np.zeros(5), y)


def test_nan_in_X():
    net, X, y = net_and_data()
    X[0, 2] = np.nan
    with pytest.raises(ValueError, match="X holds NaN"):
        net.gradients(X, y)


def test_inf_in_y():
    net = TwoLayerNet(2, 3, "tanh", "regression")
    with pytest.raises(ValueError, match="y holds NaN or infinite"):
        net.loss(np.zeros((2, 3)), [0.0, np.inf, 1.0])


def test_label_2_with_log_loss():
    net, X, y = net_and_data()
    y[0, 1] = 2.0
    with pytest.raises(ValueError, match=r"log_loss needs labels 0 or 1; found \[2.0\]"):
        net.step(X, y, lr=0.1)


def test_y_of_wrong_length():
    net, X, y = net_and_data()
    with pytest.raises(ValueError, match=r"y must have shape \(1, 5\) or \(5,\) to match X"):
        net.loss(X, y[:, :4])


@pytest.mark.parametrize("n_hidden", [0, -3, 2.5, True])
def test_n_hidden_must_be_a_positive_integer(n_hidden):
    with pytest.raises(ValueError, match="n_hidden must be an integer >= 1"):
        TwoLayerNet(2, n_hidden)


def test_unknown_names_list_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown activation 'softplus'; allowed: sigmoid, "
                                         "tanh, relu"):
        TwoLayerNet(2, 3, "softplus")
    with pytest.raises(ValueError, match="unknown loss 'hinge'; allowed: mse, log_loss"):
        TwoLayerNet(2, 3, loss="hinge")
    with pytest.raises(ValueError, match="unknown task 'ranking'; allowed: regression, "
                                         "classification"):
        TwoLayerNet(2, 3, task="ranking")


def test_regression_with_log_loss():
    with pytest.raises(ValueError, match="log_loss needs a sigmoid output.*classification.*mse"):
        TwoLayerNet(2, 3, task="regression", loss="log_loss")


def test_bad_learning_rate():
    net, X, y = net_and_data()
    for lr in (0, -0.1, np.nan, np.inf):
        with pytest.raises(ValueError, match="lr must be a finite number > 0"):
            net.step(X, y, lr)


def test_nan_label_is_named_as_nan_whatever_the_loss():
    # The quick check for 0/1 labels also fails on NaN: the message must still say NaN.
    for task, loss in (("classification", "log_loss"), ("classification", "mse"),
                       ("regression", "mse")):
        net = TwoLayerNet(2, 3, "tanh", task, loss)
        with pytest.raises(ValueError, match="y holds NaN or infinite"):
            net.step(np.zeros((2, 3)), [0.0, np.nan, 1.0], lr=0.1)


def test_classification_mse_takes_targets_in_0_1_only():
    net = TwoLayerNet(2, 3, "tanh", "classification", "mse")
    net.step(np.zeros((2, 3)), [0.0, 0.25, 1.0], lr=0.1)  # soft targets are fine for MSE
    for bad in (-0.5, 1.5):
        with pytest.raises(ValueError, match=r"classification needs labels 0 or 1 \(targets"):
            net.step(np.zeros((2, 3)), [0.0, bad, 1.0], lr=0.1)
    log = TwoLayerNet(2, 3, "tanh", "classification", "log_loss")
    with pytest.raises(ValueError, match=r"log_loss needs labels 0 or 1; found \[0.25\]"):
        log.step(np.zeros((2, 3)), [0.0, 0.25, 1.0], lr=0.1)


# -- every input that step refuses, and only those ---------------------------------------------

TINY = 5e-324    # the smallest subnormal: y (y - 1) must not underflow to 0 for it
BIG = 1e308      # finite, but two of them sum to inf
BAD_X = {  # X (2 inputs, 3 samples) -> the message; whatever the task and the loss
    "1-D": (np.zeros(3), "X must have shape"),
    "3-D": (np.zeros((1, 2, 3)), "X must have shape"),
    "wrong inputs": (np.zeros((3, 3)), r"X must have shape \(n_inputs=2"),
    "no samples": (np.zeros((2, 0)), "m >= 1"),
    "NaN": ([[0.0, np.nan, 1.0], [0.0, 0.0, 0.0]], "X holds NaN or infinite"),
    "inf": ([[0.0, 0.0, 0.0], [np.inf, 0.0, 1.0]], "X holds NaN or infinite"),
    "-inf": ([[0.0, -np.inf, 0.0], [0.0, 0.0, 0.0]], "X holds NaN or infinite"),
    "inf and -inf": ([[np.inf, -np.inf, 0.0], [0.0, 0.0, 0.0]], "X holds NaN or infinite"),
    "huge and NaN": ([[BIG, BIG, np.nan], [0.0, 0.0, 0.0]], "X holds NaN or infinite"),
    "text": ([["a", "b", "c"], ["d", "e", "f"]], "could not convert"),
}
NAN_OR_INF = "y holds NaN or infinite"
BAD_Y = {  # (task, loss) -> [(y for 3 samples, the message)]
    ("classification", "log_loss"): [
        ([0.0, 2.0, 1.0], r"log_loss needs labels 0 or 1; found \[2.0\]"),
        ([0.0, 0.5, 1.0], r"found \[0.5\]"),
        ([0.0, -1.0, 1.0], r"found \[-1.0\]"),
        ([1.0 + 2 ** -52, 0.0, 1.0], "log_loss needs labels 0 or 1"),
        ([1.0 - 2 ** -53, 0.0, 1.0], "log_loss needs labels 0 or 1"),
        ([TINY, 0.0, 1.0], "log_loss needs labels 0 or 1"),
        ([-TINY, 0.0, 1.0], "log_loss needs labels 0 or 1"),
        ([1e200, 0.0, 1.0], "log_loss needs labels 0 or 1"),
        ([-1e200, 0.0, 1.0], "log_loss needs labels 0 or 1"),
        ([0.0, np.nan, 1.0], NAN_OR_INF), ([np.inf, 0.0, 1.0], NAN_OR_INF),
        ([-np.inf, 0.0, 1.0], NAN_OR_INF)],
    ("classification", "mse"): [
        ([0.0, 1.5, 1.0], r"classification needs labels 0 or 1 \(targets in \[0, 1\]\)"),
        ([0.0, -0.5, 1.0], "classification needs labels 0 or 1"),
        ([1.0 + 2 ** -52, 0.0, 1.0], "classification needs labels 0 or 1"),
        ([-TINY, 0.0, 1.0], "classification needs labels 0 or 1"),
        ([0.0, np.nan, 1.0], NAN_OR_INF), ([np.inf, 0.0, 1.0], NAN_OR_INF),
        ([-np.inf, 0.0, 1.0], NAN_OR_INF)],
    ("regression", "mse"): [
        ([0.0, np.nan, 1.0], NAN_OR_INF), ([np.inf, 0.0, 1.0], NAN_OR_INF),
        ([-np.inf, 0.0, 1.0], NAN_OR_INF), ([np.inf, -np.inf, 1.0], NAN_OR_INF),
        ([BIG, BIG, np.nan], NAN_OR_INF)],
}
WRONG_Y_SHAPES = [np.zeros(2), np.zeros(4), np.zeros((1, 2)), np.zeros((3, 1)),
                  np.zeros((2, 3)), np.zeros((1, 1, 3))]
BAD_LR = [0, 0.0, -0.1, np.nan, np.inf, -np.inf, "0.1", None, [0.1], np.array(0.1)]


def _refused(net, X, y, lr, message):
    """step refuses (X, y, lr) with ``message`` and leaves every parameter as it was."""
    before = net.get_params()
    with pytest.raises(ValueError, match=message):
        net.step(X, y, lr)
    for p in PARAMS:
        assert np.array_equal(getattr(net, p), before[p]), p


@pytest.mark.parametrize(("task", "loss"), COMBOS)
def test_step_refuses_every_bad_input_and_changes_nothing(task, loss):
    net = TwoLayerNet(2, 3, "tanh", task, loss, seed=1)
    X, y = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]]), np.array([[0.0, 1.0, 1.0]])
    for bad, message in BAD_X.values():
        _refused(net, bad, y, 0.1, message)
    for bad, message in BAD_Y[(task, loss)]:
        _refused(net, X, bad, 0.1, message)
        _refused(net, X, np.array(bad)[None, :], 0.1, message)    # as (1, m) too
    for bad in WRONG_Y_SHAPES:
        _refused(net, X, bad, 0.1, r"y must have shape \(1, 3\) or \(3,\) to match X")
    for lr in BAD_LR:
        _refused(net, X, y, lr, "lr must be a finite number > 0")


@pytest.mark.parametrize(("task", "loss"), COMBOS)
def test_step_takes_every_good_input_as_before(task, loss):
    # Edge cases the quick checks must let through: X whose sum overflows (finite entries),
    # -0.0 labels, y as (m,), lists, integers, and a view with strides; the update is the
    # unchecked _step's, to the bit.
    X = np.array([[BIG, BIG, -1.0], [0.0, 1.0, 2.0]])
    y = [-0.0, 1.0, 0] if task == "classification" else [BIG, BIG, -3.0]
    if (task, loss) == ("classification", "mse"):
        y = [0.25, 1.0, 0.0]
    wide = np.zeros((4, 6))
    wide[::2, ::2] = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
    for X_, y_ in ((X, y), (X.tolist(), np.array(y)[None, :]), ([[1, 2, 3], [4, 5, 6]], y),
                   (wide[::2, ::2], y)):
        net = TwoLayerNet(2, 3, "tanh", task, loss, seed=2)
        twin = net.copy()
        with np.errstate(all="ignore"):   # BIG inputs overflow on the way, as before
            net.step(X_, y_, 0.1)
            twin._step(np.asarray(X_, dtype=float), np.asarray(y_, dtype=float).reshape(1, 3),
                       0.1)
        for p in PARAMS:
            assert np.array_equal(getattr(net, p), getattr(twin, p), equal_nan=True), p
