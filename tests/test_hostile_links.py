"""Hostile links x every page (AppTest): no exception, the exact clamped values, one note each.

A visitor can put anything in the address bar. Each link below is opened on each page: the
app must render without an exception, every settings widget must hold a value within its
limits and exactly the value the table below implies, and each invalid value must get the
note the table gives (st.info), shown as literal text, and no other note. The address bar
keeps valid values in the app's own spelling.

How a link reaches a page under AppTest: a visit that starts from a link lands on its page in
the first run, with app.py's frame around it. ``switch_page`` cannot do that before a first run
(it then runs the page file alone, without the frame and its sidebar), so ``visit`` asks for
the page the way a browser does, by the hash of its url_path (read from app.py). The public
route, a first run on the default page and then ``switch_page``, is tested too: the notes show
on the first page, the values survive the switch, except those bound to a widget of the page
left behind (epochs_per_run on the Playground), which Streamlit drops when the page changes.
"""

import math
import re

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from tests.browser_util import REPO_ROOT
from tests.shown_text import as_shown
from twolayer.data import DATASETS
from twolayer.settings import LOSSES_FOR_TASK, MAX_EPOCHS_PER_RUN, SETTINGS

PAGES = ["pages/playground.py", "pages/compare.py", "pages/backprop.py"]
DEFAULT_PAGE = "pages/playground.py"
TIMEOUT = 60

LONG = "9" * 10_000
# (id, the link's query params, {key: the value its widget must hold}, {key: what its note
# must say}). Written out by hand, not asked of the code under test. "sample" and "lesson"
# are checked on the page that has them (Backprop, MSE vs log-loss).
LINKS = [
    ("huge", {"epochs_per_run": "1e9", "samples": "1e308", "hidden": "1e308", "seed": "1e308"},
     {"epochs_per_run": MAX_EPOCHS_PER_RUN, "samples": 5000, "hidden": 64, "seed": 999_999},
     {"epochs_per_run": "Epochs per Train = '1e9' is outside 1..5000; using 5000.",
      "samples": "Samples = '1e308' is outside 20..5000; using 5000.",
      "hidden": "Hidden units = '1e308' is outside 1..64; using 64.",
      "seed": "Seed = '1e308' is outside 0..999999; using 999999."}),
    ("negative", {"hidden": "-3", "seed": "-1", "batch": "0", "samples": "-5", "noise": "-1",
                  "epochs_per_run": "-100"},
     {"hidden": 1, "seed": 0, "batch": 32, "samples": 20, "noise": 0.0, "epochs_per_run": 1},
     {"hidden": "Hidden units = '-3' is outside 1..64; using 1.",
      "seed": "Seed = '-1' is outside 0..999999; using 0.",
      "batch": "Batch size = '0' is not one of 1, 2, 4, 8, 10, 16, 32, 64, 128, 256, 512, "
               "1024, all; using 32.",
      "samples": "Samples = '-5' is outside 20..5000; using 20.",
      "noise": "Noise = '-1' is outside 0..1; using 0.0.",
      "epochs_per_run": "Epochs per Train = '-100' is outside 1..5000; using 1."}),
    ("nan and inf", {"lr": "nan", "noise": "inf", "test_fraction": "NaN", "l2": "-inf",
                     "hidden": "inf", "samples": "nan"},
     {"lr": 0.3, "noise": 0.2, "test_fraction": 0.3, "l2": 0.0, "hidden": 8, "samples": 500},
     {"lr": "Learning rate = 'nan' is not one of", "noise": "Noise = 'inf' is not a number",
      "test_fraction": "Test fraction = 'NaN' is not a number", "l2": "L2 = '-inf' is not one",
      "hidden": "Hidden units = 'inf' is not a number",
      "samples": "Samples = 'nan' is not a number; using 500."}),
    ("text and paths", {"dataset": "../../etc/passwd", "task": "<script>alert(1)</script>",
                        "activation": "%00", "loss": "abc", "lr": "0x10", "batch": "1,5",
                        "present": "<b>"},
     {"dataset": "moons", "task": "classification", "activation": "tanh", "loss": "log_loss",
      "lr": 0.3, "batch": 32, "present": False},
     {"dataset": "Dataset = '../../etc/passwd' is not one of",
      "task": "Task = '<script>alert(1)</scr...' is not one of classification, regression; "
              "using classification.",
      "activation": "Hidden activation = '%00' is not one of sigmoid, tanh, relu; using tanh.",
      "loss": "Loss = 'abc' is not one of mse, log_loss; using log_loss.",
      "lr": "Learning rate = '0x10' is not one of", "batch": "Batch size = '1,5' is not one",
      "present": "Presentation mode = '<b>' is not on/off; using False."}),
    ("out of range", {"test_fraction": "2", "noise": "5", "samples": "5000000", "lr": "1e308",
                      "batch": "5000000", "l2": "9"},
     {"test_fraction": 0.5, "noise": 1.0, "samples": 5000, "lr": 10.0, "batch": 1024,
      "l2": 0.1},
     {"test_fraction": "Test fraction = '2' is outside 0.1..0.5; using 0.5.",
      "noise": "Noise = '5' is outside 0..1; using 1.0.",
      "samples": "Samples = '5000000' is outside 20..5000; using 5000.",
      "lr": "Learning rate = '1e308' is not one of the choices; using 10.0.",
      "batch": "Batch size = '5000000' is not one of the choices; using 1024.",
      "l2": "L2 = '9' is not one of the choices; using 0.1."}),
    ("regression mismatch", {"task": "regression", "dataset": "moons", "loss": "log_loss"},
     {"task": "regression", "dataset": "sine", "loss": "mse"},
     {"dataset": "Dataset 'moons' is not a regression dataset; using 'sine'.",
      "loss": "Loss 'log_loss' needs a classification task; using 'mse'."}),
    ("very long values", {"hidden": LONG, "dataset": "x" * 10_000, "seed": " 12 ", "lr": "1,5"},
     {"hidden": 8, "dataset": "moons", "seed": 12, "lr": 0.3},
     {"hidden": "Hidden units = '999999999999999999999...' is not a number; using 8.",
      "dataset": "Dataset = 'xxxxxxxxxxxxxxxxxxxxx...' is not one of",
      "lr": "Learning rate = '1,5' is not one of"}),
    ("the brief's list", {"epochs_per_run": "1e9", "samples": "1e308", "hidden": "-3",
                          "lr": "nan", "dataset": "../../etc/passwd", "task": "<script>",
                          "batch": "0", "seed": "-1", "noise": "inf", "test_fraction": "2",
                          "sample": "-1"},
     {"epochs_per_run": MAX_EPOCHS_PER_RUN, "samples": 5000, "hidden": 1, "lr": 0.3,
      "dataset": "moons", "task": "classification", "batch": 32, "seed": 0, "noise": 0.2,
      "test_fraction": 0.5, "sample": 0},
     {"epochs_per_run": "Epochs per Train = '1e9'", "samples": "Samples = '1e308'",
      "hidden": "Hidden units = '-3'", "lr": "Learning rate = 'nan'",
      "dataset": "Dataset = '../../etc/passwd'", "task": "Task = '<script>'",
      "batch": "Batch size = '0'", "seed": "Seed = '-1'", "noise": "Noise = 'inf'",
      "test_fraction": "Test fraction = '2'",
      # 5000 samples, test fraction 0.5: 2500 in the training set
      "sample": "Sample = '-1' is outside 0..2499; using 0."}),
    ("page keys and unknown keys", {"sample": "1e308", "lesson": "../../x", "foo": "<script>",
                                    "present": "1"},
     {"present": True, "sample": 349, "lesson": "none"},
     {"sample": "Sample = '1e308' is outside 0..349; using 349.",
      "lesson": "Lesson = '../../x' is not one of none, saturated, fair, one_neuron; "
                "using none."}),
    ("digits of other scripts", {"hidden": "١٢", "samples": "１２０", "seed": "1_6",
                                 "sample": "٣"},
     {"hidden": 8, "samples": 500, "seed": 0, "sample": 0},
     {"hidden": "Hidden units = '١٢' is not a number; using 8.",
      "samples": "Samples = '１２０' is not a number; using 500.",
      "seed": "Seed = '1_6' is not a number; using 0.",
      "sample": "Sample = '٣' is not a number; using 0."}),
    ("a key given twice", {"hidden": ["4", "64"], "lesson": ["nope", "fair"]},
     {"hidden": 64, "lesson": "fair"},
     {"hidden": "Hidden units is given 2 times ('4', '64'); using the last.",
      "lesson": "Lesson is given 2 times ('nope', 'fair'); using the last."}),
]
PAGE_KEYS = {"sample": "pages/backprop.py"}   # (a lesson holds on every page)

# Which element kinds a settings key may be drawn as.
KINDS = ("slider", "select_slider", "number_input", "selectbox", "radio", "toggle")


def widget(at, key):
    """The widget with this key, whatever its kind; None if the page does not draw one."""
    for kind in KINDS:
        for element in getattr(at, kind):
            if getattr(element, "key", None) == key:
                return element
    return None


def url_paths():
    """{page file: url_path} as app.py registers them."""
    source = (REPO_ROOT / "app.py").read_text()
    found = dict(re.findall(r'st\.Page\(\s*"([^"]+)".*?url_path="([^"]+)"', source, re.S))
    assert set(PAGES) <= set(found), found
    return found


URL_PATHS = url_paths()
TITLES = {"pages/playground.py": "Playground", "pages/compare.py": "MSE vs log-loss",
          "pages/backprop.py": "Backprop"}


def visit(page, params):
    """A first visit that starts from a link with ``params`` to ``page``."""
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params.update(params)
    at._page_hash = calc_hash(URL_PATHS[page])  # what a browser asks for; no public way yet
    at.run()
    return at


def within_limits(setting, value):
    if setting.options:
        return value in setting.options
    if setting.kind is bool:
        return value in (True, False)
    number = float(value)
    return math.isfinite(number) and setting.lo <= number <= setting.hi


def on_page(page, table):
    """The entries of a LINKS table that apply on ``page`` (page keys only on their page)."""
    return {k: v for k, v in table.items() if PAGE_KEYS.get(k, page) == page}


# Markdown shows a character as typed when a backslash escapes it (CommonMark): every ASCII
# punctuation mark in a note that came from a link must be escaped.
PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")


CASES = [pytest.param(page, params, expected, noted, id=f"{page.split('/')[1][:-3]}-{name}")
         for page in PAGES for name, params, expected, noted in LINKS]


def check(at, page, params, expected, noted, notes=None):
    """notes: the notes as shown ("From the link: ..."), default those on the page now."""
    assert not at.exception, [e.message for e in at.exception]
    assert any(TITLES[page] in t.value for t in at.title), "not on the page asked for"
    # Every settings widget on screen holds a value within its limits ...
    drawn = {}
    for key, setting in SETTINGS.items():
        w = widget(at, key)
        if w is not None:
            drawn[key] = w.value
            assert within_limits(setting, w.value), f"{key} = {w.value!r}"
    assert {"samples", "hidden", "lr", "batch"} <= set(drawn), "the sidebar is not drawn"
    # ... exactly the clamped (or default) value the link implies ...
    for key, value in on_page(page, expected).items():
        w = widget(at, key)
        if w is None:  # epochs_per_run lives on the Playground only
            assert key == "epochs_per_run" and page != DEFAULT_PAGE, f"{key} is not drawn"
            continue
        assert w.value == value and type(w.value) is type(value), \
            f"{key}: {w.value!r}, expected {value!r}"
    # ... and the settings the page reads agree with them.
    settings = at.session_state["settings"]
    assert DATASETS[settings["dataset"]] == settings["task"]
    assert settings["loss"] in LOSSES_FOR_TASK[settings["task"]]
    for key, setting in SETTINGS.items():
        assert within_limits(setting, settings[key]), f"settings[{key!r}] = {settings[key]!r}"
    # One note for each invalid value, saying what the table says, and no other.
    bodies = [i.value for i in at.info if i.value.startswith("From the link: ")]
    shown = [as_shown(b) for b in bodies] if notes is None else notes
    wanted = on_page(page, noted)
    for key, text in wanted.items():
        assert any(text in n for n in shown), f"no note {text!r} for {key}: {shown}"
    assert len(shown) == len(wanted), shown
    # A link's text is never Markdown: every punctuation mark in a note is escaped.
    for body in bodies:
        bare = PUNCTUATION.findall(ESCAPED.sub("", body.removeprefix("From the link: ")))
        assert not bare, f"unescaped {bare} in {body!r}"


@pytest.mark.parametrize(("page", "params", "expected", "noted"), CASES)
def test_a_hostile_link_renders_with_clamped_values_and_notes(page, params, expected, noted):
    check(visit(page, params), page, params, expected, noted)


BRIEF = next(link for link in LINKS if link[0] == "the brief's list")


@pytest.mark.parametrize("page", PAGES)
def test_a_hostile_link_survives_switch_page(page):
    """A link opened on the Playground, then a click to another page: the notes are shown on
    the Playground (the page keys' notes on their own page), the values stay on the next."""
    _, params, expected, noted = BRIEF
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    first = [as_shown(i.value) for i in at.info if i.value.startswith("From the link: ")]
    check(at, DEFAULT_PAGE, params, expected, noted)
    if page == DEFAULT_PAGE:
        return
    at.switch_page(page).run()
    # Streamlit keeps the link's (now clean) values in the URL; the notes were shown already.
    expected = {k: v for k, v in expected.items() if k != "epochs_per_run"}
    page_notes = {k: v for k, v in noted.items() if PAGE_KEYS.get(k) == page}
    check(at, page, params, expected, page_notes)
    assert len(first) == len(on_page(DEFAULT_PAGE, noted))


@pytest.mark.parametrize(("params", "address"), [
    ({"present": "1"}, {"present": "true"}),
    ({"lr": "1"}, {"lr": "1.0"}),
    ({"lr": "10"}, {"lr": "10.0"}),
    ({"hidden": ["4", "64"]}, {"hidden": "64"}),
    ({"hidden": "1000", "noise": "0.250"}, {"hidden": "64", "noise": "0.25"}),
    ({"hidden": "١٢"}, {}),           # not a number: the default, which the address leaves out
    ({"batch": "all", "seed": "7"}, {"batch": "all", "seed": "7"}),
])
def test_valid_link_values_stay_in_the_address_in_the_apps_spelling(params, address):
    at = visit(DEFAULT_PAGE, params)
    assert not at.exception
    assert {k: v for k, v in at.query_params.items() if k in SETTINGS} == address
    # ... and a reload of that address shows the same values, with no note.
    again = visit(DEFAULT_PAGE, dict(at.query_params))
    for key in params:
        assert widget(again, key).value == widget(at, key).value
    assert not [i for i in again.info if i.value.startswith("From the link: ")]


@pytest.mark.parametrize(("page", "params", "address"), [
    ("pages/compare.py", {"lr_factor": "10.0", "lesson": "fair"},
     {"lr_factor": "10", "lesson": "fair"}),
    ("pages/compare.py", {"output_bias": "-8.0"}, {"output_bias": "-8"}),
    ("pages/backprop.py", {"sample": "7.0", "bp_loss": "mse", "bp_view": "batch",
                           "bp_broken": "1"},
     {"sample": "7", "bp_loss": "mse", "bp_view": "batch", "bp_broken": "true"}),
])
def test_page_keys_stay_in_the_address_too(page, params, address):
    at = visit(page, params)
    assert not at.exception
    assert {k: v for k, v in at.query_params.items() if k in params} == address


def _read_link_app():
    import streamlit as st

    from twolayer.settings import SETTINGS
    from twolayer.ui.sidebar import NOTES, REWRITES, read_link

    # As after a rewrite of the address bar that could not take the app's spelling: the run
    # before kept its note for this one, and the link gives the same value again.
    st.session_state.setdefault(REWRITES, {"settings"})
    st.session_state.setdefault(
        NOTES, {"settings": ["Hidden units = '999' is outside 1..64; using 64."]})
    st.session_state["notes"] = read_link({"hidden": SETTINGS["hidden"]}, "settings")[1]


def test_a_note_kept_across_a_rewrite_is_shown_once():
    at = AppTest.from_function(_read_link_app, default_timeout=TIMEOUT)
    at.query_params["hidden"] = "999"
    at.run()
    notes = at.session_state["notes"]
    assert len(notes) == len(set(notes)) == 1, notes
