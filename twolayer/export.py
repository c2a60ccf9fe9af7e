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
"""

import json
import textwrap
from dataclasses import dataclass, field

import numpy as np

from .data import DATASETS
from .settings import SATURATED_BIAS

# One generator per data set, as twolayer.data makes it: (sklearn import or None, lines giving
# X of shape (m, n_features) and y of shape (m,) from N_SAMPLES, NOISE and DATA_SEED).
GENERATOR_CODE = {
    "moons": ("make_moons", "X, y = make_moons(N_SAMPLES, noise=NOISE, random_state=DATA_SEED)"),
    "circles": ("make_circles", "X, y = make_circles(N_SAMPLES, noise=NOISE, factor=0.5, "
                                "random_state=DATA_SEED)"),
    "blobs": ("make_blobs", "# NOISE widens the two clusters: at 0.5 they touch.\n"
                            "X, y = make_blobs(N_SAMPLES, centers=[(-2.0, -2.0), (2.0, 2.0)], "
                            "cluster_std=0.5 + 3.0 * NOISE,\n"
                            "                  random_state=DATA_SEED)"),
    "linear": ("make_classification",
               "X, y = make_classification(N_SAMPLES, n_features=2, n_informative=2, "
               "n_redundant=0,\n"
               "                           n_clusters_per_class=1, class_sep=1.5, flip_y=0.0,\n"
               "                           random_state=DATA_SEED)\n"
               "X = X + NOISE * np.random.default_rng(DATA_SEED).normal(size=X.shape)"),
    "xor": (None, "rng = np.random.default_rng(DATA_SEED)\n"
                  "X = rng.uniform(-1.0, 1.0, size=(N_SAMPLES, 2))\n"
                  "y = (X[:, 0] * X[:, 1] > 0).astype(int)    # class 1 in two opposite "
                  "quadrants\n"
                  "X = X + NOISE * rng.normal(size=X.shape)"),
    "spiral": (None, "# Two interleaved arms: the radius grows with the angle.\n"
                     "rng = np.random.default_rng(DATA_SEED)\n"
                     "y = np.arange(N_SAMPLES) % 2\n"
                     "t = rng.uniform(0.0, 1.0, N_SAMPLES)\n"
                     "angle = 1.75 * 2 * np.pi * t + np.pi * y\n"
                     "X = 5.0 * t[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])\n"
                     "X = X + 5.0 * NOISE * rng.normal(size=X.shape)"),
    "sine": (None, "rng = np.random.default_rng(DATA_SEED)\n"
                   "X = rng.uniform(-np.pi, np.pi, size=(N_SAMPLES, 1))\n"
                   "y = np.sin(X[:, 0]) + NOISE * rng.normal(size=N_SAMPLES)"),
    "plane": ("make_regression",
              "X, y = make_regression(N_SAMPLES, n_features=2, n_informative=2, noise=0.0, "
              "random_state=DATA_SEED)\n"
              "y = y / np.std(y)    # a tilted plane of unit spread\n"
              "y = y + NOISE * np.random.default_rng(DATA_SEED).normal(size=N_SAMPLES)"),
    "bumps": (None, "rng = np.random.default_rng(DATA_SEED)\n"
                    "X = rng.uniform(-2.0, 2.0, size=(N_SAMPLES, 2))\n\n\n"
                    "def bump(cx, cy, width):\n"
                    "    return np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / width)\n\n\n"
                    "y = bump(-0.8, -0.6, 0.6) - bump(0.9, 0.7, 0.5) + 0.6 * bump(0.8, -1.0, 0.4)\n"
                    "y = y + NOISE * rng.normal(size=N_SAMPLES)"),
}


# K >= 3 classes (N_CLASSES), as twolayer.data makes them: the datasets of data.MULTICLASS.
GENERATOR_CODE_K = {
    "blobs": ("make_blobs", "# N_CLASSES centres on a circle, class 0 at (-2, -2); NOISE widens "
                            "the clusters.\n"
                            "angle = 1.25 * np.pi + 2 * np.pi * np.arange(N_CLASSES) / N_CLASSES\n"
                            "centers = np.sqrt(8.0) * np.column_stack([np.cos(angle), "
                            "np.sin(angle)])\n"
                            "X, y = make_blobs(N_SAMPLES, centers=centers, "
                            "cluster_std=0.5 + 3.0 * NOISE,\n"
                            "                  random_state=DATA_SEED)"),
    "linear": ("make_classification",
               "X, y = make_classification(N_SAMPLES, n_features=2, n_informative=2, "
               "n_redundant=0,\n"
               "                           n_classes=N_CLASSES, n_clusters_per_class=1, "
               "class_sep=1.5,\n"
               "                           flip_y=0.0, random_state=DATA_SEED)\n"
               "X = X + NOISE * np.random.default_rng(DATA_SEED).normal(size=X.shape)"),
    "spiral": (None, "# N_CLASSES arms, each turning through 4 radians as its radius grows; "
                     "NOISE jitters the angle.\n"
                     "rng = np.random.default_rng(DATA_SEED)\n"
                     "y = np.arange(N_SAMPLES) % N_CLASSES\n"
                     "t = rng.uniform(0.0, 1.0, N_SAMPLES)\n"
                     "angle = 4.0 * t + 2 * np.pi * y / N_CLASSES + NOISE * "
                     "rng.normal(size=N_SAMPLES)\n"
                     "X = 5.0 * t[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])"),
}


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


def _num(x):
    """A float as Python source that reads back to the very same double."""
    return repr(float(x))


def _array(name, a):
    """``name = np.array([...]).reshape(shape)`` with every value exact, wrapped at 95."""
    a = np.asarray(a, dtype=np.float64)
    items = [_num(x) for x in a.ravel()]
    text = f"{name} = np.array([{', '.join(items)}]).reshape{a.shape}"
    if len(text) <= 95:
        return text
    return (f"{name} = np.array([\n"
            + textwrap.fill(", ".join(items), 95, initial_indent="    ",
                            subsequent_indent="    ")
            + f"\n]).reshape{a.shape}")


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


def _data(run):
    if run.data is not None:
        return _embedded_data(run.data)
    _, gen = (GENERATOR_CODE_K if run.softmax else GENERATOR_CODE)[run.dataset]
    stratify = "y" if run.task == "classification" else "None"
    why = ("stratified: both classes in the same shares" if run.task == "classification"
           else "at random")
    code = (f"# The {run.dataset} data set, as twolayer makes it: X (m, n_features), y (m,).\n"
            f"{gen}\n"
            "X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)\n"
            f"# Split ({why}); then standardise with the training part's\n"
            "# mean and spread only, so that nothing of the test part leaks into training.\n"
            "X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=TEST_FRACTION, "
            "random_state=DATA_SEED,\n"
            f"                                          stratify={stratify})\n"
            "scaler = StandardScaler().fit(X_tr)\n"
            "# Samples as columns: X_train (n_inputs, m), y_train (1, m).\n"
            "X_train, X_test = scaler.transform(X_tr).T, scaler.transform(X_te).T\n"
            "y_train, y_test = y_tr[None, :], y_te[None, :]\n"
            "n_inputs, m = X_train.shape")
    md = ("## The data\n\nGenerated with the same seed, split and standardised with the "
          "training part's scaler: $x \\leftarrow (x - \\mu_\\text{train}) / "
          "\\sigma_\\text{train}$.")
    return md, code


def _embedded_data(data):
    n = data.X_train.shape[0]
    # The file's column names go into a comment as reprs: no newline of theirs can end it.
    names = [repr(str(f)) for f in data.feature_names]
    rows = []
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        for j in range(X.shape[1]):
            rows.append(",".join([part, *(_num(v) for v in X[:, j]), _num(y[0, j])]))
    header = ",".join(["part", *(f"x{i + 1}" for i in range(n)), "y"])
    code = (f"# Your data: {len(rows)} rows ({', '.join(names)} -> {str(data.target_name)!r}),\n"
            "# already split and standardised as the app did it (with the training part's mean "
            f"{[float(v) for v in data.mean]}\n# and scale {[float(v) for v in data.scale]}).\n"
            f'DATA = """\\\n{header}\n' + "\n".join(rows) + '\n"""\n'
            "rows = [line.split(\",\") for line in DATA.splitlines()[1:]]\n"
            "train = np.array([[float(v) for v in r[1:]] for r in rows if r[0] == \"train\"])\n"
            "test = np.array([[float(v) for v in r[1:]] for r in rows if r[0] == \"test\"])\n"
            f"# Samples as columns: X_train ({n}, m), y_train (1, m).\n"
            f"X_train, y_train = train[:, :{n}].copy().T, train[:, {n}][None, :]\n"
            f"X_test, y_test = test[:, :{n}].copy().T, test[:, {n}][None, :]\n"
            "n_inputs, m = X_train.shape")
    md = ("## The data\n\nYour file's rows, embedded: already split and standardised the way "
          "the app did it.")
    return md, code


def _network(run):
    classification = run.task == "classification"
    g = {"sigmoid": ("sigmoid(z)", "a * (1.0 - a)", "the sigmoid"),
         "tanh": ("np.tanh(z)", "1.0 - a * a", "tanh"),
         "relu": ("np.maximum(z, 0.0)", "(z > 0).astype(z.dtype)   # 0 at the kink z = 0",
                  "relu")}[run.activation]
    lines = []
    if (classification and not run.softmax) or run.activation == "sigmoid":
        lines += ["def sigmoid(z):",
                  "    # exp(-z) overflows to inf for z < -709 and 1 / (1 + inf) is exactly 0: "
                  "right.",
                  "    with np.errstate(over=\"ignore\"):",
                  "        return 1.0 / (1.0 + np.exp(-z))", "", ""]
    if run.softmax:
        lines += ["def softmax(z):",
                  "    # Each column's max subtracted first: the same probabilities, no overflow.",
                  "    e = np.exp(z - z.max(axis=0, keepdims=True))",
                  "    return e / e.sum(axis=0, keepdims=True)", "", "",
                  "def one_hot(y):    # Y (N_CLASSES, m): Y[k, i] = 1 where y_i == k",
                  "    return (np.arange(N_CLASSES)[:, None] == y).astype(np.float64)", "", ""]
    lines += [f"def g(z):    # the hidden activation: {g[2]}",
              f"    return {g[0]}", "", "",
              "def g_prime(z, a):    # g'(z), from the a = g(z) the forward pass kept",
              f"    return {g[1]}", "", ""]
    n_out = "N_CLASSES" if run.softmax else "1"
    if run.activation == "relu":
        init = ["    # He normal for relu: N(0, 2 / fan_in).",
                "    W1 = rng.normal(0.0, np.sqrt(2.0 / n_inputs), size=(N_HIDDEN, n_inputs))",
                "    b1 = np.zeros((N_HIDDEN, 1))",
                f"    W2 = rng.normal(0.0, np.sqrt(2.0 / N_HIDDEN), size=({n_out}, N_HIDDEN))"]
    else:
        init = ["    # Glorot uniform: U(-r, r), r = sqrt(6 / (fan_in + fan_out)).",
                "    r = np.sqrt(6.0 / (n_inputs + N_HIDDEN))",
                "    W1 = rng.uniform(-r, r, size=(N_HIDDEN, n_inputs))",
                "    b1 = np.zeros((N_HIDDEN, 1))",
                f"    r = np.sqrt(6.0 / (N_HIDDEN + {n_out}))",
                f"    W2 = rng.uniform(-r, r, size=({n_out}, N_HIDDEN))"]
    b2 = (["    b2 = np.full((N_CLASSES, 1), OUTPUT_BIAS)",
           "    b2[0] = 0.0    # every sample starts as class 0 when OUTPUT_BIAS << 0"]
          if run.softmax else ["    b2 = np.full((1, 1), OUTPUT_BIAS)"])
    lines += ["def initial_net():",
              f"    \"\"\"[W1 (N_HIDDEN, n_inputs), b1 (N_HIDDEN, 1), W2 ({n_out}, N_HIDDEN), "
              f"b2 ({n_out}, 1)], seeded:",
              "    the same start whatever the loss.\"\"\"",
              "    rng = np.random.default_rng(SEED)", *init, *b2,
              "    return [W1, b1, W2, b2]", "", "",
              "def forward(net, X):",
              "    W1, b1, W2, b2 = net",
              "    z1 = W1 @ X + b1",
              "    a1 = g(z1)",
              "    z2 = W2 @ a1 + b2",
              "    a2 = softmax(z2)    # the output: each class's probability" if run.softmax
              else "    a2 = sigmoid(z2)    # the output: the probability of class 1"
              if classification else "    a2 = z2             # the output: identity for "
                                     "regression",
              "    return z1, a1, z2, a2", "", ""]
    md = ("## The network\n\n"
          "$$z_1 = W_1 X + b_1, \\quad a_1 = g(z_1), \\quad z_2 = W_2 a_1 + b_2, \\quad "
          + ("a_2 = \\operatorname{softmax}(z_2)$$" if run.softmax
             else "a_2 = \\sigma(z_2)$$" if classification else "a_2 = z_2$$")
          + f"\n\n$g$ is {g[2]}; $g'$ is written with the $a = g(z)$ that the forward pass "
          "keeps. Biases start at 0, except $b_2$, which starts at `OUTPUT_BIAS`.")
    return md, "\n".join(lines).rstrip("\n")


LOSS_LINES = {   # (value per sample from z2, a2, y; delta2 before / m; the comment)
    ("classification", "log_loss"): ("np.logaddexp(0.0, z2) - y * z2", "(a2 - y)",
                                     "log-loss: the sigmoid's slope cancels"),
    ("classification", "mse"): ("(y - a2) ** 2", "-2.0 * (y - a2) * (a2 * (1.0 - a2))",
                                "MSE: the sigmoid's slope a2 (1 - a2) stays in"),
    ("regression", "mse"): ("(y - a2) ** 2", "-2.0 * (y - a2)", "MSE, identity output"),
    # K >= 3 softmax outputs, against the one-hot Y: cross-entropy from z2 by log-sum-exp; MSE
    # summed over the K outputs, its delta2 through the softmax's Jacobian (e = dL/da2).
    ("softmax", "log_loss"): ("np.log(np.exp(z2 - z2.max(axis=0)).sum(axis=0)) + "
                              "(z2.max(axis=0) - (Y * z2).sum(axis=0))", "(a2 - Y)",
                              "cross-entropy: the softmax's Jacobian cancels"),
    ("softmax", "mse"): ("((Y - a2) ** 2).sum(axis=0)",
                         "a2 * (e - (a2 * e).sum(axis=0, keepdims=True))",
                         "MSE: the softmax's Jacobian stays in"),
}


def _kind(run):
    """The key of LOSS_LINES for this run's output: its task, or "softmax" (K >= 3)."""
    return "softmax" if run.softmax else run.task


def _delta_lines(run, loss, indent):
    """delta2 for ``loss`` as lines of code (e = dL/da2 first for MSE over K outputs)."""
    _, delta, why = LOSS_LINES[_kind(run), loss]
    pre = [f"{indent}e = -2.0 * (Y - a2)    # dL/da2"] if (run.softmax and loss == "mse") else []
    return pre + [f"{indent}delta2 = {delta} / m_batch    # {why}"]


def _loss(run):
    lines = []
    for loss in run.losses:
        value, _, _ = LOSS_LINES[_kind(run), loss]
        if run.softmax:
            what = ("logsumexp(z2) - z2[true class]: cross-entropy from z2, never log(0)"
                    if loss == "log_loss" else "sum over the classes of (Y - a2)^2")
        else:
            what = ("log(1 + e^z2) - y z2: log-loss from z2, never log(0)"
                    if loss == "log_loss" else "(y - a2)^2, no 1/2 factor")
        lines += [f"def {loss}(net, X, y):    # the mean of {what}",
                  "    z1, a1, z2, a2 = forward(net, X)",
                  *(["    Y = one_hot(y)"] if run.softmax else []),
                  f"    return float(np.mean({value}))", "", ""]
    if run.softmax:
        lines += ["def metric(net, X, y):    # accuracy: the share whose most probable class is y",
                  "    a2 = forward(net, X)[3]",
                  "    return float(np.mean(np.argmax(a2, axis=0) == y[0]))"]
    elif run.task == "classification":
        lines += ["def metric(net, X, y):    # accuracy: the share of a2 >= 0.5 that match y",
                  "    a2 = forward(net, X)[3]",
                  "    return float(np.mean((a2 >= 0.5) == (y >= 0.5)))"]
    else:
        lines += ["def metric(net, X, y):    # R^2 = 1 - SS_res / SS_tot",
                  "    a2 = forward(net, X)[3]",
                  "    return 1.0 - float(np.sum((y - a2) ** 2)) / float(np.sum((y - np.mean(y)) "
                  "** 2))"]
    md = ("## The loss\n\n"
          + ("$$L_\\text{MSE} = \\frac1m \\sum_i (y_i - a_{2,i})^2$$\n\n" if "mse" in run.losses
             else "")
          + ("$$L_\\text{log} = -\\frac1m \\sum_i \\left[y_i \\log a_{2,i} + (1 - y_i) \\log(1 - "
             "a_{2,i})\\right] = \\frac1m \\sum_i \\log(1 + e^{z_{2,i}}) - y_i z_{2,i}$$\n\n"
             if "log_loss" in run.losses else "")
          + ("With $K$ = `N_CLASSES` softmax outputs $y$ is the one-hot $Y$ $(K, m)$: MSE sums "
             "over the $K$ outputs, cross-entropy is $-\\log a_{2,y}$.\n\n" if run.softmax else "")
          + "The metric is " + ("the accuracy of the most probable class." if run.softmax
                                else "the accuracy at the threshold 0.5." if run.task ==
                                "classification" else "$R^2$."))
    return md, "\n".join(lines)


def _train(run):
    if run.compare:
        d2 = ["            if loss == \"mse\":",
              *_delta_lines(run, "mse", " " * 16),
              "            else:",
              *_delta_lines(run, "log_loss", " " * 16)]
        signature, value = "def train(loss, lr):", "mean_loss = {\"mse\": mse, \"log_loss\": " \
                                                    "log_loss}[loss]"
    else:
        d2 = _delta_lines(run, run.losses[0], " " * 12)
        signature, value = "def train(lr):", f"mean_loss = {run.losses[0]}"
    if run.start:
        first = ["    start_epoch, net = START" + ("[loss]" if run.compare else ""),
                 "    net = [p.copy() for p in net]"]
    else:
        first = ["    start_epoch, net = 0, initial_net()"]
    lines = [
        signature,
        "    \"\"\"Train one net: (net, epochs run, diverged: False or the epoch, history of",
        "    (train loss, test loss) per epoch).\"\"\"",
        f"    {value}",
        *first,
        "    W1, b1, W2, b2 = net    # the arrays themselves: the updates below change net",
        "    batch_size = m if BATCH_SIZE is None else min(BATCH_SIZE, m)",
        "    epochs_run, diverged, history = start_epoch, False, []",
        "    for epoch in range(start_epoch + 1, EPOCHS + 1):",
        "        before = [p.copy() for p in net]",
        "        # Each epoch visits the samples in an order seeded by (SEED, epoch).",
        "        order = np.random.default_rng((SEED, epoch)).permutation(m)",
        "        X_epoch, y_epoch = X_train[:, order], y_train[:, order]",
        "        # Overflow on the way to divergence is expected: it is caught below.",
        "        with np.errstate(all=\"ignore\"):",
        "            for start in range(0, m, batch_size):",
        "                X = X_epoch[:, start:start + batch_size]",
        "                y = y_epoch[:, start:start + batch_size]",
        "                m_batch = X.shape[1]",
        *(["                Y = one_hot(y)    # (N_CLASSES, m_batch)"] if run.softmax else []),
        "                z1, a1, z2, a2 = forward(net, X)",
        "                # Backward: dL/dz2 per sample, / m for the batch mean.",
        *["    " + line for line in d2],
        "                dW2 = delta2 @ a1.T",
        "                db2 = delta2.sum(axis=1, keepdims=True)",
        "                delta1 = (W2.T @ delta2) * g_prime(z1, a1)",
        "                dW1 = delta1 @ X.T",
        "                db1 = delta1.sum(axis=1, keepdims=True)",
        "                if L2:",
        "                    dW1 += L2 * W1",
        "                    dW2 += L2 * W2",
        "                # The update, W <- W - alpha dL/dW, in place.",
        "                W1 -= lr * dW1",
        "                b1 -= lr * db1",
        "                W2 -= lr * dW2",
        "                b2 -= lr * db2",
        "            train_loss = mean_loss(net, X_train, y_train)",
        "        if not (np.isfinite(train_loss) and train_loss < 1e6):",
        "            for p, good in zip(net, before):    # diverged: keep the last good weights",
        "                p[...] = good",
        "            diverged = epoch",
        "            break",
        "        history.append((train_loss, mean_loss(net, X_test, y_test)))",
        "        epochs_run = epoch",
        "    return net, epochs_run, diverged, history",
    ]
    md = ("## Training: forward, backward, update\n\n"
          "$$\\delta_2 = \\frac{\\partial L}{\\partial z_2} = "
          + (_softmax_delta_md(run) if run.softmax else
             "\\begin{cases} -2\\,(y - a_2)\\, a_2 (1 - a_2) / m & \\text{MSE} \\\\ "
             "(a_2 - y) / m & \\text{log-loss} \\end{cases}" if run.compare else
             {"log_loss": "(a_2 - y) / m",
              "mse": "-2\\,(y - a_2)\\, a_2 (1 - a_2) / m" if run.task == "classification"
              else "-2\\,(y - a_2) / m"}[run.losses[0]])
          + "$$\n\n$$dW_2 = \\delta_2 a_1^{\\mathsf T}, \\quad db_2 = \\textstyle\\sum "
          "\\delta_2, \\quad \\delta_1 = (W_2^{\\mathsf T} \\delta_2) \\odot g'(z_1), \\quad "
          "dW_1 = \\delta_1 X^{\\mathsf T}, \\quad db_1 = \\textstyle\\sum \\delta_1$$\n\n"
          "$$W \\leftarrow W - \\alpha\\, dW \\quad \\text{(every parameter; with } "
          "dW_k \\mathrel{+}= \\lambda W_k \\text{ for L2)}$$\n\n"
          "Each epoch shuffles the training samples with the seed (SEED, epoch) and takes "
          "them in mini-batches. A training loss that is not finite or passes $10^6$ is a "
          "divergence: the net keeps the weights of the epoch before.")
    return md, "\n".join(lines)


def _softmax_delta_md(run):
    """delta2 through the softmax for the losses of ``run`` (e = dL/da2), as LaTeX."""
    lines = {"mse": "a_2 \\odot (e - a_2^{\\mathsf T} e) / m,\\; e = -2\\,(Y - a_2)",
             "log_loss": "(a_2 - Y) / m"}
    if not run.compare:
        return lines[run.losses[0]]
    return (f"\\begin{{cases}} {lines['mse']} & \\text{{MSE}} \\\\ {lines['log_loss']} & "
            "\\text{cross-entropy} \\end{cases}")


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
