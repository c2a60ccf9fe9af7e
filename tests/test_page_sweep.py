"""AppTest for pages/sweep.py: the figure's values against single runs trained in the test.

Every expected number comes from TwoLayerNet + Trainer, one run at a time, never from the
sweep the page trains.
"""

import base64
import json
import re
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from tests import apptest_util
from tests.shown_text import as_shown
from twolayer import TwoLayerNet
from twolayer.data import make_dataset
from twolayer.settings import SETTINGS, SWEEP_SETTINGS, clean_settings, sweep_budget
from twolayer.sweep import Sweep
from twolayer.train import Trainer

PAGE = "pages/sweep.py"
SMALL = dict(samples="200", sweep_lr_min="0.1", sweep_lr_max="3.0", sweep_seeds="3",
             sweep_epochs="30")


def open_page(**params):
    return apptest_util.open_page(PAGE, **params)


def figure(at, key="sweep_figure"):
    [chart] = [c for c in at.get("plotly_chart") if c.proto.id.endswith(key)]
    return json.loads(chart.proto.spec)


def values(v):
    """A Plotly array from a figure's JSON: a list, or Plotly 7's base64 typed array."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v, dtype=float)


def traces(fig, **meta):
    return [t for t in fig["data"] if all(t["meta"].get(k) == v for k, v in meta.items())]


def single_runs(settings, losses, lrs, seeds, epochs, output_bias=0.0):
    """{(loss, lr, seed): Trainer} trained one by one, on the data of the sidebar's seed."""
    data = make_dataset(settings["dataset"], int(settings["samples"]), settings["noise"],
                        settings["test_fraction"], int(settings["seed"]))
    batch = None if settings["batch"] == "all" else int(settings["batch"])
    out = {}
    for loss in losses:
        for lr in lrs:
            for seed in seeds:
                net = TwoLayerNet(data.n_inputs, int(settings["hidden"]), settings["activation"],
                                  data.task, loss, seed=seed)
                net.b2[:] = output_bias
                trainer = Trainer(net, data, lr=lr, batch_size=batch, l2=settings["l2"],
                                  seed=seed)
                trainer.run(epochs)
                out[loss, lr, seed] = trainer
    return out


def final(trainer, what):
    """The run's final test metric or training loss (a diverged run: its last good epoch)."""
    net, data = trainer.net, trainer.data
    if what == "train_loss":
        return net.loss(data.X_train, data.y_train)
    a2 = net.predict(data.X_test)
    if data.task == "classification":
        return np.mean((a2 >= 0.5) == data.y_test)
    y = data.y_test
    return 1 - np.sum((y - a2) ** 2) / np.sum((y - y.mean()) ** 2)


def first_epoch(trainer, target):
    reached = [e for e, a in enumerate(trainer.history.test_metric, start=1) if a >= target]
    return reached[0] if reached else None


def check_figure(fig, runs, losses, lrs, seeds, epochs, target):
    for loss in losses:
        for panel, what in (("metric", "test"), ("loss", "train_loss")):
            expected = np.array([[final(runs[loss, lr, s], what) for s in seeds] for lr in lrs])
            [median] = traces(fig, panel=panel, loss=loss, kind="median")
            np.testing.assert_allclose(values(median["x"]), lrs)
            np.testing.assert_allclose(values(median["y"]), np.median(expected, axis=1),
                                       rtol=1e-9, err_msg=f"{loss} {panel}")
            [band] = traces(fig, panel=panel, loss=loss, kind="band")
            np.testing.assert_allclose(values(band["y"]), np.concatenate(
                [expected.max(axis=1), expected.min(axis=1)[::-1]]), rtol=1e-9)
            # Diverged runs: one marker each, at the value it was left with.
            [marks] = traces(fig, panel=panel, loss=loss, kind="diverged")
            gone = [(lr, s) for lr in lrs for s in seeds if runs[loss, lr, s].diverged]
            assert sorted(zip(values(marks["x"]).tolist(), marks["text"], strict=True)) == \
                sorted((lr, f"seed {s} diverged at epoch {runs[loss, lr, s].diverged}")
                       for lr, s in gone)
            np.testing.assert_allclose(
                sorted(values(marks["y"])),
                sorted(final(runs[loss, lr, s], what) for lr, s in gone), rtol=1e-9)
        reach = np.array([[first_epoch(runs[loss, lr, s], target) or np.inf for s in seeds]
                          for lr in lrs])
        median = np.median(reach, axis=1)
        [line] = traces(fig, panel="epochs to target", loss=loss, kind="median")
        np.testing.assert_allclose(values(line["y"]), np.where(np.isinf(median), np.nan,
                                                               median))
        [never] = traces(fig, panel="epochs to target", loss=loss, kind="not reached")
        assert values(never["x"]).tolist() == [lr for lr, m in zip(lrs, median, strict=True)
                                               if np.isinf(m)]
        assert all(y == epochs for y in values(never["y"]))


def settings_of(at):
    return dict(at.session_state["settings"])


@pytest.mark.parametrize("saturated", [False, True])
def test_the_figure_shows_each_loss_and_learning_rate_over_the_seeds(saturated):
    at = open_page(**SMALL, **({"sweep_saturated": "1"} if saturated else {}))
    settings = settings_of(at)
    lrs, seeds = [0.1, 0.3, 1.0, 3.0], [0, 1, 2]
    runs = single_runs(settings, ("mse", "log_loss"), lrs, seeds, 30,
                       output_bias=-8.0 if saturated else 0.0)
    fig = figure(at)
    check_figure(fig, runs, ("mse", "log_loss"), lrs, seeds, 30, 0.9)
    text = next(m.value for m in at.markdown if "nets**" in m.value)
    assert text.startswith("**24 nets** (2 losses x 4 learning rates x 3 seeds), 30 epochs")
    assert ("from b2 = -8" in text) == saturated
    # One sentence per loss names its best learning rate: the highest median accuracy; on a
    # tie, fewer diverged runs, then the fewer epochs to the target.
    for sentence, loss in zip(at.success, ("mse", "log_loss"), strict=True):
        def rank(lr, loss=loss):
            finals = [final(runs[loss, lr, s], "test") for s in seeds]
            reach = [first_epoch(runs[loss, lr, s], 0.9) or np.inf for s in seeds]
            return (np.median(finals), -sum(bool(runs[loss, lr, s].diverged) for s in seeds),
                    -np.median(reach))
        best = max(lrs, key=rank)
        label = {"mse": "MSE", "log_loss": "log-loss"}[loss]
        assert sentence.value.startswith(f"{label}: best at learning rate {best:g}, test "
                                         f"accuracy {rank(best)[0]:.3f}")


def test_the_page_states_both_starts_from_their_own_numbers():
    """Fair and saturated start are both swept and both stated, whichever the picture shows:
    each loss's best learning rate and median accuracy per start, from single runs here."""
    at = open_page(**SMALL)
    settings = settings_of(at)
    lrs, seeds = [0.1, 0.3, 1.0, 3.0], [0, 1, 2]
    for flipped in (False, True):
        if flipped:
            at.toggle(key="sweep_saturated").set_value(True).run()
            assert not at.exception
        said = [m.value for m in at.markdown if m.value.startswith("From the ")]
        assert [t.split(":")[0] for t in said] == ["From the fair start",
                                                   "From the saturated start"]
        for sentence, bias in zip(said, (0.0, -8.0), strict=True):
            runs = single_runs(settings, ("mse", "log_loss"), lrs, seeds, 30, output_bias=bias)
            for loss, label in (("mse", "MSE"), ("log_loss", "log-loss")):
                def rank(lr, loss=loss, runs=runs):
                    finals = [final(runs[loss, lr, s], "test") for s in seeds]
                    reach = [first_epoch(runs[loss, lr, s], 0.9) or np.inf for s in seeds]
                    return (np.median(finals), -sum(bool(runs[loss, lr, s].diverged)
                                                    for s in seeds), -np.median(reach))
                best = max(lrs, key=rank)
                assert f"{label} is best at learning rate {best:g} (test accuracy " \
                       f"{rank(best)[0]:.3f}" in sentence, (bias, sentence)
                stalled = sum(np.median([first_epoch(runs[loss, lr, s], 0.9) or np.inf
                                         for s in seeds]) == np.inf for lr in lrs)
                assert f"{label} at {stalled} of 4" in sentence, (bias, sentence)


def test_diverged_runs_are_marked_and_counted():
    # ReLU units, one sample per step, learning rates up to 10 on XOR: log-loss runs blow up.
    at = open_page(dataset="xor", samples="200", activation="relu", batch="1",
                   sweep_lr_min="1.0", sweep_lr_max="10.0", sweep_seeds="3", sweep_epochs="30")
    settings = settings_of(at)
    lrs, seeds = [1.0, 3.0, 10.0], [0, 1, 2]
    runs = single_runs(settings, ("mse", "log_loss"), lrs, seeds, 30)
    n_diverged = sum(bool(t.diverged) for t in runs.values())
    assert n_diverged >= 2
    check_figure(figure(at), runs, ("mse", "log_loss"), lrs, seeds, 30, 0.9)
    assert at.warning[0].value.startswith(f"{n_diverged} of 18 runs diverged")


def test_regression_sweeps_mse_alone_with_r2():
    at = open_page(task="regression", dataset="sine", samples="150", activation="relu",
                   batch="8", sweep_lr_min="0.1", sweep_lr_max="3.0", sweep_seeds="2",
                   sweep_epochs="20", sweep_target="0.8")
    settings = settings_of(at)
    lrs, seeds = [0.1, 0.3, 1.0, 3.0], [0, 1]
    runs = single_runs(settings, ("mse",), lrs, seeds, 20)
    fig = figure(at)
    assert {t["meta"].get("loss") for t in fig["data"]} - {None} == {"mse"}
    check_figure(fig, runs, ("mse",), lrs, seeds, 20, 0.8)
    assert len(at.success) == 1 and "test R²" in at.success[0].value
    assert at.toggle(key="sweep_saturated").disabled


def test_the_target_changes_the_epochs_without_training_again(monkeypatch):
    at = open_page(**SMALL)
    calls = []
    original = Sweep.run
    monkeypatch.setattr(Sweep, "run", lambda self, e: calls.append(e) or original(self, e))
    at.number_input(key="sweep_target").set_value(0.8).run()
    assert not at.exception and calls == []  # cached per settings; the target is read after
    settings = settings_of(at)
    runs = single_runs(settings, ("mse", "log_loss"), [0.1, 0.3, 1.0, 3.0], [0, 1, 2], 30)
    check_figure(figure(at), runs, ("mse", "log_loss"), [0.1, 0.3, 1.0, 3.0], [0, 1, 2], 30,
                 0.8)
    at.number_input(key="sweep_seeds").set_value(2).run()
    assert calls  # other settings: trained again


def test_the_run_link_reproduces_the_run_in_the_playground():
    at = open_page(**SMALL, seed="3")
    at.selectbox(key="sweep_run_loss").set_value("mse")
    at.select_slider(key="sweep_run_lr").set_value(1.0).run()
    [button] = at.get("link_button")
    url = urlsplit(button.proto.url)
    assert url.path == "/" and "seed 3" in button.proto.label
    params = dict(parse_qsl(url.query))
    values_, notes = clean_settings(params)
    assert notes == []
    assert (values_["loss"], values_["lr"], values_["seed"]) == ("mse", 1.0, 3)
    for key in ("dataset", "samples", "noise", "test_fraction", "hidden", "activation",
                "batch", "l2"):
        assert values_[key] == settings_of(at)[key], key
    assert params["epochs_per_run"] == "30"
    # What the Playground builds from these settings, trained 30 epochs: the sweep's run.
    [trainer] = single_runs(values_, ("mse",), [1.0], [3], 30).values()
    shown = next(c.value for c in at.caption if c.value.startswith("The button opens"))
    assert f"test accuracy {final(trainer, 'test'):.3f} here" in shown


def test_a_saturated_run_opens_in_mse_vs_log_loss():
    at = open_page(**SMALL, sweep_saturated="1")
    [button] = at.get("link_button")
    url = urlsplit(button.proto.url)
    assert url.path == "/mse-vs-log-loss"
    params = dict(parse_qsl(url.query))
    assert params["output_bias"] == "-8.0" and params["lr_factor"] == "1"


def test_one_click_stays_within_the_budget():
    at = open_page(sweep_lr_min="0.0001", sweep_epochs="2000", sweep_seeds="16")
    settings = settings_of(at)
    data = make_dataset("moons", 500, 0.2, 0.3, 0)
    K = 2 * 2 * 11 * 16   # two starts (fair and saturated), each 2 losses x 11 rates x 16 seeds
    allowed, note = sweep_budget(2000, K, 16, 500, 32, 8, data.X_train.shape[1])
    assert 1 <= allowed < 2000 and note
    assert at.info[0].value.startswith(note)   # the timing notes share one box
    # The measured CPU time may stop it earlier still, and then says so.
    trained = allowed
    # (the timing notes share one box: the sentence is found in it)
    stopped = [m for i in at.info
               if (m := re.search(r"Stopped after (\d+) of (\d+) epochs", as_shown(i.value)))]
    if stopped:
        trained = int(stopped[0][1])
        assert int(stopped[0][2]) == allowed
        assert 1 <= trained < allowed
    fig = figure(at)
    assert fig["layout"]["yaxis3"]["range"] == [0, pytest.approx(trained * 1.08)]
    assert settings["samples"] == 500


def test_a_sweep_stops_on_measured_cpu_time_and_says_so(monkeypatch):
    """A clock that advances 0.1 s at every reading: each start's sweep stops after the epoch
    in which its half of the page's 2 s was spent (one reading at the start and one per epoch:
    epoch 10, a little earlier if Streamlit reads the clock too), and the figure is that of the
    epochs run."""
    import time

    clock = iter(np.arange(1.0, 1e4, 0.1))
    monkeypatch.setattr(time, "process_time", lambda: float(next(clock)))
    at = open_page(**SMALL | {"sweep_epochs": "100", "seed": "77"})
    monkeypatch.undo()
    stopped = [as_shown(i.value) for i in at.info if "Stopped after" in i.value]
    assert len(stopped) == 2 and stopped[0].endswith(
        "of 100 epochs from the fair start: one page load may use about 2 s of the server's "
        "time, 1 s for each of the 2 starts (fewer seeds or learning rates, or a larger batch, "
        "allow more)."), stopped
    assert " from the saturated start: " in stopped[1]
    trained = int(stopped[0].split()[2])
    assert 6 <= trained <= 10
    fig = figure(at)
    assert fig["layout"]["yaxis3"]["range"] == [0, pytest.approx(trained * 1.08)]


@pytest.mark.parametrize(("params", "note"), [
    ({"sweep_seeds": "99"}, "Seeds = '99' is outside 1..16; using 16."),
    ({"sweep_epochs": "-5"}, "Epochs = '-5' is outside 10..2000; using 10."),
    ({"sweep_lr_min": "banana"}, "Learning rates from = 'banana' is not one of"),
    ({"sweep_target": "2"}, "Target = '2' is outside 0.5..0.99; using 0.99."),
])
def test_link_values_are_clamped_with_a_note(params, note):
    at = open_page(**SMALL | params)
    assert any(as_shown(i.value).startswith(f"From the link: {note}") for i in at.info), \
        [i.value for i in at.info]
    key, raw = next(iter(params.items()))
    expected = SWEEP_SETTINGS[key].clean(raw)[0]
    widget = {"sweep_lr_min": at.select_slider}.get(key, at.number_input)(key=key)
    assert widget.value == expected


def test_lr_ends_in_either_order_and_the_command_line_equivalent():
    at = open_page(**SMALL | {"sweep_lr_min": "3.0", "sweep_lr_max": "0.1"})
    assert any("were swapped" in c.value for c in at.caption)
    [code] = [c for c in at.code if c.value.startswith("python -m twolayer")]
    assert "--lrs 0.1,0.3,1,3 --seeds 0-2 --data-seed 0 --epochs 30" in code.value
    assert SETTINGS["seed"].default == 0


def test_run_again_trains_both_starts_afresh(monkeypatch):
    at = open_page(**SMALL)
    calls = []
    original = Sweep.run
    monkeypatch.setattr(Sweep, "run", lambda self, e: calls.append(e) or original(self, e))
    at.run()
    assert calls == []   # from memory
    said = [m.value for m in at.markdown if m.value.startswith("From the ")]
    at.button(key="sweep_run").click().run()
    assert not at.exception
    assert len(calls) == 2 * 30   # both starts, every epoch, again
    assert [m.value for m in at.markdown if m.value.startswith("From the ")] == said
