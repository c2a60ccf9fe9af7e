"""Command line: train one net, or compare MSE with log-loss from the same start.

    python -m twolayer train   --dataset moons --hidden 16 --activation tanh --lr 0.5 \
        --batch-size 32 --epochs 300 [--json]
    python -m twolayer compare --dataset moons --hidden 8 --activation sigmoid --lr 1.0 \
        --output-bias -8 [--json]

A wrong argument exits with status 2 and a one-line reason. Same arguments, same output.
"""

import argparse
import json
import sys

from .activations import HIDDEN_ACTIVATIONS
from .data import DATASETS, make_dataset
from .losses import LOSSES
from .net import TwoLayerNet
from .train import Trainer

CHOICES = (
    "datasets:    " + ", ".join(f"{name} ({task})" for name, task in DATASETS.items()) + "\n"
    f"activations: {', '.join(HIDDEN_ACTIVATIONS)}\n"
    f"losses:      {', '.join(LOSSES)} (default: log_loss for classification, mse for "
    "regression; log_loss needs a classification dataset)"
)


def make_parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dataset", default="moons", choices=DATASETS, metavar="NAME",
                        help="one of the datasets listed below (default: moons)")
    common.add_argument("--samples", type=int, default=500, help="number of samples (500)")
    common.add_argument("--noise", type=float, default=0.2, help="noise of the data (0.2)")
    common.add_argument("--test-fraction", type=float, default=0.3,
                        help="share of the samples held out for testing (0.3)")
    common.add_argument("--hidden", type=int, default=8, help="hidden units (8)")
    common.add_argument("--activation", default="tanh", choices=HIDDEN_ACTIVATIONS,
                        help="hidden activation (tanh)")
    common.add_argument("--lr", type=float, default=0.3, help="learning rate (0.3)")
    common.add_argument("--batch-size", type=int, default=None,
                        help="mini-batch size (default: the whole training set)")
    common.add_argument("--epochs", type=int, default=300, help="epochs to train (300)")
    common.add_argument("--l2", type=float, default=0.0, help="L2 weight decay (0)")
    common.add_argument("--output-bias", type=float, default=0.0, metavar="B",
                        help="start the output bias b2 at B; -8 is a saturated start (0)")
    common.add_argument("--seed", type=int, default=0,
                        help="seeds the data, the initial weights and the batch order (0)")
    common.add_argument("--json", action="store_true", help="print one JSON object")

    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="python -m twolayer", epilog=CHOICES,
                                     formatter_class=fmt,
                                     description="Train a two-layer NumPy network.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = commands.add_parser("train", parents=[common], epilog=CHOICES, formatter_class=fmt,
                                help="train one net and report its losses and metric")
    train.add_argument("--loss", default=None, choices=LOSSES, help="the loss (see below)")
    commands.add_parser("compare", parents=[common], epilog=CHOICES, formatter_class=fmt,
                        help="train an MSE and a log-loss net from identical weights")
    return parser


def make_trainer(args, data, loss):
    """A net (its b2 at --output-bias) and its Trainer; ValueError on a bad setting."""
    net = TwoLayerNet(data.n_inputs, args.hidden, args.activation, data.task, loss, args.seed)
    params = net.get_params()
    params["b2"][:] = args.output_bias
    net.set_params(params)  # checks that the bias is finite
    # Snapshots are for the app; here only the last one is kept.
    return Trainer(net, data, lr=args.lr, batch_size=args.batch_size, l2=args.l2,
                   seed=args.seed, snapshot_every=max(args.epochs, 1))


def summarise(trainer):
    """The final losses and metric of the trained net (metric by sklearn), and its History."""
    from sklearn.metrics import accuracy_score, r2_score

    net, data = trainer.net, trainer.data
    summary = {"epochs_run": trainer.epoch,
               "diverged": False if trainer.diverged is None else trainer.diverged}
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        summary[f"{part}_loss"] = net.loss(X, y)
        a2 = net.predict(X)[0]
        if data.task == "classification":
            summary[f"{part}_accuracy"] = float(accuracy_score(y[0], a2 >= 0.5))
        else:
            summary[f"{part}_r2"] = float(r2_score(y[0], a2))
    summary["history"] = trainer.history.as_dict()
    return summary


def rows(summary):
    """(label, formatted value) lines of the human-readable summary."""
    metric = "accuracy" if "test_accuracy" in summary else "r2"
    diverged = summary["diverged"]
    return [("epochs run", str(summary["epochs_run"])),
            ("train loss", f"{summary['train_loss']:.4f}"),
            ("test loss", f"{summary['test_loss']:.4f}"),
            (f"train {metric}", f"{summary[f'train_{metric}']:.3f}"),
            (f"test {metric}", f"{summary[f'test_{metric}']:.3f}"),
            ("diverged", "no" if diverged is False else f"epoch {diverged}")]


def main(argv=None):
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.epochs < 0:
        parser.error(f"argument --epochs: must be >= 0, got {args.epochs}")
    losses = [args.loss] if args.command == "train" else ["mse", "log_loss"]
    try:
        data = make_dataset(args.dataset, args.samples, args.noise, args.test_fraction, args.seed)
        if args.command == "compare" and data.task != "classification":
            raise ValueError(f"compare needs a classification dataset; {args.dataset!r} is "
                             "regression")
        trainers = {loss: make_trainer(args, data, loss) for loss in losses}
    except ValueError as err:
        parser.error(str(err))

    results = {}
    for trainer in trainers.values():
        trainer.run(args.epochs)
        results[trainer.net.loss_name] = summarise(trainer)

    if args.json:
        out = results if args.command == "compare" else next(iter(results.values()))
        print(json.dumps(out))
        return 0
    first = next(iter(trainers.values()))
    print(f"{args.dataset} ({data.task}), {args.samples} samples: {args.hidden} "
          f"{args.activation} hidden units, lr {args.lr}, batch {first.batch_size}")
    table = {name: rows(summary) for name, summary in results.items()}
    print(f"{'':16}" + "".join(f"{name:>12}" for name in table))
    for i, (label, _) in enumerate(next(iter(table.values()))):
        print(f"{label:16}" + "".join(f"{lines[i][1]:>12}" for lines in table.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
