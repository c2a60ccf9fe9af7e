"""Cached data and per-session training state, shared by the pages."""

import streamlit as st

from ..data import make_dataset
from ..net import TwoLayerNet
from ..train import Trainer

DATA_KEYS = ("task", "dataset", "samples", "noise", "test_fraction", "seed")
NET_KEYS = ("hidden", "activation", "loss")


@st.cache_data(max_entries=32, show_spinner=False)
def load_dataset(name, samples, noise, test_fraction, seed):
    """The dataset for these settings; cached across sessions (a copy is handed to each)."""
    return make_dataset(name, int(samples), float(noise), float(test_fraction), int(seed))


def dataset_for(settings):
    return load_dataset(settings["dataset"], settings["samples"], settings["noise"],
                        settings["test_fraction"], settings["seed"])


def batch_size(settings):
    return None if settings["batch"] == "all" else int(settings["batch"])


def signature(settings, keys=DATA_KEYS + NET_KEYS):
    """What a trainer depends on: when this changes, training starts again."""
    return tuple(settings[k] for k in keys)


def new_trainer(settings, data=None, loss=None, output_bias=None):
    """A fresh seeded net and its Trainer for these settings."""
    data = data if data is not None else dataset_for(settings)
    net = TwoLayerNet(data.n_inputs, int(settings["hidden"]), settings["activation"], data.task,
                      loss or settings["loss"], seed=int(settings["seed"]))
    if output_bias is not None:
        net.b2[:] = output_bias
    return Trainer(net, data, lr=float(settings["lr"]), batch_size=batch_size(settings),
                   l2=float(settings["l2"]), seed=int(settings["seed"]))


def session_trainer(settings, key="trainer", data=None, data_id=None):
    """The session's Trainer for ``key``: kept while data and network settings stay the same,
    rebuilt (and reported as reset) when they change. Learning rate, batch size and L2 apply
    to the existing trainer, so training continues from the current weights.

    data, data_id : data of the user's own (an upload) and what identifies it; None for the
        data the settings generate.
    Returns (trainer, reset): reset is True when an existing trainer was just replaced.
    """
    sig = signature(settings) if data is None else (data_id, *signature(settings, NET_KEYS))
    held = st.session_state.get(key)
    reset = False
    if held is None or held[0] != sig:
        reset = held is not None
        held = (sig, new_trainer(settings, data=data))
        st.session_state[key] = held
    trainer = held[1]
    if trainer.diverged is not None and float(settings["lr"]) != trainer.lr:
        trainer.resume()  # another learning rate: go on from the last good weights
    trainer.lr, trainer.batch_size, trainer.l2 = (float(settings["lr"]), batch_size(settings),
                                                  float(settings["l2"]))
    return trainer, reset


def replace_net(net, key="trainer"):
    """Go on training ``net`` (uploaded weights) on the current data, history cleared."""
    sig, old = st.session_state[key]
    trainer = Trainer(net, old.data, lr=old.lr, batch_size=old.batch_size, l2=old.l2,
                      seed=old.seed)
    st.session_state[key] = (sig, trainer)
    return trainer
