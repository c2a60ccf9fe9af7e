"""Playground state between reruns: Step / Train / Play / Reset, and what an epoch looked like.

Play computes ahead and replays: each press trains the next chunk of PLAY_CHUNK epochs at once
(a fraction of a second) and the page sends the decision boundary of every epoch in it as one
Plotly animation, which the browser plays with no server round trip per frame. When the
animation ends, a small script presses the (hidden) "next chunk" button, so playing goes on
until Pause, until training diverges, or until MAX_PLAY_EPOCHS epochs have been played.

Nothing here draws; the functions are plain Python on the session state, so AppTest (where a
timer never fires and no script runs) exercises every branch by pressing the buttons.
"""

import numpy as np

from .. import figures as F
from ..net import TwoLayerNet
from ..settings import GRID, MAX_PLAY_EPOCHS, epoch_budget
from ..train import Trainer
from .state import batch_size

PLAY_CHUNK = 60          # epochs trained ahead per Play chunk: one animation frame each
FRAME_MS = 50            # animation frame duration: 60 epochs play in about 3 s
PLAY_GRID = 60           # animation grid per side (uint8 frames: 60 frames ~ 0.6 MB of JSON)
HIDDEN_GRID = {16: 40, 64: 24}   # per-unit map size: up to 16 units 40 x 40, else 24 x 24

# Session-state keys this module owns.
PLAYING, PLAYED, RESTARTS, DUE = "pg_playing", "pg_played", "pg_restarts", "pg_chunk_due"


def play_epochs(played, chunk=PLAY_CHUNK, limit=MAX_PLAY_EPOCHS):
    """How many epochs the next Play chunk trains: ``chunk``, but never past ``limit`` in all."""
    return max(0, min(chunk, limit - played))


def restart(state, settings):
    """Reset: a new trainer, history cleared, with new initial weights.

    The first start of a setting uses its seed, so a shared link reproduces the run; each
    Reset after that draws the weights from (seed, number of resets).
    """
    count = state.get(RESTARTS, 0) + 1
    state[RESTARTS] = count
    sig, old = state["trainer"]
    data = old.data  # the generated data of these settings, or the user's own
    net = TwoLayerNet(data.n_inputs, int(settings["hidden"]), settings["activation"], data.task,
                      settings["loss"], seed=(int(settings["seed"]), count))
    trainer = Trainer(net, data, lr=float(settings["lr"]), batch_size=batch_size(settings),
                      l2=float(settings["l2"]), seed=int(settings["seed"]))
    state["trainer"] = (sig, trainer)
    stop(state)
    return trainer


def forget_restarts(state):
    """A new setting starts again from its seed's weights (session_trainer rebuilt it)."""
    state[RESTARTS] = 0


def start(state):
    state[PLAYING], state[PLAYED], state[DUE] = True, 0, True


def stop(state):
    state[PLAYING], state[DUE] = False, False


def toggle_play(state):
    """The Play/Pause button's callback (runs before the script, so its label is current)."""
    stop(state) if state.get(PLAYING) else start(state)


def request_chunk(state):
    """The hidden "next chunk" button's callback: only while playing."""
    if state.get(PLAYING):
        state[DUE] = True


def chunk_due(state):
    """At the top of a rerun: True when this run trains the next Play chunk. A rerun for any
    other reason (Step, a setting, the slider) pauses, so the buttons are drawn right."""
    due = bool(state.get(PLAYING) and state.get(DUE))
    if not due:
        stop(state)
    state[DUE] = False
    return due


def budget(trainer, epochs):
    """(epochs, note): ``epochs``, or fewer when that many would cost one click too much CPU."""
    return epoch_budget(epochs, trainer.X.shape[1], trainer.batch_size, trainer.net.n_hidden)


def play_chunk(state, trainer):
    """Train the next chunk while playing; returns the epochs it covers (first, last), or None
    when nothing was trained (then playing stops, and the reason is in the returned note).

    Returns (epochs range or None, note or None).
    """
    # A chunk never costs more CPU than one click may (batch 1 on many samples is slow).
    k = min(play_epochs(state.get(PLAYED, 0)), budget(trainer, PLAY_CHUNK)[0])
    if trainer.diverged is not None:
        stop(state)
        return None, None
    if k == 0:
        stop(state)
        return None, f"Play stopped by itself after {MAX_PLAY_EPOCHS} epochs."
    first = trainer.epoch
    trainer.run(k)
    state[PLAYED] = state.get(PLAYED, 0) + (trainer.epoch - first)
    if trainer.diverged is not None:
        stop(state)
    if trainer.epoch == first:
        return None, None
    return (first, trainer.epoch), None


def current_metrics(trainer):
    """(train loss, test loss, train metric, test metric) of the net as it stands: the last
    epoch's record, or an evaluation of the initial weights before the first epoch."""
    h = trainer.history
    if h.epochs:
        return h.train_loss[-1], h.test_loss[-1], h.train_metric[-1], h.test_metric[-1]
    (train_loss, train_metric), (test_loss, test_metric) = (
        trainer.evaluate(trainer.X, trainer.y), trainer.evaluate(trainer.X_test, trainer.y_test))
    return train_loss, test_loss, train_metric, test_metric


def params_at(trainer, epoch):
    """(recorded epoch, parameters) of the trainer's history at ``epoch``."""
    return trainer.history.snapshot(epoch)


def net_at(trainer, epoch):
    """A copy of the trainer's net holding the weights it had after ``epoch``."""
    _, params = params_at(trainer, epoch)
    net = trainer.net.copy()
    net.set_params(params)
    return net


# Starts the animation once it is on the page, and when its last frame has played (not when
# it was paused or scrubbed) presses the hidden "next chunk" button. The last frame's name
# tells this chunk's chart from the previous one while Streamlit swaps them.
_AUTOPLAY = """<script>
(function () {
  const last = "%(last)d";
  let tries = 0;
  function arm() {
    const gd = document.querySelector(".st-key-pg_boundary .js-plotly-plot");
    const frames = gd && gd._transitionData && gd._transitionData._frames;
    const button = gd && gd.querySelector(".updatemenu-button");
    if (!(frames && frames.length && frames[frames.length - 1].name === last && button
          && typeof gd.on === "function")) {
      if (tries++ < 200) setTimeout(arm, 50);
      return;
    }
    if (gd.dataset.autoplay === last) return;
    gd.dataset.autoplay = last;
    gd.on("plotly_animated", function () {
      const title = gd.layout && gd.layout.title && gd.layout.title.text;
      if (title !== "Epoch " + last) return;
      const next = document.querySelector(".st-key-pg_next button");
      if (next) next.click();
    });
    button.dispatchEvent(new MouseEvent("click", {bubbles: true}));
  }
  arm();
})();
</script>"""


def autoplay_script(last_epoch):
    """The script (HTML) that plays the chunk ending at ``last_epoch`` and asks for the next."""
    return _AUTOPLAY % {"last": int(last_epoch)}

# -- pictures: a net (or a stretch of history) in, a figure out ---------------------------------


def _points(data, show_test):
    test = (data.X_test, data.y_test) if show_test else (None, None)
    return (data.X_train, data.y_train) + test


def prediction_figure(net, data, show_test=True, style=F.NORMAL, grid=GRID, title=None):
    """What the net predicts over the inputs: the decision boundary (classification), the
    fitted curve (regression, one input) or the predicted surface (regression, two inputs)."""
    pts = _points(data, show_test)
    if data.n_inputs == 1:
        x, G = F.line_grid(data.X_train, n=4 * grid)
        return F.regression_curve(x, net.predict(G)[0], *pts, names=data.feature_names,
                                  target=data.target_name, style=style, title=title)
    x1, x2, G = F.plane_grid(data.X_train, n=grid)
    z = net.predict(G).reshape(grid, grid)
    if data.task == "classification":
        return F.decision_boundary(x1, x2, z, *pts, names=data.feature_names, style=style,
                                   title=title)
    return F.regression_surface(x1, x2, z, *pts, names=data.feature_names,
                                target=data.target_name, style=style, title=title)


def animation_figure(trainer, first, last, show_test=True, style=F.NORMAL, grid=PLAY_GRID,
                     frame_ms=FRAME_MS):
    """The prediction picture for every epoch in (first, last], as one Plotly animation.

    Classification frames carry the probability as uint8 (0..255): a quarter of float32's bytes.
    """
    data, epochs = trainer.data, list(range(first + 1, last + 1))
    title = f"Epoch {epochs[0]}"  # the frames change it
    nets = [net_at(trainer, e) for e in epochs]
    pts = _points(data, show_test)
    if data.n_inputs == 1:
        x, G = F.line_grid(data.X_train, n=4 * grid)
        curves = [n.predict(G)[0].astype(np.float32) for n in nets]
        fig = F.regression_curve(x, curves[0], *pts, names=data.feature_names,
                                 target=data.target_name, style=style, title=title)
        updates, traces = [[{"y": c}] for c in curves], [0]
    else:
        x1, x2, G = F.plane_grid(data.X_train, n=grid)
        zs = [n.predict(G).reshape(grid, grid) for n in nets]
        if data.task == "classification":
            zs = [np.round(z * 255).astype(np.uint8) for z in zs]
            fig = F.decision_boundary(x1, x2, zs[0], *pts, names=data.feature_names, style=style,
                                      title=title)
            updates, traces = [[{"z": z}, {"z": z}] for z in zs], [0, 1]
        else:
            zs = [z.astype(np.float32) for z in zs]
            fig = F.regression_surface(x1, x2, zs[0], *pts, names=data.feature_names,
                                       target=data.target_name, style=style, title=title)
            updates, traces = [[{"z": z}] for z in zs], [0]
    return F.add_playback(fig, epochs, updates, traces, frame_ms=frame_ms, style=style)


def hidden_figure(net, data, style=F.NORMAL):
    """Each hidden unit's activation a1 over the inputs (small multiples, one heatmap)."""
    h = net.n_hidden
    if data.n_inputs == 1:
        x, G = F.line_grid(data.X_train, n=120)
        return F.hidden_unit_maps(net.forward(G).a1, net.activation, x=x,
                                  names=data.feature_names, style=style)
    n = HIDDEN_GRID[16] if h <= 16 else HIDDEN_GRID[64]
    _, _, G = F.plane_grid(data.X_train, n=n)
    return F.hidden_unit_maps(net.forward(G).a1.reshape(h, n, n), net.activation,
                              names=data.feature_names, style=style)

