"""MSE against log-loss: two nets from the same start, on the same batches, in lockstep.

The derivation says only delta2 differs between the two losses (for a sigmoid output):

    MSE       delta2 = -2 (y - a2) * a2 (1 - a2) / m      the sigmoid's slope stays in
    log-loss  delta2 =     (a2 - y)               / m      it cancels

A ``Comparison`` builds both nets with the same seed (bit-identical initial weights, b2 set to
the same ``output_bias``) and two Trainers with the same seed (the same mini-batches in the
same order), and advances them together. With K >= 3 classes (the data's n_classes) both
nets have a softmax output; the MSE net's delta2 then carries the softmax's Jacobian, which
vanishes in the same way (twolayer.losses). ``one_neuron`` is Nielsen's single sigmoid unit
(Neural Networks and Deep Learning, ch. 3), trained with the same loss objects.
``comparison_numbers`` and ``one_neuron_numbers`` are the figures the lessons state
(twolayer.ui.lesson_book holds the lessons and their prose).
"""

import copy
import math
import time
from typing import NamedTuple

import numpy as np

from .activations import DERIVATIVES, sigmoid
from .data import make_dataset
from .losses import LOSSES
from .metrics import epochs_to_target
from .net import TwoLayerNet
from .settings import GRID, Setting, epoch_budget
from .train import Trainer

LOSS_NAMES = ("mse", "log_loss")   # the order in which the page shows them
LR_FACTORS = (1, 3, 10, 30, 100)   # the MSE learning rate may be multiplied by one of these
OUTPUT_BIAS_LIMIT = 20.0           # |b2| at the start; sigmoid(-20) is 2e-9, saturated enough

# The page's own settings, cleaned like the shared ones (from a widget or a link).
COMPARE_SETTINGS = {s.key: s for s in (
    Setting("output_bias", "Output bias b2 at the start", 0.0, float, -OUTPUT_BIAS_LIMIT,
            OUTPUT_BIAS_LIMIT, step=0.5),
    Setting("lr_factor", "MSE learning rate x", 1, int, options=LR_FACTORS),
)}


class Comparison:
    """An MSE net and a log-loss net, trained side by side.

    Parameters
    ----------
    data : twolayer.data.Dataset, a classification dataset (labels 0 .. data.n_classes-1);
        both nets have data.n_classes classes
    hidden, activation, seed : the network, as for TwoLayerNet; seed also orders the batches
    lr : float > 0, the learning rate of the log-loss net
    lr_factor : float > 0, the MSE net learns at lr * lr_factor (1 is a fair comparison)
    batch_size : int or None (the whole training set); l2 : float >= 0
    output_bias : float, where b2 starts in both nets (0 is the default initialisation). With
        two classes b2 = output_bias; with K >= 3, b2 = (0, output_bias, ..., output_bias)
        (TwoLayerNet.set_output_bias): at -8 every sample starts as class 0 with probability
        0.999, the softmax twin of the sigmoid's saturated start, confidently wrong on every
        sample of the other K - 1 classes.
    """

    def __init__(self, data, hidden=8, activation="sigmoid", lr=0.3, batch_size=None, l2=0.0,
                 seed=0, output_bias=0.0, lr_factor=1.0):
        if data.task != "classification":
            raise ValueError("MSE vs log-loss needs a classification dataset (log-loss needs a "
                             f"sigmoid output and labels 0/1); got a {data.task} dataset")
        if not (isinstance(output_bias, (int, float, np.floating)) and math.isfinite(output_bias)):
            raise ValueError(f"output_bias must be a finite number, got {output_bias!r}")
        self.data, self.output_bias = data, float(output_bias)
        self.n_classes = getattr(data, "n_classes", 2)
        self.config = dict(hidden=hidden, activation=activation, lr=lr, batch_size=batch_size,
                           l2=l2, seed=seed, output_bias=output_bias, lr_factor=lr_factor)
        self.trainers = {}
        for loss in LOSS_NAMES:
            net = TwoLayerNet(data.n_inputs, hidden, activation, "classification", loss, seed,
                              n_classes=self.n_classes)
            net.set_output_bias(self.output_bias)
            self.trainers[loss] = Trainer(net, data, lr=lr, batch_size=batch_size, l2=l2,
                                          seed=seed)
        self.configure(lr=lr, lr_factor=lr_factor)

    def configure(self, lr=None, lr_factor=None, batch_size=None, l2=None):
        """Change the learning rate, the MSE factor, the batch size or L2 between runs.

        Arguments left as None keep their value (pass batch_size="all" for the whole set).
        """
        if lr_factor is not None:
            if isinstance(lr_factor, bool) or not isinstance(lr_factor, (int, float)) \
                    or not (math.isfinite(lr_factor) and lr_factor > 0):
                raise ValueError(f"lr_factor must be a finite number > 0, got {lr_factor!r}")
            self.lr_factor = float(lr_factor)
        if lr is not None:
            self.lr = lr
        for loss, t in self.trainers.items():
            t.lr = self.lr * (self.lr_factor if loss == "mse" else 1.0)
            if batch_size is not None:
                t.batch_size = None if batch_size == "all" else batch_size
            if l2 is not None:
                t.l2 = l2
        return self

    # -- lockstep --------------------------------------------------------------------------

    @property
    def nets(self):
        return {loss: t.net for loss, t in self.trainers.items()}

    @property
    def histories(self):
        return {loss: t.history for loss, t in self.trainers.items()}

    @property
    def epoch(self):
        """The one epoch counter: how far the comparison has run (a diverged net stops early)."""
        return max(t.epoch for t in self.trainers.values())

    @property
    def diverged(self):
        """{loss: epoch} for each net that diverged (its weights stay at the last good epoch)."""
        return {loss: t.diverged for loss, t in self.trainers.items() if t.diverged is not None}

    def run(self, epochs, cpu_seconds=None):
        """Train both nets ``epochs`` more epochs each, on the same batches; returns self.

        cpu_seconds : as in ``Trainer.run``: stop, both nets at the same epoch, after the
            epoch in which this much CPU time was spent (at least one epoch); None: no limit.
        """
        if cpu_seconds is None:
            for t in self.trainers.values():
                t.run(epochs)
            return self
        started = time.process_time()
        for _ in range(epochs):  # epoch by epoch, both nets in step: ten run(1) equal run(10)
            for t in self.trainers.values():
                t.run(1)
            if time.process_time() - started >= cpu_seconds:
                break
        return self

    # -- what the page shows ---------------------------------------------------------------

    def delta2_per_sample(self, X=None, y=None):
        """{loss: |dL_i/dz2_i|, shape (m,)}: each training sample's own delta2, not / m.

        net.delta2 divides by m for the batch mean; times m it is the per-sample value. With
        K >= 3 classes a sample's delta2 is a column of K values: its Euclidean norm.
        """
        X = self.trainers["mse"].X if X is None else X
        y = self.trainers["mse"].y if y is None else y
        out = {}
        for loss, net in self.nets.items():
            with np.errstate(all="ignore"):
                delta2 = net.delta2(net._forward(X), y) * y.shape[1]
                out[loss] = (np.abs(delta2).ravel() if delta2.shape[0] == 1
                             else np.sqrt((delta2 ** 2).sum(axis=0)))
        return out

    def budget(self, epochs):
        """(epochs, note): how many of ``epochs`` both nets may train in one request (the
        pair costs twice one net; see twolayer.settings.epoch_budget). note is None if all."""
        t = self.trainers["mse"]
        one_net, _ = epoch_budget(2 * int(epochs), t.X.shape[1], t.batch_size, t.net.n_hidden)
        allowed = max(1, one_net // 2)
        if epochs <= allowed:
            return int(epochs), None
        return allowed, (f"{epochs} epochs of both nets at batch size {t.batch_size} on "
                         f"{t.X.shape[1]} samples would take too long for one click; training "
                         f"{allowed} now (press again for more, or raise the batch size).")

    def summary(self):
        """{loss: (test accuracy, training loss)} of the nets as they are now (epoch 0 too)."""
        out = {}
        for loss, t in self.trainers.items():
            with np.errstate(all="ignore"):
                train_loss, _ = t.evaluate(t.X, t.y)
                _, test_accuracy = t.evaluate(t.X_test, t.y_test)
            out[loss] = (test_accuracy, train_loss)
        return out

    def copy(self):
        """A comparison that trains on from here and leaves this one as it is (Trainer.copy
        of each net); the next Step of the page is trained ahead on one."""
        twin = copy.copy(self)
        twin.config = dict(self.config)
        twin.trainers = {loss: t.copy() for loss, t in self.trainers.items()}
        return twin


# -- decision boundaries ---------------------------------------------------------------------

class Grid(NamedTuple):
    """A regular grid over the (standardised) inputs: x1 (n,), x2 (n,), and X (2, n*n) its
    points as columns, x1 varying fastest: X[:, i*n + j] is at (x1[j], x2[i])."""

    x1: np.ndarray
    x2: np.ndarray
    X: np.ndarray


def boundary_grid(data, n=GRID, margin=0.5):
    """The grid covering the training points plus ``margin`` (in standard deviations),
    in the standardised units the net sees (as the Playground draws it)."""
    if data.n_inputs != 2:
        raise ValueError(f"a decision boundary needs 2 inputs, the data has {data.n_inputs}")
    lo = data.X_train.min(axis=1) - margin
    hi = data.X_train.max(axis=1) + margin
    x1, x2 = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    g1, g2 = np.meshgrid(x1, x2)
    return Grid(x1, x2, np.vstack([g1.ravel(), g2.ravel()]))


def probabilities(net, grid):
    """a2 on the grid as float32, shape (n, n) (rows along x2, columns along x1); with K >= 3
    classes, (K, n, n): the probability of each class."""
    n = len(grid.x1)
    a2 = net._forward(grid.X).a2
    shape = (len(grid.x2), n) if a2.shape[0] == 1 else (a2.shape[0], len(grid.x2), n)
    return a2.reshape(shape).astype(np.float32)


# -- Nielsen's one neuron --------------------------------------------------------------------

class OneNeuron(NamedTuple):
    """Step t (0 .. steps) of one sigmoid unit: output a, loss, and the weights w, b."""

    a: np.ndarray
    loss: np.ndarray
    w: np.ndarray
    b: np.ndarray


def one_neuron(loss, w, b, lr, steps, x=1.0, y=0.0):
    """Gradient descent on a single sigmoid unit a = sigmoid(w x + b), one sample (x, y).

    The same loss objects as the net: delta = LOSSES[loss].delta(z, a, y, a (1 - a)) is dL/dz,
    so dL/dw = delta x and dL/db = delta. Returns OneNeuron with arrays of length steps + 1.
    """
    cost, slope = LOSSES[loss], DERIVATIVES["sigmoid"]
    out = np.empty((4, steps + 1))
    for t in range(steps + 1):
        z = w * x + b
        a = float(sigmoid(np.float64(z)))
        out[:, t] = a, cost.value(z, a, y), w, b
        delta = cost.delta(z, a, y, slope(z, a))
        w, b = w - lr * delta * x, b - lr * delta
    return OneNeuron(*out)


def steps_until_below(a, threshold=0.5):
    """The first step t with a[t] < threshold, or None if it never gets there."""
    below = np.flatnonzero(np.asarray(a) < threshold)
    return int(below[0]) if below.size else None


def epochs_until(values, threshold):
    """The first epoch (1-based) whose value (one per epoch) is >= threshold, or None."""
    reach = int(epochs_to_target([values], threshold)[0])
    return reach or None


# -- what a comparison shows ----------------------------------------------------------------

# Nielsen's quadratic cost is (y - a)^2 / 2; ours has no 1/2, so his learning rate 0.15 is 0.075
# here for MSE. Log-loss learns at the same 0.075 (Nielsen uses 0.005 for his cross-entropy
# runs, which hides how much faster it is; the same rate is the fair comparison).
ONE_NEURON_LR = 0.075
ONE_NEURON_STARTS = {"w = b = 2": (2.0, 2.0), "w = 0.6, b = 0.9": (0.6, 0.9)}
ONE_NEURON_STEPS = 300


def comparison_for(settings, data, output_bias=0.0, lr_factor=1.0):
    """A Comparison for a settings dict (the keys of twolayer.settings.SETTINGS)."""
    batch = settings["batch"]
    return Comparison(data, hidden=int(settings["hidden"]), activation=settings["activation"],
                      lr=float(settings["lr"]), batch_size=None if batch == "all" else int(batch),
                      l2=float(settings["l2"]), seed=int(settings["seed"]),
                      output_bias=output_bias, lr_factor=lr_factor)


def comparison_numbers(settings, output_bias=0.0, lr_factor=1.0, epochs=300, n_classes=2,
                       target=0.9):
    """Train both nets of a settings dict (its dataset made with ``n_classes`` classes) for
    ``epochs`` and return what the run shows: ``ratio``, log-loss's first-epoch ||dW2|| over
    MSE's; per loss, ``acc_<loss>``, the test metric at the end, and ``reach_<loss>``, the first
    epoch whose test metric is >= ``target`` (None if none is). A fraction of a second."""
    s = settings
    data = make_dataset(s["dataset"], s["samples"], s["noise"], s["test_fraction"], s["seed"],
                        n_classes=n_classes)
    h = comparison_for(s, data, output_bias, lr_factor).run(epochs).histories
    numbers = dict(ratio=h["log_loss"].grad_norm["W2"][0] / h["mse"].grad_norm["W2"][0])
    for loss in LOSS_NAMES:
        numbers[f"acc_{loss}"] = h[loss].test_metric[-1]
        numbers[f"reach_{loss}"] = epochs_until(h[loss].test_metric, target)
    return numbers


def one_neuron_numbers():
    """One sigmoid unit from ONE_NEURON_STARTS' two starts (a hard one, then a mild one), both
    losses at ONE_NEURON_LR: the outputs at the start, the steps before the output drops below
    0.5, and the outputs after ONE_NEURON_STEPS steps."""
    runs = {(loss, start): one_neuron(loss, w, b, ONE_NEURON_LR, 1000)
            for loss in LOSS_NAMES for start, (w, b) in ONE_NEURON_STARTS.items()}
    hard, mild = ONE_NEURON_STARTS
    return dict(lr=ONE_NEURON_LR, steps=ONE_NEURON_STEPS,
                a_start=runs["mse", hard].a[0], a_start_mild=runs["mse", mild].a[0],
                mse_steps=steps_until_below(runs["mse", hard].a),
                mse_steps_mild=steps_until_below(runs["mse", mild].a),
                log_loss_steps=steps_until_below(runs["log_loss", hard].a),
                mse_after=runs["mse", mild].a[ONE_NEURON_STEPS],
                log_loss_after=runs["log_loss", mild].a[ONE_NEURON_STEPS])
