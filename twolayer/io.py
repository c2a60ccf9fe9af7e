"""Files in and out: your own data as CSV, weights as .npz, history as CSV, figures as HTML.

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
import zipfile
import zlib
from typing import NamedTuple

import numpy as np

from .activations import HIDDEN_ACTIVATIONS
from .data import MAX_CLASSES, MIN_SAMPLES, split_and_scale, standardised
from .losses import LOSSES
from .net import PARAMS, TASKS, TwoLayerNet
from .settings import MAX_HIDDEN, MAX_SAMPLES, NUMBER, shown

MAX_BYTES = 1_000_000      # an upload (CSV or .npz), as in .streamlit/config.toml's 1 MB
MAX_MAGNITUDE = 1e6        # larger feature or target values are refused as absurd
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


# -- data, history and figures out ------------------------------------------------------------

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


def figure_to_html(fig):
    """A standalone HTML page of a Plotly figure (plotly.js inlined, frames kept): plays
    offline."""
    return fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False).encode("utf-8")


# -- weights ----------------------------------------------------------------------------------

_META = ("activation", "task", "loss", "n_inputs", "n_hidden")
_CLASSES = "n_classes"     # written for K >= 3 classes only; a file without it has two
_SCALER = ("input_mean", "input_scale")
MAX_NPZ_MEMBER = 100_000   # bytes per array once unpacked: far above 64 hidden units' worth


class Scaler(NamedTuple):
    """The standardiser a net's weights were trained behind: x_std = (x - mean) / scale, per
    feature; mean and scale of shape (n_inputs,), as a Dataset's."""

    mean: np.ndarray
    scale: np.ndarray

    def standardise(self, X):
        """X (n_inputs, m) in the data's own units, as the net takes it (standardised)."""
        return (np.asarray(X, dtype=np.float64) - self.mean[:, None]) / self.scale[:, None]


def weights_to_npz(net, dataset=None):
    """The net's W1, b1, W2, b2 and settings as an .npz that ``np.load`` reads without pickle.

    The weights act on standardised inputs; with ``dataset`` (a Dataset, or the Scaler that
    ``weights_from_npz`` gave back) the scaler's input_mean and input_scale are saved too, so
    that x_std = (x - input_mean) / input_scale. A net of K >= 3
    classes also saves n_classes (W2 (K, n_hidden), b2 (K, 1)); a two-class file is as it
    always was, so that any version of the app reads it.
    """
    arrays = {p: np.asarray(v, dtype=np.float64) for p, v in net.params().items()}
    arrays.update(activation=np.array(net.activation), task=np.array(net.task),
                  loss=np.array(net.loss_name), n_inputs=np.array(net.n_inputs),
                  n_hidden=np.array(net.n_hidden))
    if getattr(net, "n_classes", 2) > 2:
        arrays[_CLASSES] = np.array(net.n_classes)
    if dataset is not None:
        arrays.update(input_mean=np.asarray(dataset.mean, dtype=np.float64),
                      input_scale=np.asarray(dataset.scale, dtype=np.float64))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


# np.savez stores its members, np.savez_compressed deflates them; nothing else is read. bzip2
# and LZMA are refused by method, before a byte is decompressed: zipfile hands them whole
# chunks to decompress at once, and a few hundred bytes of bzip2 unpack to gigabytes.
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
MAX_NPY_HEADER = 4096      # bytes: np.save writes 128 for any array this app has
MAX_NPZ_TOTAL = 400_000    # bytes unpacked, all members together


def _read_member(z, member, name, budget):
    """The member's bytes, unpacked with a hard cap: never more than ``budget`` (and the
    per-member limit) plus one byte, whatever the archive's directory claims."""
    cap = min(budget, MAX_NPZ_MEMBER + MAX_NPY_HEADER)
    chunks, size = [], 0
    with z.open(member) as f:
        # zipfile bounds each deflate read by the length asked for (decompress's max_length)
        while size <= cap and (chunk := f.read(min(65536, cap + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    if size > cap:
        raise ValueError(f"array {name} is too large: more than {cap:,} bytes once unpacked")
    return b"".join(chunks)


def _read_npy(raw, name):
    """One array from the bytes of its .npy member, its header checked before anything is
    allocated.

    The .npy header states shape and dtype; a crafted one may claim 10^15 values in a 2 KB
    file. So the header is read alone and the size it claims must be exactly what follows it
    (never a pickle, never np.load).
    """
    f = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(f)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran_order, dtype = read_header(f)
    except (ValueError, TypeError, SyntaxError, EOFError, OSError):
        raise ValueError(f"array {name} is not a NumPy array file") from None
    if dtype.hasobject:
        raise ValueError("it holds Python objects (pickle), which are never loaded")
    if dtype.kind not in "biufU" or any(d < 0 for d in shape):
        raise ValueError(f"array {name} has an unsupported type or shape")
    nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if nbytes > MAX_NPZ_MEMBER:
        raise ValueError(f"array {name} is too large: its header claims {nbytes:,} bytes")
    data = raw[f.tell():]
    if len(data) < nbytes:
        raise ValueError(f"array {name} is truncated: {len(data):,} of {nbytes:,} bytes")
    if len(data) > nbytes:
        raise ValueError(f"array {name} has {len(data) - nbytes:,} bytes after its data")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")


def _unpack(raw):
    """The arrays of an .npz, by name, refusing anything but small plain numeric/str arrays.

    The archive is opened here, member by member; np.load is never called on the upload (it
    would take a file that merely starts like a .npy for one, whatever follows).
    """
    if not raw.startswith(b"PK\x03\x04"):
        raise ValueError("not a valid .npz file: it does not start as a ZIP archive does")
    allowed = set(PARAMS) | set(_META) | set(_SCALER) | {_CLASSES}
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            members = z.infolist()
            names = [m.filename.removesuffix(".npy") for m in members]
            unknown = sorted(set(names) - allowed)
            if unknown:
                raise ValueError(f"unexpected arrays {', '.join(unknown)[:80]}; a weights file "
                                 f"holds {', '.join([*PARAMS, *_META])}")
            if len(set(names)) != len(names):
                raise ValueError("an array appears twice")
            for n, m in zip(names, members, strict=True):
                if m.compress_type not in _METHODS:
                    raise ValueError(f"array {n} uses a compression NumPy never writes (ZIP "
                                     f"method {m.compress_type}); only stored or deflate")
                if m.file_size > MAX_NPZ_MEMBER + MAX_NPY_HEADER:
                    raise ValueError(f"array {n} is too large")
            arrays, budget = {}, MAX_NPZ_TOTAL
            for n, m in zip(names, members, strict=True):
                member = _read_member(z, m, n, budget)
                budget -= len(member)
                arrays[n] = _read_npy(member, n)
            return arrays
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError,
            KeyError, RuntimeError, zlib.error) as e:
        # RuntimeError: an encrypted member; BadZipFile: a CRC that does not match the bytes.
        raise ValueError(f"not a valid .npz file ({type(e).__name__})") from None


def _scalar(arrays, key, kind):
    a = arrays[key]
    if a.shape != () or a.dtype.kind not in kind:
        raise ValueError(f"{key} must be a single {'text' if kind == 'U' else 'integer'}")
    return a.item()


def _scaler(arrays, n_in):
    """The Scaler saved beside the weights, checked, or None when the file has none."""
    present = [k for k in _SCALER if k in arrays]
    if not present:
        return None
    if len(present) == 1:
        raise ValueError(f"{present[0]} comes without {({*_SCALER} - {*present}).pop()}")
    values = []
    for key in _SCALER:
        if arrays[key].dtype.kind not in "fiu":
            raise ValueError(f"{key} must hold numbers, not {arrays[key].dtype}")
        a = arrays[key].astype(np.float64)
        if a.shape != (n_in,):
            raise ValueError(f"{key} has shape {a.shape}; n_inputs={n_in} needs ({n_in},)")
        if not np.isfinite(a).all() or np.abs(a).max() > MAX_MAGNITUDE:
            raise ValueError(f"{key} holds NaN, infinite or values beyond +-{MAX_MAGNITUDE:g}")
        values.append(a)
    if not (values[1] > 0).all():
        raise ValueError("input_scale must be > 0 for every input")
    return Scaler(*values)


def net_from_npz(raw, task=None, n_inputs=None, n_classes=None):
    """A TwoLayerNet from bytes written by ``weights_to_npz``; ValueError with the reason.

    For the net alone, on data standardised by its own scaler (the app's); ``weights_from_npz``
    gives the saved scaler too.
    """
    return weights_from_npz(raw, task, n_inputs, n_classes)[0]


def weights_from_npz(raw, task=None, n_inputs=None, n_classes=None):
    """(net, scaler) from bytes written by ``weights_to_npz``; ValueError with the reason.

    net : a TwoLayerNet; scaler : the Scaler saved with it (input_mean, input_scale), or None
    when the file was saved without one. Checked: size, no pickle, the required arrays, allowed
    names (activation, task, loss), the shapes against n_inputs, n_hidden and n_classes, finite
    values (and a positive scale). With ``task``, ``n_inputs`` or ``n_classes`` given, the
    weights must also fit them (the data they are to be used with).
    """
    try:
        raw = bytes(raw)
        if not raw:
            raise ValueError("the file is empty")
        if len(raw) > MAX_BYTES:
            raise ValueError(f"the file is too large: {len(raw):,} bytes; at most 1 MB")
        arrays = _unpack(raw)
        missing = [k for k in (*PARAMS, *_META) if k not in arrays]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        activation = _scalar(arrays, "activation", "U")
        net_task = _scalar(arrays, "task", "U")
        loss = _scalar(arrays, "loss", "U")
        for key, value, allowed in (("activation", activation, HIDDEN_ACTIVATIONS),
                                    ("task", net_task, tuple(TASKS)),
                                    ("loss", loss, tuple(LOSSES))):
            if value not in allowed:
                raise ValueError(f"{key} {value[:20]!r} is not one of {', '.join(allowed)}")
        n_in, n_hidden = _scalar(arrays, "n_inputs", "iu"), _scalar(arrays, "n_hidden", "iu")
        if not 1 <= n_in <= 2:
            raise ValueError(f"n_inputs must be 1 or 2, got {n_in}")
        if not 1 <= n_hidden <= MAX_HIDDEN:
            raise ValueError(f"n_hidden must be from 1 to {MAX_HIDDEN}, got {n_hidden}")
        k = _scalar(arrays, _CLASSES, "iu") if _CLASSES in arrays else 2
        if not 2 <= k <= MAX_CLASSES:
            raise ValueError(f"n_classes must be from 2 to {MAX_CLASSES}, got {k}")
        if k > 2 and net_task != "classification":
            raise ValueError(f"n_classes={k} needs task classification, not {net_task}")
        n_out = 1 if k == 2 else k
        shapes = {"W1": (n_hidden, n_in), "b1": (n_hidden, 1), "W2": (n_out, n_hidden),
                  "b2": (n_out, 1)}
        for p, shape in shapes.items():
            if arrays[p].dtype.kind not in "fiu":
                raise ValueError(f"{p} must hold numbers, not {arrays[p].dtype}")
            a = arrays[p].astype(np.float64)  # float16 would overflow the checks below
            if a.shape != shape:
                raise ValueError(f"{p} has shape {a.shape}; n_inputs={n_in} and "
                                 f"n_hidden={n_hidden}{f' and n_classes={k}' * (k > 2)} need "
                                 f"{shape}")
            if not np.isfinite(a).all():
                raise ValueError(f"{p} holds NaN or infinite values")
            if np.abs(a).max() > MAX_MAGNITUDE:
                raise ValueError(f"{p} holds values beyond +-{MAX_MAGNITUDE:g}")
        scaler = _scaler(arrays, n_in)
        if task is not None and net_task != task:
            raise ValueError(f"they are for {net_task}; the current task is {task}")
        if n_inputs is not None and n_in != n_inputs:
            raise ValueError(f"they take {n_in} input(s); the current data has {n_inputs}")
        if n_classes is not None and net_task == "classification" and k != n_classes:
            raise ValueError(f"they are for {k} classes (a net with {n_out} output"
                             f"{'s' * (n_out > 1)}); the current data has {n_classes} classes")
        net = TwoLayerNet(n_in, n_hidden, activation, net_task, loss, n_classes=k)
        net.set_params({p: arrays[p] for p in PARAMS})
        return net, scaler
    except MemoryError:
        raise ValueError("Cannot load these weights: the file unpacks to more memory than "
                         "this server has to spare.") from None
    except ValueError as e:
        raise ValueError(f"Cannot load these weights: {e}.") from None
