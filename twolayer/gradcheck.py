"""Gradient check: backprop's gradients against centred finite differences, in float64."""

import numpy as np

from .net import PARAMS

GOOD = 1e-7  # a norm relative error below this means the backward pass is right


def numerical_gradients(net, X, y, eps=1e-6, l2=0.0):
    """dL/dp by (L(p + eps) - L(p - eps)) / (2 eps), one entry at a time; the net is unchanged."""
    X, y = net._check(X, y)
    grads = {}
    for name, P in net.params().items():
        G = np.zeros_like(P)
        for i in np.ndindex(P.shape):
            kept = P[i]
            P[i] = kept + eps
            plus = net._loss(X, y, l2)
            P[i] = kept - eps
            minus = net._loss(X, y, l2)
            P[i] = kept
            G[i] = (plus - minus) / (2 * eps)
        grads[name] = G
    return grads


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||), 0 when both are 0."""
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradient_check(net, X, y, eps=1e-6, l2=0.0, analytic=None):
    """The norm relative error per parameter, {"W1": ..., "b1": ..., "W2": ..., "b2": ...}.

    analytic : the gradients to check (a dict like ``net.gradients``); default: the net's own
        backprop. Pass something else to see what a wrong backward pass looks like.
    """
    if analytic is None:
        analytic = net.gradients(X, y, l2)
    numeric = numerical_gradients(net, X, y, eps, l2)
    return {p: relative_error(analytic[p], numeric[p]) for p in PARAMS}
