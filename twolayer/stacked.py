"""K two-layer nets at once: the equations of net.py with one more, leading, model axis.

    W1: (K, h, d)   b1: (K, h, 1)   W2: (K, c, h)   b2: (K, c, 1)
    X:  (d, m), the same samples for every net, or (K, d, m), a batch of its own per net

    z1 = W1 @ X + b1        (K, h, m)       a1 = g(z1)
    z2 = W2 @ a1 + b2       (K, c, m)       a2 = o(z2)

c is the number of outputs of each net, read from W2's shape: c = 1 for regression and two
classes (o: identity or sigmoid, as in net.py), c = n_classes >= 3 for a softmax output (o the
softmax down axis -2, the class axis; y still holds the labels, (1, m) or (K, 1, m), and the
losses compare a2 with their one-hot targets, as TwoLayerNet.targets does).

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

from .activations import ACTIVATIONS, DERIVATIVES, softmax
from .losses import LOSSES, SOFTMAX_LOSSES, one_hot
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


def _outputs(a):
    """The number of outputs c of nets whose z2, a2 or W2 is ``a`` (..., c, .)."""
    return a.shape[-2]


def _costs_and_targets(f, y):
    """The loss table and y as the losses compare it with a2: the labels themselves for one
    output, their one-hot rows (..., c, m) for c >= 3 softmax outputs."""
    c = _outputs(f.z2)
    return (LOSSES, y) if c == 1 else (SOFTMAX_LOSSES, one_hot(y, c))


def forward(params, X, activation, task):
    """z1, a1, z2, a2 of every net: (K, h, m), (K, h, m), (K, c, m), (K, c, m)."""
    g = ACTIVATIONS[activation]
    o = ACTIVATIONS[TASKS[task]] if _outputs(params["W2"]) == 1 else softmax
    z1 = params["W1"] @ X + params["b1"]
    a1 = g(z1)
    z2 = params["W2"] @ a1 + params["b2"]
    a2 = o(z2)
    return Forward(z1, a1, z2, a2)


def mean_loss(f, y, loss):
    """Each net's mean loss over its samples, shape (K,); y of shape (1, m) or (K, 1, m).

    loss : a loss name for every net, or {name: nets} as ``loss_groups`` gives.
    """
    costs, y = _costs_and_targets(f, y)
    out = np.empty(f.z2.shape[0])
    for name, nets in _groups(loss, len(out)).items():
        value = costs[name].value(f.z2[nets], f.a2[nets], _rows(y, nets))
        out[nets] = value.mean(axis=(1, 2)) if value.ndim == 3 else value.mean(axis=-1)
    return out


def delta2_of(f, y, loss, task):
    """delta2 = dL/dz2 per sample, divided by m for each net's batch mean: shape (K, c, m)."""
    m = y.shape[-1]
    costs, Y = _costs_and_targets(f, y)
    out = np.empty_like(f.z2)
    for name, nets in _groups(loss, len(out)).items():
        z2, a2 = f.z2[nets], f.a2[nets]
        if costs is LOSSES:
            o_prime = DERIVATIVES[TASKS[task]]
            out[nets] = costs[name].delta(z2, a2, _rows(Y, nets), o_prime(z2, a2))
        else:
            out[nets] = costs[name].delta(z2, a2, _rows(Y, nets))
    return out / m


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
