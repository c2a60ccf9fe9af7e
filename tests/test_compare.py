"""The MSE vs log-loss comparison: same start, same batches, and the lessons' numbers."""

import numpy as np
import pytest

from twolayer.activations import sigmoid
from twolayer.compare import (
    COMPARE_SETTINGS,
    LOSS_NAMES,
    ONE_NEURON_LR,
    Comparison,
    boundary_grid,
    comparison_for,
    comparison_numbers,
    epochs_until,
    one_neuron,
    one_neuron_numbers,
    probabilities,
    steps_until_below,
)
from twolayer.data import make_dataset
from twolayer.losses import LOSSES
from twolayer.net import PARAMS
from twolayer.settings import SETTINGS
from twolayer.ui.lesson_book import LESSONS, lesson_numbers, lesson_settings, lesson_text


@pytest.fixture(scope="module")
def moons():
    return make_dataset("moons", 500, 0.2, 0.3, 0)


def record_batches(net):
    """Wrap net._step so that it records the columns of X and y of every batch it sees."""
    seen, step = [], net._step

    def recording(X, y, lr, l2=0.0):
        seen.append((X.copy(), y.copy()))
        return step(X, y, lr, l2)

    net._step = recording
    return seen


# -- same start, same batches ------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_both_nets_start_from_bit_identical_weights(moons, activation):
    cmp = Comparison(moons, hidden=5, activation=activation, seed=7, output_bias=-3.5)
    mse, log = cmp.nets["mse"], cmp.nets["log_loss"]
    assert mse.loss_name == "mse" and log.loss_name == "log_loss"
    for p in PARAMS:
        assert np.array_equal(getattr(mse, p), getattr(log, p)), p
        assert getattr(mse, p) is not getattr(log, p)  # two nets, not one shared array
    assert mse.b2[0, 0] == log.b2[0, 0] == -3.5
    # The same weights as a net built on its own with that seed: nothing else was drawn.
    from twolayer.net import TwoLayerNet
    alone = TwoLayerNet(2, 5, activation, seed=7)
    assert np.array_equal(alone.W1, mse.W1) and np.array_equal(alone.W2, mse.W2)


def test_both_nets_see_the_same_batches_in_the_same_order(moons):
    cmp = Comparison(moons, hidden=4, lr=0.5, batch_size=64, seed=3)
    seen = {loss: record_batches(net) for loss, net in cmp.nets.items()}
    cmp.run(2).run(3)
    m = moons.X_train.shape[1]
    assert len(seen["mse"]) == len(seen["log_loss"]) == 5 * -(-m // 64)
    for (Xa, ya), (Xb, yb) in zip(seen["mse"], seen["log_loss"], strict=True):
        assert np.array_equal(Xa, Xb) and np.array_equal(ya, yb)
    # and the batches are shuffled (epoch 1 does not visit the samples in stored order)
    assert not np.array_equal(seen["mse"][0][0], moons.X_train[:, :64])
    t = cmp.trainers
    for epoch in range(1, 6):
        assert np.array_equal(t["mse"].epoch_order(epoch), t["log_loss"].epoch_order(epoch))
    assert cmp.epoch == 5 and t["mse"].epoch == t["log_loss"].epoch == 5


def test_the_nets_differ_only_through_delta2(moons):
    """One full-batch step from the same start: each net moves by its own loss's gradient."""
    cmp = Comparison(moons, hidden=3, lr=0.1, seed=1)
    start = cmp.nets["mse"].get_params()
    cmp.run(1)
    for loss in LOSS_NAMES:
        from twolayer.net import TwoLayerNet
        ref = TwoLayerNet(2, 3, "sigmoid", loss=loss, seed=1)
        grads = ref.gradients(moons.X_train, moons.y_train)
        for p in PARAMS:
            expected = start[p] - 0.1 * grads[p]
            np.testing.assert_allclose(getattr(cmp.nets[loss], p), expected, rtol=1e-12,
                                       atol=1e-15)
    assert not np.allclose(cmp.nets["mse"].W2, cmp.nets["log_loss"].W2)


def test_lr_factor_multiplies_the_mse_learning_rate_only(moons):
    cmp = Comparison(moons, lr=0.3, lr_factor=10)
    assert cmp.trainers["mse"].lr == pytest.approx(3.0)
    assert cmp.trainers["log_loss"].lr == pytest.approx(0.3)
    cmp.configure(lr=0.1, lr_factor=3, batch_size="all", l2=0.01)
    assert cmp.trainers["mse"].lr == pytest.approx(0.3)
    assert cmp.trainers["log_loss"].lr == pytest.approx(0.1)
    for t in cmp.trainers.values():
        assert t.batch_size == moons.X_train.shape[1] and t.l2 == 0.01
    with pytest.raises(ValueError, match="lr_factor"):
        cmp.configure(lr_factor=0)
    with pytest.raises(ValueError, match="lr_factor"):
        cmp.configure(lr_factor=float("nan"))


def test_bad_arguments_raise_clear_errors(moons):
    sine = make_dataset("sine", 50, 0.1, 0.3, 0)
    with pytest.raises(ValueError, match="classification"):
        Comparison(sine)
    with pytest.raises(ValueError, match="output_bias"):
        Comparison(moons, output_bias=float("inf"))


def test_a_diverging_net_stops_while_the_other_goes_on(moons):
    # MSE's loss is at most 1 with a sigmoid output; log-loss is unbounded and blows up first.
    cmp = Comparison(moons, hidden=8, activation="relu", lr=1000.0, seed=0)
    cmp.run(30)
    assert "log_loss" in cmp.diverged and "mse" not in cmp.diverged
    assert cmp.epoch == 30 and cmp.trainers["log_loss"].epoch < 30
    assert all(np.isfinite(cmp.nets["log_loss"].W1).ravel())


def fresh(cmp):
    """A new Comparison with the settings of ``cmp``, at epoch 0: the reference run."""
    mse = cmp.trainers["mse"]
    return Comparison(cmp.data, **cmp.config).configure(
        lr=cmp.lr, lr_factor=cmp.lr_factor, batch_size=mse.batch_size, l2=mse.l2)


def test_a_fresh_comparison_with_the_same_settings_replays_the_same_run(moons):
    cmp = Comparison(moons, hidden=4, lr=0.7, batch_size=32, seed=5, output_bias=-2,
                     lr_factor=3).run(4)
    again = fresh(cmp)
    assert again.epoch == 0
    again.run(4)
    for loss in LOSS_NAMES:
        for p in PARAMS:
            assert np.array_equal(getattr(again.nets[loss], p), getattr(cmp.nets[loss], p))


def test_copy_goes_on_as_the_original_would_and_leaves_it(moons):
    """The MSE vs log-loss page's next Step is trained ahead on a copy."""
    cmp = Comparison(moons, hidden=4, lr=0.7, batch_size=32, seed=5, output_bias=-2,
                     lr_factor=3).run(4)
    alone = fresh(cmp).run(4)
    weights = {loss: net.get_params() for loss, net in cmp.nets.items()}
    twin = cmp.copy()
    twin.run(2)
    alone.run(2)                # the reference: a comparison that simply went on
    assert twin.epoch == 6 and cmp.epoch == 4
    for loss in LOSS_NAMES:
        assert cmp.trainers[loss].history.epochs == 4
        for p in PARAMS:
            assert np.array_equal(getattr(twin.nets[loss], p), getattr(alone.nets[loss], p))
            assert np.array_equal(getattr(cmp.nets[loss], p), weights[loss][p])
    twin.configure(lr_factor=1.0)          # settings belong to each
    assert cmp.lr_factor == 3 and cmp.trainers["mse"].lr == pytest.approx(2.1)


# -- per-sample delta2 --------------------------------------------------------------------------

def test_delta2_per_sample_matches_the_formulas(moons):
    cmp = Comparison(moons, hidden=6, seed=2, output_bias=-4).run(3)
    deltas = cmp.delta2_per_sample()
    X, y = moons.X_train, moons.y_train.ravel()
    for loss in LOSS_NAMES:
        a2 = cmp.nets[loss].forward(X).a2.ravel()
        expected = {"mse": np.abs(-2 * (y - a2) * a2 * (1 - a2)), "log_loss": np.abs(a2 - y)}
        assert deltas[loss].shape == (X.shape[1],)
        np.testing.assert_allclose(deltas[loss], expected[loss], rtol=1e-12)


def test_summary_is_the_accuracy_and_loss_now(moons):
    cmp = Comparison(moons, hidden=4, seed=0)
    before = cmp.summary()
    for loss in LOSS_NAMES:
        acc, train_loss = before[loss]
        net = cmp.nets[loss]
        assert train_loss == pytest.approx(net.loss(moons.X_train, moons.y_train))
        pred = net.predict(moons.X_test) >= 0.5
        assert acc == pytest.approx(np.mean(pred == (moons.y_test >= 0.5)))
    cmp.run(2)
    # After training, worked out again from the nets themselves, not from the histories.
    for loss, (acc, train_loss) in cmp.summary().items():
        net = cmp.nets[loss]
        assert train_loss == pytest.approx(net.loss(moons.X_train, moons.y_train))
        pred = net.predict(moons.X_test) >= 0.5
        assert acc == pytest.approx(np.mean(pred == (moons.y_test >= 0.5)))


# -- the saturated-start lesson ------------------------------------------------------------------

def test_saturated_start_mse_stalls_and_log_loss_recovers(moons):
    """b2 = -8, full batch, lr 1.0, 8 sigmoid units, 300 epochs on moons."""
    cmp = Comparison(moons, hidden=8, activation="sigmoid", lr=1.0, batch_size=None, seed=0,
                     output_bias=-8.0).run(300)
    h = cmp.histories
    ratio = h["log_loss"].grad_norm["W2"][0] / h["mse"].grad_norm["W2"][0]
    assert ratio > 100
    assert h["log_loss"].test_metric[-1] >= 0.8
    assert h["mse"].test_metric[-1] <= 0.65
    # the first-epoch gradient is the gradient at the start (one full-batch step per epoch)
    start = Comparison(moons, hidden=8, activation="sigmoid", output_bias=-8.0, seed=0)
    g = {loss: net.gradients(moons.X_train, moons.y_train)["W2"]
         for loss, net in start.nets.items()}
    assert ratio == pytest.approx(np.linalg.norm(g["log_loss"]) / np.linalg.norm(g["mse"]))


def test_the_saturated_lesson_preset_is_that_setting():
    lesson = LESSONS["saturated"]
    s = lesson_settings("saturated")
    assert (s["dataset"], s["hidden"], s["activation"], s["lr"], s["batch"]) == \
        ("moons", 8, "sigmoid", 1.0, "all")
    assert lesson.output_bias == -8.0 and lesson.lr_factor == 1 and lesson.epochs == 300
    numbers = lesson_numbers("saturated")
    assert numbers["ratio"] > 100
    assert numbers["acc_log_loss"] >= 0.8 and numbers["acc_mse"] <= 0.65


def test_fair_lesson_both_learn_log_loss_first():
    numbers = lesson_numbers("fair")
    assert LESSONS["fair"].output_bias == 0.0
    assert isinstance(numbers["reach_log_loss"], int) and isinstance(numbers["reach_mse"], int)
    assert numbers["reach_log_loss"] < numbers["reach_mse"]
    assert numbers["acc_log_loss"] >= 0.9 and numbers["acc_mse"] >= 0.9


def test_lesson_settings_keep_the_base_for_what_the_lesson_does_not_fix():
    base = {"present": True, "loss": "mse", "epochs_per_run": 7, "dataset": "xor"}
    s = lesson_settings("fair", base)
    assert s["present"] is True and s["epochs_per_run"] == 7 and s["dataset"] == "moons"
    assert lesson_settings("one_neuron", base) == base


# -- the one-neuron lesson (Nielsen, ch. 3) ------------------------------------------------------

def test_one_neuron_from_w_b_2_mse_needs_about_232_steps_log_loss_about_33():
    mse = one_neuron("mse", 2.0, 2.0, 0.075, 400)
    log = one_neuron("log_loss", 2.0, 2.0, 0.075, 400)
    assert mse.a[0] == pytest.approx(0.982, abs=1e-3) == log.a[0]
    assert abs(steps_until_below(mse.a) - 232) <= 3
    assert abs(steps_until_below(log.a) - 33) <= 3


def test_one_neuron_from_w_06_b_09_mse_reaches_0094_after_300_steps():
    run = one_neuron("mse", 0.6, 0.9, 0.075, 300)
    assert run.a[0] == pytest.approx(0.82, abs=0.005)
    assert run.a[300] == pytest.approx(0.094, abs=0.005)


def test_one_neuron_is_nielsens_update_written_out():
    """An independent loop with Nielsen's own formulas: his quadratic cost (a - y)^2 / 2 at
    lr 0.15 is our MSE at 0.075; his cross-entropy delta is (a - y)."""
    def nielsen(w, b, lr, steps, cross_entropy):
        out = []
        for _ in range(steps + 1):
            a = 1 / (1 + np.exp(-(w + b)))
            out.append(a)
            delta = a if cross_entropy else a * a * (1 - a)
            w, b = w - lr * delta, b - lr * delta
        return np.array(out)

    np.testing.assert_allclose(one_neuron("mse", 2.0, 2.0, 0.075, 300).a,
                               nielsen(2.0, 2.0, 0.15, 300, False), rtol=1e-12)
    np.testing.assert_allclose(one_neuron("log_loss", 0.6, 0.9, 0.075, 300).a,
                               nielsen(0.6, 0.9, 0.075, 300, True), rtol=1e-12)


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("z", [-6.0, -1.3, 0.0, 0.4, 2.0, 7.5])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_one_neuron_delta_is_the_derivative_of_the_loss(loss, z, y):
    cost = LOSSES[loss]

    def L(z):
        return float(cost.value(z, float(sigmoid(np.float64(z))), y))

    h = 1e-5
    numeric = (L(z + h) - L(z - h)) / (2 * h)
    a = float(sigmoid(np.float64(z)))
    analytic = cost.delta(z, a, y, a * (1 - a))
    assert analytic == pytest.approx(numeric, rel=1e-7, abs=1e-10)
    # and one_neuron steps along it: w, b move by -lr * delta * x (x = 1)
    run = one_neuron(loss, z, 0.0, 0.5, 1, x=1.0, y=y)
    assert run.w[1] == pytest.approx(z - 0.5 * analytic)
    assert run.b[1] == pytest.approx(-0.5 * analytic)


def test_one_neuron_lesson_numbers_come_from_the_core():
    numbers = lesson_numbers("one_neuron")
    assert numbers["lr"] == ONE_NEURON_LR == 0.075
    assert abs(numbers["mse_steps"] - 232) <= 3 and abs(numbers["log_loss_steps"] - 33) <= 3
    assert numbers["mse_after"] == pytest.approx(0.094, abs=0.005)
    assert numbers["log_loss_after"] < numbers["mse_after"]
    text = lesson_text("one_neuron")
    assert str(numbers["mse_steps"]) in text and str(numbers["log_loss_steps"]) in text
    assert f"{numbers['mse_after']:.3f}" in text


def test_every_lesson_has_text_with_its_numbers_filled_in():
    for key in LESSONS:
        text = lesson_text(key)
        assert "{" not in text and len(text) > 80, key


def test_comparison_numbers_are_one_run_of_plain_settings(moons):
    s = dict({k: setting.default for k, setting in SETTINGS.items()}, dataset="moons",
             samples=500, noise=0.2, test_fraction=0.3, seed=0, hidden=8,
             activation="sigmoid", lr=1.0, batch=32, l2=0.0)
    h = comparison_for(s, moons, output_bias=-8.0).run(20).histories
    numbers = comparison_numbers(s, output_bias=-8.0, epochs=20, target=1.01)
    assert numbers == {"ratio": h["log_loss"].grad_norm["W2"][0] / h["mse"].grad_norm["W2"][0],
                       "acc_mse": h["mse"].test_metric[-1], "reach_mse": None,
                       "acc_log_loss": h["log_loss"].test_metric[-1], "reach_log_loss": None}
    reach = comparison_numbers(s, output_bias=-8.0, epochs=20, target=0.8)["reach_log_loss"]
    assert reach == epochs_until(h["log_loss"].test_metric, 0.8) and 1 <= reach <= 20


def test_the_one_neuron_lesson_states_the_cores_numbers():
    assert lesson_numbers("one_neuron") == one_neuron_numbers()


def test_steps_and_epochs_helpers():
    assert steps_until_below([0.9, 0.6, 0.49, 0.3]) == 2
    assert steps_until_below([0.9, 0.8]) is None
    assert epochs_until([0.5, 0.8, 0.95], 0.9) == 3
    assert epochs_until([0.5], 0.9) is None


# -- boundaries --------------------------------------------------------------------------------

def test_probabilities_on_the_grid_are_the_nets_outputs(moons):
    cmp = Comparison(moons, hidden=4, seed=0).run(2)
    grid = boundary_grid(moons, 7)
    P = probabilities(cmp.nets["mse"], grid)
    assert P.dtype == np.float32 and P.shape == (7, 7)
    i, j = 5, 2  # row i along x2, column j along x1
    point = np.array([[grid.x1[j]], [grid.x2[i]]])
    assert P[i, j] == pytest.approx(cmp.nets["mse"].predict(point)[0, 0], rel=1e-6)
    assert grid.x1[0] < moons.X_train[0].min() and grid.x2[-1] > moons.X_train[1].max()


def test_comparison_for_settings(moons):
    s = lesson_settings("fair")
    cmp = comparison_for(s, moons, output_bias=1.5, lr_factor=30)
    assert cmp.trainers["mse"].batch_size == 32 and cmp.trainers["mse"].lr == pytest.approx(30)
    assert cmp.nets["log_loss"].b2[0, 0] == 1.5 and cmp.nets["mse"].n_hidden == 8


def test_the_pages_own_settings_clamp():
    assert COMPARE_SETTINGS["output_bias"].clean("-50")[0] == -20.0
    assert COMPARE_SETTINGS["output_bias"].clean("nan")[0] == 0.0
    assert COMPARE_SETTINGS["lr_factor"].clean("10") == (10, None)
    assert COMPARE_SETTINGS["lr_factor"].clean("12")[0] == 10


def test_the_budget_caps_one_request_for_the_pair():
    from twolayer.settings import epoch_budget
    big = make_dataset("moons", 5000, 0.2, 0.3, 0)
    cmp = Comparison(big, hidden=64, batch_size=1)
    epochs, note = cmp.budget(5000)
    one_net, _ = epoch_budget(5000, big.X_train.shape[1], 1, 64)
    assert 1 <= epochs <= one_net // 2 + 1 and "too long" in note
    small = Comparison(make_dataset("moons", 200, 0.2, 0.3, 0), hidden=4)
    assert small.budget(100) == (100, None)


def test_a_comparison_stops_on_measured_cpu_time_with_both_nets_in_step(moons, monkeypatch):
    import twolayer.compare as compare
    from tests.test_train import FakeClock

    cmp = Comparison(moons, hidden=4, seed=0)
    # A clock that advances 1 s at every reading (the nets' trainers read it too): the run
    # stops after a few epochs, and both nets stand at the same one.
    monkeypatch.setattr(compare.time, "process_time", FakeClock(1.0))
    cmp.run(50, cpu_seconds=8.0)
    monkeypatch.undo()
    epochs = {loss: t.epoch for loss, t in cmp.trainers.items()}
    assert len(set(epochs.values())) == 1 and 1 <= epochs["mse"] < 50
    whole = Comparison(moons, hidden=4, seed=0).run(epochs["mse"])
    for loss in LOSS_NAMES:
        assert cmp.histories[loss].train_loss == whole.histories[loss].train_loss
