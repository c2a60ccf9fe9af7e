"""K two-layer nets at once: the equations of net.py with one more, leading, model axis.

    W1: (K, h, d)   b1: (K, h, 1)   W2: (K, 1, h)   b2: (K, 1, 1)
    X:  (d, m), the same samples for every net, or (K, d, m), a batch of its own per net

    z1 = W1 @ X + b1        (K, h, m)       a1 = g(z1)
    z2 = W2 @ a1 + b2       (K, 1, m)       a2 = o(z2)

NumPy's matmul broadcasts over the leading axis, so each line is the single net's line: one
call does the work of K, and its per-call cost is paid once for all of them. A sweep trains K
nets this way; a loss landscape evaluates one "net" per grid point.
"""

import numpy as np

from .activations import ACTIVATIONS
from .losses import LOSSES
from .net import PARAMS, TASKS, Forward


def stack(params):
    """A list of K parameter dicts (like ``TwoLayerNet.get_params()``) as one dict of arrays
    with a leading model axis of length K."""
    return {p: np.stack([np.asarray(q[p], dtype=np.float64) for q in params]) for p in PARAMS}


def unstack(params, k):
    """Net k's parameters, as a dict of copies shaped like ``TwoLayerNet.get_params()``."""
    return {p: params[p][k].copy() for p in PARAMS}


def forward(params, X, activation, task):
    """z1, a1, z2, a2 of every net: (K, h, m), (K, h, m), (K, 1, m), (K, 1, m)."""
    g, o = ACTIVATIONS[activation], ACTIVATIONS[TASKS[task]]
    z1 = params["W1"] @ X + params["b1"]
    a1 = g(z1)
    z2 = params["W2"] @ a1 + params["b2"]
    a2 = o(z2)
    return Forward(z1, a1, z2, a2)


def mean_loss(f, y, loss):
    """Each net's mean loss over its samples, shape (K,); y of shape (1, m) or (K, 1, m)."""
    return LOSSES[loss].value(f.z2, f.a2, y).mean(axis=(1, 2))
