"""Files in and out (twolayer.io), and the upload/download widgets (twolayer.ui.transfer).

Malformed uploads are refused with a message that names the problem and the row; good ones are
checked against an independent reader (numpy.loadtxt) and must train. Weights, data and history
survive a download and an upload.
"""

import csv
import io
import zipfile

import numpy as np
import plotly.graph_objects as go
import pytest

from tests import reference as ref
from tests.shown_text import as_shown, unescaped
from twolayer import TwoLayerNet
from twolayer.data import make_dataset
from twolayer.io import (
    MAX_BYTES,
    csv_columns,
    dataset_to_csv,
    figure_to_html,
    history_to_csv,
    net_from_npz,
    read_csv_dataset,
    weights_from_npz,
    weights_to_npz,
)
from twolayer.settings import MAX_SAMPLES
from twolayer.train import Trainer


def table(header, rows, sep=",", end="\n"):
    lines = [sep.join(header), *(sep.join(str(v) for v in r) for r in rows)]
    return (end.join(lines) + end).encode("utf-8")


def moons_rows(n=60, seed=0):
    """Rows (x1, x2, label) of a noisy two-moons sample, as a person would export them."""
    d = make_dataset("moons", n, 0.2, seed=seed)
    X = np.hstack([d.unscale(d.X_train), d.unscale(d.X_test)]).T.round(4)
    y = np.hstack([d.y_train, d.y_test])[0].astype(int)
    return [[a, b, c] for (a, b), c in zip(X, y, strict=True)]


GOOD = table(["x1", "x2", "label"], moons_rows())


def with_row(rows, i, row):
    """Rows with data row i (1-based) replaced."""
    rows = [list(r) for r in rows]
    rows[i - 1] = row
    return rows


# (id, file, task, keyword arguments, words the message must contain, case-insensitive)
MALFORMED = [
    ("empty", b"", "classification", {}, ["empty"]),
    ("blank lines only", b"\n \r\n\n", "classification", {}, ["empty"]),
    ("header only", b"x1,x2,label\n", "classification", {}, ["header", "no data rows"]),
    ("semicolons", table(["x1", "x2", "label"], moons_rows(), sep=";"), "classification", {},
     ["one column", "delimiter ';'"]),
    ("tabs", table(["x1", "x2", "label"], moons_rows(), sep="\t"), "classification", {},
     ["one column", "delimiter", "tab"]),
    ("text in a number", table(["x1", "x2", "label"], with_row(moons_rows(), 3, [0.1, "abc", 1])),
     "classification", {}, ["row 3", "'x2'", "'abc'", "not a number"]),
    ("decimal comma", table(["x1", "x2", "label"],
                            with_row(moons_rows(), 7, ['"0,5"', 0.2, 1])),
     "classification", {}, ["row 7", "'x1'", "not a number", "point"]),
    ("hex number", table(["x1", "x2", "label"], with_row(moons_rows(), 2, ["0x10", 0.2, 1])),
     "classification", {}, ["row 2", "not a number"]),
    # Python's float() takes these; a CSV cell may not (ASCII digits only).
    ("Arabic-Indic digits", table(["x1", "x2", "label"],
                                  with_row(moons_rows(), 3, ["١٢", 0.2, 1])),
     "classification", {}, ["row 3", "'x1'", "'١٢'", "not a number"]),
    ("fullwidth digits", table(["x1", "x2", "label"], with_row(moons_rows(), 4, [0.1, "１２", 1])),
     "classification", {}, ["row 4", "'x2'", "not a number"]),
    ("underscore in a number", table(["x1", "x2", "label"],
                                     with_row(moons_rows(), 5, ["1_6", 0.2, 1])),
     "classification", {}, ["row 5", "'1_6'", "not a number"]),
    ("Arabic-Indic label", table(["x1", "x2", "label"], with_row(moons_rows(), 6, [0.1, 0.2, "١"])),
     "classification", {}, ["row 6", "label", "not a number"]),
    ("missing value", table(["x1", "x2", "label"], with_row(moons_rows(), 2, [0.1, "", 1])),
     "classification", {}, ["row 2", "'x2'", "missing"]),
    ("NA", table(["x1", "x2", "label"], with_row(moons_rows(), 9, [0.1, 0.2, "NA"])),
     "classification", {}, ["row 9", "label", "missing"]),
    ("NaN", table(["x1", "x2", "label"], with_row(moons_rows(), 4, ["NaN", 0.2, 1])),
     "classification", {}, ["row 4", "missing", "'nan'"]),
    ("inf", table(["x1", "x2", "label"], with_row(moons_rows(), 5, [0.1, "-inf", 1])),
     "classification", {}, ["row 5", "not a finite number"]),
    ("overflowing literal", table(["x1", "x2", "label"],
                                  with_row(moons_rows(), 6, [0.1, "1e999", 1])),
     "classification", {}, ["row 6", "not a finite number"]),
    ("absurd magnitude", table(["x1", "x2", "label"], with_row(moons_rows(), 8, [3e9, 0.2, 0])),
     "classification", {}, ["row 8", "too large in magnitude"]),
    ("one class", table(["x1", "x2", "label"], [[i, i % 3, 1] for i in range(30)]),
     "classification", {}, ["one class", "both class 0 and class 1"]),
    ("label not 0/1", table(["x1", "x2", "label"], with_row(moons_rows(), 5, [0.1, 0.2, 2])),
     "classification", {}, ["row 5", "not a class label", "0 and 1"]),
    ("label -1", table(["x1", "x2", "label"], with_row(moons_rows(), 1, [0.1, 0.2, -1])),
     "classification", {}, ["row 1", "not a class label"]),
    ("too few of a class", table(["x1", "x2", "label"],
                                 [[i, i % 3, int(i < 2)] for i in range(30)]),
     "classification", {}, ["class 1", "at least 4", "training and the test"]),
    ("too few rows", table(["x", "y"], [[i, i] for i in range(5)]), "regression", {},
     ["too few rows", "5", "at least 10"]),
    ("too large", b"x1,x2,label\n" + b"0.123456789,0.123456789,1\n" * 40_000,
     "classification", {}, ["too large", "1 MB", "bytes"]),
    ("too many rows", table(["x", "y"], [[i % 10, i % 7] for i in range(MAX_SAMPLES + 1)]),
     "regression", {}, ["too many rows", "5,000"]),
    ("NUL bytes", b"x1,x2,label\n1,2,0\n3,\x004,1\n", "classification", {},
     ["binary", "not text", "line 3"]),
    ("UTF-16", "x1,x2,label\n1,2,0\n".encode("utf-16"), "classification", {},
     ["binary", "not text"]),
    ("not UTF-8", b"x1,x2,label\n1,2,0\n\xff\xfe\x80,1,0\n", "classification", {},
     ["not utf-8 text", "line 3"]),
    ("excel", b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "classification", {},
     ["binary", "excel"]),
    ("ragged row", table(["x1", "x2", "label"], with_row(moons_rows(), 4, [0.1, 0.2])),
     "classification", {}, ["row 4", "line 5", "2 fields", "header has 3"]),
    ("duplicate names", table(["x1", "x1", "label"], moons_rows()), "classification", {},
     ["duplicate", "'x1'", "columns 1 and 2"]),
    ("missing name", table(["x1", "", "label"], moons_rows()), "classification", {},
     ["column 2 has no name"]),
    ("no header", table(["0.5", "1.5", "1"], moons_rows()), "classification", {},
     ["no header row", "line 1"]),
    ("one column", table(["x"], [[i] for i in range(20)]), "regression", {},
     ["found one column"]),
    ("unclosed quote", b'x1,x2,label\n1,2,0\n"3,4,1\n' + b"5,6,0\n" * 20, "classification", {},
     ["row 2", "line 3", "quote", "not closed"]),
    ("needs a choice", table(["a", "b", "c", "d"], [[i, i, i, i % 2] for i in range(30)]),
     "classification", {}, ["4 columns", "choose 2 feature columns"]),
    ("unknown column", GOOD, "classification", {"feature_columns": ["x1", "z"]},
     ["no column 'z'"]),
    ("label among features", GOOD, "classification",
     {"feature_columns": ["x1", "label"], "label_column": "label"}, ["different columns"]),
    ("one feature for classification", GOOD, "classification",
     {"feature_columns": ["x1"], "label_column": "label"}, ["needs 2 feature columns"]),
    ("bad split column", table(["x", "y", "split"], [[i, i, "val"] for i in range(20)]),
     "regression", {}, ["row 1", "neither 'train' nor 'test'"]),
    ("text target", table(["x", "y"], with_row([[i, i] for i in range(20)], 12, [1, "high"])),
     "regression", {}, ["row 12", "target column 'y'", "'high'"]),
]


@pytest.mark.parametrize(("raw", "task", "kwargs", "words"),
                         [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_files_are_refused_with_their_reason(raw, task, kwargs, words):
    with pytest.raises(ValueError) as refused:
        read_csv_dataset(raw, task, **kwargs)
    message = str(refused.value)
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"


@pytest.mark.parametrize("test_fraction", [0.0, 1.0, -0.5, float("nan"), 2.0])
def test_a_bad_test_fraction_is_refused(test_fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        read_csv_dataset(GOOD, "classification", test_fraction=test_fraction)


@pytest.mark.parametrize("test_fraction", [0.1, 0.5])
def test_the_class_minimum_follows_the_test_fraction(test_fraction):
    need = 10 if test_fraction == 0.1 else 2
    rows = [[i, i % 7, int(i < need)] for i in range(60)]
    data, _ = read_csv_dataset(table(["a", "b", "y"], rows), "classification",
                               test_fraction=test_fraction)
    assert set(np.unique(data.y_test)) == {0.0, 1.0} == set(np.unique(data.y_train))
    rows = [[i, i % 7, int(i < need - 1)] for i in range(60)]
    with pytest.raises(ValueError, match=f"class 1: {need - 1}; .* at least {need}"):
        read_csv_dataset(table(["a", "b", "y"], rows), "classification",
                         test_fraction=test_fraction)


def test_the_size_limit_is_exactly_one_megabyte():
    row = b"0.5,0.25,1\n0.5,0.75,0\n"
    body = b"x1,x2,label\n" + row * 2
    just_over = body + b" " * (MAX_BYTES + 1 - len(body))
    with pytest.raises(ValueError, match="too large: 1,000,001 bytes"):
        read_csv_dataset(just_over, "classification")


def _rows_of(data):
    """All (features..., label) rows of a Dataset in original units, sorted."""
    X = np.hstack([data.unscale(data.X_train), data.unscale(data.X_test)])
    y = np.hstack([data.y_train, data.y_test])
    return np.array(sorted(map(tuple, np.vstack([X, y]).T)))


def _train(data, hidden=8, epochs=200):
    """Train on ``data``; check each step against the equations written out again
    (tests/reference.py) for the first 20 epochs. Returns (loss before, History)."""
    task = data.task
    net = TwoLayerNet(data.n_inputs, hidden, "tanh", task, seed=1)
    start = net.get_params()
    trainer = Trainer(net, data, lr=0.3, batch_size=16, seed=1)
    before = trainer.evaluate(trainer.X, trainer.y)[0]
    trainer.run(20)
    expected, losses = ref.train(start, trainer.X, trainer.y, "tanh", task, net.loss_name, 0.3,
                                 16, epochs=20, seed=1)
    for p in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(getattr(net, p), expected[p], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(trainer.history.train_loss, losses, rtol=1e-9)
    history = trainer.run(epochs - 20)
    return before, history


GOOD_FILES = [
    ("classification, 2 features", GOOD, "classification", {}, ["x1", "x2"]),
    ("regression, 1 feature",
     table(["hours", "score"], [[round(x, 3), round(np.sin(x), 3)]
                                for x in np.linspace(-3, 3, 80)]), "regression", {}, ["hours"]),
    ("regression, 2 features",
     table(["u", "v", "w"], [[round(u, 3), round(v, 3), round(u * v + u, 3)]
                             for u in np.linspace(-1, 1, 9) for v in np.linspace(-1, 1, 9)]),
     "regression", {}, ["u", "v"]),
    ("more columns, a choice",
     table(["id", "name", "a", "b", "cls"], [[i, f"p{i}", r[0], r[1], r[2]]
                                             for i, r in enumerate(moons_rows())]),
     "classification", {"feature_columns": ["a", "b"], "label_column": "cls"}, ["a", "b"]),
    ("CRLF, BOM, quotes, spaces, blank lines",
     b"\xef\xbb\xbf" + table(['"x1"', " x2 ", "label"],
                            [[f'"{r[0]}"', f" {r[1]} ", r[2]] for r in moons_rows()],
                            end="\r\n") + b"\r\n\r\n", "classification", {}, ["x1", "x2"]),
]


@pytest.mark.parametrize(("raw", "task", "kwargs", "features"), [g[1:] for g in GOOD_FILES],
                         ids=[g[0] for g in GOOD_FILES])
def test_a_good_file_gives_its_rows_and_trains(raw, task, kwargs, features):
    data, info = read_csv_dataset(raw, task, **kwargs)
    assert data.name == "upload" and data.task == task
    assert list(data.feature_names) == features == info["features"]
    # The same rows as numpy's own reader finds (only the chosen, numeric columns).
    text = raw.decode("utf-8-sig").replace('"', "")
    header = [h.strip() for h in text.splitlines()[0].split(",")]
    cols = [header.index(c) for c in [*features, info["label"]]]
    reference = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, usecols=cols, ndmin=2)
    np.testing.assert_allclose(_rows_of(data), np.array(sorted(map(tuple, reference))),
                               rtol=1e-12, atol=1e-12)
    assert info["n_train"] + info["n_test"] == info["rows"] == len(reference)
    # Standardised with the training part's statistics.
    np.testing.assert_allclose(data.X_train.mean(axis=1), 0, atol=1e-12)
    before, history = _train(data)
    assert history.train_loss[-1] < 0.7 * before
    _train(data, hidden=data.n_inputs, epochs=20)  # as many hidden units as inputs, too


def test_a_classification_split_keeps_both_classes_on_both_sides():
    rows = [[i, i % 7, int(i < 4)] for i in range(40)]  # 4 of class 1: the least allowed
    data, info = read_csv_dataset(table(["a", "b", "y"], rows), "classification")
    assert info["classes"] == {0: 36, 1: 4}
    for y in (data.y_train, data.y_test):
        assert set(np.unique(y)) == {0.0, 1.0}


def test_csv_columns_lists_the_numeric_ones():
    raw = table(["id", "name", "a", "b", "cls"], [[i, f"p{i}", i / 3, -i, i % 2]
                                                  for i in range(20)])
    assert csv_columns(raw) == ["id", "a", "b", "cls"]
    with pytest.raises(ValueError, match="delimiter"):
        csv_columns(b"a;b;c\n1;2;3\n")


@pytest.mark.parametrize("name", ["moons", "sine", "plane"])
def test_dataset_csv_round_trip(name):
    data = make_dataset(name, 120, 0.2, seed=3)
    raw = dataset_to_csv(data)
    rows = list(csv.reader(io.StringIO(raw.decode())))
    assert rows[0] == [*data.feature_names, data.target_name, "split"]
    assert len(rows) == 1 + 120
    back, info = read_csv_dataset(raw, data.task)
    assert info["split"] == "file" and back.feature_names == data.feature_names
    # The same split, the same labels, the same standardised features (to rounding).
    np.testing.assert_array_equal(back.y_train, data.y_train)
    np.testing.assert_array_equal(back.y_test, data.y_test)
    np.testing.assert_allclose(back.X_train, data.X_train, rtol=0, atol=1e-12)
    np.testing.assert_allclose(back.X_test, data.X_test, rtol=0, atol=1e-12)
    np.testing.assert_allclose(back.mean, data.mean, rtol=1e-14)
    # Written again, it is the same file: the round trip is a fixed point after one pass.
    assert dataset_to_csv(back) == dataset_to_csv(read_csv_dataset(dataset_to_csv(back),
                                                                   data.task)[0])


def _csv(header, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def test_column_names_that_start_like_a_formula_are_neutralised_in_the_export():
    # OWASP's CSV injection advice: a cell starting with =, +, - or @ gets a leading
    # apostrophe, so that a spreadsheet shows it as text instead of running it.
    rows = [[i, i % 5, round(np.sin(i), 3), i % 3] for i in range(40)]
    data, _ = read_csv_dataset(_csv(["+1", "-t", "@SUM(A1)", "plain"], rows), "regression",
                               feature_columns=["+1", "-t"], label_column="@SUM(A1)")
    assert data.feature_names == ("+1", "-t") and data.target_name == "@SUM(A1)"
    exported = dataset_to_csv(data)
    header = next(csv.reader(io.StringIO(exported.decode())))
    assert header == ["'+1", "'-t", "'@SUM(A1)", "split"]
    # Read back, the names are the uploaded ones again.
    back, _ = read_csv_dataset(exported, "regression")
    assert back.feature_names == ("+1", "-t") and back.target_name == "@SUM(A1)"
    # A formula in the first column; "=" inside a name is no formula.
    formula = '=HYPERLINK("http://x","y")'
    data, _ = read_csv_dataset(_csv([formula, "a=b", "y"], [[i, i % 4, i % 2] for i in range(30)]),
                               "classification")
    header = next(csv.reader(io.StringIO(dataset_to_csv(data).decode())))
    assert header == ["'" + formula, "a=b", "y", "split"]


def test_constant_columns_are_named_in_the_info():
    rows = [[i / 10, 3, i % 2] for i in range(30)]
    _, info = read_csv_dataset(table(["x1", "x2", "label"], rows), "classification")
    assert info["constant"] == ["x2"]
    rows = [[i / 10, i % 4, 5.0] for i in range(30)]
    _, info = read_csv_dataset(table(["u", "v", "y"], rows), "regression")
    assert info["constant"] == ["y"]
    _, info = read_csv_dataset(GOOD, "classification")
    assert info["constant"] == []


def test_an_uploaded_dataset_round_trips_too():
    data, _ = read_csv_dataset(GOOD, "classification")
    back, _ = read_csv_dataset(dataset_to_csv(data), "classification")
    np.testing.assert_allclose(_rows_of(back), _rows_of(data), rtol=0, atol=1e-12)
    assert back.feature_names == ("x1", "x2") and back.target_name == "label"


@pytest.mark.parametrize("split", ["random", "file"])
def test_an_uploaded_datasets_values_come_back_exactly_as_given(split):
    """0 stays 0 and 0.1 stays 0.1 in the download (un-standardising gave -2.2e-16)."""
    rows = [[round(0.1 * (i % 7), 1), float(i % 3), i % 2] for i in range(40)]
    header = ["x1", "x2", "label"]
    if split == "file":
        header.append("split")
        rows = [[*r, "test" if i % 5 == 0 else "train"] for i, r in enumerate(rows)]
    data, _ = read_csv_dataset(table(header, rows), "classification")
    written = list(csv.reader(io.StringIO(dataset_to_csv(data).decode())))[1:]
    given = {(float(a), float(b), int(c)) for a, b, c, *_ in rows}
    back = {(float(a), float(b), int(c)) for a, b, c, _ in written}
    assert back == given
    cells = {cell for row in written for cell in row[:2]}
    assert cells <= {"0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "1.0", "2.0"}, cells


# -- weights ----------------------------------------------------------------------------------

def trained_net(task="classification", activation="tanh"):
    data = make_dataset("moons" if task == "classification" else "plane", 200, seed=2)
    net = TwoLayerNet(2, 7, activation, task, seed=5)
    Trainer(net, data, lr=0.3, batch_size=32, seed=5).run(30)
    return net, data


@pytest.mark.parametrize(("task", "activation"), [("classification", "tanh"),
                                                  ("classification", "relu"),
                                                  ("regression", "sigmoid")])
def test_weights_round_trip_gives_identical_predictions(task, activation):
    net, data = trained_net(task, activation)
    raw = weights_to_npz(net, data)
    back = net_from_npz(raw, task=task, n_inputs=2)
    assert (back.activation, back.task, back.loss_name, back.n_hidden) == \
        (net.activation, net.task, net.loss_name, 7)
    for p in ("W1", "b1", "W2", "b2"):
        assert np.array_equal(getattr(back, p), getattr(net, p))
    assert np.array_equal(back.predict(data.X_test), net.predict(data.X_test))


def test_weights_file_is_plain_numpy():
    net, data = trained_net()
    with np.load(io.BytesIO(weights_to_npz(net, data)), allow_pickle=False) as npz:
        assert str(npz["activation"]) == "tanh" and str(npz["task"]) == "classification"
        assert str(npz["loss"]) == "log_loss" and int(npz["n_hidden"]) == 7
        assert int(npz["n_inputs"]) == 2
        np.testing.assert_array_equal(npz["W1"], net.W1)
        np.testing.assert_array_equal(npz["input_mean"], data.mean)
        # Used by hand, outside the app, on original units: the same as the app's prediction.
        X = data.unscale(data.X_test)
        Xs = (X - npz["input_mean"][:, None]) / npz["input_scale"][:, None]
        z2 = npz["W2"] @ np.tanh(npz["W1"] @ Xs + npz["b1"]) + npz["b2"]
        np.testing.assert_allclose(1 / (1 + np.exp(-z2)), net.predict(data.X_test), rtol=1e-12)


def npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def good_arrays(**changes):
    net, _ = trained_net()
    arrays = {**net.get_params(), "activation": np.array("tanh"),
              "task": np.array("classification"), "loss": np.array("log_loss"),
              "n_inputs": np.array(2), "n_hidden": np.array(7)}
    arrays.update(changes)
    return {k: v for k, v in arrays.items() if v is not None}


def _zip_bomb():
    buf = io.BytesIO()
    np.savez_compressed(buf, **good_arrays(W1=np.zeros((4000, 2000))))  # 64 MB unpacked
    assert len(buf.getvalue()) < MAX_BYTES
    return buf.getvalue()


def _pickled():
    buf = io.BytesIO()
    np.savez(buf, **good_arrays(W1=np.array([[{"evil": 1}] * 2] * 7, dtype=object)))
    return buf.getvalue()


def _npy_header(shape, descr="<f8"):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": descr, "fortran_order": False, "shape": shape})
    return header.getvalue()


def _claims_huge_shape():
    """A 2 KB .npz whose W1 header claims 10^15 float64 values (7 PiB): the bytes that follow
    are few, but np.load would try to allocate what the header says."""
    arrays = good_arrays(W1=None)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, a in arrays.items():
            member = io.BytesIO()
            np.save(member, a)
            z.writestr(f"{name}.npy", member.getvalue())
        z.writestr("W1.npy", _npy_header((10**15,)) + b"\0" * 2000)
    return buf.getvalue()


def _npy_with_npz_appended():
    """A bare .npy followed by a valid .npz: a ZIP reader finds the archive at the end, but
    np.load sees the .npy magic first and returns a bare array."""
    buf = io.BytesIO()
    np.save(buf, np.zeros(3))
    return buf.getvalue() + npz(**good_arrays())


def _member(name, raw_npy):
    """A weights .npz whose member ``name`` holds the bytes ``raw_npy``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for key, a in good_arrays().items():
            member = io.BytesIO()
            np.save(member, a)
            z.writestr(f"{key}.npy", raw_npy if key == name else member.getvalue())
    return buf.getvalue()


MALICIOUS = [
    ("header claims a huge shape", _claims_huge_shape, ["W1", "too large"]),
    ("npy with an npz appended", _npy_with_npz_appended, ["not a valid .npz", "zip"]),
    ("header shorter than its data", lambda: _member("W1", _npy_header((7, 2)) + b"\0" * 8),
     ["W1", "truncated"]),
    ("header with a negative size", lambda: _member("W1", _npy_header((-1, 2))), ["W1"]),
    ("header is not numpy", lambda: _member("b2", b"not an npy file at all"), ["b2"]),

    ("pickled object array", _pickled, ["pickle"]),
    ("wrong shape", lambda: npz(**good_arrays(W1=np.zeros((3, 2)))), ["W1", "shape", "(7, 2)"]),
    ("NaN", lambda: npz(**good_arrays(W2=np.full((1, 7), np.nan))), ["W2", "NaN"]),
    ("inf", lambda: npz(**good_arrays(b2=np.array([[np.inf]]))), ["b2", "infinite"]),
    ("huge weights", lambda: npz(**good_arrays(b1=np.full((7, 1), 1e300))), ["b1", "beyond"]),
    ("missing array", lambda: npz(**good_arrays(b2=None)), ["missing b2"]),
    ("unknown activation", lambda: npz(**good_arrays(activation=np.array("os.system"))),
     ["activation", "not one of"]),
    ("text weights", lambda: npz(**good_arrays(b2=np.array([["1"]]))), ["b2", "numbers"]),
    ("metadata as a list", lambda: npz(**good_arrays(n_hidden=np.array([7, 7]))),
     ["n_hidden", "single"]),
    ("too many hidden units", lambda: npz(**good_arrays(n_hidden=np.array(10_000))),
     ["n_hidden", "64"]),
    ("extra array", lambda: npz(**good_arrays(payload=np.zeros(3))), ["unexpected", "payload"]),
    ("log-loss with regression",
     lambda: npz(**good_arrays(task=np.array("regression"))), ["log_loss"]),
    ("zip bomb", _zip_bomb, ["W1", "too large"]),
    ("not a zip", lambda: b"\x93NUMPY junk" * 10, ["not a valid .npz"]),
    ("empty", lambda: b"", ["empty"]),
    ("too large", lambda: b"PK" + b"\0" * MAX_BYTES, ["too large"]),
]


@pytest.mark.parametrize(("make", "words"), [m[1:] for m in MALICIOUS],
                         ids=[m[0] for m in MALICIOUS])
def test_malicious_weights_are_refused(make, words):
    with pytest.raises(ValueError) as refused:
        net_from_npz(make())
    message = str(refused.value)
    assert message.startswith("Cannot load these weights")
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"


def test_weights_for_other_data_are_refused():
    net, _ = trained_net()
    raw = weights_to_npz(net)
    with pytest.raises(ValueError, match="for classification; the current task is regression"):
        net_from_npz(raw, task="regression")
    with pytest.raises(ValueError, match="take 2 input"):
        net_from_npz(raw, n_inputs=1)


@pytest.mark.parametrize("make", [_zip_bomb, _claims_huge_shape],
                         ids=["zip bomb", "header claims a huge shape"])
def test_weights_are_refused_before_anything_large_is_allocated(make):
    import tracemalloc

    raw = make()
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="too large"):
            net_from_npz(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Unpacked, the bomb's W1 alone is 64 MB; the crafted header claims 8 PB.
    assert peak < 5_000_000, f"{peak:,} bytes allocated while refusing"


# -- history and figure -----------------------------------------------------------------------

def test_history_csv_has_one_row_per_epoch():
    net, data = trained_net()
    trainer = Trainer(net, data, lr=0.3, batch_size=32)
    history = trainer.run(7)
    rows = list(csv.reader(io.StringIO(history_to_csv(history).decode())))
    assert rows[0] == ["epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
                       "grad_norm_W1", "grad_norm_b1", "grad_norm_W2", "grad_norm_b2"]
    assert len(rows) == 1 + 7
    assert [int(r[0]) for r in rows[1:]] == list(range(1, 8))
    values = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    expected = np.column_stack([history.train_loss, history.test_loss, history.train_metric,
                                history.test_metric,
                                *(history.grad_norm[p] for p in ("W1", "b1", "W2", "b2"))])
    assert np.array_equal(values, expected)  # exact: floats are written with repr


def test_history_csv_for_regression_names_r2():
    net = TwoLayerNet(1, 4, "tanh", "regression", seed=0)
    history = Trainer(net, make_dataset("sine", 50), lr=0.1).run(3)
    header = history_to_csv(history).decode().splitlines()[0]
    assert header.split(",")[3:5] == ["train_r2", "test_r2"]


def test_an_empty_history_is_a_header():
    net, data = trained_net()
    history = Trainer(net, data).history
    assert history_to_csv(history).decode().count("\n") == 1


def test_figure_html_is_standalone_and_keeps_the_frames():
    frames = [go.Frame(data=[go.Scatter(x=[0, 1], y=[0, k])], name=f"epoch-{k}")
              for k in range(5)]
    fig = go.Figure(data=[go.Scatter(x=[0, 1], y=[0, 0])], frames=frames)
    html = figure_to_html(fig).decode("utf-8")
    assert html.lstrip().lower().startswith("<html") or "<!doctype" in html.lower()[:50]
    assert "plotly" in html.lower()
    assert '<script src="http' not in html  # plotly.js is inlined: plays offline
    assert len(html) > 1_000_000
    assert "Plotly.addFrames" in html
    for k in range(5):
        assert f'"epoch-{k}"' in html


# -- the widgets (AppTest) --------------------------------------------------------------------

def _panel_app():
    import streamlit as st

    from twolayer.ui.transfer import upload_panel

    result = upload_panel("classification", n_inputs=2)
    st.session_state["result"] = result


def test_upload_panel_refuses_with_the_reason_and_returns_none():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_panel_app, default_timeout=30).run()
    assert at.session_state["result"] is None and not at.error
    bad = table(["x1", "x2", "label"], with_row(moons_rows(), 3, [0.1, "abc", 1]))
    at.file_uploader[0].set_value(("mine.csv", bad, "text/csv"))
    at.run()
    assert not at.exception
    assert at.session_state["result"] is None
    assert as_shown(at.error[0].value) == ("mine.csv: Row 3 (line 4), feature column 'x2': "
                                           "'abc' is not a number.")
    assert unescaped(at.error[0].value) == []   # the file's names and cells are not Markdown


def test_upload_panel_says_the_size_limit_and_names_a_constant_column():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_panel_app, default_timeout=30).run()
    # The limit is on screen, not only in a tooltip (an over-size file never reaches Python).
    assert "at most 1 MB" in at.file_uploader[0].proto.label
    rows = [[i / 10, 3, i % 2] for i in range(30)]
    at.file_uploader[0].set_value(("flat.csv", table(["x1", "x2", "label"], rows), "text/csv"))
    at.run()
    assert at.session_state["result"].dataset is not None     # accepted, but not silently
    assert [as_shown(w.value) for w in at.warning] == [
        "flat.csv: 'x2' holds the same value in every row: the net cannot learn anything "
        "from such a column."]


def test_upload_panel_reads_a_good_csv_and_weights():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_panel_app, default_timeout=30).run()
    at.file_uploader[0].set_value(("mine.csv", GOOD, "text/csv"))
    at.run()
    result = at.session_state["result"]
    assert not at.exception and not at.error
    assert result.dataset is not None and result.net is None
    assert result.dataset.X_train.shape[0] == 2
    net, _ = trained_net()
    at.file_uploader[0].set_value(("w.npz", weights_to_npz(net), "application/octet-stream"))
    at.run()
    result = at.session_state["result"]
    assert result.net is not None and np.array_equal(result.net.W1, net.W1)


def test_upload_panel_offers_a_column_choice():
    from streamlit.testing.v1 import AppTest

    raw = table(["id", "name", "a", "b", "cls"], [[i, f"p{i}", r[0], r[1], r[2]]
                                                  for i, r in enumerate(moons_rows())])
    at = AppTest.from_function(_panel_app, default_timeout=30).run()
    at.file_uploader[0].set_value(("wide.csv", raw, "text/csv"))
    at.run()
    assert at.selectbox[0].value == "cls"
    assert at.multiselect[0].value == ["id", "a"]  # the first two others: the user picks
    at.multiselect[0].set_value(["a", "b"]).run()
    result = at.session_state["result"]
    assert result.dataset.feature_names == ("a", "b") and not at.error


def _download_app():
    import plotly.graph_objects as go
    import streamlit as st

    from twolayer import TwoLayerNet
    from twolayer.data import make_dataset
    from twolayer.train import Trainer
    from twolayer.ui.transfer import download_buttons

    data = make_dataset("moons", 100)
    net = TwoLayerNet(2, 4, "tanh", "classification")
    history = Trainer(net, data).run(3)
    download_buttons(data, net, history, go.Figure())
    st.write("done")


def test_download_buttons_are_drawn():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_download_app, default_timeout=30).run()
    assert not at.exception
    buttons = at.get("download_button")
    assert [b.label for b in buttons] == ["Data (CSV)", "Weights (.npz)", "History (CSV)",
                                          "Figure (HTML)"]


# -- zip bombs: compression the weights format never uses, and directories that lie ----------

def _npy_bytes(a):
    member = io.BytesIO()
    np.save(member, a)
    return member.getvalue()


def _lying_zip(members, method, padding):
    """A .npz whose members are each a valid small .npy followed by ``padding`` zero bytes,
    compressed with ``method``, while the archive's directory claims each member holds only
    its .npy (the size a reader that trusts the directory would check)."""
    buf = io.BytesIO()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(buf, "w") as z:
        for name, a in members.items():
            info = zipfile.ZipInfo(f"{name}.npy")
            info.compress_type = method
            with z.open(info, "w") as f:
                f.write(_npy_bytes(a))
                for _ in range(padding // len(chunk)):
                    f.write(chunk)
    raw = bytearray(buf.getvalue())
    claimed = {f"{name}.npy".encode(): len(_npy_bytes(a)) for name, a in members.items()}
    # Patch the uncompressed size in every local header (offset 22) and central directory
    # entry (offset 24): the directory now says "small".
    for sig, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30),
                                               (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (start := raw.find(sig, start)) >= 0:
            n = int.from_bytes(raw[start + name_len_at:start + name_len_at + 2], "little")
            name = bytes(raw[start + name_at:start + name_at + n])
            if name in claimed:
                raw[start + size_at:start + size_at + 4] = claimed[name].to_bytes(4, "little")
            start += 4
    return bytes(raw)


BOMB_PADDING = 100 << 20   # 100 MB of zeros behind each member's array: twice the limit


@pytest.fixture(scope="module")
def bombs():
    one = {"W1": good_arrays()["W1"]}
    return {
        "bzip2": _lying_zip({**good_arrays(), **one}, zipfile.ZIP_BZIP2, BOMB_PADDING),
        "lzma": _lying_zip({**good_arrays(), **one}, zipfile.ZIP_LZMA, BOMB_PADDING),
        "deflate, lying directory": _lying_zip(good_arrays(), zipfile.ZIP_DEFLATED,
                                               BOMB_PADDING),
        "11 members": _lying_zip({**good_arrays(), "input_mean": np.zeros(2),
                                  "input_scale": np.ones(2)}, zipfile.ZIP_BZIP2, 10 << 20),
    }


@pytest.mark.parametrize("kind", ["bzip2", "lzma", "deflate, lying directory", "11 members"])
def test_zip_bombs_are_refused_with_little_memory(bombs, kind):
    import tracemalloc

    raw = bombs[kind]
    assert len(raw) < MAX_BYTES  # it passes the upload size limit: the reader must hold
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as refused:
            net_from_npz(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(refused.value).startswith("Cannot load these weights")
    assert peak < 50_000_000, f"{peak:,} bytes allocated while refusing {kind}"


def test_a_zip_bomb_is_refused_in_a_fresh_process_with_little_resident_memory(bombs, tmp_path):
    """The peak resident memory of a process while it refuses the bzip2 bomb (tracemalloc does
    not see every allocation a decompressor makes). Linux's peak (VmHWM) is reset to the
    current size first, after the imports, through /proc/self/clear_refs."""
    import subprocess
    import sys

    path = tmp_path / "bomb.npz"
    path.write_bytes(bombs["bzip2"])
    code = ("import re, sys\n"
            "from twolayer.io import net_from_npz\n"
            "raw = open(sys.argv[1], 'rb').read()\n"
            "def kb(key):\n"
            "    status = open('/proc/self/status').read()\n"
            "    return int(re.search(key + r':\\s+(\\d+) kB', status).group(1))\n"
            "open('/proc/self/clear_refs', 'w').write('5')\n"
            "before = kb('VmRSS')\n"
            "try:\n"
            "    net_from_npz(raw)\n"
            "except ValueError as e:\n"
            "    print('refused:', e)\n"
            "print(kb('VmHWM') - before)\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, timeout=120, check=True).stdout.splitlines()
    assert out[0].startswith("refused: Cannot load these weights"), out
    assert int(out[-1]) * 1024 < 50_000_000, f"peak resident memory grew by {out[-1]} kB"


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_only_the_compression_numpy_writes_is_read(method):
    """np.savez stores, np.savez_compressed deflates: any other method is refused by name,
    even for an honest file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, a in good_arrays().items():
            z.writestr(f"{name}.npy", _npy_bytes(a))
    with pytest.raises(ValueError, match="compression"):
        net_from_npz(buf.getvalue())


def test_compressed_weights_load():
    net, _ = trained_net()
    buf = io.BytesIO()
    np.savez_compressed(buf, **good_arrays())
    loaded = net_from_npz(buf.getvalue())
    np.testing.assert_array_equal(loaded.W1, net.W1)


def test_a_member_longer_than_its_array_is_refused():
    """Bytes after an array's data are refused, also when the directory tells the truth."""
    raw = _member("b1", _npy_bytes(good_arrays()["b1"]) + b"\0" * 64)
    with pytest.raises(ValueError, match="b1"):
        net_from_npz(raw)


@pytest.mark.parametrize("layout", ["fortran", "big-endian", "float16", "float32", "int"])
def test_weights_in_any_numpy_layout_load_to_their_values(layout):
    net, _ = trained_net()
    params = net.get_params()
    if layout == "fortran":
        arrays = {p: np.asfortranarray(v) for p, v in params.items()}
    elif layout == "big-endian":
        arrays = {p: v.astype(">f8") for p, v in params.items()}
    elif layout == "float16":
        arrays = {p: v.astype(np.float16) for p, v in params.items()}
    elif layout == "float32":
        arrays = {p: v.astype(np.float32) for p, v in params.items()}
    else:
        arrays = {p: np.round(v * 10).astype(np.int32) for p, v in params.items()}
    raw = npz(**good_arrays(**arrays))
    if layout == "fortran":
        assert np.load(io.BytesIO(raw))["W1"].flags.f_contiguous  # the file is what it says
    loaded = net_from_npz(raw)
    for p, v in arrays.items():
        # the values as NumPy itself reads the array, in float64
        np.testing.assert_array_equal(getattr(loaded, p), np.asarray(v, dtype=np.float64))
        assert getattr(loaded, p).dtype == np.float64


def test_float16_weights_beyond_the_limit_are_refused_without_a_warning():
    """float16 overflows at 65504: the magnitude check must not compute in float16
    (RuntimeWarnings fail tests here, see pyproject.toml)."""
    raw = npz(**good_arrays(W1=np.full((7, 2), 6e4, dtype=np.float16)))
    assert net_from_npz(raw).W1[0, 0] == np.float16(6e4)


def test_an_upload_is_parsed_once_across_reruns(monkeypatch):
    """A weights file (and a refused one) is read once per file, not on every rerun while it
    sits in the uploader."""
    from streamlit.testing.v1 import AppTest

    import twolayer.ui.transfer as transfer

    calls = []

    def counting(raw, **kwargs):
        calls.append(len(raw))
        return net_from_npz(raw, **kwargs)

    monkeypatch.setattr(transfer, "net_from_npz", counting)
    at = AppTest.from_function(_panel_app, default_timeout=30).run()
    net, _ = trained_net()
    at.file_uploader[0].set_value(("w.npz", weights_to_npz(net), "application/octet-stream"))
    for _ in range(3):
        at.run()
    assert at.session_state["result"].net is not None
    assert len(calls) == 1
    at.file_uploader[0].set_value(("bad.npz", b"PK\x03\x04 junk", "application/octet-stream"))
    for _ in range(3):
        at.run()
    assert "not a valid .npz" in as_shown(at.error[0].value)
    assert len(calls) == 2


def test_a_zip_bomb_is_refused_in_the_page_with_its_reason(bombs):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_panel_app, default_timeout=30).run()
    at.file_uploader[0].set_value(("w.npz", bombs["bzip2"], "application/octet-stream"))
    at.run()
    assert not at.exception
    assert at.session_state["result"] is None
    assert as_shown(at.error[0].value) == (
        "w.npz: Cannot load these weights: array W1 uses a compression NumPy never "
        "writes (ZIP method 12); only stored or deflate.")


# -- the scaler saved beside the weights ------------------------------------------------------

def test_the_scaler_comes_back_with_the_weights_and_predicts_from_raw_inputs():
    net, data = trained_net()
    back, scaler = weights_from_npz(weights_to_npz(net, data), task="classification")
    assert np.array_equal(scaler.mean, data.mean) and np.array_equal(scaler.scale, data.scale)
    # The raw test inputs, standardised by hand with the training part's mean and deviation,
    # are what the net was trained on; the loaded scaler must give the same.
    raw_X = data.original("test")
    X_train_raw = data.original("train")
    mean, std = X_train_raw.mean(axis=1), X_train_raw.std(axis=1)
    assert np.allclose(scaler.standardise(raw_X), (raw_X - mean[:, None]) / std[:, None])
    assert np.allclose(scaler.standardise(raw_X), data.X_test)
    assert np.array_equal(back.predict(scaler.standardise(raw_X)) >= 0.5,
                          net.predict(data.X_test) >= 0.5)
    # Saved again with the scaler it came with, it comes back once more.
    again, scaler_again = weights_from_npz(weights_to_npz(back, scaler))
    assert np.array_equal(scaler_again.mean, data.mean)
    assert np.array_equal(again.W1, net.W1)


def test_weights_saved_without_a_scaler_come_back_without_one():
    net, _ = trained_net()
    back, scaler = weights_from_npz(weights_to_npz(net))
    assert scaler is None and np.array_equal(back.W2, net.W2)


@pytest.mark.parametrize(("change", "message"), [
    (dict(input_scale=None), "input_mean comes without input_scale"),
    (dict(input_mean=np.zeros(3)), r"input_mean has shape \(3,\)"),
    (dict(input_scale=np.array([1.0, 0.0])), "input_scale must be > 0"),
    (dict(input_mean=np.array([np.nan, 0.0])), "input_mean holds NaN"),
])
def test_a_bad_scaler_is_refused_with_the_reason(change, message):
    net, data = trained_net()
    with np.load(io.BytesIO(weights_to_npz(net, data)), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    for key, value in change.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    with pytest.raises(ValueError, match=message):
        weights_from_npz(buf.getvalue())
