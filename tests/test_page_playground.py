"""The Playground page through Streamlit's AppTest: controls, counters, figures, bad input."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests import reference as ref
from tests.shown_text import as_shown
from twolayer.data import make_dataset
from twolayer.net import TwoLayerNet
from twolayer.settings import MAX_HIDDEN, SETTINGS, epoch_budget
from twolayer.train import Trainer
from twolayer.ui import playback as pb

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/playground.py"
CHARTS = ("boundary", "network", "curves", "hidden")


def open_page(switch=True, **query):
    """The app opened on a link with ``query``; Playground is its default page, and
    ``switch`` goes there once more the way a click in the navigation does."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = str(value)
    at.run()
    if switch:
        at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Playground"
    return at


def metrics(at):
    return {m.label: m.value for m in at.metric}


def epoch(at):
    return int(metrics(at)["Epoch"])


def specs(at):
    """The page's figures by name, in drawing order (see CHARTS)."""
    charts = at.get("plotly_chart")
    assert len(charts) == len(CHARTS)
    return dict(zip(CHARTS, (json.loads(c.proto.spec) for c in charts), strict=True))


def decoded(array):
    """A Plotly JSON array as numpy: a plain list, or Plotly 7's base64 typed array."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array)


def types(spec):
    return [d["type"] for d in spec["data"]]


def click(at, label=None, key=None):
    button = at.button(key=key) if key else next(b for b in at.button if b.label == label)
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


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
    assert not fresh.error


def test_metrics_match_an_independent_evaluation(fresh):
    # Default settings: the net the page shows at epoch 0 is the seeded initial net.
    d = SETTINGS
    data = make_dataset(d["dataset"].default, d["samples"].default, d["noise"].default,
                        d["test_fraction"].default, d["seed"].default)
    net = TwoLayerNet(2, d["hidden"].default, d["activation"].default, "classification",
                      d["loss"].default, seed=d["seed"].default)
    a2 = net.predict(data.X_test)
    expected_acc = np.mean((a2 >= 0.5) == (data.y_test == 1))
    m = metrics(fresh)
    assert float(m["Test accuracy"]) == pytest.approx(expected_acc, abs=5e-4)
    assert float(m["Train loss"]) == pytest.approx(net.loss(data.X_train, data.y_train),
                                                   abs=5e-5)


def test_step_advances_one_epoch_and_train_by_epochs_per_run():
    at = open_page()
    click(at, "Step")
    assert epoch(at) == 1
    click(at, "Step")
    assert epoch(at) == 2
    at.number_input(key="epochs_per_run").set_value(25).run()
    click(at, "Train")
    assert epoch(at) == 27
    # The history slider follows training; the curves hold one point per epoch.
    assert at.slider(key="view_epoch").value == 27
    curves = specs(at)["curves"]
    assert [d["yaxis"] for d in curves["data"]] == ["y", "y", "y2", "y2"] + ["y3"] * 4
    assert [d["name"] for d in curves["data"][4:]] == ["W1", "b1", "W2", "b2"]
    assert all(len(decoded(d["y"])) == 27 for d in curves["data"])   # one point per epoch
    assert [sh["x0"] for sh in curves["layout"]["shapes"]] == [27, 27, 27]


def test_history_slider_moves_the_pictures_and_markers_back():
    at = open_page(epochs_per_run=20)
    click(at, "Train")
    latest = specs(at)["boundary"]
    at.slider(key="view_epoch").set_value(5).run()
    back = specs(at)
    assert epoch(at) == 20                      # the counter stays where training stands
    assert "epoch 5" in back["boundary"]["layout"]["title"]["text"]
    assert back["boundary"]["data"][0]["z"] != latest["data"][0]["z"]
    assert [sh["x0"] for sh in back["curves"]["layout"]["shapes"]] == [5, 5, 5]
    # A Step brings the view back to the newest epoch.
    click(at, "Step")
    assert at.slider(key="view_epoch").value == 21


def test_regression_shows_the_fitted_curve():
    at = open_page()
    at.radio(key="task").set_value("regression").run()
    assert not at.exception
    m = metrics(at)
    assert "Train R²" in m and "Test R²" in m
    s = specs(at)
    assert types(s["boundary"]) == ["scatter", "scatter", "scatter"]
    assert s["boundary"]["data"][0]["mode"] == "lines"
    assert "Prediction" in s["boundary"]["layout"]["title"]["text"]


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


def test_reset_clears_history_and_draws_new_weights():
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
    click(at, "Reset")
    np.testing.assert_array_equal(at.session_state["trainer"][1].net.W1, second["W1"])


def test_divergence_is_reported_and_the_pictures_stay():
    at = open_page(task="regression", dataset="sine", lr=10, batch=1)
    click(at, "Step")
    assert at.error, "a diverging run must say so"
    text = at.error[0].value
    assert "diverged at epoch 1" in text and "Lower the learning rate" in text
    assert epoch(at) == 0
    assert len(at.get("plotly_chart")) == len(CHARTS)
    click(at, "Step")   # pressing on does nothing bad
    assert at.error and epoch(at) == 0
    # A lower learning rate gets another chance from the last good weights.
    at.select_slider(key="lr").set_value(0.01).run()
    assert not at.exception and not at.error
    click(at, "Step")
    assert epoch(at) == 1 and not at.error


def test_play_trains_chunks_until_pause():
    at = open_page()
    click(at, key="pg_play")
    assert epoch(at) == pb.PLAY_CHUNK
    assert at.button(key="pg_play").label == "Pause"
    anim = specs(at)["boundary"]
    assert len(anim["frames"]) == pb.PLAY_CHUNK
    assert anim["frames"][-1]["name"] == str(pb.PLAY_CHUNK)
    assert anim["layout"]["updatemenus"][0]["buttons"][0]["args"][1]["frame"]["redraw"] is True
    assert len(json.dumps(anim)) < 1_500_000
    # The animation's script presses "next chunk" when the chunk has played.
    click(at, key="pg_next")
    assert epoch(at) == 2 * pb.PLAY_CHUNK
    click(at, key="pg_play")
    assert at.button(key="pg_play").label == "Play"
    assert "frames" not in specs(at)["boundary"] or not specs(at)["boundary"]["frames"]
    click(at, key="pg_next")   # a stray "next chunk" after Pause trains nothing
    assert epoch(at) == 2 * pb.PLAY_CHUNK


def test_any_other_click_pauses_play():
    at = open_page()
    click(at, key="pg_play")
    click(at, "Step")
    assert epoch(at) == pb.PLAY_CHUNK + 1
    assert at.button(key="pg_play").label == "Play"


# -- Play's bookkeeping, without a page ----------------------------------------------------------

def test_play_epochs_stop_at_the_limit():
    assert pb.play_epochs(0, chunk=60, limit=5000) == 60
    assert pb.play_epochs(4980, chunk=60, limit=5000) == 20
    assert pb.play_epochs(5000, chunk=60, limit=5000) == 0


def test_play_chunk_stops_by_itself_after_the_limit():
    data = make_dataset("moons", 100, 0.2, 0.3, 0)
    trainer = Trainer(TwoLayerNet(2, 4, "tanh", seed=0), data, lr=0.3, batch_size=32)
    state = {}
    pb.start(state)
    state[pb.PLAYED] = pb.MAX_PLAY_EPOCHS - 5
    assert pb.chunk_due(state)
    chunk, note = pb.play_chunk(state, trainer)
    assert chunk == (0, 5) and note is None and state[pb.PLAYING]
    pb.request_chunk(state)
    assert pb.chunk_due(state)
    chunk, note = pb.play_chunk(state, trainer)
    assert chunk is None and "stopped by itself" in note and not state[pb.PLAYING]
    pb.request_chunk(state)        # not playing: the request is ignored
    assert not pb.chunk_due(state)


def test_net_at_rebuilds_the_weights_of_a_past_epoch():
    data = make_dataset("moons", 100, 0.2, 0.3, 0)
    trainer = Trainer(TwoLayerNet(2, 4, "tanh", seed=0), data, lr=0.3, batch_size=32)
    trainer.run(3)
    replay = Trainer(TwoLayerNet(2, 4, "tanh", seed=0), data, lr=0.3, batch_size=32)
    replay.run(2)
    past = pb.net_at(trainer, 2)
    for p in ("W1", "b1", "W2", "b2"):
        np.testing.assert_array_equal(getattr(past, p), getattr(replay.net, p))
    assert not np.array_equal(past.W1, trainer.net.W1)


def test_current_metrics_are_the_last_record_or_the_initial_evaluation():
    data = make_dataset("moons", 100, 0.2, 0.3, 0)
    trainer = Trainer(TwoLayerNet(2, 4, "tanh", seed=0), data, lr=0.3, batch_size=32)
    loss0, metric0 = trainer.evaluate(trainer.X_test, trainer.y_test)
    assert pb.current_metrics(trainer)[1::2] == (loss0, metric0)
    trainer.run(3)
    now = (*trainer.evaluate(trainer.X, trainer.y), *trainer.evaluate(trainer.X_test,
                                                                       trainer.y_test))
    train_loss, test_loss, train_metric, test_metric = pb.current_metrics(trainer)
    assert (train_loss, train_metric, test_loss, test_metric) == pytest.approx(now, rel=1e-12)


def test_train_is_cut_to_what_one_click_may_cost():
    at = open_page(samples=2000, batch=1, hidden=4, epochs_per_run=5000)
    allowed, _ = epoch_budget(5000, 1400, 1, 4)
    assert 1 <= allowed < 5000
    click(at, "Train")
    assert epoch(at) == allowed
    assert any("too long for one click" in i.value for i in at.info)


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
    assert len(at.get("plotly_chart")) == len(CHARTS)


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
