"""The shared sidebar: data and network settings, bound to the URL, clamped on the way in."""

import streamlit as st

from ..data import GENERATORS
from ..settings import DEFAULT_DATASET, LOSSES_FOR_TASK, SETTINGS, clean_settings

URL = "query-params"


def _clamp_link():
    """Before any widget exists: clean the URL's values and put clamped ones in session state.

    A bound widget reads a valid URL value by itself and silently drops an invalid one; we
    want invalid ones clamped (or defaulted) with a visible note instead.
    """
    raw = {k: st.query_params[k] for k in SETTINGS if k in st.query_params}
    values, notes = clean_settings(raw)
    for key in raw:
        if key not in st.session_state and str(values[key]) != raw[key]:
            st.session_state[key] = values[key]
    for key in ("dataset", "loss"):  # keep them consistent with the task the URL asks for
        if key not in st.session_state and key not in raw and values[key] != SETTINGS[key].default:
            st.session_state[key] = values[key]
    return notes


def clamp_from_link(table):
    """A page's own link keys: each key of ``table`` (Settings by key) that the URL holds and
    the session does not yet, cleaned into session state; returns the notes for invalid ones."""
    notes = []
    for key, setting in table.items():
        if key in st.query_params and key not in st.session_state:
            st.session_state[key], note = setting.clean(st.query_params[key])
            if note:
                notes.append(note)
    return notes


def _fit_task(task):
    """When the task changes, move dataset and loss to choices that exist for it."""
    if st.session_state.get("dataset", DEFAULT_DATASET[task]) not in GENERATORS[task]:
        st.session_state["dataset"] = DEFAULT_DATASET[task]
    if st.session_state.get("loss", LOSSES_FOR_TASK[task][0]) not in LOSSES_FOR_TASK[task]:
        st.session_state["loss"] = LOSSES_FOR_TASK[task][0]


def _regenerate():
    st.session_state["seed"] = (st.session_state.get("seed", 0) + 1) % (SETTINGS["seed"].hi + 1)


def _slider(key, fmt=None):
    s = SETTINGS[key]
    return st.slider(s.label, s.lo, s.hi, s.default, step=s.step, key=key, bind=URL,
                     format=fmt)


def _options(key, widget=st.selectbox, options=None, **kw):
    s = SETTINGS[key]
    options = options or s.options
    default = s.default if s.default in options else options[0]
    if widget is st.select_slider:
        return widget(s.label, options, value=default, key=key, bind=URL, **kw)
    return widget(s.label, options, index=options.index(default), key=key, bind=URL, **kw)


def settings_sidebar():
    """Draw the shared settings in the sidebar; return (settings dict, notes about the link)."""
    notes = _clamp_link()
    sb = st.sidebar
    with sb:
        st.toggle(SETTINGS["present"].label, key="present", bind=URL,
                  help="Large fonts and thick lines for a projector; controls tucked away.")
        st.subheader("Data")
        # Bound widgets write their option's text to the URL, so options are shown as they
        # are typed in a link (no format_func).
        task = _options("task", st.radio, horizontal=True)
        _fit_task(task)
        _options("dataset", options=tuple(GENERATORS[task]))
        _slider("samples")
        _slider("noise")
        _slider("test_fraction")
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        s = SETTINGS["seed"]
        c1.number_input(s.label, s.lo, s.hi, s.default, step=1, key="seed", bind=URL)
        c2.button("Regenerate", on_click=_regenerate, help="New sample of the data (seed + 1)")
        st.subheader("Network")
        _slider("hidden")
        _options("activation")
        _options("loss", st.radio, options=LOSSES_FOR_TASK[task], horizontal=True)
        _options("lr", st.select_slider)
        _options("batch", st.select_slider)
        _options("l2", st.select_slider)
    settings = {key: st.session_state.get(key, s.default) for key, s in SETTINGS.items()}
    return settings, notes
