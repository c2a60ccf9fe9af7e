"""One block of a sweep's nets during one epoch: every parameter of every net in one buffer,
and one mini-batch step of all of them at once, the lines of TwoLayerNet._gradients and _step
with one more leading axis (twolayer.sweep makes the blocks and feeds them the batches)."""

import math

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES, softmax
from .losses import LOSSES, SOFTMAX_LOSSES
from .net import PARAMS, TASKS
from .stacked import loss_groups


def _loss_masks(losses, K):
    """{loss name: boolean mask (K, 1, 1) of its nets, or None for all K} for a loss name or
    the {name: nets} of ``loss_groups``."""
    if isinstance(losses, str):
        return {losses: None}
    if len(losses) == 1:
        return dict.fromkeys(losses)
    masks = {}
    for name, nets in losses.items():
        masks[name] = np.zeros((K, 1, 1), dtype=bool)
        masks[name][nets] = True
    return masks


def _by_loss(masks, value, costs=LOSSES):
    """``value(cost)`` of each net's own loss: computed for all nets per loss (a few small
    arrays), each net's entries taken from its loss. costs: LOSSES, or SOFTMAX_LOSSES."""
    out = None
    for name, mask in masks.items():
        this = value(costs[name])
        out = this if out is None else np.where(mask, this, out)
    return out


class Block:
    """The nets of one block during one epoch: every parameter of every net in one buffer, and
    one mini-batch step of all of them at once (``step``).

    Layout: when the block holds G nets of each of S seeds, listed seed by seed (see
    Sweep.blocks), the nets form a grid (S, G) and a mini-batch (S, 1, d, b) broadcasts over
    each seed's nets, with no copy per net; otherwise the nets lie along one axis (K,) and each
    step's batch is gathered per net (K, d, b). Per net, the buffer holds W1 (h, d), b1 (h, 1),
    W2 (c, h) and b2 (c, 1) one after another (c = 1 output, or K >= 3 classes), and so does
    the buffer of gradients: the update and the four gradient norms are then each one NumPy
    call for all four parameters.

    Each product is the single net's own, with the same operands: NumPy's matmul loops over the
    nets in C and makes, for each, the call TwoLayerNet makes, so each net gets the bits of its
    single run. (One wide product (G h x d) @ (d x b) per seed, its G nets' hidden units
    stacked, was measured: it saves under a tenth of a step here, and changes the last bits of
    z1 or dW1 for some shapes, e.g. h = 3 at batch 32, h = 1 at any batch, as OpenBLAS then
    takes another kernel or tiles the rows otherwise.)
    """

    def __init__(self, sweep, nets):
        h, d = sweep.hidden, sweep.X.shape[0]
        rows = sweep.seed_row[nets]
        self.seed_rows, counts = np.unique(rows, return_counts=True)
        K = len(nets)
        if len(set(counts.tolist())) == 1 and np.all(np.diff(rows) >= 0):
            self.grid = (len(counts), int(counts[0]))
        else:
            self.grid = None
        shape = self.grid or (K,)
        c = 1 if sweep.n_classes == 2 else sweep.n_classes
        shapes = {"W1": (h, d), "b1": (h, 1), "W2": (c, h), "b2": (c, 1)}
        ends = np.cumsum([math.prod(s) for s in shapes.values()])
        starts = np.concatenate(([0], ends[:-1]))
        self.parts = np.zeros((int(ends[-1]), len(PARAMS)))
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            self.parts[start:end, i] = 1.0
        self.buffer = np.empty(shape + (int(ends[-1]),))
        self.grads = np.empty_like(self.buffer)
        self.P, self.G = {}, {}
        for p, start, end in zip(PARAMS, starts, ends, strict=True):
            self.P[p] = self.buffer[..., start:end].reshape(shape + shapes[p])
            self.G[p] = self.grads[..., start:end].reshape(shape + shapes[p])
            self.P[p][...] = sweep.params[p][nets].reshape(shape + shapes[p])
        self.K, self.shape = K, shape
        self.lr = sweep.lrs[nets].reshape(shape + (1,))
        self.l2 = sweep.l2
        masks = _loss_masks(loss_groups(sweep.losses[nets]), K)
        self.masks = {name: None if mask is None else mask.reshape(shape + (1, 1))
                      for name, mask in masks.items()}
        self.g, self.g_prime = ACTIVATIONS[sweep.activation], DERIVATIVES[sweep.activation]
        self.c = c
        if c == 1:
            output = TASKS[sweep.task]
            self.o, self.o_prime = ACTIVATIONS[output], DERIVATIVES[output]
        else:   # the softmax's Jacobian is applied inside the loss's delta, as in net.py
            self.o, self.o_prime = softmax, None
        self.norms = np.zeros(shape + (len(PARAMS),))
        self.steps = 0

    def step(self, X, Y):
        """One gradient-descent step of every net on its batch X (d, b), Y (c, b), given as
        (S, 1, d, b) and (S, 1, c, b) for a grid, (K, d, b) and (K, c, b) otherwise: the lines
        of TwoLayerNet._gradients and _step, in the same order. Y holds the labels (c = 1) or
        their one-hot rows (c = K >= 3 classes)."""
        W1, b1, W2, b2 = (self.P[p] for p in PARAMS)
        dW1, db1, dW2, db2 = (self.G[p] for p in PARAMS)
        z1 = W1 @ X
        z1 += b1
        a1 = self.g(z1)
        z2 = W2 @ a1
        z2 += b2
        a2 = self.o(z2)
        if self.c == 1:
            slope = self.o_prime(z2, a2)
            delta2 = _by_loss(self.masks, lambda cost: cost.delta(z2, a2, Y, slope))
        else:
            delta2 = _by_loss(self.masks, lambda cost: cost.delta(z2, a2, Y), SOFTMAX_LOSSES)
        delta2 /= Y.shape[-1]
        np.matmul(delta2, a1.mT, out=dW2)
        db2[...] = np.add.reduce(delta2.reshape(-1, delta2.shape[-1]), axis=-1).reshape(db2.shape)
        if self.c == 1:
            # W2.T @ delta2 has an inner dimension of 1: NumPy's own loop computes it as
            # 0 + w d, which the broadcast product and + 0.0 reproduce (-0.0 included) at half
            # the cost.
            delta1 = np.multiply(W2.mT, delta2)
            delta1 += 0.0
        else:
            delta1 = W2.mT @ delta2
        delta1 *= self.g_prime(z1, a1)
        np.matmul(delta1, X.mT, out=dW1)
        # Summed as rows of one 2-D array: the same sums (NumPy's pairwise sum along each
        # row), at half the cost of a reduction into the strided view db1.
        db1[...] = np.add.reduce(delta1.reshape(-1, delta1.shape[-1]), axis=-1).reshape(db1.shape)
        if self.l2:
            dW1 += self.l2 * W1
            dW2 += self.l2 * W2
        # Each parameter's squared entries summed by one product with a 0/1 matrix (n x 4).
        self.norms += np.sqrt(np.square(self.grads).reshape(-1, self.parts.shape[0])
                              @ self.parts).reshape(self.norms.shape)
        self.grads *= self.lr
        self.buffer -= self.grads
        self.steps += 1

    def params(self):
        """The weights, as views (K, ...) of the buffer, in the order of the block's nets."""
        return {p: v.reshape((self.K,) + v.shape[len(self.shape):]) for p, v in self.P.items()}
