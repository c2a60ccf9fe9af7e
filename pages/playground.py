"""Playground: train one two-layer net epoch by epoch and watch it learn."""

import streamlit as st

from twolayer.settings import MAX_PLAY_EPOCHS, MAX_SECONDS_PER_REQUEST
from twolayer.ui import live
from twolayer.ui import playback as pb
from twolayer.ui.charts import style
from twolayer.ui.classes import show_class_metrics
from twolayer.ui.export_buttons import export_buttons
from twolayer.ui.frame import aside, run_in_the_app
from twolayer.ui.lessons import at_lesson_start, lesson_buttons
from twolayer.ui.state import replace_net, session_trainer
from twolayer.ui.text import count, literal, stopped_early
from twolayer.ui.toolbar import PlayWiring, toolbar_row, train_and_epochs
from twolayer.ui.transfer import (
    download_buttons,
    forget_own_data,
    new_weights,
    own_data,
    upload_panel,
)
from twolayer.ui.undo import keep as keep_for_undo
from twolayer.ui.undo import offer as offer_undo
from twolayer.ui.view import View, of_last

run_in_the_app()   # a first link to this page on a fresh server: the app around it

LIVE = "pg_live"                 # the live charts' component
# What the presenter keys press; the speed control is one of Play's own (keys work there too).
KEYS = {"play": "pg_play", "step": "pg_step", "reset": "pg_reset", "speed": "pg_speed"}
FULL_RUN = "pg_full_run"         # set by every run of the whole page, taken by its fragment
VIEW = "pg_view"                 # the epoch shown (twolayer.ui.view.View)
SLIDER = "view_epoch"            # the history slider, given its value from VIEW on every run
NOTICE = "pg_notice"             # (text, icon) of a restart or an upload, until the next action

settings = st.session_state["settings"]
S = style()
state = st.session_state
play = state.setdefault(pb.PLAY, pb.Play())
state[FULL_RUN] = True          # this run draws the whole page (not a click in the fragment)

st.title("Playground")
live.preload()
with aside("pg-intro").expander("About this page, and lessons one click each",
                                icon=":material/school:"):
    st.caption("Step through training one epoch at a time and watch the decision boundary, "
               "the loss and each layer's gradients move. Data and network settings are in "
               "the sidebar.")
    with st.container(horizontal=True, vertical_alignment="center"):
        lesson_buttons()   # a lesson then holds on every page
        st.page_link("pages/compare.py", label="MSE vs log-loss", icon=":material/school:")
        st.page_link("pages/backprop.py", label="Backprop by hand", icon=":material/school:")

# The picture and its controls come first; the upload panel under them is read first.
top = st.container(key="stage-pg")   # (frame.py: its parts sit closer)
with st.expander("Your own data or weights", icon=":material/upload_file:"):
    upload = upload_panel(settings["task"], n_inputs=state["trainer"][1].data.n_inputs
                          if "trainer" in state else None,
                          test_fraction=settings["test_fraction"], seed=settings["seed"],
                          n_classes=settings["classes"])
    own, own_id, own_name = own_data(upload)
    if own is not None:
        st.caption(f"Training on your file {literal(own_name)}: {own.X_train.shape[1]} "
                   f"training and {own.X_test.shape[1]} test rows. The sidebar's dataset, "
                   "samples and noise do not apply; remove the file to go back to them.")
        if upload is None:  # the file was uploaded before this page was left and opened again
            st.button("Back to the generated data", on_click=forget_own_data)

trainer, was_reset = session_trainer(settings, data=own, data_id=own_id)
trainer, restarted = at_lesson_start()   # a lesson's start (b2 = -8) holds here too
was_reset = was_reset or restarted
weights = new_weights(upload)
if weights is not None:
    trainer = replace_net(weights)
    pb.stop(play)
    View.of(state, VIEW).follow()
    state[NOTICE] = (f"Loaded the weights of {literal(upload.name)}: {weights.n_hidden} "
                     f"{weights.activation} hidden units. Training goes on from them.",
                     ":material/upload_file:")
if was_reset:
    pb.stop(play)
    pb.forget_restarts(state)
    View.of(state, VIEW).follow()
    state[NOTICE] = ("Data or network settings changed, so training starts again from "
                     "epoch 0.", ":material/restart_alt:")

# -- controls, where training stands, the pictures: a click here reruns only this part ----------

WIRING = PlayWiring(pb.PLAY, LIVE, KEYS, trainers=lambda: [state["trainer"][1]])


def after_undo():
    pb.stop(state[pb.PLAY])
    View.of(state, VIEW).follow()


def on_slider():
    View.of(state, VIEW).on_slider(state, SLIDER)


@st.fragment
def playground():
    play, trainer = state[pb.PLAY], state["trainer"][1]
    view = View.of(state, VIEW)
    full_run = state.pop(FULL_RUN, False)
    # Play's own requests keep it playing; a rerun for anything else (a click, a setting, the
    # slider) pauses it on the epoch on screen.
    playing = pb.settle(play, [trainer])
    stopped, play.stopped = play.stopped, False

    # One row of controls (it wraps on a narrow screen): the picture follows right under it.
    with toolbar_row("toolbar-pg"):
        step = WIRING.step(playing, help="Train one epoch")
        train, epochs_per_run = train_and_epochs(
            "Train", "pg_train", "epochs_per_run", playing,
            help="Train 'Epochs per Train' epochs", bind="query-params")
        WIRING.buttons(playing,
                       help="Train and show every epoch (or every 2nd, 5th, 10th) live until "
                            f"Pause, at most {MAX_PLAY_EPOCHS} epochs; Pause stops on the "
                            "picture on screen")
        reset = st.button("Reset", key=KEYS["reset"], help="New initial weights, history "
                          "cleared")
        undo_box = st.empty()   # "Undo reset", once this run's Reset is done
        with st.popover(":material/tune:", help="What the pictures show: test points, a "
                        "log-scale loss" + (", the presenter's keys" if S.present else "")):
            show_test = st.toggle("Test points", value=True, key="pg_test")
            log_loss_axis = st.toggle("Log-scale loss", value=False, key="pg_log")
            if S.present:
                st.caption(":material/keyboard: Space plays or pauses, → or PageDown steps, "
                           "R resets.")

    note = None
    if reset:
        pb.stop(play)
        keep_for_undo("trainer")   # the run before, one click away
        trainer = pb.restart(state, settings)
        trainer = at_lesson_start()[0]
    elif step:
        trainer.run(1)
    elif train:
        epochs, note = pb.budget(trainer, int(epochs_per_run))  # what one click may cost
        before = trainer.epoch
        with st.spinner(f"Training {count(epochs, 'epoch')} ..."):
            trainer.run(epochs, cpu_seconds=MAX_SECONDS_PER_REQUEST)
        if trainer.diverged is None:
            note = stopped_early(trainer.epoch - before, epochs) or note
    offer_undo("trainer", trainer.epoch, lambda t: t.epoch, box=undo_box, then=after_undo)
    # The pictures follow training; the history slider scrubs back until the next Step or Train.
    if reset or step or train or playing or stopped:
        view.follow()
        state.pop(NOTICE, None)   # what a notice announced is over once training moves on

    if trainer.diverged is not None:
        st.error(f"Training diverged at epoch {trainer.diverged}: the loss blew up (or became "
                 f"NaN) at learning rate {trainer.lr:g}. The pictures show epoch "
                 f"{trainer.epoch}, the last good one. Lower the learning rate to go on from "
                 "there, or press Reset.", icon=":material/error:")
    if NOTICE in state:
        text, icon = state[NOTICE]
        st.info(text, icon=icon)
    if note:
        st.info(note)
    WIRING.stopped_note(playing)

    scene = pb.PlaygroundScene(trainer, show_test, S, log_loss_axis)
    if playing and play.base is None:  # the charts as Play starts, before it trains ahead
        pb.set_base(play, scene, scene.figures(trainer.epoch)[1])
    WIRING.chunk(scene)

    h = trainer.history
    boundary_fig = net = ahead = recorded = None
    if playing:
        # The picture's title is the one epoch on screen while playing: the numbers, which
        # a rerun could only bring up to it a second late, make way for a line that has none.
        with st.container(key="numbers-pg"):
            st.caption(":material/play_circle: Playing: the picture's title names the epoch "
                       "on screen. Pause stops on it and the numbers come back.")
            # Every other place of the band (four numbers and the history slider) is emptied
            # now: left alone, the last run's would stay on screen until this run ends, while
            # the picture already plays on.
            for _ in range(5):
                st.empty()
        # The charts as Play started, in the run that starts it or redraws the page; a chunk's
        # own run sends only the chunk.
        charts = play.base if full_run or play.seq == 0 else None
    else:
        drawn = state.setdefault(pb.DRAWN, pb.Drawn())
        wanted = view.at(trainer.epoch)
        # after Step: made the run before
        recorded, charts, boundary_fig = drawn.at(scene, wanted)
        numbers(trainer, recorded, view)
        if recorded != wanted:
            st.caption(f"Epoch {wanted} is not kept (a long session keeps older epochs more "
                       f"sparsely): the pictures show epoch {recorded}, the nearest one "
                       "before.")
        net = pb.net_at(trainer, recorded)[1]
        ahead = drawn.ahead(scene)    # shown by the browser the moment Step is pressed
    WIRING.live_charts(scene.layout, charts, playing, ahead)

    if not playing:
        show_class_metrics(st, net, trainer.data, recorded)   # K >= 3 classes only
    with st.expander("Download data, weights, history, figure", icon=":material/download:"):
        if playing:
            st.caption("Pause to download what is on screen.")
        else:
            st.caption(f"Everything here is {of_last(recorded, trainer.epoch)}: the weights "
                       "of that epoch, the history up to it, the picture shown, and the run "
                       "that reproduces it as code.")
            download_buttons(trainer.data, net, h, boundary_fig, epoch=recorded)
            export_buttons({trainer.net.loss_name: trainer}, settings, epoch=recorded)


def numbers(trainer, epoch, view):
    """Where training stands at ``epoch`` (the one the pictures show), in one band, with the
    history slider that chooses it."""
    h = trainer.history
    metric_label = {"accuracy": "accuracy", "r2": "R²"}[h.metric_name]
    train_loss, test_loss, train_metric, test_metric = pb.metrics_at(trainer, epoch)
    with st.container(horizontal=True, key="numbers-pg"):
        shown = str(epoch) if epoch == trainer.epoch else f"{epoch} of {trainer.epoch}"
        st.metric("Epoch", shown)
        st.metric("Train loss", f"{train_loss:.4f}")
        st.metric("Test loss", f"{test_loss:.4f}")
        st.metric(f"Train {metric_label}", f"{train_metric:.3f}")
        st.metric(f"Test {metric_label}", f"{test_metric:.3f}")
        if trainer.epoch > 0:
            view.sync(state, SLIDER, trainer.epoch)
            with st.container(key="history-pg"):
                st.slider("History: show epoch", 0, trainer.epoch, key=SLIDER,
                          on_change=on_slider, label_visibility="collapsed",
                          help="Scrub back to any recorded epoch; the pictures, the numbers "
                               "and the dotted marker on the curves follow.")


with top:
    playground()
