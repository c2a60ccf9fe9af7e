"""The data of an exported file (twolayer.export), and the numbers written into it.

The data comes as code that makes it the way twolayer.data does (one generator per data set, for
two classes and for K >= 3), or, for an uploaded file, as its rows embedded, already split and
standardised. Every float is written as the text that reads back to the very same double.
"""

import textwrap

import numpy as np

# One generator per data set, as twolayer.data makes it: (sklearn import or None, lines giving
# X of shape (m, n_features) and y of shape (m,) from N_SAMPLES, NOISE and DATA_SEED).
GENERATOR_CODE = {
    "moons": ("make_moons", "X, y = make_moons(N_SAMPLES, noise=NOISE, random_state=DATA_SEED)"),
    "circles": ("make_circles", "X, y = make_circles(N_SAMPLES, noise=NOISE, factor=0.5, "
                                "random_state=DATA_SEED)"),
    "blobs": ("make_blobs", "# NOISE widens the two clusters: at 0.5 they touch.\n"
                            "X, y = make_blobs(N_SAMPLES, centers=[(-2.0, -2.0), (2.0, 2.0)], "
                            "cluster_std=0.5 + 3.0 * NOISE,\n"
                            "                  random_state=DATA_SEED)"),
    "linear": ("make_classification",
               "X, y = make_classification(N_SAMPLES, n_features=2, n_informative=2, "
               "n_redundant=0,\n"
               "                           n_clusters_per_class=1, class_sep=1.5, flip_y=0.0,\n"
               "                           random_state=DATA_SEED)\n"
               "X = X + NOISE * np.random.default_rng(DATA_SEED).normal(size=X.shape)"),
    "xor": (None, "rng = np.random.default_rng(DATA_SEED)\n"
                  "X = rng.uniform(-1.0, 1.0, size=(N_SAMPLES, 2))\n"
                  "y = (X[:, 0] * X[:, 1] > 0).astype(int)    # class 1 in two opposite "
                  "quadrants\n"
                  "X = X + NOISE * rng.normal(size=X.shape)"),
    "spiral": (None, "# Two interleaved arms: the radius grows with the angle.\n"
                     "rng = np.random.default_rng(DATA_SEED)\n"
                     "y = np.arange(N_SAMPLES) % 2\n"
                     "t = rng.uniform(0.0, 1.0, N_SAMPLES)\n"
                     "angle = 1.75 * 2 * np.pi * t + np.pi * y\n"
                     "X = 5.0 * t[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])\n"
                     "X = X + 5.0 * NOISE * rng.normal(size=X.shape)"),
    "sine": (None, "rng = np.random.default_rng(DATA_SEED)\n"
                   "X = rng.uniform(-np.pi, np.pi, size=(N_SAMPLES, 1))\n"
                   "y = np.sin(X[:, 0]) + NOISE * rng.normal(size=N_SAMPLES)"),
    "plane": ("make_regression",
              "X, y = make_regression(N_SAMPLES, n_features=2, n_informative=2, noise=0.0, "
              "random_state=DATA_SEED)\n"
              "y = y / np.std(y)    # a tilted plane of unit spread\n"
              "y = y + NOISE * np.random.default_rng(DATA_SEED).normal(size=N_SAMPLES)"),
    "bumps": (None, "rng = np.random.default_rng(DATA_SEED)\n"
                    "X = rng.uniform(-2.0, 2.0, size=(N_SAMPLES, 2))\n\n\n"
                    "def bump(cx, cy, width):\n"
                    "    return np.exp(-((X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2) / width)\n\n\n"
                    "y = bump(-0.8, -0.6, 0.6) - bump(0.9, 0.7, 0.5) + 0.6 * bump(0.8, -1.0, 0.4)\n"
                    "y = y + NOISE * rng.normal(size=N_SAMPLES)"),
}


# K >= 3 classes (N_CLASSES), as twolayer.data makes them: the datasets of data.MULTICLASS.
GENERATOR_CODE_K = {
    "blobs": ("make_blobs", "# N_CLASSES centres on a circle, class 0 at (-2, -2); NOISE widens "
                            "the clusters.\n"
                            "angle = 1.25 * np.pi + 2 * np.pi * np.arange(N_CLASSES) / N_CLASSES\n"
                            "centers = np.sqrt(8.0) * np.column_stack([np.cos(angle), "
                            "np.sin(angle)])\n"
                            "X, y = make_blobs(N_SAMPLES, centers=centers, "
                            "cluster_std=0.5 + 3.0 * NOISE,\n"
                            "                  random_state=DATA_SEED)"),
    "linear": ("make_classification",
               "X, y = make_classification(N_SAMPLES, n_features=2, n_informative=2, "
               "n_redundant=0,\n"
               "                           n_classes=N_CLASSES, n_clusters_per_class=1, "
               "class_sep=1.5,\n"
               "                           flip_y=0.0, random_state=DATA_SEED)\n"
               "X = X + NOISE * np.random.default_rng(DATA_SEED).normal(size=X.shape)"),
    "spiral": (None, "# N_CLASSES arms, each turning through 4 radians as its radius grows; "
                     "NOISE jitters the angle.\n"
                     "rng = np.random.default_rng(DATA_SEED)\n"
                     "y = np.arange(N_SAMPLES) % N_CLASSES\n"
                     "t = rng.uniform(0.0, 1.0, N_SAMPLES)\n"
                     "angle = 4.0 * t + 2 * np.pi * y / N_CLASSES + NOISE * "
                     "rng.normal(size=N_SAMPLES)\n"
                     "X = 5.0 * t[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])"),
}


def _num(x):
    """A float as Python source that reads back to the very same double."""
    return repr(float(x))


def _array(name, a):
    """``name = np.array([...]).reshape(shape)`` with every value exact, wrapped at 95."""
    a = np.asarray(a, dtype=np.float64)
    items = [_num(x) for x in a.ravel()]
    text = f"{name} = np.array([{', '.join(items)}]).reshape{a.shape}"
    if len(text) <= 95:
        return text
    return (f"{name} = np.array([\n"
            + textwrap.fill(", ".join(items), 95, initial_indent="    ",
                            subsequent_indent="    ")
            + f"\n]).reshape{a.shape}")

def _data(run):
    if run.data is not None:
        return _embedded_data(run.data)
    _, gen = (GENERATOR_CODE_K if run.softmax else GENERATOR_CODE)[run.dataset]
    stratify = "y" if run.task == "classification" else "None"
    why = ("stratified: both classes in the same shares" if run.task == "classification"
           else "at random")
    code = (f"# The {run.dataset} data set, as twolayer makes it: X (m, n_features), y (m,).\n"
            f"{gen}\n"
            "X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)\n"
            f"# Split ({why}); then standardise with the training part's\n"
            "# mean and spread only, so that nothing of the test part leaks into training.\n"
            "X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=TEST_FRACTION, "
            "random_state=DATA_SEED,\n"
            f"                                          stratify={stratify})\n"
            "scaler = StandardScaler().fit(X_tr)\n"
            "# Samples as columns: X_train (n_inputs, m), y_train (1, m).\n"
            "X_train, X_test = scaler.transform(X_tr).T, scaler.transform(X_te).T\n"
            "y_train, y_test = y_tr[None, :], y_te[None, :]\n"
            "n_inputs, m = X_train.shape")
    md = ("## The data\n\nGenerated with the same seed, split and standardised with the "
          "training part's scaler: $x \\leftarrow (x - \\mu_\\text{train}) / "
          "\\sigma_\\text{train}$.")
    return md, code


def _embedded_data(data):
    n = data.X_train.shape[0]
    # The file's column names go into a comment as reprs: no newline of theirs can end it.
    names = [repr(str(f)) for f in data.feature_names]
    rows = []
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        for j in range(X.shape[1]):
            rows.append(",".join([part, *(_num(v) for v in X[:, j]), _num(y[0, j])]))
    header = ",".join(["part", *(f"x{i + 1}" for i in range(n)), "y"])
    code = (f"# Your data: {len(rows)} rows ({', '.join(names)} -> {str(data.target_name)!r}),\n"
            "# already split and standardised as the app did it (with the training part's mean "
            f"{[float(v) for v in data.mean]}\n# and scale {[float(v) for v in data.scale]}).\n"
            f'DATA = """\\\n{header}\n' + "\n".join(rows) + '\n"""\n'
            "rows = [line.split(\",\") for line in DATA.splitlines()[1:]]\n"
            "train = np.array([[float(v) for v in r[1:]] for r in rows if r[0] == \"train\"])\n"
            "test = np.array([[float(v) for v in r[1:]] for r in rows if r[0] == \"test\"])\n"
            f"# Samples as columns: X_train ({n}, m), y_train (1, m).\n"
            f"X_train, y_train = train[:, :{n}].copy().T, train[:, {n}][None, :]\n"
            f"X_test, y_test = test[:, :{n}].copy().T, test[:, {n}][None, :]\n"
            "n_inputs, m = X_train.shape")
    md = ("## The data\n\nYour file's rows, embedded: already split and standardised the way "
          "the app did it.")
    return md, code
