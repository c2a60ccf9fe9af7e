"""Per-epoch metrics: accuracy (at the 0.5 threshold, or by argmax for K classes) and R^2.

These run every epoch on the hot path, so they are one NumPy line each; tests check them
against sklearn.metrics.accuracy_score and r2_score, whose input validation would otherwise
cost more than an epoch of training at TensorFlow Playground's default setting.
"""

import numpy as np


def predicted_class(a2):
    """The class each column of a2 predicts, shape (m,): a2 >= 0.5 for a single sigmoid output
    (1, m), the argmax (the first of equal maxima) for softmax outputs (K, m)."""
    if a2.shape[0] == 1:
        return (a2[0] >= 0.5).astype(np.int64)
    return np.argmax(a2, axis=0)


def correct(y, a2):
    """Whether each sample's predicted class equals its label y (1, m), shape (..., m): a2 >= 0.5
    against y >= 0.5 for one sigmoid output a2 (..., 1, m) (y may be a soft target in [0, 1]),
    the argmax over the K outputs of a2 (..., K, m) against y for K >= 3 classes. Leading axes
    (nets of a sweep) broadcast."""
    if a2.shape[-2] > 1:
        return np.argmax(a2, axis=-2) == y[..., 0, :]
    return ((a2 >= 0.5) == (y >= 0.5))[..., 0, :]


def accuracy(y, a2):
    """Share of samples whose predicted class equals the label y (1, m): a2 (1, m) or (K, m),
    as ``correct`` decides."""
    return float(np.mean(correct(y, a2)))


def r2_from_sums(ss_res, ss_tot):
    """R^2 = 1 - SS_res / SS_tot; ss_res a float or an array (K,) of K nets' sums on the same
    targets. A constant target (SS_tot = 0) scores 1 if fitted exactly, else 0."""
    if ss_tot == 0.0:
        return np.where(np.asarray(ss_res) == 0.0, 1.0, 0.0)
    return 1.0 - ss_res / ss_tot


def r2(y, a2):
    """Coefficient of determination 1 - SS_res / SS_tot of a2 against y, both (1, m)."""
    ss_res = float(np.sum((y - a2) ** 2))
    ss_tot = float(np.sum((y - np.mean(y)) ** 2))
    return float(r2_from_sums(ss_res, ss_tot))


METRICS = {"classification": ("accuracy", accuracy), "regression": ("r2", r2)}
METRIC_LABELS = {"accuracy": "test accuracy", "r2": "test R²"}   # the test metric, in words


def epochs_to_target(test_metric, target):
    """The first epoch (1-based) of each row of ``test_metric`` (K, epochs) at or above
    ``target``, or 0 where there is none: array (K,)."""
    reached = np.asarray(test_metric) >= target
    if reached.shape[1] == 0:   # no epoch yet: argmax has nothing to look at
        return np.zeros(reached.shape[0], dtype=np.int64)
    return np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, 0)


def per_class(y, a2, n_classes):
    """Per-class precision, recall and support of the predictions a2 against labels y (1, m).

    a2 : (1, m) sigmoid outputs (two classes) or (K, m) softmax outputs. Returns a dict of
    lists, one value per class 0 .. n_classes-1: "precision" (of the samples predicted as the
    class, the share that are; 0 when none is), "recall" (of the samples of the class, the
    share predicted as it; 0 when it has none), "support" (its number of samples).
    """
    predicted = predicted_class(a2)
    y = np.asarray(y).ravel()
    out = {"precision": [], "recall": [], "support": []}
    for k in range(n_classes):
        hits = float(np.sum((predicted == k) & (y == k)))
        called, actual = int(np.sum(predicted == k)), int(np.sum(y == k))
        out["precision"].append(hits / called if called else 0.0)
        out["recall"].append(hits / actual if actual else 0.0)
        out["support"].append(actual)
    return out
