"""Backprop, step by step: the hand derivation with the live numbers of the Playground's net."""

import numpy as np
import pandas as pd
import streamlit as st

from twolayer.derivation import broken_gradients, derive, latex_value, verdict, with_loss
from twolayer.figures import LOSS_COLORS, LOSS_LABELS
from twolayer.gradcheck import GOOD, gradient_check
from twolayer.settings import backprop_link
from twolayer.ui import state
from twolayer.ui.frame import aside, run_in_the_app, show_link_notes
from twolayer.ui.keys import presenter_keys
from twolayer.ui.lessons import output_bias
from twolayer.ui.sidebar import clamp_from_link
from twolayer.ui.text import count

run_in_the_app()   # a first link to this page on a fresh server: the app around it

NET_KEY = "backprop_net"          # this page's own copy of the weights
STEP_KEY = "backprop_last_step"   # loss before and after the last "Take one step"
SECTIONS = {"forward": "Forward pass", "output": "Output layer: δ2",
            "hidden": "Hidden layer: δ1 (the chain rule, one layer further)",
            "update": "The update"}
CHECK_SAMPLES = 256               # the gradient check looks at no more samples than this
VERDICT_COLORS = {"good": "#009E73", "doubtful": "#E69F00", "wrong": "#D55E00"}
URL = "query-params"


def source_net(settings):
    """(trainer, label): the Playground's trainer when it matches the settings, else a fresh one."""
    held = st.session_state.get("trainer")
    if held is not None and held[0] == state.signature(settings):
        trainer = held[1]
        return trainer, f"the Playground's net after {count(trainer.epoch, 'epoch')}"
    fresh = state.new_trainer(settings, output_bias=output_bias())   # a lesson's start too
    return fresh, (f"a fresh net (seed {settings['seed']}): the Playground has not built one "
                   "for these settings")


def page_net(settings, trainer):
    """This page's copy of the weights, re-copied when the settings or the Playground's net
    change, so that stepping here never touches the Playground."""
    sig = state.signature(settings)
    fingerprint = np.concatenate([p.ravel() for p in trainer.net.get_params().values()])
    held = st.session_state.get(NET_KEY)
    if held is None or held["sig"] != sig or not np.array_equal(held["source"], fingerprint):
        if held is not None and held["sig"] != sig:  # the sidebar moved: follow its loss
            st.session_state["bp_loss"] = settings["loss"]
        held = {"sig": sig, "source": fingerprint, "net": trainer.net.copy(), "steps": 0}
        st.session_state[NET_KEY] = held
        st.session_state.pop(STEP_KEY, None)
    return held


def read_link_and_clamp(settings, m):
    """This page's link keys (sample, loss switch, view, broken pass), cleaned with a note
    each; then a sample index chosen before the data shrank comes back within 0 .. m-1."""
    link = backprop_link(settings["loss"], m)
    show_link_notes(clamp_from_link(link, "backprop"))
    held = st.session_state.get("sample")
    if held is not None and not 0 <= held < m:
        st.session_state["sample"] = min(max(int(held), 0), m - 1)
        st.info(f"Sample {held} is not in this training set of {m}; showing sample "
                f"{st.session_state['sample']}, the last one.", icon=":material/info:")
    return link


def take_step(X, y, alpha, loss, what):
    held = st.session_state[NET_KEY]
    net = with_loss(held["net"], loss)
    with np.errstate(all="ignore"):
        before = net._loss(X, y)
        net.W1, net.b1, net.W2, net.b2 = derive(net, X, y, alpha).updated().values()
        after = net._loss(X, y)
    if not np.isfinite(after) or after > 1e6:
        st.session_state[STEP_KEY] = {"what": what, "before": before, "after": None}
        return
    held["net"].set_params(net.get_params())
    held["steps"] += 1
    st.session_state[STEP_KEY] = {"what": what, "before": before, "after": after}


def show_line(line, loss, classify):
    """One step: its equation (coloured when it changes with the loss) beside its value."""
    eq, value = st.columns([2, 3], vertical_alignment="center")
    marked = classify and line.equation_differs
    eq.latex(rf"\color{{{LOSS_COLORS[loss]}}}{{{line.latex}}}" if marked else line.latex)
    value.latex(latex_value(line.value))
    note = f"shape {line.shape[0]} × {line.shape[1]}"
    if marked:
        note += f" · :{'violet' if loss == 'mse' else 'green'}-badge[changes with the loss]"
    elif classify and line.key == "da2_dz2" and loss == "log_loss":
        note += " · cancels against ∂L/∂a2 in δ2"
    elif classify and line.differs_by_loss:
        note += " · value follows δ2"
    value.caption(note)


st.title("Backprop, step by step")
aside("bp-intro").markdown("The chain rule of the hand derivation, line by line, with the "
                         "numbers of the net you are training: every gradient is a product of "
                         "pieces you can see.")

settings = st.session_state["settings"]
try:
    trainer, source = source_net(settings)
except ValueError as e:
    st.error(f"These settings do not give a network: {e}")
    st.stop()
held = page_net(settings, trainer)
net, X_train, y_train = held["net"], trainer.X, trainer.y
m_train = X_train.shape[1]
classify = net.task == "classification"
alpha = float(settings["lr"])

steps = f", plus {held['steps']} step(s) taken on this page" if held["steps"] else ""
st.caption(f"Weights: {source}{steps}. This page works on a copy: stepping here does not change "
           "the Playground.")
if settings["l2"]:
    st.caption(f"The derivation has no L2 term, so this page leaves out L2 = {settings['l2']}.")

# -- controls --------------------------------------------------------------------------------
# Bound to the URL, so that a link (and "Copy link to this view") reproduces the view. Options
# are shown as a link spells them: a bound radio writes its displayed text to the URL.
link = read_link_and_clamp(settings, m_train)
c_sample, c_loss, c_view, c_alpha = st.columns([2, 2, 2, 1])
sample = c_sample.number_input(f"Sample (0 to {m_train - 1} of the training set)", 0,
                               m_train - 1, 0, step=1, key="sample", bind=URL)
if classify:
    options = link["bp_loss"].options
    loss = c_loss.radio("Loss", options, index=options.index(link["bp_loss"].default),
                        key="bp_loss", horizontal=True, bind=URL,
                        help="Only the coloured lines change: the whole difference is δ2. "
                             "It starts as the sidebar's loss.")
else:
    loss = "mse"
    c_loss.caption("Loss: MSE (regression; log-loss needs a sigmoid output)")
view = c_view.radio("View", link["bp_view"].options, key="bp_view", horizontal=True, bind=URL,
                    help="sample: one training sample; batch: the mean over the next "
                         "mini-batch the Playground trains on.")
c_alpha.latex(rf"\alpha = {alpha:g}")
c_alpha.caption("learning rate, from the sidebar")

if view == "sample":
    idx = np.array([sample])
    what = f"sample {sample}"
    d = derive(net, X_train, y_train, alpha, sample=int(sample), loss=loss)
else:
    size = state.batch_size(settings)
    if size is None or size >= m_train:
        idx = np.arange(m_train)
        what = f"the whole training set, m = {m_train}"
    else:
        epoch = trainer.epoch + 1
        idx = trainer.epoch_order(epoch)[:size]
        what = (f"the first mini-batch of epoch {epoch} (the first {size} samples of that "
                f"epoch's order, the next one the Playground trains on), m = {size}")
    d = derive(net, X_train[:, idx], y_train[:, idx], alpha, loss=loss)

# -- take one step ---------------------------------------------------------------------------
# Above the derivation, in one band: the button, what it did, and what the lines below show.
X_view, y_view = X_train[:, idx], y_train[:, idx]
last = st.session_state.get(STEP_KEY)
with st.container(horizontal=True, vertical_alignment="center", key="numbers-bp"):
    st.button("Take one step", type="primary", on_click=take_step, key="bp_take_step",
              args=(X_view, y_view, alpha, loss, f"{what}, {LOSS_LABELS[loss]}"),
              help="W ← W − α ∂L/∂W for W1, b1, W2, b2, on what is shown below.")
    if last is not None:
        st.metric("L before", f"{last['before']:.6g}")
        if last["after"] is None:
            st.error("That step blew up (L overflowed): the weights are kept. Try a smaller α.")
        else:
            change = last["after"] - last["before"]
            # No arrow, no colour when L did not move (a zero change is neither better nor
            # worse).
            st.metric("L after", f"{last['after']:.6g}",
                      delta=f"{change:+.3g}" if change else "no change",
                      delta_color="inverse" if change else "off",
                      delta_arrow="auto" if change else "off")
    st.caption(f"Showing {what}." + (f" Last step: {last['what']}." if last else ""))

# -- the derivation --------------------------------------------------------------------------
for part, title in SECTIONS.items():
    st.subheader(title if part != "update" else f"{title}, α = {alpha:g}")
    for line in d.lines:
        if line.part == part:
            show_line(line, loss, classify)

# -- gradient check --------------------------------------------------------------------------
st.subheader("Gradient check")
st.write("Is backprop right? Nudge each entry of W1, b1, W2, b2 by ±10⁻⁶, measure how L moves "
         "(centred finite differences), and compare with the analytic gradient above, on "
         f"{what}. The norm relative error should be below {GOOD:g}.")
broken = st.toggle("break the backward pass (drop g'(z1))", key="bp_broken", bind=URL,
                   help="δ1 = W2ᵀ δ2 without the factor g'(z1): W1 and b1 come out wrong.")
check_net = with_loss(net, loss)
if X_view.shape[1] > CHECK_SAMPLES:  # two forward passes per weight: keep it quick
    st.caption(f"Checked on the first {CHECK_SAMPLES} samples of these {X_view.shape[1]}: the "
               "same test, a fraction of the time.")
X_check, y_check = X_view[:, :CHECK_SAMPLES], y_view[:, :CHECK_SAMPLES]
if broken:
    analytic = broken_gradients(check_net, X_check, y_check)
else:
    analytic = derive(check_net, X_check, y_check, alpha).gradients()
errors = gradient_check(check_net, X_check, y_check, analytic=analytic)
table = pd.DataFrame({
    "parameter": list(errors),
    "relative error": [f"{e:.2e}" for e in errors.values()],
    "verdict": [verdict(e) for e in errors.values()],
})
st.dataframe(table.style.map(lambda v: f"color: {VERDICT_COLORS[v]}; font-weight: 600",
                             subset=["verdict"]), hide_index=True)
wrong = [p for p, e in errors.items() if verdict(e) == "wrong"]
if wrong:
    st.error(f"Wrong: {', '.join(wrong)}. The analytic gradient disagrees with the finite "
             "differences" + (": dropping g'(z1) breaks every gradient below δ1." if broken
                              else "."))
elif any(verdict(e) == "doubtful" for e in errors.values()):
    st.warning("Close but not below the threshold: a relu kink near z1 = 0, or gradients so "
               "small that finite differences lose their digits.")
else:
    st.success("Good: backprop agrees with finite differences for W1, b1, W2 and b2.")

presenter_keys(step="bp_take_step")   # a clicker's → or PageDown: one update
