"""How fast is a loss landscape? Prints, in one run, with the load average:

1. milliseconds for the MSE and log-loss surfaces of a 61 x 61 and a 121 x 121 grid (moons, 350
   training samples, 8 tanh units, a saturated start), for (W2[0,0], b2) and for (W1[0,0],
   W2[0,1]): twolayer.landscape.loss_surfaces (one stacked forward pass, chunked, the hidden
   units the pair does not touch folded into the output bias) against the same stacked
   forward pass over whole nets (every hidden unit per grid point, no folding) and against a
   loop over the grid points calling TwoLayerNet.loss twice per point (the obvious code);
2. the same at 64 hidden units and 3,500 training samples (the page's largest net on a large
   data set), without the loop, median of 2 trials (whole nets take half a minute here);
3. seconds per grid point and training sample for one surface on the page: the figure that
   settings.LANDSCAPE_SECONDS (the page's per-click budget) must stay above.

Every contender must give the same grid (to 1e-12, relative); the loop is timed on a sample
of the grid's points and scaled up when the grid is large. Median of several trials, the
contenders interleaved so that a busy machine slows them alike.

    python benchmarks/bench_landscape.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twolayer import TwoLayerNet  # noqa: E402
from twolayer.data import make_dataset  # noqa: E402
from twolayer.landscape import loss_surfaces, offsets, parse_pair  # noqa: E402
from twolayer.net import PARAMS  # noqa: E402
from twolayer.settings import LANDSCAPE_SECONDS  # noqa: E402
from twolayer.stacked import forward, mean_loss  # noqa: E402

TRIALS = 5
LOOP_POINTS = 1500   # the loop is timed on this many grid points at most, then scaled


def whole_nets(weights, X, y, activation, pair, span, grid, chunk=1 << 20):
    """The stacked forward pass over whole nets: every hidden unit of every grid point."""
    shapes = {k: np.shape(weights[k]) for k in PARAMS}
    p = parse_pair(pair, shapes)
    u = offsets(span, grid)
    c = [weights[q.key][q.index] for q in p]
    first, second = np.meshgrid(c[0] + u, c[1] + u)
    points = (first.ravel(), second.ravel())
    n, m, h = first.size, X.shape[1], shapes["W1"][0]
    out = {"mse": np.empty(n), "log_loss": np.empty(n)}
    size = max(1, chunk // (h * m))
    for start in range(0, n, size):
        k = slice(start, min(start + size, n))
        nets = {key: np.repeat(np.asarray(weights[key])[None], k.stop - k.start, axis=0)
                for key in PARAMS}
        for q, v in zip(p, points, strict=True):
            nets[q.key][(slice(None), *q.index)] = v[k]
        f = forward(nets, X, activation, "classification")
        for loss in out:
            out[loss][k] = mean_loss(f, y, loss)
    return out["mse"].reshape(grid, grid), out["log_loss"].reshape(grid, grid)


def loop(weights, X, y, activation, pair, span, grid, points=None):
    """TwoLayerNet.loss at each grid point, for both losses: the obvious Python loop."""
    shapes = {k: np.shape(weights[k]) for k in PARAMS}
    p = parse_pair(pair, shapes)
    u = offsets(span, grid)
    h, d = shapes["W1"]
    nets = {}
    for loss in ("mse", "log_loss"):
        nets[loss] = TwoLayerNet(d, h, activation, "classification", loss)
        nets[loss].set_params(weights)
    c = [weights[q.key][q.index] for q in p]
    every = [(i, j) for i in range(grid) for j in range(grid)]
    out = {loss: np.full((grid, grid), np.nan) for loss in nets}
    for i, j in every if points is None else points:
        for loss, net in nets.items():
            params = net.params()
            params[p[0].key][p[0].index] = c[0] + u[j]
            params[p[1].key][p[1].index] = c[1] + u[i]
            out[loss][i, j] = net.loss(X, y)
    return out["mse"], out["log_loss"]


def race(contenders, trials=TRIALS):
    """{name: (median seconds, last result)}, the contenders interleaved trial by trial."""
    times, results = {name: [] for name in contenders}, {}
    for _ in range(trials):
        for name, fn in contenders.items():
            t = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t)
    return {name: (statistics.median(times[name]), results[name]) for name in contenders}


def case(data, hidden, pair, grid, with_loop=True, trials=TRIALS):
    net = TwoLayerNet(data.n_inputs, hidden, "tanh", "classification", "log_loss", seed=0)
    net.b2[:] = -8.0
    w, X, y = net.get_params(), data.X_train, data.y_train
    rng = np.random.default_rng(0)
    n_loop = min(grid * grid, LOOP_POINTS)
    sample = [tuple(ix) for ix in rng.integers(0, grid, size=(n_loop, 2))]
    contenders = {
        "loss_surfaces": lambda: loss_surfaces(w, X, y, "tanh", "classification", pair, 8.0,
                                               grid),
        "whole nets": lambda: whole_nets(w, X, y, "tanh", pair, 8.0, grid)}
    if with_loop:
        contenders["loop of net.loss"] = lambda: loop(w, X, y, "tanh", pair, 8.0, grid, sample)
    rows = race(contenders, trials)
    if with_loop:
        t, out = rows["loop of net.loss"]
        rows["loop of net.loss"] = (t * grid * grid / n_loop, out)
    land = rows["loss_surfaces"][1]
    for name, (_, out) in rows.items():
        got = (out.mse, out.log_loss) if name == "loss_surfaces" else out
        for ref, val in zip((land.mse, land.log_loss), got, strict=True):
            mask = ~np.isnan(val)
            assert np.allclose(val[mask], ref[mask], rtol=1e-12, atol=0), name
    return {name: t for name, (t, _) in rows.items()}, n_loop


def main():
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on "
          f"{os.cpu_count()} CPUs; median of {TRIALS} trials")
    small = make_dataset("moons", 500, 0.2, 0.3, 0)
    large = make_dataset("moons", 5000, 0.2, 0.3, 0)
    header = f"{'':34}{'loss_surfaces':>15}{'whole nets':>13}{'loop':>12}{'loop/ours':>11}"
    print("\n1. both surfaces, 350 samples, 8 units (ms)")
    print(header)
    for pair in (("W2[0,0]", "b2"), ("W1[0,0]", "W2[0,1]")):
        for grid in (61, 121):
            t, n_loop = case(small, 8, pair, grid)
            note = "" if n_loop == grid * grid else f"  (loop: {n_loop} points, scaled)"
            print(f"{grid:>4} x {grid:<4} {' '.join(pair):24}{t['loss_surfaces'] * 1e3:>15.1f}"
                  f"{t['whole nets'] * 1e3:>13.1f}{t['loop of net.loss'] * 1e3:>12.0f}"
                  f"{t['loop of net.loss'] / t['loss_surfaces']:>10.0f}x{note}")
    print(f"\n2. both surfaces, {large.X_train.shape[1]} samples, 64 units (ms)")
    print(header[:62])
    for pair in (("W2[0,0]", "b2"), ("W1[0,0]", "W2[0,1]")):
        for grid in (61, 121):
            t, _ = case(large, 64, pair, grid, with_loop=False, trials=2)
            print(f"{grid:>4} x {grid:<4} {' '.join(pair):24}{t['loss_surfaces'] * 1e3:>15.1f}"
                  f"{t['whole nets'] * 1e3:>13.1f}")
    print("\n3. one surface on the page (one loss), seconds per grid point and sample")
    net = TwoLayerNet(2, 64, "tanh", "classification", "log_loss", seed=0)
    for pair in (("W2[0,0]", "b2"), ("W1[0,0]", "W2[0,1]"), ("W1[0,0]", "b1[1]")):
        for loss in ("mse", "log_loss"):
            [(t, _)] = race({loss: lambda pair=pair, loss=loss: loss_surfaces(
                net.get_params(), large.X_train, large.y_train, "tanh", "classification", pair,
                8.0, 120, losses=(loss,))}, trials=3).values()
            per = t / (120 * 120 * large.X_train.shape[1])
            print(f"  {' '.join(pair):24}{loss:>10}{per:>12.2e} s   (budget assumes "
                  f"{LANDSCAPE_SECONDS:.0e})")


if __name__ == "__main__":
    main()
