"""K two-layer nets at once: the equations of net.py with one more, leading, model axis.

    W1: (K, h, d)   b1: (K, h, 1)   W2: (K, 1, h)   b2: (K, 1, 1)
    X:  (d, m), the same samples for every net, or (K, d, m), a batch of its own per net

    z1 = W1 @ X + b1        (K, h, m)       a1 = g(z1)
    z2 = W2 @ a1 + b2       (K, 1, m)       a2 = o(z2)

Backprop by the chain rule, each net for the mean of its own loss over its m samples
(``.mT`` is each net's matrix transposed, the ``.T`` of net.py):

    delta2 = dL/dz2 (per sample, / m)       dW2 = delta2 @ a1.mT    db2 = sum(delta2)
    delta1 = (W2.mT @ delta2) * g'(z1)      dW1 = delta1 @ X.mT     db1 = sum(delta1)

NumPy's matmul broadcasts over the leading axis, so each line is the single net's line: one
call does the work of K, and its per-call cost is paid once for all of them. A sweep trains K
nets this way; a loss landscape evaluates one "net" per grid point.

Nets may differ in their loss: ``loss`` is then a dict {loss name: the nets that use it} (see
``loss_groups``), and only delta2 and the loss value are computed per group, as in net.py only
they differ between the losses.
"""

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES
from .losses import LOSSES
from .net import PARAMS, TASKS, Forward


def stack(params):
    """A list of K parameter dicts (like ``TwoLayerNet.get_params()``) as one dict of arrays
    with a leading model axis of length K."""
    return {p: np.stack([np.asarray(q[p], dtype=np.float64) for q in params]) for p in PARAMS}


def loss_groups(losses):
    """{loss name: the nets trained with it} for a sequence of K loss names: a slice where a
    loss's nets are adjacent (a view, no copy), else an index array."""
    losses = np.asarray(losses)
    groups = {}
    for name in dict.fromkeys(losses.tolist()):
        nets = np.flatnonzero(losses == name)
        adjacent = nets[-1] - nets[0] + 1 == len(nets)
        groups[name] = slice(int(nets[0]), int(nets[-1]) + 1) if adjacent else nets
    return groups


def _groups(loss, K):
    return {loss: slice(0, K)} if isinstance(loss, str) else loss


def _rows(a, nets):
    """Net rows ``nets`` of a (K, ., .) array; a shared (1, m) array as it is."""
    return a if a.ndim < 3 else a[nets]


def forward(params, X, activation, task):
    """z1, a1, z2, a2 of every net: (K, h, m), (K, h, m), (K, 1, m), (K, 1, m)."""
    g, o = ACTIVATIONS[activation], ACTIVATIONS[TASKS[task]]
    z1 = params["W1"] @ X + params["b1"]
    a1 = g(z1)
    z2 = params["W2"] @ a1 + params["b2"]
    a2 = o(z2)
    return Forward(z1, a1, z2, a2)


def mean_loss(f, y, loss):
    """Each net's mean loss over its samples, shape (K,); y of shape (1, m) or (K, 1, m).

    loss : a loss name for every net, or {name: nets} as ``loss_groups`` gives.
    """
    out = np.empty(f.z2.shape[0])
    for name, nets in _groups(loss, len(out)).items():
        out[nets] = LOSSES[name].value(f.z2[nets], f.a2[nets], _rows(y, nets)).mean(axis=(1, 2))
    return out


def delta2_of(f, y, loss, task):
    """delta2 = dL/dz2 per sample, divided by m for each net's batch mean: shape (K, 1, m)."""
    o_prime = DERIVATIVES[TASKS[task]]
    out = np.empty_like(f.z2)
    for name, nets in _groups(loss, len(out)).items():
        z2, a2 = f.z2[nets], f.a2[nets]
        out[nets] = LOSSES[name].delta(z2, a2, _rows(y, nets), o_prime(z2, a2))
    return out / y.shape[-1]


def gradients(params, X, y, activation, task, loss, l2=0.0, f=None):
    """dL/dW1, dL/db1, dL/dW2, dL/db2 of each net's mean loss, shaped like ``params``.

    X of shape (d, m) or (K, d, m), y of shape (1, m) or (K, 1, m); f: the forward pass of X,
    if already computed. l2 adds l2/2 * ||W||^2 to each net's loss, as in net.py.
    """
    f = forward(params, X, activation, task) if f is None else f
    delta2 = delta2_of(f, y, loss, task)
    dW2 = delta2 @ f.a1.mT
    db2 = delta2.sum(axis=2, keepdims=True)
    delta1 = (params["W2"].mT @ delta2) * DERIVATIVES[activation](f.z1, f.a1)
    dW1 = delta1 @ X.mT
    db1 = delta1.sum(axis=2, keepdims=True)
    if l2:
        dW1 += l2 * params["W1"]
        dW2 += l2 * params["W2"]
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
