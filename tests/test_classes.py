"""K classes: the softmax net against tests/reference.py, finite differences, sklearn's
log_loss and MLPClassifier; data, metrics, files, the comparison, the CLI and the figure for
K >= 3; and K = 2 unchanged, bit for bit, against the main branch's results."""

import hashlib
import io
import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import reference as ref
from twolayer import TwoLayerNet
from twolayer.__main__ import main
from twolayer.compare import Comparison, boundary_grid, probabilities
from twolayer.data import MULTICLASS, make_dataset
from twolayer.figures.classes import (
    CLASS_PALETTE,
    class_regions,
    region_color,
    region_colorscale,
    region_values,
)
from twolayer.figures.style import CLASS_COLORS
from twolayer.gradcheck import numerical_gradients, relative_error
from twolayer.io import dataset_to_csv, net_from_npz, read_csv_dataset, weights_to_npz
from twolayer.metrics import accuracy
from twolayer.train import Trainer

PARAMS = ("W1", "b1", "W2", "b2")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
LOSSES = ("mse", "log_loss")


def example(K, activation, seed=0, m=13, d=2, h=5):
    """A K-class net with random weights (biases too) and a batch with every class in it."""
    rng = np.random.default_rng([K, seed, ACTIVATIONS.index(activation)])
    net = TwoLayerNet(d, h, activation, "classification", "log_loss", seed, n_classes=K)
    net.set_params({"W1": rng.normal(size=(h, d)), "b1": rng.normal(size=(h, 1)),
                    "W2": rng.normal(size=(K, h)), "b2": rng.normal(size=(K, 1))})
    X = rng.normal(size=(d, m))
    y = np.concatenate([np.arange(K), rng.integers(0, K, m - K)])[None, :].astype(float)
    return net, X, y


def with_loss(net, loss):
    other = TwoLayerNet(net.n_inputs, net.n_hidden, net.activation, "classification", loss,
                        net.seed, n_classes=net.n_classes)
    other.set_params(net.get_params())
    return other


# -- the math against the reference ------------------------------------------------------------

@pytest.mark.parametrize("K", [3, 5])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", LOSSES)
def test_forward_loss_and_gradients_equal_the_reference(K, activation, loss):
    net, X, y = example(K, activation)
    net = with_loss(net, loss)
    P = net.get_params()
    if activation == "relu":
        assert np.min(np.abs(ref.forward_k(P, X, activation)[0])) > 1e-4  # off the kink
    f = net.forward(X)
    assert f.z2.shape == f.a2.shape == (K, X.shape[1])
    for mine, theirs in zip(f, ref.forward_k(P, X, activation), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-8, atol=1e-14)
    assert net.loss(X, y) == pytest.approx(ref.loss_k(P, X, y, activation, loss), rel=1e-8)
    for l2 in (0.0, 0.1):
        grads = net.gradients(X, y, l2)
        expected = ref.gradients_k(P, X, y, activation, loss, l2)
        for p in PARAMS:
            assert grads[p].shape == P[p].shape
            assert relative_error(grads[p], expected[p]) < 1e-8, p


@pytest.mark.parametrize("K", [3, 5])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", LOSSES)
def test_gradients_equal_centred_finite_differences(K, activation, loss):
    net, X, y = example(K, activation, seed=1)
    net = with_loss(net, loss)
    for l2 in (0.0, 0.1):
        grads, numeric = net.gradients(X, y, l2), numerical_gradients(net, X, y, l2=l2)
        for p in PARAMS:
            assert relative_error(grads[p], numeric[p]) < 1e-7, p


@pytest.mark.parametrize("K", [3, 5])
@pytest.mark.parametrize("loss", LOSSES)
def test_reference_gradients_are_those_of_its_own_loss(K, loss):
    _, X, y = example(K, "tanh", seed=2)
    rng = np.random.default_rng(K)
    P = {"W1": rng.normal(size=(4, 2)), "b1": rng.normal(size=(4, 1)),
         "W2": rng.normal(size=(K, 4)), "b2": rng.normal(size=(K, 1))}
    grads, h = ref.gradients_k(P, X, y, "tanh", loss), 1e-6
    for p in PARAMS:
        numeric = np.empty_like(P[p])
        for i in np.ndindex(P[p].shape):
            kept = P[p][i]
            P[p][i] = kept + h
            plus = ref.loss_k(P, X, y, "tanh", loss)
            P[p][i] = kept - h
            minus = ref.loss_k(P, X, y, "tanh", loss)
            P[p][i] = kept
            numeric[i] = (plus - minus) / (2 * h)
        np.testing.assert_allclose(grads[p], numeric, rtol=1e-6, atol=1e-9, err_msg=p)


# derandomize: the same examples in every run, so that CI is reproducible.
@settings(max_examples=60, deadline=None, derandomize=True)
@given(K=st.integers(3, 5), h=st.integers(1, 6), m=st.integers(1, 9),
       activation=st.sampled_from(ACTIVATIONS), loss=st.sampled_from(LOSSES),
       seed=st.integers(0, 2**32 - 1), scale=st.floats(0.1, 5.0))
def test_gradients_equal_the_reference_for_any_shape(K, h, m, activation, loss, seed, scale):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(2, h, activation, "classification", loss, seed % 1000, n_classes=K)
    net.set_params({"W1": scale * rng.normal(size=(h, 2)), "b1": rng.normal(size=(h, 1)),
                    "W2": scale * rng.normal(size=(K, h)), "b2": rng.normal(size=(K, 1))})
    X, y = rng.normal(size=(2, m)), rng.integers(0, K, (1, m)).astype(float)
    grads = net.gradients(X, y)
    expected = ref.gradients_k(net.get_params(), X, y, activation, loss)
    for p in PARAMS:
        diff = np.linalg.norm(grads[p] - expected[p])
        # + 1e-13: where the output is saturated the gradients are ~1e-11 and both sides round
        # their cancelling terms in absolute terms (about 1e-16 of terms of size 1).
        assert diff <= 1e-8 * (np.linalg.norm(grads[p]) + np.linalg.norm(expected[p])) + 1e-13
    # Cross-entropy from z2 is logsumexp(z2) - z2[y], a difference of numbers of the size of
    # z2 (up to ~50 here): its rounding is absolute, a few 1e-15, whatever the loss's size
    # (hypothesis found a loss of 7.6e-11 that the two computations round 1.5e-15 apart).
    assert net.loss(X, y) == pytest.approx(ref.loss_k(net.get_params(), X, y, activation, loss),
                                           rel=1e-8, abs=1e-13)


@pytest.mark.parametrize("K", [3, 5])
def test_cross_entropy_is_sklearns_log_loss_and_mse_sums_over_the_outputs(K):
    from sklearn.metrics import log_loss, mean_squared_error

    net, X, y = example(K, "sigmoid", seed=3)
    a2 = net.predict(X)
    assert net.loss(X, y) == pytest.approx(log_loss(y[0], a2.T, labels=list(range(K))),
                                           rel=1e-12)
    Y = np.eye(K)[y[0].astype(int)]
    # sklearn's MSE is the mean over all m*K entries; ours sums over the K outputs.
    assert with_loss(net, "mse").loss(X, y) == pytest.approx(K * mean_squared_error(Y, a2.T),
                                                             rel=1e-12)


@pytest.mark.parametrize("K", [3, 5])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_sgd_steps_equal_sklearns_mlpclassifier(K, activation):
    """From identical weights, plain gradient descent on the mean cross-entropy: sklearn keeps
    samples as rows, so its coefs_ are our W.T and its intercepts_ our b.ravel()."""
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(K)
    m, h, lr = 40, 6, 0.5
    X = rng.normal(size=(2, m))
    y = (np.arange(m) % K)[None, :].astype(float)
    net = TwoLayerNet(2, h, activation, "classification", "log_loss", seed=4, n_classes=K)
    net.b1[:] = rng.normal(size=(h, 1))
    net.b2[:] = rng.normal(size=(K, 1))
    clf = MLPClassifier(hidden_layer_sizes=(h,), activation={"sigmoid": "logistic"}.get(
        activation, activation), solver="sgd", alpha=0.0, momentum=0.0,
        nesterovs_momentum=False, learning_rate="constant", learning_rate_init=lr,
        batch_size=m, shuffle=False, random_state=0)
    samples, labels = X.T, y[0].astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.partial_fit(samples, labels, classes=np.arange(K))  # allocates; weights set next
    assert clf.out_activation_ == "softmax"
    clf.coefs_[0][...] = net.W1.T
    clf.coefs_[1][...] = net.W2.T
    clf.intercepts_[0][...] = net.b1.ravel()
    clf.intercepts_[1][...] = net.b2.ravel()
    for _ in range(5):
        loss = net.loss(X, y)
        net.step(X, y, lr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(samples, labels)
        assert clf.loss_ == pytest.approx(loss, rel=1e-12)   # sklearn's loss before its step
        for mine, theirs in ((net.W1, clf.coefs_[0].T), (net.W2, clf.coefs_[1].T),
                             (net.b1, clf.intercepts_[0][:, None]),
                             (net.b2, clf.intercepts_[1][:, None])):
            np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("loss", LOSSES)
def test_training_equals_the_reference_mini_batch_by_mini_batch(loss):
    data = make_dataset("blobs", 120, 0.3, 0.3, 1, n_classes=4)
    net = TwoLayerNet(2, 7, "tanh", "classification", loss, seed=2, n_classes=4)
    P0 = net.get_params()
    t = Trainer(net, data, lr=0.4, batch_size=16, seed=5)
    t.run(3)
    P, losses = ref.train_k(P0, data.X_train, data.y_train, "tanh", loss, 0.4, 16, 3, seed=5)
    for p in PARAMS:
        np.testing.assert_allclose(net.get_params()[p], P[p], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(t.history.train_loss, losses, rtol=1e-9)
    assert t.history.test_metric[-1] == ref.accuracy_k(net.get_params(), data.X_test,
                                                       data.y_test, "tanh")


def test_training_in_chunks_equals_one_run():
    data = make_dataset("spiral", 90, 0.2, 0.3, 0, n_classes=3)
    runs = []
    for chunks in ([10], [1] * 10):
        t = Trainer(TwoLayerNet(2, 6, "relu", n_classes=3), data, lr=0.3, batch_size=8)
        for k in chunks:
            t.run(k)
        runs.append(t)
    for p in PARAMS:
        assert np.array_equal(runs[0].net.get_params()[p], runs[1].net.get_params()[p])
    assert runs[0].history.as_dict() == runs[1].history.as_dict()


# -- numerics and checks -----------------------------------------------------------------------

def test_cross_entropy_is_exact_and_silent_for_huge_z2():
    net = TwoLayerNet(2, 3, "tanh", n_classes=3)
    net.W2[:] = 0.0
    net.b2[:] = [[1e4], [0.0], [-1e4]]   # softmax: class 0 certain, exp(-1e4) underflows
    X, y = np.zeros((2, 3)), np.array([[0.0, 1.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # -log a2 of the true class: 0, 1e4 and 2e4 (logsumexp(z2) = 1e4 exactly here)
        assert net.loss(X, y) == pytest.approx((0.0 + 1e4 + 2e4) / 3, rel=1e-15)
        grads = net.gradients(X, y)
        for mse_or_ce in (net, with_loss(net, "mse")):
            assert all(np.isfinite(g).all() for g in mse_or_ce.gradients(X, y).values())
    np.testing.assert_allclose(net.predict(X)[:, 0], [1.0, 0.0, 0.0])
    assert grads["b2"][0, 0] == pytest.approx(2 / 3)   # sum of (a2 - Y) / m over the samples


@pytest.mark.parametrize(("y", "found"), [([0, 1, 3], "[3.0]"), ([0, 0.5, 2], "[0.5]"),
                                          ([-1, 1, 2], "[-1.0]")])
def test_labels_must_be_the_classes(y, found):
    net = TwoLayerNet(2, 3, n_classes=3, loss="mse")
    with pytest.raises(ValueError, match=r"3 classes need the labels 0 to 2; found") as err:
        net.step(np.zeros((2, 3)), np.array([y], dtype=float), 0.1)
    assert found in str(err.value)
    with pytest.raises(ValueError, match="NaN or infinite"):
        net.loss(np.zeros((2, 3)), np.array([[0, np.nan, 1]]))


def test_bad_settings_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        TwoLayerNet(n_classes=1)
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        TwoLayerNet(n_classes=3.0)
    with pytest.raises(ValueError, match="regression has one output"):
        TwoLayerNet(task="regression", n_classes=3)
    data = make_dataset("blobs", 60, n_classes=3)
    with pytest.raises(ValueError, match="the net is for 2 classes, the data has 3"):
        Trainer(TwoLayerNet(2, 4), data)


def test_copy_and_repr_keep_the_classes():
    net = TwoLayerNet(2, 4, "relu", n_classes=4, seed=3)
    twin = net.copy()
    assert twin.n_classes == 4 and twin.W2.shape == (4, 4) and np.array_equal(twin.W2, net.W2)
    assert "n_classes=4" in repr(net) and "n_classes" not in repr(TwoLayerNet())


def test_initial_weights_depend_on_k_only_through_w2():
    two, three = TwoLayerNet(2, 6, n_classes=2, seed=1), TwoLayerNet(2, 6, n_classes=3, seed=1)
    assert np.array_equal(two.W1, three.W1)   # W1 drawn first, from the same generator
    assert three.W2.shape == (3, 6) and three.b2.shape == (3, 1) and not three.b2.any()
    r = np.sqrt(6.0 / (6 + 3))                 # Glorot: fan_out is K
    assert np.abs(three.W2).max() <= r


# -- the saturated start -----------------------------------------------------------------------

def test_output_bias_makes_every_sample_confidently_class_0():
    net = TwoLayerNet(2, 5, "sigmoid", n_classes=3).set_output_bias(-8.0)
    assert net.b2.ravel().tolist() == [0.0, -8.0, -8.0]
    net.W2[:] = 0.0
    a2 = net.predict(np.random.default_rng(0).normal(size=(2, 4)))
    np.testing.assert_allclose(a2[0], 1 / (1 + 2 * np.exp(-8.0)), rtol=1e-12)
    # The sigmoid of b is the softmax of (0, b): the same start as two classes with b2 = -8.
    two = TwoLayerNet(2, 5, "sigmoid").set_output_bias(-8.0)
    assert two.b2.tolist() == [[-8.0]]
    with pytest.raises(ValueError, match="finite"):
        net.set_output_bias(float("inf"))


def test_saturated_comparison_with_three_classes():
    data = make_dataset("blobs", 300, 0.2, 0.3, 0, n_classes=3)
    cmp = Comparison(data, hidden=8, activation="sigmoid", lr=1.0, output_bias=-8.0)
    nets = cmp.nets
    for p in PARAMS:
        assert np.array_equal(getattr(nets["mse"], p), getattr(nets["log_loss"], p))
    assert nets["mse"].b2.ravel().tolist() == [0.0, -8.0, -8.0]
    assert cmp.summary()["mse"][0] == pytest.approx(1 / 3, abs=0.02)   # all called class 0
    d = cmp.delta2_per_sample()
    assert d["mse"].shape == d["log_loss"].shape == (data.X_train.shape[1],)
    # MSE's delta2 carries the softmax Jacobian: 100s of times smaller on the wrong samples.
    wrong = data.y_train[0] != 0
    assert np.median(d["log_loss"][wrong]) > 100 * np.median(d["mse"][wrong])
    cmp.run(40)
    acc = {loss: h.test_metric[-1] for loss, h in cmp.histories.items()}
    assert acc["log_loss"] > 0.9 > acc["mse"]
    grid = boundary_grid(data, n=11)
    prob = probabilities(nets["log_loss"], grid)
    assert prob.shape == (3, 11, 11) and prob.dtype == np.float32
    np.testing.assert_allclose(prob.sum(axis=0), 1.0, rtol=1e-6)


# -- data, metrics, files ----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(MULTICLASS))
@pytest.mark.parametrize("K", [3, 4, 5])
def test_datasets_with_k_classes(name, K):
    if K > MULTICLASS[name]:
        with pytest.raises(ValueError, match=f"at most {MULTICLASS[name]} classes"):
            make_dataset(name, 200, n_classes=K)
        return
    data = make_dataset(name, 200, 0.2, 0.3, 0, n_classes=K)
    assert data.n_classes == K
    for y in (data.y_train, data.y_test):
        assert set(np.unique(y)) == set(range(K))   # stratified: every class in both parts
    again = make_dataset(name, 200, 0.2, 0.3, 0, n_classes=K)
    assert np.array_equal(data.X_train, again.X_train)


def test_two_class_datasets_refuse_more_classes():
    with pytest.raises(ValueError, match="moons has two classes; 3 classes come with"):
        make_dataset("moons", n_classes=3)
    with pytest.raises(ValueError, match="sine is a regression dataset"):
        make_dataset("sine", n_classes=3)
    with pytest.raises(ValueError, match="n_samples must be an integer >= 25"):
        make_dataset("blobs", 20, n_classes=5)


def test_accuracy_by_argmax_is_sklearns():
    from sklearn.metrics import accuracy_score

    rng = np.random.default_rng(0)
    a2, y = rng.dirichlet(np.ones(4), size=50).T, rng.integers(0, 4, (1, 50)).astype(float)
    assert accuracy(y, a2) == accuracy_score(y[0], a2.argmax(axis=0))


def test_weights_with_k_outputs_round_trip_and_are_refused_for_two_classes():
    net = TwoLayerNet(2, 6, "relu", "classification", "mse", seed=3, n_classes=4)
    raw = weights_to_npz(net)
    back = net_from_npz(raw, task="classification", n_inputs=2, n_classes=4)
    assert back.n_classes == 4 and back.loss_name == "mse"
    for p in PARAMS:
        assert np.array_equal(getattr(back, p), getattr(net, p))
    with pytest.raises(ValueError, match=r"Cannot load these weights: they are for 4 classes "
                                         r"\(a net with 4 outputs\); the current data has 2"):
        net_from_npz(raw, n_classes=2)
    two = weights_to_npz(TwoLayerNet(2, 6))
    assert "n_classes" not in np.load(io.BytesIO(two)).files   # as two-class files always were
    with pytest.raises(ValueError, match="they are for 2 classes"):
        net_from_npz(two, n_classes=3)
    assert net_from_npz(two, n_classes=2).n_classes == 2


def test_csv_with_labels_0_to_k_minus_1():
    data = make_dataset("spiral", 60, 0.2, 0.3, 0, n_classes=3)
    raw = dataset_to_csv(data)
    for n_classes in (3, None):
        back, info = read_csv_dataset(raw, "classification", n_classes=n_classes)
        assert back.n_classes == 3 and info["classes"] == {0: 20, 1: 20, 2: 20}
        assert info["split"] == "file"
        np.testing.assert_array_equal(back.y_test, data.y_test)
    with pytest.raises(ValueError, match="2 is not a class label; classification needs labels "
                                         "0 and 1"):
        read_csv_dataset(raw, "classification")
    rows = "x1,x2,label\n" + "".join(f"{i},{i % 5},{i % 3}\n" for i in range(30))
    with pytest.raises(ValueError, match=r"Row 3 \(line 4\), label column 'label': 2 is not a "
                                         r"class label; classification needs labels 0 and 1"):
        read_csv_dataset(rows, "classification", n_classes=2)
    assert read_csv_dataset(rows, "classification", n_classes=None)[0].n_classes == 3
    with pytest.raises(ValueError, match="No rows of class 3; 4 classes need rows of every"):
        read_csv_dataset(rows, "classification", n_classes=4)
    with pytest.raises(ValueError, match="at most 5 classes, labels 0 to 4"):
        read_csv_dataset(rows.replace("\n29,4,2", "\n29,4,7"), "classification",
                         n_classes=None)


# -- the CLI ---------------------------------------------------------------------------------

def run_main(capsys, *args):
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_cli_spiral_with_three_classes_reaches_0_9(capsys):
    out = json.loads(run_main(capsys, "train", "--dataset", "spiral", "--classes", "3",
                              "--hidden", "32", "--loss", "log_loss", "--epochs", "300",
                              "--json"))
    assert out["epochs_run"] == 300 and out["diverged"] is False
    assert out["test_accuracy"] >= 0.9
    assert out["test_accuracy"] == out["history"]["test_accuracy"][-1]


def test_cli_compare_with_three_classes_prints_both_nets(capsys):
    text = run_main(capsys, "compare", "--classes", "3", "--epochs", "5")
    assert "spiral (3 classes)" in text   # spiral is the default with 3 classes
    header = text.splitlines()[1].split()
    assert header == ["mse", "log_loss"]
    out = json.loads(run_main(capsys, "compare", "--classes", "3", "--dataset", "blobs",
                              "--epochs", "3", "--json"))
    assert set(out) == {"mse", "log_loss"} and out["mse"]["epochs_run"] == 3


@pytest.mark.parametrize(("args", "reason"), [
    (["train", "--classes", "6"], "must be an integer from 2 to 5"),
    (["train", "--classes", "3", "--dataset", "moons"], "moons has two classes"),
    (["compare", "--classes", "5", "--dataset", "linear"], "linear has at most 4 classes"),
])
def test_cli_refuses_what_k_classes_cannot_do(capsys, args, reason):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert reason in capsys.readouterr().err


# -- the figure ------------------------------------------------------------------------------

def test_class_regions_draw_argmax_shaded_by_confidence():
    # Three probability columns on a 1 x 3 grid: certain class 2, unsure class 0, a coin toss.
    prob = np.array([[[0.0, 0.5, 1 / 3]], [[0.0, 0.2, 1 / 3]], [[1.0, 0.3, 1 / 3]]])
    k, s, z = region_values(prob)
    assert k.tolist() == [[2, 0, 0]]
    np.testing.assert_allclose(s, [[1 - 1e-3, 0.25, 0.0]], atol=1e-12)  # (0.5 - 1/3) / (2/3)
    X = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]])
    fig = class_regions(np.arange(3.0), np.array([0.0]), prob, X, np.array([[0, 1, 2]]), X,
                        np.array([[2, 1, 0]]))
    heat = fig.data[0]
    np.testing.assert_allclose(np.asarray(heat.z, dtype=float), [[2.999, 0.25, 0.0]], atol=1e-6)
    assert (heat.zmin, heat.zmax, heat.zsmooth) == (0, 3, False)
    scale = [(pos, color) for pos, color in heat.colorscale]
    # One segment per class, from a light to a stronger tint of the class's colour.
    assert [pos for pos, _ in scale] == pytest.approx([0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 1])
    assert scale == [(p, c.upper()) for p, c in region_colorscale(3)]
    drawn = {region_color(int(kk), float(ss)) for kk, ss in zip(k.ravel(), s.ravel(),
                                                                 strict=True)}
    assert len(drawn) == 3
    names = [t.name for t in fig.data[1:7]]
    assert names == [f"{split}, class {c}" for split in ("train", "test") for c in range(3)]
    # The legend: one grey key per split, whatever K (the colour bar names the classes).
    assert [t.name for t in fig.data if t.showlegend is not False] == [
        "predicted class", "train points", "test points"]
    assert [t.marker.color for t in fig.data[1:4]] == list(CLASS_PALETTE[:3])
    assert list(heat.colorbar.ticktext) == ["class 0", "class 1", "class 2"]


# Colour-vision deficiency simulated (Machado, Oliveira and Fernandes 2009, severity 1, on
# linear RGB); distances in CIELAB (D65). Written here, from the papers' numbers.
CVD = {"normal": np.eye(3),
       "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                                 [-0.011820, 0.042940, 0.968881]]),
       "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                               [-0.003882, -0.048116, 1.051998]])}


def _lab(hex_color, vision):
    c = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    c = np.clip(CVD[vision] @ c, 0.0, 1.0)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ c / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", sorted(CVD))
def test_palette_regions_stay_apart_for_colour_blind_viewers(vision):
    assert CLASS_PALETTE[:2] == CLASS_COLORS and len(set(CLASS_PALETTE)) == 5
    # The regions' strongest tints, pairwise: a CIELAB distance of 12 or more (2.3 is "just
    # noticeable"); with reddish purple instead of sky blue, deuteranopia gives 9.7.
    lab = [_lab(region_color(k, 1.0), vision) for k in range(5)]
    assert min(np.linalg.norm(a - b) for i, a in enumerate(lab) for b in lab[i + 1:]) > 12


@pytest.mark.parametrize("K", [2, 3, 5])
def test_region_levels_keep_each_class_in_its_own_segment(K):
    from twolayer.figures.classes import region_levels

    rng = np.random.default_rng(K)
    prob = rng.dirichlet(np.full(K, 0.3), size=(20, 30)).transpose(2, 0, 1)
    prob[:, 0, 0] = np.eye(K)[K - 1]          # certain: the top level of the last class
    prob[:, 0, 1] = 1.0 / K                   # a coin toss: the bottom level of class 0
    levels = region_levels(prob)
    assert levels.dtype == np.uint8 and levels.shape == (20, 30)
    L = 255 // K
    np.testing.assert_array_equal(levels // L, prob.argmax(axis=0))
    assert levels[0, 0] == K * L - 1 and levels[0, 1] == 0
    fig = class_regions(np.arange(30.0), np.arange(20.0), levels, np.zeros((2, 1)),
                        np.zeros((1, 1)), n_classes=K)
    heat = fig.data[0]
    # Position level / zmax on the colour scale: inside the class's segment k / K .. (k+1) / K.
    position = np.asarray(heat.z, dtype=float) / heat.zmax
    k = prob.argmax(axis=0)
    assert np.all((position >= k / K) & (position < (k + 1) / K))
    assert heat.hoverinfo == "skip"


def test_region_values_refuse_more_classes_than_colours():
    with pytest.raises(ValueError, match="K from 2 to 5"):
        region_values(np.full((6, 2, 2), 1 / 6))


# -- K = 2 unchanged ---------------------------------------------------------------------------

# The data are the same to the last bit on every machine (scikit-learn's generators, seeded):
# their digests were computed on the main branch (commit 95c6169, before K classes). Trained
# numbers depend in their last bits on the CPU (NumPy picks its kernels for exp, tanh and the
# matrix products by the CPU): on the machine where K classes were written they matched main's
# bit for bit; they are pinned here as four sums each (how many numbers, their sum, the sum of
# their squares, a sum weighted by cos(i)), equal within 1e-7 of their size on any machine,
# where a changed formula, step or initialisation moves them by far more.
MAIN_DATA = {
    "data_moons": "6747f51ef2ecbd8c",
    "data_circles": "20a024bdfb09dc8e",
    "data_blobs": "86155010524db29c",
    "data_xor": "de25c82715f3b43b",
    "data_spiral": "af5c635768b5f210",
    "data_linear": "2012ae8d422aae03",
}

MAIN_TRAINED = {
    "train_moons_sigmoid_mse": [40.0, 5.64067448647, 8.58755291024, 0.436770802121],
    "train_moons_sigmoid_log_loss": [40.0, 7.61576908701, 16.7810460447, -1.18173319801],
    "train_moons_tanh_mse": [40.0, 4.55606389222, 10.0301088617, -0.181015544786],
    "train_moons_tanh_log_loss": [40.0, 5.67401376546, 13.432104562, -1.38428021846],
    "train_moons_relu_mse": [40.0, 7.88714419403, 12.4782276395, 3.48776732031],
    "train_moons_relu_log_loss": [40.0, 9.59913868263, 16.1757930116, 4.50931486392],
    "train_circles_sigmoid_mse": [40.0, 4.46927205092, 5.00024113056, 2.35870090597],
    "train_circles_sigmoid_log_loss": [40.0, 7.17858170176, 7.15843497696, 2.19257103535],
    "train_circles_tanh_mse": [40.0, 3.4976571961, 6.18024489748, 2.03540765069],
    "train_circles_tanh_log_loss": [40.0, 5.31096739701, 9.79674666411, 2.23905870596],
    "train_circles_relu_mse": [40.0, 5.57853470428, 8.31354337556, 1.11115823854],
    "train_circles_relu_log_loss": [40.0, 5.81612588104, 13.4487772475, 1.09381664913],
    "train_blobs_sigmoid_mse": [40.0, 6.14129121685, 14.6598464418, 4.14013651482],
    "train_blobs_sigmoid_log_loss": [40.0, 7.88542836159, 25.5796482237, 5.72051541316],
    "train_blobs_tanh_mse": [40.0, 4.50442363188, 13.0006944754, 3.35966698777],
    "train_blobs_tanh_log_loss": [40.0, 5.33139455922, 18.5879068006, 4.13296358427],
    "train_blobs_relu_mse": [40.0, 10.865017897, 14.573629638, 1.05243909898],
    "train_blobs_relu_log_loss": [40.0, 12.9518790066, 20.7655429691, 0.830270316316],
    "train_xor_sigmoid_mse": [40.0, 4.33334127898, 5.24165016193, 2.12113778192],
    "train_xor_sigmoid_log_loss": [40.0, 6.87083616597, 7.39039542427, 1.77988952978],
    "train_xor_tanh_mse": [40.0, 3.87453736804, 5.5164352293, 1.78609287946],
    "train_xor_tanh_log_loss": [40.0, 6.51763717088, 9.20708399806, 1.29194663786],
    "train_xor_relu_mse": [40.0, 6.57521190731, 8.29908754562, 0.606054164611],
    "train_xor_relu_log_loss": [40.0, 9.12371848621, 14.3108539187, 0.198985392993],
    "train_spiral_sigmoid_mse": [40.0, 4.98346500622, 5.73228207565, 2.48630972396],
    "train_spiral_sigmoid_log_loss": [40.0, 7.57118625084, 7.64708976554, 2.43748725853],
    "train_spiral_tanh_mse": [40.0, 4.11294500996, 5.50024495201, 1.97554421424],
    "train_spiral_tanh_log_loss": [40.0, 6.36344518541, 7.06264002344, 1.79724848697],
    "train_spiral_relu_mse": [40.0, 6.90372708527, 6.58832255268, 1.14362711136],
    "train_spiral_relu_log_loss": [40.0, 9.33621850982, 8.57320682115, 1.16602015574],
    "train_linear_sigmoid_mse": [40.0, 6.18228022201, 8.89885646286, 0.866344882217],
    "train_linear_sigmoid_log_loss": [40.0, 8.6609396909, 19.0335978085, 0.503481902858],
    "train_linear_tanh_mse": [40.0, 5.80942814269, 13.3266501245, 1.24841886161],
    "train_linear_tanh_log_loss": [40.0, 6.16967653231, 20.1148476463, 0.47604946565],
    "train_linear_relu_mse": [40.0, 8.5775980869, 16.0217170304, 4.21276596304],
    "train_linear_relu_log_loss": [40.0, 9.58728357752, 22.8453547668, 5.65089689596],
    "compare": [106.0, 21.466203571, 146.613410356, 5.20374228781],
}

MAIN_CLI = {
    ('train', '--epochs', '20', '--json'):
        ('9f72dce10e394169', [165.0, 75.2734591133, 437.014248722, 19.811141559]),
    ('compare', '--epochs', '20', '--output-bias', '-8', '--activation', 'sigmoid', '--json'):
        ('33c81913efeb7daf', [330.0, 196.868232839, 1004.10389365, 14.5631370501]),
    ('train', '--dataset', 'spiral', '--epochs', '20', '--batch-size', '32', '--json'):
        ('9f72dce10e394169', [165.0, 79.6811281133, 434.074345546, 20.2073581029]),
    ('train', '--dataset', 'blobs', '--loss', 'mse', '--epochs', '10', '--json'):
        ('00b1c3d6d0ac43c8', [85.0, 35.7441674032, 118.274294365, 8.50858388518]),
}


def _digest(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


def _sums(*arrays):
    v = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays])
    return [float(v.size), float(v.sum()), float(v @ v), float(v @ np.cos(np.arange(v.size)))]


def _assert_near(got, want, what):
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7 * np.sqrt(want[2]),
                               err_msg=str(what))


def _data_digests():
    out = {}
    for name in ("moons", "circles", "blobs", "xor", "spiral", "linear"):
        d = make_dataset(name, 200, 0.2, 0.3, 3)
        out["data_" + name] = _digest(d.X_train, d.y_train, d.X_test, d.y_test, d.X_train_raw)
    return out


def _trained():
    out = {}
    for name in ("moons", "circles", "blobs", "xor", "spiral", "linear"):
        d = make_dataset(name, 200, 0.2, 0.3, 3)
        for activation in ACTIVATIONS:
            for loss in LOSSES:
                net = TwoLayerNet(2, 6, activation, "classification", loss, seed=1)
                hist = Trainer(net, d, lr=0.5, batch_size=16, seed=2).run(5)
                out[f"train_{name}_{activation}_{loss}"] = _sums(
                    *net.get_params().values(), hist.train_loss, hist.test_metric,
                    hist.grad_norm["W2"])
    d = make_dataset("moons", 300, 0.2, 0.3, 0)
    c = Comparison(d, hidden=8, activation="sigmoid", lr=1.0, output_bias=-8.0).run(20)
    out["compare"] = _sums(*[v for n in c.nets.values() for v in n.get_params().values()],
                           *[c.histories[loss].test_metric for loss in LOSSES])
    return out


def _split(doc):
    """A JSON document as (its text with every number 0, the numbers in order)."""
    numbers = []

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            numbers.append(float(v))
            return 0
        return v

    return json.dumps(walk(doc), sort_keys=True), numbers


def test_two_class_data_are_unchanged_bit_for_bit():
    assert _data_digests() == MAIN_DATA


def test_two_class_training_is_unchanged():
    got = _trained()
    assert got.keys() == MAIN_TRAINED.keys()
    for key, want in MAIN_TRAINED.items():
        _assert_near(got[key], want, key)


def test_two_class_cli_output_is_unchanged(capsys):
    for args, (shape, want) in MAIN_CLI.items():
        text, numbers = _split(json.loads(run_main(capsys, *args)))
        assert hashlib.sha256(text.encode()).hexdigest()[:16] == shape, args
        _assert_near(_sums(numbers), want, args)


def test_two_classes_explicitly_is_the_default():
    data = make_dataset("spiral", 100, 0.2, 0.3, 4, n_classes=2)
    default = make_dataset("spiral", 100, 0.2, 0.3, 4)
    assert np.array_equal(data.X_train, default.X_train) and data.n_classes == 2
    a, b = TwoLayerNet(2, 5, n_classes=2, seed=2), TwoLayerNet(2, 5, seed=2)
    assert a.W2.shape == (1, 5) and a.output == "sigmoid"
    for p in PARAMS:
        assert np.array_equal(getattr(a, p), getattr(b, p))


@pytest.mark.parametrize("K", [2, 3, 5])
def test_per_class_metrics_are_sklearns(K):
    from sklearn.metrics import precision_recall_fscore_support

    from twolayer.metrics import per_class

    rng = np.random.default_rng(K)
    y = rng.integers(0, K, (1, 60)).astype(float)
    a2 = rng.uniform(size=(1, 60)) if K == 2 else rng.dirichlet(np.ones(K), size=60).T
    if K > 2:
        a2[K - 1] = 0.0   # a class never predicted: precision 0, as sklearn's zero_division=0
    predicted = (a2[0] >= 0.5).astype(int) if K == 2 else a2.argmax(axis=0)
    p, r, _, s = precision_recall_fscore_support(y[0], predicted, labels=list(range(K)),
                                                 zero_division=0)
    got = per_class(y, a2, K)
    np.testing.assert_allclose(got["precision"], p, rtol=1e-12)
    np.testing.assert_allclose(got["recall"], r, rtol=1e-12)
    assert got["support"] == s.tolist()
