"""A lesson is one story across the pages: chosen once, carried by every link, left in a click.

``?lesson=saturated`` (or ``fair``) puts the same data, network, learning rate, batch and start
in force on every page where it means something: the Playground, MSE vs log-loss, the Loss
landscape, the Sweep and Backprop. What a lesson sets and says is ``twolayer.ui.lesson_book``'s
``LESSONS`` (its numbers come from the core); this module carries it through the UI:

- ``lesson_picker`` draws the choice once per run, in the frame: at the top of the sidebar, or in
  presentation mode in the header bar next to Join (the sidebar is folded away there), with a
  "Leave the lesson" button beside it. Bound to the URL, so every page link and "Copy link"
  carry it.
- ``in_force(settings)`` is what the pages train with: the sidebar's settings with the lesson's
  on top. The sidebar's widgets keep their own values (they are bound to the URL and nothing
  fights over them); under each one a lesson overrides, a note names the value in force.
- ``output_bias()`` is the lesson's start (b2 = -8 for the saturated lesson), for the pages
  that build nets; ``arrived(page)`` tells a page once that a lesson has newly come into
  force, so that it can move its own controls (a switch, the axes) to the lesson's start.
"""

import streamlit as st

from ..train import Trainer
from .lesson_book import COMPARE_LINK, LESSONS, lesson_fixed, lesson_settings
from .sidebar import clamp_from_link, overridden
from .state import new_trainer

KEY = "lesson"          # the widget and the link's key (MSE vs log-loss used it first)
NONE = "none"
OPTIONS = COMPARE_LINK[KEY].options
URL = "query-params"
HEADER_KEY = "lesson-header"
ARRIVED = "_lesson_arrived"   # {page: the lesson last put in force there}

# What to look for, page by page: short, for the sidebar under the picker. The numbers are
# the pages' own (each page states them as it computes them).
STORY = {
    "saturated": {
        "": "Every output starts near 0 (b2 = -8). Train with Loss MSE, then log-loss: which "
            "one moves?",
        "mse-vs-log-loss": "Both nets from b2 = -8: log-loss learns at once, MSE sits on a "
                           "plateau.",
        "loss-landscape": "The same start on a map: MSE's ground is flat where log-loss's "
                          "slopes.",
        "sweep": "Every learning rate, both starts: does a larger step rescue MSE from b2 = -8?",
        "chain-rule": "One update by hand from b2 = -8: see a2 (1 - a2) shrink MSE's delta2.",
    },
    "fair": {
        "": "A fair start (b2 = 0) with sigmoid units at learning rate 1.",
        "mse-vs-log-loss": "The same fair start for both nets: both learn, log-loss sooner.",
        "loss-landscape": "From the fair start both maps slope.",
        "sweep": "Every learning rate, both starts: how far apart are the losses at their best?",
        "chain-rule": "One update by hand from the fair start.",
    },
}


def current():
    """The lesson in force ('none' without one): the picker's value, or before it is drawn the
    link's (cleaned)."""
    if KEY in st.session_state:
        return st.session_state[KEY]
    return COMPARE_LINK[KEY].clean(st.query_params.get(KEY, NONE))[0]


def settings_of(lesson):
    """What ``lesson`` fixes of the shared settings ({} for none or a lesson of one page)."""
    return dict(LESSONS[lesson].settings) if lesson in LESSONS else {}


def in_force(settings):
    """The settings the pages train with: the sidebar's, with the lesson's on top; the sidebar
    says under each overridden widget which value is in force."""
    lesson = current()
    if not settings_of(lesson):
        return dict(settings)
    fixed = lesson_fixed(lesson, int(settings.get("classes", 2)))   # K >= 3: a K-class dataset
    overridden(fixed, f"The lesson \u201c{LESSONS[lesson].title}\u201d")
    return {**lesson_settings(lesson, settings), **fixed}


def output_bias():
    """The lesson's start b2, or None without a lesson that fixes the network."""
    lesson = current()
    return float(LESSONS[lesson].output_bias) if settings_of(lesson) else None


def arrived(page):
    """The lesson, the first time a page runs with it in force (also for 'none' after one was
    left); None on every later run. A page moves its own controls to the lesson's start then."""
    lesson = current()
    seen = st.session_state.setdefault(ARRIVED, {})
    if seen.get(page) == lesson:
        return None
    first = page not in seen
    seen[page] = lesson
    if first and lesson == NONE:
        return None
    return lesson


def _leave():
    st.session_state[KEY] = NONE


def _choose(lesson):
    st.session_state[KEY] = lesson


def read_lesson_link():
    """The link's lesson, cleaned (before the picker is drawn); returns the notes about it."""
    return clamp_from_link({KEY: COMPARE_LINK[KEY]}, KEY)


def lesson_picker(present, box=None):
    """The lesson's picker: in ``box`` (the top of the sidebar), or in presentation mode in the
    header bar (fixed, next to Join; drawn last, so that it takes no room from the page)."""
    help_text = ("One story across the pages: the same data, network, learning rate, batch and "
                 "start on Playground, MSE vs log-loss, Loss landscape, Sweep and Backprop. "
                 + "; ".join(f"**{k}**: {v.title}" for k, v in LESSONS.items()) + ".")
    if present:
        st.html("<style>.st-key-lesson-header { position: fixed; top: 0.45rem; right: 9rem; "
                "width: 17rem !important; z-index: 999991; }"
                ".st-key-lesson-header [data-testid='stSelectbox'] { width: 10rem; }</style>")
        box = st.container(key=HEADER_KEY, horizontal=True, vertical_alignment="center",
                           gap="small")
    else:
        box = box if box is not None else st.sidebar.container()
    with box:
        lesson = st.selectbox("Lesson", OPTIONS, key=KEY, bind=URL, help=help_text,
                              label_visibility="collapsed" if present else "visible")
        if lesson != NONE:
            st.button("Leave the lesson" if not present else "Leave", key="lesson_leave",
                      on_click=_leave, icon=":material/logout:",
                      help="Back to the sidebar's own settings")


def story(page_path):
    """One line of what the lesson shows on this page, or None."""
    return STORY.get(current(), {}).get("" if page_path == "play" else page_path)


def lesson_buttons():
    """One button per lesson that puts it in force (for the Playground's intro): it then holds
    on this page and every other, until it is left."""
    for key, lesson in LESSONS.items():
        st.button(lesson.title, key=f"lesson_open_{key}", icon=":material/school:",
                  on_click=_choose, args=(key,), disabled=current() == key)


# -- the nets a lesson starts ---------------------------------------------------------------------

BIAS_MARK = "_lesson_b2_of"   # {trainer key: (the trainer, the b2 it was checked for)}


def at_lesson_start(key="trainer"):
    """The held trainer (st.session_state[key] = (signature, Trainer)) starts from the lesson's
    output bias: a trainer at epoch 0 gets it (a new net, or a Reset's); a trained one whose
    lesson start changed (fair to saturated) starts again. Returns (trainer, restarted)."""
    state = st.session_state
    bias = output_bias()
    sig, trainer = state[key]
    marks = state.setdefault(BIAS_MARK, {})
    mark = marks.get(key)
    if mark is not None and mark[0] is trainer and mark[1] == bias:
        return trainer, False
    restarted = False
    if mark is not None and mark[0] is trainer and trainer.epoch > 0:
        # The same network settings, another start: training starts again.
        trainer = new_trainer(state["settings"], data=trainer.data, output_bias=bias)
        restarted = True
    elif trainer.epoch == 0 and (bias is not None or (mark is not None and mark[0] is trainer)):
        net = trainer.net
        if bias is not None:
            net.set_output_bias(bias)   # K >= 3: b2 = (0, bias, ..., bias)
        elif mark[1] is not None:
            net = new_trainer(state["settings"], data=trainer.data).net
        trainer = Trainer(net, trainer.data, lr=trainer.lr, batch_size=trainer.batch_size,
                          l2=trainer.l2, seed=trainer.seed)
    state[key] = (sig, trainer)
    marks[key] = (trainer, bias)
    return trainer, restarted
