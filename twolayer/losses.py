"""Losses on the output a2 = o(z2), each with its value and its delta2 = dL/dz2.

Both are per sample; the net takes the mean over the m samples of a batch (hence the 1/m in
delta2). Side by side, the whole difference between the two losses for a sigmoid output is
one factor in ``delta``: MSE keeps the sigmoid's slope a2 (1 - a2), log-loss cancels it.
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


LOSSES = {"mse": MSE, "log_loss": LogLoss}
