"""Playground: train one two-layer net epoch by epoch and watch it learn."""

import streamlit as st

from twolayer import figures as F
from twolayer.compare import LESSONS
from twolayer.settings import MAX_PLAY_EPOCHS, SETTINGS
from twolayer.ui import playback as pb
from twolayer.ui.charts import show, style
from twolayer.ui.state import replace_net, session_trainer
from twolayer.ui.text import literal
from twolayer.ui.transfer import (
    download_buttons,
    forget_own_data,
    new_weights,
    own_data,
    upload_panel,
)

settings = st.session_state["settings"]
S = style()
state = st.session_state

st.title("Playground")
st.caption("Step through training one epoch at a time and watch the decision boundary, the loss "
           "and each layer's gradients move. Data and network settings are in the sidebar.")

with st.container(horizontal=True, vertical_alignment="center"):
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
    pb.stop(state)
    st.info(f"Loaded the weights of {literal(upload.name)}: {weights.n_hidden} "
            f"{weights.activation} hidden units. Training goes on from them.")
if was_reset:
    pb.stop(state)
    pb.forget_restarts(state)
    st.info("Data or network settings changed, so training starts again from epoch 0.",
            icon=":material/restart_alt:")

# -- controls -----------------------------------------------------------------------------------
# Play trains a chunk ahead only on its own clicks; any other click pauses it.
chunk, note = pb.play_chunk(state, trainer) if pb.chunk_due(state) else (None, None)
playing = state.get(pb.PLAYING, False)
c = st.columns([1, 1, 1, 1, 1.6, 1.4, 1.4], vertical_alignment="bottom")
step = c[0].button("Step", help="Train one epoch", type="primary", width="stretch")
train = c[1].button("Train", help="Train 'Epochs per Train' epochs", width="stretch")
c[2].button("Pause" if playing else "Play", key="pg_play", on_click=pb.toggle_play,
            args=(state,), width="stretch",
            help=f"Train {pb.PLAY_CHUNK} epochs ahead and replay them in the browser, again and "
                 f"again until Pause (at most {MAX_PLAY_EPOCHS} epochs)")
reset = c[3].button("Reset", help="New initial weights, history cleared",
                    width="stretch")
per_run = SETTINGS["epochs_per_run"]
epochs_per_run = c[4].number_input(per_run.label, per_run.lo, per_run.hi, per_run.default,
                                   step=per_run.step,
                                   key="epochs_per_run", bind="query-params")
show_test = c[5].toggle("Test points", value=True, key="pg_test")
log_loss_axis = c[6].toggle("Log-scale loss", value=False, key="pg_log")
# Pressed by the animation's script when a chunk has played (hidden: it is not for people).
st.button("next chunk", key="pg_next", on_click=pb.request_chunk, args=(state,))
st.html("<style>.st-key-pg_next { display: none; }</style>")

if reset:
    trainer = pb.restart(state, settings)
elif step:
    trainer.run(1)
elif train:
    epochs, note = pb.budget(trainer, int(epochs_per_run))  # what one click may cost
    with st.spinner(f"Training {epochs} epochs ..."):
        trainer.run(epochs)
# The pictures follow training; the history slider scrubs back until the next Step or Train.
if reset or step or train or chunk or was_reset or state.get("view_epoch", -1) not in range(
        trainer.epoch + 1):
    state["view_epoch"] = trainer.epoch

# -- where training stands --------------------------------------------------------------------
h = trainer.history
metric_label = {"accuracy": "accuracy", "r2": "R²"}[h.metric_name]
train_loss, test_loss, train_metric, test_metric = pb.current_metrics(trainer)
m = st.columns(5)
m[0].metric("Epoch", trainer.epoch)
m[1].metric("Train loss", f"{train_loss:.4f}")
m[2].metric("Test loss", f"{test_loss:.4f}")
m[3].metric(f"Train {metric_label}", f"{train_metric:.3f}")
m[4].metric(f"Test {metric_label}", f"{test_metric:.3f}")

if trainer.diverged is not None:
    st.error(f"Training diverged at epoch {trainer.diverged}: the loss blew up (or became NaN) "
             f"at learning rate {trainer.lr:g}. The pictures show epoch {trainer.epoch}, the "
             "last good one. Lower the learning rate to go on from there, or press Reset.",
             icon=":material/error:")
if note:
    st.info(note)
if chunk is not None:
    st.caption(f"Playing: epochs {chunk[0] + 1} to {chunk[1]} were trained ahead and replay in "
               f"the boundary below; the numbers above are for epoch {chunk[1]}.")

if trainer.epoch > 0 and not playing:
    view = st.slider("History: show epoch", 0, trainer.epoch, key="view_epoch",
                     help="Scrub back to any recorded epoch; the pictures and the dotted "
                          "marker on the curves follow.")
else:
    view = trainer.epoch
net = pb.net_at(trainer, view)

# -- pictures -----------------------------------------------------------------------------------
left, right = st.columns([1.1, 1])
with left:
    with st.container(key="pg_boundary"):
        if chunk is not None:
            boundary_fig = pb.animation_figure(trainer, *chunk, show_test=show_test, style=S)
            show(boundary_fig, key="pg_fig_boundary")
            st.html(pb.autoplay_script(chunk[1]), unsafe_allow_javascript=True)
        else:
            what = "Decision boundary" if trainer.data.task == "classification" else "Prediction"
            boundary_fig = pb.prediction_figure(net, trainer.data, show_test, style=S,
                                                title=f"{what} at epoch {view}")
            show(boundary_fig, key="pg_fig_boundary")
    show(F.network_diagram(net.get_params(), trainer.data.feature_names, style=S),
         key="pg_fig_network")
with right:
    show(F.training_curves(h, trainer.net.loss_name, epoch=view, log_y=log_loss_axis, style=S),
         key="pg_fig_curves")
show(pb.hidden_figure(net, trainer.data, style=S), key="pg_fig_hidden")

with st.expander("Download data, weights, history, figure", icon=":material/download:"):
    download_buttons(trainer.data, net, h, boundary_fig)
