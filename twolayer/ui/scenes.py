"""What the live charts show: a scene is the charts of one page at an epoch (Step, Train, the
history slider) and the patches of Play's frames. Two scenes: the Playground's (one trainer)
and the MSE vs log-loss page's (the two trainers of a Comparison)."""

from typing import Protocol

import numpy as np

from .. import figures as F
from ..compare import boundary_grid, probabilities
from ..figures.style import unvalidated
from ..settings import GRID, epoch_budget
from .classes import boundary_z, grid_values, moving_traces
from .epochs import net_at
from .live import array, encode
from .play import KEYFRAME_EVERY, epoch_of

HIDDEN_GRID = {16: 40, 64: 24}   # per-unit map size: up to 16 units 40 x 40, else 24 x 24


class Scene(Protocol):
    """What Play (twolayer.ui.play), Drawn (twolayer.ui.drawn) and the pages ask of a page's
    live charts. Chart names are the keys of the dicts; a patch is as twolayer.ui.live says."""

    trainers: list        # the trainers drawn (one, or a Comparison's two)
    layout: dict          # where each chart sits (the live component's grid)
    moving: dict          # chart name -> the traces a Play frame changes

    @property
    def options(self):
        """What the charts depend on besides the trainers (a hashable tuple)."""

    def view(self, epoch):
        """(recorded epoch, {name: Figure}): the charts at ``epoch`` of the history."""

    def ahead(self):
        """The same scene on copies trained one epoch on (Step's), or None if it cannot go on."""

    def diverged(self):
        """True when a net has diverged (Play stops on the last good epoch)."""

    def budget(self, epochs):
        """``epochs``, or fewer when that many would cost one request too much CPU."""

    def frame(self, epoch):
        """{name: patch}: what moves on every frame (the picture and its title) at ``epoch``."""

    def keyframe(self, epoch, index):
        """{name: patch}: the charts that follow a few times a second, due at frame ``index``
        of the play (every chart when ``index`` is None: the last frame of a play)."""

    def curve_patches(self, first, epochs):
        """One patch (or None) per frame epoch: the curves' points since the frame before."""


def budget(trainer, epochs):
    """(epochs, note): ``epochs``, or fewer when that many would cost one click too much CPU."""
    return epoch_budget(epochs, trainer.X.shape[1], trainer.batch_size, trainer.net.n_hidden)


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
    z = grid_values(net.predict(G), grid)   # (K, grid, grid) for K >= 3 classes
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
        self.moving = {"boundary": moving_traces(data)}   # what frames change
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
        z = boundary_z(grid_values(pred, self.grid))
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
        self.moving = {loss: moving_traces(comparison.data) for loss in self.losses}

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
                       "set": {"z": boundary_z(probabilities(t.net, self.grid))},
                       "layout": {"title.text": self.title(loss, epoch)}}
                for loss, t in zip(self.losses, self.trainers, strict=True)}

    def keyframe(self, epoch, index):
        return {}

    def curve_patches(self, first, epochs):
        return [None] * len(epochs)
