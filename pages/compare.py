"""MSE vs log-loss: two nets, one start, the same batches; only delta2 differs."""

import streamlit as st

from twolayer.compare import (
    COMPARE_LINK,
    COMPARE_SETTINGS,
    LESSONS,
    LOSS_NAMES,
    ONE_NEURON_LR,
    ONE_NEURON_STARTS,
    ONE_NEURON_STEPS,
    boundary_frames,
    boundary_grid,
    comparison_for,
    lesson_settings,
    lesson_text,
    one_neuron,
    probabilities,
)
from twolayer.figures import (
    LOSS_COLORS,
    LOSS_LABELS,
    boundary_animation_figure,
    compare_accuracy_figure,
    compare_grad_norm_figure,
    compare_loss_figure,
    decision_boundary,
    delta2_histogram_figure,
    one_neuron_figure,
)
from twolayer.settings import GRID, MAX_PLAY_EPOCHS, SETTINGS
from twolayer.ui.charts import show, style
from twolayer.ui.frame import show_link_notes
from twolayer.ui.sidebar import clamp_from_link
from twolayer.ui.state import DATA_KEYS, dataset_for, signature

NET_KEYS = DATA_KEYS + ("hidden", "activation")  # not "loss": this page trains both

LESSON_KEYS = ("none",) + tuple(LESSONS)
PLAY_EPOCHS_PER_TICK = 2
URL = "query-params"


@st.cache_data(max_entries=8, show_spinner=False)
def cached_lesson_text(key):
    return lesson_text(key)


@st.cache_data(max_entries=4, show_spinner=False)
def cached_frames(run_key, epochs, _comparison):
    # run_key identifies the comparison's settings; the comparison itself is passed unhashed.
    return boundary_frames(_comparison, epochs)


def copy_lesson_to_sidebar(key):
    """Move a lesson's settings into the sidebar's widgets and leave the lesson."""
    for name, value in LESSONS[key].settings.items():
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
st.write("The same network, the same start, the same mini-batches: one net learns with mean "
         "squared error, the other with log-loss. The only line of backprop that differs is "
         "delta2. Watch what that one factor does.")
st.caption("The sidebar's *Loss* does not apply on this page: it always trains one net with "
           "each loss.")

show_link_notes(clamp_from_link(COMPARE_LINK, "compare"))

# -- the lesson and the page's own controls --------------------------------------------------

c1, c2, c3 = st.columns([2, 1, 1])
lesson = c1.selectbox("Lesson", LESSON_KEYS, key="lesson", bind=URL,
                      help="Presets that show one thing each: "
                           + "; ".join(f"**{k}**: {v.title}" for k, v in LESSONS.items())
                           + ". A link with ?lesson=saturated opens one.")
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
s = COMPARE_SETTINGS["lr_factor"]
lr_factor = c3.select_slider(s.label, s.options, value=s.default, key="lr_factor", bind=URL,
                             help="Multiplies the MSE net's learning rate: can a larger step "
                                  "make up for the smaller gradient?")

settings = dict(st.session_state["settings"])
if lesson in LESSONS:
    st.subheader(LESSONS[lesson].title)
    # The text states the numbers of the lesson's own start: shown as the lesson's only while
    # the page is at that start, so that it never contradicts what a link or a click set.
    moved = off_start(lesson, output_bias, lr_factor)
    if not moved:
        st.info(cached_lesson_text(lesson), icon=":material/search:")
    else:
        st.warning(f"This page is off the lesson's start: {moved}. The lesson's text describes "
                   "its own start, so it is folded away below.", icon=":material/tune:")
        st.button("Back to the lesson's start", on_click=back_to_start, args=(lesson,))
        with st.expander(f"What the lesson shows from its own start ({start_text(lesson)})"):
            st.markdown(cached_lesson_text(lesson))
if lesson in LESSONS and LESSONS[lesson].settings:
    # Page-level overrides: the sidebar's widgets are left alone (they are bound to the URL
    # and drawn before this page runs), so a lesson can never fight them.
    settings = lesson_settings(lesson, settings)
    fixed = ", ".join(f"{SETTINGS[k].label.lower()} {v}"
                      for k, v in LESSONS[lesson].settings.items())
    st.caption(f"This lesson fixes {fixed}. The sidebar's values for these are not used while "
               "it is selected.")
    st.button("Edit these settings in the sidebar", on_click=copy_lesson_to_sidebar,
              args=(lesson,), help="Copies the lesson's settings into the sidebar and leaves "
                                   "the lesson, so you can change them.")

if lesson == "one_neuron":
    start = st.radio("Start", tuple(ONE_NEURON_STARTS), horizontal=True, key="neuron_start")
    w, b = ONE_NEURON_STARTS[start]
    runs = {loss: one_neuron(loss, w, b, ONE_NEURON_LR, ONE_NEURON_STEPS) for loss in LOSS_NAMES}
    show(one_neuron_figure({loss: r.a for loss, r in runs.items()}, style=style(),
                           title=f"One sigmoid neuron from {start}, input 1, target 0, "
                                 f"learning rate {ONE_NEURON_LR:g}"), key="one_neuron")
    st.caption("Below: the two-layer comparison with the sidebar's settings.")

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

b1, b2, b3, b4, b5 = st.columns([1, 1, 1.4, 1, 1], vertical_alignment="bottom")
s = SETTINGS["epochs_per_run"]
epochs_per_run = b3.number_input(s.label, s.lo, s.hi, s.default, step=s.step,
                                 key="compare_epochs")
if b1.button("Step", help="One epoch for both nets", width="stretch"):
    cmp.run(1)
if b2.button(f"Train {epochs_per_run}", help="This many epochs for both nets",
             width="stretch"):
    epochs, note = cmp.budget(int(epochs_per_run))
    if note:
        st.info(note)
    with st.spinner(f"Training both nets {epochs} epochs..."):
        cmp.run(epochs)
playing = b4.toggle("Play", key="compare_play",
                    help=f"Train {PLAY_EPOCHS_PER_TICK} epochs at a time until you pause (the "
                         "boundaries move; the curves below update when you pause).")
if b5.button("Reset", help="Both nets back to the start", width="stretch"):
    cmp = new_comparison(settings, output_bias).configure(lr_factor=lr_factor,
                                                          lr=float(settings["lr"]),
                                                          batch_size=settings["batch"],
                                                          l2=float(settings["l2"]))
    st.session_state["compare"] = (sig, cmp)

data = cmp.data
grid = boundary_grid(data, GRID)


@st.fragment(run_every=0.5 if playing else None)
def boundaries():
    if playing and cmp.epoch < MAX_PLAY_EPOCHS:
        cmp.run(cmp.budget(PLAY_EPOCHS_PER_TICK)[0])
    st.markdown(f"**Epoch {cmp.epoch}**")
    summary = cmp.summary()
    for col, loss in zip(st.columns(2), LOSS_NAMES, strict=True):
        accuracy, train_loss = summary[loss]
        m1, m2 = col.columns(2)
        m1.metric(f"{LOSS_LABELS[loss]}: test accuracy", f"{accuracy:.3f}")
        m2.metric(f"{LOSS_LABELS[loss]}: training loss", f"{train_loss:.4g}")
        with col:
            show(decision_boundary(grid.x1, grid.x2, probabilities(cmp.nets[loss], grid),
                                   data.X_train, data.y_train, names=data.feature_names,
                                   style=style(), title=f"trained with {LOSS_LABELS[loss]}"),
                 key=f"compare_boundary_{loss}")
    for loss, epoch in cmp.diverged.items():
        st.error(f"The {LOSS_LABELS[loss]} net diverged at epoch {epoch} (its loss blew up); "
                 "it keeps its last good weights. Lower the learning rate.")


boundaries()

# -- what happened, epoch by epoch -----------------------------------------------------------

hist = cmp.histories
c1, c2 = st.columns(2)
with c1:
    show(compare_accuracy_figure({k: h.test_metric for k, h in hist.items()}, style=style()),
         key="compare_accuracy")
with c2:
    show(compare_loss_figure({k: h.train_loss for k, h in hist.items()}, style=style()),
         key="compare_loss")
c1, c2 = st.columns(2)
with c1:
    show(compare_grad_norm_figure({k: h.grad_norm for k, h in hist.items()}, style=style()),
         key="compare_grad_norms")
with c2:
    show(delta2_histogram_figure(cmp.delta2_per_sample(), style=style(),
                                 title=f"|delta2| per training sample at epoch {cmp.epoch}"),
         key="compare_delta2")

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
st.markdown(
    "**Saturation.** The sigmoid is flat at both ends: when the output a2 is near 0 or near 1, "
    "its slope a2 (1 - a2) is near 0. MSE keeps that slope in delta2, so a point the net gets "
    "*confidently wrong* (a2 near 0 for a class-1 point) produces almost no gradient, exactly "
    "where the net most needs to move. Log-loss's own derivative has the slope in its "
    "denominator; it cancels, and delta2 is the plain error a2 - y. Every gradient in the net "
    "starts from delta2, so a tiny delta2 stalls both layers.")

# -- play in the browser ---------------------------------------------------------------------

st.subheader("Play in the browser")
st.caption("Precompute both nets from the start and play their boundaries as one animation "
           "that runs in your browser, without a round trip to the server per frame: good for "
           "a projector.")
c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
s = COMPARE_SETTINGS["animation_epochs"]
animation_epochs = c1.number_input(s.label, s.lo, s.hi, s.default, step=s.step,
                                   key="animation_epochs")
if c2.toggle("Show the animation", key="compare_animation"):
    animation_epochs, note = cmp.budget(int(animation_epochs))
    if note:
        st.info(note)
    with st.spinner(f"Training both nets {animation_epochs} epochs from the start..."):
        run_key = (sig, lr_factor, settings["lr"], settings["batch"], settings["l2"])
        agrid, frames = cached_frames(run_key, int(animation_epochs), cmp)
    show(boundary_animation_figure(agrid.x1, agrid.x2, frames, data.X_train, data.y_train,
                                   style=style()), key="compare_animation_chart")
