"""AppTest for pages/compare.py: MSE vs log-loss, its lessons, its controls, and the data its
live boundaries get (figures, and Play's chunks of frames)."""

import base64
import json

import numpy as np
import pytest

from tests import apptest_util
from tests import reference as ref
from tests.shown_text import as_shown
from twolayer.compare import comparison_for
from twolayer.data import make_dataset
from twolayer.figures import LOSS_COLORS, LOSS_LABELS
from twolayer.settings import SETTINGS
from twolayer.ui import playback as pb
from twolayer.ui.lesson_book import LESSONS, lesson_numbers

PAGE = "pages/compare.py"
BASE_CHARTS = ("compare_accuracy", "compare_loss", "compare_grad_norms", "compare_delta2")
BOUNDARIES = ("mse", "log_loss")   # the live boundaries, by the name the component draws them
GRID = 80


def open_page(**params):
    return apptest_util.open_page(PAGE, **params)


def charts(at):
    """{key: figure dict} of the page's Plotly charts, by the key the page gave each."""
    out = {}
    for chart in at.get("plotly_chart"):
        key = chart.proto.id.rsplit("-", 1)[-1]
        out[key] = json.loads(chart.proto.spec)
    return out


def values(v):
    """An array from a figure's JSON, decoded here on its own: a list, Plotly 7's base64 typed
    array, or the live component's 8-bit levels (code c < 255 is lo + c (hi - lo) / 254)."""
    if isinstance(v, dict) and "u8" in v:
        codes = np.frombuffer(base64.b64decode(v["u8"]), dtype=np.uint8)
        return (v["lo"] + codes * (v["hi"] - v["lo"]) / 254).reshape(v["shape"])
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v)


def live(at):
    """The data the page handed to its live boundaries on the last run."""
    [component] = [c for c in at.get("bidi_component") if c.proto.id.endswith("-cmp_live")]
    return json.loads(component.proto.json)


def boundaries(at):
    charts = live(at)["charts"]
    assert set(charts) == set(BOUNDARIES)
    return {loss: charts[loss]["figure"] for loss in BOUNDARIES}


def default_comparison():
    """Both nets of the page's default settings (no lesson), from the core alone."""
    d = {k: s.default for k, s in SETTINGS.items()}
    data = make_dataset(d["dataset"], d["samples"], d["noise"], d["test_fraction"], d["seed"])
    return comparison_for(d, data)


def plane(X, n=GRID, pad=0.5):
    x1 = np.linspace(X[0].min() - pad, X[0].max() + pad, n)
    x2 = np.linspace(X[1].min() - pad, X[1].max() + pad, n)
    return np.array([[a, b] for b in x2 for a in x1]).T


def comparison(at):
    return at.session_state["compare"][1]


def click(at, label):
    [button] = [b for b in at.button if b.label == label]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def default_page():
    return open_page()


def test_runs_with_the_defaults(default_page):
    at = default_page
    assert at.title[0].value == "MSE vs log-loss"
    assert set(BASE_CHARTS) <= set(charts(at))
    assert comparison(at).epoch == 0
    assert at.selectbox(key="lesson").value == "none"
    # the sidebar's settings drive the nets when no lesson is chosen (default: tanh, 8 units)
    nets = comparison(at).nets
    assert nets["mse"].activation == "tanh" == nets["log_loss"].activation
    assert nets["mse"].n_hidden == 8
    assert any("Loss* does not apply" in c.value for c in at.caption)


def test_the_charts_hold_one_trace_per_loss_in_its_colour(default_page):
    figs = charts(default_page)
    for key in ("compare_accuracy", "compare_loss", "compare_delta2"):
        traces = figs[key]["data"]
        assert [t["name"] for t in traces] == [LOSS_LABELS["mse"], LOSS_LABELS["log_loss"]]
        colours = [t.get("line", t.get("marker", {})).get("color") for t in traces]
        assert colours == [LOSS_COLORS["mse"], LOSS_COLORS["log_loss"]], key
    grad = figs["compare_grad_norms"]["data"]
    assert sorted(t["legendgroup"] for t in grad if "meta" in t) == \
        ["log_loss"] * 4 + ["mse"] * 4


def test_step_advances_both_nets_in_lockstep():
    at = open_page()
    before = {k: n.get_params() for k, n in comparison(at).nets.items()}
    click(at, "Step")
    cmp = comparison(at)
    assert cmp.epoch == 1
    assert all(t.epoch == 1 for t in cmp.trainers.values())
    assert all(not np.array_equal(before[k]["W1"], n.W1) for k, n in cmp.nets.items())
    assert "**Epoch 1**" in [m.value for m in at.markdown]
    assert set(boundaries(at)) == set(BOUNDARIES)
    figs = charts(at)
    assert all(len(values(t["x"])) == 1 for t in figs["compare_accuracy"]["data"])
    click(at, "Train 100")
    assert comparison(at).epoch == 101
    assert all(len(h.train_loss) == 101 for h in comparison(at).histories.values())
    click(at, "Reset")
    assert comparison(at).epoch == 0


def test_metrics_above_each_boundary_are_that_nets():
    at = open_page()
    click(at, "Step")
    # Each net after one epoch, computed here from the equations (tests/reference.py): the
    # seeded start (seed 0, tanh, 8 units, b2 = 0), learning rate 0.3, batches of 32 in the
    # documented order; its accuracy on the test part and its loss on the training part.
    data = make_dataset("moons", 500, 0.2, 0.3, 0)
    values = {m.label: m.value for m in at.metric}
    shown = set()
    for loss in ("mse", "log_loss"):
        P, _ = ref.train(ref.glorot(0, 2, 8), data.X_train, data.y_train, "tanh",
                         "classification", loss, 0.3, 32, epochs=1, seed=0)
        acc = ref.accuracy(P, data.X_test, data.y_test, "tanh")
        train_loss = ref.loss(P, data.X_train, data.y_train, "tanh", "classification", loss)
        assert values[f"{LOSS_LABELS[loss]}: test accuracy"] == f"{acc:.3f}"
        assert values[f"{LOSS_LABELS[loss]}: training loss"] == f"{train_loss:.4g}"
        shown.add((f"{acc:.3f}", f"{train_loss:.4g}"))
    assert len(shown) == 2  # the two nets differ after one epoch: a swap would show


def test_the_live_boundaries_are_the_two_nets():
    """Each boundary the browser draws is its net's predict on the grid, to 8-bit levels, and
    its title names the loss and the epoch."""
    at = open_page()
    click(at, "Step")
    twin = default_comparison().run(1)
    G = plane(twin.data.X_train)
    for loss, fig in boundaries(at).items():
        expected = twin.nets[loss].predict(G).reshape(GRID, GRID)
        for trace in fig["data"][:2]:
            assert np.abs(values(trace["z"]) - expected).max() <= np.ptp(expected) / 508 + 1e-9
        assert fig["layout"]["title"]["text"] == f"{LOSS_LABELS[loss]} net, epoch 1"
    assert live(at)["keys"] == {"play": "cmp_play", "step": "cmp_step", "reset": "cmp_reset",
                                "speed": "cmp_speed"}


def test_the_next_steps_boundaries_come_ahead_and_step_brings_those():
    """With the two boundaries comes the next Step's pair, trained ahead on a copy of both nets:
    each is its net one epoch on, as the core computes it; Step sends exactly those."""
    at = open_page()
    for n in (1, 2):
        ahead = live(at)["ahead"]
        assert ahead["epoch"] == n and comparison(at).epoch == n - 1   # the nets stay put
        twin = default_comparison().run(n)
        G = plane(twin.data.X_train)
        for loss in BOUNDARIES:
            fig = ahead["charts"][loss]["figure"]
            expected = twin.nets[loss].predict(G).reshape(GRID, GRID)
            assert np.abs(values(fig["data"][0]["z"]) - expected).max() <= \
                np.ptp(expected) / 508 + 1e-9
            assert fig["layout"]["title"]["text"].endswith(f"epoch {n}")
        click(at, "Step")
        assert live(at)["charts"] == ahead["charts"]
    click(at, "Play")
    assert live(at)["ahead"] is None


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_a_lesson_link_opens_that_lesson(lesson):
    at = open_page(lesson=lesson)
    assert at.selectbox(key="lesson").value == lesson
    assert LESSONS[lesson].title in [h.value for h in at.subheader]
    text = " ".join(i.body for i in at.info)
    numbers = lesson_numbers(lesson)
    if lesson == "one_neuron":
        assert f"{numbers['mse_steps']} steps" in text
        assert f"{numbers['mse_after']:.3f}" in text
        assert "one_neuron" in charts(at)
    else:
        assert f"{numbers['acc_log_loss']:.2f}" in text and f"{numbers['acc_mse']:.2f}" in text
        cmp = comparison(at)
        lesson_ = LESSONS[lesson]
        assert at.number_input(key="output_bias").value == lesson_.output_bias
        assert cmp.nets["mse"].b2[0, 0] == lesson_.output_bias == cmp.nets["log_loss"].b2[0, 0]
        assert cmp.nets["mse"].activation == "sigmoid" and cmp.nets["mse"].n_hidden == 8
        assert cmp.trainers["log_loss"].lr == 1.0
    assert set(BASE_CHARTS) <= set(charts(at))


def test_saturated_lesson_overrides_the_sidebar_without_touching_it():
    at = open_page(lesson="saturated", lr="0.3", activation="tanh")
    cmp = comparison(at)
    # the page uses the lesson's values ...
    assert cmp.trainers["mse"].lr == 1.0 and cmp.nets["mse"].activation == "sigmoid"
    assert cmp.trainers["mse"].batch_size == cmp.trainers["mse"].X.shape[1]
    # ... and the URL-bound sidebar widgets keep theirs: nothing fights over them
    assert at.select_slider(key="lr").value == 0.3
    assert at.selectbox(key="activation").value == "tanh"
    # Train 300 epochs: the lesson's numbers are what the page then shows
    at.number_input(key="compare_epochs").set_value(300).run()
    click(at, "Train 300")
    numbers = lesson_numbers("saturated")
    values = {m.label: m.value for m in at.metric}
    assert values["log-loss: test accuracy"] == f"{numbers['acc_log_loss']:.3f}"
    assert values["MSE: test accuracy"] == f"{numbers['acc_mse']:.3f}"


def test_edit_lesson_settings_moves_them_to_the_sidebar():
    at = open_page(lesson="saturated")
    click(at, "Edit these settings in the sidebar")
    assert at.selectbox(key="lesson").value == "none"
    assert at.select_slider(key="lr").value == 1.0
    assert at.selectbox(key="activation").value == "sigmoid"
    assert at.select_slider(key="batch").value == "all"
    cmp = comparison(at)
    assert cmp.nets["mse"].activation == "sigmoid" and cmp.trainers["mse"].lr == 1.0
    # the output bias stays where the lesson put it
    assert at.number_input(key="output_bias").value == -8.0
    # and now the sidebar drives the page again
    at.select_slider(key="lr").set_value(0.1).run()
    assert comparison(at).trainers["log_loss"].lr == pytest.approx(0.1)


def test_choosing_a_lesson_in_the_page_applies_it():
    at = open_page()
    at.selectbox(key="lesson").select("saturated").run()
    assert not at.exception
    assert at.number_input(key="output_bias").value == -8.0
    assert comparison(at).nets["mse"].b2[0, 0] == -8.0
    at.selectbox(key="lesson").select("fair").run()
    assert at.number_input(key="output_bias").value == 0.0
    assert comparison(at).trainers["mse"].batch_size == 32


def test_a_link_with_its_own_output_bias_keeps_it_inside_a_lesson():
    at = open_page(lesson="saturated", output_bias="-3", lr_factor="10")
    assert at.number_input(key="output_bias").value == -3.0
    assert comparison(at).nets["mse"].b2[0, 0] == -3.0
    assert at.select_slider(key="lr_factor").value == 10
    # choosing another lesson afterwards applies that lesson's values
    at.selectbox(key="lesson").select("fair").run()
    assert at.number_input(key="output_bias").value == 0.0
    assert at.select_slider(key="lr_factor").value == 1


def test_lr_factor_multiplies_the_mse_rate():
    at = open_page()
    at.select_slider(key="lr_factor").set_value(30).run()
    t = comparison(at).trainers
    assert t["mse"].lr == pytest.approx(30 * t["log_loss"].lr)


def test_output_bias_from_a_link_is_clamped_with_a_note():
    at = open_page(output_bias="-50")
    assert at.number_input(key="output_bias").value == -20.0
    assert comparison(at).nets["mse"].b2[0, 0] == -20.0
    assert "From the link: Output bias b2 at the start = '-50' is outside -20..20; using -20.0." \
        in [as_shown(i.body) for i in at.info]
    at = open_page(output_bias="abc")
    assert at.number_input(key="output_bias").value == 0.0
    assert "From the link: Output bias b2 at the start = 'abc' is not a number; using 0.0." \
        in [as_shown(i.body) for i in at.info]


def test_changing_the_output_bias_restarts_both_nets():
    at = open_page()
    click(at, "Step")
    at.number_input(key="output_bias").set_value(-4.0).run()
    cmp = comparison(at)
    assert cmp.epoch == 0 and cmp.nets["log_loss"].b2[0, 0] == -4.0


def test_a_regression_task_gets_a_message_not_a_traceback():
    at = open_page(task="regression")
    assert any("classification" in w.value for w in at.warning)
    click(at, "Switch to classification")
    assert set(BASE_CHARTS) <= set(charts(at))


def test_play_streams_both_boundaries_and_pause_goes_back_to_the_screen():
    at = open_page()
    click(at, "Play")
    assert [b.label for b in at.button if b.key == "cmp_play"] == ["Pause"]
    stream = live(at)["stream"]
    frames = stream["frames"]
    assert stream["seq"] == 0 and [f["epoch"] for f in frames] == \
        list(range(1, pb.FIRST_FRAMES + 1))
    twin = default_comparison()
    G = plane(twin.data.X_train)
    for f in frames:
        twin.run(1)
        for loss in BOUNDARIES:
            patch = f["charts"][loss]
            expected = twin.nets[loss].predict(G).reshape(GRID, GRID)
            assert np.abs(values(patch["set"]["z"]) - expected).max() <= \
                np.ptp(expected) / 508 + 1e-9
            assert patch["layout"]["title.text"] == \
                f"{LOSS_LABELS[loss]} net, epoch {f['epoch']}"
    assert comparison(at).epoch == pb.FIRST_FRAMES
    # While playing, no number names an epoch of its own: the maps' titles are the one on
    # screen (a rerun's numbers would trail them by a second, or lead them by a chunk).
    assert not any(m.value.startswith("**Epoch") for m in at.markdown)
    assert not at.metric
    # Pause with no word from the browser: back to the last epoch it showed, epoch 0.
    click(at, "Pause")
    assert comparison(at).epoch == 0 and live(at)["stream"] is None
    assert all(len(h.train_loss) == 0 for h in comparison(at).histories.values())


def annotations(fig):
    return [a["text"] for a in fig["layout"].get("annotations", [])]


def test_curves_frozen_at_epoch_0_by_play_do_not_ask_for_step_or_train():
    """Play from epoch 0 keeps the curves as they were (empty) until Pause: they must not tell
    the user to press Step or Train, which Play disables."""
    at = open_page()
    empty = [annotations(charts(at)[k]) for k in BASE_CHARTS[:3]]
    assert all(any("press Step or Train" in t for t in a) for a in empty), empty
    click(at, "Play")
    playing = [annotations(charts(at)[k]) for k in BASE_CHARTS[:3]]
    assert all(a and not any("Step or Train" in t for t in a) for a in playing), playing
    assert all(any("follow on Pause" in t for t in a) for a in playing), playing
    click(at, "Pause")   # no word from the browser: back to epoch 0, Step and Train enabled
    assert [annotations(charts(at)[k]) for k in BASE_CHARTS[:3]] == empty


def test_the_browser_animation_is_gone():
    """The live boundaries replace the precomputed animation (and its "press again")."""
    at = open_page(lesson="saturated")
    assert not [t for t in at.toggle if t.label == "Show the animation"]
    assert "compare_animation_chart" not in charts(at)


# -- a lesson's text against the values a link or a click set ----------------------------------

def lesson_infos(at):
    """The text of every info box but the link notes (the lesson's text is one)."""
    return [i.body for i in at.info if not i.body.startswith("From the link")]


def test_a_lesson_text_never_contradicts_the_output_bias_of_the_link():
    at = open_page(lesson="saturated", output_bias="3")
    assert at.number_input(key="output_bias").value == 3.0
    assert comparison(at).nets["mse"].b2[0, 0] == 3.0
    # Nothing outside the folded lesson text says b2 = -8 ...
    assert not any("-8" in text for text in lesson_infos(at))
    assert [w.body for w in at.main.warning] == [
        "This page is off the lesson's start: Output bias b2 at the start is 3, not -8. The "
        "lesson's text describes its own start, so it is folded away below."]
    [folded] = [e for e in at.main.expander if e.label != "About this page"]
    assert folded.label == ("What the lesson shows from its own start (Output bias b2 at the "
                            "start -8, MSE learning rate x 1)")
    assert "b2 = -8" in folded.markdown[0].value
    # ... and one click goes back to the lesson's start, where its text is shown again.
    click(at, "Back to the lesson's start")
    assert at.number_input(key="output_bias").value == -8.0
    assert any("b2 = -8" in text for text in lesson_infos(at))
    assert [e.label for e in at.main.expander] == ["About this page"]


def test_moving_the_mse_factor_folds_the_fair_lessons_numbers_away():
    at = open_page(lesson="fair")
    numbers = lesson_numbers("fair")
    assert any(f"{numbers['acc_mse']:.2f}" in t for t in lesson_infos(at))
    at.select_slider(key="lr_factor").set_value(10).run()
    assert not any(f"{numbers['acc_mse']:.2f}" in t for t in lesson_infos(at))
    assert "MSE learning rate x is 10, not 1" in at.main.warning[0].body


def test_one_neuron_after_saturated_starts_the_comparison_from_b2_0():
    at = open_page()
    at.selectbox(key="lesson").select("saturated").run()
    assert comparison(at).nets["mse"].b2[0, 0] == -8.0
    at.selectbox(key="lesson").select("one_neuron").run()
    assert not at.exception
    assert at.number_input(key="output_bias").value == 0.0
    assert at.select_slider(key="lr_factor").value == 1
    assert comparison(at).nets["mse"].b2[0, 0] == 0.0 == comparison(at).nets["log_loss"].b2[0, 0]
    assert not at.warning   # one neuron's text is about its own chart


def test_the_sidebar_says_value_by_value_what_a_lesson_trains_instead():
    """The saturated lesson trains sigmoid, learning rate 1, full batch: under each of these
    settings the sidebar says so (it still shows the values of its own)."""
    at = open_page(lesson="saturated")
    said = [w.body for w in at.sidebar.warning]
    fixed = LESSONS["saturated"].settings
    differs = {k: v for k, v in fixed.items() if v != SETTINGS[k].default}
    assert differs   # the lesson overrides some of the defaults
    assert len(said) == len(differs)
    for value in differs.values():
        assert any(f"**{value}**" in text for text in said), (value, said)
    net = comparison(at).nets["mse"]
    if "activation" in fixed:
        assert net.activation == fixed["activation"]
    at = open_page(lesson="none")
    assert not at.sidebar.warning
