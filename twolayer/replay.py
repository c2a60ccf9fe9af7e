"""The run a page holds, as a twolayer.export.Run that reproduces it to the last bit.

A page's Trainer keeps its history and weight snapshots, not how it got there: the learning
rate, batch size and L2 may have changed between runs, and the weights may have been loaded
from a file. ``run_from_trainers`` replays the trainer with its current settings from its
epoch-0 weights and, where that stops giving its recorded losses, goes on from the weights it
had then: the Run starts there (its weights embedded), or from the seeded start when the
replay holds all the way.
"""

import numpy as np

from .data import DATASETS
from .export import Run


def _twin(trainer, epoch):
    """A Trainer with ``trainer``'s current settings, at the snapshot of ``epoch``."""
    from .train import Trainer

    net = trainer.net.copy()
    net.set_params(trainer.history.snapshots[epoch])
    twin = Trainer(net, trainer.data, lr=trainer.lr, batch_size=trainer.batch_size,
                   l2=trainer.l2, seed=trainer.seed, snapshot_every=2**31)
    twin.epoch = epoch     # epoch k's sample order depends on (seed, k) only
    return twin


def _same(twin, history, first):
    """Whether the twin's epochs first+1 .. reproduce the history's, to the last bit."""
    ours, k = twin.history, twin.epoch
    return (twin.diverged is None and ours.train_loss == history.train_loss[first:k]
            and ours.test_loss == history.test_loss[first:k])


def replay_start(trainer, epoch, budget=True):
    """(e0, params): the earliest recorded epoch from which the trainer's current settings
    (learning rate, batch size, L2), replayed from its weights then, give its history up to
    ``epoch`` to the last bit. 0 unless a setting changed half-way (or, for a net that
    diverged, the settings no longer diverge).

    budget : replay at most what one click may cost (twolayer.settings.epoch_budget); a longer
        run starts from its weights that many epochs before ``epoch``.
    """
    from .settings import epoch_budget

    h = trainer.history
    first = 0
    if budget:
        allowed, _ = epoch_budget(epoch, trainer.X.shape[1], trainer.batch_size,
                                  trainer.net.n_hidden)
        if allowed < epoch:
            first = min((e for e in h.snapshots if epoch - allowed <= e <= epoch),
                        default=max(e for e in h.snapshots if e <= epoch))
    twin = _twin(trainer, first)
    twin.run(epoch - first)
    if _same(twin, h, first) and twin.epoch == epoch:
        return first, h.snapshots[first]
    # A setting changed somewhere: walk epoch by epoch, and after each epoch the current
    # settings do not reproduce, go on from the page's own weights (the next snapshot kept).
    start, twin = first, _twin(trainer, first)
    while twin.epoch < epoch:
        before = twin.epoch
        twin.run(1)
        if twin.epoch == before + 1 and _same(twin, h, start):
            continue
        later = [e for e in h.snapshots if before + 1 <= e <= epoch]
        if not later:   # none kept after this point (an old epoch): the nearest one before it
            start = max(e for e in h.snapshots if e <= epoch)
            break
        start = min(later)
        twin = _twin(trainer, start)
    return start, h.snapshots[start]


def _seeded_bias(net, params):
    """b2's start if ``params`` are the seeded start of a net like ``net`` (b2 aside), else
    None. With K >= 3 classes that start is b2 = (0, B, ..., B) (set_output_bias): B."""
    from .net import TwoLayerNet

    fresh = TwoLayerNet(net.n_inputs, net.n_hidden, net.activation, net.task, net.loss_name,
                        net.seed, n_classes=getattr(net, "n_classes", 2))
    b2 = np.asarray(params["b2"]).ravel()
    same = all(np.array_equal(params[p], getattr(fresh, p)) for p in ("W1", "b1", "W2"))
    if len(b2) > 1:   # softmax outputs: class 0's bias stays 0
        return float(b2[1]) if same and b2[0] == 0.0 and np.all(b2[1:] == b2[1]) else None
    return float(b2[0]) if same else None


def _data_fields(data, generated):
    """Run fields for the data: the generator's settings if ``generated`` (a dict with
    dataset, samples, noise, test_fraction, seed) makes exactly ``data``, else the data."""
    from .data import make_dataset

    if generated is not None and generated.get("dataset") in DATASETS:
        try:
            made = make_dataset(generated["dataset"], int(generated["samples"]),
                                float(generated["noise"]), float(generated["test_fraction"]),
                                int(generated["seed"]), n_classes=data.n_classes)
        except ValueError:   # these settings make no data of this many classes: embedded
            return dict(data=data)
        if all(np.array_equal(getattr(made, k), getattr(data, k))
               for k in ("X_train", "y_train", "X_test", "y_test")):
            return dict(dataset=made.name, samples=int(generated["samples"]),
                        noise=float(generated["noise"]),
                        test_fraction=float(generated["test_fraction"]),
                        data_seed=int(generated["seed"]))
    return dict(data=data)


def run_from_trainers(trainers, generated=None, epoch=None, lr_factor=1.0, source=""):
    """The Run that reproduces ``trainers`` ({loss: Trainer}: one, or an MSE and a log-loss
    net of a comparison with the same data, network, batch size, L2 and seed) at ``epoch``
    (default: the latest any of them reached). The MSE net of a comparison learns at the
    log-loss net's rate times ``lr_factor``.
    """
    first = next(iter(trainers.values()))
    epoch = max(t.epoch for t in trainers.values()) if epoch is None else int(epoch)
    starts, biases = {}, set()
    for loss, t in trainers.items():
        e0, params = replay_start(t, min(epoch, t.epoch))
        starts[loss] = (e0, params)
        biases.add(_seeded_bias(t.net, params) if e0 == 0 else None)
    seeded = len(biases) == 1 and None not in biases
    lr = trainers["log_loss"].lr if len(trainers) > 1 else first.lr
    net = first.net
    return Run(task=net.task, hidden=net.n_hidden, activation=net.activation,
               losses=tuple(trainers), lr=lr, lr_factor=float(lr_factor),
               batch_size=first.batch_size, l2=first.l2, seed=int(first.seed),
               output_bias=biases.pop() if seeded else 0.0, epochs=epoch,
               start={} if seeded else starts, source=source,
               n_classes=getattr(net, "n_classes", 2),
               **_data_fields(first.data, generated))
