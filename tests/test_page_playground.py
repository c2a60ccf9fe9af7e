"""The Playground page through Streamlit's AppTest: controls, counters, the data handed to the
live charts (figures, and Play's chunks of frames), bad input; Play's bookkeeping as plain
functions."""

import base64
import json

import numpy as np
import pytest

from tests import apptest_util
from tests import reference as ref
from tests.shown_text import as_shown
from twolayer.data import make_dataset
from twolayer.figures import PRESENT
from twolayer.net import TwoLayerNet
from twolayer.settings import MAX_HIDDEN, SETTINGS, epoch_budget
from twolayer.train import Trainer
from twolayer.ui import playback as pb

PAGE = "pages/playground.py"
CHARTS = ("boundary", "network", "curves", "hidden")
GRID = 80                 # the boundary grid per side (twolayer.settings.GRID)
LEVEL = 1 / 508           # 8-bit levels: at most half of (hi - lo) / 254 away
CURVES = ("train_loss", "test_loss", "train_metric", "test_metric")   # then W1, b1, W2, b2


def open_page(switch=True, **query):
    """The app opened on a link with ``query``; Playground is its default page, and
    ``switch`` goes there once more the way a click in the navigation does."""
    at = apptest_util.open_page(PAGE if switch else None, **query)
    assert at.title[0].value == "Playground"
    return at


def metrics(at):
    return {m.label: m.value for m in at.metric}


def epoch(at):
    return int(metrics(at)["Epoch"])


def live(at):
    """The data the page handed to its live-charts component on the last run."""
    [component] = [c for c in at.get("bidi_component") if c.proto.id.endswith("-pg_live")]
    return json.loads(component.proto.json)


def specs(at):
    """The page's figures by name (see CHARTS), as the live component received them."""
    charts = live(at)["charts"]
    assert set(charts) == set(CHARTS)
    return {name: charts[name]["figure"] for name in CHARTS}


def decoded(array):
    """An array as the component receives it, decoded here on its own: a plain list, Plotly's
    base64 {"dtype", "bdata", "shape"}, or 8-bit levels {"u8", "lo", "hi", "shape"} where
    code c < 255 stands for lo + c (hi - lo) / 254 and 255 for NaN."""
    if not isinstance(array, dict):
        return np.asarray(array, dtype=float)
    if "u8" in array:
        codes = np.frombuffer(base64.b64decode(array["u8"]), dtype=np.uint8)
        values = array["lo"] + codes * (array["hi"] - array["lo"]) / 254
        return np.where(codes == 255, np.nan, values).reshape(array["shape"])
    names = {"f4": np.float32, "f8": np.float64, "i1": np.int8, "i2": np.int16, "i4": np.int32,
             "u1": np.uint8, "u2": np.uint16, "u4": np.uint32}
    values = np.frombuffer(base64.b64decode(array["bdata"]), dtype=names[array["dtype"]])
    if "shape" in array:
        values = values.reshape([int(n) for n in str(array["shape"]).split(",")])
    return values


def types(spec):
    return [d["type"] for d in spec["data"]]


def click(at, label=None, key=None):
    button = at.button(key=key) if key else next(b for b in at.button if b.label == label)
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def default_trainer():
    """The net and trainer of the default settings, built from the core alone."""
    d = {k: s.default for k, s in SETTINGS.items()}
    data = make_dataset(d["dataset"], d["samples"], d["noise"], d["test_fraction"], d["seed"])
    net = TwoLayerNet(2, d["hidden"], d["activation"], "classification", d["loss"],
                      seed=d["seed"])
    return Trainer(net, data, lr=d["lr"], batch_size=d["batch"], l2=d["l2"], seed=d["seed"])


def plane(X, n=GRID, pad=0.5):
    """The boundary's grid, written out: n points from min - pad to max + pad on each input,
    as columns with x1 varying fastest."""
    x1 = np.linspace(X[0].min() - pad, X[0].max() + pad, n)
    x2 = np.linspace(X[1].min() - pad, X[1].max() + pad, n)
    return x1, x2, np.array([[a, b] for b in x2 for a in x1]).T


@pytest.fixture(scope="module")
def fresh():
    return open_page()


def test_defaults_draw_every_picture_without_exception(fresh):
    m = metrics(fresh)
    assert m["Epoch"] == "0"
    assert set(m) == {"Epoch", "Train loss", "Test loss", "Train accuracy", "Test accuracy"}
    s = specs(fresh)
    assert types(s["boundary"])[:2] == ["heatmap", "contour"]
    assert types(s["boundary"])[2:] == ["scatter"] * 4      # train and test, two classes each
    assert types(s["hidden"]) == ["heatmap"]
    assert s["boundary"]["layout"]["title"]["text"] == "Decision boundary at epoch 0"
    data = live(fresh)
    assert data["stream"] is None and data["keys"] == {"play": "pg_play", "step": "pg_step",
                                                       "reset": "pg_reset", "speed": "pg_speed"}
    assert not fresh.error


def test_metrics_match_an_independent_evaluation(fresh):
    # Default settings: the net the page shows at epoch 0 is the seeded initial net.
    t = default_trainer()
    a2 = t.net.predict(t.data.X_test)
    expected_acc = np.mean((a2 >= 0.5) == (t.data.y_test == 1))
    m = metrics(fresh)
    assert float(m["Test accuracy"]) == pytest.approx(expected_acc, abs=5e-4)
    assert float(m["Train loss"]) == pytest.approx(t.net.loss(t.data.X_train, t.data.y_train),
                                                   abs=5e-5)


def test_step_hands_the_component_the_boundary_of_the_trained_net():
    """The grid the browser draws equals net.predict on the grid points, to 8-bit levels."""
    at = open_page()
    click(at, "Step")
    twin = default_trainer()
    twin.run(1)
    boundary = specs(at)["boundary"]
    x1, x2, G = plane(twin.data.X_train)
    heat, contour = boundary["data"][:2]
    np.testing.assert_allclose(decoded(heat["x"]), x1, rtol=1e-6)
    np.testing.assert_allclose(decoded(heat["y"]), x2, rtol=1e-6)
    expected = twin.net.predict(G).reshape(GRID, GRID)
    for trace in (heat, contour):
        z = decoded(trace["z"])
        assert z.shape == (GRID, GRID)
        assert np.abs(z - expected).max() <= LEVEL * np.ptp(expected) + 1e-9
    assert boundary["layout"]["title"]["text"] == "Decision boundary at epoch 1"


def test_the_page_hands_over_the_next_steps_charts_and_step_brings_those():
    """With the charts on screen comes the next Step's (trained ahead): the boundary of the net
    one epoch on, as the core computes it; Step then sends exactly those charts, and Play none."""
    at = open_page()
    for n in (1, 2):
        ahead = live(at)["ahead"]
        assert ahead["epoch"] == n and epoch(at) == n - 1   # the page itself has not moved
        twin = default_trainer()
        twin.run(n)
        heat = ahead["charts"]["boundary"]["figure"]["data"][0]
        expected = twin.net.predict(plane(twin.data.X_train)[2]).reshape(GRID, GRID)
        assert np.abs(decoded(heat["z"]) - expected).max() <= LEVEL * np.ptp(expected) + 1e-9
        assert ahead["charts"]["boundary"]["figure"]["layout"]["title"]["text"] == \
            f"Decision boundary at epoch {n}"
        curves = ahead["charts"]["curves"]["figure"]
        np.testing.assert_allclose(decoded(curves["data"][0]["y"]), twin.history.train_loss,
                                   rtol=1e-6)
        click(at, "Step")
        assert epoch(at) == n
        assert live(at)["charts"] == ahead["charts"]
    at.toggle(key="pg_test").set_value(False).run()     # the next Step's charts follow along
    assert len(live(at)["ahead"]["charts"]["boundary"]["figure"]["data"]) < \
        len(ahead["charts"]["boundary"]["figure"]["data"])
    click(at, "Play")
    assert live(at)["ahead"] is None


def test_step_advances_one_epoch_and_train_by_epochs_per_run():
    at = open_page()
    click(at, "Step")
    assert epoch(at) == 1
    click(at, "Step")
    assert epoch(at) == 2
    at.number_input(key="epochs_per_run").set_value(25).run()
    click(at, "Train")
    assert epoch(at) == 27
    # The history slider follows training; the curves hold one point per epoch, the core's.
    assert at.slider(key="view_epoch").value == 27
    curves = specs(at)["curves"]
    assert [d["yaxis"] for d in curves["data"]] == ["y", "y", "y2", "y2"] + ["y3"] * 4
    assert [d["name"] for d in curves["data"][4:]] == ["W1", "b1", "W2", "b2"]
    twin = default_trainer()
    twin.run(27)
    h = twin.history
    expected = [getattr(h, k) for k in CURVES] + [h.grad_norm[p] for p in ("W1", "b1", "W2",
                                                                           "b2")]
    for trace, values in zip(curves["data"], expected, strict=True):
        np.testing.assert_array_equal(decoded(trace["x"]), np.arange(1, 28))
        np.testing.assert_allclose(decoded(trace["y"]), values, rtol=1e-6)
    assert [sh["x0"] for sh in curves["layout"]["shapes"]] == [27, 27, 27]


def test_history_slider_moves_the_pictures_and_markers_back():
    at = open_page(epochs_per_run=20)
    click(at, "Train")
    latest = specs(at)["boundary"]
    at.slider(key="view_epoch").set_value(5).run()
    back = specs(at)
    assert back["boundary"]["layout"]["title"]["text"] == "Decision boundary at epoch 5"
    twin = default_trainer()
    twin.run(5)
    # The numbers follow the picture: epoch 5's row, and they say which row of how many.
    shown = metrics(at)
    assert shown["Epoch"] == "5 of 20"
    h = twin.history
    assert shown["Train loss"] == f"{h.train_loss[4]:.4f}"
    assert shown["Test loss"] == f"{h.test_loss[4]:.4f}"
    assert shown["Train accuracy"] == f"{h.train_metric[4]:.3f}"
    assert shown["Test accuracy"] == f"{h.test_metric[4]:.3f}"
    z = decoded(back["boundary"]["data"][0]["z"])
    expected = twin.net.predict(plane(twin.data.X_train)[2]).reshape(GRID, GRID)
    assert np.abs(z - expected).max() <= LEVEL * np.ptp(expected) + 1e-9
    assert not np.allclose(z, decoded(latest["data"][0]["z"]), atol=0.01)
    assert [sh["x0"] for sh in back["curves"]["layout"]["shapes"]] == [5, 5, 5]
    # A Step brings the view back to the newest epoch.
    click(at, "Step")
    assert at.slider(key="view_epoch").value == 21


def test_a_thinned_out_epoch_is_named_for_what_is_drawn():
    """Beyond 2000 snapshots older epochs are kept every other one: the picture then shows the
    nearest kept epoch, and the title, the marker and a note say which (B9)."""
    at = open_page(epochs_per_run=2600)
    for _ in range(6):     # one click's CPU time may run out first (a slow, busy machine)
        click(at, "Train")
        if epoch(at) >= 2600:
            break
    assert epoch(at) >= 2600
    kept = at.session_state["trainer"][1].history.snapshots
    missing = next(e for e in range(1, 2500) if e not in kept)
    at.slider(key="view_epoch").set_value(missing).run()
    shown = max(e for e in kept if e < missing)
    s = specs(at)
    assert s["boundary"]["layout"]["title"]["text"] == f"Decision boundary at epoch {shown}"
    assert [sh["x0"] for sh in s["curves"]["layout"]["shapes"]] == [shown] * 3
    assert any(f"Epoch {missing} is not kept" in c.value and f"epoch {shown}" in c.value
               for c in at.caption)


def test_regression_shows_the_fitted_curve():
    at = open_page()
    at.radio(key="task").set_value("regression").run()
    assert not at.exception
    m = metrics(at)
    assert "Train R²" in m and "Test R²" in m
    s = specs(at)
    assert types(s["boundary"]) == ["scatter", "scatter", "scatter"]
    assert s["boundary"]["data"][0]["mode"] == "lines"
    assert s["boundary"]["layout"]["title"]["text"] == "Prediction at epoch 0"


def test_regression_with_two_inputs_shows_a_surface():
    at = open_page(task="regression", dataset="bumps")
    s = specs(at)
    assert types(s["boundary"]) == ["heatmap", "scatter", "scatter"]
    assert s["boundary"]["data"][1]["marker"]["coloraxis"] == "coloraxis"


def test_query_params_seed_the_widgets():
    at = open_page(hidden=12, activation="relu", epochs_per_run=30)
    assert at.slider(key="hidden").value == 12
    assert at.number_input(key="epochs_per_run").value == 30
    nodes = specs(at)["network"]["data"][-1]
    assert len(decoded(nodes["x"])) == 2 + 12 + 1        # inputs, hidden units, output
    assert decoded(specs(at)["hidden"]["data"][0]["z"]).size > 0
    click(at, "Train")
    assert epoch(at) == 30


def test_out_of_range_query_params_are_clamped_with_a_note():
    at = open_page(switch=False, hidden=1000, epochs_per_run=999999)
    assert at.slider(key="hidden").value == MAX_HIDDEN
    assert at.number_input(key="epochs_per_run").value == SETTINGS["epochs_per_run"].hi
    notes = " ".join(i.value for i in at.info)
    assert "Hidden units" in notes and "1000" in notes and str(MAX_HIDDEN) in notes
    assert "Epochs per Train" in notes


def test_changing_the_network_resets_training_and_says_so():
    at = open_page()
    click(at, "Step")
    at.slider(key="hidden").set_value(4).run()
    assert epoch(at) == 0
    assert any("starts again" in i.value for i in at.info)
    click(at, "Step")
    assert not any("starts again" in i.value for i in at.info)


def test_learning_rate_change_continues_from_current_weights():
    at = open_page()
    click(at, "Step")
    at.select_slider(key="lr").set_value(0.1).run()
    assert epoch(at) == 1
    click(at, "Step")
    assert epoch(at) == 2
    twin = default_trainer()
    twin.run(1)
    twin.lr = 0.1
    twin.run(1)
    np.testing.assert_array_equal(at.session_state["trainer"][1].net.W1, twin.net.W1)


def test_reset_clears_history_and_draws_new_weights():
    """Reset draws weights from (seed, 1): neither the trained ones nor the initial ones."""
    at = open_page()
    click(at, "Step")
    click(at, "Reset")
    assert epoch(at) == 0
    trainer = at.session_state["trainer"][1]
    assert trainer.history.epochs == 0 and list(trainer.history.snapshots) == [0]
    # New weights, neither the seed's first draw (which the link reproduces) nor those after
    # the Step: the n-th Reset draws from (seed, n), Glorot uniform for tanh, as documented.
    first, second = ref.glorot((0, 1), 2, 8), ref.glorot((0, 2), 2, 8)
    for p in ("W1", "b1", "W2", "b2"):
        np.testing.assert_array_equal(getattr(trainer.net, p), first[p])
    assert not np.array_equal(first["W1"], ref.glorot(0, 2, 8)["W1"])
    nodes = specs(at)["network"]["data"][-1]   # the diagram's nodes are coloured by the biases
    np.testing.assert_allclose(decoded(nodes["marker"]["color"])[2:],
                               np.concatenate([first["b1"].ravel(), first["b2"].ravel()]),
                               rtol=1e-6)
    click(at, "Reset")
    np.testing.assert_array_equal(at.session_state["trainer"][1].net.W1, second["W1"])


def test_divergence_is_reported_and_the_pictures_stay():
    at = open_page(task="regression", dataset="sine", lr=10, batch=1)
    click(at, "Step")
    assert at.error, "a diverging run must say so"
    text = at.error[0].value
    assert "diverged at epoch 1" in text and "Lower the learning rate" in text
    assert epoch(at) == 0
    assert set(live(at)["charts"]) == set(CHARTS)
    click(at, "Step")   # pressing on does nothing bad
    assert at.error and epoch(at) == 0
    # A lower learning rate gets another chance from the last good weights.
    at.select_slider(key="lr").set_value(0.01).run()
    assert not at.exception and not at.error
    click(at, "Step")
    assert epoch(at) == 1 and not at.error


# -- Play: the chunks the page hands the browser ------------------------------------------------

def test_play_hands_the_browser_a_chunk_of_frames_of_the_core():
    at = open_page()
    assert "every epoch" in at.button(key="pg_play").help
    click(at, key="pg_play")
    assert at.button(key="pg_play").label == "Pause"
    # No tooltip opens under the pointer that pressed Play, over the picture, while it plays
    assert not at.button(key="pg_play").help
    assert at.button(key="pg_step").disabled and at.button(key="pg_train").disabled
    stream = live(at)["stream"]
    assert (stream["seq"], stream["start"], stream["end"]) == (0, 0, None)
    frames = stream["frames"]
    assert [f["epoch"] for f in frames] == list(range(1, pb.FIRST_FRAMES + 1))  # speed 1
    twin = default_trainer()
    G = plane(twin.data.X_train)[2]
    points = [[] for _ in range(8)]
    for f in frames:
        twin.run(1)
        patch = f["charts"]["boundary"]
        assert patch["traces"] == [0, 1]      # the heatmap and its 0.5 contour
        assert patch["layout"]["title.text"] == f"Decision boundary at epoch {f['epoch']}"
        z, expected = decoded(patch["set"]["z"]), twin.net.predict(G).reshape(GRID, GRID)
        assert np.abs(z - expected).max() <= LEVEL * np.ptp(expected) + 1e-9
        curves = f["charts"]["curves"]
        assert all(decoded(x).tolist() == [f["epoch"]] for x in curves["append"]["x"])
        for k, y in enumerate(curves["append"]["y"]):
            points[k] += decoded(y).tolist()
        # the diagram on frames 15, 45, ..., the hidden units on 30, 60, ... of the play
        assert ("network" in f["charts"]) == (f["epoch"] % 30 == 15)
        assert ("hidden" in f["charts"]) == (f["epoch"] % 30 == 0)
    h = twin.history
    expected = [getattr(h, k) for k in CURVES] + [h.grad_norm[p] for p in ("W1", "b1", "W2",
                                                                           "b2")]
    for got, values in zip(points, expected, strict=True):
        np.testing.assert_allclose(got, values, rtol=1e-6)
    # While playing, no number names an epoch of its own: the picture's title is the one
    # epoch on screen (a rerun's numbers would trail it by a second, or lead it by a chunk).
    assert "Epoch" not in metrics(at)
    assert not any(s.key == "view_epoch" for s in at.slider)
    assert at.session_state["trainer"][1].epoch == pb.FIRST_FRAMES


def test_pause_without_word_from_the_browser_goes_back_to_the_last_epoch_it_showed():
    at = open_page()
    click(at, "Step")
    click(at, key="pg_play")
    assert at.session_state["trainer"][1].epoch == 1 + pb.FIRST_FRAMES
    click(at, key="pg_play")
    assert at.button(key="pg_play").label == "Play" and live(at)["stream"] is None
    assert epoch(at) == 1 and at.session_state["trainer"][1].history.epochs == 1
    assert at.slider(key="view_epoch").value == 1
    assert specs(at)["boundary"]["layout"]["title"]["text"] == "Decision boundary at epoch 1"


def test_any_other_click_pauses_play():
    at = open_page()
    click(at, key="pg_play")
    click(at, "Reset")
    assert at.button(key="pg_play").label == "Play" and epoch(at) == 0
    click(at, key="pg_play")
    at.toggle(key="pg_test").set_value(False).run()
    assert at.button(key="pg_play").label == "Play" and live(at)["stream"] is None


def test_a_new_speed_keeps_playing():
    at = open_page()
    click(at, key="pg_play")
    at.get("button_group")[0].set_value(10).run()
    assert at.button(key="pg_play").label == "Pause"
    assert live(at)["stream"]["seq"] == 0      # the chunk in flight plays on


# -- Play's bookkeeping, as plain functions ------------------------------------------------------

def small_trainer(**kw):
    data = make_dataset(kw.pop("dataset", "moons"), kw.pop("samples", 100), 0.2, 0.3, 0)
    net = TwoLayerNet(data.n_inputs, kw.pop("hidden", 4), kw.pop("activation", "tanh"), data.task,
                      "mse" if data.task == "regression" else "log_loss", seed=0)
    return Trainer(net, data, **{"lr": 0.3, "batch_size": 32, **kw})


def chart_hashes(charts):
    return {name: chart["hash"] for name, chart in charts.items()}


@pytest.mark.parametrize("options", [{}, {"show_test": False, "log_y": True},
                                     {"style": PRESENT}])
def test_the_next_step_is_made_ahead_on_a_copy_and_found_again_after_step(options):
    t, alone = small_trainer(), small_trainer()
    t.run(5)
    weights = t.net.get_params()
    drawn, scene = pb.Drawn(), pb.PlaygroundScene(t, **options)
    drawn.at(scene, 5)
    ahead = drawn.ahead(scene)
    assert t.epoch == 5 and t.history.epochs == 5              # the trainer stays where it is
    assert all(np.array_equal(getattr(t.net, p), weights[p]) for p in weights)
    alone.run(6)                                  # a trainer that simply went on: the reference
    _, figs = pb.PlaygroundScene(alone, **options).figures(6)
    assert ahead["epoch"] == 6
    assert chart_hashes(ahead["charts"]) == chart_hashes(pb.charts(figs))
    for view in (4, 3, 2, 1):                     # the history slider scrubs back ...
        assert drawn.at(scene, view)[0] == view
        assert drawn.ahead(scene) is ahead        # ... and the next Step stays as it was made
    t.run(1)                                      # Step
    recorded, charts, boundary = drawn.at(scene, 6)
    assert recorded == 6 and charts is ahead["charts"]          # made once, not twice
    assert boundary.layout.title.text.endswith("at epoch 6")    # the figure download's
    assert drawn.ahead(scene)["epoch"] == 7


def test_the_next_step_follows_the_settings_and_the_trainer():
    t = small_trainer()
    drawn = pb.Drawn()
    scene = pb.PlaygroundScene(t)
    slow = drawn.ahead(scene)
    t.lr = 3.0                                    # a new learning rate: another next epoch
    fast = drawn.ahead(scene)
    reference = small_trainer(lr=3.0)
    reference.run(1)
    assert chart_hashes(fast["charts"]) == \
        chart_hashes(pb.charts(pb.PlaygroundScene(reference).figures(1)[1]))
    assert chart_hashes(fast["charts"]) != chart_hashes(slow["charts"])
    # Another net with the very same weights and no history yet (Reset after a new loss or
    # activation, same seed): its charts are its own.
    other = t.copy()                              # the same data, weights and epoch
    other.net.loss_name = "mse"
    other.net.activation = "relu"
    mine = drawn.at(pb.PlaygroundScene(other), 0)[1]
    reference = pb.charts(pb.PlaygroundScene(other).figures(0)[1])
    assert chart_hashes(mine) == chart_hashes(reference)
    assert chart_hashes(mine) != chart_hashes(drawn.at(scene, 0)[1])


def test_no_next_step_is_shown_where_training_cannot_go_on():
    t = small_trainer(dataset="sine", samples=100, lr=50.0, batch_size=1)
    t.run(1)
    if t.diverged is None:      # diverges within its first epochs at this learning rate
        t.run(5)
    assert t.diverged is not None
    assert pb.Drawn().ahead(pb.PlaygroundScene(t)) is None
    good = small_trainer(dataset="sine", samples=100, lr=50.0, batch_size=1)
    good.run(t.epoch)           # one epoch before it diverges: the next one would
    assert good.diverged is None
    assert pb.Drawn().ahead(pb.PlaygroundScene(good)) is None
    assert good.epoch == t.epoch and good.diverged is None


def asked(play, seq, shown):
    return pb.on_need(play, {"play": play.id, "seq": seq, "shown": shown})


def test_the_next_chunk_continues_at_the_right_epoch_and_speed():
    t = small_trainer()
    t.run(7)
    play, scene = pb.Play(), pb.PlaygroundScene(t)
    pb.start(play, [t])
    first = pb.make_chunk(play, scene, speed=1)
    assert [f["epoch"] for f in first["frames"]] == list(range(8, 38))   # 30 frames first
    assert pb.make_chunk(play, scene) is None         # nobody asked for the next one yet
    assert asked(play, 1, 15) and play.shown == 15
    second = pb.make_chunk(play, scene, speed=5)
    epochs = [f["epoch"] for f in second["frames"]]
    assert second["seq"] == 1 and epochs == list(range(42, 38 + 5 * 60, 5))   # 60 frames
    # the curves get every epoch trained, the pictures every 5th
    x = np.concatenate([decoded(f["charts"]["curves"]["append"]["x"][0])
                        for f in second["frames"]])
    assert x.tolist() == list(range(38, 38 + 5 * 60))
    twin = small_trainer()
    twin.run(epochs[-1])
    z = decoded(second["frames"][-1]["charts"]["boundary"]["set"]["z"])
    expected = twin.net.predict(plane(twin.data.X_train)[2]).reshape(GRID, GRID)
    assert np.abs(z - expected).max() <= LEVEL * np.ptp(expected) + 1e-9


def test_requests_of_an_old_play_or_out_of_turn_make_nothing():
    t = small_trainer()
    play, scene = pb.Play(), pb.PlaygroundScene(t)
    pb.start(play, [t])
    pb.make_chunk(play, scene)
    assert not pb.on_need(play, {"play": play.id - 1, "seq": 1, "shown": 3})
    assert not asked(play, 0, 3)      # the chunk it has: sent again by the rerun itself
    assert not asked(play, 2, 3)      # one it cannot have asked for yet
    assert not pb.on_need(play, {"play": play.id, "seq": "1"})
    assert pb.make_chunk(play, scene) is None and t.epoch == pb.FIRST_FRAMES


def test_play_stops_at_the_play_limit():
    t = small_trainer()
    play, scene = pb.Play(), pb.PlaygroundScene(t)
    pb.start(play, [t])
    chunk = pb.make_chunk(play, scene, limit=45)
    assert chunk["end"] is None and t.epoch == 30
    asked(play, 1, 10)
    chunk = pb.make_chunk(play, scene, limit=45)
    assert [f["epoch"] for f in chunk["frames"]] == list(range(31, 46)) and t.epoch == 45
    assert chunk["end"]["reason"] == "limit"
    # the browser plays it to the end and says where it stopped
    assert pb.on_pause(play, [t], {"play": play.id, "epoch": 45, "end": True})
    assert not play.playing and t.epoch == 45
    assert play.note == "Play stopped by itself after 45 epochs."


def test_play_stops_at_divergence_on_the_last_good_epoch():
    t = small_trainer(dataset="bumps", samples=200, hidden=8, lr=1.0, batch_size=None)
    play, scene = pb.Play(), pb.PlaygroundScene(t)
    pb.start(play, [t])
    chunk = pb.make_chunk(play, scene, speed=2)
    assert t.diverged == 11 and t.epoch == 10
    assert chunk["end"] == {"reason": "diverged"}
    assert [f["epoch"] for f in chunk["frames"]] == [2, 4, 6, 8, 10]
    last = chunk["frames"][-1]["charts"]              # the last frame shows every chart
    assert "network" in last and "hidden" in last
    assert pb.on_pause(play, [t], {"play": play.id, "epoch": 10, "end": True})
    assert t.diverged == 11 and t.epoch == 10 and play.note is None


def test_pause_goes_back_to_the_epoch_on_screen():
    t = small_trainer()
    play, scene = pb.Play(), pb.PlaygroundScene(t)
    pb.start(play, [t])
    pb.make_chunk(play, scene)
    asked(play, 1, 12)
    pb.make_chunk(play, scene)
    assert t.epoch == 30 + 60
    assert pb.on_pause(play, [t], {"play": play.id, "epoch": 17, "end": False})
    assert not play.playing and play.stopped and play.note is None
    twin = small_trainer()
    twin.run(17)
    assert t.epoch == 17 and t.history.train_loss == twin.history.train_loss
    for p in ("W1", "b1", "W2", "b2"):
        np.testing.assert_array_equal(getattr(t.net, p), getattr(twin.net, p))
    # Paused: a late request trains nothing, a second Pause changes nothing.
    assert not asked(play, 2, 17) and pb.make_chunk(play, scene) is None
    assert not pb.on_pause(play, [t], {"play": play.id, "epoch": 5, "end": False})
    assert t.epoch == 17


def test_a_rerun_for_anything_else_pauses_on_the_last_epoch_reported():
    t = small_trainer()
    play, scene = pb.Play(), pb.PlaygroundScene(t)
    pb.start(play, [t])
    assert pb.settle(play, [t])         # Play's own first run
    pb.make_chunk(play, scene)
    asked(play, 1, 9)
    pb.make_chunk(play, scene)
    pb.keep_playing(play)                # the speed changed: plays on
    assert pb.settle(play, [t])
    assert not pb.settle(play, [t])      # anything else: paused where the browser last was
    assert t.epoch == 9


def test_metrics_at_an_epoch_are_its_record_or_the_initial_evaluation():
    t = small_trainer()
    initial = t.net.copy()
    t.run(3)
    loss0, metric0 = initial.loss(t.X_test, t.y_test), np.mean(
        (initial.predict(t.X_test) >= 0.5) == (t.y_test >= 0.5))
    _, test_loss, _, test_metric = pb.metrics_at(t, 0)
    assert (test_loss, test_metric) == pytest.approx((loss0, metric0), rel=1e-12)
    replay = small_trainer()
    replay.run(2)
    train_loss, _, _, _ = pb.metrics_at(t, 2)
    assert train_loss == pytest.approx(replay.net.loss(t.X, t.y), rel=1e-12)


def test_net_at_rebuilds_the_weights_of_a_past_epoch():
    trainer = small_trainer()
    trainer.run(3)
    replay = small_trainer()
    replay.run(2)
    recorded, past = pb.net_at(trainer, 2)
    assert recorded == 2
    for p in ("W1", "b1", "W2", "b2"):
        np.testing.assert_array_equal(getattr(past, p), getattr(replay.net, p))
    assert not np.array_equal(past.W1, trainer.net.W1)


def test_train_is_cut_to_what_one_click_may_cost():
    at = open_page(samples=2000, batch=1, hidden=4, epochs_per_run=5000)
    allowed, _ = epoch_budget(5000, 1400, 1, 4)
    assert 1 <= allowed < 5000
    click(at, "Train")
    if epoch(at) == allowed:
        assert any("too long for one click" in i.value for i in at.info)
    else:   # the measured CPU time stopped it earlier still (a busy machine), and says so
        assert 1 <= epoch(at) < allowed
        assert any(f"Stopped after {epoch(at)} of {allowed} epochs" in i.value for i in at.info)


# -- your own data: upload, refusal, weights round trip ------------------------------------------

GOOD_CSV = "x1,x2,label\n" + "\n".join(
    f"{x1:.3f},{x2:.3f},{int(x1 + x2 > 0)}"
    for x1, x2 in np.random.default_rng(7).uniform(-1, 1, size=(60, 2)))


def uploader(at):
    return at.get("file_uploader")[0]


def test_a_good_csv_becomes_the_training_data_and_trains():
    at = open_page()
    uploader(at).upload("mine.csv", GOOD_CSV.encode(), "text/csv")
    at.run()
    assert not at.exception and not at.error
    assert any("Training on your file" in c.value for c in at.caption)
    trainer = at.session_state["trainer"][1]
    assert trainer.data.name == "upload"
    assert trainer.X.shape[1] + trainer.X_test.shape[1] == 60
    _click(at, "Train")
    assert epoch(at) == SETTINGS["epochs_per_run"].default
    # 100 epochs on the file's rows, as the equations say (tests/reference.py): the seeded
    # start (seed 0, tanh, 8 units), learning rate 0.3, mini-batches of 32 in the
    # documented order; and the loss went down.
    trainer = at.session_state["trainer"][1]
    expected, losses = ref.train(ref.glorot(0, 2, 8), trainer.X, trainer.y, "tanh",
                                 "classification", "log_loss", 0.3, 32, epochs=100, seed=0)
    for p in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(getattr(trainer.net, p), expected[p], rtol=1e-8, atol=1e-11)
    np.testing.assert_allclose(trainer.history.train_loss, losses, rtol=1e-8)
    assert losses[-1] < 0.5 * losses[0]


def test_a_malformed_csv_is_refused_with_its_reason_and_training_is_kept():
    at = open_page()
    _click(at, "Step")
    _click(at, "Step")
    before = at.session_state["trainer"][1]
    uploader(at).upload("bad.csv", b"x1;x2;label\n1;2;0\n3;4;1\n", "text/csv")
    at.run()
    assert not at.exception
    assert any("delimiter" in e.value and "bad.csv" in as_shown(e.value) for e in at.error)
    assert at.session_state["trainer"][1] is before and epoch(at) == 2


def test_downloaded_weights_uploaded_again_give_the_same_predictions():
    from twolayer.io import weights_to_npz

    at = open_page()
    _click(at, "Train")
    trained = at.session_state["trainer"][1]
    raw = weights_to_npz(trained.net, trained.data)
    fresh = open_page()
    assert not np.array_equal(fresh.session_state["trainer"][1].net.W1, trained.net.W1)
    uploader(fresh).upload("weights.npz", raw, "application/octet-stream")
    fresh.run()
    assert not fresh.exception and not fresh.error
    loaded = fresh.session_state["trainer"][1].net
    X = trained.data.X_test
    assert np.array_equal(loaded.predict(X), trained.net.predict(X))
    assert any("Loaded the weights" in i.value for i in fresh.info)


def _click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("make", ["huge shape", "npy with npz appended"])
def test_a_crafted_weights_file_is_refused_and_every_control_stays(make):
    from tests.test_io import _claims_huge_shape, _npy_with_npz_appended

    raw = {"huge shape": _claims_huge_shape,
           "npy with npz appended": _npy_with_npz_appended}[make]()
    at = open_page()
    _click(at, "Step")
    before = at.session_state["trainer"][1]
    uploader(at).upload("evil.npz", raw, "application/octet-stream")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("evil.npz" in as_shown(e.value) and "Cannot load these weights" in e.value
               for e in at.error)
    assert at.session_state["trainer"][1] is before and epoch(at) == 1
    # The controls below the uploader are all drawn, on this run and the next.
    _click(at, "Step")
    assert epoch(at) == 2
    assert {"Step", "Train", "Reset"} <= {b.label for b in at.button}
    assert set(live(at)["charts"]) == set(CHARTS)


@pytest.mark.parametrize("hidden", [8, 64])
def test_a_chunk_stays_small(hidden):
    """A second of Play (30 frames, three with the diagram and the hidden units) is a few
    hundred KB at most, whatever the network."""
    t = small_trainer(samples=500, hidden=hidden)
    play = pb.Play()
    pb.start(play, [t])
    chunk = pb.make_chunk(play, pb.PlaygroundScene(t), speed=10)
    assert len(json.dumps(chunk, allow_nan=False)) < 600_000


def test_an_uploaded_csv_and_its_training_survive_a_visit_to_another_page():
    at = open_page()
    uploader(at).upload("mine.csv", GOOD_CSV.encode(), "text/csv")
    at.run()
    _click(at, "Train")
    trained = at.session_state["trainer"][1]
    assert trained.data.name == "upload" and trained.epoch == 100
    at.switch_page("pages/compare.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.session_state["trainer"][1] is trained and epoch(at) == 100
    assert any("Training on your file mine.csv" in as_shown(c.value) for c in at.caption)
    # Going back to the generated data is one click (the uploader is empty now).
    _click(at, "Back to the generated data")
    assert at.session_state["trainer"][1].data.name == "moons" and epoch(at) == 0
    assert not any("Training on your file" in c.value for c in at.caption)


def test_removing_the_file_goes_back_to_the_generated_data():
    at = open_page()
    uploader(at).upload("mine.csv", GOOD_CSV.encode(), "text/csv")
    at.run()
    assert at.session_state["trainer"][1].data.name == "upload"
    uploader(at).clear()
    at.run()
    assert at.session_state["trainer"][1].data.name == "moons"



@pytest.mark.parametrize("present", [False, True])
def test_the_live_figures_are_those_a_checked_build_makes(present):
    """The scene builds its figures without plotly.py's per-property check (for speed): their
    JSON must be what the checked build gives, the template included."""
    from twolayer.figures import NORMAL, PRESENT
    d = {k: s.default for k, s in SETTINGS.items()}
    data = make_dataset(d["dataset"], d["samples"], d["noise"], d["test_fraction"], d["seed"])
    trainer = Trainer(TwoLayerNet(2, 8, "tanh", "classification", "log_loss", seed=0), data,
                      lr=0.3, batch_size=32, seed=0)
    trainer.run(3)
    scene = pb.PlaygroundScene(trainer, style=PRESENT if present else NORMAL)
    fast = scene.figures(3)[1]
    checked = pb.PlaygroundScene.figures.__wrapped__(scene, 3)[1]   # without @unvalidated()
    assert set(fast) == set(checked) == {"boundary", "network", "curves", "hidden"}
    for name in fast:
        assert json.dumps(fast[name].to_plotly_json(), sort_keys=True, default=str) == \
            json.dumps(checked[name].to_plotly_json(), sort_keys=True, default=str), name


def test_the_epoch_shown_survives_a_visit_to_another_page():
    """Streamlit forgets a widget that a run does not draw: the history slider, the title, the
    numbers and the weights to download still name the epoch shown after the page was left
    and opened again, at the latest epoch and scrubbed back."""
    at = open_page(epochs_per_run=30)
    click(at, "Train")
    for back in (None, 12):
        if back is not None:
            at.slider(key="view_epoch").set_value(back).run()
        for other in ("pages/compare.py", "pages/sweep.py"):
            at.switch_page(other).run()
        at.switch_page(PAGE).run()
        shown = 30 if back is None else back
        assert at.slider(key="view_epoch").value == shown
        assert metrics(at)["Epoch"] == ("30" if back is None else "12 of 30")
        title = specs(at)["boundary"]["layout"]["title"]["text"]
        assert title == f"Decision boundary at epoch {shown}"
        twin = default_trainer()
        twin.run(shown)
        assert metrics(at)["Train loss"] == f"{twin.history.train_loss[-1]:.4f}"
