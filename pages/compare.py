"""MSE vs log-loss: two nets, one start, the same batches; only delta2 differs."""

import streamlit as st

from twolayer.compare import (
    COMPARE_SETTINGS,
    LOSS_NAMES,
    ONE_NEURON_LR,
    ONE_NEURON_STARTS,
    ONE_NEURON_STEPS,
    comparison_for,
    one_neuron,
)
from twolayer.figures import (
    LOSS_COLORS,
    LOSS_LABELS,
    compare_accuracy_figure,
    compare_grad_norm_figure,
    compare_loss_figure,
    delta2_histogram_figure,
    one_neuron_figure,
)
from twolayer.figures.compare import EMPTY
from twolayer.settings import MAX_PLAY_EPOCHS, MAX_SECONDS_PER_REQUEST, SETTINGS
from twolayer.ui import live
from twolayer.ui import playback as pb
from twolayer.ui.charts import show, style
from twolayer.ui.classes import SOFTMAX_LINES, start_sentence
from twolayer.ui.export_buttons import export_buttons
from twolayer.ui.frame import aside, run_in_the_app, show_link_notes
from twolayer.ui.lesson_book import COMPARE_LINK, LESSONS, lesson_fixed, lesson_text, lesson_text_k
from twolayer.ui.lessons import current as current_lesson
from twolayer.ui.sidebar import clamp_from_link
from twolayer.ui.state import DATA_KEYS, dataset_for, signature
from twolayer.ui.text import count, stopped_early
from twolayer.ui.toolbar import PlayWiring, toolbar_row, train_and_epochs
from twolayer.ui.undo import keep as keep_for_undo
from twolayer.ui.undo import offer as offer_undo

run_in_the_app()   # a first link to this page on a fresh server: the app around it

PLAYING_EMPTY = "Playing: the curves<br>follow on Pause"   # a curve as Play starts at epoch 0
NET_KEYS = DATA_KEYS + ("hidden", "activation")  # not "loss": this page trains both

URL = "query-params"
LIVE, PLAY = "cmp_live", "cmp_play_state"   # the live boundaries' component, Play's state
DRAWN = "cmp_drawn"         # the boundaries made, and the next Step's (twolayer.ui.playback.Drawn)
# What the presenter keys press; in the speed control (one of Play's own) they work too.
KEYS = {"play": "cmp_play", "step": "cmp_step", "reset": "cmp_reset",
        "speed": "cmp_speed"}
FULL_RUN = "cmp_full_run"   # set by every run of the whole page, taken by the boundaries' part


@st.cache_data(max_entries=8, show_spinner=False)
def cached_lesson_text(key, n_classes=2):
    return (n_classes > 2 and lesson_text_k(key, n_classes)) or lesson_text(key)


def copy_lesson_to_sidebar(key):
    """Move a lesson's settings into the sidebar's widgets and leave the lesson."""
    for name, value in lesson_fixed(key, st.session_state.get("classes", 2)).items():
        st.session_state[name] = value
    st.session_state["lesson"] = "none"


LESSON_START = ("output_bias", "lr_factor")   # the page controls a lesson sets


def start_text(lesson):
    """The lesson's own start as the page's controls name it: 'b2 = -8, MSE rate x 1'."""
    return ", ".join(f"{COMPARE_LINK[k].label} {getattr(LESSONS[lesson], k):g}"
                     for k in LESSON_START)


def off_start(lesson, output_bias, lr_factor):
    """How the page's controls differ from the lesson's start ('' when they do not). One
    neuron's text is about its own chart, which these controls do not touch."""
    if lesson == "one_neuron":
        return ""
    now = {"output_bias": output_bias, "lr_factor": lr_factor}
    return ", ".join(f"{COMPARE_LINK[k].label} is {now[k]:g}, not "
                     f"{getattr(LESSONS[lesson], k):g}"
                     for k in LESSON_START if now[k] != getattr(LESSONS[lesson], k))


def back_to_start(lesson):
    for key in LESSON_START:
        st.session_state[key] = getattr(LESSONS[lesson], key)


def switch_to_classification():
    st.session_state["task"] = "classification"


def new_comparison(settings, output_bias):
    return comparison_for(settings, dataset_for(settings), output_bias=output_bias)


st.title("MSE vs log-loss")
live.preload()
with aside("cmp-intro").expander("About this page", icon=":material/info:"):
    st.write("The same network, the same start, the same mini-batches: one net learns with "
             "mean squared error, the other with log-loss. The only line of backprop that "
             "differs is delta2. Watch what that one factor does.")
    st.caption("The sidebar's *Loss* does not apply on this page: it always trains one net "
               "with each loss.")

show_link_notes(clamp_from_link(COMPARE_LINK, "compare"))

# -- the lesson and the page's own controls --------------------------------------------------

c1, c2, c3 = st.columns([1.3, 1.4, 1.3])
lesson = current_lesson()   # chosen in the sidebar (the header in presentation mode)
c1.markdown(f"**Lesson:** {LESSONS[lesson].title if lesson in LESSONS else 'none'}",
            help="Presets that show one thing each, chosen at the top of the sidebar: "
                 + "; ".join(f"**{k}**: {v.title}" for k, v in LESSONS.items())
                 + ". A link with ?lesson=saturated opens one, on every page.")
if st.session_state.get("compare_lesson_applied") != lesson:
    # A newly chosen lesson sets this page's own controls (not yet drawn in this run), except
    # where the link that opened the page gives a value of its own.
    # One neuron starts the two-layer comparison below it from the default b2 and factor.
    first = "compare_lesson_applied" not in st.session_state
    st.session_state["compare_lesson_applied"] = lesson
    if lesson in LESSONS:
        for key in LESSON_START:
            if not (first and key in st.query_params):
                st.session_state[key] = getattr(LESSONS[lesson], key)
s = COMPARE_SETTINGS["output_bias"]
output_bias = c2.number_input(s.label, s.lo, s.hi, s.default, step=s.step, key="output_bias",
                              bind=URL, help="Both nets start with this b2. Far from 0, every "
                              "output starts near 0 or 1: a saturated start.")
if st.session_state["settings"]["classes"] > 2:   # where b2 starts with K classes
    with c2:   # (on a projector the lesson's text says it: the maps first)
        aside("cmp-classes").caption(start_sentence(st.session_state["settings"]["classes"],
                                                    output_bias))
s = COMPARE_SETTINGS["lr_factor"]
lr_factor = c3.select_slider(s.label, s.options, value=s.default, key="lr_factor", bind=URL,
                             help="Multiplies the MSE net's learning rate: can a larger step "
                                  "make up for the smaller gradient?")

settings = dict(st.session_state["settings"])
# The boundaries and their controls come first; the lesson's text is drawn under them.
stage = st.container(key="stage-cmp")
# (A lesson's settings are in force already: twolayer/ui/lessons.py, for every page.)


def lesson_box():
    """The lesson's title and text, under the boundaries."""
    if lesson not in LESSONS:
        return
    aside("cmp-lesson").subheader(LESSONS[lesson].title)
    # The text states the numbers of the lesson's own start: shown as the lesson's only while
    # the page is at that start, so that it never contradicts what a link or a click set.
    moved = off_start(lesson, output_bias, lr_factor)
    if not moved:  # on a projector, folded under its title: the buttons and boundaries first
        box = st.expander(LESSONS[lesson].title, icon=":material/search:") if style().present \
            else st
        box.info(cached_lesson_text(lesson, settings["classes"]), icon=":material/search:")
    else:
        st.warning(f"This page is off the lesson's start: {moved}. The lesson's text describes "
                   "its own start, so it is folded away below.", icon=":material/tune:")
        st.button("Back to the lesson's start", on_click=back_to_start, args=(lesson,))
        with st.expander(f"What the lesson shows from its own start ({start_text(lesson)})"):
            st.markdown(cached_lesson_text(lesson, settings["classes"]))
    if lesson == "one_neuron":
        start = st.radio("Start", tuple(ONE_NEURON_STARTS), horizontal=True,
                         key="neuron_start")
        w, b = ONE_NEURON_STARTS[start]
        runs = {loss: one_neuron(loss, w, b, ONE_NEURON_LR, ONE_NEURON_STEPS)
                for loss in LOSS_NAMES}
        show(one_neuron_figure({loss: r.a for loss, r in runs.items()}, style=style(),
                               title=f"One sigmoid neuron from {start}, input 1, target 0, "
                                     f"learning rate {ONE_NEURON_LR:g}"), key="one_neuron")
        st.caption("Above: the two-layer comparison with the sidebar's settings.")
    if LESSONS[lesson].settings:
        fixed = ", ".join(f"{SETTINGS[k].label.lower()} {v}"
                          for k, v in lesson_fixed(lesson, settings["classes"]).items())
        box = aside("cmp-fixed")
        box.caption(f"This lesson fixes {fixed}; the sidebar says so under each of them.")
        box.button("Edit these settings in the sidebar", on_click=copy_lesson_to_sidebar,
                   args=(lesson,), help="Copies the lesson's settings into the sidebar and "
                                        "leaves the lesson, so you can change them.")


if settings["task"] != "classification":
    st.warning("MSE vs log-loss compares two classifiers: log-loss needs a sigmoid output and "
               "labels 0/1. Choose a classification task in the sidebar.")
    st.button("Switch to classification", on_click=switch_to_classification)
    st.stop()

# -- the two nets, in lockstep ---------------------------------------------------------------

sig = (signature(settings, NET_KEYS), float(output_bias))
held = st.session_state.get("compare")
if held is None or held[0] != sig:
    if held is not None:
        st.toast("Data, network or output bias changed: both nets start again.")
    held = (sig, new_comparison(settings, output_bias))
    st.session_state["compare"] = held
cmp = held[1]
cmp.configure(lr=float(settings["lr"]), lr_factor=lr_factor, batch_size=settings["batch"],
              l2=float(settings["l2"]))

play = st.session_state.setdefault(PLAY, pb.Play())
if st.session_state.get("compare_play_of") is not cmp:  # other nets: their play is over
    pb.stop(play)
    st.session_state["compare_play_of"] = cmp
st.session_state[FULL_RUN] = True   # this run draws the whole page (not a click in the fragment)


WIRING = PlayWiring(PLAY, LIVE, KEYS,
                    trainers=lambda: list(st.session_state["compare"][1].trainers.values()))


def reset(settings, output_bias, lr_factor, sig):
    """Reset: both nets back to the start (as a callback, before the fragment draws)."""
    pb.stop(st.session_state[PLAY])
    keep_for_undo("compare")   # the run before, one click away
    cmp = new_comparison(settings, output_bias).configure(
        lr_factor=lr_factor, lr=float(settings["lr"]), batch_size=settings["batch"],
        l2=float(settings["l2"]))
    st.session_state["compare"] = (sig, cmp)
    st.session_state["compare_play_of"] = cmp


def after_undo():
    pb.stop(st.session_state[PLAY])
    st.session_state["compare_play_of"] = st.session_state["compare"][1]


def curve_figures(cmp, empty=EMPTY):
    """The curves and the histogram; ``empty`` is what a curve says before the first epoch."""
    hist = cmp.histories
    return {"compare_accuracy": compare_accuracy_figure(
                {k: h.test_metric for k, h in hist.items()}, style=style(), empty=empty),
            "compare_loss": compare_loss_figure(
                {k: h.train_loss for k, h in hist.items()}, style=style(), empty=empty),
            "compare_grad_norms": compare_grad_norm_figure(
                {k: h.grad_norm for k, h in hist.items()}, style=style(), empty=empty),
            "compare_delta2": delta2_histogram_figure(
                cmp.delta2_per_sample(), style=style(),
                title=f"|delta2| per training sample at epoch {cmp.epoch}")}


@st.fragment
def both_nets():
    """Controls, numbers, the live boundaries and the curves: a click here reruns only this."""
    play, cmp = st.session_state[PLAY], st.session_state["compare"][1]
    full_run = st.session_state.pop(FULL_RUN, False)
    # Play's own requests keep it playing; a rerun for anything else pauses it on the epoch
    # on screen.
    playing = pb.settle(play, list(cmp.trainers.values()))
    play.stopped = False

    with toolbar_row("toolbar-cmp"):
        step = WIRING.step(playing, help="One epoch for both nets")
        shown = st.session_state.get("compare_epochs", SETTINGS["epochs_per_run"].default)
        train, epochs_per_run = train_and_epochs(
            f"Train {shown}", "cmp_train", "compare_epochs", playing,
            help="This many epochs for both nets")
        WIRING.buttons(playing,
                       help="Train both nets and show every epoch (or every 2nd, 5th, 10th) "
                            f"live until Pause, at most {MAX_PLAY_EPOCHS} epochs; the curves "
                            "below follow on Pause")
        st.button("Reset", key=KEYS["reset"], help="Both nets back to the start",
                  on_click=reset, args=(settings, output_bias, lr_factor, sig))
        offer_undo("compare", cmp.epoch, lambda c: c.epoch, then=after_undo)
    if step:
        cmp.run(1)
    elif train:
        epochs, note = cmp.budget(int(epochs_per_run))
        if note:
            st.info(note)
        before = min(t.epoch for t in cmp.trainers.values())
        with st.spinner(f"Training both nets {count(epochs, 'epoch')}..."):
            cmp.run(epochs, cpu_seconds=MAX_SECONDS_PER_REQUEST)
        done = min(t.epoch for t in cmp.trainers.values()) - before
        if all(t.diverged is None for t in cmp.trainers.values()) and stopped_early(done, epochs):
            st.info(stopped_early(done, epochs), icon=":material/timer:")
    WIRING.stopped_note(playing)

    scene = pb.CompareScene(cmp, style=style())
    if playing and play.base is None:  # the boundaries and curves as Play starts
        pb.set_base(play, scene, scene.figures())
        st.session_state["compare_play_curves"] = curve_figures(cmp, PLAYING_EMPTY)
    WIRING.chunk(scene)
    if playing:
        # The maps' titles are the one epoch on screen while playing: numbers that a rerun
        # could only bring up to them a second late make way for a line that has none.
        with st.container(key="numbers-cmp"):
            st.caption(":material/play_circle: Playing: each map's title names the epoch on "
                       "screen; the numbers come back on Pause, the curves below follow then.")
    else:
        with st.container(horizontal=True, vertical_alignment="bottom", key="numbers-cmp"):
            st.markdown(f"**Epoch {cmp.epoch}**")
            for loss, t in cmp.trainers.items():
                train_loss, _, _, accuracy = pb.metrics_at(t, t.epoch)
                st.metric(f"{LOSS_LABELS[loss]}: test accuracy", f"{accuracy:.3f}")
                st.metric(f"{LOSS_LABELS[loss]}: training loss", f"{train_loss:.4g}")
    if playing:
        # The boundaries as Play started, in the run that starts it or redraws the page; a
        # chunk's own run sends only the chunk.
        charts = play.base if full_run or play.seq == 0 else None
        ahead = None
    else:
        drawn = st.session_state.setdefault(DRAWN, pb.Drawn())
        charts = drawn.at(scene, cmp.epoch)[1]   # after a Step: made in the run before
        ahead = drawn.ahead(scene)               # shown the moment Step is pressed
    WIRING.live_charts(scene.layout, charts, playing, ahead)
    if style().present:
        st.caption(":material/keyboard: Space plays or pauses, → or PageDown steps, "
                   "R resets.")
    for loss, epoch in cmp.diverged.items():
        st.error(f"The {LOSS_LABELS[loss]} net diverged at epoch {epoch} (its loss blew up); "
                 "it keeps its last good weights. Lower the learning rate.")

    lesson_box()

    # -- what happened, epoch by epoch (as Play started, while it plays) --------------------
    figs = st.session_state["compare_play_curves"] if playing else curve_figures(cmp)
    for row in (("compare_accuracy", "compare_loss"), ("compare_grad_norms", "compare_delta2")):
        for col, key in zip(st.columns(2), row, strict=True):
            with col:
                show(figs[key], key=key)
    if not playing:
        st.caption("Take this run home: both nets as code that reproduces these numbers.")
        export_buttons(cmp.trainers, settings, cmp.lr_factor, "twolayer-compare",
                       "MSE vs log-loss")


with stage:
    both_nets()

# -- why -------------------------------------------------------------------------------------

st.subheader("The one line that differs")
mse, log = LOSS_COLORS["mse"], LOSS_COLORS["log_loss"]
c1, c2 = st.columns(2)
with c1:
    st.markdown(f"**{LOSS_LABELS['mse']}**")
    st.latex(r"\delta_2 = \frac{\partial L}{\partial z_2} = -2\,(y - a_2)\,"
             rf"{{\color{{{mse}}}\underbrace{{a_2\,(1 - a_2)}}_{{\text{{sigmoid slope}}}}}}"
             r"\;/\;m")
with c2:
    st.markdown(f"**{LOSS_LABELS['log_loss']}**")
    st.latex(r"\delta_2 = \frac{a_2 - y}{a_2\,(1 - a_2)}\cdot"
             rf"{{\color{{{log}}}a_2\,(1 - a_2)}}\;/\;m = (a_2 - y)\;/\;m")
st.latex(r"W_2 \leftarrow W_2 - \alpha\,\delta_2\,a_1^{\mathsf T}, \quad "
         r"\delta_1 = (W_2^{\mathsf T}\delta_2) \odot g'(z_1), \quad "
         r"W_1 \leftarrow W_1 - \alpha\,\delta_1\,X^{\mathsf T}"
         r"\qquad \text{(the same for both)}")
if settings["classes"] > 2:
    st.markdown(f"**With {settings['classes']} classes** (a softmax output, one-hot targets Y), "
                "the one line that differs:")
    c1, c2 = st.columns(2)
    c1.latex(SOFTMAX_LINES["mse"] % mse)
    c2.latex(SOFTMAX_LINES["log_loss"])
st.markdown(
    "**Saturation.** The sigmoid is flat at both ends: when the output a2 is near 0 or near 1, "
    "its slope a2 (1 - a2) is near 0. MSE keeps that slope in delta2, so a point the net gets "
    "*confidently wrong* (a2 near 0 for a class-1 point) produces almost no gradient, exactly "
    "where the net most needs to move. Log-loss's own derivative has the slope in its "
    "denominator; it cancels, and delta2 is the plain error a2 - y. Every gradient in the net "
    "starts from delta2, so a tiny delta2 stalls both layers.")
