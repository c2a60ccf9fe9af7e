"""Take it home: a run as a self-contained Python script or Jupyter notebook.

The file needs NumPy (and scikit-learn to make the data, unless the data is embedded) and never
imports twolayer: the net is written out as the derivation, line by line, as generated text.
It is not a copy of net.py's source, so tests can check the two against each other: the same
settings give the same numbers, to the last bit on this machine, only while both agree.

    run = Run(task="classification", dataset="moons", ...)    # or twolayer.replay
    script(run)      # str: Python source
    notebook(run)    # str: nbformat 4 JSON, the same code in cells with markdown between

The script trains each net (one, or MSE and log-loss from the same start for a comparison) for
``run.epochs`` epochs, with the Trainer's sample order (epoch k shuffles with the seed
(seed, k)), its batches, L2 and divergence rule, and prints the final losses and metric as
``repr`` floats (they round-trip exactly).

The file's sections live with their concern: twolayer.export_data (the data, and the exact text
of every number) and twolayer.export_net (the network, the loss and the training loop); the
sections around them (the header, the settings, where training starts, the run and its
print-out) are here. Every name stays importable from here.
"""

import json
import textwrap
from dataclasses import dataclass, field

from .data import DATASETS
from .export_data import (  # noqa: F401  (every name importable from twolayer.export)
    GENERATOR_CODE,
    GENERATOR_CODE_K,
    _array,
    _data,
    _num,
)
from .export_net import LOSS_LINES, _loss, _network, _train  # noqa: F401
from .settings import SATURATED_BIAS


@dataclass(frozen=True)
class Run:
    """Everything an exported file reproduces.

    task : "classification" | "regression"
    dataset, samples, noise, test_fraction, data_seed : the generated data (twolayer.data)
    data : a twolayer.data.Dataset to embed instead (an uploaded CSV); dataset is then ignored
    hidden, activation : the network; losses : ("mse",), ("log_loss",) or both (a comparison)
    lr : the learning rate; lr_factor : the MSE net's rate is lr * lr_factor in a comparison
    batch_size : int, or None for the whole training set; l2 : weight decay (>= 0)
    seed : the initial weights and the sample order; output_bias : where b2 starts
    epochs : the epoch the run ends at (fewer if it diverges)
    start : {loss: (epoch, params)} to start a net from these weights after that epoch instead
        of the seeded start (a page whose learning rate changed half-way, loaded weights)
    source : a line saying where the run comes from
    n_classes : 2 (one sigmoid output), or K >= 3: K softmax outputs against one-hot targets,
        b2 starting at (0, output_bias, ..., output_bias)
    """

    task: str = "classification"
    dataset: str = "moons"
    samples: int = 500
    noise: float = 0.2
    test_fraction: float = 0.3
    data_seed: int = 0
    hidden: int = 8
    activation: str = "tanh"
    losses: tuple = ("log_loss",)
    lr: float = 0.3
    lr_factor: float = 1.0
    batch_size: int | None = None
    l2: float = 0.0
    seed: int = 0
    output_bias: float = 0.0
    epochs: int = 300
    data: object = field(default=None, repr=False)
    start: dict = field(default_factory=dict, repr=False)
    source: str = ""
    n_classes: int = 2

    @property
    def compare(self):
        return len(self.losses) > 1

    @property
    def softmax(self):
        return self.n_classes > 2


# -- the sections: (markdown for the notebook, code) ---------------------------------------------

def _header(run):
    what = ("an MSE net and a log-loss net from the same start" if run.compare
            else f"a two-layer net with {run.losses[0]}")
    needs = "NumPy" if run.data is not None else "NumPy and scikit-learn"
    # The source line quotes command-line arguments: nothing in it may end the docstring.
    safe = run.source.replace("\\", "\\\\").replace('"', '\\"')
    source = (f"\n{textwrap.fill(safe, 95, break_long_words=False, break_on_hyphens=False)}\n"
              if run.source else "")
    title = (f"{what[0].upper() + what[1:]}, trained by gradient descent with backpropagation "
             "written out by hand.")
    doc = ('"""' + textwrap.fill(title, 95) + f"\n{source}\nNeeds only {needs}. Samples are "
           "columns, as in the derivation: X has shape\n(n_inputs, m), y has shape (1, m).\"\"\"\n")
    imports = ["import numpy as np"]
    if run.data is None:
        sk = (GENERATOR_CODE_K if run.softmax else GENERATOR_CODE)[run.dataset][0]
        if sk:
            imports.append(f"from sklearn.datasets import {sk}")
        imports += ["from sklearn.model_selection import train_test_split",
                    "from sklearn.preprocessing import StandardScaler"]
    md = (f"# {what[0].upper() + what[1:]}\n\n"
          f"Trained by gradient descent with backpropagation written out by hand. "
          f"{run.source}\n\nNeeds only {needs}. Samples are columns, as in the derivation: "
          "$X$ has shape $(n_\\text{inputs}, m)$, $y$ has shape $(1, m)$.")
    return md, doc + "\n" + "\n".join(imports)


def _settings(run):
    batch = "None" if run.batch_size is None else str(int(run.batch_size))
    rows = []
    if run.softmax:
        rows.append((f"N_CLASSES = {int(run.n_classes)}", "labels 0 .. N_CLASSES-1, one softmax "
                                                          "output each"))
    if run.data is None:
        rows += [(f"N_SAMPLES = {int(run.samples)}", ""),
                 (f"NOISE = {_num(run.noise)}", ""),
                 (f"TEST_FRACTION = {_num(run.test_fraction)}", "held out for testing"),
                 (f"DATA_SEED = {int(run.data_seed)}", "the data and the split")]
    rows += [(f"N_HIDDEN = {int(run.hidden)}", "hidden units"),
             (f"LR = {_num(run.lr)}", "the learning rate alpha")]
    if run.compare:
        rows.append((f"LR_FACTOR = {_num(run.lr_factor)}", "the MSE net learns at LR * LR_FACTOR"))
    rows += [(f"BATCH_SIZE = {batch}", "None: the whole training set in each step"),
             (f"L2 = {_num(run.l2)}", "weight decay: L + L2/2 (|W1|^2 + |W2|^2)"),
             (f"SEED = {int(run.seed)}", "the initial weights and the sample order"),
             (f"OUTPUT_BIAS = {_num(run.output_bias)}",
              f"where b2 starts ({SATURATED_BIAS:g}: a saturated start)" if not run.softmax
              else f"b2 starts at (0, OUTPUT_BIAS, ...): {SATURATED_BIAS:g}, all class 0"),
             (f"EPOCHS = {int(run.epochs)}", "")]
    width = max(len(code) for code, _ in rows) + 2
    lines = ["# The run's settings: change them and run again."]
    lines += [f"{code:{width}}# {why}" if why else code for code, why in rows]
    md = "## Settings\n\nThe run's exact settings. Change them and run the cells again."
    return md, "\n".join(lines)


def _start(run):
    """The embedded start of each net that does not begin from the seeded weights."""
    if not run.start:
        return None
    epochs = sorted({int(e) for e, _ in run.start.values()})
    when = " and ".join(str(e) for e in epochs)
    lines = [f"# The page loaded weights or changed a setting (at epoch {when}): training starts "
             "from the\n# weights it had then, and the epochs after it are trained here with "
             "the settings above."]
    starts = {}
    for loss, (epoch, params) in run.start.items():
        prefix = f"{loss.upper()}_" if run.compare else ""
        for p in ("W1", "b1", "W2", "b2"):
            lines.append(_array(f"{prefix}{p}", params[p]))
        names = ", ".join(f"{prefix}{p}" for p in ("W1", "b1", "W2", "b2"))
        starts[loss] = f"({int(epoch)}, [{names}])"
    if run.compare:
        lines.append("START = {\n" + "".join(f"    \"{loss}\": {start},\n"
                                             for loss, start in starts.items()) + "}")
    else:
        lines.append(f"START = {starts[run.losses[0]]}")
    md = ("## Where training starts\n\nThe weights the page had when it loaded weights or a "
          "setting changed; from there on, the settings above reproduce its run.")
    return md, "\n".join(lines)


def _run(run):
    if run.compare:
        code = ("results = {\"mse\": train(\"mse\", LR * LR_FACTOR), \"log_loss\": "
                "train(\"log_loss\", LR)}")
    else:
        code = f"results = {{\"{run.losses[0]}\": train(LR)}}"
    metric = "accuracy" if run.task == "classification" else "r2"
    prefix = "{loss} " if run.compare else ""
    fns = ", ".join(f"\"{loss}\": {loss}" for loss in run.losses)
    code += (
        f"\nfor loss, (net, epochs_run, diverged, history) in results.items():\n"
        f"    mean_loss = {{{fns}}}[loss]\n"
        f"    print(f\"{prefix}epochs run: {{epochs_run}}\")\n"
        f"    print(f\"{prefix}diverged: {{diverged}}\")\n"
        f"    print(f\"{prefix}train loss: {{mean_loss(net, X_train, y_train)!r}}\")\n"
        f"    print(f\"{prefix}test loss: {{mean_loss(net, X_test, y_test)!r}}\")\n"
        f"    print(f\"{prefix}train {metric}: {{metric(net, X_train, y_train)!r}}\")\n"
        f"    print(f\"{prefix}test {metric}: {{metric(net, X_test, y_test)!r}}\")")
    md = ("## Run\n\nThe final losses (without the L2 term) and the "
          + ("accuracy" if metric == "accuracy" else "$R^2$")
          + ", printed in full precision.")
    return md, code


def _curve(run):
    """A text plot of the training loss: cheap, and needs nothing beyond NumPy."""
    code = ("for loss, (net, epochs_run, diverged, history) in results.items():\n"
            "    if not history:\n"
            "        continue\n"
            "    train_losses = np.array([h[0] for h in history])\n"
            "    print(f\"{loss}: training loss, {len(train_losses)} epochs\")\n"
            "    for k in np.linspace(0, len(train_losses) - 1, min(10, len(train_losses)))"
            ".astype(int):\n"
            "        bar = \"#\" * int(50 * train_losses[k] / train_losses.max())\n"
            "        print(f\"{k + 1:6d} {train_losses[k]:10.4g} {bar}\")")
    return "## The loss curve\n\nAs text, so that nothing beyond NumPy is needed.", code


def sections(run, curve=False):
    """[(markdown, code)] in order: the file's parts, for the script and the notebook alike."""
    if run.data is None and run.dataset not in DATASETS:
        raise ValueError(f"unknown dataset {run.dataset!r}")
    if run.softmax and run.data is None and run.dataset not in GENERATOR_CODE_K:
        raise ValueError(f"{run.dataset} has two classes; {run.n_classes} classes come with "
                         f"{', '.join(GENERATOR_CODE_K)}")
    parts = [_header(run), _settings(run), _data(run), _network(run), _loss(run), _start(run),
             _train(run), _run(run)]
    if curve:
        parts.append(_curve(run))
    return [p for p in parts if p is not None]


def script(run):
    """The run as one Python file (str)."""
    return "\n\n\n".join(code for _, code in sections(run)) + "\n"


def notebook(run):
    """The run as an nbformat 4 notebook (JSON text): markdown, then code, for each part."""
    cells = []
    for md, code in sections(run, curve=True):
        cells.append({"cell_type": "markdown", "metadata": {}, "source": _lines(md)})
        cells.append({"cell_type": "code", "execution_count": None, "metadata": {},
                      "outputs": [], "source": _lines(code)})
    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                      "name": "python3"},
                       "language_info": {"name": "python"}},
          "cells": cells}
    for k, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{k}"     # nbformat 4.5 wants ids
    return json.dumps(nb, indent=1) + "\n"


def _lines(text):
    """Notebook source: a list of lines, each but the last keeping its newline."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]
