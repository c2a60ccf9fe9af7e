"""Every user-facing setting with its limits, in one place, for widgets and URLs alike.

A value from a widget or a query param goes through ``Setting.clean``: out of range is
clamped, malformed is replaced by the default, and either comes back with a short note for the
page to show. Nothing unchecked reaches NumPy; no request can ask for more than these limits.
"""

import math
import re
from dataclasses import dataclass

from .activations import HIDDEN_ACTIVATIONS
from .data import DATASETS, GENERATORS, MAX_CLASSES, MULTICLASS
from .losses import LOSSES

LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (1, 2, 4, 8, 10, 16, 32, 64, 128, 256, 512, 1024, "all")
L2_VALUES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1)

MAX_SAMPLES = 5000
MAX_HIDDEN = 64
MAX_BYTES = 1_000_000      # an upload (CSV or .npz), as in .streamlit/config.toml's 1 MB
MAX_MAGNITUDE = 1e6        # larger values in an upload (data, weights) are refused as absurd
MAX_EPOCHS_PER_RUN = 5000
MAX_PLAY_EPOCHS = 5000     # Play stops by itself after this many epochs
GRID = 80                  # decision-boundary grid per side: fixed, not a user setting
SATURATED_BIAS = -8.0      # b2 at the saturated start: every output about 3e-4
MAX_RAW_LENGTH = 64        # longer query values are malformed by definition
# A number in a link: a plain decimal literal in ASCII digits. Python's float() also takes
# "1_6", "١٢" and "１２" (other scripts' digits), "inf" and "nan"; a link may not.
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
# What one click may cost a shared server, whatever the settings. An epoch costs about
# STEP_SECONDS per gradient step (Python overhead) plus UNIT_SECONDS per sample x hidden unit
# (arithmetic, training and evaluation); both measured on a busy 2-core machine.
MAX_SECONDS_PER_REQUEST = 2.0
STEP_SECONDS = 3e-5
UNIT_SECONDS = 1e-7


@dataclass(frozen=True)
class Setting:
    """One setting: a number in [lo, hi] (int or float), or one of ``options``."""

    key: str
    label: str
    default: object
    kind: type = float
    lo: float | None = None
    hi: float | None = None
    options: tuple = ()
    step: float | None = None

    def clean(self, raw):
        """(value, note): a valid value for ``raw`` (a str from a URL, or a widget value).

        note is None when raw was valid as it stands.
        """
        text = str(raw).strip()[:MAX_RAW_LENGTH + 1]
        if self.options:
            return self._clean_option(raw, text)
        if self.kind is bool:
            if text.lower() in ("1", "true", "yes", "on"):
                return True, None
            if text.lower() in ("0", "false", "no", "off", ""):
                return False, None
            return self.default, self._note(text, f"not on/off; using {self.default}")
        number = _number(text)
        if not math.isfinite(number):
            return self.default, self._note(text, f"not a number; using {self.default}")
        value = min(max(number, self.lo), self.hi)
        if self.kind is int:
            value = int(round(value))
        if value != number:
            return value, self._note(text, f"outside {self.lo:g}..{self.hi:g}; using {value}")
        return value, None

    def _clean_option(self, raw, text):
        for option in self.options:  # a widget's value; True == 1 == 1.0, so match the type
            if raw == option and type(raw) is type(option):
                return option, None
        for option in self.options:
            if text == str(option):
                return option, None
        numeric = [o for o in self.options if isinstance(o, (int, float))]
        number = _number(text)
        if number in numeric:  # "1" for the option 1.0
            return numeric[numeric.index(number)], None
        if numeric and math.isfinite(number) and number > 0:
            # A number between the choices snaps to the nearest one on a log scale.
            positive = [o for o in numeric if o > 0]
            nearest = min(positive, key=lambda o: abs(math.log(o) - math.log(number)))
            return nearest, self._note(text, f"not one of the choices; using {nearest}")
        return self.default, self._note(text, f"not one of {_listing(self.options)}; "
                                              f"using {self.default}")

    def _note(self, text, what):
        return f"{self.label} = {shown(text)!r} is {what}."

    def url_text(self, value):
        """How a link spells ``value`` (a clean one): as a Streamlit widget bound to the URL
        writes it, so that the address bar keeps it (true/false, an option as str() gives it,
        5.0 as 5)."""
        if self.kind is bool:
            return "true" if value else "false"
        if isinstance(value, float) and not self.options and value.is_integer():
            return str(int(value))
        return str(value)


def shown(text, most=24):
    """A value from outside, cut to ``most`` characters for a note."""
    return text if len(text) <= most else text[:most - 3] + "..."


def _number(text):
    """The float of a plain ASCII decimal literal; NaN for anything else."""
    if len(text) > MAX_RAW_LENGTH or not NUMBER.fullmatch(text):
        return math.nan
    return float(text)


def _listing(options):
    return ", ".join(str(o) for o in options)


SETTINGS = {s.key: s for s in (
    Setting("task", "Task", "classification", str, options=tuple(GENERATORS)),
    Setting("dataset", "Dataset", "moons", str, options=tuple(DATASETS)),
    Setting("samples", "Samples", 500, int, 20, MAX_SAMPLES, step=10),
    Setting("noise", "Noise", 0.2, float, 0.0, 1.0, step=0.05),
    Setting("test_fraction", "Test fraction", 0.3, float, 0.1, 0.5, step=0.05),
    Setting("seed", "Seed", 0, int, 0, 999_999, step=1),
    Setting("hidden", "Hidden units", 8, int, 1, MAX_HIDDEN, step=1),
    Setting("activation", "Hidden activation", "tanh", str, options=HIDDEN_ACTIVATIONS),
    Setting("loss", "Loss", "log_loss", str, options=tuple(LOSSES)),
    Setting("lr", "Learning rate", 0.3, float, options=LEARNING_RATES),
    Setting("batch", "Batch size", 32, int, options=BATCH_SIZES),
    Setting("l2", "L2", 0.0, float, options=L2_VALUES),
    Setting("epochs_per_run", "Epochs per Train", 100, int, 1, MAX_EPOCHS_PER_RUN, step=10),
    Setting("present", "Presentation mode", False, bool),
    # Last, so that a link's notes keep their order; K >= 3: softmax outputs (?classes=3).
    Setting("classes", "Classes", 2, int, 2, MAX_CLASSES, step=1),
)}


def backprop_link(loss="log_loss", samples=MAX_SAMPLES):
    """What a link to the Backprop page may carry besides the shared settings: the sample
    (0 .. samples - 1), the page's own loss switch (by default the sidebar's ``loss``), the
    view and the broken backward pass."""
    return {s.key: s for s in (
        Setting("sample", "Sample", 0, int, 0, max(samples - 1, 0), step=1),
        Setting("bp_loss", "Loss on this page", loss, str, options=("mse", "log_loss")),
        Setting("bp_view", "View", "sample", str, options=("sample", "batch")),
        Setting("bp_broken", "Break the backward pass", False, bool),
    )}


def epoch_budget(epochs, n_train, batch_size, n_hidden):
    """(epochs, note): at most ``epochs``, as many as one request may cost, at least 1.

    batch_size None means the whole training set. note is None when nothing was cut.
    """
    bs = n_train if batch_size is None else max(1, min(int(batch_size), n_train))
    steps_per_epoch = -(-n_train // bs)
    seconds_per_epoch = steps_per_epoch * STEP_SECONDS + n_train * n_hidden * UNIT_SECONDS
    allowed = int(MAX_SECONDS_PER_REQUEST // seconds_per_epoch)
    allowed = max(1, allowed)
    if epochs <= allowed:
        return epochs, None
    return allowed, (f"{epochs} epochs at batch size {bs} on {n_train} samples would take too "
                     f"long for one click; training {allowed} now (press again for more, or "
                     f"raise the batch size).")


DEFAULT_DATASET = {"classification": "moons", "regression": "sine"}
MULTICLASS_DATASET = "spiral"   # the K-class default (K arms), as on the command line
LOSSES_FOR_TASK = {"classification": ("log_loss", "mse"), "regression": ("mse",)}


def clean_settings(raw):
    """Clean a mapping of raw values (a URL's query params), jointly.

    Returns (values, notes): values for every key in SETTINGS (defaults where raw has none),
    consistent with each other (the dataset and the loss fit the task; more than two classes
    only for classification, on a dataset that has that many: MULTICLASS), and the notes to
    show. A value the link did not ask for moves silently (?classes=3 alone: spiral).
    Unknown keys are left alone: other pages own them.
    """
    values, notes = {}, []
    for key, setting in SETTINGS.items():
        if key in raw:
            value, note = setting.clean(raw[key])
            if note:
                notes.append(note)
        else:
            value = setting.default
        values[key] = value
    task = values["task"]
    if DATASETS[values["dataset"]] != task:
        if "dataset" in raw:
            notes.append(f"Dataset {values['dataset']!r} is not a {task} dataset; using "
                         f"{DEFAULT_DATASET[task]!r}.")
        values["dataset"] = DEFAULT_DATASET[task]
    if values["loss"] not in LOSSES_FOR_TASK[task]:
        if "loss" in raw:
            notes.append(f"Loss {values['loss']!r} needs a classification task; using 'mse'.")
        values["loss"] = "mse"
    classes = values["classes"]
    if classes > 2 and task != "classification":
        if "classes" in raw:
            notes.append(f"Classes = {classes} needs a classification task; using 2.")
        values["classes"] = 2
    elif classes > 2 and MULTICLASS.get(values["dataset"], 2) < classes:
        dataset = values["dataset"]
        if "dataset" in raw:
            most = MULTICLASS.get(dataset, 2)
            has = "two classes" if most == 2 else f"at most {most} classes"
            notes.append(f"Dataset {dataset!r} has {has}; {classes} classes: using "
                         f"{MULTICLASS_DATASET!r}.")
        values["dataset"] = MULTICLASS_DATASET
    return values, notes


# -- the Sweep page ----------------------------------------------------------------------------
# A sweep trains K nets as one stack: the per-step cost of NumPy's calls is paid once for all K,
# the arithmetic K times. Measured on the same busy 2-core machine (benchmarks/bench_sweep.py):
# per stacked step, per distinct seed (its sample order each epoch), and per net x sample x
# hidden unit, training and evaluation on train and test together.
SWEEP_STEP_SECONDS = 6e-5
SWEEP_SEED_SECONDS = 2e-5
SWEEP_UNIT_SECONDS = 1.5e-8
MAX_SWEEP_SEEDS = 16
MAX_SWEEP_EPOCHS = 2000

SWEEP_SETTINGS = {s.key: s for s in (
    Setting("sweep_lr_min", "Learning rates from", 0.01, float, options=LEARNING_RATES),
    Setting("sweep_lr_max", "to", 10.0, float, options=LEARNING_RATES),
    Setting("sweep_seeds", "Seeds", 8, int, 1, MAX_SWEEP_SEEDS, step=1),
    Setting("sweep_epochs", "Epochs", 200, int, 10, MAX_SWEEP_EPOCHS, step=10),
    Setting("sweep_target", "Target", 0.9, float, 0.5, 0.99, step=0.01),
    Setting("sweep_saturated", f"Saturated start: every net from b2 = {SATURATED_BIAS:g}", False,
            bool),
)}


def sweep_classes_factor(n_classes):
    """How much more a net of K >= 3 classes costs a sweep than a two-class one, per sample and
    hidden unit: 1 + (K - 1) / 4 (benchmarks/bench_sweep_classes.py, 2-8-K tanh at batch 32:
    measured 1.45x for K = 3 and 2.0x for K = 5)."""
    return 1.0 if n_classes == 2 else 1.0 + (n_classes - 1) / 4


def sweep_budget(epochs, nets, seeds, n_samples, batch_size, n_hidden, n_train=None,
                 n_classes=2):
    """(epochs, note): at most ``epochs`` of a sweep of ``nets`` nets with ``seeds`` distinct
    seeds, as many as one request may cost (MAX_SECONDS_PER_REQUEST), at least 1.

    n_samples : training and test samples together (both are evaluated every epoch)
    n_train : training samples (the steps per epoch); batch_size None means all of them
    n_classes : K >= 3 classes cost sweep_classes_factor(K) as much per net
    """
    n_train = n_samples if n_train is None else n_train
    bs = n_train if batch_size is None else max(1, min(int(batch_size), n_train))
    steps_per_epoch = -(-n_train // bs)
    seconds_per_epoch = (steps_per_epoch * SWEEP_STEP_SECONDS + seeds * SWEEP_SEED_SECONDS
                         + nets * n_samples * n_hidden * SWEEP_UNIT_SECONDS
                         * sweep_classes_factor(n_classes))
    allowed = max(1, int(MAX_SECONDS_PER_REQUEST // seconds_per_epoch))
    if epochs <= allowed:
        return epochs, None
    return allowed, (f"{nets} nets x {epochs} epochs at batch size {bs} on {n_train} samples "
                     f"would take too long for one click; training {allowed} epochs (fewer "
                     f"seeds or learning rates, or a larger batch, allow more).")


# The first epoch of a sweep cannot be cut short (an epoch is the unit every figure counts in),
# so its estimated cost must stay well inside the budget: a quarter of it, room for an estimate
# four times too low on a busy machine. Beyond that, seeds are dropped before the sweep starts.
SWEEP_FLOOR_SHARE = 0.25


def sweep_seed_budget(seeds, nets_per_seed, n_samples, batch_size, n_hidden, n_train=None,
                      n_classes=2):
    """(seeds, note): at most ``seeds`` seeds (each ``nets_per_seed`` nets: losses x learning
    rates), as many as one epoch of the whole sweep allows within SWEEP_FLOOR_SHARE of
    MAX_SECONDS_PER_REQUEST; at least 1. note is None when none were dropped. n_classes as
    for sweep_budget."""
    n_train = n_samples if n_train is None else n_train
    bs = n_train if batch_size is None else max(1, min(int(batch_size), n_train))
    steps_per_epoch = -(-n_train // bs)

    def one_epoch(s):
        return (steps_per_epoch * SWEEP_STEP_SECONDS + s * SWEEP_SEED_SECONDS
                + s * nets_per_seed * n_samples * n_hidden * SWEEP_UNIT_SECONDS
                * sweep_classes_factor(n_classes))

    limit = SWEEP_FLOOR_SHARE * MAX_SECONDS_PER_REQUEST
    allowed = max([s for s in range(1, seeds + 1) if one_epoch(s) <= limit], default=1)
    if allowed >= seeds:
        return seeds, None
    return allowed, (f"{seeds} seeds x {nets_per_seed} nets at batch size {bs} on {n_train} "
                     f"samples: even one epoch would take too long for one page load; sweeping "
                     f"{allowed} seed{'s' * (allowed != 1)} (a larger batch or fewer samples "
                     f"allow more).")


# -- the loss landscape page ------------------------------------------------------------------
# The page's own settings: which two parameters, how wide and how fine the window, the start.

MAX_LANDSCAPE_GRID = 120                 # points per axis: 120 x 120 = 14,400 nets per surface
LANDSCAPE_GRIDS = (21, 41, 61, 81, 101, MAX_LANDSCAPE_GRID)
LANDSCAPE_SPANS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
# One surface costs about this much per grid point and training sample (a forward pass of one
# or two hidden units, the output and the loss): benchmarks/bench_landscape.py measured 1.7e-8
# (W2 and b2, MSE) to 9.8e-8 (W1 and W2, log-loss) on the 2-core machine at load 9.5. A click
# may spend MAX_SECONDS_PER_REQUEST on the surfaces.
LANDSCAPE_SECONDS = 6e-8
LANDSCAPE_COLORS = ("loss", "slope")

LANDSCAPE_SETTINGS = {s.key: s for s in (
    Setting("ls_saturated", "Saturated start", True, bool),
    Setting("ls_span", "Span", 8.0, float, options=LANDSCAPE_SPANS),
    Setting("ls_grid", "Grid points per axis", 61, int, options=LANDSCAPE_GRIDS),
    Setting("ls_color", "Colour", "loss", str, options=LANDSCAPE_COLORS),
    Setting("ls_3d", "3-D view", False, bool),
)}
# The two parameters on the axes, by the start: one weight and the bias of the output unit at
# the saturated start (where the plateau is), one weight per layer otherwise (as Glorot and
# Bengio drew it). Their choices depend on the net's size: see clean_param.
LANDSCAPE_PARAMS = {True: ("W2[0,0]", "b2"), False: ("W1[0,0]", "W2[0,0]")}
# K >= 3 classes: at the saturated start (b2 = (0, -8, ..., -8)) class 1's weight and bias,
# confidently wrong on every sample of class 1; b2 bare names no entry of K biases.
LANDSCAPE_PARAMS_K = {True: ("W2[1,0]", "b2[1,0]"), False: ("W1[0,0]", "W2[0,0]")}


def landscape_params(saturated, n_classes=2):
    """The two parameters the landscape page starts with: LANDSCAPE_PARAMS, or
    LANDSCAPE_PARAMS_K for K >= 3 classes."""
    return (LANDSCAPE_PARAMS if n_classes == 2 else LANDSCAPE_PARAMS_K)[bool(saturated)]
LANDSCAPE_PARAM_LABELS = ("Horizontal axis", "Vertical axis")


def clean_param(raw, n_inputs, n_hidden, default, label, n_classes=2):
    """(name, note) for a parameter name from a link or a widget: the canonical name, or
    ``default`` with a note when ``raw`` names no entry of a net of this size (n_classes >= 3:
    K outputs, so b2 needs its index)."""
    from .landscape import param_shapes, parse_param

    text = str(raw).strip()[:MAX_RAW_LENGTH + 1]
    try:
        if len(text) > MAX_RAW_LENGTH:
            raise ValueError("too long")
        return parse_param(text, param_shapes(n_inputs, n_hidden, n_classes)).name, None
    except ValueError:
        inputs = f"{n_inputs} input" + ("s" if n_inputs != 1 else "")
        units = f"{n_hidden} hidden unit" + ("s" if n_hidden != 1 else "")
        size = f"{inputs} and {units}" if n_classes == 2 else \
            f"{inputs}, {units} and {n_classes} classes"
        return default, (f"{label} = {shown(text)!r} is not a parameter of a net with {size}; "
                         f"using {default}.")


def landscape_budget(grid, n_train, surfaces=2, n_classes=2):
    """(grid, note): the finest grid of LANDSCAPE_GRIDS, at most ``grid``, whose ``surfaces``
    cost one click at most MAX_SECONDS_PER_REQUEST. note is None when nothing was cut.

    K >= 3 classes cost (K + 1) / 2 times as much a point (K outputs and the softmax; measured
    1.7x for K = 3 and 2.5x for K = 5, 61 x 61 on 350 samples, W2[1,0] and b2[1,0])."""
    per_point = LANDSCAPE_SECONDS * (1.0 if n_classes == 2 else (n_classes + 1) / 2)

    def seconds(g):
        return surfaces * g * g * n_train * per_point

    if seconds(grid) <= MAX_SECONDS_PER_REQUEST:
        return grid, None
    fits = [g for g in LANDSCAPE_GRIDS if g < grid and seconds(g) <= MAX_SECONDS_PER_REQUEST]
    allowed = fits[-1] if fits else LANDSCAPE_GRIDS[0]
    return allowed, (f"A {grid} x {grid} grid on {n_train} training samples would take too long "
                     f"for one click; drawing {allowed} x {allowed} (fewer samples allow more).")
