"""Loss landscape: the training loss over two parameters, MSE's plateau, the paths of two nets."""

import time
import uuid

import numpy as np
import streamlit as st

from twolayer.compare import Comparison, comparison_for
from twolayer.figures import LOSS_LABELS, landscape_heatmap, landscape_surface, slope_range
from twolayer.landscape import (
    budgeted_surfaces,
    gradient_at,
    param_names,
    start_values,
    trainer_paths,
)
from twolayer.settings import (
    LANDSCAPE_GRIDS,
    LANDSCAPE_PARAM_LABELS,
    LANDSCAPE_SETTINGS,
    MAX_PLAY_EPOCHS,
    MAX_SECONDS_PER_REQUEST,
    SATURATED_BIAS,
    SETTINGS,
    clean_param,
    epoch_budget,
    landscape_budget,
    landscape_params,
)
from twolayer.ui import undo
from twolayer.ui.charts import show, style
from twolayer.ui.frame import aside, run_in_the_app, show_link_notes
from twolayer.ui.keys import presenter_keys
from twolayer.ui.lessons import arrived, output_bias
from twolayer.ui.sidebar import clamp_from_link
from twolayer.ui.state import DATA_KEYS, dataset_for, n_classes_of, new_trainer
from twolayer.ui.text import count, literal, stopped_early
from twolayer.ui.toolbar import toolbar_row, train_and_epochs

run_in_the_app()   # a first link to this page on a fresh server: the app around it

URL = "query-params"
PLAYING, PLAY_UNTIL = "ls_playing", "ls_play_until"
PLAY_EPOCHS = 5      # Play trains this many epochs per picture (one run of the page)
PLAY_PAUSE = 0.2     # seconds each picture stays before the next run starts
PARAM_KEYS = ("ls_x", "ls_y")
NET_KEYS = DATA_KEYS + ("hidden", "activation")   # not "loss": this page trains both


def default_params(saturated):
    """The axes' parameters for the start; K >= 3 classes: W2[1,0] and b2[1,0] (saturated)."""
    return landscape_params(saturated, n_classes_of(st.session_state["settings"]))


def on_saturated_change():
    """The switch moves the axes to where its lesson is: an entry of W2 and b2 at the saturated
    start, one weight per layer otherwise."""
    for key, name in zip(PARAM_KEYS, default_params(st.session_state["ls_saturated"]),
                         strict=True):
        st.session_state[key] = name


def new_run(settings, data, saturated):
    """Both nets of a comparison (classification), or the MSE net alone (regression)."""
    bias = SATURATED_BIAS if saturated else 0.0
    if data.task == "classification":
        return comparison_for(settings, data, output_bias=bias)
    return new_trainer(settings, data=data, loss="mse")


def trainers_of(run):
    """The nets ``run`` trains: both of a Comparison, or the one Trainer (regression)."""
    return run.trainers if isinstance(run, Comparison) else {"mse": run}


def budget(run, epochs):
    if isinstance(run, Comparison):
        return run.budget(epochs)
    return epoch_budget(epochs, run.X.shape[1], run.batch_size, run.net.n_hidden)


settings = st.session_state["settings"]
S = style()
state = st.session_state
data = dataset_for(settings)
classification = data.task == "classification"

st.title("Loss landscape")
with aside("ls-intro").expander("About this page", icon=":material/info:"):
    st.write("The training loss as a map over two of the net's parameters, every other "
             "parameter held fixed (as Glorot and Bengio drew it in 2010). From a saturated "
             "start, MSE's map is a plateau where log-loss's still slopes downhill: that flat "
             "ground is why the MSE net stalls on the *MSE vs log-loss* page.")
    if classification:
        st.caption("Two nets start from the same weights and train on the same mini-batches, "
                   "one with MSE and one with log-loss; the sidebar's *Loss* does not apply "
                   "here.")
    else:
        st.caption("Regression: an identity output has no log-loss, so this is the MSE net "
                   "alone.")

# The buttons, the numbers and the maps first; the maps' own settings right under them (drawn
# first, as they decide what the maps show).
toolbar = toolbar_row("toolbar-ls")
stage = st.container(key="stage-ls")
with stage:
    numbers_box = st.container(horizontal=True, vertical_alignment="bottom", key="numbers-ls")
    maps_box = st.container()
view_box = st.container()

# -- controls ---------------------------------------------------------------------------------
show_link_notes(clamp_from_link(LANDSCAPE_SETTINGS, "landscape"))
if arrived("loss-landscape") and output_bias() is not None and \
        "ls_saturated" not in st.query_params:
    # A lesson's start is this page's start (a link's own switch kept): it moves the axes too.
    state["ls_saturated"] = output_bias() != 0
    on_saturated_change()
names = param_names(data.n_inputs, int(settings["hidden"]), data.n_classes)
saturated = classification and bool(state.get("ls_saturated",
                                              LANDSCAPE_SETTINGS["ls_saturated"].default))
for key, default, label in zip(PARAM_KEYS, default_params(saturated), LANDSCAPE_PARAM_LABELS,
                               strict=True):
    # From a link (first visit) or left over from a bigger net: a name of this net, or a note.
    from_link = key not in state
    raw = st.query_params.get(key) if from_link else state[key]
    if raw is not None and raw not in names:
        state[key], note = clean_param(raw, data.n_inputs, int(settings["hidden"]), default,
                                       label, n_classes=data.n_classes)
        if note:
            st.info(f"{'From the link: ' if from_link else ''}{literal(note)}",
                    icon=":material/link:")

c = view_box.columns([1.3, 1, 1, 1.2, 1.2], vertical_alignment="bottom")
s = LANDSCAPE_SETTINGS["ls_saturated"]
saturated = c[0].toggle(s.label, value=s.default,
                        key="ls_saturated", bind=URL, on_change=on_saturated_change,
                        disabled=not classification,
                        help=f"Both nets start with the output bias b2 = {SATURATED_BIAS:g}: "
                             "every output is about 3e-4, confidently class 0. The axes move to "
                             "an entry of W2 and b2, where MSE's plateau is.")
saturated = saturated and classification
x_default, y_default = default_params(saturated)
p1 = c[1].selectbox(LANDSCAPE_PARAM_LABELS[0], names, index=names.index(x_default),
                    key="ls_x", bind=URL)
p2 = c[2].selectbox(LANDSCAPE_PARAM_LABELS[1], names, index=names.index(y_default),
                    key="ls_y", bind=URL)
s = LANDSCAPE_SETTINGS["ls_span"]
span = c[3].select_slider(f"{s.label} (each way)", s.options, value=s.default, key="ls_span",
                          bind=URL, help="The window reaches this far each side of the start.")
s = LANDSCAPE_SETTINGS["ls_grid"]
grid = c[4].select_slider(s.label, s.options, value=s.default, key="ls_grid", bind=URL,
                          help="Every grid point is a net of its own, evaluated on all the "
                               "training samples.")

# -- the nets ---------------------------------------------------------------------------------


def toggle_play():
    """Play: the next 'Epochs per Train' epochs, PLAY_EPOCHS per picture; or Pause."""
    state[PLAYING] = not state.get(PLAYING)
    held = state.get("landscape")
    if state[PLAYING] and held is not None:
        per_run = state.get("ls_epochs", SETTINGS["epochs_per_run"].default)
        state[PLAY_UNTIL] = max(t.epoch for t in trainers_of(held[1]).values()) + \
            min(int(per_run), MAX_PLAY_EPOCHS)


def pause():
    state[PLAYING] = False


sig = (tuple(settings[k] for k in NET_KEYS), saturated)
held = state.get("landscape")
if held is None or held[0] != sig:
    if held is not None:
        st.toast("Data, network or start changed: training starts again.")
    held = (sig, new_run(settings, data, saturated), uuid.uuid4().hex)
    state["landscape"] = held
run = held[1]
batch = settings["batch"]
if classification:
    run.configure(lr=float(settings["lr"]), batch_size=batch, l2=float(settings["l2"]))
else:
    run.lr, run.l2 = float(settings["lr"]), float(settings["l2"])
    run.batch_size = None if batch == "all" else int(batch)

with toolbar:
    s = SETTINGS["epochs_per_run"]
    playing = bool(state.get(PLAYING))
    st.button("Pause" if playing else "Play", key="ls_play", on_click=toggle_play,
              icon=":material/pause:" if playing else ":material/play_arrow:",
              help=f"Train the next 'Epochs per Train' epochs, {PLAY_EPOCHS} per picture, the "
                   "maps redrawn after each, until they are done or Pause")
    step = st.button("Step", type="primary", help="One epoch for each net", key="ls_step",
                     disabled=playing)
    train, epochs_per_run = train_and_epochs(f"Train {state.get('ls_epochs', s.default)}",
                                             "ls_train", "ls_epochs", playing,
                                             help="This many epochs for each net")
    reset = st.button("Reset", help="Back to the start", key="ls_reset")
    undo_box = st.empty()   # "Undo reset", filled once this run's Reset is done
    s = LANDSCAPE_SETTINGS["ls_color"]
    color = st.radio(s.label, s.options, key="ls_color", bind=URL, horizontal=True,
                     format_func={"loss": "loss", "slope": "slope |grad|"}.get,
                     label_visibility="collapsed", width="content",
                     help="Colour by the loss, or by its slope: how steep the ground is. Both "
                          "on a log scale.")
    s = LANDSCAPE_SETTINGS["ls_3d"]
    view_3d = st.toggle(s.label, key="ls_3d", bind=URL,
                        help="The surfaces in 3-D: drag to turn.")

if reset:
    state[PLAYING] = False
    undo.keep("landscape")        # the run before, one click away ("Undo reset")
    held = (sig, new_run(settings, data, saturated), uuid.uuid4().hex)
    state["landscape"] = held
    run = held[1]
elif step:
    run.run(1)
elif playing:
    # Play: a few epochs per run of the page, which starts the next run itself (at the end)
    # until the epochs are done or Pause; a click meanwhile interrupts it and is taken at once.
    now = max(t.epoch for t in trainers_of(run).values())
    run.run(max(1, min(PLAY_EPOCHS, state.get(PLAY_UNTIL, now) - now)),
            cpu_seconds=MAX_SECONDS_PER_REQUEST / 2)
    now = max(t.epoch for t in trainers_of(run).values())
    if now >= state.get(PLAY_UNTIL, now) or \
            any(t.diverged is not None for t in trainers_of(run).values()):
        state[PLAYING] = False   # done: this run ends with one more, which draws Play again
elif train:
    epochs, note = budget(run, int(epochs_per_run))
    if note:
        st.info(note)
    before = max(t.epoch for t in trainers_of(run).values())
    with st.spinner(f"Training {count(epochs, 'epoch')}..."):
        run.run(epochs, cpu_seconds=MAX_SECONDS_PER_REQUEST)
    done = max(t.epoch for t in trainers_of(run).values()) - before
    if all(t.diverged is None for t in trainers_of(run).values()) and stopped_early(done, epochs):
        st.info(stopped_early(done, epochs), icon=":material/timer:")

trainers = trainers_of(run)
epoch = max(t.epoch for t in trainers.values())
undo.offer("landscape", epoch, lambda r: max(t.epoch for t in trainers_of(r).values()),
           box=undo_box, then=pause)
params = (p1, p2)
if p1 == p2:
    st.warning("Choose two different parameters for the two axes.")
    st.stop()

grid, grid_note = landscape_budget(int(grid), data.X_train.shape[1], len(trainers),
                                   n_classes=data.n_classes)
if grid_note:
    st.info(grid_note)

# Each net's surface around its own current weights; kept while nothing it depends on changes.
center = start_values(trainers, params)
memo_key = (held[2], tuple(t.epoch for t in trainers.values()), params, float(span), grid)
if state.get("ls_memo", (None,))[0] != memo_key:
    # The estimate chose the grid; the CPU time measured while drawing it may choose a coarser one.
    found, drawn, measured_note = budgeted_surfaces(trainers, params, float(span), grid, center,
                                                   LANDSCAPE_GRIDS, MAX_SECONDS_PER_REQUEST)
    state["ls_memo"] = (memo_key, found, measured_note)
surfaces = state["ls_memo"][1]
if state["ls_memo"][2]:
    st.info(state["ls_memo"][2], icon=":material/timer:")
paths = trainer_paths(trainers, params)

# -- where each net stands --------------------------------------------------------------------
numbers_box.markdown(f"**Epoch {epoch}**")
gradients = {}
below = []   # what the numbers mean, said under the maps
for loss, t in trainers.items():
    g = gradient_at(t.net.get_params(), t.X, t.y, t.net.activation, t.net.task, loss, params)
    gradients[loss] = g
    numbers_box.metric(f"{LOSS_LABELS[loss]} net: training loss", f"{paths[loss].loss[-1]:.4g}")
    numbers_box.metric(f"{LOSS_LABELS[loss]}: slope at its point", f"{np.hypot(*g):.3g}",
                       help="|grad L| of this surface at the net's current point, by backprop. "
                            "Gradient descent moves the point downhill by the learning rate "
                            "times this.")
    below.append(f"{LOSS_LABELS[loss]}: dL/d{p1} = {g[0]:.3g}, dL/d{p2} = {g[1]:.3g}")
ratio = None
if len(gradients) == 2:
    mse, log = (np.hypot(*gradients[k]) for k in ("mse", "log_loss"))
    if mse > 0:
        ratio = (f"At their current points, log-loss's slope is **{log / mse:,.3g}** times "
                 "MSE's" + (": the same start, so the whole difference is the loss."
                            if epoch == 0 else "."))

for loss, t in trainers.items():
    if t.diverged is not None:
        st.error(f"The {LOSS_LABELS[loss]} net diverged at epoch {t.diverged} (its loss blew "
                 "up); it keeps its last good weights. Lower the learning rate.")
    now = paths[loss].values[-1]
    lo = np.array(center) - span
    hi = np.array(center) + span
    if np.any(now < lo) or np.any(now > hi):
        st.warning(f"The {LOSS_LABELS[loss]} net's point ({p1} = {now[0]:.3g}, {p2} = "
                   f"{now[1]:.3g}) has left the window: widen the span.")

# -- the pictures -----------------------------------------------------------------------------
lines = {loss: (p.values, p.epochs) for loss, p in paths.items()}
zrange = None
if color == "slope":   # one colour scale for both: the slopes are compared, not just shaped
    zrange = slope_range([(*surfaces[k].values, surfaces[k].surface(k)) for k in trainers])
cols = maps_box.columns(2)
for col, loss in zip(cols, trainers, strict=False):
    land = surfaces[loss]
    ax, ay = land.values
    title = (f"{LOSS_LABELS[loss]} at the start" if epoch == 0 else
             f"{LOSS_LABELS[loss]} around its net, epoch {trainers[loss].epoch}")
    with col:
        if view_3d:
            p = paths[loss]
            fig = landscape_surface(ax, ay, land.surface(loss), loss, params,
                                    path=(p.values, p.epochs, p.loss), style=S, title=title)
        else:
            fig = landscape_heatmap(ax, ay, land.surface(loss), loss, params, paths=lines,
                                    color=color, zrange=zrange, style=S, title=title)
        show(fig, key=f"ls_{loss}")
if not classification:
    cols[1].markdown(
        "With an identity output, MSE is a quadratic in the output weights W2 and b2: no "
        "plateau there. Put a W1 or b1 entry on an axis to see the hidden activation bend "
        "it (a saturated tanh or sigmoid unit flattens the map along its weights too).")

if ratio:
    stage.markdown(ratio)
stage.caption(" · ".join(below))
if float(settings["l2"]):
    st.caption(f"The maps show the plain mean loss: with L2 = {settings['l2']:g} the nets also "
               "pull their weights toward 0, a term the maps and the slopes beside them leave "
               "out.")
if epoch:
    st.caption(
        "Each map is recomputed after every Step and Train around its own net's current "
        "weights: the net's point (the filled circle) lies on its map, and the colour under it "
        "is the net's training loss now. The earlier points of a path lay on the maps of their "
        "own epochs, when the other weights were elsewhere (the 3-D view draws each at the loss "
        "the net had then). The window stays centred on the start (the cross), so the axes "
        "stay put.")
else:
    st.caption("Every other parameter is held at the starting weights"
               + (", the same for both nets" if classification else "") + "; the cross is the "
               "start. After a Step, each map follows its own net's weights.")

st.subheader("What to look for")
if classification:
    st.markdown(
        "**Plateau.** With b2 far below 0 every output a2 is near 0, where the sigmoid is "
        "flat. MSE's gradient keeps the sigmoid's slope a2 (1 - a2) as a factor, so across that "
        "whole region its map hardly changes: no contour line crosses it, and in *slope* "
        "colouring it is one dark patch, orders of magnitude below log-loss's. Log-loss's map "
        "keeps sloping toward better weights, so its path leaves the start at once while MSE's "
        "creeps. Switch the saturated start off: near b2 = 0 both maps slope.")
st.markdown(
    "**Not the whole story.** A map shows two of the net's parameters; the net moves in all "
    f"of them at once ({len(names)} here). A path can cross a contour line uphill on the map "
    "while the loss goes down, because the other weights moved too.")

# A clicker: → / PageDown Step, Space Play or Pause, R Reset.
presenter_keys(step="ls_step", play="ls_play", reset="ls_reset")
if playing:
    if state.get(PLAYING):
        time.sleep(PLAY_PAUSE)   # the picture stays a moment; a click then is taken at once
    st.rerun()
