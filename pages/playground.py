"""Playground: train one two-layer net epoch by epoch and watch it learn."""

import streamlit as st

from twolayer.compare import LESSONS
from twolayer.settings import MAX_PLAY_EPOCHS, SETTINGS
from twolayer.ui import live
from twolayer.ui import playback as pb
from twolayer.ui.charts import style
from twolayer.ui.export_buttons import export_buttons
from twolayer.ui.frame import aside, aside_key
from twolayer.ui.state import replace_net, session_trainer
from twolayer.ui.text import literal
from twolayer.ui.transfer import (
    download_buttons,
    forget_own_data,
    new_weights,
    own_data,
    upload_panel,
)

LIVE = "pg_live"                 # the live charts' component
# What the presenter keys press; the speed control is one of Play's own (keys work there too).
KEYS = {"play": "pg_play", "step": "pg_step", "reset": "pg_reset", "speed": "pg_speed"}
FULL_RUN = "pg_full_run"         # set by every run of the whole page, taken by its fragment

settings = st.session_state["settings"]
S = style()
state = st.session_state
play = state.setdefault(pb.PLAY, pb.Play())
state[FULL_RUN] = True          # this run draws the whole page (not a click in the fragment)

st.title("Playground")
live.preload()
aside("pg-intro").caption("Step through training one epoch at a time and watch the decision "
                          "boundary, the loss and each layer's gradients move. Data and network "
                          "settings are in the sidebar.")

with st.container(horizontal=True, vertical_alignment="center", key=aside_key("pg-lessons")):
    st.caption("Lessons, one click each:")
    for lesson in LESSONS.values():
        st.page_link("pages/compare.py", label=lesson.title, icon=":material/school:",
                     query_params={"lesson": lesson.key})
    st.page_link("pages/backprop.py", label="Backprop by hand", icon=":material/school:")

with st.expander("Your own data or weights", icon=":material/upload_file:"):
    upload = upload_panel(settings["task"], n_inputs=state["trainer"][1].data.n_inputs
                          if "trainer" in state else None,
                          test_fraction=settings["test_fraction"], seed=settings["seed"])
    own, own_id, own_name = own_data(upload)
    if own is not None:
        st.caption(f"Training on your file {literal(own_name)}: {own.X_train.shape[1]} "
                   f"training and {own.X_test.shape[1]} test rows. The sidebar's dataset, "
                   "samples and noise do not apply; remove the file to go back to them.")
        if upload is None:  # the file was uploaded before this page was left and opened again
            st.button("Back to the generated data", on_click=forget_own_data)

trainer, was_reset = session_trainer(settings, data=own, data_id=own_id)
weights = new_weights(upload)
if weights is not None:
    trainer = replace_net(weights)
    pb.stop(play)
    st.info(f"Loaded the weights of {literal(upload.name)}: {weights.n_hidden} "
            f"{weights.activation} hidden units. Training goes on from them.")
if was_reset:
    pb.stop(play)
    pb.forget_restarts(state)
    st.info("Data or network settings changed, so training starts again from epoch 0.",
            icon=":material/restart_alt:")

# -- controls, where training stands, the pictures: a click here reruns only this part ----------

def toggle_play():
    pb.toggle(state[pb.PLAY], [state["trainer"][1]])


def on_need():
    pb.on_need(state[pb.PLAY], live.request(LIVE, "need"))


def on_pause():
    pb.on_pause(state[pb.PLAY], [state["trainer"][1]], live.request(LIVE, "pause"))


@st.fragment
def playground():
    play, trainer = state[pb.PLAY], state["trainer"][1]
    full_run = state.pop(FULL_RUN, False)
    # Play's own requests keep it playing; a rerun for anything else (a click, a setting, the
    # slider) pauses it on the epoch on screen.
    playing = pb.settle(play, [trainer])
    stopped, play.stopped = play.stopped, False

    c = st.columns([1, 1, 1.2, 1, 1.6], vertical_alignment="bottom")
    step = c[0].button("Step", key=KEYS["step"], help="Train one epoch", type="primary",
                       width="stretch", disabled=playing)
    train = c[1].button("Train", key="pg_train", help="Train 'Epochs per Train' epochs",
                        width="stretch", disabled=playing)
    c[2].button("Pause" if playing else "Play", key=KEYS["play"], on_click=toggle_play,
                icon=":material/pause:" if playing else ":material/play_arrow:", width="stretch",
                help="Train and show every epoch (or every 2nd, 5th, 10th) live until Pause, at "
                     f"most {MAX_PLAY_EPOCHS} epochs; Pause stops on the picture on screen")
    reset = c[3].button("Reset", key=KEYS["reset"], help="New initial weights, history cleared",
                        width="stretch")
    per_run = SETTINGS["epochs_per_run"]
    epochs_per_run = c[4].number_input(per_run.label, per_run.lo, per_run.hi, per_run.default,
                                       step=per_run.step, key="epochs_per_run",
                                       bind="query-params")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.segmented_control("Epochs per frame", pb.SPEEDS, default=1, required=True,
                             key=KEYS["speed"], format_func=lambda s: f"{s}×",
                             on_change=pb.keep_playing, args=(play,),
                             help="Play's speed: how many epochs each picture moves on (30 "
                                  "pictures a second)")
        show_test = st.toggle("Test points", value=True, key="pg_test")
        log_loss_axis = st.toggle("Log-scale loss", value=False, key="pg_log")
        if S.present:
            st.caption(":material/keyboard: Space plays or pauses, → or PageDown steps, "
                       "R resets.")

    note = None
    if reset:
        pb.stop(play)
        trainer = pb.restart(state, settings)
    elif step:
        trainer.run(1)
    elif train:
        epochs, note = pb.budget(trainer, int(epochs_per_run))  # what one click may cost
        with st.spinner(f"Training {epochs} epochs ..."):
            trainer.run(epochs)
    # The pictures follow training; the history slider scrubs back until the next Step or Train.
    if reset or step or train or playing or stopped or state.get(
            "view_epoch", -1) not in range(trainer.epoch + 1):
        state["view_epoch"] = trainer.epoch

    if trainer.diverged is not None:
        st.error(f"Training diverged at epoch {trainer.diverged}: the loss blew up (or became "
                 f"NaN) at learning rate {trainer.lr:g}. The pictures show epoch "
                 f"{trainer.epoch}, the last good one. Lower the learning rate to go on from "
                 "there, or press Reset.", icon=":material/error:")
    if note:
        st.info(note)
    if play.note and not playing:  # why the last play stopped by itself, once
        st.info(play.note, icon=":material/stop_circle:")
        play.note = None

    scene = pb.PlaygroundScene(trainer, show_test, S, log_loss_axis)
    if playing and play.base is None:  # the charts as Play starts, before it trains ahead
        pb.set_base(play, scene, scene.figures(trainer.epoch)[1])
    pb.make_chunk(play, scene, speed=int(state.get(KEYS["speed"]) or 1))

    h = trainer.history
    shown = play.shown if playing else trainer.epoch
    metric_label = {"accuracy": "accuracy", "r2": "R²"}[h.metric_name]
    train_loss, test_loss, train_metric, test_metric = pb.metrics_at(trainer, shown)
    m = st.columns(5)
    m[0].metric("Epoch", shown)
    m[1].metric("Train loss", f"{train_loss:.4f}")
    m[2].metric("Test loss", f"{test_loss:.4f}")
    m[3].metric(f"Train {metric_label}", f"{train_metric:.3f}")
    m[4].metric(f"Test {metric_label}", f"{test_metric:.3f}")

    boundary_fig = net = ahead = None
    if playing:
        st.caption(":material/play_circle: Playing: the pictures move live; the numbers above "
                   "catch up about once a second. Pause stops on the epoch on screen.")
        # The charts as Play started, in the run that starts it or redraws the page; a chunk's
        # own run sends only the chunk.
        charts = play.base if full_run or play.seq == 0 else None
    else:
        view = trainer.epoch
        if trainer.epoch > 0:
            view = st.slider("History: show epoch", 0, trainer.epoch, key="view_epoch",
                             help="Scrub back to any recorded epoch; the pictures and the "
                                  "dotted marker on the curves follow.")
        drawn = state.setdefault(pb.DRAWN, pb.Drawn())
        recorded, charts, boundary_fig = drawn.at(scene, view)  # after Step: made the run before
        if recorded != view:
            st.caption(f"Epoch {view} is not kept (a long session keeps older epochs more "
                       f"sparsely): the pictures show epoch {recorded}, the nearest one "
                       "before.")
        net = pb.net_at(trainer, recorded)[1]
        ahead = drawn.ahead(scene)    # shown by the browser the moment Step is pressed
    live.live_charts(LIVE, scene.layout, charts, stream=play.chunk if playing else None,
                     keys=KEYS, on_need=on_need, on_pause=on_pause, ahead=ahead)

    with st.expander("Download data, weights, history, figure", icon=":material/download:"):
        if playing:
            st.caption("Pause to download what is on screen.")
        else:
            download_buttons(trainer.data, net, h, boundary_fig)
            export_buttons({trainer.net.loss_name: trainer}, settings)


playground()
