"""Activation functions and their derivatives, keyed by the name a user types.

Each derivative is written in terms of the cached pre-activation ``z`` and activation
``a = g(z)``, so backprop reuses what the forward pass kept (``g'(z) = a (1 - a)`` for the
sigmoid, ``1 - a**2`` for tanh) instead of recomputing exponentials.
"""

import numpy as np


def sigmoid(z):
    """Logistic function 1 / (1 + e^-z), exact and silent for any z.

    For z < -709, e^-z overflows to inf and 1 / (1 + inf) is exactly 0, the right answer
    (the true value is below the smallest double): the overflow is expected, so it is not
    warned about. Four passes over z; the hidden layer's sigmoid dominates a step's time.
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def tanh(z):
    return np.tanh(z)


def relu(z):
    return np.maximum(z, 0.0)


def identity(z):
    return z


def softmax(z):
    """exp(z_k) / sum_l exp(z_l) down each column of z (K, m): the K class probabilities of
    each sample. The column's max is subtracted first (the softmax does not change, since
    e^-max cancels), so no exp overflows for any finite z. Along axis -2: stacked nets'
    z (N, K, m) take it as it is. Not in the tables below: its
    derivative is a K x K Jacobian per sample, not one slope per entry; the K-class losses
    apply it (twolayer.losses).
    """
    e = np.exp(z - z.max(axis=-2, keepdims=True))
    return e / e.sum(axis=-2, keepdims=True)


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "identity": identity}

# g'(z), given z and a = g(z).  relu' at the kink z = 0 is taken as 0.
DERIVATIVES = {
    "sigmoid": lambda z, a: a * (1.0 - a),
    "tanh": lambda z, a: 1.0 - a * a,
    "relu": lambda z, a: (z > 0).astype(z.dtype),
    "identity": lambda z, a: np.ones_like(z),
}

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
