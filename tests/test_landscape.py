"""The loss landscape: grid values against single nets, the saturated plateau measured, paths
against the recorded weights, parameter names, and `python -m twolayer landscape`."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from twolayer import TwoLayerNet
from twolayer.compare import Comparison
from twolayer.data import make_dataset
from twolayer.landscape import (
    Landscape,
    OverBudget,
    budgeted_surfaces,
    gradient_at,
    loss_surfaces,
    losses_at,
    net_surfaces,
    offsets,
    param_names,
    param_shapes,
    parse_param,
    slope,
    start_values,
    trainer_paths,
)
from twolayer.train import Trainer

ROOT = Path(__file__).resolve().parent.parent

# Where each name points, written out by hand: (array, row, column).
INDEX = {"W2[0,0]": ("W2", 0, 0), "b2": ("b2", 0, 0), "W1[2,1]": ("W1", 2, 1),
         "b1[2,0]": ("b1", 2, 0), "W1[0,0]": ("W1", 0, 0), "W2[0,3]": ("W2", 0, 3),
         "W1[3,0]": ("W1", 3, 0), "W1[3,1]": ("W1", 3, 1), "b1[5,0]": ("b1", 5, 0),
         "W2[0,5]": ("W2", 0, 5), "W1[1,0]": ("W1", 1, 0), "W2[0,1]": ("W2", 0, 1)}
PAIRS = [("W2[0,0]", "b2"),          # layer 2 only: one hidden unit evaluated per point
         ("W1[2,1]", "b1[2,0]"),     # one unit, both in layer 1
         ("W1[0,0]", "W2[0,3]"),     # two units, one per layer
         ("b2", "W1[1,0]"),
         ("W1[3,0]", "W1[3,1]"),
         ("b1[5,0]", "W2[0,5]")]     # the same unit in both layers


@pytest.fixture(scope="module")
def moons():
    return make_dataset("moons", 350, 0.2, 0.3, 0)


def reference_loss(weights, activation, task, loss, X, y, settings):
    """A TwoLayerNet with ``weights`` and each (name, value) of ``settings`` written in by hand;
    its own mean loss. Independent of the landscape code."""
    h, d = weights["W1"].shape
    net = TwoLayerNet(d, h, activation, task, loss)
    params = {k: v.copy() for k, v in weights.items()}
    for name, value in settings:
        key, i, j = INDEX[name]
        params[key][i, j] = value
    net.set_params(params)
    return net.loss(X, y)


def trained_weights(data, activation, epochs=3, seed=1, output_bias=0.0):
    net = TwoLayerNet(data.n_inputs, 8, activation, data.task, None, seed)
    net.b2[:] = output_bias
    Trainer(net, data, lr=0.3, batch_size=32, seed=seed).run(epochs)
    return net.get_params()


# -- the grid -----------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_grid_values_equal_net_loss_with_the_two_parameters_set(moons, activation, pair):
    weights = trained_weights(moons, activation)
    X, y = moons.X_train, moons.y_train
    land = loss_surfaces(weights, X, y, activation, "classification", pair, span=3.0, grid=41)
    assert land.params == pair
    assert land.mse.shape == land.log_loss.shape == (41, 41)
    centre = [weights[INDEX[n][0]][INDEX[n][1:]] for n in pair]
    assert land.center == pytest.approx(centre, abs=0)
    rng = np.random.default_rng(7)
    for i, j in rng.integers(0, 41, size=(8, 2)):
        # [i, j] is the loss at offsets (x[j], y[i]): x moves the first parameter
        setting = [(pair[0], centre[0] + land.x[j]), (pair[1], centre[1] + land.y[i])]
        for loss, surface in (("mse", land.mse), ("log_loss", land.log_loss)):
            expected = reference_loss(weights, activation, "classification", loss, X, y,
                                      setting)
            assert surface[i, j] == pytest.approx(expected, rel=1e-12), (loss, i, j)


def test_a_given_centre_moves_the_window_not_the_other_weights(moons):
    weights = trained_weights(moons, "tanh")
    X, y = moons.X_train, moons.y_train
    land = loss_surfaces(weights, X, y, "tanh", "classification", ("W1[0,0]", "W2[0,3]"),
                         span=1.0, grid=5, center=(0.25, -2.0))
    np.testing.assert_array_equal(land.values[0], [-0.75, -0.25, 0.25, 0.75, 1.25])
    np.testing.assert_array_equal(land.values[1], [-3.0, -2.5, -2.0, -1.5, -1.0])
    expected = reference_loss(weights, "tanh", "classification", "log_loss", X, y,
                              [("W1[0,0]", 1.25), ("W2[0,3]", -3.0)])
    assert land.log_loss[0, 4] == pytest.approx(expected, rel=1e-12)


def test_regression_has_the_mse_surface_alone():
    data = make_dataset("bumps", 200, 0.1, 0.3, 2)
    weights = trained_weights(data, "relu")
    land = loss_surfaces(weights, data.X_train, data.y_train, "relu", "regression",
                         ("W1[2,1]", "b2"), span=2.0, grid=9)
    assert land.log_loss is None and land.as_dict()["log_loss"] is None
    expected = reference_loss(weights, "relu", "regression", "mse", data.X_train, data.y_train,
                              [("W1[2,1]", land.center[0] + land.x[1]),
                               ("b2", land.center[1] + land.y[7])])
    assert land.mse[7, 1] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_centre_equals_the_current_loss(task):
    data = make_dataset("moons" if task == "classification" else "sine", 300, 0.2, 0.3, 4)
    weights = trained_weights(data, "sigmoid", epochs=5)
    land = loss_surfaces(weights, data.X_train, data.y_train, "sigmoid", task,
                         ("W2[0,0]", "W1[1,0]"), span=8.0, grid=61)
    assert land.x[30] == 0.0 == land.y[30]
    for loss in ("mse", "log_loss") if task == "classification" else ("mse",):
        net = TwoLayerNet(data.n_inputs, 8, "sigmoid", task, loss)
        net.set_params(weights)
        assert land.surface(loss)[30, 30] == pytest.approx(net.loss(data.X_train,
                                                                    data.y_train), rel=1e-12)
        assert losses_at(weights, data.X_train, data.y_train, "sigmoid", task)[loss] == \
            pytest.approx(net.loss(data.X_train, data.y_train), rel=1e-12)


def test_offsets_run_from_minus_span_to_span_in_grid_steps():
    np.testing.assert_array_equal(offsets(8, 5), [-8.0, -4.0, 0.0, 4.0, 8.0])
    np.testing.assert_array_equal(offsets(1.5, 2), [-1.5, 1.5])
    u = offsets(8.0, 61)
    assert len(u) == 61 and u[0] == -8.0 and u[-1] == 8.0 and u[30] == 0.0
    np.testing.assert_array_equal(u, -u[::-1])
    assert np.diff(u) == pytest.approx(np.full(60, 16 / 60), rel=1e-12)
    for span, grid in ((0, 5), (-1, 5), (float("nan"), 5), (1, 1), (1, 2.5), (1, True)):
        with pytest.raises(ValueError):
            offsets(span, grid)


def test_chunks_of_any_size_give_the_same_grid(moons):
    weights = trained_weights(moons, "tanh")
    args = (weights, moons.X_train, moons.y_train, "tanh", "classification",
            ("W1[0,0]", "W2[0,3]"))
    whole = loss_surfaces(*args, span=2.0, grid=13, chunk_elements=1 << 30)
    for elements in (1, 700, 5000):   # one point per chunk, and chunks that do not divide
        part = loss_surfaces(*args, span=2.0, grid=13, chunk_elements=elements)
        np.testing.assert_allclose(part.mse, whole.mse, rtol=1e-14)
        np.testing.assert_allclose(part.log_loss, whole.log_loss, rtol=1e-14)


def test_only_the_asked_losses_are_computed(moons):
    weights = trained_weights(moons, "tanh")
    land = loss_surfaces(weights, moons.X_train, moons.y_train, "tanh", "classification",
                         ("W2[0,0]", "b2"), span=1.0, grid=3, losses=("log_loss",))
    assert land.mse is None and land.log_loss.shape == (3, 3)
    with pytest.raises(ValueError, match="mse and/or log_loss"):
        loss_surfaces(weights, moons.X_train, moons.y_train, "tanh", "classification",
                      ("W2[0,0]", "b2"), losses=("hinge",))


def test_json_lists_and_null_for_what_is_not_finite():
    land = Landscape(("W2[0,0]", "b2"), (0.5, -8.0), np.array([-1.0, 1.0]),
                     np.array([-1.0, 1.0]), np.array([[0.1, np.inf], [0.3, 0.4]]), None)
    out = json.loads(json.dumps(land.as_dict(), allow_nan=False))
    assert out == {"params": ["W2[0,0]", "b2"], "center": [0.5, -8.0], "x": [-1.0, 1.0],
                   "y": [-1.0, 1.0], "mse": [[0.1, None], [0.3, 0.4]], "log_loss": None}


# -- slopes -------------------------------------------------------------------------------------

def test_slope_of_a_plane_and_of_a_bowl_by_hand():
    x, y = np.linspace(-2, 2, 9), np.linspace(-1, 3, 5)
    X, Y = np.meshgrid(x, y)
    np.testing.assert_allclose(slope(3 * X + 4 * Y, x, y), 5.0, rtol=1e-12)
    bowl = slope(X ** 2 + Y ** 2, x, y)   # exact for a quadratic inside the grid: 2 |(x, y)|
    np.testing.assert_allclose(bowl[1:-1, 1:-1], 2 * np.hypot(X, Y)[1:-1, 1:-1], rtol=1e-12)


def test_gradient_at_equals_centred_differences_of_the_loss(moons):
    weights = trained_weights(moons, "sigmoid")
    X, y = moons.X_train, moons.y_train
    pair = ("W1[2,1]", "b2")
    for loss in ("mse", "log_loss"):
        g = gradient_at(weights, X, y, "sigmoid", "classification", loss, pair)
        h = 1e-6
        for k, name in enumerate(pair):
            c = weights[INDEX[name][0]][INDEX[name][1:]]
            up = reference_loss(weights, "sigmoid", "classification", loss, X, y,
                                [(name, c + h)])
            down = reference_loss(weights, "sigmoid", "classification", loss, X, y,
                                  [(name, c - h)])
            assert g[k] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-10)


def test_saturated_start_mse_is_a_plateau_where_log_loss_slopes(moons):
    """b2 = -8: every output is about 3e-4. Measured (moons 350, tanh, 8 units, seed 0): at the
    start |grad| of log-loss / |grad| of MSE over (W2[0,0], b2) is 784 by backprop; on the grid
    (span 8, 61 points, 0.27 apart), within 5 points of the start, the ratio's median is 776
    and its minimum 110, and the range of the values 420 times. From b2 = 0 the ratio at the
    start is 2.3: the plateau is the saturation's. Asserted with a margin of about 2."""
    X, y = moons.X_train, moons.y_train
    ratios = {}
    for b2 in (-8.0, 0.0):
        net = TwoLayerNet(2, 8, "tanh", "classification", "log_loss", seed=0)
        net.b2[:] = b2
        weights = net.get_params()
        g = {loss: np.hypot(*gradient_at(weights, X, y, "tanh", "classification", loss,
                                         ("W2[0,0]", "b2")))
             for loss in ("mse", "log_loss")}
        ratios[b2] = g["log_loss"] / g["mse"]
        land = loss_surfaces(weights, X, y, "tanh", "classification", ("W2[0,0]", "b2"),
                             span=8.0, grid=61)
        near = slice(25, 36)
        around = (slope(land.log_loss, *land.values)[near, near]
                  / slope(land.mse, *land.values)[near, near])
        if b2 == -8.0:
            assert g["mse"] < 1e-3 < 0.5 < g["log_loss"]
            assert ratios[b2] > 500
            assert np.median(around) > 500 and around.min() > 50
            # flat: within 5 points of the start MSE spans 0.0042, log-loss 1.78 (420 times)
            assert np.ptp(land.log_loss[near, near]) > 200 * np.ptp(land.mse[near, near])
    assert ratios[0.0] < 5


# -- paths --------------------------------------------------------------------------------------

def test_paths_equal_the_comparisons_recorded_weights(moons):
    cmp = Comparison(moons, hidden=8, activation="sigmoid", lr=1.0, batch_size=64, seed=3,
                     output_bias=-8.0).run(12)
    pair = ("W2[0,5]", "b1[5,0]")
    paths = trainer_paths(cmp.trainers, pair)
    assert set(paths) == {"mse", "log_loss"}
    for loss, p in paths.items():
        h = cmp.histories[loss]
        np.testing.assert_array_equal(p.epochs, np.arange(13))
        for k, epoch in enumerate(p.epochs):
            snap = h.snapshots[epoch]
            assert p.values[k, 0] == snap["W2"][0, 5] and p.values[k, 1] == snap["b1"][5, 0]
            net = TwoLayerNet(2, 8, "sigmoid", "classification", loss)
            net.set_params(snap)
            assert p.loss[k] == pytest.approx(net.loss(moons.X_train, moons.y_train), rel=1e-12)
        now = cmp.nets[loss]
        assert tuple(p.values[-1]) == (now.W2[0, 5], now.b1[5, 0])
    # both start from the same point, and part after it
    np.testing.assert_array_equal(paths["mse"].values[0], paths["log_loss"].values[0])
    assert not np.array_equal(paths["mse"].values[-1], paths["log_loss"].values[-1])
    assert start_values(cmp.trainers, pair) == tuple(paths["mse"].values[0])


def test_a_path_skips_the_snapshots_a_long_run_thinned_out(moons):
    net = TwoLayerNet(2, 4, "tanh", "classification", "log_loss", seed=0)
    trainer = Trainer(net, moons, lr=0.3, batch_size=None, seed=0, max_snapshots=10)
    trainer.run(150)
    p = trainer_paths({"log_loss": trainer}, ("W2[0,1]", "b2"))["log_loss"]
    kept = sorted(trainer.history.snapshots)
    assert kept[0] == 0 and kept[-1] == 150 and len(kept) < 151
    np.testing.assert_array_equal(p.epochs, kept)
    assert p.values[-1, 1] == net.b2[0, 0]


def test_each_net_gets_its_own_surface_around_its_own_weights(moons):
    cmp = Comparison(moons, hidden=8, activation="tanh", lr=0.3, batch_size=32, seed=0,
                     output_bias=-8.0)
    pair = ("W2[0,0]", "b2")
    center = start_values(cmp.trainers, pair)
    at_start = net_surfaces(cmp.trainers, pair, 8.0, 21, center)
    assert at_start["mse"] is at_start["log_loss"]   # identical weights: one forward pass
    cmp.run(4)
    surfaces = net_surfaces(cmp.trainers, pair, 8.0, 21, center)
    rng = np.random.default_rng(0)
    for loss, land in surfaces.items():
        assert land.center == center
        other = "log_loss" if loss == "mse" else "mse"
        assert land.surface(other) is None
        weights = cmp.nets[loss].get_params()
        for i, j in rng.integers(0, 21, size=(5, 2)):
            expected = reference_loss(weights, "tanh", "classification", loss, moons.X_train,
                                      moons.y_train, [("W2[0,0]", land.values[0][j]),
                                                      ("b2", land.values[1][i])])
            assert land.surface(loss)[i, j] == pytest.approx(expected, rel=1e-12)


# -- the CPU a click may spend ----------------------------------------------------------------

class PerPointClock:
    """time.process_time on a machine of known speed: the test's forward pass advances it by a
    fixed cost per grid point it computes, and a reading returns where it stands."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_grid_that_would_overrun_its_cpu_time_stops_after_a_chunk(moons, monkeypatch):
    """With 1 ms of CPU per point (a fake clock driven by the chunks), a 61 x 61 grid (3.7 s)
    stops after its first chunk of 64 points when 2 s are allowed, and says what it measured."""
    import twolayer.landscape as landscape

    clock = PerPointClock()
    real_forward = landscape.forward

    def costly_forward(nets, X, activation, task):
        f = real_forward(nets, X, activation, task)
        clock.now += 1e-3 * f.a2.shape[0]  # 1 ms per net of the chunk
        return f

    monkeypatch.setattr(landscape.time, "process_time", clock)
    monkeypatch.setattr(landscape, "forward", costly_forward)
    weights = trained_weights(moons, "tanh")
    m = moons.X_train.shape[1]
    chunk = 64 * m  # elements per chunk for 64 points of one unit: 64 points a chunk
    with pytest.raises(OverBudget) as over:
        loss_surfaces(weights, moons.X_train, moons.y_train, "tanh", "classification",
                      ("W2[0,0]", "b2"), grid=61, chunk_elements=chunk, cpu_seconds=2.0)
    assert over.value.seconds_per_point == pytest.approx(1e-3)
    assert clock.now == pytest.approx(64e-3)  # one chunk, not the whole grid
    # Within its time, the same grid is computed whole and equals the unlimited one.
    clock.now = 0.0
    whole = loss_surfaces(weights, moons.X_train, moons.y_train, "tanh", "classification",
                          ("W2[0,0]", "b2"), grid=61, chunk_elements=chunk, cpu_seconds=5.0)
    monkeypatch.undo()
    free = loss_surfaces(weights, moons.X_train, moons.y_train, "tanh", "classification",
                         ("W2[0,0]", "b2"), grid=61)
    np.testing.assert_array_equal(whole.mse, free.mse)


def test_a_click_draws_the_finest_grid_its_measured_time_allows(moons, monkeypatch):
    import twolayer.landscape as landscape

    clock = PerPointClock()
    real_forward = landscape.forward

    def costly_forward(nets, X, activation, task):
        f = real_forward(nets, X, activation, task)
        clock.now += 2e-4 * f.a2.shape[0]
        return f

    monkeypatch.setattr(landscape.time, "process_time", clock)
    monkeypatch.setattr(landscape, "forward", costly_forward)
    cmp = Comparison(moons, hidden=8, activation="tanh", lr=0.3, batch_size=32, seed=0,
                     output_bias=-8.0).run(2)   # two nets apart: two surfaces
    pair = ("W2[0,0]", "b2")
    center = start_values(cmp.trainers, pair)
    grids = (21, 41, 61, 81, 101, 120)
    # 120 x 120 x 2 nets x 0.2 ms = 5.8 s > 2.5 s. The first chunk (2**20 elements // 245
    # training samples = 4279 points, 0.86 s) tells; the 1.64 s left allow 61 x 61 x 2 x 0.2 ms
    # = 1.49 s, not 81 x 81 (2.6 s).
    surfaces, grid, note = budgeted_surfaces(cmp.trainers, pair, 8.0, 120, center, grids, 2.5)
    assert grid == 61 and "120 x 120" in note and "61 x 61" in note
    assert surfaces["mse"].mse.shape == (61, 61)
    clock.now = 0.0
    surfaces, grid, note = budgeted_surfaces(cmp.trainers, pair, 8.0, 41, center, grids, 2.5)
    assert (grid, note) == (41, None)


# -- names --------------------------------------------------------------------------------------

SHAPES = param_shapes(2, 8)


@pytest.mark.parametrize(("text", "name", "key", "index"), [
    ("W2[0,3]", "W2[0,3]", "W2", (0, 3)),
    ("b2", "b2", "b2", (0, 0)),
    ("b2[0,0]", "b2", "b2", (0, 0)),
    ("W1[2,1]", "W1[2,1]", "W1", (2, 1)),
    ("b1[4,0]", "b1[4,0]", "b1", (4, 0)),
    ("b1[4]", "b1[4,0]", "b1", (4, 0)),       # one index for an entry of a vector
    ("W2[5]", "W2[0,5]", "W2", (0, 5)),
    (" w2[0, 3] ", "W2[0,3]", "W2", (0, 3)),  # spaces and case do not matter
    ("B2", "b2", "b2", (0, 0)),
])
def test_parameter_names(text, name, key, index):
    assert tuple(parse_param(text, SHAPES)) == (name, key, index)


@pytest.mark.parametrize(("text", "message"), [
    ("W3[0,0]", "not a parameter of the net: name one entry, W1[i,j] (i < 8, j < 2)"),
    ("", "not a parameter"),
    ("W2[0,0]x", "not a parameter"),
    ("W2[-1,0]", "not a parameter"),
    ("W2[0;0]", "not a parameter"),
    ("W1", "W1 has shape (8, 2): name one entry, such as W1[0,0]"),
    ("b1", "b1 has shape (8, 1): name one entry, such as b1[0,0]"),
    ("W1[3]", "W1 has shape (8, 2): give two indices"),
    ("W2[0,8]", "index out of range, W2 has shape (1, 8)"),
    ("W1[8,0]", "index out of range, W1 has shape (8, 2)"),
    ("W2[1,0]", "index out of range"),
    ("b1[0,1]", "index out of range"),
    ("b1[" + "9" * 7 + "]", "not a parameter"),
])
def test_bad_names_say_what_is_allowed(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_param(text, SHAPES)


def test_the_two_parameters_must_differ(moons):
    weights = trained_weights(moons, "tanh")
    with pytest.raises(ValueError, match=re.escape("must differ; both are b1[2,0]")):
        loss_surfaces(weights, moons.X_train, moons.y_train, "tanh", "classification",
                      ("b1[2]", "b1[2,0]"))


def test_every_name_of_a_net_parses_back_to_itself():
    names = param_names(2, 8)
    assert len(names) == 8 * 2 + 8 + 8 + 1 == len(set(names))
    assert names[0] == "W1[0,0]" and names[-1] == "b2" and "W2[0,7]" in names
    assert all(parse_param(n, SHAPES).name == n for n in names)


def test_a_net_with_one_hidden_unit_keeps_its_indices():
    assert param_names(1, 1) == ("W1[0,0]", "b1[0,0]", "W2[0,0]", "b2")
    shapes = param_shapes(1, 1)   # every array has one entry: a bare name is enough
    assert [parse_param(n, shapes).name for n in ("W1", "b1", "W2", "b2")] == \
        ["W1[0,0]", "b1[0,0]", "W2[0,0]", "b2"]


# -- the CLI ------------------------------------------------------------------------------------

CLI = ["landscape", "--dataset", "moons", "--samples", "200", "--noise", "0.2", "--hidden", "4",
       "--activation", "tanh", "--lr", "0.5", "--batch-size", "32", "--seed", "3",
       "--params", "W2[0,1]", "b2", "--span", "2", "--grid", "5"]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "twolayer", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_json_is_the_loss_around_the_trained_weights(capsys):
    from twolayer.__main__ import main

    result = cli(*CLI, "--epochs", "7", "--output-bias", "-3", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"params", "center", "x", "y", "mse", "log_loss"}
    assert out["params"] == ["W2[0,1]", "b2"]
    assert out["x"] == out["y"] == [-2.0, -1.0, 0.0, 1.0, 2.0]
    # what `train` with the same arguments does, written out here
    data = make_dataset("moons", 200, 0.2, 0.3, 3)
    net = TwoLayerNet(2, 4, "tanh", "classification", "log_loss", seed=3)
    net.b2[:] = -3.0
    Trainer(net, data, lr=0.5, batch_size=32, seed=3).run(7)
    weights = net.get_params()
    assert out["center"] == [weights["W2"][0, 1], weights["b2"][0, 0]]
    for loss in ("mse", "log_loss"):
        assert np.shape(out[loss]) == (5, 5)
        for i, dy in enumerate(out["y"]):
            for j, dx in enumerate(out["x"]):
                expected = reference_loss(weights, "tanh", "classification", loss,
                                          data.X_train, data.y_train,
                                          [("W2[0,1]", out["center"][0] + dx),
                                           ("b2", out["center"][1] + dy)])
                assert out[loss][i][j] == pytest.approx(expected, rel=1e-12)
    # same arguments, same output, here from another process
    assert main([*CLI, "--epochs", "7", "--output-bias", "-3", "--json"]) == 0
    assert capsys.readouterr().out.strip() == result.stdout.strip()


def test_cli_saturated_start_at_epoch_0(capsys):
    from twolayer.__main__ import main

    assert main(["landscape", "--params", "W2[0,0]", "b2", "--span", "8", "--grid", "61",
                 "--epochs", "0", "--output-bias", "-8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    net = TwoLayerNet(2, 8, "tanh", "classification", "log_loss", seed=0)
    assert out["center"] == [net.W2[0, 0], -8.0]
    assert len(out["x"]) == 61 and out["x"][0] == -8.0 and out["x"][30] == 0.0
    mse, log_loss = np.array(out["mse"]), np.array(out["log_loss"])
    near = slice(25, 36)   # measured: log-loss's range there is 420 times MSE's (350 samples)
    assert np.ptp(log_loss[near, near]) > 200 * np.ptp(mse[near, near])


def test_cli_regression_has_no_log_loss_surface(capsys):
    from twolayer.__main__ import main

    assert main(["landscape", "--dataset", "sine", "--samples", "100", "--epochs", "2",
                 "--params", "W1[0,0]", "b1[0]", "--grid", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["log_loss"] is None and np.shape(out["mse"]) == (3, 3)
    assert out["params"] == ["W1[0,0]", "b1[0,0]"]


def test_cli_text_names_the_parameters_and_the_losses(capsys):
    from twolayer.__main__ import main

    assert main([*CLI, "--epochs", "0"]) == 0
    text = capsys.readouterr().out
    net = TwoLayerNet(2, 4, "tanh", "classification", "log_loss", seed=3)
    assert f"W2[0,1] = {net.W2[0, 1]:.6g} and b2 = 0" in text
    data = make_dataset("moons", 200, 0.2, 0.3, 3)
    mse_line = next(line for line in text.splitlines() if line.startswith("mse "))
    assert float(mse_line.split()[1]) == pytest.approx(
        TwoLayerNet(2, 4, "tanh", "classification", "mse", seed=3).loss(data.X_train,
                                                                         data.y_train),
        rel=1e-5)


@pytest.mark.parametrize(("args", "message"), [
    (["--params", "W9[0,0]", "b2"], "'W9[0,0]' is not a parameter of the net"),
    (["--params", "W2[0,4]", "b2"], "index out of range, W2 has shape (1, 4)"),
    (["--params", "b2", "b2"], "must differ"),
    (["--grid", "1"], "--grid must be an integer from 2 to 1001"),
    (["--span", "0"], "--span must be a number in"),
    (["--span", "nan"], "--span must be a number in"),
])
def test_cli_refuses_bad_arguments_with_a_reason(capsys, args, message):
    from twolayer.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main([*CLI, "--epochs", "0", *args])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.count(message) == 1


# -- K classes: W2[k,j], b2[k,0], the net's own cross-entropy and one-hot MSE --------------------

# Where each K-class name points, written out by hand: (array, row, column).
INDEX_K = {"W2[1,0]": ("W2", 1, 0), "b2[1,0]": ("b2", 1, 0), "b2[0,0]": ("b2", 0, 0),
           "b2[2,0]": ("b2", 2, 0), "W2[2,3]": ("W2", 2, 3), "W1[0,1]": ("W1", 0, 1),
           "b1[3,0]": ("b1", 3, 0), "W2[0,3]": ("W2", 0, 3), "W2[4,5]": ("W2", 4, 5),
           "b2[4,0]": ("b2", 4, 0)}
PAIRS_K = [("W2[1,0]", "b2[1,0]"),     # the K-class default: class 1's weight and bias
           ("b2[0,0]", "b2[2,0]"),     # two output biases
           ("W1[0,1]", "W2[2,3]"),     # two units, one per layer
           ("b1[3,0]", "W2[0,3]")]     # the same unit in both layers


def reference_loss_k(weights, activation, loss, X, y, settings):
    """A K-class TwoLayerNet with ``weights`` and each (name, value) of ``settings`` written
    in by hand; its own mean loss."""
    h, d = weights["W1"].shape
    net = TwoLayerNet(d, h, activation, "classification", loss,
                      n_classes=weights["W2"].shape[0])
    params = {k: v.copy() for k, v in weights.items()}
    for name, value in settings:
        key, i, j = INDEX_K[name]
        params[key][i, j] = value
    net.set_params(params)
    return net.loss(X, y)


def trained_weights_k(data, activation, loss="log_loss", epochs=3, seed=1, output_bias=0.0):
    net = TwoLayerNet(data.n_inputs, 8, activation, loss=loss, seed=seed,
                      n_classes=data.n_classes)
    net.set_output_bias(output_bias)
    Trainer(net, data, lr=0.3, batch_size=32, seed=seed).run(epochs)
    return net.get_params()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("pair", PAIRS_K, ids="-".join)
def test_k_class_grid_values_equal_net_loss_with_the_two_parameters_set(activation, pair):
    data = make_dataset("spiral", 200, 0.2, 0.3, 0, n_classes=3)
    weights = trained_weights_k(data, activation)
    assert weights["W2"].shape == (3, 8)
    X, y = data.X_train, data.y_train
    land = loss_surfaces(weights, X, y, activation, "classification", pair, span=3.0, grid=21)
    assert land.params == pair
    centre = [weights[INDEX_K[n][0]][INDEX_K[n][1:]] for n in pair]
    assert land.center == pytest.approx(centre, abs=0)
    rng = np.random.default_rng(3)
    for i, j in rng.integers(0, 21, size=(6, 2)):
        setting = [(pair[0], centre[0] + land.x[j]), (pair[1], centre[1] + land.y[i])]
        for loss, surface in (("mse", land.mse), ("log_loss", land.log_loss)):
            expected = reference_loss_k(weights, activation, loss, X, y, setting)
            assert surface[i, j] == pytest.approx(expected, rel=1e-12), (loss, i, j)


def test_five_class_grid_in_small_chunks():
    data = make_dataset("blobs", 150, 0.5, 0.3, 2, n_classes=5)
    weights = trained_weights_k(data, "tanh", loss="mse")
    X, y = data.X_train, data.y_train
    pair = ("W2[4,5]", "b2[4,0]")
    land = loss_surfaces(weights, X, y, "tanh", "classification", pair, span=2.0, grid=9,
                         chunk_elements=3000)   # a few points per chunk
    for i, j in ((0, 0), (8, 3), (4, 4), (2, 7)):
        setting = [(pair[0], land.center[0] + land.x[j]), (pair[1], land.center[1] + land.y[i])]
        for loss in ("mse", "log_loss"):
            expected = reference_loss_k(weights, "tanh", loss, X, y, setting)
            assert land.surface(loss)[i, j] == pytest.approx(expected, rel=1e-12)
    assert losses_at(weights, X, y, "tanh", "classification")["log_loss"] == pytest.approx(
        reference_loss_k(weights, "tanh", "log_loss", X, y, []), rel=1e-12)


def test_k_class_slope_at_the_weights_is_the_reference_gradient():
    from tests import reference

    data = make_dataset("spiral", 150, 0.2, 0.3, 1, n_classes=3)
    weights = trained_weights_k(data, "relu")
    X, y = data.X_train, data.y_train
    for loss in ("mse", "log_loss"):
        grad = gradient_at(weights, X, y, "relu", "classification", loss,
                           ("W2[2,3]", "b2[1,0]"))
        expected = reference.gradients_k(weights, X, y, "relu", loss)
        np.testing.assert_allclose(grad, [expected["W2"][2, 3], expected["b2"][1, 0]],
                                   rtol=1e-8)


def test_k_class_names():
    shapes = param_shapes(2, 4, 3)
    assert shapes["W2"] == (3, 4) and shapes["b2"] == (3, 1)
    names = param_names(2, 4, 3)
    assert len(names) == 4 * 2 + 4 + 3 * 4 + 3 == len(set(names))
    assert names[-3:] == ("b2[0,0]", "b2[1,0]", "b2[2,0]") and "b2" not in names
    assert "W2[2,3]" in names
    assert all(parse_param(n, shapes).name == n for n in names)
    assert tuple(parse_param("b2[2]", shapes)) == ("b2[2,0]", "b2", (2, 0))
    assert tuple(parse_param(" B2[1, 0] ", shapes)) == ("b2[1,0]", "b2", (1, 0))
    # Two classes are unchanged: b2 bare.
    assert param_names(2, 4, 2) == param_names(2, 4)


@pytest.mark.parametrize(("text", "message"), [
    ("b2", "b2 has shape (3, 1): name one entry, such as b2[0,0] (the softmax does not see"),
    ("W2[5]", "W2 has shape (3, 4): give two indices"),
    ("W2[3,0]", "index out of range, W2 has shape (3, 4)"),
    ("b2[3,0]", "index out of range, b2 has shape (3, 1)"),
    ("W3[0,0]", "W2[k,j] (k < 3, j < 4) or b2[k,0] (k < 3)"),
])
def test_k_class_bad_names_say_what_is_allowed(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_param(text, param_shapes(2, 4, 3))


def test_k_class_saturated_start_mse_is_the_plateau():
    # b2 = (0, -8, -8): every sample called class 0 with probability 0.9993. Along class 1's
    # bias, cross-entropy slopes (a third of the samples are confidently wrong) where MSE's
    # Jacobian has all but vanished.
    data = make_dataset("spiral", 300, 0.2, 0.3, 0, n_classes=3)
    net = TwoLayerNet(2, 8, "tanh", n_classes=3).set_output_bias(-8.0)
    land = loss_surfaces(net.get_params(), data.X_train, data.y_train, "tanh", "classification",
                         ("W2[1,0]", "b2[1,0]"), span=2.0, grid=21)
    near = slice(5, 16)
    assert np.ptp(land.log_loss[near, near]) > 100 * np.ptp(land.mse[near, near])


def test_cli_k_class_landscape(capsys):
    from twolayer.__main__ import main

    args = ["landscape", "--dataset", "spiral", "--classes", "3", "--samples", "150",
            "--hidden", "4", "--lr", "0.5", "--batch-size", "32", "--seed", "2", "--epochs",
            "4", "--span", "1", "--grid", "3"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["params"] == ["W2[1,0]", "b2[1,0]"]   # the K-class default
    data = make_dataset("spiral", 150, 0.2, 0.3, 2, n_classes=3)
    net = TwoLayerNet(2, 4, "tanh", loss="log_loss", seed=2, n_classes=3)
    Trainer(net, data, lr=0.5, batch_size=32, seed=2).run(4)
    weights = net.get_params()
    assert out["center"] == [weights["W2"][1, 0], weights["b2"][1, 0]]
    for loss in ("mse", "log_loss"):
        for i, dy in enumerate(out["y"]):
            for j, dx in enumerate(out["x"]):
                expected = reference_loss_k(weights, "tanh", loss, data.X_train, data.y_train,
                                            [("W2[1,0]", out["center"][0] + dx),
                                             ("b2[1,0]", out["center"][1] + dy)])
                assert out[loss][i][j] == pytest.approx(expected, rel=1e-12)
    assert main([*args, "--params", "W2[2,3]", "b2[0]", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["params"] == ["W2[2,3]", "b2[0,0]"]
    assert main(args) == 0
    assert "spiral (3 classes)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([*args, "--params", "W2[0,0]", "b2"])
    assert "b2 has shape (3, 1): name one entry" in capsys.readouterr().err


def test_k_class_paths_and_each_nets_own_surface():
    data = make_dataset("spiral", 150, 0.2, 0.3, 0, n_classes=3)
    trainers = {}
    for loss in ("mse", "log_loss"):
        net = TwoLayerNet(2, 5, "tanh", loss=loss, seed=4, n_classes=3).set_output_bias(-4.0)
        trainers[loss] = Trainer(net, data, lr=0.5, batch_size=32, seed=4)
    pair = ("W2[1,0]", "b2[1,0]")
    start = start_values(trainers, pair)
    assert start[1] == -4.0
    at_start = net_surfaces(trainers, pair, 1.0, 5, start)
    assert at_start["mse"] is at_start["log_loss"]   # identical weights: one forward pass
    for t in trainers.values():
        t.run(6)
    paths = trainer_paths(trainers, pair)
    surfaces = net_surfaces(trainers, pair, 1.0, 5, start)
    for loss, t in trainers.items():
        p = paths[loss]
        assert p.epochs.tolist() == list(range(7))
        last = t.history.snapshots[6]
        assert p.values[-1].tolist() == [last["W2"][1, 0], last["b2"][1, 0]]
        assert p.loss[-1] == t.history.train_loss[-1]
        assert p.loss[0] == pytest.approx(reference_loss_k(t.history.snapshots[0], "tanh", loss,
                                                           t.X, t.y, []), rel=1e-12)
        # The surface's middle point is the net itself, but for the window's centre.
        expected = reference_loss_k(t.net.get_params(), "tanh", loss, t.X, t.y,
                                    [("W2[1,0]", start[0]), ("b2[1,0]", start[1])])
        assert surfaces[loss].surface(loss)[2, 2] == pytest.approx(expected, rel=1e-12)
