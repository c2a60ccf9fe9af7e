"""The exported script and notebook for K >= 3 classes (softmax outputs): run where twolayer
cannot be imported, they print the numbers of the app's own Trainer (net.py, train.py), which
the file does not share: its softmax, one-hot targets, losses and delta2 are generated text."""

import json

import numpy as np
import pytest

from tests.test_export import IMPORTS_TWOLAYER, REL, run_isolated
from twolayer.data import MULTICLASS, make_dataset
from twolayer.export import Run, notebook, script, sections
from twolayer.net import TwoLayerNet
from twolayer.replay import run_from_trainers
from twolayer.train import Trainer

# K = 3, 4 and 5; every activation, both losses, a comparison, mini-batches and the full
# batch, L2, a saturated start (b2 = (0, -8, ..., -8)).
RUNS = {
    "spiral 3 tanh log-loss mini-batch": dict(dataset="spiral", n_classes=3, activation="tanh",
                                              losses=("log_loss",), batch_size=32),
    "blobs 3 sigmoid compare saturated": dict(dataset="blobs", n_classes=3,
                                              activation="sigmoid", losses=("mse", "log_loss"),
                                              batch_size=None, output_bias=-8.0, lr=1.0),
    "linear 4 relu mse l2": dict(dataset="linear", n_classes=4, activation="relu",
                                 losses=("mse",), batch_size=16, l2=0.01),
    "spiral 5 sigmoid mse": dict(dataset="spiral", n_classes=5, activation="sigmoid",
                                 losses=("mse",), batch_size=8, lr=2.0),
}
COMMON = dict(samples=150, noise=0.2, test_fraction=0.3, data_seed=1, hidden=6, lr=0.5,
              seed=2, epochs=12)


def make_run(name):
    return Run(task="classification", **{**COMMON, **RUNS[name]})


def core_numbers(run):
    """{loss: printed numbers} from twolayer's own Trainer for ``run``."""
    data = make_dataset(run.dataset, run.samples, run.noise, run.test_fraction, run.data_seed,
                        n_classes=run.n_classes)
    out = {}
    for loss in run.losses:
        net = TwoLayerNet(2, run.hidden, run.activation, "classification", loss, run.seed,
                          n_classes=run.n_classes)
        net.set_output_bias(run.output_bias)
        lr = run.lr * (run.lr_factor if run.compare and loss == "mse" else 1.0)
        t = Trainer(net, data, lr=lr, batch_size=run.batch_size, l2=run.l2, seed=run.seed)
        t.run(run.epochs)
        acc = {part: float(np.mean(np.argmax(net.predict(X), axis=0) == y[0]))
               for part, X, y in (("train", data.X_train, data.y_train),
                                  ("test", data.X_test, data.y_test))}
        out[loss if run.compare else ""] = {
            "epochs run": t.epoch, "diverged": t.diverged or False,
            "train loss": net.loss(data.X_train, data.y_train),
            "test loss": net.loss(data.X_test, data.y_test),
            "train accuracy": acc["train"], "test accuracy": acc["test"]}
    return out


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exported_classes")
    paths = []
    for k, name in enumerate(RUNS):
        paths.append(folder / f"run{k}.py")
        paths[-1].write_text(script(make_run(name)))
    return dict(zip(RUNS, run_isolated(*paths, cwd=folder), strict=True))


@pytest.mark.parametrize("name", RUNS)
def test_the_k_class_script_prints_what_the_trainer_reaches(name, printed):
    run = make_run(name)
    text = script(run)
    assert not IMPORTS_TWOLAYER.search(text) and f"N_CLASSES = {run.n_classes}" in text
    expected = core_numbers(run)
    assert set(printed[name]) == set(expected)
    for loss, numbers in expected.items():
        got = printed[name][loss]
        assert got["epochs run"] == numbers["epochs run"] == run.epochs
        assert got["diverged"] == numbers["diverged"]
        for key in ("train loss", "test loss", "train accuracy", "test accuracy"):
            assert got[key] == pytest.approx(numbers[key], rel=REL, abs=1e-15), (loss, key)


def test_the_saturated_k_class_start_is_every_sample_confidently_class_0(printed):
    """The MSE net stalls where cross-entropy learns: the lesson, read from the script."""
    out = printed["blobs 3 sigmoid compare saturated"]
    assert out["log_loss"]["test accuracy"] > 0.9 > out["mse"]["test accuracy"]


@pytest.mark.parametrize("name,k", [(n, k) for n, most in MULTICLASS.items()
                                    for k in range(3, most + 1)])
def test_the_data_part_makes_the_k_class_data_of_twolayer_data(name, k):
    run = Run(dataset=name, samples=120, noise=0.3, test_fraction=0.25, data_seed=5,
              losses=("mse",), n_classes=k)
    header, settings, data = (code for _, code in sections(run)[:3])
    space = {}
    exec(compile(header + "\n" + settings + "\n" + data, "<export>", "exec"), space)
    made = make_dataset(name, 120, 0.3, 0.25, 5, n_classes=k)
    for key in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(space[key], getattr(made, key)), key


def test_a_two_class_dataset_is_refused_for_k_classes():
    with pytest.raises(ValueError, match="moons has two classes"):
        script(Run(dataset="moons", n_classes=3))


def test_the_notebook_runs_the_same_code(tmp_path):
    run = make_run("blobs 3 sigmoid compare saturated")
    nb = json.loads(notebook(run))
    code = "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    (tmp_path / "nb.py").write_text(code)
    got, expected = run_isolated(tmp_path / "nb.py", cwd=tmp_path), core_numbers(run)
    assert set(got) == set(expected) == {"mse", "log_loss"}
    for loss in expected:
        for key in ("train loss", "test loss", "test accuracy"):
            assert got[loss][key] == pytest.approx(expected[loss][key], rel=REL), (loss, key)


def test_a_page_s_k_class_trainer_replays_from_its_seeded_saturated_start():
    """replay: a K-class trainer of a page becomes a Run with n_classes and its b2 start B
    (b2 = (0, B, B)), not embedded weights; its script prints the trainer's numbers."""
    data = make_dataset("blobs", 150, 0.2, 0.3, 1, n_classes=3)
    net = TwoLayerNet(2, 6, "sigmoid", "classification", "log_loss", 2, n_classes=3)
    net.set_output_bias(-8.0)
    t = Trainer(net, data, lr=1.0, batch_size=None, seed=2)
    t.run(5)
    run = run_from_trainers({"log_loss": t}, dict(dataset="blobs", samples=150, noise=0.2,
                                                   test_fraction=0.3, seed=1))
    assert (run.n_classes, run.output_bias, run.start, run.data) == (3, -8.0, {}, None)
    assert run.dataset == "blobs" and run.epochs == 5


def test_export_on_the_command_line_takes_classes_and_matches_train(capsys, tmp_path):
    """`export --classes 3` writes the K-class run that `train --classes 3 --json` reports."""
    from tests.test_export import assert_same, export, train_json

    args = ("--dataset spiral --classes 3 --hidden 16 --activation tanh --loss log_loss "
            "--lr 0.5 --batch-size 32 --epochs 20 --samples 300").split()
    text = export(capsys, args)
    assert "N_CLASSES = 3" in text
    (tmp_path / "run.py").write_text(text)
    assert_same(run_isolated(tmp_path / "run.py", cwd=tmp_path)[""],
                train_json(capsys, args))
