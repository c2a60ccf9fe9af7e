"""Rules with one home: the epoch's sample order, the divergence rule, accuracy and R^2, epochs
to a target, the number of a link or a file, and the cut of a long value in a message. Each is
checked against a hand-worked case or sklearn, and each user of the rule against the rule."""

import math

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, r2_score

from twolayer.__main__ import main
from twolayer.compare import epochs_until
from twolayer.data import make_dataset
from twolayer.io import read_csv_dataset
from twolayer.landscape import offsets, param_shapes, parse_param
from twolayer.metrics import correct, epochs_to_target, r2_from_sums
from twolayer.net import TwoLayerNet
from twolayer.settings import SETTINGS, clean_param, shown
from twolayer.sweep import Sweep, grid
from twolayer.train import DIVERGENCE_LOSS, Trainer, epoch_order, has_diverged


def test_epoch_order_is_numpys_permutation_of_seed_and_epoch():
    by_hand = np.random.default_rng((3, 7)).permutation(50)
    assert np.array_equal(epoch_order(3, 7, 50), by_hand)
    data = make_dataset("moons", 100, seed=0)
    trainer = Trainer(TwoLayerNet(2, 4, seed=3), data, seed=3)
    sw = Sweep(data, grid(["mse"], [0.1], [3, 5]), hidden=4)
    m = data.X_train.shape[1]
    assert np.array_equal(trainer.epoch_order(7), np.random.default_rng((3, 7)).permutation(m))
    assert np.array_equal(sw.epoch_orders(7), np.stack(
        [np.random.default_rng((s, 7)).permutation(m) for s in (3, 5)]))


@pytest.mark.parametrize(("loss", "norms", "expected"), [
    (0.7, [1.0, 2.0, 3.0, 4.0], False),
    (DIVERGENCE_LOSS * 0.99, [1.0, 2.0, 3.0, 4.0], False),
    (DIVERGENCE_LOSS, [1.0, 2.0, 3.0, 4.0], True),      # passes the limit: diverged
    (math.nan, [1.0, 2.0, 3.0, 4.0], True),
    (math.inf, [1.0, 2.0, 3.0, 4.0], True),
    (0.7, [1.0, math.inf, 3.0, 4.0], True),             # a gradient blew up
    (0.7, [1.0, 2.0, math.nan, 4.0], True),
])
def test_divergence_rule_by_hand_for_one_net_and_for_a_stack(loss, norms, expected):
    assert bool(has_diverged(loss, norms)) is expected
    # The same rule on K = 3 nets at once: the net in the middle is this one.
    stack_loss = np.array([0.5, loss, 0.5])
    stack_norms = np.array([[1.0, n, 1.0] for n in norms])   # (4, K)
    assert has_diverged(stack_loss, stack_norms).tolist() == [False, expected, False]


@pytest.mark.parametrize("n_out", [1, 3])
def test_correct_gives_sklearns_accuracy_for_each_net_of_a_stack(n_out):
    rng = np.random.default_rng(0)
    m = 40
    y = rng.integers(0, 2 if n_out == 1 else n_out, size=(1, m)).astype(float)
    a2 = rng.random((5, n_out, m))                  # 5 nets
    hits = correct(y, a2)
    assert hits.shape == (5, m)
    for k in range(5):
        predicted = (a2[k, 0] >= 0.5).astype(int) if n_out == 1 else a2[k].argmax(axis=0)
        assert np.mean(hits[k]) == pytest.approx(accuracy_score(y[0], predicted), abs=1e-15)


def test_r2_from_sums_gives_sklearns_r2_for_each_net_and_a_constant_target():
    rng = np.random.default_rng(1)
    y, a2 = rng.normal(size=(1, 30)), rng.normal(size=(4, 1, 30))
    ss_res = ((y - a2) ** 2).sum(axis=(1, 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    assert np.allclose(r2_from_sums(ss_res, ss_tot), [r2_score(y[0], a2[k, 0]) for k in range(4)])
    assert r2_from_sums(np.array([0.0, 2.0]), 0.0).tolist() == [1.0, 0.0]


def test_epochs_to_target_by_hand_and_before_any_epoch():
    assert epochs_to_target([[0.5, 0.9, 0.95], [0.1, 0.2, 0.3]], 0.9).tolist() == [2, 0]
    assert epochs_to_target(np.empty((3, 0)), 0.9).tolist() == [0, 0, 0]
    assert epochs_until([0.5, 0.8, 0.95], 0.9) == 3
    assert epochs_until([0.5], 0.9) is None
    assert epochs_until([], 0.9) is None


def test_a_sweep_of_zero_epochs_reports_without_a_traceback(capsys):
    data = make_dataset("moons", 100, seed=0)
    sw = Sweep(data, grid(["mse"], [0.1], [0, 1]), hidden=4).run(0)
    assert [r["epochs_to_target"] for r in sw.results(0.9)] == [None, None]
    assert main(["sweep", "--epochs", "0", "--seeds", "0", "--lrs", "1", "--samples", "100"]) == 0
    assert "to target" in capsys.readouterr().out


def test_one_number_rule_for_links_and_files():
    for text in ("1_0", "inf", "0x10", "١٢"):
        value, note = SETTINGS["noise"].clean(text)
        assert note is not None, text
        raw = f"x1,x2,y\n{text},0,0\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(1, 40))
        with pytest.raises(ValueError, match="Row 1"):
            read_csv_dataset(raw, "classification")


def test_a_long_value_is_cut_to_24_characters_in_every_message():
    long = "abcdefghijklmnopqrstuvwxyz0123456789"
    cut = "abcdefghijklmnopqrstu..."    # 21 characters and three dots: 24
    assert shown(long) == cut and shown(long[:24]) == long[:24]
    raw = f"x1,x2,y\n{long},0,0\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(1, 40))
    with pytest.raises(ValueError, match=repr(cut)):
        read_csv_dataset(raw, "classification")
    with pytest.raises(ValueError, match=repr(cut)):
        parse_param(long, param_shapes(2, 4))
    assert repr(cut) in clean_param(long, 2, 4, "b2", "Axis")[1]
    assert repr(cut) in SETTINGS["noise"].clean(long)[1]


def test_is_integer_refuses_bools_and_floats_everywhere_it_is_used():
    from twolayer.checks import is_integer

    assert is_integer(3) and is_integer(np.int64(3))
    assert not is_integer(True) and not is_integer(3.0) and not is_integer("3")
    data = make_dataset("moons", 100, seed=0)
    trainer = Trainer(TwoLayerNet(2, 4), data)
    for bad in (True, 2.0):
        with pytest.raises(ValueError, match="epochs must be an integer"):
            trainer.run(bad)
        with pytest.raises(ValueError, match="n_hidden must be an integer"):
            TwoLayerNet(2, bad)
        with pytest.raises(ValueError, match="n_samples must be an integer"):
            make_dataset("moons", bad)
        with pytest.raises(ValueError, match="epochs must be an integer"):
            Sweep(data, grid(["mse"], [0.1], [0]), hidden=4).run(bad)
        with pytest.raises(ValueError, match="grid must be an integer"):
            offsets(8.0, bad)


def test_one_name_for_each_loss_and_metric_in_sentences_and_figures():
    from twolayer import figures, losses, metrics, sweep

    assert losses.LOSS_LABELS == {"mse": "MSE", "log_loss": "log-loss"}
    assert sweep.LOSS_LABELS is losses.LOSS_LABELS
    assert figures.LOSS_LABELS == losses.LOSS_LABELS     # a copy, until figures imports it
    assert metrics.METRIC_LABELS == {"accuracy": "test accuracy", "r2": "test R²"}
