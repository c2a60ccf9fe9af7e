"""`python -m twolayer train|compare`: a few real subprocess runs (each pays ~1-2 s of imports),
the rest in-process through main()."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from twolayer.__main__ import main, make_parser, make_trainer
from twolayer.data import DATASETS, make_dataset

ROOT = Path(__file__).resolve().parent.parent
SATURATED = ["--dataset", "moons", "--samples", "500", "--noise", "0.2", "--hidden", "8",
             "--activation", "sigmoid", "--lr", "1.0", "--epochs", "300", "--seed", "0",
             "--output-bias", "-8"]
GRAD_NORMS = {"W1", "b1", "W2", "b2"}


def cli(*args):
    return subprocess.run([sys.executable, "-m", "twolayer", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def check_train_object(out, epochs, metric):
    assert set(out) == {"epochs_run", "diverged", "train_loss", "test_loss", f"train_{metric}",
                        f"test_{metric}", "history"}
    assert out["epochs_run"] == epochs and out["diverged"] is False
    h = out["history"]
    assert set(h) == {"train_loss", "test_loss", f"train_{metric}", f"test_{metric}",
                      "grad_norm"}
    assert set(h["grad_norm"]) == GRAD_NORMS
    for values in [h[k] for k in h if k != "grad_norm"] + list(h["grad_norm"].values()):
        assert len(values) == epochs and all(isinstance(v, float) for v in values)
    # The final values (metric by sklearn) are those of the last recorded epoch.
    for key in ("train_loss", "test_loss", f"train_{metric}", f"test_{metric}"):
        assert out[key] == pytest.approx(h[key][-1], rel=1e-12, abs=1e-15)


def test_compare_json_is_deterministic_and_log_loss_wins(capsys):
    result = cli("compare", *SATURATED, "--json")
    assert result.returncode == 0, result.stderr
    # Same arguments, same seed: identical output, here from another process.
    assert main(["compare", *SATURATED, "--json"]) == 0
    assert capsys.readouterr().out == result.stdout
    out = json.loads(result.stdout)
    assert set(out) == {"mse", "log_loss"}
    for obj in out.values():
        check_train_object(obj, 300, "accuracy")
    mse, log = out["mse"]["test_accuracy"], out["log_loss"]["test_accuracy"]
    print(f"\ncompare at b2 = -8: test accuracy MSE {mse:.3f}, log-loss {log:.3f}")
    assert log > mse


def test_train_json_subprocess():
    result = cli("train", "--dataset", "moons", "--samples", "200", "--hidden", "4",
                 "--batch-size", "32", "--epochs", "20", "--seed", "3", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1  # one JSON object on one line
    check_train_object(json.loads(result.stdout), 20, "accuracy")


def test_wrong_argument_exits_2_with_a_one_line_reason():
    result = cli("train", "--dataset", "swirl")
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2  # usage, then the reason
    assert lines[1].startswith("python -m twolayer train: error: argument --dataset: invalid "
                               "choice: 'swirl'")


def test_help_lists_datasets_activations_and_losses():
    result = cli("train", "--help")
    assert result.returncode == 0
    for name, task in DATASETS.items():
        assert name in result.stdout and task in result.stdout
    for word in ("sigmoid", "tanh", "relu", "mse", "log_loss", "--output-bias",
                 "--test-fraction", "--l2", "--json"):
        assert word in result.stdout


# -- in-process ----------------------------------------------------------------------------


def run_main(capsys, *args):
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_regression_json_has_r2(capsys):
    out = json.loads(run_main(capsys, "train", "--dataset", "sine", "--samples", "100",
                              "--epochs", "5", "--json"))
    check_train_object(out, 5, "r2")


def test_divergence_is_reported(capsys):
    out = json.loads(run_main(capsys, "train", "--dataset", "sine", "--lr", "100", "--json"))
    assert out["diverged"] == 2 and out["epochs_run"] == 1
    assert len(out["history"]["train_loss"]) == 1
    assert np.isfinite(out["train_loss"])


def test_human_readable_summaries(capsys):
    text = run_main(capsys, "train", "--samples", "100", "--epochs", "3")
    assert "epochs run" in text and "test accuracy" in text and "diverged" in text
    assert len(text.splitlines()) <= 10
    text = run_main(capsys, "compare", "--samples", "100", "--epochs", "3")
    header = text.splitlines()[1].split()
    assert header == ["mse", "log_loss"]
    assert text.splitlines()[2].split() == ["epochs", "run", "3", "3"]


def test_compare_starts_both_nets_from_identical_weights_and_batches():
    args = make_parser().parse_args(["compare", *SATURATED])
    data = make_dataset("moons", 500, 0.2, seed=0)
    mse, log = make_trainer(args, data, "mse"), make_trainer(args, data, "log_loss")
    assert mse.net.loss_name == "mse" and log.net.loss_name == "log_loss"
    assert mse.net.b2.item() == -8.0
    for p in GRAD_NORMS:
        assert np.array_equal(getattr(mse.net, p), getattr(log.net, p))
    assert mse.batch_size == log.batch_size == data.X_train.shape[1]  # full batch by default
    assert np.array_equal(mse.epoch_order(1), log.epoch_order(1))


@pytest.mark.parametrize("args,reason", [
    (["train", "--dataset", "sine", "--loss", "log_loss"], "log_loss needs a sigmoid output"),
    (["compare", "--dataset", "sine"], "compare needs a classification dataset"),
    (["train", "--samples", "-5"], "n_samples must be an integer >= 10"),
    (["train", "--lr", "0"], "learning rate must be a finite number > 0"),
    (["train", "--lr", "nan"], "learning rate must be a finite number > 0"),
    (["train", "--noise", "-1"], "noise must be a finite number >= 0"),
    (["train", "--hidden", "0"], "n_hidden must be an integer >= 1"),
    (["train", "--batch-size", "0"], "batch size must be an integer"),
    (["train", "--test-fraction", "1.5"], "test_fraction must lie strictly between 0 and 1"),
    (["train", "--l2", "-1"], "l2 must be a finite number >= 0"),
    (["train", "--epochs", "-1"], "argument --epochs: must be an integer >= 0"),
    (["train", "--seed", "-1"], "argument --seed: must be an integer >= 0"),
    (["compare", "--output-bias", "inf"], "b2 holds NaN or infinite values"),
    (["train", "--activation", "softplus"], "argument --activation: invalid choice"),
    (["compare", "--loss", "mse"], "unrecognized arguments: --loss mse"),
    ([], "the following arguments are required: COMMAND"),
])
def test_wrong_arguments_exit_2(capsys, args, reason):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "error: " in err[-1] and reason in err[-1]


def test_export_writes_a_script_to_standard_output():
    result = cli("export", "--format", "script", "--dataset", "sine", "--epochs", "2")
    assert result.returncode == 0, result.stderr
    compile(result.stdout, "exported.py", "exec")   # a whole Python file, nothing else
    assert "make_dataset" not in result.stdout and "EPOCHS = 2" in result.stdout
    assert "export" in cli("--help").stdout
