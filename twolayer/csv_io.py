"""Data as CSV, in and out: your own data set from an upload, and the data and the training
history as downloads.

Pure functions of bytes, no Streamlit. Everything read from an upload is checked before it
reaches NumPy: a malformed file raises ValueError with a message that names the problem and,
where there is one, the row (1-based data row, counted below the header) and its line in the
file.

CSV is read with Python's csv module rather than pandas: it keeps the line of every row (so a
message can point at it), it never guesses types or fills gaps, and it adds no import to the
core (pandas costs about half a second to import).
"""

import csv
import io
import math
import re

import numpy as np

from .data import MAX_CLASSES, MIN_SAMPLES, split_and_scale, standardised
from .net import PARAMS, TASKS
from .settings import MAX_BYTES, MAX_MAGNITUDE, MAX_SAMPLES, NUMBER, shown

MAX_NAME = 64              # characters in a column name
MAX_COLUMNS = 50
SPLIT_COLUMN = "split"     # a column of train/test, as dataset_to_csv writes it
FEATURES_FOR_TASK = {"classification": (2,), "regression": (1, 2)}

_MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-", "#n/a"}
# A spreadsheet takes a cell that starts with one of these for a formula (CSV injection):
# such a header cell is written with a leading apostrophe, as OWASP advises, and read back
# without it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DELIMITERS = {";": "';'", "\t": "a tab", "|": "'|'", " ": "a space"}


# -- CSV in ------------------------------------------------------------------------------------

def _text(raw):
    """The upload as text, refusing what is not a small UTF-8 text file."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    raw = bytes(raw)
    if not raw.strip():
        raise ValueError("The file is empty.")
    if len(raw) > MAX_BYTES:
        raise ValueError(f"The file is too large: {len(raw):,} bytes; at most 1 MB "
                         f"({MAX_BYTES:,} bytes).")
    if raw.startswith(b"PK\x03\x04"):
        raise ValueError("The file is binary, not text: it looks like a ZIP or Excel file. "
                         "Save it as CSV (comma-separated, UTF-8).")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("The file is UTF-16 text, read here as binary, not text. Save it as "
                         "CSV UTF-8 (comma-separated).")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise ValueError(f"The file is binary, not text: it holds a NUL byte on line {line}. "
                         "Save it as CSV (comma-separated, UTF-8).")
    try:
        return raw.decode("utf-8-sig")  # -sig: drop the byte-order mark Excel writes
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ValueError(f"The file is not UTF-8 text (binary?): byte 0x{raw[e.start]:02x} on "
                         f"line {line}. Save it as CSV (comma-separated, UTF-8).") from None


def _parse_number(text):
    """A float for a plain decimal literal, else None (no hex, no '1_000', no 'inf')."""
    text = text.strip()
    return float(text) if NUMBER.fullmatch(text) else None


def _read_table(raw):
    """(header, rows): rows as (line number, fields), every row as wide as the header."""
    text = _text(raw)
    reader = csv.reader(io.StringIO(text, newline=""))
    header, rows = None, []
    end = 0  # the last line of the previous record: a quoted field may span lines
    try:
        for fields in reader:
            line, end = end + 1, reader.line_num
            if not fields or all(not f.strip() for f in fields):
                continue  # blank lines (a trailing newline, a gap) carry nothing
            if header is None:
                header = [_unneutralised(f.strip()) for f in fields]
                _check_header(header, line)
                continue
            if len(fields) != len(header):
                hint = ""
                if end > line:
                    hint = f" A quote (\") opened on line {line} is not closed."
                elif len(fields) == 1 and any(d in fields[0] for d in _DELIMITERS):
                    hint = " Are its fields separated by something other than commas?"
                raise ValueError(f"Row {len(rows) + 1} (line {line}) has {len(fields)} "
                                 f"field{'s' * (len(fields) != 1)}; the header has "
                                 f"{len(header)}.{hint}")
            if len(rows) == MAX_SAMPLES:
                raise ValueError(f"Too many rows: more than {MAX_SAMPLES:,} data rows; at most "
                                 f"{MAX_SAMPLES:,}.")
            rows.append((line, fields))
    except csv.Error as e:
        raise ValueError(f"The file is not valid CSV: {e} (line {reader.line_num}).") from None
    if header is None:
        raise ValueError("The file is empty.")
    if not rows:
        raise ValueError("The file has a header but no data rows.")
    return header, rows


def _check_header(header, line):
    if len(header) == 1:
        for d, name in _DELIMITERS.items():
            if d in header[0]:
                raise ValueError(f"Found one column; is the delimiter {name}? Save the file "
                                 "with commas between the columns.")
        raise ValueError("Found one column; a CSV here needs a feature column and a label "
                         "column separated by commas, with a header row.")
    if len(header) > MAX_COLUMNS:
        raise ValueError(f"Too many columns: {len(header)}; at most {MAX_COLUMNS}.")
    if all(_parse_number(h) is not None for h in header):
        raise ValueError(f"No header row: line {line} holds numbers, not column names. Add a "
                         "first line with names, such as x1,x2,label.")
    seen = {}
    for i, name in enumerate(header, start=1):
        if not name:
            raise ValueError(f"Column {i} has no name in the header (line {line}).")
        if len(name) > MAX_NAME or not name.isprintable():
            raise ValueError(f"Column {i}'s name is too long or holds control characters "
                             f"(line {line}); at most {MAX_NAME} printable characters.")
        if name in seen:
            raise ValueError(f"Duplicate column name {name!r}: columns {seen[name]} and {i} "
                             f"(line {line}).")
        seen[name] = i


def _neutralised(cell):
    """A header cell as written to a CSV: a leading apostrophe before a formula's first sign."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _unneutralised(cell):
    """A header cell as read: the apostrophe ``_neutralised`` adds is dropped again."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def csv_columns(raw):
    """The names of the columns whose every value is a number, in the file's order.

    A page offers these as choices for features and label. Raises ValueError when the file
    itself is malformed (see ``read_csv_dataset``).
    """
    header, rows = _read_table(raw)
    return [name for j, name in enumerate(header)
            if all(_parse_number(fields[j]) is not None for _, fields in rows)]


def _column(header, rows, name, what):
    """The values of column ``name`` as floats, refusing anything that is not a sane number."""
    j = header.index(name)
    values = np.empty(len(rows))
    for i, (line, fields) in enumerate(rows):
        text = fields[j].strip()
        where = f"Row {i + 1} (line {line}), {what} column {name!r}"
        number = _parse_number(text)
        if number is None:
            low = text.lower()
            if low in _MISSING:
                raise ValueError(f"{where}: missing value "
                                 f"({'empty' if not text else repr(text)}).")
            if low.lstrip("+-") in ("inf", "infinity"):
                raise ValueError(f"{where}: {text!r} is not a finite number.")
            hint = ""
            if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", text):
                hint = " Write decimals with a point (1.5), not a comma."
            raise ValueError(f"{where}: {shown(text)!r} is not a number.{hint}")
        if not math.isfinite(number):  # a literal like 1e999 overflows to inf
            raise ValueError(f"{where}: {text!r} is not a finite number.")
        if abs(number) > MAX_MAGNITUDE:
            raise ValueError(f"{where}: {text!r} is too large in magnitude; values must lie "
                             f"within +-{MAX_MAGNITUDE:g}.")
        values[i] = number
    return values


def _choose_columns(header, task, feature_columns, label_column):
    """(feature names, label name), the defaults filled in and the choice checked."""
    counts = FEATURES_FOR_TASK[task]
    if label_column is None:
        label_column = [h for h in header if h.lower() != SPLIT_COLUMN][-1]
    if feature_columns is None:
        others = [h for h in header if h != label_column and h.lower() != SPLIT_COLUMN]
        if len(others) not in counts:
            need = " or ".join(str(c) for c in counts)
            raise ValueError(f"The file has {len(header)} columns: choose {need} feature "
                             f"column{'s' * (max(counts) > 1)} and the label column.")
        feature_columns = others
    feature_columns = list(feature_columns)
    for name in [*feature_columns, label_column]:
        if name not in header:
            raise ValueError(f"No column {name!r} in the file; it has {', '.join(header)}.")
    if len(feature_columns) not in counts:
        need = " or ".join(str(c) for c in counts)
        raise ValueError(f"{task.capitalize()} needs {need} feature column"
                         f"{'s' * (max(counts) > 1)}; {len(feature_columns)} chosen.")
    if len(set(feature_columns)) != len(feature_columns) or label_column in feature_columns:
        raise ValueError("Choose different columns for the features and the label.")
    return feature_columns, label_column


def _split_column(header, rows, chosen):
    """The file's own train/test split (a boolean 'is test' per row), or None."""
    names = [h for h in header if h.lower() == SPLIT_COLUMN and h not in chosen]
    if not names:
        return None
    j = header.index(names[0])
    is_test = np.empty(len(rows), dtype=bool)
    for i, (line, fields) in enumerate(rows):
        value = fields[j].strip().lower()
        if value not in ("train", "test"):
            raise ValueError(f"Row {i + 1} (line {line}), column {names[0]!r}: {fields[j]!r} "
                             "is neither 'train' nor 'test'.")
        is_test[i] = value == "test"
    return is_test


def _check_labels(y, rows, label, n_classes=2):
    """The number of classes: n_classes, or (None) inferred from the largest label; each row's
    label checked to be one of 0 .. n_classes-1 and every class checked to have rows."""
    if n_classes is None:
        bad = next((i for i, v in enumerate(y) if not (v >= 0 and v == int(v))), None)
        if bad is not None:
            raise ValueError(f"Row {bad + 1} (line {rows[bad][0]}), label column {label!r}: "
                             f"{y[bad]:g} is not a class label; classification needs labels "
                             f"0, 1, ... (at most {MAX_CLASSES} classes).")
        n_classes = max(2, int(y.max()) + 1)
        if n_classes > MAX_CLASSES:
            i = int(np.argmax(y))
            raise ValueError(f"Row {i + 1} (line {rows[i][0]}), label column {label!r}: "
                             f"{y[i]:g} is not a class label; classification takes at most "
                             f"{MAX_CLASSES} classes, labels 0 to {MAX_CLASSES - 1}.")
    labels = np.arange(float(n_classes))
    for i, value in enumerate(y):
        if value not in labels:
            need = ("labels 0 and 1" if n_classes == 2
                    else f"the labels 0 to {n_classes - 1} for {n_classes} classes")
            raise ValueError(f"Row {i + 1} (line {rows[i][0]}), label column {label!r}: "
                             f"{value:g} is not a class label; classification needs {need}.")
    present = np.unique(y)
    if len(present) < 2:
        raise ValueError(f"Only one class: every label is {present[0]:g}; classification needs "
                         + ("rows of both class 0 and class 1." if n_classes == 2
                            else f"rows of every class 0 to {n_classes - 1}."))
    missing = [int(c) for c in labels if c not in present]
    if missing:
        raise ValueError(f"No rows of class {missing[0]}; {n_classes} classes need rows of every "
                         f"class 0 to {n_classes - 1}.")
    return n_classes


def _min_per_class(test_fraction):
    """Rows each class needs so that a stratified split puts it in both train and test."""
    return max(2, math.ceil(1.0 / min(test_fraction, 1.0 - test_fraction)))


def read_csv_dataset(raw, task, feature_columns=None, label_column=None, test_fraction=0.3,
                     seed=0, n_classes=2):
    """A Dataset from an uploaded CSV with a header row; (dataset, info).

    Parameters
    ----------
    raw : bytes, the file (at most 1 MB and ``settings.MAX_SAMPLES`` data rows)
    task : "classification" (two feature columns, labels 0/1) or "regression" (one or two
        feature columns, any finite target)
    feature_columns, label_column : column names; by default the label is the last column and
        the features are the others (when that makes a valid choice); "split" is never chosen
    test_fraction, seed : the split, stratified for classification. A column named "split"
        holding train/test (as ``dataset_to_csv`` writes it) gives the split instead.
    n_classes : classification's labels are 0 .. n_classes-1 (2: labels 0/1); None: as many
        classes as the largest label says (labels 0, 1, ..., at most data.MAX_CLASSES classes).

    info is a dict: rows, columns, features, label, split ("random" or "file"), n_train,
    n_test, constant (the chosen columns that hold one value in every row: a feature the net
    cannot use, a target with nothing to fit), and classes ({0: count, 1: count, ...}) for
    classification.
    Raises ValueError naming the problem and the row for any malformed file or choice.
    """
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; allowed: {', '.join(TASKS)}")
    if not 0.0 < test_fraction < 1.0:  # also refuses NaN
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction!r}")
    header, rows = _read_table(raw)
    features, label = _choose_columns(header, task, feature_columns, label_column)
    X = np.column_stack([_column(header, rows, f, "feature") for f in features])
    y = _column(header, rows, label, "label" if task == "classification" else "target")
    is_test = _split_column(header, rows, [*features, label])
    m = len(rows)
    if m < MIN_SAMPLES:
        raise ValueError(f"Too few rows: {m}; at least {MIN_SAMPLES} are needed.")
    info = {"rows": m, "columns": list(header), "features": list(features), "label": label,
            "constant": [name for name, values in zip([*features, label], [*X.T, y], strict=True)
                         if np.ptp(values) == 0]}
    if task == "classification":
        n_classes = _check_labels(y, rows, label, n_classes)
        info["classes"] = {c: int(np.sum(y == c)) for c in range(n_classes)}
    else:
        n_classes = 2   # a regression net has one output
    if is_test is not None:
        parts = {"training": y[~is_test], "test": y[is_test]}
        for part, values in parts.items():
            if len(values) < 2:
                raise ValueError(f"The file's split column leaves {len(values)} row(s) in the "
                                 f"{part} part; each part needs at least 2.")
            if task == "classification" and len(np.unique(values)) < 2:
                raise ValueError(f"The file's split column leaves only one class in the {part} "
                                 "part; each part needs rows of both classes.")
            if task == "classification" and len(np.unique(values)) < n_classes:
                raise ValueError(f"The file's split column leaves no rows of class "
                                 f"{min(set(range(n_classes)) - set(np.unique(values)))} in "
                                 f"the {part} part; each part needs rows of every class.")
        data = standardised("upload", task, X[~is_test], y[~is_test], X[is_test], y[is_test],
                            features, label, n_classes)
        info["split"] = "file"
    else:
        if task == "classification":
            need = _min_per_class(test_fraction)
            for c, count in info["classes"].items():
                if count < need:
                    raise ValueError(f"Too few rows of class {c}: {count}; with a test fraction "
                                     f"of {test_fraction:g} each class needs at least {need}, so "
                                     "that it appears in both the training and the test part.")
        data = split_and_scale(X, y, task, name="upload", test_fraction=test_fraction, seed=seed,
                               feature_names=tuple(features), target_name=label,
                               n_classes=n_classes)
        info["split"] = "random"
    info["n_train"], info["n_test"] = data.X_train.shape[1], data.X_test.shape[1]
    return data, info


# -- data and history out ---------------------------------------------------------------------

def _csv_bytes(header, rows):
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _num(x):
    return repr(float(x))  # the shortest text that reads back as the same float


def dataset_to_csv(dataset):
    """The dataset in its original units: feature columns, the label or target, and split.

    ``read_csv_dataset`` reads it back to the same rows, names and split. A column name from
    an upload that starts like a formula (=, +, -, @) is written as '=... (see FORMULA_START).
    """
    label = ((lambda v: str(int(v))) if dataset.task == "classification" else _num)
    rows = []
    for y, part in ((dataset.y_train, "train"), (dataset.y_test, "test")):
        X = dataset.original(part)
        for j in range(X.shape[1]):
            rows.append([*(_num(v) for v in X[:, j]), label(y[0, j]), part])
    header = [*dataset.feature_names, dataset.target_name, SPLIT_COLUMN]
    return _csv_bytes([_neutralised(h) for h in header], rows)


def history_to_csv(history):
    """One row per epoch: epoch, losses, metrics and the mean gradient norm per parameter."""
    metric = history.metric_name
    header = ["epoch", "train_loss", "test_loss", f"train_{metric}", f"test_{metric}",
              *(f"grad_norm_{p}" for p in PARAMS)]
    rows = [[k + 1, _num(history.train_loss[k]), _num(history.test_loss[k]),
             _num(history.train_metric[k]), _num(history.test_metric[k]),
             *(_num(history.grad_norm[p][k]) for p in PARAMS)]
            for k in range(history.epochs)]
    return _csv_bytes(header, rows)
