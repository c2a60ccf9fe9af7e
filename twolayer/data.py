"""Toy datasets, split and standardised, with samples as columns.

Every generator takes (n_samples, noise, rng) and returns sklearn's layout, X of shape
(m, n_features) and y of shape (m,); ``make_dataset`` splits (stratified for classification),
fits a StandardScaler on the training part only, and transposes to the net's layout.

Those of MULTICLASS also take a number of classes k (labels 0 .. k-1); with k = 2 they give
exactly the two-class data they always gave.
"""

from dataclasses import dataclass, field

import numpy as np

from .checks import is_integer

# Below these the split leaves too few samples (or a class missing) on one side.
MIN_SAMPLES = 10
MAX_CLASSES = 5     # the figures' palette has five class colours


def _moons(n, noise, rs):
    from sklearn.datasets import make_moons
    return make_moons(n, noise=noise, random_state=rs)


def _circles(n, noise, rs):
    from sklearn.datasets import make_circles
    return make_circles(n, noise=noise, factor=0.5, random_state=rs)


def _blobs(n, noise, rs, k=2):
    from sklearn.datasets import make_blobs
    # noise widens the clusters: at 0 they are tight and far apart, at 0.5 two of them touch.
    centers = [(-2.0, -2.0), (2.0, 2.0)]
    if k > 2:  # k centres on the circle through those two, class 0 still at (-2, -2)
        angle = 1.25 * np.pi + 2 * np.pi * np.arange(k) / k
        centers = np.sqrt(8.0) * np.column_stack([np.cos(angle), np.sin(angle)])
    return make_blobs(n, centers=centers, cluster_std=0.5 + 3.0 * noise, random_state=rs)


def _linear(n, noise, rs, k=2):
    from sklearn.datasets import make_classification
    # One cluster per class at the corners of a square (hence at most 4 classes).
    X, y = make_classification(n, n_features=2, n_informative=2, n_redundant=0,
                               n_classes=k, n_clusters_per_class=1, class_sep=1.5, flip_y=0.0,
                               random_state=rs)
    return X + noise * np.random.default_rng(rs).normal(size=X.shape), y


def _xor(n, noise, rs):
    rng = np.random.default_rng(rs)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X + noise * rng.normal(size=X.shape), y


def _spiral(n, noise, rs, k=2):
    rng = np.random.default_rng(rs)
    y = np.arange(n) % k
    t = rng.uniform(0.0, 1.0, n)
    if k == 2:
        # Two interleaved arms, as in TensorFlow Playground: radius grows with the angle.
        angle = 1.75 * 2 * np.pi * t + np.pi * y
        X = 5.0 * t[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])
        return X + 5.0 * noise * rng.normal(size=X.shape), y
    # k arms as in CS231n's classic three-arm spiral: each arm turns through 4 radians while
    # its radius grows, the arms start 2 pi / k apart, and the noise jitters the angle (in
    # radians). Playground's 1.75 turns with k arms squeezed in would be too hard a puzzle for
    # a small net in a few hundred epochs; this one a 32-unit net learns in 300.
    angle = 4.0 * t + 2 * np.pi * y / k + noise * rng.normal(size=n)
    return 5.0 * t[:, None] * np.column_stack([np.sin(angle), np.cos(angle)]), y


def _sine(n, noise, rs):
    rng = np.random.default_rng(rs)
    x = rng.uniform(-np.pi, np.pi, size=(n, 1))
    return x, np.sin(x[:, 0]) + noise * rng.normal(size=n)


def _plane(n, noise, rs):
    from sklearn.datasets import make_regression
    X, y = make_regression(n, n_features=2, n_informative=2, noise=0.0, random_state=rs)
    y = y / np.std(y)  # a tilted plane of unit spread, whatever coefficients were drawn
    return X, y + noise * np.random.default_rng(rs).normal(size=n)


def _bumps(n, noise, rs):
    rng = np.random.default_rng(rs)
    X = rng.uniform(-2.0, 2.0, size=(n, 2))

    def bump(cx, cy, width):
        return np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / width)

    y = bump(-0.8, -0.6, 0.6) - bump(0.9, 0.7, 0.5) + 0.6 * bump(0.8, -1.0, 0.4)
    return X, y + noise * rng.normal(size=n)


GENERATORS = {
    "classification": {"moons": _moons, "circles": _circles, "blobs": _blobs, "xor": _xor,
                       "spiral": _spiral, "linear": _linear},
    "regression": {"sine": _sine, "plane": _plane, "bumps": _bumps},
}
DATASETS = {name: task for task, gens in GENERATORS.items() for name in gens}
# The datasets that come with K >= 3 classes, and the most classes each can have.
MULTICLASS = {"blobs": MAX_CLASSES, "spiral": MAX_CLASSES, "linear": 4}


@dataclass(frozen=True, eq=False)
class Dataset:
    """Standardised train and test data; X of shape (n_inputs, m), y of shape (1, m).

    n_classes: the labels are 0 .. n_classes-1 (classification; 2 for regression as well,
    whose nets have one output).
    """

    name: str
    task: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray = field(repr=False)   # the scaler's, per feature: x_std = (x - mean) / scale
    scale: np.ndarray = field(repr=False)
    feature_names: tuple = ("x1", "x2")
    target_name: str = "y"
    # The features as they were before standardising, (n_inputs, m) each: a download gives
    # back exactly the values that came in (x * scale + mean may turn 0 into -2.2e-16).
    X_train_raw: np.ndarray | None = field(default=None, repr=False)
    X_test_raw: np.ndarray | None = field(default=None, repr=False)
    n_classes: int = 2

    @property
    def n_inputs(self):
        return self.X_train.shape[0]

    def unscale(self, X):
        """Back to the units of the original features: X of shape (n_inputs, m)."""
        return X * self.scale[:, None] + self.mean[:, None]

    def original(self, part):
        """The features of ``part`` ("train" or "test") in their original units, as given."""
        raw = self.X_train_raw if part == "train" else self.X_test_raw
        if raw is not None:
            return raw
        return self.unscale(self.X_train if part == "train" else self.X_test)


def make_dataset(name="moons", n_samples=500, noise=0.2, test_fraction=0.3, seed=0,
                 n_classes=2):
    """Generate, split and standardise one of DATASETS. Same arguments, same arrays.

    n_classes : 2, or 3 .. MULTICLASS[name] for the datasets of MULTICLASS (blobs: K centres,
        spiral: K arms, linear: sklearn's make_classification with K classes).
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; allowed: {', '.join(DATASETS)}")
    if not is_integer(n_classes) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    if n_classes > 2:
        if DATASETS[name] == "regression":
            raise ValueError(f"{name} is a regression dataset; classes are for classification")
        if name not in MULTICLASS:
            raise ValueError(f"{name} has two classes; {n_classes} classes come with "
                             f"{', '.join(MULTICLASS)}")
        if n_classes > MULTICLASS[name]:
            raise ValueError(f"{name} has at most {MULTICLASS[name]} classes, got {n_classes}")
    least = MIN_SAMPLES * n_classes // 2
    if not is_integer(n_samples) or n_samples < least:
        raise ValueError(f"n_samples must be an integer >= {least}, got {n_samples!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    task = DATASETS[name]
    if n_classes == 2:
        X, y = GENERATORS[task][name](int(n_samples), float(noise), seed)
    else:
        X, y = GENERATORS[task][name](int(n_samples), float(noise), seed, int(n_classes))
    return split_and_scale(X, y, task, name=name, test_fraction=test_fraction, seed=seed,
                           n_classes=n_classes)


def split_and_scale(X, y, task, name="data", test_fraction=0.3, seed=0, feature_names=None,
                    target_name="y", n_classes=2):
    """Split (stratified for classification) and standardise with the training part's scaler.

    X : array of shape (m, n_features), y : array of shape (m,), sklearn's layout; labels
    0 .. n_classes-1 for classification.
    """
    from sklearn.model_selection import train_test_split

    if not (0.0 < test_fraction < 1.0):
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction!r}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    stratify = y if task == "classification" else None
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_fraction, random_state=seed,
                                              stratify=stratify)
    names = tuple(feature_names or (f"x{i + 1}" for i in range(X.shape[1])))
    return standardised(name, task, X_tr, y_tr, X_te, y_te, names, target_name, n_classes)


def standardised(name, task, X_tr, y_tr, X_te, y_te, feature_names, target_name="y",
                 n_classes=2):
    """A Dataset from a split in sklearn's layout (X of shape (m, n_features), y of shape
    (m,)), standardised with a StandardScaler fitted on the training part only."""
    from sklearn.preprocessing import StandardScaler

    X_tr, X_te = np.asarray(X_tr, dtype=np.float64), np.asarray(X_te, dtype=np.float64)
    scaler = StandardScaler().fit(X_tr)
    return Dataset(name, task, scaler.transform(X_tr).T, np.asarray(y_tr, float)[None, :],
                   scaler.transform(X_te).T, np.asarray(y_te, float)[None, :], scaler.mean_,
                   scaler.scale_, tuple(feature_names), target_name, X_tr.T, X_te.T,
                   int(n_classes))
