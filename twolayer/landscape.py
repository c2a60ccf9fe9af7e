"""The loss over a plane of two parameters: where MSE has a plateau, log-loss still slopes.

Glorot and Bengio (2010, Figure 5) drew the training loss of a two-layer net as a function of two
of its weights. Here: pick two entries of the parameters, say W2[0,0] and b2, hold every other
parameter at a given set of weights, and add offsets (u, v) from a grid to those two. Each grid
point is a net of its own, and its mean training loss is one pixel of the picture:

    L(u, v) = mean over the samples of loss(y, a2),   a2 the output of the net whose
              p1 = c1 + u and p2 = c2 + v, every other parameter as given

Every grid point goes through the stacked forward pass of twolayer.stacked in one call (one net
per point along its model axis, in chunks that bound the memory), and both losses come from the
same z2 and a2. Two shortcuts keep a point's cost at a few hidden units, whatever n_hidden is:

- a parameter that does not vary keeps a model axis of length 1, which NumPy broadcasts;
- the hidden units that neither parameter touches are the same in every net: their share of z2,
  W2[:, rest] @ a1[rest], is computed once and folded into the output bias, which then has one
  value per sample (shape (1, 1, m)). Only the units that a chosen parameter touches (one or
  two) are evaluated per point.

Parameters are named as NumPy indexes them, W1[i,j] .. b2 (twolayer.params, whose names are
importable from here too).

K classes (K >= 3 softmax outputs, W2 (K, h), b2 (K, 1)): the surfaces are the mean
cross-entropy (log_loss) and the MSE on one-hot targets, each the net's own loss
(TwoLayerNet(..., n_classes=K).loss). The number of classes is read from the weights' shapes
(W2 with K rows). The fixed units' share of z2 is then (K, m) per sample, and a point's z2
(K, m).
"""

import math
import time
from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS
from .checks import is_integer
from .net import PARAMS, TwoLayerNet
from .params import (  # noqa: F401 (DEFAULT_PARAMS .. param_shapes: importable from here too)
    DEFAULT_PARAMS,
    DEFAULT_PARAMS_K,
    Param,
    default_params,
    param_names,
    param_shapes,
    parse_pair,
    parse_param,
)
from .stacked import forward, mean_loss

# Elements of the largest array of one chunk (n_points x units x samples): 8 MB of float64.
CHUNK_ELEMENTS = 1 << 20


def offsets(span, grid):
    """``grid`` offsets from -span to +span, evenly spaced, symmetric to the last bit (0 exactly
    in the middle of an odd grid)."""
    if not (isinstance(span, (int, float, np.floating)) and math.isfinite(span) and span > 0):
        raise ValueError(f"span must be a finite number > 0, got {span!r}")
    if not is_integer(grid) or grid < 2:
        raise ValueError(f"grid must be an integer >= 2, got {grid!r}")
    return span * (2.0 * np.arange(grid) - (grid - 1)) / (grid - 1)


class Landscape(NamedTuple):
    """The loss over a grid of offsets added to two parameters.

    params : the two names; center : their values at offset 0
    x, y : offsets of the first and the second parameter, shape (grid,)
    mse, log_loss : shape (len(y), len(x)); [i, j] is the loss at offsets (x[j], y[i]), as a
        Plotly heatmap draws z. log_loss is None for regression (an identity output).
    """

    params: tuple
    center: tuple
    x: np.ndarray
    y: np.ndarray
    mse: np.ndarray
    log_loss: np.ndarray | None

    @property
    def values(self):
        """The two axes in parameter values: center + offsets."""
        return self.center[0] + self.x, self.center[1] + self.y

    def surface(self, loss):
        return {"mse": self.mse, "log_loss": self.log_loss}[loss]

    def as_dict(self):
        """Plain lists for JSON; a value that is not finite becomes None (null)."""
        def plain(a):
            return None if a is None else np.where(np.isfinite(a), a, None).tolist()
        return {"params": list(self.params), "center": [float(c) for c in self.center],
                "x": self.x.tolist(), "y": self.y.tolist(), "mse": plain(self.mse),
                "log_loss": plain(self.log_loss)}


def _reduced(weights, pair, X, activation):
    """The net cut down to the hidden units that ``pair`` touches, the others folded away.

    Returns (params, where): params with a model axis of length 1, in which b2 has shape
    (1, c, m): the fixed units' share of z2, W2[:, rest] @ a1[rest], one value per sample and
    output, plus the output bias (but for an entry of b2 in the pair: the caller adds that one
    per point); where gives each Param's key and index in the cut-down arrays.
    """
    W1, b1, W2, b2 = (np.asarray(weights[k], dtype=np.float64) for k in PARAMS)
    units = sorted({q.index[0] for q in pair if q.key in ("W1", "b1")}
                   | {q.index[1] for q in pair if q.key == "W2"})
    rest = np.setdiff1d(np.arange(W1.shape[0]), units)
    share = W2[:, rest] @ ACTIVATIONS[activation](W1[rest] @ X + b1[rest])    # (c, m)
    bias = b2.copy()
    for q in pair:
        if q.key == "b2":
            bias[q.index] = 0.0
    share = share + bias
    params = {"W1": W1[units][None], "b1": b1[units][None], "W2": W2[:, units][None],
              "b2": share[None]}
    where = []
    for q in pair:
        if q.key in ("W1", "b1"):
            where.append((q.key, (units.index(q.index[0]), q.index[1])))
        elif q.key == "W2":
            where.append(("W2", (q.index[0], units.index(q.index[1]))))
        else:
            where.append(("b2", q.index))
    return params, where


class OverBudget(Exception):  # noqa: N818 (a signal to the caller, not an error)
    """The grid would cost more CPU time than allowed: ``seconds_per_point`` is what the
    points computed so far cost each (measured), for the caller to choose a grid that fits."""

    def __init__(self, seconds_per_point):
        super().__init__(f"{seconds_per_point:.3g} s of CPU per grid point")
        self.seconds_per_point = seconds_per_point


def loss_surfaces(weights, X, y, activation, task, params, span=8.0, grid=61, center=None,
                  losses=("mse", "log_loss"), chunk_elements=CHUNK_ELEMENTS, cpu_seconds=None):
    """The mean loss over the grid, for MSE and (classification) log-loss, as a Landscape.

    weights : {"W1", "b1", "W2", "b2"} like TwoLayerNet.get_params(): every parameter but the
        two chosen ones is held here
    X : (n_inputs, m), y : (1, m) or (m,): the samples the loss is the mean over (labels
        0 .. K-1 for weights of K >= 3 classes: W2 with K rows)
    activation : the hidden activation; task : "classification" | "regression"
    params : two names such as ("W2[0,0]", "b2")
    span, grid : offsets from -span to +span in ``grid`` steps, the same for both parameters
    center : the two parameters' values at offset 0 (default: their values in ``weights``)
    losses : which surfaces to compute (log_loss is left out for regression); the others are None
    chunk_elements : at most this many elements in the largest array of one chunk
    cpu_seconds : raise OverBudget as soon as the CPU time measured so far (process_time)
        says the whole grid would take longer than this (checked after every chunk); None:
        no limit
    """
    started = time.process_time()
    shapes = {k: np.shape(weights[k]) for k in PARAMS}
    pair = parse_pair(params, shapes)
    if task not in ("classification", "regression"):
        raise ValueError(f"unknown task {task!r}; allowed: classification, regression")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(1, -1)
    if center is None:
        center = tuple(float(np.asarray(weights[q.key])[q.index]) for q in pair)
    center = tuple(float(c) for c in center)
    u = offsets(span, grid)
    # Point k = i * grid + j sits at offsets (u[j], u[i]): x varies fastest, as in Plotly's z.
    first, second = np.meshgrid(center[0] + u, center[1] + u)
    points = (first.ravel(), second.ravel())
    fixed, where = _reduced(weights, pair, X, activation)
    n_points, m = first.size, X.shape[1]
    size = max(1, chunk_elements // (m * max(fixed["W1"].shape[1], fixed["W2"].shape[1], 1)))
    unknown = set(losses) - {"mse", "log_loss"}
    if unknown or not losses:
        raise ValueError(f"losses must name mse and/or log_loss, got {tuple(losses)!r}")
    wanted = [loss for loss in losses if task == "classification" or loss == "mse"]
    out = {loss: np.empty(n_points) for loss in wanted}
    with np.errstate(over="ignore", invalid="ignore"):   # a huge span may overflow: inf
        for start in range(0, n_points, size):
            chunk = slice(start, min(start + size, n_points))
            nets = dict(fixed)
            for (key, ix), v in zip(where, points, strict=True):
                if key == "b2":
                    if fixed["b2"].shape[1] == 1:
                        nets["b2"] = fixed["b2"] + v[chunk][:, None, None]
                        continue
                    # One output's bias per point: (n, c, 1), zero but for that output.
                    bias = np.zeros((chunk.stop - chunk.start, fixed["b2"].shape[1], 1))
                    bias[:, ix[0], 0] = v[chunk]
                    nets["b2"] = nets["b2"] + bias
                    continue
                if nets[key].shape[0] == 1:
                    nets[key] = np.repeat(nets[key], chunk.stop - chunk.start, axis=0)
                nets[key][(slice(None), *ix)] = v[chunk]
            f = forward(nets, X, activation, task)
            for loss, surface in out.items():   # every loss from the same forward pass
                surface[chunk] = mean_loss(f, y, loss)
            if cpu_seconds is not None:
                per_point = (time.process_time() - started) / chunk.stop
                if per_point * n_points > cpu_seconds:
                    raise OverBudget(per_point)
    grids = {loss: out[loss].reshape(grid, grid) if loss in out else None
             for loss in ("mse", "log_loss")}
    return Landscape(tuple(q.name for q in pair), center, u, u.copy(), grids["mse"],
                     grids["log_loss"])


def losses_at(weights, X, y, activation, task):
    """{loss: the mean loss of the net with these weights}: mse, and log_loss for
    classification, from one forward pass."""
    f = forward({k: np.asarray(weights[k], dtype=np.float64)[None] for k in PARAMS},
                np.asarray(X, dtype=np.float64), activation, task)
    y = np.asarray(y, dtype=np.float64).reshape(1, -1)
    losses = ("mse", "log_loss") if task == "classification" else ("mse",)
    with np.errstate(over="ignore", invalid="ignore"):
        return {loss: float(mean_loss(f, y, loss)[0]) for loss in losses}


def gradient_at(weights, X, y, activation, task, loss, params):
    """(dL/dp1, dL/dp2): the slope of one surface at the weights themselves, by backprop.

    That is the part of the net's gradient that moves the two chosen parameters (without L2:
    the surfaces are the plain mean loss). Shape (2,).
    """
    W1, c = np.asarray(weights["W1"]), np.shape(weights["W2"])[0]
    net = TwoLayerNet(W1.shape[1], W1.shape[0], activation, task, loss,
                      n_classes=2 if c == 1 else c)
    net.set_params(weights)
    pair = parse_pair(params, {k: np.shape(weights[k]) for k in PARAMS})
    with np.errstate(all="ignore"):
        grads = net.gradients(X, y)
    return np.array([grads[q.key][q.index] for q in pair])


def slope(surface, x, y):
    """|grad L| at every grid point by centred differences (one-sided at the edges), from the
    grid alone: shape like ``surface`` (len(y), len(x)); x, y the two axes' values."""
    d_second, d_first = np.gradient(np.asarray(surface, dtype=np.float64), y, x)
    return np.hypot(d_first, d_second)


class Path(NamedTuple):
    """Where a net's two parameters were, epoch by epoch: epochs (n,), values (n, 2) (first and
    second parameter), and the net's own loss at each of those epochs, loss (n,)."""

    epochs: np.ndarray
    values: np.ndarray
    loss: np.ndarray


def path(history, params, X, y, activation, task, loss):
    """The path of ``params`` through the weight snapshots of ``history`` (a train.History).

    Every recorded epoch, in order (a long run's old snapshots are thinned out: only those kept
    are on the path). loss is the net's own training loss at each of those epochs, the height of
    the path in a 3-D view: the History's record for epoch k >= 1 (taken on X, y without L2,
    like the surfaces), computed here from the snapshot for epoch 0.
    """
    epochs = np.array(sorted(history.snapshots), dtype=np.int64)
    snaps = [history.snapshots[int(e)] for e in epochs]
    pair = parse_pair(params, {k: np.shape(snaps[0][k]) for k in PARAMS})
    values = np.array([[s[q.key][q.index] for q in pair] for s in snaps], dtype=np.float64)
    start = losses_at(snaps[0], X, y, activation, task)[loss]
    losses = np.array([start if e == 0 else history.train_loss[e - 1] for e in epochs])
    return Path(epochs, values, losses)


def trainer_paths(trainers, params):
    """{loss: Path} for {loss: Trainer} (a Comparison's ``trainers``): each net's path with its
    own loss, on its training data."""
    return {loss: path(t.history, params, t.X, t.y, t.net.activation, t.net.task, loss)
            for loss, t in trainers.items()}


def start_values(trainers, params):
    """The two parameters' values at epoch 0 (the nets of a comparison share them)."""
    snapshot = next(iter(trainers.values())).history.snapshots[0]
    pair = parse_pair(params, {k: np.shape(snapshot[k]) for k in PARAMS})
    return tuple(float(snapshot[q.key][q.index]) for q in pair)


def net_surfaces(trainers, params, span, grid, center, cpu_seconds=None):
    """{loss: Landscape}: each net's own loss, every other parameter at its own current weights,
    over the window of ``span`` and ``grid`` around ``center``.

    trainers : {loss: Trainer} (a Comparison's ``trainers``, or {"mse": trainer} for regression).
    Nets whose weights are identical (at the start) share one forward pass for both losses.
    cpu_seconds : for all surfaces together; OverBudget is raised as in ``loss_surfaces``.
    """
    started = time.process_time()
    out = {}
    for loss, t in trainers.items():
        if loss in out:
            continue
        weights = t.net.get_params()
        same = [other for other, o in trainers.items()
                if all(np.array_equal(weights[k], o.net.params()[k]) for k in PARAMS)]
        left = None if cpu_seconds is None else \
            (cpu_seconds - (time.process_time() - started)) / (len(trainers) - len(out))
        found = loss_surfaces(weights, t.X, t.y, t.net.activation, t.net.task, params,
                              span=span, grid=grid, center=center, losses=same,
                              cpu_seconds=left)
        for other in same:
            out[other] = found
    return {loss: out[loss] for loss in trainers}


def budgeted_surfaces(trainers, params, span, grid, center, grids, cpu_seconds):
    """(surfaces, grid, note): ``net_surfaces`` on ``grid`` when it fits ``cpu_seconds`` of
    measured CPU time, else on the finest of ``grids`` that the time measured per point allows
    in what is left (the coarsest when none does). note says what was cut, or is None."""
    started = time.process_time()
    try:
        return net_surfaces(trainers, params, span, grid, center, cpu_seconds), grid, None
    except OverBudget as over:
        left = max(cpu_seconds - (time.process_time() - started), 0.0)
        n = len(trainers)
        fits = [g for g in grids if g < grid and over.seconds_per_point * g * g * n <= left]
        coarser = fits[-1] if fits else min(grids)
    note = (f"A {grid} x {grid} grid would take longer than one click may on this machine now "
            f"(measured); drawing {coarser} x {coarser}.")
    return net_surfaces(trainers, params, span, coarser, center), coarser, note
