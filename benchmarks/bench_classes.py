"""What do K classes cost? Prints microseconds per full-batch step and epochs per second of
Trainer.run (batch 32) for K = 2 (the sigmoid net), 3 and 5 (softmax), both losses, on the
spiral (350 training samples, 32 tanh units), and the K = 3 saturated start of `compare`.

Timing: benchmarks/timing.py (median of interleaved trials).

    python benchmarks/bench_classes.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import interleaved  # noqa: E402  (benchmarks/timing.py, beside this script)

from twolayer import TwoLayerNet  # noqa: E402
from twolayer.compare import Comparison, epochs_until  # noqa: E402
from twolayer.data import make_dataset  # noqa: E402
from twolayer.train import Trainer  # noqa: E402


def main():
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) at the start")
    contenders = {}
    for K in (2, 3, 5):
        data = make_dataset("spiral", 500, 0.2, 0.3, 0, n_classes=K)
        for loss in ("mse", "log_loss"):
            net = TwoLayerNet(2, 32, "tanh", "classification", loss, n_classes=K)
            X, y = net._check(data.X_train, data.y_train)
            contenders[f"K={K} {loss:8} step"] = (
                lambda net=net, X=X, y=y: net._step(X, y, 1e-6), 20)
            trainer = Trainer(net.copy(), data, lr=0.1, batch_size=32)
            contenders[f"K={K} {loss:8} epoch"] = (lambda t=trainer: t.run(1), 2)
    times = interleaved(contenders, 15)
    for name, seconds in times.items():
        if name.endswith("step"):
            print(f"{name}  {seconds * 1e6:8.1f} us per full-batch step (350 samples)")
        else:
            print(f"{name}  {1 / seconds:8.0f} epochs/s (batch 32, with the history)")
    print("\nsaturated start, output bias -8 (b2 = 0, -8, ...): 8 sigmoid units, lr 1, full "
          "batch, 300 epochs")
    for name, K in (("moons", 2), ("blobs", 3), ("linear", 3), ("spiral", 3)):
        data = make_dataset(name, 500, 0.2, 0.3, 0, n_classes=K)
        cmp = Comparison(data, hidden=8, activation="sigmoid", lr=1.0, output_bias=-8.0)
        h = cmp.run(300).histories
        ratio = h["log_loss"].grad_norm["W2"][0] / h["mse"].grad_norm["W2"][0]
        reach = {loss: epochs_until(h[loss].test_metric, 0.9) for loss in h}
        print(f"{name:7} K={K}: epoch-1 ||dW2|| log-loss/MSE {ratio:7.0f}; epochs to test "
              f"accuracy 0.9: log-loss {reach['log_loss']}, MSE {reach['mse']}; at 300: "
              f"{h['log_loss'].test_metric[-1]:.3f} vs {h['mse'].test_metric[-1]:.3f}")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) at the end")


if __name__ == "__main__":
    main()
