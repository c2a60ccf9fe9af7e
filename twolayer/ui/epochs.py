"""Reset, and what an epoch looked like: its weights (a copy of the net) and its numbers."""

import numpy as np

from ..metrics import METRICS
from ..net import TwoLayerNet
from ..train import Trainer
from .state import batch_size

RESTARTS = "pg_restarts"   # session-state key: how many times Reset was pressed

def restart(state, settings):
    """Reset: a new trainer, history cleared, with new initial weights.

    The first start of a setting uses its seed, so a shared link reproduces the run; each
    Reset after that draws the weights from (seed, number of resets).
    """
    count = state.get(RESTARTS, 0) + 1
    state[RESTARTS] = count
    sig, old = state["trainer"]
    data = old.data  # the generated data of these settings, or the user's own
    net = TwoLayerNet(data.n_inputs, int(settings["hidden"]), settings["activation"], data.task,
                      settings["loss"], seed=(int(settings["seed"]), count),
                      n_classes=data.n_classes)
    trainer = Trainer(net, data, lr=float(settings["lr"]), batch_size=batch_size(settings),
                      l2=float(settings["l2"]), seed=int(settings["seed"]))
    state["trainer"] = (sig, trainer)
    return trainer


def forget_restarts(state):
    """A new setting starts again from its seed's weights (session_trainer rebuilt it)."""
    state[RESTARTS] = 0


def metrics_at(trainer, epoch):
    """(train loss, test loss, train metric, test metric) after ``epoch``: the history's
    record, or for epoch 0 an evaluation of the initial weights."""
    h = trainer.history
    if 1 <= epoch <= h.epochs:
        k = epoch - 1
        return h.train_loss[k], h.test_loss[k], h.train_metric[k], h.test_metric[k]
    net = net_at(trainer, 0)[1]
    out = []
    for X, y in ((trainer.X, trainer.y), (trainer.X_test, trainer.y_test)):
        with np.errstate(all="ignore"):
            out.append((net.loss(X, y), METRICS[net.task][1](y, net.predict(X))))
    (train_loss, train_metric), (test_loss, test_metric) = out
    return train_loss, test_loss, train_metric, test_metric


def net_at(trainer, epoch):
    """(recorded epoch, net): a copy of the trainer's net with the weights of the latest
    snapshot at or before ``epoch`` (older history is kept sparser: that may be earlier)."""
    recorded, params = trainer.history.snapshot(epoch)
    net = trainer.net.copy()
    net.set_params(params)
    return recorded, net
