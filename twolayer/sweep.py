"""A sweep: many nets trained at once, one per (loss, learning rate, seed), on one data set.

The K nets are stacked along a leading model axis (the layout of twolayer.stacked) and step in
lockstep: one NumPy call per equation does the work of all K, with no Python loop over nets.
Each net is still its own run: its loss, its learning rate, its initial weights and its order
of samples are exactly those of

    Trainer(TwoLayerNet(d, hidden, activation, task, loss, seed=s, n_classes=K), data, lr,
            batch_size, seed=s)

so net k of a sweep ends where that single run ends, on the same weights to the bit (each
product is the single net's BLAS call, on operands of the same layout: see
twolayer.sweep_block), and its History holds the same numbers (to an ulp or so: the
evaluation takes all nets at once).

Nets of one seed share the order of samples, so they share each mini-batch: a block whose seeds
all have G nets trains as a grid (seeds x G) on one (seeds x d x batch) array per step, the
usual case (``grid`` gives every seed every loss and learning rate).

One batch size for the whole sweep: every net then takes the same number of steps per epoch,
and the last, shorter mini-batch of an epoch (m not a multiple of the batch size) is as short
for every net, so each step is one stacked array. Nets that differ in batch size belong in
separate sweeps.

K classes (data.n_classes = K >= 3): every net has K softmax outputs, W2 (K, h) and b2 (K, 1)
as TwoLayerNet's, stacked as (nets, K, h) and (nets, K, 1) (the layout of twolayer.stacked);
the losses are the cross-entropy and MSE on one-hot targets, and the same bits hold.

Memory: the parameters (K x (h d + 2 h + 1)) and their gradients, each distinct seed's order of
the samples in the epoch and those samples (S x m x (d + 1) for S seeds), a step's activations
(K x h x batch) and the evaluation after each epoch in chunks of at most EVAL_ELEMENTS
activations: never a copy of the data per net (a mini-batch per net only when the seeds of a
block have different numbers of nets).
"""

import math
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS, softmax
from .checks import is_integer
from .losses import LOSS_LABELS, LOSSES, SOFTMAX_LOSSES, one_hot  # noqa: F401 (LOSS_LABELS)
from .metrics import METRICS, correct, epochs_to_target, r2_from_sums
from .net import PARAMS, TASKS, TwoLayerNet
from .stacked import loss_groups, stack
from .sweep_block import Block

# What a sweep says, importable from here as before.
from .sweep_summary import (  # noqa: F401
    Summary,
    best,
    best_sentence,
    summarize,
    with_target,
)
from .train import epoch_order, has_diverged

# Nets train in blocks of at most BLOCK_ELEMENTS activations per array (block x h x batch),
# and evaluate in chunks of samples of at most EVAL_ELEMENTS (block x h x chunk): memory stays
# bounded whatever K, h, m and the batch size, and arrays of 256 KB stay in the L2 cache
# (measured here: 2**15 evaluates 1.5-3x faster than 2**19, and a full-batch epoch of 112 nets
# costs 6.5 ms in blocks of 2**15, 12 ms in blocks of 2**16).
BLOCK_ELEMENTS = 2 ** 15
EVAL_ELEMENTS = 2 ** 15


def _log_loss(z2, a2, y):
    """losses.LogLoss.value, log(1 + e^z2) - y z2, as max(z2, 0) + log1p(e^-|z2|) - y z2: the
    same formula that np.logaddexp(0, z2) evaluates, but with NumPy's vectorised exp and log1p
    (logaddexp is a scalar loop: ~40 ns an entry here, half of a sweep's evaluation). Equal to
    LogLoss.value to an ulp or two per entry."""
    return np.log1p(np.exp(-np.abs(z2))) + np.maximum(z2, 0.0) - y * z2


# Loss values for the evaluation after each epoch, where a faster form of twolayer.losses's
# value exists.
EVAL_LOSSES = {"log_loss": _log_loss}


@dataclass(frozen=True)
class Run:
    """What makes one net of a sweep: its loss, its learning rate, its seed (initial weights
    and order of samples)."""

    loss: str
    lr: float
    seed: int


def grid(losses, lrs, seeds):
    """Every (loss, lr, seed) as a Run: loss first, then learning rate, then seed."""
    return [Run(loss, float(lr), int(seed)) for loss in losses for lr in lrs for seed in seeds]


def _positive_int(name, value):
    if not is_integer(value) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


class Sweep:
    """K nets, one per Run, trained together on ``data``.

    Parameters
    ----------
    data : twolayer.data.Dataset
    runs : sequence of Run (see ``grid``); log_loss needs a classification data set
    hidden, activation : the network of every net, as for TwoLayerNet
    batch_size : int in 1 .. m, or None for the whole training set; the same for every net
    l2 : float >= 0, weight decay, as for Trainer
    output_bias : float, where b2 starts in every net (0: the default initialisation;
        far from 0, a saturated start), as TwoLayerNet.set_output_bias sets it: with K >= 3
        classes, b2 = (0, bias, ..., bias)

    The number of classes is the data's (``data.n_classes``): K >= 3 gives every net K softmax
    outputs.

    After ``run(epochs)``: ``epoch`` (how far the sweep has run), ``diverged`` (K,) (the epoch
    at which each net diverged, 0 if it did not), ``epochs_run`` (K,), ``params`` (the stacked
    weights, a diverged net at its last good ones) and ``history``: one array of shape
    (K, epochs) per quantity, NaN after a net diverged.
    """

    HISTORY_KEYS = ("train_loss", "test_loss", "train_metric", "test_metric") + tuple(
        f"grad_norm_{p}" for p in PARAMS)

    def __init__(self, data, runs, hidden=8, activation="tanh", batch_size=None, l2=0.0,
                 output_bias=0.0):
        runs = list(runs)
        if not runs:
            raise ValueError("a sweep needs at least one run")
        for run in runs:
            if not (isinstance(run.lr, (int, float)) and math.isfinite(run.lr) and run.lr > 0):
                raise ValueError(f"learning rate must be a finite number > 0, got {run.lr!r}")
            if not is_integer(run.seed) or run.seed < 0:
                raise ValueError(f"seed must be an integer >= 0, got {run.seed!r}")
        if not (isinstance(l2, (int, float)) and math.isfinite(l2) and l2 >= 0):
            raise ValueError(f"l2 must be a finite number >= 0, got {l2!r}")
        if not (isinstance(output_bias, (int, float)) and math.isfinite(output_bias)):
            raise ValueError(f"output_bias must be a finite number, got {output_bias!r}")
        self.data, self.runs = data, runs
        self.hidden, self.activation, self.task = hidden, activation, data.task
        self.l2, self.output_bias = float(l2), float(output_bias)
        self.n_classes = int(getattr(data, "n_classes", 2)) if data.task == "classification" \
            else 2

        # Each loss checks the settings and the data, as Trainer does for its net.
        for loss in dict.fromkeys(run.loss for run in runs):
            net = TwoLayerNet(data.n_inputs, hidden, activation, data.task, loss,
                              n_classes=self.n_classes)
            self.X, self.y = net._check(data.X_train, data.y_train)
            self.X_test, self.y_test = net._check(data.X_test, data.y_test)
        m = self.X.shape[1]
        self.batch_size = m if batch_size is None else min(
            _positive_int("batch size", batch_size), m)
        # The initial weights depend on the seed only, not on the loss or the learning rate.
        start = {seed: TwoLayerNet(data.n_inputs, hidden, activation, data.task, seed=seed,
                                   n_classes=self.n_classes)
                 for seed in dict.fromkeys(run.seed for run in runs)}
        self.params = stack([start[run.seed].params() for run in runs])
        self.params["b2"][:] = self.output_bias
        if self.n_classes > 2:
            self.params["b2"][:, 0] = 0.0   # as set_output_bias: class 0 against the others
        self.initial = {p: v.copy() for p, v in self.params.items()}

        K = len(runs)
        self.losses = np.array([run.loss for run in runs])
        self.lrs = np.array([float(run.lr) for run in runs]).reshape(K, 1, 1)
        self.seeds = np.array(sorted({int(run.seed) for run in runs}))
        self.seed_row = np.searchsorted(self.seeds, [int(run.seed) for run in runs])
        # The samples as rows, so that a batch of each net is one gather: XT[idx] (K, b, d).
        self.XT = np.ascontiguousarray(self.X.T)
        self.metric_name, _ = METRICS[self.task]
        self.epoch = 0
        self.diverged = np.zeros(K, dtype=int)
        self._history = {key: [] for key in self.HISTORY_KEYS}

    @property
    def K(self):
        return len(self.runs)

    @property
    def active(self):
        """The nets still training: indices into ``runs``."""
        return np.flatnonzero(self.diverged == 0)

    @property
    def epochs_run(self):
        """Epochs each net has completed: the sweep's epoch, or the last good one (K,)."""
        return np.where(self.diverged > 0, self.diverged - 1, self.epoch)

    # -- one epoch of every net ----------------------------------------------------------------

    def epoch_orders(self, epoch):
        """(S, m): row i is the order in which epoch ``epoch`` visits the training samples for
        seed self.seeds[i]: Trainer.epoch_order's permutation, one per distinct seed."""
        m = self.X.shape[1]
        return np.stack([epoch_order(s, epoch, m) for s in self.seeds])

    def blocks(self, nets):
        """``nets`` in blocks of at most BLOCK_ELEMENTS // (h x batch) nets, which train one
        after another: a step's arrays (block x h x batch) stay bounded and in cache.

        Within a block the nets of one seed are adjacent (they share the epoch's sample order,
        so their mini-batches are one array); when every seed has as many nets, a block holds
        whole seeds, and its nets train as a (seeds x nets per seed) grid (see
        twolayer.sweep_block).
        """
        nets = np.asarray(nets)
        nets = nets[np.argsort(self.seed_row[nets], kind="stable")]
        size = max(1, BLOCK_ELEMENTS // (self.hidden * self.batch_size))
        _, counts = np.unique(self.seed_row[nets], return_counts=True)
        if len(set(counts.tolist())) == 1 and counts[0] <= size:
            per_seed = int(counts[0])
            seeds = len(counts)
            return np.split(nets, [per_seed * s for s in
                                   range(size // per_seed, seeds, size // per_seed)])
        return np.array_split(nets, -(-len(nets) // size))

    def _train_epoch(self, nets, order):
        """One epoch of mini-batch steps for the nets ``nets`` (a block), on a copy of their
        weights, in the sample order ``order`` of epoch_orders; returns (the copy, the mean
        gradient norm of each parameter over the epoch's steps, shape (4, len(nets)))."""
        block = Block(self, nets)
        m, bs = self.X.shape[1], self.batch_size
        orders = order[block.seed_rows]
        if block.grid is None:  # a batch per net, gathered each step: (K, d, b), (K, c, b)
            rows = np.searchsorted(block.seed_rows, self.seed_row[nets])
        else:
            # This epoch's samples in each seed's order, gathered once: rows (seeds, m, d), so
            # that a batch is laid out as Trainer's X[:, order] is (NumPy returns that in Fortran
            # order): the BLAS calls then get operands of the same layout, and give the same
            # bits. A batch (S, 1, d, b) broadcasts over each seed's nets in matmul.
            XT_epoch, y_epoch = self.XT[orders], self._targets(self.y[0][orders][:, None, :])
        for start in range(0, m, bs):
            batch = slice(start, start + bs)
            if block.grid is None:
                idx = orders[rows, batch]
                block.step(self.XT[idx].mT, self._targets(self.y[0][idx][:, None, :]))
            else:
                block.step(XT_epoch[:, None, batch].mT, y_epoch[:, None, :, batch])
        return block.params(), block.norms.reshape(block.K, -1).T / block.steps

    def _targets(self, y):
        """What a2 is compared with, as TwoLayerNet.targets: the labels (..., 1, m), or their
        one-hot rows (..., K, m) for K >= 3 classes (exact zeros and ones: the same bits)."""
        return y if self.n_classes == 2 else one_hot(y, self.n_classes)

    def evaluate(self, params, X, y, losses):
        """(mean loss, metric) of each net of ``params`` on X (d, m), y (1, m): arrays (K,).

        The loss is without the L2 term, as Trainer.evaluate; the metric as twolayer.metrics.
        The hidden layer of every net is one product, (K h x d+1) @ (d+1 x chunk) with the
        biases as a column of ones, in chunks of samples so that the activations a1 of a chunk
        have at most EVAL_ELEMENTS entries; z2 is gathered over h such chunks (as many entries),
        and the output, the losses and the metric are computed once for all of them.
        """
        K, h, d = params["W1"].shape
        c = params["W2"].shape[1]   # outputs per net: 1, or K >= 3 classes
        m = X.shape[1]
        chunk = max(1, EVAL_ELEMENTS // (K * h))
        # z2 of `outer` samples has as many entries as a1 of a chunk
        outer = max(chunk, chunk * h // c)
        Wb = np.concatenate([params["W1"], params["b1"]], axis=2).reshape(K * h, d + 1)
        Xb = np.concatenate([X, np.ones((1, m))])
        g = ACTIVATIONS[self.activation]
        o = ACTIVATIONS[TASKS[self.task]] if c == 1 else softmax
        groups = {losses: slice(None)} if isinstance(losses, str) else losses
        loss_sum, hits, ss_res = np.zeros(K), np.zeros(K), np.zeros(K)
        for first in range(0, m, outer):
            last = min(first + outer, m)
            z2 = np.empty((K, c, last - first))
            for start in range(first, last, chunk):
                a1 = g(Wb @ Xb[:, start:min(start + chunk, last)])
                np.matmul(params["W2"], a1.reshape(K, h, -1),
                          out=z2[:, :, start - first:start - first + a1.shape[1]])
            z2 += params["b2"]
            a2 = o(z2)
            yc = y[:, first:last]
            if c > 1:
                Yc = one_hot(yc, c)
                for name, nets in groups.items():
                    loss_sum[nets] += SOFTMAX_LOSSES[name].value(
                        z2[nets], a2[nets], Yc).sum(axis=-1)
                hits += np.count_nonzero(np.argmax(a2, axis=1) == yc, axis=-1)
                continue
            for name, nets in groups.items():
                value = EVAL_LOSSES.get(name, LOSSES[name].value)
                loss_sum[nets] += value(z2[nets], a2[nets], yc).sum(axis=(1, 2))
            if self.task == "classification":
                hits += np.count_nonzero(correct(yc, a2), axis=-1)
            else:
                ss_res += ((yc - a2) ** 2).sum(axis=(1, 2))
        if self.task == "classification":
            return loss_sum / m, hits / m
        return loss_sum / m, r2_from_sums(ss_res, float(np.sum((y - np.mean(y)) ** 2)))

    def run(self, epochs):
        """Train every net that has not diverged ``epochs`` more epochs; returns self.

        A net whose training loss passes DIVERGENCE_LOSS or stops being finite (or whose
        gradients do) in epoch e keeps its weights of epoch e - 1, records e in ``diverged``
        and trains no more; the others go on.
        """
        if not is_integer(epochs) or epochs < 0:
            raise ValueError(f"epochs must be an integer >= 0, got {epochs!r}")
        # Overflow on the way to divergence is expected; it is detected, not warned about.
        with np.errstate(all="ignore"):
            for _ in range(epochs):
                if not self.active.size:
                    break
                epoch = self.epoch + 1
                order = self.epoch_orders(epoch)
                record = {key: np.full(self.K, np.nan) for key in self.HISTORY_KEYS}
                self._epoch(epoch, order, record)
                for key, row in record.items():
                    self._history[key].append(row)
                self.epoch = epoch
        return self

    def _epoch(self, epoch, order, record):
        """Train the active nets one epoch, block by block, evaluate them all at once, keep
        the good ones' weights and their numbers in ``record``, and mark the others
        diverged."""
        blocks = self.blocks(self.active)
        trained = [self._train_epoch(nets, order) for nets in blocks]
        nets = np.concatenate(blocks)
        P = {p: np.concatenate([t[0][p] for t in trained]) for p in PARAMS}
        norms = np.concatenate([t[1] for t in trained], axis=1)
        losses = loss_groups(self.losses[nets])
        train_loss, train_metric = self.evaluate(P, self.X, self.y, losses)
        test_loss, test_metric = self.evaluate(P, self.X_test, self.y_test, losses)
        good = ~has_diverged(train_loss, norms)
        for p in PARAMS:
            self.params[p][nets[good]] = P[p][good]
        self.diverged[nets[~good]] = epoch
        values = (train_loss, test_loss, train_metric, test_metric, *norms)
        for key, value in zip(self.HISTORY_KEYS, values, strict=True):
            record[key][nets[good]] = value[good]

    # -- results ---------------------------------------------------------------------------

    @property
    def history(self):
        """{key: array (K, epochs)} for HISTORY_KEYS: column e-1 holds epoch e; NaN where a
        net had diverged (from the epoch it diverged on)."""
        return {key: (np.stack(rows, axis=1) if rows else np.empty((self.K, 0)))
                for key, rows in self._history.items()}

    def epochs_to_target(self, target):
        """The first epoch (1-based) at which each net's test metric reaches ``target``, or
        0 if it never did: array (K,)."""
        return epochs_to_target(self.history["test_metric"], target)

    def net(self, k):
        """Net k as a TwoLayerNet with its current weights."""
        run = self.runs[k]
        net = TwoLayerNet(self.data.n_inputs, self.hidden, self.activation, self.task, run.loss,
                          seed=run.seed, n_classes=self.n_classes)
        net.set_params({p: self.params[p][k] for p in PARAMS})
        return net

    def results(self, target=0.9):
        """One plain dict per run, in the order of ``runs``: loss, lr, seed, epochs_run,
        diverged (False or the epoch), train_loss, test_loss, test_<metric> and
        epochs_to_target (the first epoch whose test metric reaches ``target``, or None).

        The final values are each net's own (TwoLayerNet.loss, twolayer.metrics), at its
        current weights: what ``python -m twolayer train`` reports for that run.
        """
        reach = self.epochs_to_target(target)
        name, metric = METRICS[self.task]
        out = []
        for k, run in enumerate(self.runs):
            net = self.net(k)
            with np.errstate(all="ignore"):
                out.append({"loss": run.loss, "lr": run.lr, "seed": run.seed,
                            "epochs_run": int(self.epochs_run[k]),
                            "diverged": int(self.diverged[k]) if self.diverged[k] else False,
                            "train_loss": net.loss(self.X, self.y),
                            "test_loss": net.loss(self.X_test, self.y_test),
                            f"test_{name}": metric(self.y_test, net.predict(self.X_test)),
                            "epochs_to_target": int(reach[k]) if reach[k] else None})
        return out
