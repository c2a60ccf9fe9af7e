"""Training state between reruns: Step / Train / Play / Reset, what an epoch looked like, and
Play's chunks of frames.

Play streams. Python trains ahead one chunk at a time, only when the browser asks for it, and
sends that chunk's frames: for each epoch shown the prediction grid (8-bit levels), the chart
title, the new points of the curves, and every KEYFRAME_EVERY-th frame the network diagram and
the hidden units. The browser plays them one per animation frame (up to the display's rate: 60
a second on most screens, as TensorFlow Playground does) and asks for the next chunk while
AHEAD_FRAMES (2 s at 60 a second) are still queued, so a hand-over never shows. The first
chunk is small (FIRST_FRAMES: its picture is on screen a fraction of a second after the click),
the next ones twice as big up to CHUNK_FRAMES (see ``chunk_frames``). Speed: 1, 2, 5 or 10 epochs
per frame, every chunk a whole number of frames at that speed (only the epochs shown carry a
picture; the curves get every epoch).

Pause stops on the picture on screen: the browser reports that epoch and training goes back to
it (Trainer.rewind); what was trained ahead beyond it is dropped, so the metrics, the history
slider and the downloads agree with the picture, and the next Step is the epoch after it.
Play also stops by itself after MAX_PLAY_EPOCHS epochs and when training diverges; either way
the browser plays up to the last frame first.

Nothing here draws or imports Streamlit: plain functions on plain objects, tested without a
browser (the pages wire them to buttons and to the live component's requests).
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from .. import figures as F
from ..compare import boundary_grid, probabilities
from ..figures.style import unvalidated
from ..metrics import METRICS
from ..net import PARAMS, TwoLayerNet
from ..settings import GRID, MAX_PLAY_EPOCHS, epoch_budget
from ..train import Trainer
from .live import array, charts, encode, quantise
from .state import batch_size

FIRST_FRAMES = 30        # the first chunk: 0.5 s at 60 frames a second (as long as the rerun
                         # that makes the next one takes on a busy machine), made in ~0.1 s
CHUNK_FRAMES = 60        # the most per chunk: one second at 60 frames a second
AHEAD_FRAMES = 120       # the browser asks for the next chunk when fewer frames are queued
KEYFRAME_EVERY = 30      # network diagram and hidden units: every 30th frame (2 a second),
                         # not on the same frame (each costs a full redraw of its chart), and
                         # drawn between two frames of the picture ("lazy" patches)
SPEEDS = (1, 2, 5, 10)   # epochs per frame
HIDDEN_GRID = {16: 40, 64: 24}   # per-unit map size: up to 16 units 40 x 40, else 24 x 24

# Session-state keys the Playground keeps here.
PLAY, RESTARTS, DRAWN = "pg_play_state", "pg_restarts", "pg_drawn"


@dataclass
class Play:
    """Where Play stands, kept in the session between reruns."""

    id: int = 0                # one per press of Play: the browser drops chunks of older ones
    start: int = 0             # the epoch on screen when Play was pressed
    playing: bool = False
    due: bool = False          # the next chunk is to be trained in this run
    keep: bool = False         # this rerun does not pause (the speed changed)
    seq: int = -1              # the last chunk made in this play
    chunk: dict | None = None  # the last chunk, sent on every rerun until the next one
    played: int = 0            # epochs trained in this play (at most MAX_PLAY_EPOCHS)
    frames: int = 0            # frames made in this play (the keyframes' count)
    shown: int | None = None   # the epoch on screen, as the browser last reported it
    saved: dict = field(default_factory=dict)  # epoch shown -> weights of each net, for Pause
    base: dict | None = None   # the charts as they were at Play (sent unchanged while playing)
    still: dict = field(default_factory=dict)  # chart -> traces no frame changes (the points)
    note: str | None = None    # why the last play stopped by itself
    stopped: bool = False      # Play has just stopped: the page follows the epoch it stopped at


def epoch_of(trainers):
    return max(t.epoch for t in trainers)


def start(play, trainers):
    """Play pressed: a new play starting at the current epoch; its first chunk is due."""
    epoch = epoch_of(trainers)
    play.id += 1
    play.playing, play.due, play.keep = True, True, False
    play.seq, play.chunk, play.played, play.shown, play.start = -1, None, 0, epoch, epoch
    play.frames = 0
    play.saved = {epoch: [t.net.get_params() for t in trainers]}
    play.base, play.note = None, None


def stop(play):
    play.playing = play.due = play.keep = False
    play.chunk, play.base, play.saved, play.still = None, None, {}, {}


def set_base(play, scene, figures):
    """The charts as Play starts (``figures``: {name: Figure}), before it trains ahead: sent
    unchanged while playing, with the traces no frame moves (drawn once, kept still)."""
    play.base = charts(figures)
    play.still = {name: [i for i in range(len(figures[name].data)) if i not in moving]
                  for name, moving in scene.moving.items()}


def pause(play, trainers, epoch=None):
    """Stop playing at ``epoch`` (default: the epoch on screen the browser last reported):
    every net goes back to its weights of that epoch and what was trained beyond is dropped.
    Returns the epoch training now stands at."""
    target = play.shown if epoch is None else epoch
    if play.playing and target in play.saved:
        for t, params in zip(trainers, play.saved[target], strict=True):
            if target < t.epoch:
                t.rewind(target, params)
    was_playing = play.playing
    stop(play)
    play.stopped = was_playing
    return epoch_of(trainers)


def toggle(play, trainers):
    """The Play/Pause button (without the browser's report of the epoch on screen, Pause
    goes back to the last one it reported)."""
    pause(play, trainers) if play.playing else start(play, trainers)


def keep_playing(play):
    """A rerun that should not pause Play (the speed changed)."""
    play.keep = play.playing


def settle(play, trainers):
    """Before the controls are drawn: a rerun for any other reason than Play's own (a setting,
    a button, the slider) pauses. Returns True while playing."""
    if play.playing and not (play.due or play.keep):
        pause(play, trainers)
    play.keep = False
    return play.playing


def _valid(request, play, *names):
    return (isinstance(request, dict) and request.get("play") == play.id
            and all(isinstance(request.get(n), int) and not isinstance(request.get(n), bool)
                    for n in names))


def on_need(play, request):
    """The browser asks for chunk ``seq`` while showing epoch ``shown``: the chunk is made in
    this run if it is the next one of the current play. A repeated request is answered by the
    rerun itself, which sends the last chunk again. Returns True when a chunk is due."""
    if not (play.playing and _valid(request, play, "seq")):
        return False
    # Play's own rerun: it does not pause, even when it makes nothing (a request asked again
    # because the answer was slow is answered by the chunk this run sends again).
    play.keep = play.keep or request["seq"] <= play.seq + 1
    shown = request.get("shown")
    if isinstance(shown, int) and shown in play.saved:
        play.shown = shown
        play.saved = {e: w for e, w in play.saved.items() if e >= shown}
    if request["seq"] == play.seq + 1:
        play.due = True
    return play.due


def on_pause(play, trainers, request):
    """The browser stopped at ``epoch`` (Pause, or the end of the last chunk): training goes
    back to it. Returns True when this stopped the current play."""
    if not (play.playing and _valid(request, play, "epoch")):
        return False
    end = (play.chunk or {}).get("end") if request.get("end") else None
    pause(play, trainers, request["epoch"])
    play.note = (end or {}).get("message")
    return True


def chunk_frames(seq):
    """Frames in chunk ``seq`` of a play: FIRST_FRAMES, then twice as many each time up to
    CHUNK_FRAMES (30, 60, 60 ...). The first picture waits for the first chunk only;
    the bigger ones after it keep AHEAD_FRAMES queued with few requests."""
    return min(CHUNK_FRAMES, FIRST_FRAMES * 2 ** min(seq, 8))


def chunk_epochs(frames, speed, limit, budget):
    """Epochs a chunk trains: ``frames * speed``, fewer at the play's ``limit`` (epochs left)
    or the CPU ``budget`` of one request (epochs), cut to a whole number of frames at
    ``speed`` so that every picture is ``speed`` epochs after the one before (at least one
    frame's worth while any epoch is left: a budget below it is exceeded by that much)."""
    epochs = min(frames * speed, budget)
    epochs = max(epochs - epochs % speed, speed)
    return max(min(epochs, limit), 0)


def make_chunk(play, scene, speed=1, frames=None, limit=MAX_PLAY_EPOCHS):
    """Train the next chunk of Play and return it (kept as ``play.chunk``), or None when this
    run has none to make (not playing, or no chunk asked for).

    Trains ``chunk_epochs`` epochs (``frames``, default ``chunk_frames`` of this chunk, at
    ``speed`` epochs a frame), one frame at every ``speed``-th epoch (and one at the last epoch
    trained, at the play limit or a divergence). The chunk ends the play (``end``) at the limit
    and when a net diverges: the browser plays it to its last frame, the last good epoch, and
    reports back.
    """
    if not (play.playing and play.due):
        return None
    play.due = False
    trainers = scene.trainers
    first = last = epoch_of(trainers)
    frames = chunk_frames(play.seq + 1) if frames is None else frames
    epochs = chunk_epochs(frames, speed, limit - play.played, scene.budget(frames * speed))
    shown = []
    for i in range(max(epochs, 0)):
        for t in trainers:
            t.run(1)
        if epoch_of(trainers) == last:  # diverged before this epoch
            break
        last = epoch_of(trainers)
        if (last - first) % speed == 0 or i == epochs - 1 or scene.diverged():
            shown.append(_frame(play, scene, last, play.frames + len(shown)))
        if scene.diverged():
            break
    if last != first and (not shown or shown[-1]["epoch"] != last):
        shown.append(_frame(play, scene, last, play.frames + len(shown)))
    play.played += last - first
    play.frames += len(shown)
    end = None
    if scene.diverged():
        end = {"reason": "diverged"}
    elif play.played >= limit:
        end = {"reason": "limit", "message": f"Play stopped by itself after {limit} epochs."}
    if end and shown:  # the last picture of a play shows every chart as it is
        shown[-1]["charts"].update(scene.keyframe(last, None))
    for frame, patch in zip(shown, scene.curve_patches(first, [f["epoch"] for f in shown]),
                            strict=True):
        if patch:
            frame["charts"]["curves"] = patch
    play.seq += 1
    play.chunk = {"play": play.id, "seq": play.seq, "start": play.start, "ahead": AHEAD_FRAMES,
                  "still": play.still, "end": end, "frames": shown}
    return play.chunk


def _frame(play, scene, epoch, index):
    charts = scene.frame(epoch)
    charts.update(scene.keyframe(epoch, index))
    play.saved[epoch] = [t.net.get_params() for t in scene.trainers]
    return {"epoch": epoch, "charts": charts}


def budget(trainer, epochs):
    """(epochs, note): ``epochs``, or fewer when that many would cost one click too much CPU."""
    return epoch_budget(epochs, trainer.X.shape[1], trainer.batch_size, trainer.net.n_hidden)


# -- Reset, history, metrics --------------------------------------------------------------------

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
    return trainer


def forget_restarts(state):
    """A new setting starts again from its seed's weights (session_trainer rebuilt it)."""
    state[RESTARTS] = 0


def metrics_at(trainer, epoch):
    """(train loss, test loss, train metric, test metric) after ``epoch``: the history's
    record, or for epoch 0 an evaluation of the initial weights."""
    h = trainer.history
    if 1 <= epoch <= h.epochs:
        k = epoch - 1
        return h.train_loss[k], h.test_loss[k], h.train_metric[k], h.test_metric[k]
    net = net_at(trainer, 0)[1]
    out = []
    for X, y in ((trainer.X, trainer.y), (trainer.X_test, trainer.y_test)):
        with np.errstate(all="ignore"):
            out.append((net.loss(X, y), METRICS[net.task][1](y, net.predict(X))))
    (train_loss, train_metric), (test_loss, test_metric) = out
    return train_loss, test_loss, train_metric, test_metric


def net_at(trainer, epoch):
    """(recorded epoch, net): a copy of the trainer's net with the weights of the latest
    snapshot at or before ``epoch`` (older history is kept sparser: that may be earlier)."""
    recorded, params = trainer.history.snapshot(epoch)
    net = trainer.net.copy()
    net.set_params(params)
    return recorded, net


# -- Step, drawn ahead -------------------------------------------------------------------------
# The next Step's charts are made in the run before it, from a copy of the trainer (or of both
# nets of a Comparison) trained one epoch ahead (the original stays where it is), and sent
# along with the charts on screen: the browser shows them the moment Step is pressed, while
# the rerun that Step starts trains that epoch for real and finds those very charts already
# made (Drawn). Nothing is made twice, in Python or in the browser; the numbers follow with
# the rerun.

class Drawn:
    """The live charts last made, by what they show (see ``state_key``): the last ``size``
    asked for (the charts on screen, the history slider's last) and the next Step's; with
    each, the prediction figure (the figure download). About 0.4 MB each at 8 hidden units."""

    def __init__(self, size=2):
        self.size, self.entries = size, OrderedDict()
        # The next Step: the state it starts from, its key, its entry, what the browser gets.
        self.base = self.step = self.made = self.next = None

    def at(self, scene, view):
        """(recorded epoch, live charts, the boundary Figure or None) of ``scene.view(view)``."""
        return self._entry(state_key(scene, view), scene, view)[:3]

    def ahead(self, scene):
        """The charts of the epoch a Step would train next, as {"epoch", "charts"} for the
        browser, or None when training cannot go on (it diverged, or would at that epoch)."""
        epoch = epoch_of(scene.trainers)
        base = (state_key(scene, epoch),
                tuple((t.lr, t.batch_size, t.l2) for t in scene.trainers))
        if self.base != base:
            self.base, self.step, self.made, self.next = base, None, None, None
            twin = scene.ahead()                    # the scene one epoch on, or None
            if twin is not None:
                after = epoch_of(twin.trainers)
                key = state_key(twin, after)
                made = self._entry(key, twin, after)
                self.step, self.made = key, made
                self.next = {"epoch": after, "charts": made[1]}
        return self.next

    def _entry(self, key, scene, view):
        """(recorded epoch, live charts, boundary Figure or None, data) for ``key``: kept, the
        next Step's (made ahead), or made now."""
        if key not in self.entries:
            if key == self.step:
                self.entries[key] = self.made       # Step: the charts made ahead
            else:
                recorded, figs = scene.view(view)
                # The data is held with its key: its id() is not reused while the entry lives.
                self.entries[key] = (recorded, charts(figs), figs.get("boundary"),
                                     scene.trainers[0].data)
        self.entries.move_to_end(key)
        entry = self.entries[key]
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return entry


def state_key(scene, view):
    """What a scene's charts at ``view`` depend on. The weights and losses are hashed: a rerun
    after Step finds the charts a copy made ahead only if that epoch came out the same."""
    nets = []
    for t in scene.trainers:
        net, h = t.net, t.history
        digest = hashlib.blake2b(digest_size=16)
        for p in PARAMS:
            digest.update(getattr(net, p).tobytes())
        for values in (h.train_loss, h.test_loss):
            digest.update(np.asarray(values, dtype=np.float64).tobytes())
        nets.append((id(t.data), net.n_hidden, net.activation, net.loss_name, t.epoch,
                     t.diverged, len(h.snapshots), digest.hexdigest()))
    return tuple(nets), view, scene.options


# -- what the live charts show ------------------------------------------------------------------

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


class PlaygroundScene:
    """The Playground's live charts for one trainer: the figures at an epoch (Step, Train,
    the history slider) and the patches of Play's frames (the nets as they are when a frame
    is made). Chart names: boundary, network, curves, hidden."""

    # The boundary's column is at most 54% of the screen's height wide: its square plot (about
    # 0.65 of that) then fits under the controls on a wide, low projector (1280 x 720).
    LAYOUT = {"columns": "minmax(0, min(52%, 54vh)) minmax(0, 1fr)",
              "areas": ["boundary curves", "network curves", "hidden hidden"], "stack": 640}

    def __init__(self, trainer, show_test=True, style=F.NORMAL, log_y=False, grid=GRID):
        self.trainer, self.trainers = trainer, [trainer]
        self.layout = self.LAYOUT
        self.show_test, self.style, self.log_y, self.grid = show_test, style, log_y, grid
        data = trainer.data
        self.what = "Decision boundary" if data.task == "classification" else "Prediction"
        two_layers = data.task == "classification" and data.n_inputs == 2  # heatmap + contour
        self.moving = {"boundary": [0, 1] if two_layers else [0]}   # what frames change
        if data.n_inputs == 1:
            self.G = F.line_grid(data.X_train, n=4 * grid)[1]
        else:
            self.G = F.plane_grid(data.X_train, n=grid)[2]

    @property
    def options(self):
        """What the charts depend on besides the trainer."""
        return self.show_test, self.style, self.log_y, self.grid

    def ahead(self):
        """The same charts of a copy of the trainer trained one epoch on (the trainer stays
        as it is), or None when it cannot go on (it diverged, or would in that epoch)."""
        twin = self.trainer.copy()
        twin.run(1)
        return PlaygroundScene(twin, *self.options) if twin.epoch > self.trainer.epoch else None

    def view(self, epoch):
        """(recorded epoch, {name: Figure}) at ``epoch`` of the history: see ``figures``."""
        return self.figures(epoch)

    def title(self, epoch):
        return f"{self.what} at epoch {epoch}"

    def diverged(self):
        return self.trainer.diverged is not None

    def budget(self, epochs):
        return budget(self.trainer, epochs)[0]

    @unvalidated()   # rebuilt on every Step and every chunk: no per-property check
    def figures(self, epoch):
        """(recorded epoch, {name: Figure}) at ``epoch`` of the history: the boundary's title
        and the curves' marker name the recorded epoch, whose weights are drawn."""
        t = self.trainer
        recorded, net = net_at(t, epoch)
        return recorded, {
            "boundary": prediction_figure(net, t.data, self.show_test, style=self.style,
                                          grid=self.grid, title=self.title(recorded)),
            "network": F.network_diagram(net.get_params(), t.data.feature_names,
                                         style=self.style),
            "curves": F.training_curves(t.history, t.net.loss_name, epoch=recorded,
                                        log_y=self.log_y, style=self.style),
            "hidden": hidden_figure(net, t.data, style=self.style),
        }

    def frame(self, epoch):
        """The boundary (or prediction) of the net as it is now, titled with ``epoch``."""
        net, data = self.trainer.net, self.trainer.data
        pred = net.predict(self.G)
        layout = {"title.text": self.title(epoch)}
        if data.n_inputs == 1:
            return {"boundary": {"traces": [0], "set": {"y": array(pred[0].astype(np.float32))},
                                 "layout": layout}}
        z = quantise(pred.reshape(self.grid, self.grid))
        return {"boundary": {"traces": self.moving["boundary"], "set": {"z": z},
                             "layout": layout}}

    @unvalidated()   # rebuilt on every Step and every chunk: no per-property check
    def keyframe(self, epoch, index):
        """The network diagram (frames 15, 45, ...) and the hidden units (frames 30, 60, ...)
        of the net as it is now; both when ``index`` is None (the last frame of a play)."""
        net, data = self.trainer.net, self.trainer.data
        due = {"network": index is None or index % KEYFRAME_EVERY == KEYFRAME_EVERY // 2 - 1,
               "hidden": index is None or index % KEYFRAME_EVERY == KEYFRAME_EVERY - 1}
        out = {}
        if due["network"]:
            fig = F.network_diagram(net.get_params(), data.feature_names, style=self.style)
            out["network"] = {"figure": encode(fig.to_plotly_json()), "lazy": True}
        if due["hidden"]:
            hidden = hidden_figure(net, data, style=self.style).data[0]
            out["hidden"] = {"traces": [0], "lazy": True,
                             "set": {"z": encode(np.asarray(hidden.z)), "zmin": hidden.zmin,
                                     "zmax": hidden.zmax}}
        return out

    @unvalidated()   # rebuilt on every Step and every chunk: no per-property check
    def curve_patches(self, first, epochs):
        """For each frame epoch, the curves' points after the previous frame's epoch (from
        ``first``) and the epoch marker at it. The values are read from the figure itself, so
        what is appended is what a Step would have drawn."""
        if not epochs:
            return []
        t = self.trainer
        fig = F.training_curves(t.history, t.net.loss_name, epoch=epochs[0], log_y=self.log_y,
                                style=self.style)
        ys = [np.asarray(trace.y, dtype=np.float32) for trace in fig.data]
        shapes = [s.to_plotly_json() for s in fig.layout.shapes]
        notes = [a.to_plotly_json() for a in fig.layout.annotations]
        patches, before = [], first
        for k, epoch in enumerate(epochs):
            x = np.arange(before + 1, epoch + 1, dtype=np.int32)
            if k == 0:  # the whole marker, and no "no epochs yet" note
                layout = {"shapes": shapes, "annotations": notes}
            else:
                layout = {f"shapes[{i}].{end}": epoch for i in range(len(shapes))
                          for end in ("x0", "x1")}
            patches.append({"traces": list(range(len(ys))), "lazy": True,
                            "append": {"x": [array(x)] * len(ys),
                                       "y": [array(y[before:epoch]) for y in ys]},
                            "layout": encode(layout)})
            before = epoch
        return patches


class CompareScene:
    """The MSE vs log-loss page's live charts: the two boundaries side by side (chart names
    mse and log_loss), from the two trainers of a Comparison."""

    # Each map's column at most 46% of the screen's height wide: both square plots then fit
    # under the controls on a wide, low projector (1280 x 720).
    LAYOUT = {"columns": "repeat(2, minmax(0, min(50%, 46vh)))", "areas": ["mse log_loss"],
              "stack": 640}

    def __init__(self, comparison, style=F.NORMAL, grid=GRID):
        self.cmp, self.style, self.n = comparison, style, grid
        self.layout = self.LAYOUT
        self.losses = list(comparison.trainers)
        self.trainers = [comparison.trainers[loss] for loss in self.losses]
        self.grid = boundary_grid(comparison.data, grid)
        self.moving = {loss: [0, 1] for loss in self.losses}   # heatmap and 0.5 contour

    @property
    def options(self):
        return self.style, self.n

    def ahead(self):
        """The boundaries of a copy of both nets trained one epoch on (as a Step trains
        them), or None when neither can go on."""
        twin = self.cmp.copy().run(1)
        if twin.epoch == self.cmp.epoch:
            return None
        return CompareScene(twin, style=self.style, grid=self.n)

    def view(self, epoch=None):
        """(epoch, {name: Figure}): the two boundaries of the nets as they are now (the page
        has no history slider)."""
        return epoch_of(self.trainers), self.figures()

    def title(self, loss, epoch):
        # Short enough for one line in a map's column on a projector ("trained with log-loss,
        # epoch 100" was cut there); the loss is named first, so the maps tell themselves apart.
        return f"{F.LOSS_LABELS[loss]} net, epoch {epoch}"

    def diverged(self):
        return any(t.diverged is not None for t in self.trainers)

    def budget(self, epochs):
        return self.cmp.budget(epochs)[0]

    @unvalidated()   # rebuilt on every Step and every chunk: no per-property check
    def figures(self, epoch=None):
        """The two boundaries of the nets as they are now."""
        data, g = self.cmp.data, self.grid
        epoch = epoch_of(self.trainers) if epoch is None else epoch
        return {loss: F.decision_boundary(g.x1, g.x2, probabilities(t.net, g), data.X_train,
                                          data.y_train, names=data.feature_names,
                                          style=self.style, title=self.title(loss, epoch))
                for loss, t in zip(self.losses, self.trainers, strict=True)}

    def frame(self, epoch):
        return {loss: {"traces": self.moving[loss],
                       "set": {"z": quantise(probabilities(t.net, self.grid))},
                       "layout": {"title.text": self.title(loss, epoch)}}
                for loss, t in zip(self.losses, self.trainers, strict=True)}

    def keyframe(self, epoch, index):
        return {}

    def curve_patches(self, first, epochs):
        return [None] * len(epochs)
