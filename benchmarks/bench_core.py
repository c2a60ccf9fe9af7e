"""How fast is the core? Prints, in one run:

1. microseconds per full-batch step (1000 moons samples, 16 sigmoid units, log-loss):
   TwoLayerNet._step against a lean hand-optimised NumPy step (preallocated buffers, out=);
2. epochs per second at TensorFlow Playground's default setting (500 samples of which half
   train, no noise, batch 10, lr 0.03; 8 tanh units; squared error, as Playground uses, here
   with our sigmoid output): Trainer.run against the same lean step in a loop of shuffled
   mini-batches without bookkeeping, and against a loop of the bare net._step over the same
   batches, whose difference to Trainer.run is the bookkeeping (history, norms, snapshots);
   the bare loop plus only the gradient norms, or plus only the per-epoch evaluation, shows
   where the bookkeeping goes;
3. the same bookkeeping figures at batch 32 and at full batch.

Timing: time.perf_counter over many repetitions, the median of many short trials, the
contenders interleaved (in a rotating order) so that a busy machine slows them alike. Before
timing, each contender trains from the same weights on the same batches for at least 50 steps
or 100 epochs and must end on the weights of the core (the "weights" column).

    python benchmarks/bench_core.py
"""

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import interleaved  # noqa: E402  (benchmarks/timing.py, beside this script)

from twolayer import TwoLayerNet  # noqa: E402
from twolayer.data import make_dataset  # noqa: E402
from twolayer.net import PARAMS  # noqa: E402
from twolayer.train import Trainer  # noqa: E402

TRIALS = 31  # short trials, many of them: a burst of load elsewhere hits few


class LeanNet:
    """The same math as TwoLayerNet (classification), the same floating-point operations in the
    same order, but every intermediate lives in a buffer allocated once per batch size, written
    with out= (positional for ufuncs, ``A.dot(B, out)``), and the batches are views of the data
    shuffled once per epoch."""

    def __init__(self, net):
        self.W1, self.b1, self.W2, self.b2 = (v.copy() for v in net.params().values())
        self.activation, self.loss = net.activation, net.loss_name
        self.buffers = {}

    def _buffers(self, m):
        """z1, a1, t1, d1, z2, a2, t2, d2, dW1, db1, dW2, db2 for a batch of m samples."""
        if m not in self.buffers:
            h, n = self.W1.shape
            shapes = [(h, m)] * 4 + [(1, m)] * 4 + [(h, n), (h, 1), (1, h), (1, 1)]
            self.buffers[m] = [np.empty(shape) for shape in shapes]
        return self.buffers[m]

    @staticmethod
    def _sigmoid(z, out, e):
        # where(z >= 0, 1, e) / (1 + e) with e = exp(-|z|), as twolayer.activations.sigmoid.
        # (np.copyto(out, 1.0, where=...) would avoid np.where's temporary, but branches on
        # the sign of each z and costs several times more.)
        np.abs(z, e)
        np.negative(e, e)
        np.exp(e, e)
        np.divide(np.where(z >= 0, 1.0, e), np.add(e, 1.0, e), out)

    def step(self, X, y, lr):
        """One gradient-descent step on the batch X (n_inputs, m), y (1, m)."""
        z1, a1, t1, d1, z2, a2, t2, d2, dW1, db1, dW2, db2 = self._buffers(X.shape[1])
        W1, b1, W2, b2 = self.W1, self.b1, self.W2, self.b2
        np.add(W1.dot(X, z1), b1, z1)
        if self.activation == "tanh":
            np.tanh(z1, a1)
        else:
            self._sigmoid(z1, a1, t1)
        np.add(W2.dot(a1, z2), b2, z2)
        self._sigmoid(z2, a2, t2)
        if self.loss == "log_loss":  # delta2 = (a2 - y) / m
            np.subtract(a2, y, d2)
        else:                        # delta2 = -2 (y - a2) a2 (1 - a2) / m
            np.multiply(np.subtract(y, a2, d2), -2.0, d2)
            np.multiply(d2, np.multiply(a2, np.subtract(1.0, a2, t2), t2), d2)
        np.divide(d2, X.shape[1], d2)
        d2.dot(a1.T, dW2)
        d2.sum(1, keepdims=True, out=db2)
        if self.activation == "tanh":  # g'(z1) into t1
            np.subtract(1.0, np.multiply(a1, a1, t1), t1)
        else:
            np.multiply(a1, np.subtract(1.0, a1, t1), t1)
        np.multiply(W2.T.dot(d2, d1), t1, d1)  # delta1 = (W2.T @ delta2) * g'(z1)
        d1.dot(X.T, dW1)
        d1.sum(1, keepdims=True, out=db1)
        for W, dW in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
            np.subtract(W, np.multiply(dW, lr, dW), W)

    def epoch(self, X, y, order, batch_size, lr):
        """One epoch of mini-batches: the data shuffled once, the batches slices (views) of it."""
        X, y = X.take(order, axis=1), y.take(order, axis=1)
        for start in range(0, X.shape[1], batch_size):
            self.step(X[:, start:start + batch_size], y[:, start:start + batch_size], lr)

    def params(self):
        return {"W1": self.W1, "b1": self.b1, "W2": self.W2, "b2": self.b2}


def bare_epoch(net, X, y, order, batch_size, lr, norms=False):
    """One epoch of net._step over the same batches as Trainer.run, without its bookkeeping;
    with norms=True, plus the per-step gradient norms that Trainer.run records."""
    X, y = X[:, order], y[:, order]
    sums = dict.fromkeys(PARAMS, 0.0)
    for start in range(0, X.shape[1], batch_size):
        grads = net._step(X[:, start:start + batch_size], y[:, start:start + batch_size], lr)
        if norms:
            for p, g in grads.items():
                sums[p] += math.sqrt(np.vdot(g, g))
    return sums


def evaluate(net, trainer):
    """What Trainer.run evaluates after each epoch: loss and metric on train and test."""
    for X, y in ((trainer.X, trainer.y), (trainer.X_test, trainer.y_test)):
        f = net._forward(X)
        net._loss(X, y, f=f), trainer._metric(y, f.a2)


def same_weights(a, b):
    """'identical' or the largest absolute difference."""
    diff = max(float(np.max(np.abs(a[p] - b[p]))) for p in PARAMS)
    return "identical" if diff == 0 else f"differ by up to {diff:.1e}"


def bench_step():
    from sklearn.datasets import make_moons

    X, y = make_moons(1000, noise=0.2, random_state=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    X, y = np.ascontiguousarray(X.T), y[None, :].astype(float)
    net = TwoLayerNet(2, 16, "sigmoid", "classification", "log_loss", seed=0)
    lean, checked = LeanNet(net), net.copy()
    for _ in range(50):
        net._step(X, y, 0.1)
        lean.step(X, y, 0.1)
    check = same_weights(net.params(), lean.params())
    t = interleaved({"TwoLayerNet._step": (lambda: net._step(X, y, 0.1), 60),
                     "lean step": (lambda: lean.step(X, y, 0.1), 60),
                     "TwoLayerNet.step (checks X, y)": (lambda: checked.step(X, y, 0.1), 60)},
                    TRIALS)
    return t, check


def bench_epochs(data, hidden, activation, loss, lr, batch_size, epochs, lean=True):
    """Seconds per epoch of Trainer.run and of leaner loops over the same batches, and whether
    each loop ends on Trainer.run's weights."""
    def new_net():
        return TwoLayerNet(data.n_inputs, hidden, activation, data.task, loss, seed=0)

    trainer = Trainer(new_net(), data, lr=lr, batch_size=batch_size, seed=0)
    X, y, bs = trainer.X, trainer.y, trainer.batch_size

    def epochs_of(epoch):
        """Runs `epochs` more epochs of epoch(order), in the trainer's order of batches."""
        done = [0]

        def run():
            for _ in range(epochs):
                done[0] += 1
                epoch(trainer.epoch_order(done[0]))
        return run

    nets = {name: new_net() for name in ("norms", "evaluation", "bare")}
    loops = {
        "Trainer.run": (lambda: trainer.run(epochs), trainer.net),
        "bare + gradient norms": (epochs_of(lambda order: bare_epoch(
            nets["norms"], X, y, order, bs, lr, norms=True)), nets["norms"]),
        "bare + evaluation": (epochs_of(lambda order: (bare_epoch(
            nets["evaluation"], X, y, order, bs, lr), evaluate(nets["evaluation"], trainer))),
            nets["evaluation"]),
        "bare net._step loop": (epochs_of(lambda order: bare_epoch(
            nets["bare"], X, y, order, bs, lr)), nets["bare"]),
    }
    if lean:
        lean_net = LeanNet(new_net())
        loops["lean loop"] = (epochs_of(lambda order: lean_net.epoch(X, y, order, bs, lr)),
                              lean_net)
    # Same start, same batches: after the same number of epochs, the same weights?
    checks = {}
    for name, (run, net) in loops.items():
        for _ in range(-(-100 // epochs)):
            run()
        checks[name] = same_weights(trainer.net.params(), net.params())
    t = interleaved({name: (run, 1) for name, (run, _) in loops.items()}, TRIALS)
    assert trainer.diverged is None
    return {name: s / epochs for name, s in t.items()}, checks


def main():
    print(f"numpy {np.__version__}; each figure the median of {TRIALS} interleaved trials\n")
    t, check = bench_step()
    core, lean = t["TwoLayerNet._step"], t["lean step"]
    print("1. One full-batch step: 1000 moons samples, 16 sigmoid units, log-loss")
    print(f"   {'':34}{'us/step':>10}{'vs lean':>10}")
    for name, s in t.items():
        print(f"   {name:34}{s * 1e6:>10.1f}{s / lean:>9.2f}x")
    print(f"   weights after 50 steps, core vs lean: {check}")
    print(f"   -> core step / lean step = {core / lean:.2f} (goal <= 1.2)\n")

    # Playground's defaults: 500 points, half of them for training, noise 0, batch 10, lr 0.03.
    playground = make_dataset("circles", 500, noise=0.0, test_fraction=0.5, seed=0)
    t, checks = bench_epochs(playground, 8, "tanh", "mse", 0.03, 10, epochs=15)
    trainer, bare, lean = t["Trainer.run"], t["bare net._step loop"], t["lean loop"]
    print("2. TensorFlow Playground's default: circles, 500 samples (250 train, 250 test), "
          "no noise,")
    print("   batch 10 (25 steps/epoch), lr 0.03, 8 tanh units, squared error (Playground's "
          "loss;")
    print("   its output unit is tanh, ours the sigmoid)")
    print(f"   {'':26}{'epochs/s':>10}{'ms/epoch':>10}{'vs lean':>9}{'vs bare':>9}  weights")
    for name, s in t.items():
        same = "-" if name == "Trainer.run" else checks[name]
        print(f"   {name:26}{1 / s:>10.0f}{s * 1e3:>10.3f}{s / lean:>8.2f}x{s / bare:>8.2f}x"
              f"  {same}")
    print(f"   -> bare step loop / lean loop = {bare / lean:.2f} (goal <= 1.2)")
    print(f"   -> bookkeeping: Trainer.run / bare loop = {trainer / bare:.2f} (goal <= 1.2); "
          f"norms {t['bare + gradient norms'] / bare - 1:+.0%}, "
          f"evaluation {t['bare + evaluation'] / bare - 1:+.0%}")
    print("   (for scale: Playground's nn.ts under node, ~2,300 epochs/s on this class of "
          "machine)\n")

    print("3. Bookkeeping at larger batches: moons, 500 samples (350 train), 16 tanh units, "
          "log-loss")
    print(f"   {'batch':>8}{'bare ms/epoch':>15}{'Trainer.run':>13}{'overhead':>10}"
          f"{'norms':>8}{'evaluation':>12}")
    moons = make_dataset("moons", 500, noise=0.2, seed=0)
    for bs, epochs in ((32, 30), (None, 100)):
        t, checks = bench_epochs(moons, 16, "tanh", "log_loss", 0.5, bs, epochs, lean=False)
        assert set(checks.values()) == {"identical"}, checks
        bare = t["bare net._step loop"]
        print(f"   {bs or 'full':>8}{bare * 1e3:>15.3f}{t['Trainer.run'] * 1e3:>13.3f}"
              f"{t['Trainer.run'] / bare - 1:>+10.0%}{t['bare + gradient norms'] / bare - 1:>+8.0%}"
              f"{t['bare + evaluation'] / bare - 1:>+12.0%}")


if __name__ == "__main__":
    main()
