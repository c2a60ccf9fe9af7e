"""The shared sidebar: data and network settings, bound to the URL, clamped on the way in."""

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ..data import GENERATORS, MIN_SAMPLES, MULTICLASS
from ..settings import (
    DEFAULT_DATASET,
    LOSSES_FOR_TASK,
    MULTICLASS_DATASET,
    SETTINGS,
    clean_settings,
    shown,
)

URL = "query-params"


NOTES = "link_notes"     # notes kept across the rerun that rewrites the address bar
REWRITES = "link_rewrites"
OVERRIDES = "_sidebar_overrides"   # this run's empty box under each setting, for overridden()


def _clean_each(table, raw):
    values, notes = {}, []
    for key, text in raw.items():
        values[key], note = table[key].clean(text)
        if note:
            notes.append(note)
    return values, notes


def read_link(table, scope, clean=None):
    """The link's values for the keys of ``table`` (Settings by key) that this session has
    not set yet: cleaned, with a note for each invalid, clamped or repeated one.

    The address bar is then made to say what is on screen, in the app's own spelling: a
    widget bound to the URL drops a value it cannot parse (?present=1, ?lr=1) and would take
    "١٢" for 12, so each value whose spelling differs from ``Setting.url_text`` is rewritten
    (a default is removed, as Streamlit does) and the run starts again, the notes kept for it.

    clean : a function {key: text} -> (values by key, notes), for settings that are cleaned
        jointly; default: each Setting's own ``clean``.
    Returns (values, notes): the cleaned values of the keys the link gave, and the notes.
    """
    raw, notes, repeated = {}, [], set()
    for key, setting in table.items():
        if key in st.query_params and key not in st.session_state:
            given = st.query_params.get_all(key)
            raw[key] = given[-1]
            if len(given) > 1:
                repeated.add(key)
                notes.append(f"{setting.label} is given {len(given)} times "
                             f"({', '.join(repr(shown(g)) for g in given[:4])}"
                             f"{', ...' if len(given) > 4 else ''}); using the last.")
    values, cleaned = (clean or (lambda r: _clean_each(table, r)))(raw)
    notes += cleaned
    values = {key: values[key] for key in raw}
    rewrite = {}
    for key, text in raw.items():
        setting = table[key]
        spelled = setting.url_text(values[key])
        if spelled != text or key in repeated:
            rewrite[key] = None if values[key] == setting.default else spelled
    done = st.session_state.setdefault(REWRITES, set())
    if rewrite and scope not in done:
        done.add(scope)  # once per session and scope: the rewritten link is clean
        if _rewrite_url(rewrite):
            st.session_state.setdefault(NOTES, {})[scope] = notes
            st.rerun()
    # Notes of the run before a rewrite: shown until a run gets to its end (share_box). The
    # rewritten link may give the same note again (a value the address bar could not take as
    # the app spells it): each note is shown once.
    kept = st.session_state.get(NOTES, {}).get(scope, [])
    return values, list(dict.fromkeys(kept + notes))


def _rewrite_url(rewrite):
    """Put these values ({key: text, or None to remove}) in the address bar; False when the
    keys are already bound to widgets (then the widgets get the values instead)."""
    try:
        for key, text in rewrite.items():
            if text is None:
                del st.query_params[key]
            else:
                st.query_params[key] = text
    except StreamlitAPIException:
        return False
    return True


def _clamp_link():
    """Before any widget exists: the link's settings, cleaned jointly, the address normalised
    (see read_link); values the widgets cannot read from the URL go to session state."""
    values, notes = read_link(SETTINGS, "settings", clean_settings)
    full, _ = clean_settings({k: st.query_params[k] for k in values})
    for key, value in values.items():
        if st.query_params.get(key) != SETTINGS[key].url_text(value):
            st.session_state[key] = value
    for key in ("dataset", "loss"):  # keep them consistent with the task the URL asks for
        if key not in st.session_state and key not in values and \
                full[key] != SETTINGS[key].default:
            st.session_state[key] = full[key]
    return notes


def clamp_from_link(table, scope=None):
    """A page's own link keys (Settings by key): see read_link; returns the notes. scope names
    the page (default: its keys) for the notes kept across a rewrite of the address."""
    values, notes = read_link(table, scope or ",".join(sorted(table)))
    # Into session state as well: a page's widget may show its options formatted, and then
    # reads its own spelling from the URL, not the link's.
    for key, value in values.items():
        st.session_state[key] = value
    return notes


def _fit_task(task):
    """When the task changes, move dataset and loss to choices that exist for it."""
    if st.session_state.get("dataset", DEFAULT_DATASET[task]) not in GENERATORS[task]:
        st.session_state["dataset"] = DEFAULT_DATASET[task]
    if st.session_state.get("loss", LOSSES_FOR_TASK[task][0]) not in LOSSES_FOR_TASK[task]:
        st.session_state["loss"] = LOSSES_FOR_TASK[task][0]


def datasets_for(task, n_classes=2):
    """The datasets the sidebar offers: every one of the task, or with K >= 3 classes those
    that make K classes (MULTICLASS)."""
    if n_classes <= 2:
        return tuple(GENERATORS[task])
    return tuple(d for d in GENERATORS[task] if MULTICLASS.get(d, 2) >= n_classes)


def classes_note(n_classes):
    """What the sidebar says under Classes when K >= 3: which datasets make K classes, which
    do not, and the softmax output."""
    if n_classes <= 2:
        return None
    made = datasets_for("classification", n_classes)
    two = [d for d in GENERATORS["classification"] if d not in made]
    least = MIN_SAMPLES * n_classes // 2
    return (f"{n_classes} classes: a softmax output with {n_classes} units. Datasets with "
            f"{n_classes} classes: {', '.join(made)}; "
            f"{', '.join(two)} {'has' if len(two) == 1 else 'have'} fewer and "
            f"{'is' if len(two) == 1 else 'are'} not offered."
            + (f" At least {least} samples." if least > SETTINGS['samples'].lo else ""))


def _fit_classes(task, n_classes):
    """With K >= 3 classes, move the dataset to one that makes K classes (the sidebar's own
    choice, before its widget is drawn)."""
    if task == "classification" and n_classes > 2 and \
            st.session_state.get("dataset", DEFAULT_DATASET[task]) not in \
            datasets_for(task, n_classes):
        st.session_state["dataset"] = MULTICLASS_DATASET


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
        boxes = {}
        task = _options("task", st.radio, horizontal=True)
        boxes["task"] = st.empty()
        _fit_task(task)
        n_classes = 2
        if task == "classification":
            n_classes = _slider("classes")
            note = classes_note(n_classes)
            if note:
                st.caption(note)
            boxes["classes"] = st.empty()
            _fit_classes(task, n_classes)
        _options("dataset", options=datasets_for(task, n_classes))
        boxes["dataset"] = st.empty()
        for key in ("samples", "noise", "test_fraction"):
            _slider(key)
            boxes[key] = st.empty()
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        s = SETTINGS["seed"]
        c1.number_input(s.label, s.lo, s.hi, s.default, step=1, key="seed", bind=URL)
        c2.button("Regenerate", on_click=_regenerate, help="New sample of the data (seed + 1)")
        boxes["seed"] = st.empty()
        st.subheader("Network")
        for key, draw in (("hidden", lambda: _slider("hidden")),
                          ("activation", lambda: _options("activation")),
                          ("loss", lambda: _options("loss", st.radio,
                                                    options=LOSSES_FOR_TASK[task],
                                                    horizontal=True)),
                          ("lr", lambda: _options("lr", st.select_slider)),
                          ("batch", lambda: _options("batch", st.select_slider)),
                          ("l2", lambda: _options("l2", st.select_slider))):
            draw()
            boxes[key] = st.empty()
        st.session_state[OVERRIDES] = boxes
    settings = {key: st.session_state.get(key, s.default) for key, s in SETTINGS.items()}
    if settings["task"] != "classification":
        settings["classes"] = 2   # regression has one output (the control is not drawn)
    return settings, notes


def overridden(values, why):
    """Say under each of the sidebar's network settings that ``values`` ({key: value}) replace
    on this page what the sidebar shows, value by value ("This lesson trains with sigmoid").
    For a page that trains other values than the sidebar's; keys without a box are skipped."""
    boxes = st.session_state.get(OVERRIDES, {})
    for key, value in values.items():
        if key in boxes and value != st.session_state.get(key, SETTINGS[key].default):
            boxes[key].warning(f"{why} trains with **{value}** here, not this value.",
                               icon=":material/school:")
