"""Activation functions and their derivatives, keyed by the name a user types.

Each derivative is written in terms of the cached pre-activation ``z`` and activation
``a = g(z)``, so backprop reuses what the forward pass kept (``g'(z) = a (1 - a)`` for the
sigmoid, ``1 - a**2`` for tanh) instead of recomputing exponentials.
"""

import numpy as np


def sigmoid(z):
    """Logistic function 1 / (1 + e^-z), overflow-free for any finite z.

    exp is only ever taken of -|z| <= 0, so it lies in (0, 1]: no overflow, no RuntimeWarning,
    for |z| up to 1e4 and beyond.
    """
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def tanh(z):
    return np.tanh(z)


def relu(z):
    return np.maximum(z, 0.0)


def identity(z):
    return z


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "identity": identity}

# g'(z), given z and a = g(z).  relu' at the kink z = 0 is taken as 0.
DERIVATIVES = {
    "sigmoid": lambda z, a: a * (1.0 - a),
    "tanh": lambda z, a: 1.0 - a * a,
    "relu": lambda z, a: (z > 0).astype(z.dtype),
    "identity": lambda z, a: np.ones_like(z),
}

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
