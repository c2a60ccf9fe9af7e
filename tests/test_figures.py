"""The Playground's figures, built without Streamlit: traces, grids, colours, fonts, payload."""

import base64
import json
import re

import numpy as np
import pytest

from twolayer import figures as F
from twolayer.data import make_dataset
from twolayer.net import TwoLayerNet
from twolayer.train import Trainer


@pytest.fixture(scope="module")
def moons():
    return make_dataset("moons", 200, 0.2, 0.3, 0)


@pytest.fixture(scope="module")
def net():
    return TwoLayerNet(2, 6, "tanh", seed=1)


def as_json(fig):
    return json.loads(fig.to_json())


def decoded(array):
    """A Plotly JSON array as numpy: plain lists, or Plotly 7's base64 typed arrays."""
    if isinstance(array, dict):
        raw = base64.b64decode(array["bdata"])
        out = np.frombuffer(raw, dtype=np.dtype(array["dtype"]))
        shape = array.get("shape")
        if isinstance(shape, str):                          # "30, 30"
            shape = [int(n) for n in shape.split(",")]
        return out.reshape(shape) if shape else out
    return np.asarray(array)


def font_sizes(layout):
    """Every explicit font size in a layout (title, legend, axes, ticks, annotations)."""
    sizes = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "size" and "font" in key and isinstance(v, (int, float)):
                    sizes.append(v)
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk({k: v for k, v in layout.items() if k != "template"})
    return sizes


def test_plane_grid_orders_points_row_by_row(moons):
    x1, x2, G = F.plane_grid(moons.X_train, n=7, pad=0.5)
    assert x1.shape == x2.shape == (7,) and G.shape == (2, 49)
    # Column k is (x1[k % n], x2[k // n]): values reshape to z[i2, i1].
    z = (G[0] + 10 * G[1]).reshape(7, 7)
    np.testing.assert_allclose(z[3, 5], x1[5] + 10 * x2[3])
    assert x1[0] == pytest.approx(moons.X_train[0].min() - 0.5)
    assert x2[-1] == pytest.approx(moons.X_train[1].max() + 0.5)


@pytest.mark.parametrize("style", [F.NORMAL, F.PRESENT])
def test_decision_boundary_traces_colours_and_fonts(moons, net, style):
    x1, x2, G = F.plane_grid(moons.X_train, n=30)
    prob = net.predict(G).reshape(30, 30)
    fig = as_json(F.decision_boundary(x1, x2, prob, moons.X_train, moons.y_train, moons.X_test,
                                      moons.y_test, style=style, title="t"))
    kinds = [d["type"] for d in fig["data"]]
    assert kinds == ["heatmap", "contour"] + ["scatter"] * 4
    heat, contour = fig["data"][:2]
    assert heat["z"]["dtype"] == "f4"                     # float32 on the wire
    np.testing.assert_allclose(decoded(heat["z"]), prob, atol=1e-6)
    assert heat["colorscale"] == [list(c) for c in F.PROBABILITY_SCALE]
    assert contour["contours"]["start"] == contour["contours"]["end"] == 0.5
    train0, train1, test0, test1 = fig["data"][2:]
    assert (train0["marker"]["color"], train1["marker"]["color"]) == F.CLASS_COLORS
    assert (test0["marker"]["color"], test1["marker"]["color"]) == F.CLASS_COLORS
    assert "open" in test0["marker"]["symbol"] and "symbol" not in train0["marker"]
    # Every point lands in the trace of its own class.
    n_class1 = int(moons.y_train.sum())
    assert len(decoded(train1["x"])) == n_class1
    assert len(decoded(train0["x"])) == moons.y_train.shape[1] - n_class1
    assert "standardised" in fig["layout"]["xaxis"]["title"]["text"]
    assert "standardised" in fig["layout"]["yaxis"]["title"]["text"]
    assert min(font_sizes(fig["layout"])) >= style.font


def test_quantised_boundary_is_uint8_with_the_contour_at_half(moons):
    x1, x2, _ = F.plane_grid(moons.X_train, n=10)
    q = np.full((10, 10), 200, dtype=np.uint8)
    fig = as_json(F.decision_boundary(x1, x2, q, moons.X_train, moons.y_train))
    assert fig["data"][0]["z"]["dtype"] == "u1"
    assert fig["data"][0]["zmax"] == 255
    assert fig["data"][1]["contours"]["start"] == 127.5
    assert len(fig["data"]) == 4                           # no test points when none given


def test_regression_pictures():
    sine = make_dataset("sine", 100, 0.1, 0.3, 0)
    x, _ = F.line_grid(sine.X_train, n=50)
    fig = as_json(F.regression_curve(x, np.sin(x), sine.X_train, sine.y_train, sine.X_test,
                                     sine.y_test))
    assert [d["mode"] for d in fig["data"]] == ["lines", "markers", "markers"]
    np.testing.assert_allclose(decoded(fig["data"][0]["y"]), np.sin(x), atol=1e-6)
    bumps = make_dataset("bumps", 100, 0.1, 0.3, 0)
    x1, x2, G = F.plane_grid(bumps.X_train, n=12)
    fig = as_json(F.regression_surface(x1, x2, G[0].reshape(12, 12), bumps.X_train,
                                       bumps.y_train))
    assert [d["type"] for d in fig["data"]] == ["heatmap", "scatter"]
    assert decoded(fig["data"][0]["z"]).shape == (12, 12)
    axis = fig["layout"]["coloraxis"]
    assert axis["cmin"] == -axis["cmax"]                   # white at a target of 0
    assert axis["cmax"] == pytest.approx(np.abs(bumps.y_train).max(), rel=1e-6)


def test_curves_colours_dashes_and_marker():
    train, test = [0.9, 0.5, 0.3], [1.0, 0.6, 0.4]
    fig = as_json(F.loss_curves(train, test, "mse", epoch=2, log_y=True))
    a, b = fig["data"]
    assert a["line"]["color"] == b["line"]["color"] == F.LOSS_COLORS["mse"]
    assert (a["line"]["dash"], b["line"]["dash"]) == ("solid", "dash")
    # the values drawn: train solid, test dashed, each at its own epoch
    assert (a["name"], b["name"]) == ("train MSE", "test MSE")
    np.testing.assert_array_equal(decoded(a["x"]), [1, 2, 3])   # index k-1 is epoch k
    np.testing.assert_array_equal(decoded(b["x"]), [1, 2, 3])
    np.testing.assert_allclose(decoded(a["y"]), train, rtol=1e-7)
    np.testing.assert_allclose(decoded(b["y"]), test, rtol=1e-7)
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert fig["layout"]["shapes"][0]["x0"] == 2
    fig = as_json(F.metric_curves([0.5, 0.7], [0.4, 0.6], "accuracy", epoch=None))
    a, b = fig["data"]
    assert (a["name"], b["name"], a["line"]["dash"], b["line"]["dash"]) == \
        ("train accuracy", "test accuracy", "solid", "dash")
    np.testing.assert_allclose(decoded(a["y"]), [0.5, 0.7], rtol=1e-7)
    np.testing.assert_allclose(decoded(b["y"]), [0.4, 0.6], rtol=1e-7)
    assert "shapes" not in fig["layout"] or not fig["layout"]["shapes"]
    assert fig["layout"]["yaxis"]["range"] == [0, 1.02]


def test_empty_history_draws_a_hint_not_an_error():
    fig = as_json(F.loss_curves([], [], "log_loss", epoch=0))
    assert "press Step" in fig["layout"]["annotations"][0]["text"]


def test_gradient_norms_use_layer_colours_and_a_log_axis():
    norms = {"W1": [1.0, 0.5], "b1": [0.1, 0.0], "W2": [2.0, 1.0], "b2": [0.3, 0.2]}
    fig = as_json(F.gradient_norms(norms, epoch=1))
    assert fig["layout"]["yaxis"]["type"] == "log"
    for trace in fig["data"]:
        p = trace["name"]
        assert trace["line"]["color"] == F.LAYER_COLORS[p]
        assert trace["line"]["dash"] == F.PARAM_DASH[p]
    b1 = decoded(fig["data"][1]["y"])
    assert b1[0] == pytest.approx(0.1) and np.isnan(b1[1])   # a zero norm leaves a gap


def test_hidden_unit_mosaic_places_each_unit_in_its_tile(moons, net):
    n = 9
    _, _, G = F.plane_grid(moons.X_train, n=n)
    a1 = net.forward(G).a1.reshape(net.n_hidden, n, n)
    fig = as_json(F.hidden_unit_maps(a1, "tanh", columns=4))
    (heat,) = fig["data"]
    z = decoded(heat["z"])
    assert heat["z"]["dtype"] == "f4"
    rows = 2                                               # 6 units in columns of 4
    assert z.shape == (rows * (n + 1) - 1, 4 * (n + 1) - 1)
    # Unit 1 (index 0) is top left; unit 6 (index 5) in the second row, second column.
    np.testing.assert_allclose(z[n + 1:n + 1 + n, 0:n], a1[0], atol=1e-6)
    np.testing.assert_allclose(z[0:n, n + 1:2 * n + 1], a1[5], atol=1e-6)
    assert np.isnan(z[n, 0])                               # the gap between rows
    assert (heat["zmin"], heat["zmax"]) == (-1.0, 1.0)
    assert [a["text"] for a in fig["layout"]["annotations"]] == [f"h{k}" for k in
                                                                 range(1, 7)]


def test_hidden_units_for_one_input_are_rows():
    a1 = np.random.default_rng(0).uniform(0, 2, size=(5, 40))
    fig = as_json(F.hidden_unit_maps(a1, "relu", x=np.linspace(-2, 2, 40)))
    assert decoded(fig["data"][0]["z"]).shape == (5, 40)
    assert fig["data"][0]["zmin"] == -fig["data"][0]["zmax"]   # relu: white at 0


def test_network_diagram_edges_follow_the_weights():
    params = {"W1": np.array([[1.0, -2.0], [0.5, 0.0], [-4.0, 0.1]]),
              "b1": np.zeros((3, 1)), "W2": np.array([[3.0, -0.2, 1.0]]), "b2": np.zeros((1, 1))}
    fig = as_json(F.network_diagram(params))
    edges = [d for d in fig["data"] if d["mode"] == "lines"]
    # Every weight is one segment (x0, x1, None); colours are the signed scale's ends.
    n_segments = sum(len(decoded(d["x"])) for d in edges) // 3
    assert n_segments == 3 * 2 + 3
    colors = {d["line"]["color"] for d in edges}
    assert colors <= {F.SIGNED_SCALE[0][1], F.SIGNED_SCALE[-1][1]}
    widest = max(edges, key=lambda d: d["line"]["width"])
    assert widest["line"]["color"] == F.SIGNED_SCALE[0][1]      # |-4| is the largest weight
    hover = next(d for d in fig["data"] if d["mode"] == "markers")
    assert "W1[3,1] = -4.000" in hover["text"]


def test_training_curves_stack_three_panels_on_one_epoch_axis(moons):
    trainer = Trainer(TwoLayerNet(2, 4, "tanh", seed=0), moons, lr=0.3, batch_size=32)
    h = trainer.run(12)
    fig = as_json(F.training_curves(h, "log_loss", epoch=7, log_y=True))
    lay = fig["layout"]
    assert [d["yaxis"] for d in fig["data"]] == ["y", "y", "y2", "y2"] + ["y3"] * 4
    assert {d["legend"] for d in fig["data"]} == {"legend", "legend2", "legend3"}
    # every curve draws its own history, train solid and test dashed
    drawn = [h.train_loss, h.test_loss, h.train_metric, h.test_metric,
             *(h.grad_norm[p] for p in ("W1", "b1", "W2", "b2"))]
    for trace, values in zip(fig["data"], drawn, strict=True):
        np.testing.assert_allclose(decoded(trace["y"]), values, rtol=1e-6)
        np.testing.assert_array_equal(decoded(trace["x"]), np.arange(1, 13))
    assert [t["line"]["dash"] for t in fig["data"][:4]] == ["solid", "dash"] * 2
    assert lay["yaxis"]["type"] == "log" and lay["yaxis3"]["type"] == "log"
    assert lay["yaxis2"]["range"] == [0, 1.02]
    assert lay["xaxis2"]["matches"] == "x" and lay["xaxis3"]["matches"] == "x"
    # Panels top to bottom without overlap, the marker on each.
    tops = [lay[f"yaxis{s}"]["domain"] for s in ("", "2", "3")]
    assert tops[0][0] > tops[1][1] and tops[1][0] > tops[2][1] and tops[2][0] >= 0
    assert [(s["x0"], s["xref"]) for s in lay["shapes"]] == [(7, "x"), (7, "x2"), (7, "x3")]
    titles = [a["text"] for a in lay["annotations"]]
    assert titles == ["Loss", "Accuracy", "Gradient norm per layer"]
    assert min(font_sizes(lay)) >= F.NORMAL.font


# -- names from an upload are text, never markup -------------------------------------------------

EVIL_NAMES = ('<a href="https://evil.example">x1</a>', "<b>%{y}</b>")
EVIL_TARGET = "<img src=//evil.example/a.png>&amp;"


def strings(node):
    """Every string in a figure's JSON (data, layout, frames)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def hostile_figures(moons):
    bumps = make_dataset("bumps", 60, 0.1, 0.3, 0)
    sine = make_dataset("sine", 60, 0.1, 0.3, 0)
    x1, x2, G = F.plane_grid(moons.X_train, n=8)
    x, _ = F.line_grid(sine.X_train, n=20)
    net = TwoLayerNet(2, 3, "tanh", seed=0)
    return {
        "boundary": F.decision_boundary(x1, x2, np.full((8, 8), 0.5), moons.X_train,
                                        moons.y_train, names=EVIL_NAMES),
        "surface": F.regression_surface(x1, x2, np.zeros((8, 8)), bumps.X_train, bumps.y_train,
                                        bumps.X_test, bumps.y_test, names=EVIL_NAMES,
                                        target=EVIL_TARGET),
        "curve": F.regression_curve(x, np.sin(x), sine.X_train, sine.y_train,
                                    names=EVIL_NAMES[:1], target=EVIL_TARGET),
        "hidden": F.hidden_unit_maps(np.zeros((3, 5, 5)), "tanh", names=EVIL_NAMES),
        "hidden, one input": F.hidden_unit_maps(np.zeros((3, 20)), "tanh", x=x,
                                                names=EVIL_NAMES[:1]),
        "network": F.network_diagram(net.get_params(), input_names=EVIL_NAMES),
    }


def test_uploaded_column_names_are_escaped_in_every_figure(moons):
    for name, fig in hostile_figures(moons).items():
        spec = json.loads(fig.to_json())
        texts = list(strings(spec))
        # Plotly draws <a href>, <b>, ... in labels and fills %{...} in hover templates: no
        # label that holds a name may hold a tag (but the figure's own <extra>), or its %{y}.
        for text in texts:
            if "evil" in text or "&#37;" in text:
                assert "<" not in re.sub(r"<extra>\w*</extra>", "", text), (name, text)
            assert "%{y}</b>" not in text and "%{y}&lt;" not in text, (name, text)
        # The names are there, as entities that Plotly shows as the characters typed.
        shown = " ".join(texts)
        if name != "hidden":  # the mosaic of hidden units has no axis titles
            assert "&lt;a href=\"https://evil.example\"&gt;x1&lt;/a&gt;" in shown, name
    spec = json.loads(hostile_figures(moons)["boundary"].to_json())
    assert spec["layout"]["xaxis"]["title"]["text"] == \
        '&lt;a href="https://evil.example"&gt;x1&lt;/a&gt; (standardised)'
    assert spec["layout"]["yaxis"]["title"]["text"] == "&lt;b&gt;&#37;{y}&lt;/b&gt; (standardised)"
    surface = json.loads(hostile_figures(moons)["surface"].to_json())
    assert surface["data"][0]["hovertemplate"] == \
        "&lt;img src=//evil.example/a.png&gt;&amp;amp; = %{z:.2f}<extra></extra>"


def test_the_html_export_carries_the_names_as_text(moons):
    from twolayer.io import figure_to_html

    page = figure_to_html(hostile_figures(moons)["surface"]).decode()
    # The figure's JSON in the page, as plotly.js will read it (Plotly writes < and / of
    # strings as \\u003c and \\u002f there): the names arrive as entities, not as tags.
    as_read = page.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u002f", "/")
    assert "&lt;img src=//evil.example/a.png&gt;" in as_read
    assert "<img src=//evil" not in as_read and '<a href="https://evil' not in as_read


@pytest.mark.parametrize("style", [F.NORMAL, F.PRESENT])
@pytest.mark.parametrize(("low", "high"), [(0.05, 0.6), (1e-4, 10.0), (1e-12, 1e3)])
def test_a_log_axis_labels_no_more_decades_than_fit(style, low, high):
    # Gradient norms may span many decades; a label takes about 1.8 fonts of the axis.
    norms = {"W1": list(np.geomspace(low, high, 30)), "b1": [low] * 30, "W2": [high] * 30,
             "b2": [low] * 30}
    fig = as_json(F.gradient_norms(norms, epoch=3, style=style))
    axis = fig["layout"]["yaxis"]
    decades = np.log10(high / low)
    room = 0.7 * style.height / (1.8 * style.font)       # labels the axis has room for
    if "tickvals" in axis:   # the labels within the data's range are what is shown
        labels = sum(low * 0.999 <= t <= high * 1.001 for t in axis["tickvals"])
    else:
        labels = decades / float(axis["dtick"]) + 1
    assert labels <= room, (axis, labels, room)
    if decades < 1.5:  # a narrow span keeps the 2 and 5 between the powers of ten, all
        # labelled alike: "0.05, 0.1, 0.2", never "2, 10^-1, 5" (Plotly's "D2")
        assert axis.get("dtick") != "D2"
        assert axis["ticktext"] == [f"{t:g}" for t in axis["tickvals"]]
        assert {0.05, 0.1, 0.2, 0.5} <= set(axis["tickvals"])


def test_network_diagram_leaves_room_for_long_input_names():
    """An uploaded column's name is written left of its node: the x axis reaches far enough
    left for every character (about 0.6 of a font each) at 140 px per x unit, so that
    "hours_studied" is not cut to "studied"."""
    params = {"W1": np.ones((3, 2)), "b1": np.zeros((3, 1)), "W2": np.ones((1, 3)),
              "b2": np.zeros((1, 1))}
    for style in (F.NORMAL, F.PRESENT):
        short = F.network_diagram(params, ("x1", "x2"), style=style).layout.xaxis.range[0]
        long = F.network_diagram(params, ("hours_studied", "x2"),
                                 style=style).layout.xaxis.range[0]
        assert short == -0.35
        assert -long * 140 >= 13 * 0.6 * style.font   # the name's width, left of x = 0
