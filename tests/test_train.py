"""Trainer: chunked runs, batch order, history, snapshots, divergence, and what it learns."""

import warnings

import numpy as np
import pytest

from tests import reference as ref
from twolayer import TwoLayerNet, train
from twolayer.data import DATASETS, make_dataset
from twolayer.train import Trainer

PARAMS = ("W1", "b1", "W2", "b2")


def make_trainer(name="moons", n_samples=200, noise=0.2, hidden=8, activation="tanh", loss=None,
                 lr=0.3, batch_size=16, seed=0, **kwargs):
    data = make_dataset(name, n_samples, noise, seed=seed)
    net = TwoLayerNet(data.n_inputs, hidden, activation, data.task, loss, seed=seed)
    return Trainer(net, data, lr=lr, batch_size=batch_size, seed=seed, **kwargs)


def history_lists(h):
    """Copies of the per-epoch lists: a later change to the history does not reach them."""
    return {"train_loss": list(h.train_loss), "test_loss": list(h.test_loss),
            "train_metric": list(h.train_metric), "test_metric": list(h.test_metric),
            **{f"grad_norm_{p}": list(h.grad_norm[p]) for p in PARAMS}}


@pytest.mark.parametrize("chunks", [[1] * 10, [3, 7], [0, 10, 0]])
def test_training_in_chunks_equals_one_run(chunks):
    whole, parts = make_trainer(), make_trainer()
    whole.run(10)
    for k in chunks:
        parts.run(k)
    assert parts.epoch == whole.epoch == 10
    for p in PARAMS:
        assert np.array_equal(getattr(parts.net, p), getattr(whole.net, p))
    expected = history_lists(whole.history)
    for key, values in history_lists(parts.history).items():
        assert len(values) == 10
        assert np.array_equal(values, expected[key]), key
    assert parts.history.snapshots.keys() == whole.history.snapshots.keys()
    for epoch, params in whole.history.snapshots.items():
        for p in PARAMS:
            assert np.array_equal(parts.history.snapshots[epoch][p], params[p])


def test_same_seed_same_batches_whatever_the_loss():
    mse = make_trainer(loss="mse", seed=5)
    log = make_trainer(loss="log_loss", seed=5)
    other = make_trainer(seed=6)
    for epoch in (1, 2, 50):
        assert np.array_equal(mse.epoch_order(epoch), log.epoch_order(epoch))
        assert not np.array_equal(mse.epoch_order(epoch), other.epoch_order(epoch))
        assert sorted(mse.epoch_order(epoch)) == list(range(mse.X.shape[1]))
    assert not np.array_equal(mse.epoch_order(1), mse.epoch_order(2))  # reshuffled each epoch


def test_mse_stalls_and_log_loss_learns_from_a_saturated_start():
    data = make_dataset("moons", 500, 0.2, seed=0)
    trainers, start = {}, {}
    for loss in ("mse", "log_loss"):
        net = TwoLayerNet(2, 8, "sigmoid", "classification", loss, seed=0)
        net.b2[:] = -8.0  # a2 = sigmoid(-8) ~ 3e-4 for every sample: confidently class 0
        start[loss] = np.linalg.norm(net.gradients(data.X_train, data.y_train)["W2"])
        trainers[loss] = Trainer(net, data, lr=1.0, batch_size=None, seed=0)
    for p in PARAMS:  # identical starting weights
        assert np.array_equal(getattr(trainers["mse"].net, p), getattr(trainers["log_loss"].net, p))

    ratio = start["log_loss"] / start["mse"]
    for t in trainers.values():
        t.run(300)
    acc = {loss: t.history.test_metric[-1] for loss, t in trainers.items()}
    print(f"\n||dW2|| at b2 = -8: log-loss {start['log_loss']:.3g}, MSE {start['mse']:.3g} "
          f"(ratio {ratio:.0f}); test accuracy after 300 epochs at lr 1.0: "
          f"log-loss {acc['log_loss']:.3f}, MSE {acc['mse']:.3f}")
    # Full batch: the first epoch's recorded norm is the gradient at the start.
    assert trainers["mse"].history.grad_norm["W2"][0] == pytest.approx(start["mse"], rel=1e-12)
    assert ratio > 100
    assert acc["log_loss"] >= 0.8
    assert acc["mse"] <= 0.65


# name: (noise, hidden units, activation, lr, batch size, epochs, test metric at least)
# The moons and sine rows are the quality bars. Sine's noise is 0.1 because at 0.2 the
# noise alone (variance 0.04 against sin's 0.5) caps the test R^2 near 0.93.
LEARNS = {
    "moons": (0.2, 16, "tanh", 0.5, 32, 300, 0.93),
    "circles": (0.1, 16, "tanh", 0.3, 32, 200, 0.95),
    "blobs": (0.2, 8, "tanh", 0.3, 32, 50, 0.95),
    "xor": (0.05, 16, "tanh", 0.3, 32, 200, 0.9),
    "spiral": (0.0, 24, "tanh", 0.5, 32, 1000, 0.9),
    "linear": (0.2, 8, "tanh", 0.3, 32, 100, 0.9),
    "sine": (0.1, 16, "tanh", 0.1, 32, 300, 0.95),
    "plane": (0.1, 8, "tanh", 0.1, 32, 100, 0.95),
    "bumps": (0.05, 16, "tanh", 0.1, 16, 500, 0.88),
}


def test_every_dataset_has_a_setting():
    assert LEARNS.keys() == DATASETS.keys()


@pytest.mark.parametrize("name", LEARNS)
def test_each_dataset_is_learned(name):
    noise, hidden, activation, lr, batch_size, epochs, at_least = LEARNS[name]
    t = make_trainer(name, 500, noise, hidden, activation, lr=lr, batch_size=batch_size)
    start = t.net.get_params()
    t.run(2)
    # The first two epochs are those of the equations written out again (tests/reference.py),
    # mini-batches in the documented order: a wrong backward pass that still learns an easy
    # set (blobs, linear) fails here, not only on the harder ones' quality bars.
    expected, losses = ref.train(start, t.X, t.y, activation, t.net.task, t.net.loss_name, lr,
                                 batch_size, epochs=2, seed=0)
    for p in PARAMS:
        np.testing.assert_allclose(getattr(t.net, p), expected[p], rtol=1e-9, atol=1e-12,
                                   err_msg=p)
    np.testing.assert_allclose(t.history.train_loss, losses, rtol=1e-9)
    t.run(epochs - 2)
    print(f"\n{name}: test {t.metric_name} {t.history.test_metric[-1]:.3f}")
    assert t.diverged is None
    assert t.history.test_metric[-1] >= at_least


@pytest.mark.parametrize("lr", [100.0, 1.2, 1e200])  # too large, large, absurd (inf, NaN)
def test_divergence_stops_cleanly(lr):
    t = make_trainer("sine", noise=0.1, lr=lr, batch_size=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning may escape
        t.run(100)
        diverged = t.diverged
        assert isinstance(diverged, int) and not isinstance(diverged, bool)
        assert 1 <= diverged <= 100
        h = t.history
        assert t.epoch == h.epochs == diverged - 1  # every epoch before it is kept
        assert all(np.isfinite(h.train_loss)) and all(np.isfinite(h.test_loss))
        for p in PARAMS:
            assert np.all(np.isfinite(getattr(t.net, p)))
            # The net is left at the last good weights.
            assert np.array_equal(getattr(t.net, p), h.snapshot(t.epoch)[1][p])
        before = (history_lists(h), t.net.get_params())
        t.run(10)  # a diverged trainer does nothing more
        assert t.epoch == diverged - 1 and t.diverged == diverged
        assert history_lists(h) == before[0]
        for p in PARAMS:
            assert np.array_equal(getattr(t.net, p), before[1][p])
    # The epochs it kept are those of an undisturbed run.
    fresh = make_trainer("sine", noise=0.1, lr=lr, batch_size=None)
    fresh.run(diverged - 1)
    assert history_lists(fresh.history) == history_lists(h)


def test_snapshots_every_k_epochs_and_lookup():
    t = make_trainer(snapshot_every=3)
    t.run(4)
    t.run(4)
    h = t.history
    assert sorted(h.snapshots) == [0, 3, 4, 6, 8]  # every 3rd, plus the end of each run
    assert h.snapshot(0)[0] == 0 and h.snapshot(2)[0] == 0
    assert h.snapshot(5)[0] == 4 and h.snapshot(7)[0] == 6
    assert h.snapshot(8)[0] == 8 and h.snapshot(100)[0] == 8 and h.snapshot(-1)[0] == 0
    epoch, params = h.snapshot(8)
    for p in PARAMS:
        assert np.array_equal(params[p], getattr(t.net, p))
        assert params[p] is not getattr(t.net, p)  # a copy, untouched by later training
    t.run(1)
    assert not np.array_equal(h.snapshots[8]["W1"], t.net.W1)


def test_grad_norm_is_the_mean_of_the_per_step_norms():
    t = make_trainer(batch_size=32, lr=0.5)  # 140 training samples: 5 batches, the last of 12
    replay = t.net.copy()
    t.run(1)
    order = t.epoch_order(1)
    norms = {p: [] for p in PARAMS}
    for start in range(0, t.X.shape[1], 32):
        idx = order[start:start + 32]
        grads = replay.gradients(t.X[:, idx], t.y[:, idx])
        for p in PARAMS:
            norms[p].append(np.linalg.norm(grads[p]))
        replay.step(t.X[:, idx], t.y[:, idx], 0.5)
    assert len(norms["W1"]) == 5
    for p in PARAMS:
        assert t.history.grad_norm[p][0] == pytest.approx(np.mean(norms[p]), rel=1e-12)
        assert np.array_equal(getattr(replay, p), getattr(t.net, p))


def test_l2_adds_l2_times_W_to_the_weight_gradients():
    t = make_trainer()
    net, X, y, l2 = t.net, t.X[:, :50], t.y[:, :50], 0.05
    plain, decayed = net.gradients(X, y), net.gradients(X, y, l2)
    for p in ("W1", "W2"):
        np.testing.assert_allclose(decayed[p] - plain[p], l2 * getattr(net, p), rtol=1e-12,
                                   atol=1e-15)
    for p in ("b1", "b2"):
        assert np.array_equal(decayed[p], plain[p])
    # ... and they are the gradients of net.loss(..., l2), by centred differences.
    h = 1e-6
    for p in PARAMS:
        P, numeric = getattr(net, p), np.empty_like(getattr(net, p))
        for i in np.ndindex(P.shape):
            kept = P[i]
            P[i] = kept + h
            plus = net.loss(X, y, l2)
            P[i] = kept - h
            minus = net.loss(X, y, l2)
            P[i] = kept
            numeric[i] = (plus - minus) / (2 * h)
        err = np.linalg.norm(decayed[p] - numeric) / (np.linalg.norm(decayed[p])
                                                      + np.linalg.norm(numeric))
        assert err < 1e-7, p


@pytest.mark.parametrize("l2", [0.1, 0.003])
def test_trainer_applies_l2(l2):
    # One full-batch step from the same weights: with L2 each W moves by lr * l2 * W more
    # (W <- W - lr (dL/dW + l2 W)), the biases exactly as without it.
    plain, decayed = make_trainer(batch_size=None), make_trainer(batch_size=None, l2=l2)
    W0 = plain.net.get_params()
    plain.run(1)
    decayed.run(1)
    for p in ("W1", "W2"):
        np.testing.assert_allclose(getattr(decayed.net, p),
                                   getattr(plain.net, p) - 0.3 * l2 * W0[p], rtol=1e-12,
                                   atol=1e-15, err_msg=p)
    for p in ("b1", "b2"):
        np.testing.assert_array_equal(getattr(decayed.net, p), getattr(plain.net, p))
    # ... and 20 epochs of mini-batches are those of the equations with the L2 term.
    t = make_trainer(l2=l2, batch_size=16)
    start = t.net.get_params()
    t.run(20)
    expected, _ = ref.train(start, t.X, t.y, "tanh", "classification", "log_loss", 0.3, 16,
                            epochs=20, seed=0, l2=l2)
    for p in PARAMS:
        np.testing.assert_allclose(getattr(t.net, p), expected[p], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("batch_size", "seed"), [(16, 0), (7, 3), (1, 5), (None, 2)])
def test_run_visits_the_samples_in_each_epochs_documented_order(batch_size, seed):
    # Epoch k shuffles with (seed, k), then cuts mini-batches in that order: through
    # Trainer.run, not only through epoch_order (a run that reused one order, or skipped the
    # shuffle, would give other weights after the second epoch).
    data = make_dataset("moons", 60, 0.2, seed=seed)
    net = TwoLayerNet(2, 4, "tanh", "classification", "log_loss", seed=seed)
    start = net.get_params()
    t = Trainer(net, data, lr=0.5, batch_size=batch_size, seed=seed)
    t.run(3)
    expected, losses = ref.train(start, t.X, t.y, "tanh", "classification", "log_loss", 0.5,
                                 batch_size, epochs=3, seed=seed)
    for p in PARAMS:
        np.testing.assert_allclose(getattr(t.net, p), expected[p], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(t.history.train_loss, losses, rtol=1e-9)


@pytest.mark.parametrize("kwargs,words", [
    (dict(lr=0), "learning rate must be a finite number > 0"),
    (dict(lr=float("nan")), "learning rate must be a finite number > 0"),
    (dict(batch_size=0), "batch size must be an integer from 1 to 140"),
    (dict(l2=-1.0), "l2 must be a finite number >= 0"),
    (dict(snapshot_every=0), "snapshot_every must be an integer >= 1"),
])
def test_bad_settings(kwargs, words):
    with pytest.raises(ValueError, match=words):
        make_trainer(**kwargs)


def test_net_and_data_must_fit():
    data = make_dataset("sine", 50)
    with pytest.raises(ValueError, match="the net is for classification, the data for regression"):
        Trainer(TwoLayerNet(1, 3, task="classification"), data)
    with pytest.raises(ValueError, match="the net takes 2 inputs, the data has 1"):
        Trainer(TwoLayerNet(2, 3, task="regression"), data)
    t = Trainer(TwoLayerNet(1, 3, task="regression"), data)
    for epochs in (-1, 1.5):
        with pytest.raises(ValueError, match="epochs must be an integer >= 0"):
            t.run(epochs)


def test_snapshots_stay_bounded_in_a_long_session(monkeypatch):
    monkeypatch.setattr(train, "RECENT_SNAPSHOTS", 3)
    t = make_trainer(max_snapshots=10)
    t.run(100)
    h = t.history
    assert len(h.snapshots) <= 10
    assert {0, 98, 99, 100} <= h.snapshots.keys()  # the start and the latest epochs
    # Every kept snapshot still holds the weights of its epoch: replay and compare.
    replay = make_trainer()
    for epoch in sorted(h.snapshots)[1:]:
        replay.run(epoch - replay.epoch)
        assert np.array_equal(replay.net.W1, h.snapshots[epoch]["W1"])


def test_rewind_goes_back_as_if_training_had_stopped_there():
    """Play trains ahead and, on Pause, rewinds to the epoch on screen: afterwards the trainer
    must be exactly one that stopped at that epoch (weights, history, what comes next)."""
    ahead, stopped = make_trainer(), make_trainer()
    ahead.run(12)
    stopped.run(5)
    ahead.rewind(5)
    assert ahead.epoch == 5 and max(ahead.history.snapshots) == 5
    for p in PARAMS:
        assert np.array_equal(getattr(ahead.net, p), getattr(stopped.net, p))
    for key, values in history_lists(ahead.history).items():
        assert values == history_lists(stopped.history)[key], key
    ahead.run(3)    # the next epochs are the ones a trainer that stopped at 5 would train
    stopped.run(3)
    for p in PARAMS:
        assert np.array_equal(getattr(ahead.net, p), getattr(stopped.net, p))


def test_rewind_takes_given_params_and_forgets_a_later_divergence():
    t = make_trainer(name="sine", n_samples=100, lr=0.01, batch_size=1)
    t.run(3)
    kept = {p: v.copy() for p, v in t.history.snapshots[1].items()}
    t.lr = 10.0
    t.run(3)
    assert t.diverged == 4 and t.epoch == 3
    t.rewind(3)                 # the last good epoch: the divergence after it still stands
    assert t.diverged == 4
    del t.history.snapshots[1]  # thinned out: the caller hands the weights over
    t.rewind(1, params=kept)
    assert t.diverged is None and t.epoch == 1 and t.history.epochs == 1
    assert np.array_equal(t.net.W1, kept["W1"]) and np.array_equal(t.history.snapshots[1]["W1"],
                                                                    kept["W1"])
    with pytest.raises(ValueError, match="from 0 to 1"):
        t.rewind(2)
    gap = make_trainer()
    gap.run(3)
    del gap.history.snapshots[1]
    with pytest.raises(ValueError, match="no snapshot of epoch 1"):
        gap.rewind(1)


def test_copy_trains_on_without_touching_the_original():
    """Step's next epoch is trained ahead on a copy: the copy must go on exactly as the
    original would (weights, history), and the original must stay where it was."""
    t, alone = make_trainer(), make_trainer()
    t.run(4)
    alone.run(4)
    before = {p: getattr(t.net, p).copy() for p in PARAMS}
    lists = {k: list(v) for k, v in history_lists(t.history).items()}
    snapshots = {e: {p: v.copy() for p, v in s.items()} for e, s in t.history.snapshots.items()}
    twin = t.copy()
    twin.run(3)
    alone.run(3)                # a trainer that simply went on: the reference
    assert twin.epoch == 7 and t.epoch == 4
    for p in PARAMS:
        assert np.array_equal(getattr(twin.net, p), getattr(alone.net, p))
        assert np.array_equal(getattr(t.net, p), before[p])
    assert history_lists(twin.history) == history_lists(alone.history)
    assert history_lists(t.history) == lists
    assert sorted(t.history.snapshots) == sorted(snapshots)
    for e, s in snapshots.items():
        for p in PARAMS:
            assert np.array_equal(t.history.snapshots[e][p], s[p])
    t.run(1)                    # and the original still trains on as before
    assert t.epoch == 5 and np.array_equal(t.net.W1, alone.history.snapshots[5]["W1"])
    twin.lr = 5.0               # settings belong to each trainer
    assert t.lr != 5.0


class FakeClock:
    """time.process_time that advances ``tick`` seconds at every call."""

    def __init__(self, tick):
        self.now, self.tick = 0.0, tick

    def __call__(self):
        self.now += self.tick
        return self.now


@pytest.mark.parametrize(("cpu_seconds", "expected"), [(0.0, 1), (2.5, 3), (100.0, 20)])
def test_run_stops_on_measured_cpu_time(monkeypatch, cpu_seconds, expected):
    """One clock reading at the start and one per epoch: with a clock that advances 1 s per
    reading, epoch k ends k seconds after the start. At least one epoch is trained, and the
    epochs trained equal an unlimited run of as many."""
    import twolayer.train as train

    t = make_trainer()
    monkeypatch.setattr(train.time, "process_time", FakeClock(1.0))
    t.run(20, cpu_seconds=cpu_seconds)
    monkeypatch.undo()
    assert t.epoch == expected
    whole = make_trainer()
    whole.run(expected)
    assert history_lists(t.history) == history_lists(whole.history)
    np.testing.assert_array_equal(t.net.W1, whole.net.W1)
