"""Cached data and per-session training state, shared by the pages."""

import streamlit as st

from ..data import MIN_SAMPLES, MULTICLASS, make_dataset
from ..net import TwoLayerNet
from ..settings import MULTICLASS_DATASET
from ..train import Trainer

DATA_KEYS = ("task", "dataset", "samples", "noise", "test_fraction", "seed", "classes")
NET_KEYS = ("hidden", "activation", "loss")


@st.cache_data(max_entries=32, show_spinner=False)
def load_dataset(name, samples, noise, test_fraction, seed, n_classes=2):
    """The dataset for these settings; cached across sessions (a copy is handed to each)."""
    return make_dataset(name, int(samples), float(noise), float(test_fraction), int(seed),
                        n_classes=int(n_classes))


def n_classes_of(settings):
    """The number of classes these settings ask for: 2 unless a classification task has
    ``classes`` >= 3."""
    if settings.get("task", "classification") != "classification":
        return 2
    return int(settings.get("classes", 2))


def data_choice(settings):
    """(dataset name, samples, n_classes) for these settings: with K >= 3 classes a dataset
    that makes K classes (the sidebar offers no other; a lesson's two-class dataset gives way
    to MULTICLASS_DATASET) and at least MIN_SAMPLES per two classes."""
    k = n_classes_of(settings)
    name, samples = settings["dataset"], int(settings["samples"])
    if k > 2:
        if MULTICLASS.get(name, 2) < k:
            name = MULTICLASS_DATASET
        samples = max(samples, MIN_SAMPLES * k // 2)
    return name, samples, k


def dataset_for(settings):
    name, samples, k = data_choice(settings)
    return load_dataset(name, samples, settings["noise"], settings["test_fraction"],
                        settings["seed"], k)


def batch_size(settings):
    return None if settings["batch"] == "all" else int(settings["batch"])


def signature(settings, keys=DATA_KEYS + NET_KEYS):
    """What a trainer depends on: when this changes, training starts again."""
    return tuple(settings[k] for k in keys)


def new_trainer(settings, data=None, loss=None, output_bias=None):
    """A fresh seeded net and its Trainer for these settings."""
    data = data if data is not None else dataset_for(settings)
    net = TwoLayerNet(data.n_inputs, int(settings["hidden"]), settings["activation"], data.task,
                      loss or settings["loss"], seed=int(settings["seed"]),
                      n_classes=data.n_classes)
    if output_bias is not None:
        net.set_output_bias(output_bias)   # K >= 3: b2 = (0, bias, ..., bias)
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
