"""Many nets at once: how fast is a sweep, per net, next to TensorFlow Playground and to one net
at a time? Prints, in one run, with the load average (`uptime`) at the start and at the end:

0. The headline: the 128-net sweep (2 losses x 8 learning rates x 8 seeds, batch 10, 250
   training points, 2-8-1 tanh; the loss and the metric on train and test after every epoch)
   in net-epochs per second, next to TensorFlow Playground's own network code, src/nn.ts,
   compiled to JavaScript and run under node by benchmarks/nn_playground.js with playground.ts's
   oneStep loop (forwardProp and backProp per point, updateWeights every 10 points, then the
   loss on train and on test) on the same points: 128 nets, one after another. The two
   alternate in rounds (Python trials, then one node process that warms up for a second and
   times its trials), so that a busy machine slows both alike. Goal: the sweep >= 5x nn.ts.
1. net-epochs per second at TensorFlow Playground's setting (2-8-1 tanh, circles, 500 samples
   of which 250 train, no noise, batch 10, lr 0.03; the loss and the metric on train and on test
   after every epoch): a Sweep of K = 1, 16, 64, 128, 512 nets (half MSE, half log-loss, every
   net a seed of its own: the worst case, one sample order to draw per net and epoch; and, for
   K = 128 and 512, a grid of 8 seeds x learning rates 0.003 to 0.3), against one Trainer, and
   against a lean single-net NumPy loop written here (the same math, no checks, no History, the
   same evaluation), with the peak memory (tracemalloc) of each;
2. the public TwoLayerNet.step in a batch-10 loop (it checks X and y on every call) against
   the unchecked net._step and the lean step: what the input checks cost (goal <= 1.5x lean).

Timing: the median of short trials, the contenders interleaved in a rotating order so that a
busy machine slows them alike. Before timing, each Sweep is checked against single Trainer
runs (net-epochs are only worth counting if each net is the run it claims to be).

    python benchmarks/bench_sweep.py [--nn-js PATH] [--quick]

PATH (or the environment variable NN_JS) is Playground's nn.ts compiled to CommonJS. Built
outside the repository, with TypeScript from npm (the version Playground's package.json pins)
and node 20 (measured with tensorflow/playground at commit 02469bd, its head since 2022):

    git clone https://github.com/tensorflow/playground /tmp/playground
    mkdir -p /tmp/nnts && cd /tmp/nnts
    cp /tmp/playground/src/nn.ts /tmp/playground/tsconfig.json .
    npm init -y && npm install typescript@2.9
    npx tsc -p . --outDir build            # -> /tmp/nnts/build/nn.js

Without it, part 0 is skipped (with a note). --quick runs part 0 only.
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import interleaved  # noqa: E402  (benchmarks/timing.py, beside this script)

from twolayer import TwoLayerNet  # noqa: E402
from twolayer.data import make_dataset  # noqa: E402
from twolayer.sweep import Run, Sweep  # noqa: E402
from twolayer.train import Trainer  # noqa: E402

TRIALS = 15
KS = (1, 16, 64, 128, 512)
HIDDEN, ACTIVATION, BATCH, LR = 8, "tanh", 10, 0.03
GOAL = 10_000  # net-epochs/s at K = 128 (part 0 measures the goal that counts, against nn.ts)


class LeanLoop:
    """One net, one epoch at a time, in plain NumPy: shuffle, mini-batch steps, then the loss and
    accuracy on train and test, as Trainer records them; nothing else."""

    def __init__(self, net, data, loss):
        self.W1, self.b1, self.W2, self.b2 = (v.copy() for v in net.params().values())
        self.X, self.y = data.X_train, data.y_train
        self.X_test, self.y_test = data.X_test, data.y_test
        self.mse = loss == "mse"
        self.epoch = 0

    def step(self, X, y):
        z1 = self.W1 @ X + self.b1
        a1 = np.tanh(z1)
        a2 = 1.0 / (1.0 + np.exp(-(self.W2 @ a1 + self.b2)))
        delta2 = (-2.0 * (y - a2) * a2 * (1.0 - a2) if self.mse else a2 - y) / X.shape[1]
        delta1 = (self.W2.T @ delta2) * (1.0 - a1 * a1)
        self.W2 -= LR * (delta2 @ a1.T)
        self.b2 -= LR * delta2.sum(axis=1, keepdims=True)
        self.W1 -= LR * (delta1 @ X.T)
        self.b1 -= LR * delta1.sum(axis=1, keepdims=True)

    def evaluate(self, X, y):
        z2 = self.W2 @ np.tanh(self.W1 @ X + self.b1) + self.b2
        a2 = 1.0 / (1.0 + np.exp(-z2))
        loss = np.mean((y - a2) ** 2) if self.mse else np.mean(np.logaddexp(0.0, z2) - y * z2)
        return loss, np.mean((a2 >= 0.5) == (y >= 0.5))

    def run_epoch(self):
        self.epoch += 1
        order = np.random.default_rng((0, self.epoch)).permutation(self.X.shape[1])
        X, y = self.X[:, order], self.y[:, order]
        for start in range(0, X.shape[1], BATCH):
            self.step(X[:, start:start + BATCH], y[:, start:start + BATCH])
        return self.evaluate(self.X, self.y), self.evaluate(self.X_test, self.y_test)


GRID_SEEDS = 8


def sweep_runs(K, seeds=None):
    """K runs, half MSE, half log-loss: one seed per net (seeds None), or a grid of ``seeds``
    seeds x K / (2 seeds) learning rates around 0.03 per loss."""
    if seeds is None:
        return [Run("mse" if k % 2 == 0 else "log_loss", LR, k) for k in range(K)]
    lrs = np.geomspace(LR / 10, LR * 10, K // (2 * seeds))
    return [Run(loss, float(lr), s) for loss in ("mse", "log_loss") for lr in lrs
            for s in range(seeds)]


def uptime():
    """`uptime`'s line (the load average over 1, 5 and 15 minutes)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load average: {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def new_sweep(data, K, seeds=None):
    return Sweep(data, sweep_runs(K, seeds), hidden=HIDDEN, activation=ACTIVATION,
                 batch_size=BATCH)


def check_sweep(data, K, epochs=5, seeds=None):
    """(the largest difference of any net's training losses to its own Trainer run, whether
    its weights are the Trainer's to the bit), for a few nets of the sweep."""
    sw = new_sweep(data, K, seeds).run(epochs)
    worst, identical = 0.0, True
    for k in sorted({0, 1, K // 2, K - 1}):
        run = sw.runs[k]
        t = Trainer(TwoLayerNet(2, HIDDEN, ACTIVATION, data.task, run.loss, seed=run.seed),
                    data, lr=run.lr, batch_size=BATCH, seed=run.seed)
        t.run(epochs)
        worst = max(worst, float(np.max(np.abs(np.array(t.history.train_loss)
                                               - sw.history["train_loss"][k]))))
        identical &= all(np.array_equal(sw.params[p][k], getattr(t.net, p))
                         for p in ("W1", "b1", "W2", "b2"))
    return worst, identical


# -- 0. against TensorFlow Playground's nn.ts under node ----------------------------------------

NODE_DRIVER = Path(__file__).resolve().parent / "nn_playground.js"
ROUNDS = 5            # Python trials, then one node process, this many times
PY_TRIALS = 3         # per round, each PY_EPOCHS epochs of the 128-net sweep
PY_EPOCHS = 4
NODE_TRIALS = 3       # per node process, after its warm-up, each NODE_EPOCHS epochs of 128 nets
NODE_EPOCHS = 4
PLAYGROUND_GOAL = 5.0


def playground_points(data):
    """The data as Playground keeps it: [x1, x2, label] per point, labels -1 and +1."""
    def points(X, y):
        return [[float(a), float(b), 2.0 * float(c) - 1.0]
                for a, b, c in zip(X[0], X[1], y[0], strict=True)]
    return {"train": points(data.X_train, data.y_train), "test": points(data.X_test, data.y_test)}


def bench_against_nn_ts(data, nn_js):
    """{"sweep": [net-epochs/s per trial], "nn.ts": [...], "node": version}."""
    sw = new_sweep(data, 128, GRID_SEEDS).run(1)
    ours, theirs, version = [], [], None
    with tempfile.TemporaryDirectory() as tmp:
        points = Path(tmp) / "points.json"
        points.write_text(json.dumps(playground_points(data)))
        for _ in range(ROUNDS):
            gc.disable()
            try:
                for _ in range(PY_TRIALS):
                    t0 = time.perf_counter()
                    sw.run(PY_EPOCHS)
                    ours.append(sw.K * PY_EPOCHS / (time.perf_counter() - t0))
            finally:
                gc.enable()
            out = subprocess.run(["node", str(NODE_DRIVER), str(nn_js), str(points), "128",
                                  str(NODE_EPOCHS), str(NODE_TRIALS)], capture_output=True,
                                 text=True, timeout=600, check=True)
            result = json.loads(out.stdout)
            assert result["finite"], "nn.ts produced a non-finite loss"
            theirs.extend(128 * NODE_EPOCHS / s for s in result["trials"])
            version = result["node"]
    assert not sw.diverged.any()
    return {"sweep": ours, "nn.ts": theirs, "node": version}


def report_against_nn_ts(data, nn_js):
    print("0. The 128-net sweep (2 losses x 8 learning rates 0.003-0.3 x 8 seeds, batch 10, 250 "
          "training points, 2-8-1 tanh,")
    print("   loss and metric on train and test every epoch) against TensorFlow Playground's "
          "nn.ts under node (oneStep: 128 nets")
    print("   one after another, squared error, tanh output, loss on train and test every "
          "epoch), alternating in rounds")
    if not nn_js:
        print("   skipped: no compiled nn.js given (--nn-js PATH or NN_JS; how to build it: this "
              "file's docstring)\n")
        return
    r = bench_against_nn_ts(data, nn_js)
    ours, theirs = statistics.median(r["sweep"]), statistics.median(r["nn.ts"])
    print(f"   {'':30}{'net-epochs/s':>13}{'range':>20}")
    print(f"   {'Sweep (NumPy)':30}{ours:>13,.0f}{min(r['sweep']):>10,.0f} - "
          f"{max(r['sweep']):<8,.0f}")
    print(f"   {'nn.ts, node ' + r['node']:30}{theirs:>13,.0f}{min(r['nn.ts']):>10,.0f} - "
          f"{max(r['nn.ts']):<8,.0f}")
    print(f"   -> Sweep / nn.ts = {ours / theirs:.1f}x (goal >= {PLAYGROUND_GOAL:g}x: "
          f"{'met' if ours / theirs >= PLAYGROUND_GOAL else 'NOT met'}); {uptime()}")
    # On a shared machine the medians move with the load; the best trial of each is the
    # nearest this run gets to a quiet machine.
    best = max(r["sweep"]) / max(r["nn.ts"])
    print(f"      best trial against best trial: {best:.1f}x\n")


def peak_memory(fn):
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bench_nets_per_second(data):
    """{name: (net-epochs/s, peak bytes)} for the Trainer, the lean loop and each Sweep."""
    trainer = Trainer(TwoLayerNet(2, HIDDEN, ACTIVATION, data.task, "mse", seed=0), data,
                      lr=LR, batch_size=BATCH, seed=0, snapshot_every=10**9)
    lean = LeanLoop(TwoLayerNet(2, HIDDEN, ACTIVATION, data.task, "mse", seed=0), data, "mse")
    sweeps = {f"Sweep, K = {K}": (K, None) for K in KS}
    sweeps.update({f"Sweep, K = {K}, {GRID_SEEDS} seeds": (K, GRID_SEEDS) for K in (128, 512)})
    # Epochs per trial: about 50 ms of work each.
    contenders = {"Trainer (one net)": (lambda: trainer.run(1), 40),
                  "lean NumPy loop (one net)": (lean.run_epoch, 60)}
    nets = {"Trainer (one net)": 1, "lean NumPy loop (one net)": 1}
    for name, (K, seeds) in sweeps.items():
        sw = new_sweep(data, K, seeds)
        contenders[name] = ((lambda sw=sw: sw.run(1)), max(1, 400 // K))
        nets[name] = K
    seconds = interleaved(contenders, TRIALS)
    peaks = {"Trainer (one net)": peak_memory(lambda: Trainer(
                 TwoLayerNet(2, HIDDEN, ACTIVATION, data.task, "mse", seed=0), data, lr=LR,
                 batch_size=BATCH, seed=0, snapshot_every=10**9).run(20)),
             "lean NumPy loop (one net)": peak_memory(lambda: [lean.run_epoch()
                                                               for _ in range(20)])}
    for name, (K, seeds) in sweeps.items():
        peaks[name] = peak_memory(lambda K=K, seeds=seeds: new_sweep(data, K, seeds).run(3))
    return {name: (nets[name] / s, peaks[name]) for name, s in seconds.items()}


def bench_checks(data):
    """Seconds per epoch of batch-10 steps (no evaluation): net.step, net._step, lean step."""
    nets = {name: TwoLayerNet(2, HIDDEN, ACTIVATION, data.task, "log_loss", seed=0)
            for name in ("step", "_step")}
    lean = LeanLoop(nets["step"], data, "log_loss")
    order = np.random.default_rng(0).permutation(data.X_train.shape[1])
    X, y = data.X_train[:, order], data.y_train[:, order]
    batches = [(X[:, s:s + BATCH], y[:, s:s + BATCH]) for s in range(0, X.shape[1], BATCH)]

    def loop(step):
        def run():
            for Xb, yb in batches:
                step(Xb, yb)
        return run

    return interleaved({
        "TwoLayerNet.step (checks X, y)": (loop(lambda X, y: nets["step"].step(X, y, LR)), 20),
        "TwoLayerNet._step (no checks)": (loop(lambda X, y: nets["_step"]._step(X, y, LR)), 20),
        "lean step": (loop(lean.step), 20)}, TRIALS)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nn-js", default=os.environ.get("NN_JS"),
                        help="Playground's nn.ts compiled to CommonJS (default: $NN_JS)")
    parser.add_argument("--quick", action="store_true", help="part 0 only")
    args = parser.parse_args(argv)
    data = make_dataset("circles", 500, noise=0.0, test_fraction=0.5, seed=0)
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs; {uptime()}\n")
    checks = [check_sweep(data, K, seeds=seeds) for K, seeds in ((16, None), (128, None),
                                                                   (128, GRID_SEEDS))]
    worst = max(w for w, _ in checks)
    same = "to the bit" if all(i for _, i in checks) else "NOT to the bit"
    print(f"Check: nets of a sweep against their own Trainer runs after 5 epochs: training "
          f"losses differ by at most {worst:.1e}; weights equal {same}\n")
    assert worst < 1e-9
    report_against_nn_ts(data, args.nn_js)
    if args.quick:
        return
    print(f"Each figure below the median of {TRIALS} interleaved trials\n")

    print("1. TensorFlow Playground's setting: 2-8-1 tanh, 250 training and 250 test points, "
          "batch 10 (25 steps/epoch),")
    print("   lr 0.03, loss and accuracy on train and test every epoch; sweeps half MSE, half "
          "log-loss, one seed per net")
    results = bench_nets_per_second(data)
    trainer = results["Trainer (one net)"][0]
    print(f"   {'':34}{'net-epochs/s':>13}{'vs Trainer':>12}{'ms per epoch':>14}"
          f"{'peak memory':>13}")
    for name, (rate, peak) in results.items():
        K = int(name.split("= ")[1].split(",")[0]) if "=" in name else 1
        print(f"   {name:34}{rate:>13,.0f}{rate / trainer:>11.1f}x{K / rate * 1e3:>14.2f}"
              f"{peak / 1e6:>10.2f} MB")
    at_128 = results["Sweep, K = 128"][0]
    print(f"   -> K = 128: {at_128:,.0f} net-epochs/s (goal >= {GOAL:,}: "
          f"{'met' if at_128 >= GOAL else 'NOT met'})\n")

    print("2. What TwoLayerNet.step's input checks cost: a batch-10 loop over the same 25 "
          "batches, log-loss, no evaluation")
    t = bench_checks(data)
    lean = t["lean step"]
    print(f"   {'':34}{'us/epoch':>10}{'vs lean':>9}")
    for name, s in t.items():
        print(f"   {name:34}{s * 1e6:>10.0f}{s / lean:>8.2f}x")
    print(f"\nat the end: {uptime()}")


if __name__ == "__main__":
    main()
