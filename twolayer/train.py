"""Training beside the net: mini-batches, epochs, a History, snapshots and divergence.

A Trainer advances in chunks: ten ``run(1)`` give exactly the weights and history of one
``run(10)``, because the order of the samples in epoch k depends on (seed, k) only. For the
same reason two trainers with the same seed and data see the same mini-batches in the same
order, whatever their loss: that is what makes MSE and log-loss comparable.
"""

import copy
import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from .checks import is_integer
from .metrics import METRICS
from .net import PARAMS

# A run whose training loss passes this (or stops being finite) has diverged.
DIVERGENCE_LOSS = 1e6
# Snapshots of the latest epochs are never thinned out (Play replays up to 60 at a time).
RECENT_SNAPSHOTS = 100


def epoch_order(seed, epoch, m):
    """The order (m,) in which epoch ``epoch`` (1-based) of a run seeded ``seed`` visits the m
    training samples: a function of (seed, epoch) only, so that a run trained in chunks, a
    twin trained ahead and net k of a sweep all see the same mini-batches."""
    return np.random.default_rng((int(seed), epoch)).permutation(m)


def has_diverged(train_loss, grad_norms):
    """The divergence rule: True where the epoch's training loss is not finite or passes
    DIVERGENCE_LOSS, or one of its gradient norms is not finite.

    train_loss : float, or array (K,) for K nets; grad_norms : the norms of the four
    parameters, a sequence of 4 floats or an array (4, K).
    """
    if isinstance(train_loss, (int, float)):
        # One net, every epoch: plain floats, where NumPy's calls would cost 10x more.
        return not (math.isfinite(train_loss) and train_loss < DIVERGENCE_LOSS
                    and all(math.isfinite(g) for g in grad_norms))
    return ~(np.isfinite(train_loss) & (train_loss < DIVERGENCE_LOSS)
             & np.isfinite(grad_norms).all(axis=0))


@dataclass
class History:
    """One value per completed epoch (index k-1 holds epoch k), plus weight snapshots.

    grad_norm[p][k-1] is the mean, over epoch k's update steps, of the L2 norm of dL/dp.
    snapshots maps an epoch (0 = the initial weights) to a copy of the parameters.
    """

    metric_name: str
    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    train_metric: list = field(default_factory=list)
    test_metric: list = field(default_factory=list)
    grad_norm: dict = field(default_factory=lambda: {p: [] for p in PARAMS})
    snapshots: dict = field(default_factory=dict)

    @property
    def epochs(self):
        return len(self.train_loss)

    def snapshot(self, epoch):
        """(recorded epoch, params) of the latest snapshot at or before ``epoch``."""
        recorded = max(e for e in self.snapshots if e <= max(epoch, 0))
        return recorded, self.snapshots[recorded]

    def as_dict(self):
        """Plain lists, for JSON: one value per epoch."""
        return {"train_loss": list(self.train_loss), "test_loss": list(self.test_loss),
                f"train_{self.metric_name}": list(self.train_metric),
                f"test_{self.metric_name}": list(self.test_metric),
                "grad_norm": {p: list(v) for p, v in self.grad_norm.items()}}


class Trainer:
    """Owns a net, its data, the learning rate, the batch size, L2 and a History.

    Parameters
    ----------
    net : TwoLayerNet
    data : twolayer.data.Dataset (X_train of shape (n_inputs, m), y_train of shape (1, m))
    lr : float > 0, the learning rate alpha; may be changed between runs
    batch_size : int in 1 .. m, or None for the whole training set; may be changed between runs
    l2 : float >= 0, weight decay: adds l2/2 * (||W1||^2 + ||W2||^2) to the loss
    seed : int, seeds the order of the samples in each epoch
    snapshot_every : keep the weights every this many epochs (and the last one of each run)
    max_snapshots : beyond this many, every other snapshot but the latest ones is dropped, so a
        long session's memory stays bounded (about 2 KB a snapshot at 64 hidden units)
    """

    def __init__(self, net, data, lr=0.1, batch_size=None, l2=0.0, seed=0, snapshot_every=1,
                 max_snapshots=2000):
        if data.task != net.task:
            raise ValueError(f"the net is for {net.task}, the data for {data.task}")
        if data.n_inputs != net.n_inputs:
            raise ValueError(f"the net takes {net.n_inputs} inputs, the data has {data.n_inputs}")
        if net.task == "classification" and getattr(data, "n_classes", 2) != net.n_classes:
            raise ValueError(f"the net is for {net.n_classes} classes, the data has "
                             f"{data.n_classes}")
        self.net, self.data = net, data
        # Check the data once here, so that each step can skip it.
        self.X, self.y = net._check(data.X_train, data.y_train)
        self.X_test, self.y_test = net._check(data.X_test, data.y_test)
        self.lr, self.batch_size, self.l2 = lr, batch_size, l2
        self.seed = seed
        if not (isinstance(snapshot_every, int) and snapshot_every >= 1):
            raise ValueError(f"snapshot_every must be an integer >= 1, got {snapshot_every!r}")
        self.snapshot_every = snapshot_every
        self.max_snapshots = max(2, int(max_snapshots))
        self.metric_name, self._metric = METRICS[net.task]
        self.epoch = 0
        self.diverged = None  # the epoch at which training diverged, once it has
        self.history = History(self.metric_name, snapshots={0: net.get_params()})

    # Settings that may change between runs are checked when set.
    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
                or not (math.isfinite(value) and value > 0):
            raise ValueError(f"learning rate must be a finite number > 0, got {value!r}")
        self._lr = float(value)

    @property
    def batch_size(self):
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value):
        m = self.X.shape[1]
        if value is None:
            value = m
        if not is_integer(value) or value < 1:
            raise ValueError(f"batch size must be an integer from 1 to {m}, got {value!r}")
        self._batch_size = min(int(value), m)

    @property
    def l2(self):
        return self._l2

    @l2.setter
    def l2(self, value):
        if not (isinstance(value, (int, float, np.floating)) and math.isfinite(value)
                and value >= 0):
            raise ValueError(f"l2 must be a finite number >= 0, got {value!r}")
        self._l2 = float(value)

    def copy(self):
        """A trainer that trains on from here and leaves this one as it is: its own net,
        history and settings; the data is shared (neither changes it). Step's next epoch is
        trained ahead on one, while the current epoch is on screen."""
        twin = copy.copy(self)
        twin.net = self.net.copy()
        h = self.history
        twin.history = replace(
            h, train_loss=list(h.train_loss), test_loss=list(h.test_loss),
            train_metric=list(h.train_metric), test_metric=list(h.test_metric),
            grad_norm={p: list(v) for p, v in h.grad_norm.items()},
            snapshots=dict(h.snapshots))   # snapshots are copies no update touches
        return twin

    def resume(self):
        """Forget a divergence: training goes on from the last good weights (say, at a lower
        learning rate)."""
        self.diverged = None

    def rewind(self, epoch, params=None):
        """Go back to the end of ``epoch`` (0 <= epoch <= the current epoch), as if training had
        stopped there: the history after it is dropped, a divergence after it forgotten, and
        the net holds ``params`` (default: the snapshot of that epoch). Returns self.

        Play trains ahead of the screen; on Pause it goes back to the epoch on screen.
        """
        if not is_integer(epoch) or not 0 <= epoch <= self.epoch:
            raise ValueError(f"epoch must be an integer from 0 to {self.epoch}, got {epoch!r}")
        h = self.history
        if params is None:
            if epoch not in h.snapshots:
                raise ValueError(f"no snapshot of epoch {epoch}: pass its params")
            params = h.snapshots[epoch]
        if epoch == self.epoch:
            return self
        self.net.set_params(params)
        for values in (h.train_loss, h.test_loss, h.train_metric, h.test_metric,
                       *h.grad_norm.values()):
            del values[epoch:]
        for later in [e for e in h.snapshots if e > epoch]:
            del h.snapshots[later]
        h.snapshots[epoch] = self.net.get_params()
        self.epoch, self.diverged = int(epoch), None
        return self

    def epoch_order(self, epoch):
        """The order in which epoch ``epoch`` (1-based) visits the training samples."""
        return epoch_order(self.seed, epoch, self.X.shape[1])

    def _thin_snapshots(self):
        """Drop every other snapshot older than the RECENT_SNAPSHOTS latest epochs (epoch 0
        stays): old history grows sparser, the latest stays epoch by epoch for replay."""
        snapshots = self.history.snapshots
        old = sorted(e for e in snapshots if 0 < e <= self.epoch - RECENT_SNAPSHOTS)
        for epoch in old[1::2]:
            del snapshots[epoch]

    def evaluate(self, X, y):
        """(mean loss without the L2 term, metric) of the current net on X, y."""
        net = self.net
        f = net._forward(X)
        return net._loss(X, y, f=f), self._metric(y, f.a2)

    def run(self, epochs, cpu_seconds=None):
        """Train ``epochs`` more epochs (fewer if it diverges); returns the History.

        cpu_seconds : stop after the epoch in which this much CPU time (``time.process_time``
            of this process) has been spent, having trained at least one; None for no limit.
            An estimate of the cost decides how many epochs to ask for; this measured limit
            holds when the estimate is wrong (a busy machine, a slow BLAS).
        """
        if not is_integer(epochs) or epochs < 0:
            raise ValueError(f"epochs must be an integer >= 0, got {epochs!r}")
        started = time.process_time()
        net, h = self.net, self.history
        X, y, lr, l2, bs = self.X, self.y, self.lr, self.l2, self.batch_size
        m = X.shape[1]
        # Overflow on the way to divergence is expected; it is detected below, not warned about.
        with np.errstate(all="ignore"):
            for _ in range(epochs):
                if self.diverged is not None:
                    break
                epoch = self.epoch + 1
                before = net.get_params()
                order = self.epoch_order(epoch)
                # Shuffled once per epoch, so that each mini-batch is a view, not a copy.
                X_epoch, y_epoch = X[:, order], y[:, order]
                sums = dict.fromkeys(PARAMS, 0.0)
                steps = 0
                for start in range(0, m, bs):
                    batch = slice(start, start + bs)
                    grads = net._step(X_epoch[:, batch], y_epoch[:, batch], lr, l2)
                    for p, g in grads.items():
                        sums[p] += math.sqrt(np.vdot(g, g))
                    steps += 1
                train_loss, train_metric = self.evaluate(X, y)
                if has_diverged(train_loss, sums.values()):
                    net.set_params(before)  # keep the last good weights on screen
                    self.diverged = epoch
                    break
                test_loss, test_metric = self.evaluate(self.X_test, self.y_test)
                h.train_loss.append(train_loss)
                h.test_loss.append(test_loss)
                h.train_metric.append(train_metric)
                h.test_metric.append(test_metric)
                for p in PARAMS:
                    h.grad_norm[p].append(sums[p] / steps)
                self.epoch = epoch
                if epoch % self.snapshot_every == 0:
                    h.snapshots[epoch] = net.get_params()
                    if len(h.snapshots) > self.max_snapshots:
                        self._thin_snapshots()
                if cpu_seconds is not None and time.process_time() - started >= cpu_seconds:
                    break
        if self.epoch not in h.snapshots:
            h.snapshots[self.epoch] = net.get_params()
        return h
