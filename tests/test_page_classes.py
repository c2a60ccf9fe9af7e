"""Every page with ?classes=3, through Streamlit's AppTest: the settings in force, K regions in
the boundary maps (the argmax of softmax outputs computed here from the weights), per-class
numbers equal to sklearn.metrics, the links, uploads of weights and labels for K classes."""

import base64
import json
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

from tests import apptest_util
from tests.shown_text import as_shown
from twolayer.data import make_dataset
from twolayer.io import weights_to_npz
from twolayer.net import TwoLayerNet
from twolayer.ui import transfer
from twolayer.ui.classes import class_table

GRID = 80


def open_page(page, **query):
    at = apptest_util.open_page(page, **query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def live(at, name):
    [component] = [c for c in at.get("bidi_component") if c.proto.id.endswith(name)]
    return json.loads(component.proto.json)


def decoded(array):
    """8-bit levels {"u8", "lo", "hi", "shape"} (lo + c (hi - lo) / 254) or Plotly's base64."""
    if "u8" in array:
        codes = np.frombuffer(base64.b64decode(array["u8"]), dtype=np.uint8)
        return (array["lo"] + codes * (array["hi"] - array["lo"]) / 254).reshape(array["shape"])
    names = {"f4": np.float32, "f8": np.float64}
    values = np.frombuffer(base64.b64decode(array["bdata"]), dtype=names[array["dtype"]])
    return values.reshape([int(n) for n in str(array["shape"]).split(",")])


def argmax_here(net, X, n=GRID, pad=0.5):
    """The predicted class over the boundary's grid, from the weights, softmax written here."""
    x1 = np.linspace(X[0].min() - pad, X[0].max() + pad, n)
    x2 = np.linspace(X[1].min() - pad, X[1].max() + pad, n)
    G = np.array([[a, b] for b in x2 for a in x1]).T
    a1 = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
          "relu": lambda z: np.maximum(z, 0)}[net.activation](net.W1 @ G + net.b1)
    z2 = net.W2 @ a1 + net.b2
    return np.argmax(z2, axis=0).reshape(n, n)   # the softmax keeps the order of z2


def assert_regions(spec, net, X, k=3):
    """A boundary figure (as the live component received it) draws k regions, each point's
    class the argmax of the net's outputs there."""
    heat = spec["data"][0]
    assert heat["type"] == "heatmap" and (heat["zmin"], heat["zmax"]) == (0, k)
    assert not any(t["type"] == "contour" for t in spec["data"])   # no 0.5 contour for K
    z = decoded(heat["z"])
    drawn = np.floor(z).astype(int)
    assert set(np.unique(drawn)) == set(range(k))
    expected = argmax_here(net, X)
    # Where two classes are as likely to the last bits, float32 may pick the other one.
    assert np.mean(drawn == expected) > 0.999
    assert len(heat["colorscale"]) == 2 * k     # one band per class


# -- the sidebar and the links -------------------------------------------------------------------

def test_the_link_sets_three_classes_and_the_sidebar_offers_only_datasets_that_make_them():
    at = open_page(None, classes=3, dataset="spiral")
    assert at.session_state["settings"]["classes"] == 3
    assert at.slider(key="classes").value == 3
    assert at.selectbox(key="dataset").options == ["blobs", "spiral", "linear"]
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "moons, circles, xor have fewer and are not offered" in captions
    net = at.session_state["trainer"][1].net
    assert (net.n_classes, net.W2.shape, net.b2.shape) == (3, (3, 8), (3, 1))
    link = at.sidebar.code[0].value
    assert "classes=3" in link and "dataset=spiral" in link
    at.slider(key="classes").set_value(2).run()
    assert "classes=" not in at.sidebar.code[0].value
    assert at.session_state["trainer"][1].net.n_classes == 2


def test_a_dataset_of_two_classes_in_the_link_is_named_and_replaced():
    at = open_page(None, classes=3, dataset="moons")
    notes = as_shown(" ".join(i.value for i in at.info))
    assert "'moons' has two classes; 3 classes: using 'spiral'" in notes
    assert at.session_state["settings"]["dataset"] == "spiral"
    at = open_page(None, classes=5, dataset="linear")
    assert "'linear' has at most 4 classes" in as_shown(" ".join(i.value for i in at.info))


def test_the_control_moves_the_dataset_to_one_that_makes_k_classes():
    at = open_page(None)
    assert at.session_state["settings"]["dataset"] == "moons"
    at.slider(key="classes").set_value(4).run()
    assert not at.exception
    s = at.session_state["settings"]
    assert (s["classes"], s["dataset"]) == (4, "spiral")
    assert at.session_state["trainer"][1].data.n_classes == 4
    at.radio(key="task").set_value("regression").run()
    assert not at.exception and at.session_state["settings"]["classes"] == 2
    assert not [s for s in at.sidebar.slider if s.label == "Classes"]


# -- the Playground ------------------------------------------------------------------------------

def test_playground_draws_three_regions_and_per_class_numbers_equal_sklearn():
    at = open_page("pages/playground.py", classes=3, dataset="spiral")
    for _ in range(3):
        click(at, "pg_step")
    trainer = at.session_state["trainer"][1]
    net, data = trainer.net, trainer.data
    assert net.n_classes == 3 and trainer.epoch == 3
    charts = live(at, "-pg_live")["charts"]
    assert_regions(charts["boundary"]["figure"], net, data.X_train)
    # The network diagram: one output node per class.
    nodes = charts["network"]["figure"]["data"][-1]
    assert [t for t in nodes["text"] if t.startswith("a2")] == ["a2[0]", "a2[1]", "a2[2]"]
    # Per class, as sklearn.metrics computes it from the net's predictions.
    [table] = at.dataframe
    df = table.value
    pred = np.argmax(net.predict(data.X_test), axis=0)
    y = data.y_test[0].astype(int)
    np.testing.assert_allclose(df["test recall"], np.round(
        recall_score(y, pred, labels=[0, 1, 2], average=None, zero_division=0), 3))
    np.testing.assert_allclose(df["test precision"], np.round(
        precision_score(y, pred, labels=[0, 1, 2], average=None, zero_division=0), 3))
    assert list(df["test samples"]) == [int(np.sum(y == k)) for k in range(3)]
    accuracy = float(next(m.value for m in at.metric if m.label == "Test accuracy"))
    assert accuracy == pytest.approx(np.mean(pred == y), abs=5e-4)


def test_play_frames_carry_the_regions_as_levels_of_the_drawn_scale():
    """A frame's picture decodes to k + floor(s L) / L: the same class per pixel as the
    figure drawn at that epoch (no change to the live charts needed)."""
    at = open_page("pages/playground.py", classes=3, dataset="spiral")
    click(at, "pg_play")
    chunk = live(at, "-pg_live")["stream"]
    frame = chunk["frames"][-1]
    patch = frame["charts"]["boundary"]
    assert patch["traces"] == [0] and set(patch["set"]) == {"z"}
    z = decoded(patch["set"]["z"])
    assert z.min() >= 0 and z.max() < 3
    trainer = at.session_state["trainer"][1]
    assert trainer.epoch == frame["epoch"]
    expected = argmax_here(trainer.net, trainer.data.X_train)
    assert np.mean(np.floor(z).astype(int) == expected) > 0.999


def test_class_table_is_sklearn_per_class():
    rng = np.random.default_rng(0)
    y, pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    pred[pred == 3] = 0     # class 3 never predicted: precision 0, not a warning
    rows = class_table(y, pred, 4)
    assert [r["recall"] for r in rows] == list(recall_score(y, pred, average=None))
    assert [r["precision"] for r in rows] == list(
        precision_score(y, pred, average=None, zero_division=0))


# -- MSE vs log-loss -----------------------------------------------------------------------------

def test_compare_draws_two_region_maps_from_the_generalised_saturated_start():
    at = open_page("pages/compare.py", classes=3, lesson="saturated")
    cmp = at.session_state["compare"][1]
    assert cmp.n_classes == 3 and cmp.data.name == "blobs"   # the lesson's K-class dataset
    for t in cmp.trainers.values():
        np.testing.assert_array_equal(t.net.b2.ravel(), [0.0, -8.0, -8.0])
    captions = " ".join(c.value for c in at.caption)
    assert "b2 = (0, -8, -8)" in captions and "class 0 with probability 0.999" in captions
    text = " ".join(i.value for i in at.info)
    assert "every sample starts as class 0 with probability 0.9993" in text
    assert "7 epochs with cross-entropy, 75 epochs with MSE" in text
    warnings = " ".join(w.value for w in at.warning)
    assert "trains with **blobs** here" in warnings
    click(at, "cmp_step")
    charts = live(at, "-cmp_live")["charts"]
    assert set(charts) == {"mse", "log_loss"}
    for loss in ("mse", "log_loss"):
        spec = charts[loss]["figure"]
        heat = spec["data"][0]
        assert (heat["zmin"], heat["zmax"]) == (0, 3)
        expected = argmax_here(cmp.trainers[loss].net, cmp.data.X_train)
        assert np.mean(np.floor(decoded(heat["z"])).astype(int) == expected) > 0.999
    assert any("softmax" in m.value for m in at.markdown)


def test_compare_play_frames_carry_both_nets_regions():
    at = open_page("pages/compare.py", classes=3, lesson="fair")
    click(at, "cmp_play")
    frame = live(at, "-cmp_live")["stream"]["frames"][-1]
    cmp = at.session_state["compare"][1]
    assert cmp.epoch == frame["epoch"]
    for loss in ("mse", "log_loss"):
        patch = frame["charts"][loss]
        assert patch["traces"] == [0] and set(patch["set"]) == {"z"}
        z = decoded(patch["set"]["z"])
        expected = argmax_here(cmp.trainers[loss].net, cmp.data.X_train)
        assert np.mean(np.floor(z).astype(int) == expected) > 0.999


# -- Backprop, Sweep, Loss landscape -------------------------------------------------------------

def test_backprop_shows_the_softmax_lines_of_a_three_class_net():
    at = open_page("pages/backprop.py", classes=3)
    net = at.session_state["backprop_net"]["net"]
    assert net.n_classes == 3
    bodies = [e.body.strip().strip("$").strip() for e in at.latex]
    assert any("operatorname{onehot}" in b for b in bodies)
    assert any("diag}(a_2) - a_2 a_2^{T}" in b for b in bodies)
    # a2 beside its softmax line: the softmax of the shown net's z2 for a training sample.
    k = next(i for i, b in enumerate(bodies) if b.startswith("a_2 = \\operatorname{softmax}"))
    shown = [float(v) for v in bodies[k + 1].split("bmatrix}")[1].split("\\end")[0]
             .replace("\\\\", " ").split()]
    data = at.session_state["trainer"][1].data if "trainer" in at.session_state else None
    z2 = net.forward((data or make_dataset("spiral", 500, 0.2, 0.3, 0, n_classes=3))
                     .X_train[:, [0]]).z2[:, 0]
    expected = np.exp(z2 - z2.max()) / np.exp(z2 - z2.max()).sum()
    np.testing.assert_allclose(shown, expected, atol=6e-4)


def test_sweep_trains_three_class_nets(monkeypatch):
    """Every net the page's sweep trains has three softmax outputs (recorded as it is made;
    a seed of its own, so that no cached sweep answers instead)."""
    from twolayer import sweep

    made, init = [], sweep.Sweep.__init__

    def recording(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append((self.n_classes, self.net(0).W2.shape[0]))

    monkeypatch.setattr(sweep.Sweep, "__init__", recording)
    at = open_page("pages/sweep.py", classes=3, sweep_epochs=10, sweep_seeds=1, seed=7)
    assert at.session_state["settings"]["classes"] == 3 and not at.error
    assert made and set(made) == {(3, 3)}


def test_landscape_starts_on_class_1s_weight_and_bias():
    at = open_page("pages/landscape.py", classes=3)
    assert at.selectbox(key="ls_x").value == "W2[1,0]"
    assert at.selectbox(key="ls_y").value == "b2[1,0]"
    assert "b2[2,0]" in at.selectbox(key="ls_x").options
    assert "b2" not in at.selectbox(key="ls_x").options


# -- uploads -------------------------------------------------------------------------------------

class FakeUploader:
    """st.file_uploader's return value, for upload_panel outside a browser."""

    def __init__(self, name, raw):
        self.file = SimpleNamespace(name=name, file_id=name, getvalue=lambda: raw)

    def __call__(self, *args, **kwargs):
        return self.file


@pytest.fixture
def uploaded(monkeypatch):
    shown = {"error": []}
    monkeypatch.setattr(transfer.st, "file_uploader", None)
    monkeypatch.setattr(transfer.st, "error", lambda text, **kw: shown["error"].append(text))
    monkeypatch.setattr(transfer.st, "session_state", {})

    def upload(name, raw, n_classes):
        monkeypatch.setattr(transfer.st, "file_uploader", FakeUploader(name, raw))
        return transfer.upload_panel("classification", n_inputs=2, n_classes=n_classes), shown

    return upload


def test_weights_of_a_three_class_net_are_refused_on_a_two_class_page(uploaded):
    data = make_dataset("spiral", 100, 0.1, 0.3, 0, n_classes=3)
    net = TwoLayerNet(2, 4, "tanh", "classification", "log_loss", 0, n_classes=3)
    raw = weights_to_npz(net, data)
    got, shown = uploaded("three.npz", raw, 2)
    assert got is None
    [error] = shown["error"]
    error = as_shown(error)
    assert "they are for 3 classes" in error and "the current data has 2 classes" in error
    assert "Classes" in error
    got, shown = uploaded("three-again.npz", raw, 3)
    assert got is not None and got.net.n_classes == 3


def test_a_csv_with_labels_0_to_2_is_taken_for_three_classes_only(uploaded):
    rng = np.random.default_rng(1)
    rows = ["a,b,label"] + [f"{x:.3f},{y:.3f},{k % 3}" for k, (x, y) in
                            enumerate(rng.normal(size=(60, 2)))]
    raw = "\n".join(rows).encode()
    got, shown = uploaded("three.csv", raw, 3)
    assert got is not None and got.dataset.n_classes == 3
    assert set(np.unique(got.dataset.y_train)) == {0.0, 1.0, 2.0}
    got, shown = uploaded("three-on-two.csv", raw, 2)
    assert got is None and "Classes" in shown["error"][-1]
