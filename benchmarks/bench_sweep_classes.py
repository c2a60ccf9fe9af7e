"""What do K classes cost a sweep? Prints net-epochs per second of a Sweep of 96 nets
(mse and log_loss x 6 learning rates 0.01 .. 3 x 8 seeds, a grid; 2-8-K tanh, batch 32, the
loss and the metric on train and test after every epoch) on the spiral (500 samples, 350 to
train) for K = 2 (one sigmoid output), 3 and 5 (softmax outputs), next to the same nets as
single Trainer runs one after another (a few of them timed), with the load average at the
start and at the end.

Timing: benchmarks/timing.py (median of interleaved trials, 5 epochs each).

    python benchmarks/bench_sweep_classes.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import interleaved  # noqa: E402  (benchmarks/timing.py, beside this script)

from twolayer import TwoLayerNet  # noqa: E402
from twolayer.data import make_dataset  # noqa: E402
from twolayer.sweep import Sweep, grid  # noqa: E402
from twolayer.train import Trainer  # noqa: E402

# Up to 3, none diverging: a net that diverges stops training, and the rate would count it.
LRS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
EPOCHS = 5


def main():
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) at the start")
    contenders, nets = {}, {}
    for K in (2, 3, 5):
        data = make_dataset("spiral", 500, 0.2, 0.3, 0, n_classes=K)
        runs = grid(["mse", "log_loss"], LRS, range(8))
        sweep = Sweep(data, runs, hidden=8, activation="tanh", batch_size=32)
        contenders[f"sweep K={K}"] = (lambda s=sweep: s.run(EPOCHS), 1)
        nets[f"sweep K={K}"] = len(runs)
        trainers = [Trainer(TwoLayerNet(2, 8, "tanh", loss=run.loss, seed=run.seed,
                                        n_classes=K), data, run.lr, 32, seed=run.seed)
                    for run in runs[::12]]   # 8 of them: both losses, every learning rate
        contenders[f"single K={K}"] = (lambda ts=trainers: [t.run(EPOCHS) for t in ts], 1)
        nets[f"single K={K}"] = len(trainers)
    seconds = interleaved(contenders, trials=7)
    for name, (fn, _) in contenders.items():
        owner = fn.__defaults__[0]
        diverged = owner.diverged.any() if isinstance(owner, Sweep) else any(
            t.diverged for t in owner)
        assert not diverged, f"{name}: a net diverged, and the rate would count it"
    print(f"{'':14}{'net-epochs/s':>14}{'x single':>10}")
    for name, s in seconds.items():
        rate = nets[name] * EPOCHS / s
        single = nets[name.replace("sweep", "single")] * EPOCHS / seconds[
            name.replace("sweep", "single")]
        ratio = f"{rate / single:>10.1f}" if name.startswith("sweep") else ""
        print(f"{name:14}{rate:>14.0f}{ratio}")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) at the end")


if __name__ == "__main__":
    main()
