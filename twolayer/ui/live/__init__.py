"""Live charts: Plotly charts that stay mounted across reruns and update in place, and Play
frames that the browser plays by itself (a Streamlit Components v2 component).

One room with a narrow door. Python hands the browser code (frontend/live.js) plain data only:
figure dicts built by twolayer.figures, frames of numbers, base64 arrays and strings. The browser
code never reaches into the core and the core never knows it exists.

What travels, in ``data``::

    grid    {"columns": CSS grid-template-columns, "areas": [one string per row]}: where each
            chart sits (chart names as grid areas)
    charts  {name: {"hash": str, "figure": figure, "parts": {"layout", "traces"}}} or None
            (keep what is drawn). A chart is drawn again (Plotly.react, in place) only when its
            hash changes; a square picture's data points whose trace hash did not change (nor
            the layout's) are kept as drawn, not drawn again (see ``figure``).
    stream  None, or one chunk of Play frames (see twolayer.ui.playback): {"play", "seq",
            "start", "ahead", "still", "end", "token", "frames": [{"epoch", "charts":
            {name: patch}}]}; ``token`` names the play to the app's route, from which the
            browser fetches the chunks after the first (twolayer.ui.feed);
            ``still`` {name: [trace]} names traces no frame changes (drawn once and kept as a
            picture while playing: a chart redraws only what moves); a patch
            is {"traces", "set": {attr: value for every trace}, "append": {attr: [array per
            trace]}, "layout": {path: value}, "lazy": bool} or {"figure": figure[, "lazy"]}.
            Frames play one per animation frame (the screen's rate); a lazy patch (the
            curves, the network, the hidden units) may be merged with the next ones and is
            drawn a few times a second, one chart per animation frame.
    keys    {"play", "step", "reset"}: the keys of the page's buttons the presenter keys press.
            Play, Pause and Step go to Python one at a time: until the rerun one starts has
            answered, its button is aria-busy, a Play/Pause is ignored and a Step is queued
            (clicked again in its turn: every Step click counts)
    ahead   None, or {"epoch", "charts"}: the charts the next Step will show (made from a copy
            of the trainer trained one epoch ahead). The browser draws them ahead, out of
            sight, once the app has finished its run, and puts them in place of the charts
            shown when the Step button is clicked (or its key pressed) while no rerun is under
            way; the rerun the click starts sends the very same charts, not drawn again

Arrays travel as base64: Plotly's own {"dtype", "bdata", "shape"} for 1-D arrays, and
{"u8", "lo", "hi", "shape"} for 2-D float grids (255 levels from lo to hi, code 255 = NaN; a
quarter of float32's bytes and well below what a colour scale can show).

The browser answers with two triggers: ``need`` {"play", "seq", "shown"} (send chunk ``seq``;
``shown`` is the epoch on screen; only when the route cannot be reached) and ``pause``
{"play", "epoch", "end"} (playing stopped at ``epoch``, by a Pause or at the end of the last
chunk).

plotly.js is the one in the installed plotly package (plotly/package_data/plotly.min.js),
served by the app itself at /_stcore/bidi-components/twolayer.plotly/plotly.min.js: no CDN,
no copy, nothing to write at install or run time (a read-only install works).
"""

import base64
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import plotly
import streamlit as st

from twolayer.ui import streamlit_internals

NAME = "twolayer.live"
FRONTEND = Path(__file__).resolve().parent / "frontend"
PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"

# Plotly's typed-array names (plotly.js decodes {"dtype", "bdata"} itself; live.js does too).
_DTYPES = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4",
           "uint32": "u4", "float32": "f4", "float64": "f8"}
QUANTISE_MIN = 256        # 2-D float arrays at least this big travel as 8-bit levels
LEVELS = 254              # codes 0..254 span lo..hi; 255 stands for NaN

_mount = None


def _register():
    """Make sure Streamlit serves the component's files, once per runtime.

    The installed project declares "twolayer.live" in its pyproject.toml, where Streamlit
    looks; plotly.js (the installed plotly package's own file) has no public way and goes
    through twolayer.ui.streamlit_internals, which also covers a checkout run uninstalled.
    """
    streamlit_internals.declare_asset_dir("live", FRONTEND)
    streamlit_internals.declare_asset_dir("plotly", PLOTLY_DIR)


def _b64(a):
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def quantise(a):
    """A 2-D float grid as 8-bit levels: {"u8", "lo", "hi", "shape"}; see ``dequantise``."""
    a = np.asarray(a, dtype=np.float64)
    finite = np.isfinite(a)
    q = np.full(a.shape, 255, dtype=np.uint8)
    lo = hi = 0.0
    if finite.any():
        lo, hi = float(a[finite].min()), float(a[finite].max())
        q[finite] = np.rint((a[finite] - lo) / (hi - lo) * LEVELS) if hi > lo else 0
    return {"u8": _b64(q), "lo": lo, "hi": hi, "shape": list(a.shape)}


def dequantise(spec):
    """The float grid a {"u8", ...} spec stands for (what live.js computes): within
    (hi - lo) / 508 of the original, NaN where it was not finite."""
    q = np.frombuffer(base64.b64decode(spec["u8"]), dtype=np.uint8).reshape(spec["shape"])
    out = spec["lo"] + q * ((spec["hi"] - spec["lo"]) / LEVELS)
    return np.where(q == 255, np.nan, out)


def array(a):
    """A numeric array as Plotly's typed-array spec {"dtype", "bdata"[, "shape"]}."""
    a = np.asarray(a)
    if a.dtype == np.int64:
        a = a.astype(np.int32)
    elif a.dtype.kind == "f" and a.dtype != np.float32:
        a = a.astype(np.float64)
    spec = {"dtype": _DTYPES[str(a.dtype)], "bdata": _b64(a)}
    if a.ndim > 1:
        spec["shape"] = ", ".join(map(str, a.shape))
    return spec


def _from_spec(spec):
    """The numpy array of a Plotly typed-array spec (Plotly 7's to_plotly_json makes them)."""
    dtype = {v: k for k, v in _DTYPES.items()}[spec["dtype"]]
    a = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=dtype)
    if "shape" in spec:
        a = a.reshape([int(n) for n in str(spec["shape"]).split(",")])
    return a


def encode(value):
    """Plain JSON types only: numpy arrays as base64 specs (2-D float grids quantised),
    numpy scalars as numbers, NaN and infinities as null (JSON has neither)."""
    if isinstance(value, dict):
        if isinstance(value.get("bdata"), str) and value.get("dtype") in ("f4", "f8") \
                and "shape" in value:
            return encode(_from_spec(value))
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iuf" and value.size:
            if value.ndim == 2 and value.dtype.kind == "f" and value.size >= QUANTISE_MIN:
                return quantise(value)
            return array(value)
        return encode(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _digest(value):
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def figure(fig):
    """A Plotly figure (from twolayer.figures) as the component draws it: {"hash", "figure",
    "parts"}.

    The hash changes exactly when what is drawn changes, so an unchanged chart is not drawn
    again on a rerun. ``parts`` {"layout", "traces"}: a hash of the layout but its title and
    one per trace, so that the browser sees what a redraw leaves as it was (a Step moves the
    picture, not the data points over it: those are kept as they are drawn).
    """
    plain = encode(fig.to_plotly_json())
    layout = dict(plain.get("layout", {}))
    title = layout.pop("title", None)
    parts = {"layout": _digest(layout), "traces": [_digest(t) for t in plain.get("data", [])]}
    whole = _digest([parts["layout"], parts["traces"], title])
    return {"hash": whole, "figure": plain, "parts": parts}


def charts(figures):
    """{name: figure(fig)} for a dict of Plotly figures."""
    return {name: figure(fig) for name, fig in figures.items()}


def _component():
    global _mount
    _register()
    if _mount is None:
        _mount = st.components.v2.component(NAME, js="live.js", css="live.css",
                                            isolate_styles=False)
    return _mount


def live_charts(key, grid, charts=None, stream=None, keys=None, on_need=None, on_pause=None,
                ahead=None):
    """Mount (once per session, by ``key``) or update the live charts; see the module docstring
    for the arguments. on_need / on_pause: callbacks (no arguments) for the browser's requests;
    their values are in ``st.session_state[key]["need"]`` / ``["pause"]``."""
    data = {"grid": grid, "charts": charts, "stream": stream, "keys": keys, "ahead": ahead}
    callbacks = {"on_need_change": on_need or _ignore, "on_pause_change": on_pause or _ignore}
    return _component()(key=key, data=data, **callbacks)


def preload():
    """An empty mount high on the page: the browser starts loading plotly.js while the rest
    of the page is still being computed."""
    return _component()(key="tl_preload", data=None, height=0)


def _ignore():
    pass


def request(key, name):
    """The browser's last ``name`` request ("need" or "pause") to the component ``key``, as a
    dict, or None."""
    value = (st.session_state.get(key) or {}).get(name)
    return value if isinstance(value, dict) else None
