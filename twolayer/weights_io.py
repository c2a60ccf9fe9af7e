"""Weights as .npz, in and out: the net's parameters, what it is, and the scaler of the inputs
it was trained on.

Pure functions of bytes, no Streamlit. An upload is checked before it reaches NumPy (methods,
sizes, headers, names, dtypes, shapes, values): a bad file raises ValueError with the reason.
"""

import io
import math
import zipfile
import zlib
from typing import NamedTuple

import numpy as np

from .activations import HIDDEN_ACTIVATIONS
from .data import MAX_CLASSES
from .losses import LOSSES
from .net import PARAMS, TASKS, TwoLayerNet
from .settings import MAX_BYTES, MAX_HIDDEN, MAX_MAGNITUDE

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
