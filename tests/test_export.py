"""Take it home: the exported script and notebook, run where twolayer cannot be imported, print
the numbers of `train --json`, of the Trainer, and of the pages (AppTest).

Each exported file runs in a fresh `python -I` (no PYTHONPATH, no user site, not the script's
folder on sys.path) from an empty temporary folder: only the venv's NumPy and scikit-learn are
there, twolayer is not (checked below). The expected numbers come from the app's own core
(net.py, train.py), which the file does not share: its net is generated text.
"""

import contextlib
import io
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from tests import apptest_util
from twolayer.__main__ import final_numbers, main
from twolayer.data import DATASETS, make_dataset
from twolayer.export import Run, notebook, script
from twolayer.io import read_csv_dataset
from twolayer.net import TwoLayerNet
from twolayer.replay import run_from_trainers
from twolayer.train import Trainer

REL = 1e-9
LINE = re.compile(r"^(?:(mse|log_loss) )?(epochs run|diverged|train loss|test loss|"
                  r"train accuracy|test accuracy|train r2|test r2): (.+)$")
IMPORTS_TWOLAYER = re.compile(r"^\s*(import|from)\s+twolayer", re.MULTILINE)

# One setting per row: classification and regression, each activation, both losses,
# mini-batches and the full batch, L2, a saturated start, a divergence.
SETTINGS = {
    "moons tanh log-loss mini-batch": "--dataset moons --samples 300 --hidden 6 --activation "
                                      "tanh --loss log_loss --lr 0.5 --batch-size 32 --epochs 30 "
                                      "--seed 3",
    "circles relu mse l2": "--dataset circles --samples 200 --activation relu --loss mse --lr 1 "
                           "--batch-size 16 --l2 0.01 --epochs 25 --seed 1 --data-seed 4",
    "sine sigmoid regression full batch": "--dataset sine --samples 200 --activation sigmoid "
                                          "--lr 0.3 --epochs 40 --test-fraction 0.25",
    "spiral saturated mse": "--dataset spiral --samples 200 --activation sigmoid --loss mse "
                            "--lr 1 --output-bias -8 --epochs 30",
    "plane relu diverges": "--dataset plane --samples 100 --activation relu --lr 10 --epochs 30",
}


# -- running a file where twolayer is not importable ---------------------------------------------

# The project is installed (editable) in the test environment, so `-I` alone does not hide it:
# every runner first makes `import twolayer` fail, as it would on a machine without the project.
HIDE_TWOLAYER = "import sys; sys.modules['twolayer'] = None\n"

# Runs each file in turn in one interpreter (scikit-learn is imported once), each in a fresh
# namespace, as `python file.py` would; a line of its own separates their outputs.
RUNNER = HIDE_TWOLAYER + """\
import runpy, sys
for path in sys.argv[1:]:
    print("=== next file", flush=True)
    runpy.run_path(path, run_name="__main__")
"""


def run_isolated(*paths, cwd):
    """What each file printed, parsed (one dict per file, or the dict of the only one)."""
    (cwd / "runner.py").write_text(RUNNER)
    result = subprocess.run([sys.executable, "-I", "runner.py", *map(str, paths)], cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    outputs = [parse(out) for out in result.stdout.split("=== next file\n")[1:]]
    assert len(outputs) == len(paths)
    return outputs if len(paths) > 1 else outputs[0]


def parse(out):
    """{loss or "": {"epochs run": int, "diverged": False or int, "train loss": float, ...}}"""
    printed = {}
    for line in out.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        loss, key, value = match.groups()
        if key == "epochs run":
            value = int(value)
        elif key == "diverged":
            value = False if value == "False" else int(value)
        else:
            value = float(value)
        printed.setdefault(loss or "", {})[key] = value
    return printed


def as_train_json(printed):
    """The printed numbers under the keys of `train --json`."""
    return {key.replace(" ", "_"): value for key, value in printed.items()}


def assert_same(printed, expected):
    """Every number `train --json` reports at the end, to REL (the counts exactly)."""
    got = as_train_json(printed)
    keys = [k for k in expected if k != "history"]
    assert set(got) == set(keys)
    assert got["epochs_run"] == expected["epochs_run"]
    assert got["diverged"] == expected["diverged"]
    for key in keys:
        assert got[key] == pytest.approx(expected[key], rel=REL, abs=1e-15), key


def train_json(capsys, args):
    assert main(["train", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def export(capsys, args, fmt="script"):
    assert main(["export", "--format", fmt, *args]) == 0
    return capsys.readouterr().out


def test_twolayer_is_not_importable_where_the_files_run(tmp_path):
    result = subprocess.run([sys.executable, "-I", "-c", HIDE_TWOLAYER + "import twolayer"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr


# -- the script against `train --json` ----------------------------------------------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """{name: (script text, what it printed)} for every row of SETTINGS, run at once."""
    folder = tmp_path_factory.mktemp("exported")
    texts, paths = {}, []
    for k, (name, args) in enumerate(SETTINGS.items()):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["export", *args.split()]) == 0
        texts[name] = out.getvalue()
        paths.append(folder / f"run{k}.py")
        paths[-1].write_text(texts[name])
    printed = run_isolated(*paths, cwd=folder)
    return {name: (texts[name], p) for name, p in zip(SETTINGS, printed, strict=True)}


@pytest.mark.parametrize("name", SETTINGS)
def test_the_script_prints_what_train_json_reports(name, exported, capsys):
    text, printed = exported[name]
    assert not IMPORTS_TWOLAYER.search(text)
    assert len(text.splitlines()) <= 150
    expected = train_json(capsys, SETTINGS[name].split())
    assert_same(printed[""], expected)
    if name == "plane relu diverges":
        assert expected["diverged"] == 2


def test_the_compare_script_trains_both_nets_from_the_same_start(capsys, tmp_path):
    args = ("--dataset moons --samples 200 --hidden 8 --activation sigmoid --lr 1 --epochs 40 "
            "--output-bias -8 --seed 2").split()
    text = export(capsys, [*args, "--compare"])
    assert len(text.splitlines()) <= 155 and not IMPORTS_TWOLAYER.search(text)
    path = tmp_path / "compare.py"
    path.write_text(text)
    printed = run_isolated(path, cwd=tmp_path)
    assert main(["compare", *args, "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    assert set(printed) == {"mse", "log_loss"}
    for loss in ("mse", "log_loss"):
        assert_same(printed[loss], expected[loss])


def test_output_writes_the_file_and_refuses_what_train_refuses(capsys, tmp_path):
    out = tmp_path / "run.ipynb"
    assert main(["export", "--format", "notebook", "--output", str(out), "--epochs", "2"]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["nbformat"] == 4
    with pytest.raises(SystemExit) as err:
        main(["export", "--dataset", "sine", "--loss", "log_loss"])
    assert err.value.code == 2 and "log_loss" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "--dataset", "sine", "--compare"])
    assert "classification" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "--output", str(tmp_path / "no" / "such" / "folder.py")])
    assert "cannot write" in capsys.readouterr().err


@pytest.mark.parametrize("name", DATASETS)
def test_the_data_part_makes_the_data_of_twolayer_data(name):
    """Every generator's lines, run on their own, give make_dataset's arrays bit for bit."""
    run = Run(task=DATASETS[name], dataset=name, samples=120, noise=0.3, test_fraction=0.25,
              data_seed=5, losses=("mse",))
    from twolayer.export import sections

    header, settings, data = (code for _, code in sections(run)[:3])
    space = {}
    exec(compile(header + "\n" + settings + "\n" + data, "<export>", "exec"), space)
    made = make_dataset(name, 120, 0.3, 0.25, 5)
    for key in ("X_train", "y_train", "X_test", "y_test"):
        assert np.array_equal(space[key], getattr(made, key)), key


# -- a change in net.py's update that the script does not share is caught ------------------------

def test_a_changed_update_in_the_core_no_longer_matches(exported, capsys, monkeypatch):
    """The script is not net.py: change the core's update (b1 learns 0.1% faster) and the
    comparison above fails."""
    name = "moons tanh log-loss mini-batch"
    args, printed = SETTINGS[name].split(), exported[name][1][""]
    assert_same(printed, train_json(capsys, args))
    original = TwoLayerNet._step

    def planted(self, X, y, lr, l2=0.0):
        grads = original(self, X, y, lr, l2)
        self.b1 -= 0.001 * lr * grads["b1"]
        return grads

    monkeypatch.setattr(TwoLayerNet, "_step", planted)
    with pytest.raises(AssertionError):
        assert_same(printed, train_json(capsys, args))


# -- the notebook --------------------------------------------------------------------------------

# The rules of the nbformat 4 schema (nbformat/v4/nbformat.v4.5.schema.json) that a notebook of
# markdown and code cells must keep.
CELL_ID = {"type": "string", "pattern": "^[a-zA-Z0-9-_]+$", "minLength": 1, "maxLength": 64}
SOURCE = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
NBFORMAT4 = {
    "type": "object",
    "required": ["metadata", "nbformat_minor", "nbformat", "cells"],
    "additionalProperties": False,
    "properties": {
        "metadata": {"type": "object", "properties": {
            "kernelspec": {"type": "object", "required": ["name", "display_name"]},
            "language_info": {"type": "object", "required": ["name"]}}},
        "nbformat_minor": {"type": "integer", "minimum": 5},
        "nbformat": {"type": "integer", "minimum": 4, "maximum": 4},
        "cells": {"type": "array", "items": {"oneOf": [
            {"type": "object", "additionalProperties": False,
             "required": ["id", "cell_type", "metadata", "source"],
             "properties": {"id": CELL_ID, "cell_type": {"enum": ["markdown"]},
                            "metadata": {"type": "object"}, "source": SOURCE,
                            "attachments": {"type": "object"}}},
            {"type": "object", "additionalProperties": False,
             "required": ["id", "cell_type", "metadata", "source", "outputs",
                          "execution_count"],
             "properties": {"id": CELL_ID, "cell_type": {"enum": ["code"]},
                            "metadata": {"type": "object"}, "source": SOURCE,
                            "outputs": {"type": "array"},
                            "execution_count": {"type": ["integer", "null"], "minimum": 0}}},
        ]}},
    },
}

# Runs the code cells in order in one namespace, as a kernel would.
CELL_RUNNER = HIDE_TWOLAYER + """\
import json, sys
nb = json.load(open(sys.argv[1], encoding="utf-8"))
space = {"__name__": "__main__"}
for cell in nb["cells"]:
    if cell["cell_type"] == "code":
        exec(compile("".join(cell["source"]), "<cell>", "exec"), space)
"""


def check_notebook(text):
    import jsonschema

    nb = json.loads(text)
    jsonschema.validate(nb, NBFORMAT4)
    assert len({c["id"] for c in nb["cells"]}) == len(nb["cells"])
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds == ["markdown", "code"] * (len(kinds) // 2)
    for cell in nb["cells"]:   # each line but the last keeps its newline
        assert all(line.endswith("\n") for line in cell["source"][:-1])
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "$$" in markdown and r"\delta_2" in markdown
    return nb


def run_notebook(text, tmp_path):
    (tmp_path / "run.ipynb").write_text(text)
    (tmp_path / "cells.py").write_text(CELL_RUNNER)
    result = subprocess.run([sys.executable, "-I", "cells.py", "run.ipynb"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_notebook_is_nbformat_4_and_its_cells_print_what_train_reports(capsys, tmp_path):
    args = SETTINGS["sine sigmoid regression full batch"].split()
    text = export(capsys, args, "notebook")
    nb = check_notebook(text)
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert not IMPORTS_TWOLAYER.search(code)
    out = run_notebook(text, tmp_path)
    assert_same(parse(out)[""], train_json(capsys, args))
    assert "mse: training loss, 40 epochs" in out    # the text plot of the curve


def test_the_compare_notebook_prints_both_nets(capsys, tmp_path):
    args = "--dataset xor --samples 100 --activation relu --lr 0.3 --epochs 10".split()
    text = export(capsys, [*args, "--compare", "--batch-size", "10"], "notebook")
    check_notebook(text)
    printed = parse(run_notebook(text, tmp_path))
    assert main(["compare", *args, "--batch-size", "10", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    for loss in ("mse", "log_loss"):
        assert_same(printed[loss], expected[loss])


# -- a run of trainers, as the pages hold them: uploaded data, settings changed half-way ---------

CSV = "a,b,label\n" + "\n".join(
    f"{x1:.4f},{x2:.4f},{int(x1 * x2 > 0)}"
    for x1, x2 in np.random.default_rng(11).uniform(-1, 1, size=(80, 2)))


def expected_numbers(trainer):
    numbers = final_numbers(trainer.net, trainer.data)
    return {"epochs_run": trainer.epoch,
            "diverged": False if trainer.diverged is None else trainer.diverged, **numbers}


@pytest.mark.parametrize("split", ["random", "file"])
def test_an_uploaded_csv_is_embedded_and_a_changed_rate_is_replayed(split, tmp_path):
    raw = CSV
    if split == "file":   # a split column, as the app's data download writes it
        lines = raw.splitlines()
        raw = "\n".join([lines[0] + ",split"] + [f"{row},{'test' if k % 4 == 0 else 'train'}"
                                                 for k, row in enumerate(lines[1:])])
    data, info = read_csv_dataset(raw.encode(), "classification", seed=2)
    assert info["split"] == split
    net = TwoLayerNet(2, 5, "relu", "classification", "log_loss", seed=2)
    trainer = Trainer(net, data, lr=0.3, batch_size=8, seed=2)
    trainer.run(15)
    trainer.lr, trainer.batch_size = 1.0, None    # the page's settings changed at epoch 15
    trainer.run(10)
    run = run_from_trainers({"log_loss": trainer}, {"dataset": "moons", "samples": 80,
                                                   "noise": 0.2, "test_fraction": 0.3,
                                                   "seed": 2})
    assert run.data is data and run.start["log_loss"][0] == 15
    text = script(run)
    assert "sklearn" not in text and not IMPORTS_TWOLAYER.search(text)
    (tmp_path / "run.py").write_text(text)
    assert_same(run_isolated(tmp_path / "run.py", cwd=tmp_path)[""], expected_numbers(trainer))


def test_a_seeded_run_is_not_embedded_loaded_weights_and_a_late_change_are(tmp_path):
    data = make_dataset("bumps", 150, 0.1, 0.3, 1)
    generated = {"dataset": "bumps", "samples": 150, "noise": 0.1, "test_fraction": 0.3,
                 "seed": 1}

    def trainer(lr):
        return Trainer(TwoLayerNet(2, 4, "relu", "regression", "mse", seed=1), data, lr=lr,
                       batch_size=16, seed=1)

    seeded = trainer(0.1)
    seeded.run(12)
    run = run_from_trainers({"mse": seeded}, generated)
    assert run.data is None and run.dataset == "bumps" and run.start == {}
    diverging = trainer(0.1)
    diverging.run(10)
    diverging.lr = 30.0    # diverges in the next epoch: the page stays at epoch 10
    diverging.run(20)
    assert diverging.diverged == 11 and diverging.epoch == 10
    run = run_from_trainers({"mse": diverging}, generated)
    # No epoch was trained at 30: the file starts from the weights of epoch 10.
    assert run.start["mse"][0] == 10 and run.epochs == 10
    loaded = trainer(0.1)    # weights loaded from a file (the page's .npz upload)
    loaded.net.set_params({p: np.random.default_rng(5).normal(size=v.shape)
                           for p, v in loaded.net.params().items()})
    loaded = Trainer(loaded.net, data, lr=0.1, batch_size=16, seed=1)
    loaded.run(7)
    assert run_from_trainers({"mse": loaded}, generated).start["mse"][0] == 0
    trainers = (seeded, diverging, loaded)
    paths = [tmp_path / f"run{k}.py" for k in range(len(trainers))]
    for path, t in zip(paths, trainers, strict=True):
        path.write_text(script(run_from_trainers({"mse": t}, generated)))
    for printed, t in zip(run_isolated(*paths, cwd=tmp_path), trainers, strict=True):
        assert_same(printed[""], {**expected_numbers(t), "diverged": False})


# -- the pages: the download reproduces the numbers on screen ----------------------------------

def shown(at):
    return {m.label: m.value for m in at.metric}


def click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_playground_download_prints_the_numbers_on_screen(tmp_path):
    from twolayer.ui.export_buttons import page_run

    at = apptest_util.open_page("pages/playground.py")
    at.get("file_uploader")[0].upload("mine.csv", CSV.encode(), "text/csv")
    at.run()
    click(at, "Step")
    click(at, "Step")
    at.sidebar.select_slider(key="lr").set_value(1.0).run()    # training goes on at 1.0
    click(at, "Train")
    labels = [b.label for b in at.get("download_button")]
    assert "Python script" in labels and "Notebook (.ipynb)" in labels
    trainer = at.session_state["trainer"][1]
    on_screen = shown(at)
    assert int(on_screen["Epoch"]) == trainer.epoch == 102
    run = page_run({trainer.net.loss_name: trainer}, at.session_state["settings"])
    assert run.data is trainer.data and run.start["log_loss"][0] == 2
    (tmp_path / "run.py").write_text(script(run))
    printed = run_isolated(tmp_path / "run.py", cwd=tmp_path)[""]
    assert_same(printed, expected_numbers(trainer))
    assert f"{printed['train loss']:.4f}" == on_screen["Train loss"]
    assert f"{printed['test loss']:.4f}" == on_screen["Test loss"]
    assert f"{printed['train accuracy']:.3f}" == on_screen["Train accuracy"]
    assert f"{printed['test accuracy']:.3f}" == on_screen["Test accuracy"]


def test_the_compare_download_prints_both_nets_on_screen(tmp_path):
    from twolayer.ui.export_buttons import page_run

    at = apptest_util.open_page("pages/compare.py", lesson="saturated")
    next(b for b in at.button if b.label.startswith("Train")).click().run()
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == ["Python script",
                                                            "Notebook (.ipynb)"]
    cmp = at.session_state["compare"][1]
    from twolayer.ui.lesson_book import lesson_settings

    run = page_run(cmp.trainers, lesson_settings("saturated", at.session_state["settings"]),
                   cmp.lr_factor, "MSE vs log-loss")
    assert run.data is None and run.start == {} and run.output_bias == -8.0
    (tmp_path / "run.ipynb").write_text(notebook(run))
    printed = parse(run_notebook(notebook(run), tmp_path))
    on_screen = shown(at)
    for loss, label in (("mse", "MSE"), ("log_loss", "Log-loss")):
        t = cmp.trainers[loss]
        assert_same(printed[loss], expected_numbers(t))
        [accuracy] = [v for k, v in on_screen.items() if k.endswith("test accuracy")
                      and k.lower().startswith(label.lower())]
        assert f"{printed[loss]['test accuracy']:.3f}" == accuracy


def test_a_long_run_is_replayed_only_as_far_as_one_click_may_cost(monkeypatch, tmp_path):
    import twolayer.settings

    data = make_dataset("moons", 100, 0.2, 0.3, 0)
    trainer = Trainer(TwoLayerNet(2, 3, "sigmoid", "classification", "mse", seed=0), data,
                      lr=1.0, batch_size=10, seed=0)
    trainer.run(30)
    monkeypatch.setattr(twolayer.settings, "MAX_SECONDS_PER_REQUEST", 5e-3)
    allowed, _ = twolayer.settings.epoch_budget(30, 70, 10, 3)
    assert 1 <= allowed < 30
    run = run_from_trainers({"mse": trainer})
    assert run.start["mse"][0] == 30 - allowed
    (tmp_path / "run.py").write_text(script(run))
    assert_same(run_isolated(tmp_path / "run.py", cwd=tmp_path)[""], expected_numbers(trainer))
