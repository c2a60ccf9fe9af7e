"""Sweep: MSE against log-loss over a range of learning rates and seeds, all nets at once."""

import time
from urllib.parse import urlencode, urlsplit

import numpy as np
import streamlit as st

from twolayer.figures import LOSS_LABELS, seed_curves_figure, sweep_figure
from twolayer.settings import (
    LEARNING_RATES,
    MAX_EPOCHS_PER_RUN,
    MAX_SECONDS_PER_REQUEST,
    SATURATED_BIAS,
    SETTINGS,
    SWEEP_SETTINGS,
    sweep_budget,
    sweep_seed_budget,
)
from twolayer.sweep import Sweep, best_sentence, grid, summarize, with_target
from twolayer.ui.charts import show, style
from twolayer.ui.frame import aside, run_in_the_app, show_link_notes
from twolayer.ui.keys import presenter_keys
from twolayer.ui.lessons import arrived, output_bias
from twolayer.ui.sidebar import clamp_from_link
from twolayer.ui.state import DATA_KEYS, batch_size, dataset_for, signature
from twolayer.ui.sweep_story import start_sentence, verdict

run_in_the_app()   # a first link to this page on a fresh server: the app around it

URL = "query-params"
USED_KEYS = DATA_KEYS + ("hidden", "activation", "batch", "l2")  # not loss, not lr
PROGRESS_UPDATES = 20
PAGE_PATH = "sweep"   # this page's url_path in app.py


@st.cache_data(max_entries=8, show_spinner=False)
def cached_sweep(key, _data):
    """Train the sweep that ``key`` describes on ``_data`` (the data of key's settings), with
    a progress bar; cached across sessions, so the same settings cost nothing the second time.
    Training stops early, after the epoch in which its CPU time (process_time) reached its
    share of the page load's (``seconds``, the key's last item): an estimate chose the epochs,
    the measurement holds them.
    Returns plain data: the results, the test metric per epoch (K, epochs), the metric name,
    the epochs trained."""
    _, losses, lrs, seeds, epochs, output_bias, hidden, activation, batch, l2, seconds = key
    started = time.process_time()
    sw = Sweep(_data, grid(losses, lrs, seeds), hidden=hidden, activation=activation,
               batch_size=batch, l2=l2, output_bias=output_bias)
    bar = st.progress(0.0, text=f"Training {sw.K} nets ...")
    chunk = max(1, -(-epochs // PROGRESS_UPDATES))
    while sw.epoch < epochs and time.process_time() - started < seconds:
        sw.run(1)
        if sw.epoch % chunk == 0:
            bar.progress(sw.epoch / epochs,
                         text=f"Training {sw.K} nets: epoch {sw.epoch} of {epochs}")
    bar.empty()
    return {"results": sw.results(), "test_metric": sw.history["test_metric"],
            "metric": sw.metric_name, "batch_size": sw.batch_size, "epochs": sw.epoch}


def app_root():
    """The address of the app's main page, from this page's own."""
    url = urlsplit(st.context.url or "http://localhost:8501/")
    path = url.path.rstrip("/")
    if path.endswith("/" + PAGE_PATH) or path == PAGE_PATH:
        path = path[: -len(PAGE_PATH)]
    return f"{url.scheme}://{url.netloc}{path.rstrip('/')}/"


def run_link(settings, loss, lr, epochs, saturated):
    """(label, url, what it shows) of the page that replays one run of seed settings["seed"]."""
    params = {k: settings[k] for k in USED_KEYS
              if k != "classes" or settings[k] > 2}   # a two-class link as it always was
    params.update(lr=lr, loss=loss)
    if saturated:
        # The Playground cannot start from a saturated output bias; the MSE vs log-loss page
        # can, and trains this run and its twin with the other loss side by side.
        params.update(output_bias=SATURATED_BIAS, lr_factor=1, lesson="none")
        return ("Open in MSE vs log-loss", app_root() + "mse-vs-log-loss?" + urlencode(params),
                f"The Playground cannot start from a saturated output bias; MSE vs log-loss "
                f"can, and trains this run there next to its twin with the other loss, both "
                f"from b2 = {SATURATED_BIAS:g} at learning rate {lr:g}: train them to epoch "
                f"{epochs}.")
    params["epochs_per_run"] = min(epochs, MAX_EPOCHS_PER_RUN)
    return ("Open in the Playground", app_root() + "?" + urlencode(params),
            f"The Playground starts this net at epoch 0: press Train once to train it "
            f"{epochs} epochs.")


settings = st.session_state["settings"]

st.title("Sweep: learning rates × seeds")
with aside("sweep-intro").expander("About this page", icon=":material/info:"):
    st.write("One run per loss is an anecdote. Here every learning rate in a range is tried "
             "with each loss and several seeds (initial weights and order of the samples), all "
             "nets trained at once on the same data: which loss wins, at its own best learning "
             "rate, and how much does the luck of the seed matter?")
    st.caption("The sidebar's data and network settings apply (dataset, samples, noise, seed "
               "of the data, hidden units, activation, batch size, L2); its *Loss* and "
               "*Learning rate* do not: this page trains both losses at every learning rate of "
               "the range.")

show_link_notes(clamp_from_link(SWEEP_SETTINGS, "sweep"))
if arrived("sweep") and output_bias() is not None and "sweep_saturated" not in st.query_params:
    st.session_state["sweep_saturated"] = output_bias() != 0   # the picture of the lesson's start

# -- the page's own settings -------------------------------------------------------------------

classification = settings["task"] == "classification"
top = st.container(horizontal=True, vertical_alignment="center", gap="small")
toggle_col = top.container(width="content")   # the page's main switch, first
again = top.button("Run again", key="sweep_run", type="primary", icon=":material/replay:",
                   help="Train every net of both starts again, in front of you (the page "
                        "shows a sweep from memory when its settings were swept before)")
c = st.columns([1.2, 1.2, 0.8, 0.8, 0.8], vertical_alignment="bottom")
S = SWEEP_SETTINGS
lr_min = c[0].select_slider(S["sweep_lr_min"].label, LEARNING_RATES, value=0.01,
                            key="sweep_lr_min", bind=URL)
lr_max = c[1].select_slider(S["sweep_lr_max"].label, LEARNING_RATES, value=10.0,
                            key="sweep_lr_max", bind=URL)
s = S["sweep_seeds"]
n_seeds = c[2].number_input(s.label, s.lo, s.hi, s.default, step=s.step, key="sweep_seeds",
                            bind=URL, help="Each seed gives each net other initial weights and "
                                           "another order of the samples; the data stay the "
                                           "same (the sidebar's seed).")
s = S["sweep_epochs"]
epochs = c[3].number_input(s.label, s.lo, s.hi, s.default, step=s.step, key="sweep_epochs",
                           bind=URL)
s = S["sweep_target"]
target = c[4].number_input(s.label, s.lo, s.hi, s.default, step=s.step, key="sweep_target",
                           bind=URL, format="%.2f",
                           help="Epochs to target: the first epoch whose test accuracy (R² "
                                "for regression) reaches this.")
saturated = toggle_col.toggle(S["sweep_saturated"].label, key="sweep_saturated", bind=URL,
                        disabled=not classification,
                        help="The pictures show the sweep from b2 = -8: each output near 0, "
                             "confidently class 0 (classification only), where MSE's gradient "
                             "vanishes. The page sweeps both starts and states both answers "
                             "under the picture.")
saturated = bool(saturated and classification)

if lr_min > lr_max:
    lr_min, lr_max = lr_max, lr_min
    st.caption(f"Learning rates from {lr_min:g} to {lr_max:g} (the two ends were swapped).")
lrs = tuple(lr for lr in LEARNING_RATES if lr_min <= lr <= lr_max)
losses = ("mse", "log_loss") if classification else ("mse",)
data_seed = int(settings["seed"])
data = dataset_for(settings)
n_train, n_test = data.X_train.shape[1], data.X_test.shape[1]
# Both starts are swept on every load (a classifier's): they share the page's budget.
starts = {"fair start": 0.0, "saturated start": SATURATED_BIAS} if classification else \
    {"fair start": 0.0}
n_seeds, seed_note = sweep_seed_budget(int(n_seeds), len(starts) * len(losses) * len(lrs),
                                       n_train + n_test, batch_size(settings),
                                       int(settings["hidden"]), n_train, n_classes=data.n_classes)
cut_notes = [seed_note] if seed_note else []   # shown under the picture: it comes first
seeds = tuple(range(data_seed, data_seed + int(n_seeds)))
K = len(losses) * len(lrs) * len(seeds)
epochs, note = sweep_budget(int(epochs), len(starts) * K, len(seeds), n_train + n_test,
                            batch_size(settings), int(settings["hidden"]), n_train,
                            n_classes=data.n_classes)
if note:
    cut_notes.append(note)

# -- all nets at once --------------------------------------------------------------------------

SHARE = MAX_SECONDS_PER_REQUEST / len(starts)   # of the page load's CPU, for each start
shown_start = "saturated start" if saturated else "fair start"


def sweep_from(start):
    """The sweep of one start, cached per settings (and across sessions)."""
    key = (signature(settings, DATA_KEYS), losses, lrs, seeds, asked_epochs, starts[start],
           int(settings["hidden"]), settings["activation"], batch_size(settings),
           float(settings["l2"]), SHARE)
    if again:
        cached_sweep.clear(key, data)
    return cached_sweep(key, data)


def stopped_note(out, start):
    """Why a sweep has fewer epochs than asked, or None."""
    if out["epochs"] >= asked_epochs:
        return None
    where = f" from the {start}" if len(starts) > 1 else ""
    split = f", {SHARE:g} s for each of the {len(starts)} starts" if len(starts) > 1 else ""
    return (f"Stopped after {out['epochs']} of {asked_epochs} epochs{where}: one page load may "
            f"use about {MAX_SECONDS_PER_REQUEST:g} s of the server's time{split} (fewer seeds "
            "or learning rates, or a larger batch, allow more).")


asked_epochs = epochs
out = sweep_from(shown_start)   # the picture's sweep first: it is drawn before the other trains
if stopped_note(out, shown_start):
    cut_notes.append(stopped_note(out, shown_start))
    epochs = out["epochs"]
metric = out["metric"]
results = with_target(out["results"], out["test_metric"], target)
table = summarize(results, metric)
diverged = [r for r in results if r["diverged"] is not False]

# Three panels side by side need about 640 px: on a narrower screen (a phone) the picture
# keeps that width and scrolls sideways in its own box, rather than its panels running into
# each other.
st.html("<style>.st-key-sweep_figure { overflow-x: auto; } .st-key-sweep_figure > *, "
        ".st-key-sweep_figure [data-testid='stPlotlyChart'] { min-width: 640px; }</style>")
show(sweep_figure(table, results, epochs, target, metric, style=style(),
                  title="Median over seeds (line) and min to max (band), by learning rate"),
     key="sweep_figure")
if cut_notes:
    st.info(" ".join(cut_notes), icon=":material/timer:")

# What the sweep found, under its picture.
st.markdown(f"**{K} nets** ({len(losses)} {'losses' if len(losses) > 1 else 'loss'} x "
            f"{len(lrs)} learning rates x {len(seeds)} seeds), {epochs} epochs each at batch "
            f"size {out['batch_size']}" + (f", from b2 = {SATURATED_BIAS:g}" if saturated
                                           else "") + ".")
for loss in losses:
    st.success(best_sentence(table, loss, metric, target), icon=":material/trophy:")
if diverged:
    st.warning(f"{len(diverged)} of {K} runs diverged (their loss blew up); each is marked x "
               "at its last good weights and counts in the median and the band as it was left.",
               icon=":material/warning:")

# -- both starts, in words ----------------------------------------------------------------------
tables = {shown_start: table}
for start in starts:
    if start != shown_start:
        other = sweep_from(start)
        tables[start] = summarize(with_target(other["results"], other["test_metric"], target),
                                  metric)
        if stopped_note(other, start):
            st.info(stopped_note(other, start), icon=":material/timer:")
if again:
    runs = st.session_state["sweep_runs_again"] = st.session_state.get("sweep_runs_again", 0) + 1
    st.toast(f"Run {runs}: trained again just now, {len(starts) * K} nets"
             + (", both starts" if len(starts) > 1 else "") + ".", icon=":material/replay:")
with st.container(key="sweep-starts"):
    for start in starts:
        st.markdown(start_sentence(tables[start], metric, start))
    if len(starts) > 1 and (line := verdict(tables["fair start"], tables["saturated start"],
                                            metric)):
        st.markdown(f"**{line}**")


# -- one learning rate, every seed -------------------------------------------------------------

st.subheader("One learning rate, every seed")
c1, c2, c3 = st.columns([1, 2, 2], vertical_alignment="bottom")
run_loss = c1.selectbox("Loss", losses, format_func=LOSS_LABELS.get, key="sweep_run_loss")
run_lr = c2.select_slider("Learning rate", lrs, value=lrs[len(lrs) // 2], key="sweep_run_lr")
index = {(r["loss"], r["lr"], r["seed"]): k for k, r in enumerate(results)}
curves = {loss: {seed: (lambda row: row[~np.isnan(row)])(
                     out["test_metric"][index[loss, run_lr, seed]]) for seed in seeds}
          for loss in losses}
show(seed_curves_figure(curves, target, metric, style=style(),
                        title=f"Test {'accuracy' if metric == 'accuracy' else 'R²'} epoch by "
                              f"epoch at learning rate {run_lr:g}, one line per seed"),
     key="sweep_seed_curves")

run = results[index[run_loss, run_lr, data_seed]]
label, url, how = run_link(settings, run_loss, run_lr, epochs, saturated)
c3.link_button(f"{label}: {LOSS_LABELS[run_loss]}, lr {run_lr:g}, seed {data_seed}", url,
               icon=":material/open_in_new:", width="stretch")
what = "diverged at epoch " + str(run["diverged"]) if run["diverged"] else \
    f"test {'accuracy' if metric == 'accuracy' else 'R²'} {run[f'test_{metric}']:.3f}"
st.caption(f"The button opens the run of seed {data_seed} ({what} here) in a new tab. {how} "
           f"The other seeds' runs live only here: the Playground seeds the data, the weights "
           f"and the order of the samples with one number, so it can replay the runs whose "
           f"seed is the data's ({SETTINGS['seed'].label.lower()} {data_seed} in the sidebar).")

with st.expander("The same sweep from the command line", icon=":material/terminal:"):
    args = [f"--dataset {settings['dataset']}", f"--samples {settings['samples']}",
            f"--noise {settings['noise']:g}", f"--test-fraction {settings['test_fraction']:g}",
            f"--hidden {settings['hidden']}", f"--activation {settings['activation']}"]
    if settings["batch"] != "all":
        args.append(f"--batch-size {settings['batch']}")
    if settings["l2"]:
        args.append(f"--l2 {settings['l2']:g}")
    if saturated:
        args.append(f"--output-bias {SATURATED_BIAS:g}")
    args += [f"--losses {','.join(losses)}", f"--lrs {','.join(f'{lr:g}' for lr in lrs)}",
             f"--seeds {seeds[0]}-{seeds[-1]}", f"--data-seed {data_seed}",
             f"--epochs {epochs}", f"--target {target:g}"]
    st.code("python -m twolayer sweep " + " ".join(args) + " --json", language="bash",
            wrap_lines=True)

# A clicker: → / PageDown or Space runs the sweep again.
presenter_keys(step="sweep_run", play="sweep_run")
