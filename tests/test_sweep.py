"""The sweep: K nets trained at once, each equal to its own TwoLayerNet + Trainer run.

The reference for every number here is the single-net code (TwoLayerNet, Trainer, the train
command), which tests/test_net.py and tests/test_train.py check against finite differences,
hand-worked examples and sklearn.
"""

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from twolayer import TwoLayerNet, stacked, sweep
from twolayer.__main__ import main
from twolayer.data import make_dataset
from twolayer.sweep import Run, Sweep, best, best_sentence, grid, summarize
from twolayer.train import Trainer

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ("W1", "b1", "W2", "b2")
HISTORY = {"train_loss": "train_loss", "test_loss": "test_loss", "train_metric": "train_metric",
           "test_metric": "test_metric"}


def single_run(data, run, hidden, activation, batch_size, epochs, l2=0.0, output_bias=0.0):
    """The reference: the run trained alone, by TwoLayerNet and Trainer."""
    net = TwoLayerNet(data.n_inputs, hidden, activation, data.task, run.loss, seed=run.seed,
                      n_classes=data.n_classes)
    net.set_output_bias(output_bias)    # b2 = bias for two classes; (0, bias, ...) for K
    trainer = Trainer(net, data, lr=run.lr, batch_size=batch_size, l2=l2, seed=run.seed)
    trainer.run(epochs)
    return trainer


def assert_net_equals_trainer(sw, k, trainer):
    """Net k of the sweep: the same epochs, divergence, history (1e-9) and weights (1e-9)."""
    assert sw.epochs_run[k] == trainer.epoch
    assert sw.diverged[k] == (trainer.diverged or 0)
    h, n = sw.history, trainer.epoch
    expected = {"train_loss": trainer.history.train_loss, "test_loss": trainer.history.test_loss,
                "train_metric": trainer.history.train_metric,
                "test_metric": trainer.history.test_metric,
                **{f"grad_norm_{p}": trainer.history.grad_norm[p] for p in PARAMS}}
    for key, values in expected.items():
        assert len(values) == n
        np.testing.assert_allclose(h[key][k, :n], values, rtol=1e-9, atol=1e-12, err_msg=key)
        assert np.isnan(h[key][k, n:]).all(), f"{key} goes on after the divergence"
    for p in PARAMS:
        np.testing.assert_allclose(sw.params[p][k], getattr(trainer.net, p), rtol=1e-9,
                                   atol=1e-12, err_msg=p)


# -- each net of a sweep is its own single run -----------------------------------------------


def test_every_net_of_a_mixed_sweep_equals_its_single_run():
    # 350 training samples at batch 32: ten full mini-batches and a last one of 30.
    data = make_dataset("moons", 500, 0.2, seed=0)
    runs = grid(["mse", "log_loss"], [0.03, 0.5, 4.0], [0, 1, 7])
    sw = Sweep(data, runs, hidden=6, activation="tanh", batch_size=32).run(50)
    assert sw.K == 18 and sw.epoch == 50
    for k in range(sw.K):
        assert_net_equals_trainer(sw, k, single_run(data, runs[k], 6, "tanh", 32, 50))


def test_nets_in_any_order_with_l2_and_a_saturated_start():
    # Losses interleaved (no adjacent block per loss), sigmoid units, L2, b2 = -6: the same.
    data = make_dataset("circles", 300, 0.1, seed=4)
    runs = [Run("log_loss", 1.0, 3), Run("mse", 1.0, 3), Run("log_loss", 0.1, 5),
            Run("mse", 3.0, 5), Run("log_loss", 3.0, 3)]
    sw = Sweep(data, runs, hidden=5, activation="sigmoid", batch_size=16, l2=0.01,
               output_bias=-6.0).run(50)
    assert np.all(sw.initial["b2"] == -6.0)
    for k, run in enumerate(runs):
        trainer = single_run(data, run, 5, "sigmoid", 16, 50, l2=0.01, output_bias=-6.0)
        assert_net_equals_trainer(sw, k, trainer)


def test_regression_sweep_equals_its_single_runs():
    data = make_dataset("bumps", 300, 0.1, seed=2)
    runs = grid(["mse"], [0.01, 0.1, 0.3], [0, 1])
    sw = Sweep(data, runs, hidden=7, activation="relu", batch_size=25).run(50)
    assert sw.metric_name == "r2"
    for k in range(sw.K):
        assert_net_equals_trainer(sw, k, single_run(data, runs[k], 7, "relu", 25, 50))


@pytest.mark.parametrize("batch_size", [None, 1, 10_000])
def test_full_batch_single_sample_and_oversized_batches(batch_size):
    data = make_dataset("xor", 60, 0.1, seed=1)
    runs = grid(["log_loss"], [0.3], [0, 2])
    sw = Sweep(data, runs, hidden=3, activation="tanh", batch_size=batch_size).run(5)
    for k in range(sw.K):
        assert_net_equals_trainer(sw, k, single_run(data, runs[k], 3, "tanh", batch_size, 5))


def test_each_net_diverges_alone_and_keeps_its_last_good_weights():
    data = make_dataset("sine", 200, 0.1, seed=0)
    runs = grid(["mse"], [0.3, 0.7, 0.8], [0, 1, 2, 3])
    sw = Sweep(data, runs, hidden=8, activation="tanh", batch_size=16).run(50)
    diverged = sw.diverged.tolist()
    # Some nets diverge in the first epoch, some later, and others train all 50 epochs.
    assert 1 in diverged and any(d > 1 for d in diverged) and 0 in diverged
    for k in range(sw.K):
        assert_net_equals_trainer(sw, k, single_run(data, runs[k], 8, "tanh", 16, 50))
    # A net that diverged at epoch 1 is at its initial weights.
    first = diverged.index(1)
    for p in PARAMS:
        assert np.array_equal(sw.params[p][first], sw.initial[p][first])
    results = sw.results()
    assert results[first]["diverged"] == 1 and results[first]["epochs_run"] == 0


@pytest.mark.parametrize(("dataset", "activation", "runs"), [
    # Every seed with as many nets: a grid (seeds x nets per seed), each seed's batch shared.
    ("moons", "tanh", grid(["mse", "log_loss"], [0.1, 3.0], [2, 3, 7])),
    # Seeds with different numbers of nets, losses interleaved: a batch gathered per net.
    ("circles", "sigmoid", [Run("log_loss", 1.0, 3), Run("mse", 1.0, 3), Run("log_loss", 0.1, 5),
                            Run("mse", 30.0, 5), Run("log_loss", 3.0, 3)]),
    # Nets diverging at epochs 1, 2 and 3, the others training on around them.
    ("sine", "tanh", grid(["mse"], [0.1, 0.8, 1.2], [0, 1, 2]) + [Run("mse", 0.9, 1)]),
])
def test_each_nets_weights_are_its_single_runs_to_the_bit(dataset, activation, runs):
    # Each product is the single net's BLAS call on operands of the same layout: the same
    # bits, at any epoch (here with a last, shorter batch: 140 training samples at batch 16),
    # also after other nets of the sweep diverged.
    data = make_dataset(dataset, 200, 0.25, seed=5)
    sw = Sweep(data, runs, hidden=5, activation=activation, batch_size=16).run(8)
    for k, run in enumerate(runs):
        trainer = single_run(data, run, 5, activation, 16, 8)
        assert sw.epochs_run[k] == trainer.epoch
        for p in PARAMS:
            assert sw.params[p][k].tobytes() == getattr(trainer.net, p).tobytes(), (k, p)


# -- K classes: K softmax outputs per net -------------------------------------------------------


def test_every_net_of_a_three_class_sweep_equals_its_single_run():
    # Both losses (cross-entropy, one-hot MSE), three learning rates, three seeds: a grid.
    data = make_dataset("spiral", 300, 0.2, seed=0, n_classes=3)
    runs = grid(["mse", "log_loss"], [0.05, 0.5, 3.0], [0, 1, 7])
    sw = Sweep(data, runs, hidden=6, activation="tanh", batch_size=32).run(30)
    assert sw.params["W2"].shape == (18, 3, 6) and sw.params["b2"].shape == (18, 3, 1)
    for k in range(sw.K):
        assert_net_equals_trainer(sw, k, single_run(data, runs[k], 6, "tanh", 32, 30))
    results = sw.results()
    for k in (0, 17):
        trainer = single_run(data, runs[k], 6, "tanh", 32, 30)
        assert results[k]["test_accuracy"] == trainer.history.test_metric[-1]


@pytest.mark.parametrize(("dataset", "n_classes", "activation", "runs", "bias"), [
    # A grid (seeds x nets per seed): each seed's one-hot batch shared by its nets.
    ("spiral", 3, "tanh", grid(["mse", "log_loss"], [0.1, 3.0], [2, 3, 7]), 0.0),
    # A batch gathered per net, losses interleaved, relu units, the saturated start.
    ("blobs", 5, "relu", [Run("log_loss", 1.0, 3), Run("mse", 1.0, 3), Run("log_loss", 0.1, 5),
                          Run("mse", 3.0, 5), Run("log_loss", 3.0, 3)], -6.0),
    ("linear", 4, "sigmoid", grid(["log_loss", "mse"], [0.5], [0, 1]), 0.0),
])
def test_each_k_class_nets_weights_are_its_single_runs_to_the_bit(dataset, n_classes, activation,
                                                                  runs, bias):
    data = make_dataset(dataset, 200, 0.25, seed=5, n_classes=n_classes)
    sw = Sweep(data, runs, hidden=5, activation=activation, batch_size=16,
               output_bias=bias).run(8)
    for k, run in enumerate(runs):
        trainer = single_run(data, run, 5, activation, 16, 8, output_bias=bias)
        assert sw.epochs_run[k] == trainer.epoch
        for p in PARAMS:
            assert sw.params[p][k].tobytes() == getattr(trainer.net, p).tobytes(), (k, p)


@pytest.mark.parametrize("batch_size", [None, 1])
def test_k_class_sweep_full_batch_and_single_sample(batch_size):
    data = make_dataset("blobs", 60, 0.5, seed=1, n_classes=3)
    runs = grid(["log_loss", "mse"], [0.3], [0, 2])
    sw = Sweep(data, runs, hidden=3, activation="tanh", batch_size=batch_size).run(4)
    for k in range(sw.K):
        assert_net_equals_trainer(sw, k, single_run(data, runs[k], 3, "tanh", batch_size, 4))


def test_k_class_sweep_starts_saturated_as_set_output_bias():
    data = make_dataset("spiral", 100, 0.2, seed=0, n_classes=3)
    sw = Sweep(data, grid(["mse"], [0.1], [0]), hidden=4, output_bias=-8.0)
    np.testing.assert_array_equal(sw.initial["b2"][0], [[0.0], [-8.0], [-8.0]])


def test_running_in_chunks_equals_one_run():
    data = make_dataset("moons", 200, 0.2, seed=3)
    runs = grid(["mse", "log_loss"], [0.1, 2.0], [0, 1])
    whole = Sweep(data, runs, hidden=4, batch_size=8).run(12)
    parts = Sweep(data, runs, hidden=4, batch_size=8)
    for epochs in (0, 5, 1, 6):
        parts.run(epochs)
    for key, values in whole.history.items():
        assert np.array_equal(parts.history[key], values, equal_nan=True), key
    for p in PARAMS:
        assert np.array_equal(parts.params[p], whole.params[p])


@pytest.mark.parametrize("limit", ["EVAL_ELEMENTS", "BLOCK_ELEMENTS"])
def test_small_blocks_of_nets_and_chunks_of_samples_give_the_same_numbers(monkeypatch, limit):
    # Nets that diverge at different epochs among nets that do not, in blocks of one net each
    # (or evaluated one sample at a time): the same as all at once.
    data = make_dataset("sine", 200, 0.1, seed=0)
    runs = grid(["mse"], [0.3, 0.8], [0, 1, 2, 3])
    whole = Sweep(data, runs, hidden=8, batch_size=16).run(6)
    monkeypatch.setattr(sweep, limit, 7)
    parts = Sweep(data, runs, hidden=8, batch_size=16)
    if limit == "BLOCK_ELEMENTS":
        assert len(parts.blocks(parts.active)) == parts.K
    parts.run(6)
    assert parts.diverged.tolist() == whole.diverged.tolist()
    for key, values in whole.history.items():
        np.testing.assert_allclose(parts.history[key], values, rtol=1e-12, err_msg=key)
    for p in PARAMS:
        np.testing.assert_allclose(parts.params[p], whole.params[p], rtol=1e-12)


@pytest.mark.parametrize("limit", ["EVAL_ELEMENTS", "BLOCK_ELEMENTS"])
@pytest.mark.parametrize("value", [7, 100])
def test_k_class_blocks_and_chunks_give_the_same_numbers(monkeypatch, limit, value):
    # K = 4 outputs: evaluated a few samples at a time (z2 gathered over several chunks of a1),
    # or trained a net or a few per block: the same numbers as all at once.
    data = make_dataset("spiral", 200, 0.2, seed=0, n_classes=4)
    runs = grid(["mse", "log_loss"], [0.3, 3.0], [0, 1, 2])
    whole = Sweep(data, runs, hidden=5, batch_size=16).run(4)
    monkeypatch.setattr(sweep, limit, value)
    parts = Sweep(data, runs, hidden=5, batch_size=16).run(4)
    for key, values in whole.history.items():
        np.testing.assert_allclose(parts.history[key], values, rtol=1e-12, err_msg=key)
    for p in PARAMS:
        np.testing.assert_allclose(parts.params[p], whole.params[p], rtol=1e-12)


def test_no_copy_of_the_data_per_net():
    # 14,000 training samples and 256 nets: a copy of X_train per net would be 57 MB.
    data = make_dataset("moons", 20_000, 0.2, seed=0)
    runs = grid(["mse", "log_loss"], np.geomspace(0.01, 10, 32), range(4))
    sw = Sweep(data, runs, hidden=8, batch_size=64)
    per_net_copies = sw.K * data.X_train.nbytes
    tracemalloc.start()
    try:
        sw.run(1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\npeak {peak / 1e6:.2f} MB for {sw.K} nets; a copy of X_train per net would be "
          f"{per_net_copies / 1e6:.1f} MB")
    assert peak < per_net_copies / 5


def test_epochs_to_target_is_the_first_epoch_at_or_above_it():
    data = make_dataset("moons", 300, 0.2, seed=0)
    runs = grid(["mse", "log_loss"], [0.01, 1.0], [0, 1])
    sw = Sweep(data, runs, hidden=8, batch_size=16).run(30)
    reach = sw.epochs_to_target(0.85)
    results = sw.results(0.85)
    for k, run in enumerate(runs):
        accuracy = single_run(data, run, 8, "tanh", 16, 30).history.test_metric
        first = next((e for e, a in enumerate(accuracy, start=1) if a >= 0.85), None)
        assert reach[k] == (first or 0)
        assert results[k]["epochs_to_target"] == first
    assert 0 in reach and any(r > 0 for r in reach)  # some get there, some do not


def test_results_are_each_nets_own_final_numbers():
    data = make_dataset("moons", 300, 0.2, seed=0)
    runs = grid(["mse", "log_loss"], [0.5], [0, 3])
    sw = Sweep(data, runs, hidden=4, batch_size=32).run(20)
    for r, run in zip(sw.results(), runs, strict=True):
        trainer = single_run(data, run, 4, "tanh", 32, 20)
        net = trainer.net
        a2 = net.predict(data.X_test)
        assert set(r) == {"loss", "lr", "seed", "epochs_run", "diverged", "train_loss",
                          "test_loss", "test_accuracy", "epochs_to_target"}
        assert (r["loss"], r["lr"], r["seed"]) == (run.loss, run.lr, run.seed)
        assert r["train_loss"] == pytest.approx(net.loss(data.X_train, data.y_train), rel=1e-9)
        assert r["test_loss"] == pytest.approx(net.loss(data.X_test, data.y_test), rel=1e-9)
        assert r["test_accuracy"] == np.mean((a2 >= 0.5) == data.y_test)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(runs=[Run("log_loss", 0.1, 0)], data="sine"), "log_loss needs a sigmoid output"),
    (dict(runs=[Run("mse", 0.0, 0)]), "learning rate must be a finite number > 0"),
    (dict(runs=[Run("mse", float("nan"), 0)]), "learning rate must be a finite number > 0"),
    (dict(runs=[Run("mse", 0.1, -1)]), "seed must be an integer >= 0"),
    (dict(runs=[Run("hinge", 0.1, 0)]), "unknown loss 'hinge'"),
    (dict(runs=[]), "at least one run"),
    (dict(batch_size=0), "batch size must be an integer >= 1"),
    (dict(output_bias=float("inf")), "output_bias must be a finite number"),
    (dict(l2=-1.0), "l2 must be a finite number >= 0"),
    (dict(activation="softplus"), "unknown activation 'softplus'"),
])
def test_bad_settings_say_what_is_allowed(kwargs, message):
    data = make_dataset(kwargs.pop("data", "moons"), 50, 0.1)
    args = dict(runs=[Run("mse", 0.1, 0)], hidden=3, activation="tanh") | kwargs
    with pytest.raises(ValueError, match=message):
        Sweep(data, **args)


# -- the stacked backward pass ----------------------------------------------------------------


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_stacked_gradients_equal_each_single_nets(activation, task):
    rng = np.random.default_rng(5)
    losses = ["mse", "log_loss", "log_loss", "mse"] if task == "classification" else ["mse"] * 4
    nets = [TwoLayerNet(3, 5, activation, task, loss, seed=k) for k, loss in enumerate(losses)]
    for k, net in enumerate(nets):
        net.b1[:] = rng.normal(size=(5, 1))
        net.b2[:] = 0.4 * k - 0.6
    params = stacked.stack([n.get_params() for n in nets])
    X = rng.normal(size=(4, 3, 9))  # a batch of its own per net
    y = (rng.uniform(size=(4, 1, 9)) > 0.5).astype(float) if task == "classification" \
        else rng.normal(size=(4, 1, 9))
    grads = stacked.gradients(params, X, y, activation, task, stacked.loss_groups(losses),
                              l2=0.05)
    shared = stacked.gradients(params, X[0], y[0], activation, task,
                               stacked.loss_groups(losses))
    for k, net in enumerate(nets):
        one = net.gradients(X[k], y[k], l2=0.05)
        same_data = net.gradients(X[0], y[0])
        for p in PARAMS:
            assert grads[p].shape == params[p].shape
            np.testing.assert_allclose(grads[p][k], one[p], rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(shared[p][k], same_data[p], rtol=1e-12, atol=1e-15)


def test_loss_groups_are_slices_when_adjacent():
    assert stacked.loss_groups(["mse", "mse", "log_loss"]) == {"mse": slice(0, 2),
                                                               "log_loss": slice(2, 3)}
    groups = stacked.loss_groups(["mse", "log_loss", "mse"])
    assert groups["log_loss"] == slice(1, 2)
    assert groups["mse"].tolist() == [0, 2]


# -- what a sweep says ------------------------------------------------------------------------


def fake(loss, lr, seed, accuracy, train_loss=0.1, reach=None, diverged=False):
    return {"loss": loss, "lr": lr, "seed": seed, "epochs_run": 10, "diverged": diverged,
            "train_loss": train_loss, "test_loss": 2 * train_loss + 0.01, "test_accuracy": accuracy,
            "epochs_to_target": reach}


def test_summary_medians_spreads_and_the_best_learning_rate():
    results = [fake("mse", 0.1, 0, 0.70, 0.3, None), fake("mse", 0.1, 1, 0.80, 0.2, 40),
               fake("mse", 0.1, 2, 0.90, 0.1, 20),
               fake("mse", 1.0, 0, 0.95, 0.05, 5), fake("mse", 1.0, 1, 0.50, 9.0, None, 3),
               fake("mse", 1.0, 2, 0.85, 0.08, 9),
               fake("log_loss", 1.0, 0, 0.9, 0.2, 7), fake("log_loss", 1.0, 1, 0.9, 0.2, 7),
               fake("log_loss", 1.0, 2, 0.9, 0.2, 8)]
    table = summarize(results, "accuracy")
    low, high = table["mse"]
    assert (low.lr, low.median, low.low, low.high) == (0.1, 0.80, 0.70, 0.90)
    assert (low.loss, low.to_target, low.to_target_low, low.to_target_high) == (0.2, 40, 20,
                                                                                None)
    assert (high.median, high.diverged, high.to_target) == (0.85, 1, 9)
    assert best(table["mse"]).lr == 1.0
    text = best_sentence(table, "mse", "accuracy", 0.9)
    assert text == ("MSE: best at learning rate 1, test accuracy 0.850 median over 3 seeds "
                    "(0.500 to 0.950); 0.9 first reached after 9 epochs (median); 1 of 3 runs "
                    "diverged there.")
    assert table["log_loss"][0].to_target == 7


def test_ties_go_to_fewer_divergences_then_to_the_faster():
    rows = summarize([fake("mse", 0.1, 0, 0.9, reach=30), fake("mse", 1.0, 0, 0.9, reach=10),
                      fake("mse", 3.0, 0, 0.9, reach=2, diverged=4)], "accuracy")["mse"]
    assert best(rows).lr == 1.0


# -- the command line -------------------------------------------------------------------------

SWEEP_ARGS = ["--dataset", "moons", "--samples", "200", "--noise", "0.25", "--hidden", "5",
              "--activation", "tanh", "--batch-size", "16", "--epochs", "25",
              "--output-bias", "-2"]


def run_main(capsys, *args):
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_each_sweep_run_equals_train_with_its_seed_and_the_data_seed(capsys):
    out = run_main(capsys, "sweep", *SWEEP_ARGS, "--losses", "mse,log_loss",
                   "--lrs", "0.1,3", "--seeds", "2-3,7", "--data-seed", "5", "--target", "0.8",
                   "--json")
    assert set(out) == {"nets", "epochs", "seconds", "net_epochs_per_s", "runs"}
    assert out["nets"] == len(out["runs"]) == 12 and out["epochs"] == 25
    assert out["seconds"] > 0 and out["net_epochs_per_s"] > 0
    assert [(r["loss"], r["lr"], r["seed"]) for r in out["runs"]] == [
        (loss, lr, seed) for loss in ("mse", "log_loss") for lr in (0.1, 3.0)
        for seed in (2, 3, 7)]
    for r in out["runs"]:
        single = run_main(capsys, "train", *SWEEP_ARGS, "--loss", r["loss"], "--lr",
                          str(r["lr"]), "--seed", str(r["seed"]), "--data-seed", "5", "--json")
        # The sweep's own numbers (Sweep.results: TwoLayerNet.loss and twolayer.metrics at the
        # sweep's weights) against an independent single run's (Trainer, and `train`'s
        # sklearn metrics): equal, not just close, as each net's weights are its run's to the bit.
        for key in ("epochs_run", "diverged", "train_loss", "test_loss", "test_accuracy"):
            assert r[key] == single[key], key
        reached = [e for e, a in enumerate(single["history"]["test_accuracy"], start=1)
                   if a >= 0.8]
        assert r["epochs_to_target"] == (reached[0] if reached else None)


def test_each_three_class_sweep_run_equals_train_with_classes_3(capsys):
    args = ["--dataset", "spiral", "--classes", "3", "--samples", "150", "--noise", "0.2",
            "--hidden", "6", "--activation", "tanh", "--batch-size", "16", "--epochs", "15",
            "--output-bias", "-2", "--data-seed", "5"]
    out = run_main(capsys, "sweep", *args, "--lrs", "0.3,2", "--seeds", "1,4", "--target",
                   "0.5", "--json")
    assert out["nets"] == 8
    for r in out["runs"]:
        single = run_main(capsys, "train", *args, "--loss", r["loss"], "--lr", str(r["lr"]),
                          "--seed", str(r["seed"]), "--json")
        for key in ("epochs_run", "diverged", "train_loss", "test_loss", "test_accuracy"):
            assert r[key] == single[key], key
        reached = [e for e, a in enumerate(single["history"]["test_accuracy"], start=1)
                   if a >= 0.5]
        assert r["epochs_to_target"] == (reached[0] if reached else None)


def test_three_class_sweep_text_says_its_classes(capsys):
    assert main(["sweep", "--classes", "3", "--samples", "90", "--epochs", "3", "--lrs", "0.5",
                 "--seeds", "0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("spiral (3 classes), 90 samples")   # spiral: the K-class default
    assert "MSE: best at learning rate 0.5" in out


def test_regression_sweep_on_the_command_line(capsys):
    out = run_main(capsys, "sweep", "--dataset", "sine", "--samples", "100", "--epochs", "20",
                   "--lrs", "0.01,0.3,5", "--seeds", "0,1", "--batch-size", "8", "--json")
    assert {r["loss"] for r in out["runs"]} == {"mse"}  # the default for regression
    assert all(set(r) >= {"test_r2", "epochs_to_target"} for r in out["runs"])
    assert any(r["diverged"] for r in out["runs"])  # lr 5 diverges
    single = run_main(capsys, "train", "--dataset", "sine", "--samples", "100", "--epochs",
                      "20", "--lr", "0.3", "--batch-size", "8", "--seed", "1", "--data-seed",
                      "0", "--json")
    r = next(r for r in out["runs"] if (r["lr"], r["seed"]) == (0.3, 1))
    assert (r["train_loss"], r["test_r2"]) == (single["train_loss"], single["test_r2"])


def test_train_data_seed_defaults_to_the_seed(capsys):
    args = ["train", "--samples", "100", "--epochs", "3", "--json"]
    same = run_main(capsys, *args, "--seed", "4")
    assert run_main(capsys, *args, "--seed", "4", "--data-seed", "4") == same
    other_data = run_main(capsys, *args, "--seed", "4", "--data-seed", "0")
    assert other_data["train_loss"] != same["train_loss"]
    # The data seed alone changes the data, not the net: seed 4's weights on seed 0's data.
    data = make_dataset("moons", 100, 0.2, seed=0)
    net = TwoLayerNet(2, 8, "tanh", "classification", "log_loss", seed=4)
    trainer = Trainer(net, data, lr=0.3, seed=4)
    trainer.run(3)
    assert other_data["train_loss"] == pytest.approx(trainer.history.train_loss[-1], rel=1e-12)


def test_sweep_text_names_the_best_learning_rate_of_each_loss():
    result = subprocess.run([sys.executable, "-m", "twolayer", "sweep", "--samples", "100",
                             "--epochs", "10", "--lrs", "0.1,1", "--seeds", "0-1"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-2].startswith("MSE: best at learning rate ")
    assert lines[-1].startswith("log-loss: best at learning rate ")


@pytest.mark.parametrize(("args", "reason"), [
    (["--lr", "0.3"], "sweep trains at the learning rates of --lrs, not --lr"),
    (["--lrs", "0.1,-1"], "argument --lrs: a learning rate must be a finite number > 0"),
    (["--lrs", "0.1,x"], "argument --lrs: not a list of numbers"),
    (["--seeds", "5-2"], "argument --seeds: empty range of seeds: '5-2'"),
    (["--seeds", "a"], "argument --seeds: not a seed or a range"),
    (["--losses", "mse,hinge"], "argument --losses: unknown loss 'hinge'"),
    (["--dataset", "sine", "--losses", "log_loss"], "log_loss needs a sigmoid output"),
    (["--batch-size", "0"], "batch size must be an integer >= 1"),
    (["--classes", "6"], "argument --classes: must be an integer from 2 to 5, got 6"),
    (["--dataset", "moons", "--classes", "3"], "moons has two classes"),
])
def test_wrong_sweep_arguments_exit_2(capsys, args, reason):
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", "--samples", "50", "--epochs", "1", *args])
    assert exit_info.value.code == 2
    assert reason in capsys.readouterr().err.strip().splitlines()[-1]
