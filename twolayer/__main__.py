"""Command line: train one net, compare MSE with log-loss from the same start, sweep many nets
at once, or map the loss over two parameters.

    python -m twolayer train   --dataset moons --hidden 16 --activation tanh --lr 0.5 \
        --batch-size 32 --epochs 300 [--json]
    python -m twolayer compare --dataset moons --hidden 8 --activation sigmoid --lr 1.0 \
        --output-bias -8 [--json]
    python -m twolayer train   --dataset spiral --classes 3 --hidden 32 --loss log_loss [--json]
    python -m twolayer sweep   --dataset moons --losses mse,log_loss --lrs 0.01,0.1,1,10 \
        --seeds 0-7 --data-seed 0 --epochs 300 [--target 0.9] [--json]
    python -m twolayer landscape --dataset moons --params 'W2[0,0]' b2 --span 8 --grid 61 \
        --epochs 0 --output-bias -8 [--json]
    python -m twolayer export  --format script|notebook [--output PATH] [--compare] \
        <train's arguments>

A wrong argument exits with status 2 and a one-line reason. Same arguments, same output.

Each command is a pair, `add_<command>(commands)` building its parser and `run_<command>(args)`
doing the work, listed in COMMANDS; `main` sits at the end. What the commands share (argument
types, the common options, the data and trainers, the printed table) is in twolayer/cli.py.
"""

import argparse
import json
import shlex
import sys
import time

import numpy as np

# Every name of twolayer.cli stays importable from here, as before the split.
from .cli import (  # noqa: F401
    CHOICES,
    DEFAULT_LRS,
    FORMAT,
    MAX_CLI_GRID,
    MAX_CLI_SPAN,
    add_classes_option,
    add_loss_option,
    classes,
    common_options,
    count,
    data_for,
    final_numbers,
    learning_rates,
    loss_list,
    make_trainer,
    make_trainers,
    new_command,
    print_table,
    seed_list,
    summarise,
    train_and_report,
)
from .sweep import Sweep, best_sentence, grid, summarize

# -- train -------------------------------------------------------------------------------------

def add_train(commands):
    train = new_command(commands, "train",
                        help="train one net and report its losses and metric")
    add_loss_option(train)
    add_classes_option(train)
    return train


def run_train(args):
    """`train`: one net, its final losses and metric."""
    data, trainers = make_trainers(args, [args.loss])
    return train_and_report(args, data, trainers)


# -- compare -----------------------------------------------------------------------------------

def add_compare(commands):
    compare = new_command(commands, "compare",
                          help="train an MSE and a log-loss net from identical weights")
    add_classes_option(compare)
    return compare


def run_compare(args):
    """`compare`: an MSE and a log-loss net from the same start, side by side."""
    data, trainers = make_trainers(args, ["mse", "log_loss"], needs_classification="compare")
    return train_and_report(args, data, trainers)


# -- sweep -------------------------------------------------------------------------------------

def add_sweep(commands):
    sweep = new_command(commands, "sweep",
                        help="train one net per (loss, learning rate, seed) at once, on one data "
                             "set")
    sweep.add_argument("--losses", type=loss_list, default=None,
                       help="losses, comma-separated (default: mse,log_loss for "
                            "classification, mse for regression)")
    sweep.add_argument("--lrs", type=learning_rates, default=learning_rates(DEFAULT_LRS),
                       help=f"learning rates, comma-separated ({DEFAULT_LRS})")
    sweep.add_argument("--seeds", type=seed_list, default=seed_list("0-7"),
                       help="seeds of the initial weights and the batch order: a list or a "
                            "range, e.g. 0-7 or 0,3,5 (0-7); the data come from --data-seed")
    sweep.add_argument("--target", type=float, default=0.9,
                       help="epochs to target: the first epoch whose test accuracy (or R²) "
                            "reaches this (0.9)")
    add_classes_option(sweep)
    return sweep


def run_sweep(args):
    """`sweep`: one net per (loss, lr, seed), trained at once; a table per loss."""
    # --lr comes with the shared options; a sweep's learning rates are --lrs.
    if any(arg == "--lr" or arg.startswith("--lr=") for arg in args.argv):
        args.error("sweep trains at the learning rates of --lrs, not --lr")
    try:
        data = data_for(args)
        losses = args.losses or (["mse", "log_loss"] if data.task == "classification"
                                 else ["mse"])
        sweep = Sweep(data, grid(losses, args.lrs, args.seeds), hidden=args.hidden,
                      activation=args.activation, batch_size=args.batch_size, l2=args.l2,
                      output_bias=args.output_bias)
    except ValueError as err:
        args.error(str(err))
    start = time.perf_counter()
    sweep.run(args.epochs)
    seconds = time.perf_counter() - start
    # Each run's final numbers are the sweep's own (TwoLayerNet.loss and twolayer.metrics at
    # its weights, which are the single run's to the bit): tests/test_sweep.py compares them
    # with `train --json` (sklearn's metrics), so they are not recomputed here.
    runs = sweep.results(args.target)
    net_epochs = sum(r["epochs_run"] for r in runs)
    if args.json:
        print(json.dumps({"nets": sweep.K, "epochs": args.epochs, "seconds": seconds,
                          "net_epochs_per_s": net_epochs / seconds if seconds else None,
                          "runs": runs}))
        return 0
    metric = sweep.metric_name
    kind = data.task if data.n_classes == 2 else f"{data.n_classes} classes"
    print(f"{args.dataset} ({kind}), {args.samples} samples: {args.hidden} "
          f"{args.activation} hidden units, batch {sweep.batch_size}, {args.epochs} epochs, "
          f"output bias {args.output_bias:g}; {len(args.seeds)} seeds per setting, "
          f"{sweep.K} nets in {seconds:.2f} s")
    print(f"test {metric} at the end: median [min, max] over seeds; epochs to "
          f"{metric} >= {args.target:g}: median ('-': most seeds never got there)")
    table = summarize(runs, metric)
    for loss in losses:
        print(f"\n{loss}")
        print(f"{'lr':>8}  {'test ' + metric:>24}  {'train loss':>11}  {'to target':>9}  "
              f"diverged")
        for row in table[loss]:
            spread = f"{row.median:.3f} [{row.low:.3f}, {row.high:.3f}]"
            reach = "-" if row.to_target is None else f"{row.to_target:g}"
            print(f"{row.lr:>8g}  {spread:>24}  {row.loss:>11.4g}  {reach:>9}  "
                  f"{row.diverged}/{row.n}")
    print()
    for loss in losses:
        print(best_sentence(table, loss, metric, args.target))
    return 0


# -- landscape ---------------------------------------------------------------------------------

def add_landscape(commands):
    from .landscape import DEFAULT_PARAMS, DEFAULT_PARAMS_K

    landscape = new_command(
        commands, "landscape",
        help="the training loss, MSE and log-loss, over a grid of two parameters",
        epilog=CHOICES + "\nparameters: W1[i,j], b1[i,0], W2[0,j], b2 (b1[i] and W2[j] also "
                         "work); with --classes K >= 3: W2[k,j] and b2[k,0] (b2[k] also works)")
    add_loss_option(landscape, help="the loss the net trains with for --epochs (see below)")
    landscape.add_argument("--params", nargs=2, default=None, metavar=("P1", "P2"),
                           help=f"the two parameters on the axes ({' '.join(DEFAULT_PARAMS)}; "
                                f"{' '.join(DEFAULT_PARAMS_K)} with --classes 3 or more)")
    landscape.add_argument("--span", type=float, default=8.0,
                           help="offsets from -SPAN to +SPAN around the trained values (8)")
    landscape.add_argument("--grid", type=int, default=61,
                           help=f"grid points per axis, 2 to {MAX_CLI_GRID} (61)")
    add_classes_option(landscape)
    return landscape


def run_landscape(args):
    """`landscape`: train as `train` would, then the loss over the grid around the weights."""
    from .landscape import (
        default_params,
        gradient_at,
        loss_surfaces,
        losses_at,
        param_shapes,
        parse_pair,
    )

    try:
        if not (0 < args.span <= MAX_CLI_SPAN):
            raise ValueError(f"--span must be a number in (0, {MAX_CLI_SPAN:g}], got "
                             f"{args.span}")
        if not (2 <= args.grid <= MAX_CLI_GRID):
            raise ValueError(f"--grid must be an integer from 2 to {MAX_CLI_GRID}, got "
                             f"{args.grid}")
        data = data_for(args)
        if args.params is None:
            args.params = list(default_params(data.n_classes))
        parse_pair(args.params, param_shapes(data.n_inputs, args.hidden, data.n_classes))
        trainer = make_trainer(args, data, args.loss)
    except ValueError as err:
        args.error(str(err))
    trainer.run(args.epochs)
    net, X, y = trainer.net, trainer.X, trainer.y
    if trainer.diverged is not None:
        print(f"training diverged at epoch {trainer.diverged}; the landscape is around the last "
              f"good weights (epoch {trainer.epoch})", file=sys.stderr)
    result = loss_surfaces(net.get_params(), X, y, net.activation, net.task, args.params,
                           span=args.span, grid=args.grid)
    if args.json:
        print(json.dumps(result.as_dict()))
        return 0
    (p1, p2), (c1, c2) = result.params, result.center
    kind = data.task if data.n_classes == 2 else f"{data.n_classes} classes"
    print(f"{args.dataset} ({kind}), {args.samples} samples: {args.hidden} "
          f"{args.activation} hidden units, after {trainer.epoch} epochs of "
          f"{net.loss_name} training")
    print(f"{p1} = {c1:.6g} and {p2} = {c2:.6g}, each offset by -{args.span:g} .. "
          f"+{args.span:g} in {args.grid} steps")
    print(f"{'':10}{'centre':>12}{'min':>12}{'max':>12}{'|grad| centre':>16}")
    weights = net.get_params()
    for loss, centre in losses_at(weights, X, y, net.activation, net.task).items():
        z = result.surface(loss)
        grad = gradient_at(weights, X, y, net.activation, net.task, loss, result.params)
        print(f"{loss:10}{centre:>12.6g}{np.nanmin(z):>12.6g}{np.nanmax(z):>12.6g}"
              f"{np.hypot(*grad):>16.3g}")
    return 0


# -- export ------------------------------------------------------------------------------------

def add_export(commands):
    export = new_command(
        commands, "export",
        help="write the run as a self-contained Python script or notebook (NumPy and "
             "scikit-learn only) that prints the same final numbers as train")
    add_loss_option(export)
    add_classes_option(export)
    export.add_argument("--format", default="script", choices=("script", "notebook"),
                        help="a Python script or a Jupyter notebook (script)")
    export.add_argument("--output", default=None, metavar="PATH",
                        help="write the file here (default: standard output)")
    export.add_argument("--compare", action="store_true",
                        help="train an MSE and a log-loss net from the same start, as compare")
    return export


def run_export(args):
    """`export`: the arguments of train (or compare, with --compare) as a script or notebook."""
    from .export import Run, notebook, script

    losses = ["mse", "log_loss"] if args.compare else [args.loss]
    # make_trainers checks every setting, as train would.
    data, trainers = make_trainers(args, losses,
                                   needs_classification="--compare" if args.compare else None)
    run = Run(task=data.task, dataset=args.dataset, samples=args.samples, noise=args.noise,
              test_fraction=args.test_fraction,
              data_seed=args.seed if args.data_seed is None else args.data_seed,
              hidden=args.hidden, activation=args.activation,
              losses=tuple(t.net.loss_name for t in trainers), lr=args.lr,
              batch_size=args.batch_size, l2=args.l2, seed=args.seed,
              output_bias=args.output_bias, epochs=args.epochs, n_classes=data.n_classes,
              source="Written by: python -m twolayer " + shlex.join(args.argv))
    text = (notebook if args.format == "notebook" else script)(run)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as err:
        args.error(f"cannot write {args.output}: {err.strerror}")
    return 0


# -- the table of commands and main --------------------------------------------------------------

# In the order --help lists them.
COMMANDS = ((add_train, run_train), (add_compare, run_compare), (add_sweep, run_sweep),
            (add_landscape, run_landscape), (add_export, run_export))


def make_parser():
    parser = argparse.ArgumentParser(prog="python -m twolayer", epilog=CHOICES,
                                     formatter_class=FORMAT,
                                     description="Train a two-layer NumPy network.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add, run in COMMANDS:
        add(commands).set_defaults(run=run)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = make_parser().parse_args(argv)
    args.argv = argv   # sweep refuses a typed --lr; export quotes the command line
    if args.dataset is None:  # moons has two classes only
        args.dataset = "moons" if getattr(args, "classes", 2) == 2 else "spiral"
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
