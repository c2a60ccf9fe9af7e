"""The derivation's lines against the net's gradients, against the equations written out again
here, and against finite differences; the LaTeX formatter; the broken backward pass."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twolayer import TwoLayerNet
from twolayer.activations import HIDDEN_ACTIVATIONS
from twolayer.derivation import (
    broken_gradients,
    derive,
    latex_matrix,
    latex_number,
    latex_value,
    verdict,
    with_loss,
)
from twolayer.gradcheck import gradient_check

PARAMS = ("W1", "b1", "W2", "b2")
COMBOS = [("regression", "mse"), ("classification", "mse"), ("classification", "log_loss")]
ORDER = ["x", "y", "z1", "a1", "z2", "a2", "L", "dL_da2", "da2_dz2", "delta2", "dL_dW2",
         "dL_db2", "dz2_da1", "da1_dz1", "delta1", "dL_dW1", "dL_db1",
         "W1_new", "b1_new", "W2_new", "b2_new"]

# The equations again, independently of twolayer.
G = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
     "relu": lambda z: np.maximum(z, 0)}
G_PRIME = {"sigmoid": lambda z: G["sigmoid"](z) * (1 - G["sigmoid"](z)),
           "tanh": lambda z: 1 - np.tanh(z) ** 2, "relu": lambda z: (z > 0) * 1.0}


def problem(task="classification", loss="log_loss", activation="tanh", m=12, hidden=5, seed=0):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(3, hidden, activation, task, loss, seed=seed)
    net.b1 = rng.normal(size=net.b1.shape)  # biases away from 0, so every term is exercised
    net.b2 = rng.normal(size=net.b2.shape)
    X = rng.normal(size=(3, m))
    y = (rng.random((1, m)) > 0.5) * 1.0 if task == "classification" else rng.normal(size=(1, m))
    return net, X, y


def reference(net, X, y, task, loss, activation):
    """Every value of the derivation, straight from the equations (batch mean)."""
    m = X.shape[1]
    z1 = net.W1 @ X + net.b1
    a1 = G[activation](z1)
    z2 = net.W2 @ a1 + net.b2
    a2 = G["sigmoid"](z2) if task == "classification" else z2
    if loss == "mse":
        L = np.mean((y - a2) ** 2)
        dL_da2 = -2 * (y - a2) / m
    else:
        L = -np.mean(y * np.log(a2) + (1 - y) * np.log(1 - a2))
        dL_da2 = (-y / a2 + (1 - y) / (1 - a2)) / m
    da2_dz2 = a2 * (1 - a2) if task == "classification" else np.ones_like(z2)
    delta2 = dL_da2 * da2_dz2
    delta1 = (net.W2.T @ delta2) * G_PRIME[activation](z1)
    return {"x": X, "y": y, "z1": z1, "a1": a1, "z2": z2, "a2": a2, "L": np.array([[L]]),
            "dL_da2": dL_da2, "da2_dz2": da2_dz2, "delta2": delta2,
            "dL_dW2": delta2 @ a1.T, "dL_db2": delta2.sum(axis=1, keepdims=True),
            "dz2_da1": net.W2, "da1_dz1": G_PRIME[activation](z1), "delta1": delta1,
            "dL_dW1": delta1 @ X.T, "dL_db1": delta1.sum(axis=1, keepdims=True)}


def finite_differences(net, X, y, h=1e-6):
    grads = {}
    for p in PARAMS:
        P = getattr(net, p)
        G_ = np.zeros_like(P)
        for i in np.ndindex(P.shape):
            kept = P[i]
            P[i] = kept + h
            plus = net.loss(X, y)
            P[i] = kept - h
            minus = net.loss(X, y)
            P[i] = kept
            G_[i] = (plus - minus) / (2 * h)
        grads[p] = G_
    return grads


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("task, loss", COMBOS)
def test_every_line_matches_the_equations_written_out_again(task, loss, activation):
    net, X, y = problem(task, loss, activation)
    d = derive(net, X, y, alpha=0.1)
    assert d.keys() == ORDER
    ref = reference(net, X, y, task, loss, activation)
    for key, value in ref.items():
        assert d[key].shape == value.shape, key
        np.testing.assert_allclose(d[key].value, value, rtol=1e-10, atol=1e-14, err_msg=key)


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("task, loss", COMBOS)
def test_gradients_equal_the_equations_and_finite_differences(task, loss, activation):
    # Expected values from outside the code under test: the equations written out again in
    # this file, and centred differences of the loss (which net.step and derive share, so
    # comparing with net.gradients would let a bug common to both through).
    net, X, y = problem(task, loss, activation, m=20)
    d = derive(net, X, y, alpha=0.1)
    ref = reference(net, X, y, task, loss, activation)
    numeric = finite_differences(net, X, y)
    for p in PARAMS:
        np.testing.assert_allclose(d[f"dL_d{p}"].value, ref[f"dL_d{p}"], rtol=1e-10,
                                   atol=1e-14, err_msg=p)
        np.testing.assert_allclose(d[f"dL_d{p}"].value, numeric[p], rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(d["delta2"].value, ref["delta2"], rtol=1e-10, atol=1e-14)
    # the chain rule, as the page shows it: dL/dW2 = delta2 a1^T, dL/dW1 = delta1 x^T
    np.testing.assert_allclose(d["dL_dW2"].value, d["delta2"].value @ d["a1"].value.T)
    np.testing.assert_allclose(d["dL_dW1"].value, d["delta1"].value @ d["x"].value.T)
    np.testing.assert_allclose(d["delta1"].value, (d["dz2_da1"].value.T @ d["delta2"].value)
                               * d["da1_dz1"].value)


@pytest.mark.parametrize("task, loss", COMBOS)
def test_dL_da2_is_the_derivative_of_the_loss_in_a2(task, loss):
    net, X, y = problem(task, loss, "sigmoid", m=6)
    d = derive(net, X, y, alpha=0.1)
    a2, h = d["a2"].value, 1e-7

    def L(a):
        if loss == "mse":
            return np.mean((y - a) ** 2)
        return -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))

    for j in range(X.shape[1]):
        plus, minus = a2.copy(), a2.copy()
        plus[0, j] += h
        minus[0, j] -= h
        np.testing.assert_allclose(d["dL_da2"].value[0, j], (L(plus) - L(minus)) / (2 * h),
                                   rtol=1e-6)
    np.testing.assert_allclose(d["dL_da2"].value * d["da2_dz2"].value, d["delta2"].value)


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("task, loss", COMBOS)
def test_one_sample_equals_a_batch_of_that_sample(task, loss, activation):
    net, X, y = problem(task, loss, activation)
    for i in (0, 7, X.shape[1] - 1):
        one = derive(net, X, y, alpha=0.3, sample=i)
        batch = derive(net, X[:, [i]], y[:, [i]], alpha=0.3)
        assert one.single and not batch.single and one.m == batch.m == 1
        for a, b in zip(one.lines, batch.lines, strict=True):
            assert a.key == b.key
            np.testing.assert_array_equal(a.value, b.value, err_msg=a.key)
        # the batch view writes the 1/m and the sums; the single view does not
        assert r"\sum" in batch["dL_dW1"].latex and r"\sum" not in one["dL_dW1"].latex
        assert r"\frac{1}{m}" in batch["L"].latex and r"\frac{1}{m}" not in one["L"].latex


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("task, loss", COMBOS)
def test_the_update_is_w_minus_alpha_times_the_gradient(task, loss, activation):
    net, X, y = problem(task, loss, activation)
    before = net.get_params()
    d = derive(net, X, y, alpha=0.05)
    for p in PARAMS:  # derive leaves the net alone
        np.testing.assert_array_equal(getattr(net, p), before[p])
    # W <- W - alpha dL/dW with the gradient of the equations written out again, which is
    # also what one step of the net does (the page's "Take one step" applies it)
    ref = reference(net, X, y, task, loss, activation)
    stepped = net.copy()
    stepped.step(X, y, 0.05)
    for p in PARAMS:
        expected = before[p] - 0.05 * ref[f"dL_d{p}"]
        np.testing.assert_allclose(d[f"{p}_new"].value, expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(d.updated()[p], expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(getattr(stepped, p), expected, rtol=1e-12, atol=1e-15)


def test_only_the_flagged_lines_change_with_the_loss():
    net, X, y = problem("classification", "mse", "tanh")
    mse, log = derive(net, X, y, 0.1, loss="mse"), derive(net, X, y, 0.1, loss="log_loss")
    assert mse.loss == "mse" and log.loss == "log_loss"
    assert {ln.key for ln in mse.lines if ln.equation_differs} == {"L", "dL_da2", "delta2"}
    for a, b in zip(mse.lines, log.lines, strict=True):
        assert a.differs_by_loss == b.differs_by_loss
        assert (a.latex != b.latex) == a.equation_differs, a.key
        same = np.array_equal(a.value, b.value)
        if not a.differs_by_loss:
            assert same, a.key
        elif a.key != "da2_dz2":  # its value stays; in delta2 it cancels for log-loss
            assert not same, a.key
    # the whole difference is delta2: the log-loss delta2 is the MSE one without the slope
    a2, yy, m = mse["a2"].value, mse["y"].value, X.shape[1]
    np.testing.assert_allclose(log["delta2"].value, (a2 - yy) / m)
    np.testing.assert_allclose(mse["delta2"].value, -2 * (yy - a2) * a2 * (1 - a2) / m)


def test_with_loss_copies_and_leaves_the_net_alone():
    net, X, y = problem("classification", "mse")
    other = with_loss(net, "log_loss")
    assert (net.loss_name, other.loss_name) == ("mse", "log_loss")
    other.W1 += 1
    assert not np.array_equal(net.W1, other.W1)


def test_a_saturated_output_gives_infinity_without_a_warning():
    net, X, y = problem("classification", "log_loss", m=4)
    net.b2[:] = 60.0  # a2 rounds to exactly 1.0
    y[:] = 0.0
    d = derive(net, X, y, 0.1)  # RuntimeWarnings are errors in this test suite
    assert np.all(d["a2"].value == 1.0)
    assert np.all(np.isinf(d["dL_da2"].value))
    assert np.all(np.isfinite(d["delta2"].value))  # log-loss keeps its gradient
    assert r"\infty" in latex_matrix(d["dL_da2"].value)


@pytest.mark.parametrize("bad", [-1, 12, 2.5, True, "3"])
def test_a_bad_sample_index_says_what_is_allowed(bad):
    net, X, y = problem()
    with pytest.raises(ValueError, match="from 0 to 11"):
        derive(net, X, y, 0.1, sample=bad)


@pytest.mark.parametrize("bad", [0, -0.1, np.nan, np.inf, "0.1"])
def test_a_bad_alpha_is_refused(bad):
    net, X, y = problem()
    with pytest.raises(ValueError, match="alpha"):
        derive(net, X, y, bad)


# -- the broken backward pass ---------------------------------------------------------------

@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("task, loss", COMBOS)
def test_the_broken_backward_pass_fails_the_check_and_the_real_one_passes(task, loss, activation):
    net, X, y = problem(task, loss, activation, m=16)
    real = gradient_check(net, X, y, analytic=derive(net, X, y, 0.1).gradients())
    broken = gradient_check(net, X, y, analytic=broken_gradients(net, X, y))
    for p in PARAMS:
        assert real[p] < 1e-7, (p, real[p])
    assert broken["W1"] > 1e-2 and broken["b1"] > 1e-2, broken
    assert broken["W2"] == real["W2"] and broken["b2"] == real["b2"]
    assert [verdict(real[p]) for p in PARAMS] == ["good"] * 4
    assert verdict(broken["W1"]) == verdict(broken["b1"]) == "wrong"


def test_broken_gradients_only_drop_g_prime():
    net, X, y = problem("classification", "log_loss", "tanh")
    ref = reference(net, X, y, "classification", "log_loss", "tanh")
    broken = broken_gradients(net, X, y)
    delta1 = net.W2.T @ ref["delta2"]
    np.testing.assert_allclose(broken["W1"], delta1 @ X.T)
    np.testing.assert_allclose(broken["b1"], delta1.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(broken["W2"], ref["dL_dW2"])


def test_verdict_thresholds():
    assert verdict(0.0) == verdict(9e-8) == "good"
    assert verdict(1e-7) == verdict(5e-5) == "doubtful"
    assert verdict(1e-4) == verdict(0.3) == verdict(np.nan) == "wrong"


# -- LaTeX ------------------------------------------------------------------------------------

def rows_of(tex):
    body = re.search(r"\\begin\{bmatrix\}(.*)\\end\{bmatrix\}", tex).group(1)
    return [r.split("&") for r in body.split(r"\\")]


def test_latex_matrix_truncates_a_64_by_2_matrix():
    A = np.arange(128, dtype=float).reshape(64, 2) / 7
    tex = latex_matrix(A, digits=3, max_rows=8)
    rows = rows_of(tex)
    assert len(rows) == 8 and all(len(r) == 2 for r in rows)
    assert [c.strip() for c in rows[-2]] == [r"\vdots", r"\vdots"]
    assert rows[0][0].strip() == "0" and rows[0][1].strip() == f"{1 / 7:.3g}"
    assert rows[-1][1].strip() == f"{127 / 7:.3g}"  # the last row is shown
    assert tex.endswith(r"_{64\times 2}")


def test_latex_matrix_truncates_columns_and_both():
    tex = latex_matrix(np.ones((3, 40)), max_cols=6)
    rows = rows_of(tex)
    assert len(rows) == 3 and all(len(r) == 6 for r in rows)
    assert all(r[4].strip() == r"\cdots" for r in rows)
    assert tex.endswith(r"_{3\times 40}")
    rows = rows_of(latex_matrix(np.ones((50, 50)), max_rows=5, max_cols=5))
    assert len(rows) == 5 and rows[3][3].strip() == r"\ddots"


def test_latex_matrix_shows_a_small_matrix_whole():
    A = np.array([[1.23456, -0.000012345], [2.0, 1e3]])
    tex = latex_matrix(A, digits=4)
    assert [[c.strip() for c in r] for r in rows_of(tex)] == [
            ["1.235", r"-1.234\times 10^{-5}"], ["2", "1000"]]
    assert r"\vdots" not in tex and r"\cdots" not in tex and r"\times 2}" not in tex
    assert latex_matrix(np.array([[0.5]])) == "0.5"


def test_latex_matrix_drops_columns_until_a_row_fits():
    A = np.full((2, 30), -0.000123456) + np.arange(30) * 1e-3
    wide = latex_matrix(A, digits=3, max_cols=8)
    narrow = latex_matrix(A, digits=3, max_cols=8, max_width=30)
    assert len(rows_of(wide)[0]) == 8
    assert 3 <= len(rows_of(narrow)[0]) < 8 and r"\cdots" in narrow
    assert narrow.endswith(r"_{2\times 30}")
    assert latex_matrix(A, digits=3, max_cols=8, max_width=1000) == wide


def test_latex_value_is_a_number_or_a_small_matrix():
    assert latex_value(np.array([[0.123456]])) == "0.1235"
    tex = latex_value(np.ones((64, 40)))
    assert tex.startswith(r"\small ") and tex.endswith(r"_{64\times 40}")


@pytest.mark.parametrize("scale, power", [(1e-4, -4), (3e-7, -7), (2e5, 5)])
def test_latex_matrix_puts_a_common_power_of_ten_in_front(scale, power):
    A = np.array([[1.0, -0.5], [0.25, 0.0]]) * scale
    tex = latex_matrix(A, digits=3)
    assert tex.startswith(f"10^{{{power}}} ")
    factor = 10.0 ** power
    cells = [float(c) * factor for r in rows_of(tex) for c in r]
    np.testing.assert_allclose(cells, A.ravel(), rtol=5e-3)
    assert "10^" not in latex_matrix(A / scale)  # ordinary sizes: no factor


@settings(max_examples=50, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64), st.integers(2, 5))
def test_latex_number_keeps_its_significant_digits(v, digits):
    text = latex_number(v, digits)
    back = float(text.replace(r"\times 10^{", "e").replace("}", ""))
    assert back == float(f"{v:.{digits}g}")


def test_latex_number_special_values():
    assert latex_number(np.inf) == r"\infty" and latex_number(-np.inf) == r"-\infty"
    assert latex_number(np.nan) == r"\text{nan}"


# -- K classes: the softmax lines ------------------------------------------------------------

ORDER_K = ORDER[:2] + ["Y"] + ORDER[2:]


def problem_k(n_classes, loss, activation="tanh", m=10, hidden=4, seed=0):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(3, hidden, activation, loss=loss, seed=seed, n_classes=n_classes)
    net.b1 = rng.normal(size=net.b1.shape)
    net.b2 = rng.normal(size=net.b2.shape)
    X = rng.normal(size=(3, m))
    y = rng.integers(0, n_classes, size=(1, m)).astype(float)
    return net, X, y


@pytest.mark.parametrize("n_classes", [3, 5])
@pytest.mark.parametrize("loss", ["mse", "log_loss"])
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_softmax_lines_match_the_reference(n_classes, loss, activation):
    from tests import reference as ref

    net, X, y = problem_k(n_classes, loss, activation)
    P = net.get_params()
    d = derive(net, X, y, alpha=0.2)
    assert d.keys() == ORDER_K
    m = X.shape[1]
    z1, a1, z2, a2 = ref.forward_k(P, X, activation)
    Y = ref.one_hot(y, n_classes)
    # dL/da2 and the Jacobians written out as tests/reference.py writes them.
    dL_da2 = -2.0 * (Y - a2) / m if loss == "mse" else -Y / a2 / m
    J = np.stack([np.diag(a2[:, i]) - np.outer(a2[:, i], a2[:, i]) for i in range(m)], axis=2)
    delta2 = np.stack([J[:, :, i].T @ dL_da2[:, i] for i in range(m)], axis=1)
    grads = ref.gradients_k(P, X, y, activation, loss)
    expected = {"Y": Y, "z1": z1, "a1": a1, "z2": z2, "a2": a2,
                "L": [[ref.loss_k(P, X, y, activation, loss)]], "dL_da2": dL_da2,
                "da2_dz2": J, "delta2": delta2, "dz2_da1": P["W2"],
                "delta1": (P["W2"].T @ delta2) * G_PRIME[activation](z1),
                **{f"dL_d{p}": grads[p] for p in PARAMS},
                **{f"{p}_new": P[p] - 0.2 * grads[p] for p in PARAMS}}
    for key, value in expected.items():
        np.testing.assert_allclose(d[key].value, value, rtol=1e-8, atol=1e-14, err_msg=key)
    assert d["da2_dz2"].shape == (n_classes, n_classes, m)


@pytest.mark.parametrize("loss", ["mse", "log_loss"])
def test_softmax_delta2_is_a2_minus_Y_or_the_jacobian_product(loss):
    net, X, y = problem_k(4, loss, "relu", m=7, seed=3)
    d = derive(net, X, y, alpha=0.1)
    a2, Y, m = d["a2"].value, d["Y"].value, 7
    if loss == "log_loss":   # the Jacobian cancels: (a2 - Y) / m, by hand
        np.testing.assert_allclose(d["delta2"].value, (a2 - Y) / m, rtol=1e-12, atol=1e-15)
        assert "(a_2 - Y)" in d["delta2"].latex
    else:                    # it stays in: a2 * (e - a2^T e), e = -2 (Y - a2) / m
        e = -2.0 * (Y - a2) / m
        np.testing.assert_allclose(d["delta2"].value, a2 * (e - (a2 * e).sum(axis=0)),
                                   rtol=1e-12, atol=1e-15)
        assert r"a_2 \odot" in d["delta2"].latex


@pytest.mark.parametrize("loss", ["mse", "log_loss"])
def test_softmax_dL_da2_and_the_jacobian_by_finite_differences(loss):
    # The loss as a function of a2 (one sample), and a2 as a function of z2, differenced.
    net, X, y = problem_k(3, loss, "sigmoid", m=5, seed=2)
    d = derive(net, X, y, alpha=0.1, sample=3)
    a2, z2, label = d["a2"].value[:, 0], d["z2"].value[:, 0], int(y[0, 3])

    def L(a):
        return -np.log(a[label]) if loss == "log_loss" else np.sum((np.eye(3)[label] - a) ** 2)

    def softmax(z):
        return np.exp(z) / np.exp(z).sum()

    h = 1e-6
    for k in range(3):
        step = np.eye(3)[k] * h
        assert d["dL_da2"].value[k, 0] == pytest.approx(
            (L(a2 + step) - L(a2 - step)) / (2 * h), rel=1e-6)
        np.testing.assert_allclose(d["da2_dz2"].value[:, k, 0],
                                   (softmax(z2 + step) - softmax(z2 - step)) / (2 * h),
                                   rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("loss", ["mse", "log_loss"])
def test_softmax_one_sample_equals_a_batch_of_that_sample(loss):
    net, X, y = problem_k(5, loss, "tanh", m=9, seed=4)
    one = derive(net, X, y, alpha=0.3, sample=6)
    batch = derive(net, X[:, [6]], y[:, [6]], alpha=0.3)
    assert one.single and not batch.single
    for key in ORDER_K[1:]:
        np.testing.assert_allclose(one[key].value, batch[key].value, rtol=1e-12, atol=1e-15)


def test_softmax_confidently_wrong_gives_infinity_without_a_warning():
    import warnings

    net, X, y = problem_k(3, "log_loss", m=6)
    net.set_output_bias(-800.0)   # a2 of classes 1 and 2 underflows to 0
    y[:] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = derive(net, X, y, alpha=0.1)
    assert np.isneginf(d["dL_da2"].value[1]).all()
    # delta2 = a2 - Y stays finite: cross-entropy's gradient does not vanish or blow up.
    np.testing.assert_allclose(d["delta2"].value[1], -1.0 / 6)
    mse = derive(net, X, y, alpha=0.1, loss="mse")
    assert np.all(np.abs(mse["delta2"].value) < 1e-300)   # MSE's Jacobian: all but zero


def test_latex_value_of_the_jacobians_shows_the_first_and_the_last():
    net, X, y = problem_k(3, "mse", m=4)
    d = derive(net, X, y, alpha=0.1)
    tex = latex_value(d["da2_dz2"].value)
    assert tex.count(r"\begin{bmatrix}") == 2 and "^{(1)}" in tex and "^{(4)}" in tex
    single = latex_value(derive(net, X, y, alpha=0.1, sample=0)["da2_dz2"].value)
    assert single.count(r"\begin{bmatrix}") == 1 and "^{(1)}" not in single
