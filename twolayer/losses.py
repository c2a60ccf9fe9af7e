"""Losses on the output a2 = o(z2), each with its value and its delta2 = dL/dz2.

Both are per sample; the net takes the mean over the m samples of a batch (hence the 1/m in
delta2). Side by side, the whole difference between the two losses for a sigmoid output is
one factor in ``delta``: MSE keeps the sigmoid's slope a2 (1 - a2), log-loss cancels it.

K classes (K >= 3) have a softmax output a2 = softmax(z2) of shape (K, m) and compare it with
one-hot targets Y (K, m), Y[k, i] = 1 where sample i is of class k. The softmax's slope is a
Jacobian, da2_k/dz2_l = a2_k ([k = l] - a2_l), and the same story holds: cross-entropy cancels
it (delta2 = a2 - Y), MSE keeps it, and it vanishes where the output is confidently wrong.
They reduce over axis -2, the class axis, so that stacked nets' (N, K, m) use them as they are.
"""

import numpy as np


class MSE:
    """Squared error (y - a2)^2, no 1/2 factor."""

    name = "mse"

    @staticmethod
    def value(z2, a2, y):
        return (y - a2) ** 2

    @staticmethod
    def delta(z2, a2, y, output_slope):
        # dL/da2 * da2/dz2; output_slope is o'(z2): 1 for identity, a2 (1 - a2) for sigmoid.
        return -2.0 * (y - a2) * output_slope


class LogLoss:
    """Binary cross-entropy -[y log a2 + (1 - y) log(1 - a2)] for a sigmoid output.

    Computed from z2 as log(1 + e^z2) - y z2: exact, no clipping, finite for any finite z2.
    """

    name = "log_loss"

    @staticmethod
    def value(z2, a2, y):
        return np.logaddexp(0.0, z2) - y * z2

    @staticmethod
    def delta(z2, a2, y, output_slope):
        # dL/da2 = (a2 - y) / (a2 (1 - a2)); times the slope a2 (1 - a2), it cancels.
        return a2 - y


class SoftmaxMSE:
    """Squared error summed over the K outputs, sum_k (Y_k - a2_k)^2, against one-hot Y."""

    name = "mse"

    @staticmethod
    def value(z2, a2, Y):
        return ((Y - a2) ** 2).sum(axis=-2)

    @staticmethod
    def delta(z2, a2, Y):
        # dL/dz2_k = sum_l dL/da2_l * da2_l/dz2_k = sum_l e_l a2_l ([l = k] - a2_k)
        #          = a2_k (e_k - sum_l a2_l e_l),          with e = dL/da2 = -2 (Y - a2).
        # Every term carries a factor a2: where the net is confidently wrong (the true
        # class's a2 near 0, another's near 1) the whole product is near 0.
        e = -2.0 * (Y - a2)
        return a2 * (e - (a2 * e).sum(axis=-2, keepdims=True))


class CrossEntropy:
    """-sum_k Y_k log a2_k for a softmax output: minus the log of the true class's probability.

    Computed from z2 as logsumexp(z2) - z2[true class]: exact, finite for any finite z2.
    """

    name = "log_loss"

    @staticmethod
    def value(z2, a2, Y):
        # logsumexp(z2) - z2_y = log(sum_k e^(z2_k - top)) + (top - z2_y), in that order: a
        # confident right answer (z2_y the top) gives a tiny loss, log(1 + small) + 0, which
        # (top + log(...)) - z2_y would round to a multiple of top's last bit.
        top = z2.max(axis=-2)
        return (np.log(np.exp(z2 - top[..., None, :]).sum(axis=-2))
                + (top - (Y * z2).sum(axis=-2)))

    @staticmethod
    def delta(z2, a2, Y):
        # dL/da2_k = -Y_k / a2_k; through the Jacobian: a2_k sum_l Y_l - Y_k = a2_k - Y_k.
        return a2 - Y


LOSSES = {"mse": MSE, "log_loss": LogLoss}
SOFTMAX_LOSSES = {"mse": SoftmaxMSE, "log_loss": CrossEntropy}   # K >= 3 classes
LOSS_LABELS = {"mse": "MSE", "log_loss": "log-loss"}              # as a page or a legend names them


def one_hot(y, n_classes):
    """Y of shape (n_classes, m) from integer labels y of shape (1, m): Y[k, i] = (y_i == k).
    Labels (..., 1, m) give (..., n_classes, m)."""
    return (np.arange(n_classes)[:, None] == y).astype(np.float64)
