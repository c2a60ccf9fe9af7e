"""Naming one entry of a two-layer net's parameters, as NumPy indexes it.

W1[i,j], b1[i,0], W2[0,j], b2. A bias of size 1 may be named without an index (b2), and an
entry of a vector with one index (b1[i], W2[j]). With K >= 3 classes (K softmax outputs,
W2 (K, h), b2 (K, 1)): W2[k,j] and b2[k,0] (or b2[k]); a bare b2 names nothing then: shifting
every output's bias alike changes no softmax output, so one entry must be named.

The loss landscape (twolayer.landscape) puts two such entries on its axes; the command line and
a page's link name them.
"""

import re
from typing import NamedTuple

import numpy as np

from .net import PARAMS
from .settings import shown

DEFAULT_PARAMS = ("W2[0,0]", "b2")   # one weight and the bias of the output unit
# K >= 3 classes: a weight and the bias of class 1's output, which the saturated start
# (set_output_bias: b2 = (0, -8, ..., -8)) holds confidently wrong for every sample of class 1.
DEFAULT_PARAMS_K = ("W2[1,0]", "b2[1,0]")

_NAME = re.compile(r"(W1|b1|W2|b2)(?:\[(\d{1,6})(?:,(\d{1,6}))?\])?", re.IGNORECASE)
_CANONICAL = {k.lower(): k for k in PARAMS}


class Param(NamedTuple):
    """One entry of the parameters: its name ("W2[0,3]"), the array ("W2") and the index."""

    name: str
    key: str
    index: tuple


def default_params(n_classes=2):
    """The two parameters a landscape shows unless told: DEFAULT_PARAMS, or DEFAULT_PARAMS_K
    for K >= 3 classes."""
    return DEFAULT_PARAMS if n_classes == 2 else DEFAULT_PARAMS_K


def param_shapes(n_inputs, n_hidden, n_classes=2):
    """{"W1": (h, d), "b1": (h, 1), "W2": (c, h), "b2": (c, 1)}: c = 1 output for two classes
    (and regression), c = n_classes >= 3 softmax outputs."""
    c = 1 if n_classes == 2 else n_classes
    return {"W1": (n_hidden, n_inputs), "b1": (n_hidden, 1), "W2": (c, n_hidden),
            "b2": (c, 1)}


def _name(key, index, shape=(1, 1)):
    """The canonical name: b2 bare when it has one entry (one output), the others indexed."""
    return key if key == "b2" and tuple(shape) == (1, 1) else f"{key}[{index[0]},{index[1]}]"


def param_names(n_inputs, n_hidden, n_classes=2):
    """Every entry of the parameters by name, layer by layer: W1[0,0] .. b2 (.. b2[K-1,0])."""
    shapes = param_shapes(n_inputs, n_hidden, n_classes)
    return tuple(_name(k, ix, shapes[k]) for k in PARAMS for ix in np.ndindex(*shapes[k]))


def parse_param(text, shapes):
    """The Param that ``text`` names, for parameters of these ``shapes`` ({key: shape}).

    ValueError with what is allowed when the name is malformed, names no parameter, lacks an
    index the parameter needs, or points outside it.
    """
    raw = "".join(str(text).split())
    h, d = shapes["W1"]
    c = shapes["W2"][0]
    examples = (f"W1[i,j] (i < {h}, j < {d}), b1[i,0], W2[0,j] (j < {h}) or b2" if c == 1 else
                f"W1[i,j] (i < {h}, j < {d}), b1[i,0], W2[k,j] (k < {c}, j < {h}) or b2[k,0] "
                f"(k < {c})")
    match = _NAME.fullmatch(raw)
    if not match:
        raise ValueError(f"{shown(raw)!r} is not a parameter of the net: name one entry, "
                         f"{examples}")
    key = _CANONICAL[match[1].lower()]
    shape = tuple(shapes[key])
    given = tuple(int(i) for i in match.groups()[1:] if i is not None)
    if not given:
        if shape != (1, 1):
            why = (" (the softmax does not see a shift of every class's bias alike)"
                   if key == "b2" else "")
            raise ValueError(f"{key} has shape {shape}: name one entry, such as "
                             f"{_name(key, (0, 0), shape)}{why}")
        given = (0, 0)
    elif len(given) == 1:
        # One index names an entry of a vector: b1[i] is b1[i,0], W2[j] is W2[0,j].
        if shape[1] == 1:
            given = (given[0], 0)
        elif shape[0] == 1:
            given = (0, given[0])
        else:
            raise ValueError(f"{key} has shape {shape}: give two indices, such as {key}[0,0]")
    if not all(i < n for i, n in zip(given, shape, strict=True)):
        raise ValueError(f"{raw}: index out of range, {key} has shape {shape} (indices from 0 "
                         f"to {shape[0] - 1} and 0 to {shape[1] - 1})")
    return Param(_name(key, given, shape), key, given)


def parse_pair(names, shapes):
    """Two different Params, for the two axes of a landscape."""
    if len(names) != 2:
        raise ValueError(f"a landscape needs exactly two parameters, got {len(names)}")
    pair = tuple(parse_param(n, shapes) for n in names)
    if pair[0].name == pair[1].name:
        raise ValueError(f"the two parameters must differ; both are {pair[0].name}")
    return pair
