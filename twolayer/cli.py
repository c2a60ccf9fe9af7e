"""What the command line's commands share: argument types, the options every command takes,
the data and trainers they make, and the table they print. The commands themselves, one
`add_<command>` / `run_<command>` pair each, are in twolayer/__main__.py."""

import argparse
import json
import math

from .activations import HIDDEN_ACTIVATIONS
from .data import DATASETS, GENERATORS, MAX_CLASSES, MULTICLASS, make_dataset
from .losses import LOSSES
from .net import TwoLayerNet
from .settings import SATURATED_BIAS
from .train import Trainer

MAX_CLI_GRID = 1001     # landscape: points per axis (the app allows fewer: settings.py)
MAX_CLI_SPAN = 1000.0
DEFAULT_LRS = "0.01,0.03,0.1,0.3,1,3,10"   # sweep
FORMAT = argparse.RawDescriptionHelpFormatter   # keeps CHOICES' lines as written

CHOICES = "\n".join(
    ["datasets:"]
    + [f"  {task + ':':16}{', '.join(gens)}" for task, gens in GENERATORS.items()]
    + [f"activations: {', '.join(HIDDEN_ACTIVATIONS)}",
       f"losses:      {', '.join(LOSSES)} (default: log_loss for classification, mse for "
       "regression)"])


# -- argument types ----------------------------------------------------------------------------

def count(text):
    """An argparse type: an integer >= 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {value}")
    return value


def classes(text):
    """An argparse type: a number of classes, 2 .. MAX_CLASSES."""
    value = int(text)
    if not 2 <= value <= MAX_CLASSES:
        raise argparse.ArgumentTypeError(f"must be an integer from 2 to {MAX_CLASSES}, got "
                                         f"{value}")
    return value


def learning_rates(text):
    """An argparse type: learning rates separated by commas, each a finite number > 0."""
    try:
        lrs = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    bad = [lr for lr in lrs if not (math.isfinite(lr) and lr > 0)]
    if bad:
        raise argparse.ArgumentTypeError(f"a learning rate must be a finite number > 0, got "
                                         f"{bad[0]}")
    return list(dict.fromkeys(lrs))


def seed_list(text):
    """An argparse type: seeds separated by commas, each an integer >= 0 or a range 'a-b'."""
    seeds = []
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        try:
            lo, hi = int(lo), int(hi or lo)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a seed or a range of seeds (like 0-7): "
                                             f"{part.strip()!r}") from None
        if hi < lo:
            raise argparse.ArgumentTypeError(f"empty range of seeds: {part.strip()!r}")
        seeds.extend(range(lo, hi + 1))
    return list(dict.fromkeys(seeds))


def loss_list(text):
    """An argparse type: loss names separated by commas."""
    losses = [part.strip() for part in text.split(",")]
    for loss in losses:
        if loss not in LOSSES:
            raise argparse.ArgumentTypeError(f"unknown loss {loss!r}; allowed: "
                                             f"{', '.join(LOSSES)}")
    return list(dict.fromkeys(losses))


# -- options shared by the commands ------------------------------------------------------------

def common_options():
    """The options of every command: the data, the net, its training and --json."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dataset", default=None, choices=DATASETS, metavar="NAME",
                        help="one of the datasets listed below (default: moons; spiral with "
                             "--classes 3 or more)")
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
    common.add_argument("--epochs", type=count, default=300, help="epochs to train (300)")
    common.add_argument("--l2", type=float, default=0.0, help="L2 weight decay (0)")
    common.add_argument("--output-bias", type=float, default=0.0, metavar="B",
                        help=f"start the output bias b2 at B; {SATURATED_BIAS:g} is a saturated "
                             "start (0)")
    common.add_argument("--seed", type=count, default=0,
                        help="seeds the data, the initial weights and the batch order (0)")
    common.add_argument("--data-seed", type=count, default=None, metavar="D",
                        help="seeds the data instead (default: --seed)")
    common.add_argument("--json", action="store_true", help="print one JSON object")
    return common


def new_command(commands, name, help, epilog=CHOICES):
    """A subcommand with the common options, whose errors show its own usage."""
    command = commands.add_parser(name, parents=[common_options()],
                                  usage="%(prog)s [options]",  # the options are listed by --help
                                  epilog=epilog, formatter_class=FORMAT, help=help)
    command.set_defaults(error=command.error)
    return command


def add_loss_option(command, help="the loss (see below)"):
    command.add_argument("--loss", default=None, choices=LOSSES, help=help)


def add_classes_option(command):
    command.add_argument("--classes", type=classes, default=2, metavar="K",
                         help=f"classes, 2 to {MAX_CLASSES}: softmax outputs for K >= 3, on "
                              f"{', '.join(MULTICLASS)} (spiral: K arms, blobs: K centres, "
                              "linear: up to 4) (2)")


# -- what the commands share -------------------------------------------------------------------

def data_for(args):
    """The data set of the arguments: seeded by --data-seed, or by --seed without it."""
    seed = args.seed if args.data_seed is None else args.data_seed
    n_classes = getattr(args, "classes", 2)   # every command but export takes --classes
    if n_classes == 2:
        return make_dataset(args.dataset, args.samples, args.noise, args.test_fraction, seed)
    return make_dataset(args.dataset, args.samples, args.noise, args.test_fraction, seed,
                        n_classes=n_classes)


def make_trainer(args, data, loss):
    """A net (its b2 at --output-bias) and its Trainer; ValueError on a bad setting."""
    net = TwoLayerNet(data.n_inputs, args.hidden, args.activation, data.task, loss, args.seed,
                      n_classes=data.n_classes)
    net.set_output_bias(args.output_bias)  # checks that the bias is finite
    # Snapshots are for the app; here only the last one is kept.
    return Trainer(net, data, lr=args.lr, batch_size=args.batch_size, l2=args.l2,
                   seed=args.seed, snapshot_every=max(args.epochs, 1))


def make_trainers(args, losses, needs_classification=None):
    """The data and one Trainer per loss, all from the same seed: identical initial weights and
    identical batches for every loss. A bad setting exits through the command's error.
    needs_classification names what refuses a regression dataset (compare, export --compare)."""
    try:
        data = data_for(args)
        if needs_classification and data.task != "classification":
            raise ValueError(f"{needs_classification} needs a classification dataset; "
                             f"{args.dataset!r} is regression")
        return data, [make_trainer(args, data, loss) for loss in losses]
    except ValueError as err:
        args.error(str(err))


def final_numbers(net, data):
    """The final losses and metric of a trained net on data (metric by sklearn)."""
    from sklearn.metrics import accuracy_score, r2_score

    numbers = {}
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        numbers[f"{part}_loss"] = net.loss(X, y)
        if data.task == "classification":
            numbers[f"{part}_accuracy"] = float(accuracy_score(y[0], net.predict_class(X)))
        else:
            numbers[f"{part}_r2"] = float(r2_score(y[0], net.predict(X)[0]))
    return numbers


def summarise(trainer):
    """The final losses and metric of the trained net (metric by sklearn), and its History."""
    summary = {"epochs_run": trainer.epoch,
               "diverged": False if trainer.diverged is None else trainer.diverged,
               **final_numbers(trainer.net, trainer.data)}
    summary["history"] = trainer.history.as_dict()
    return summary


def print_table(title, results):
    """A few lines for a person: one column per trained net."""
    print(title)
    print(f"{'':16}" + "".join(f"{name:>12}" for name in results))
    first = next(iter(results.values()))
    metric = "accuracy" if "test_accuracy" in first else "r2"
    for label, key, fmt in (("epochs run", "epochs_run", "d"), ("train loss", "train_loss", ".4f"),
                            ("test loss", "test_loss", ".4f"),
                            (f"train {metric}", f"train_{metric}", ".3f"),
                            (f"test {metric}", f"test_{metric}", ".3f")):
        print(f"{label:16}" + "".join(f"{r[key]:>12{fmt}}" for r in results.values()))
    diverged = ["no" if r["diverged"] is False else f"epoch {r['diverged']}"
                for r in results.values()]
    print(f"{'diverged':16}" + "".join(f"{d:>12}" for d in diverged))


def train_and_report(args, data, trainers):
    """Train each net for --epochs; a table (or JSON) of their final numbers, keyed by loss."""
    results = {}
    for trainer in trainers:
        trainer.run(args.epochs)
        results[trainer.net.loss_name] = summarise(trainer)
    if args.json:
        print(json.dumps(results if len(trainers) > 1 else next(iter(results.values()))))
    else:
        kind = data.task if data.n_classes == 2 else f"{data.n_classes} classes"
        print_table(f"{args.dataset} ({kind}), {args.samples} samples: {args.hidden} "
                    f"{args.activation} hidden units, lr {args.lr}, "
                    f"batch {trainers[0].batch_size}", results)
    return 0
