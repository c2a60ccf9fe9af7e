"""The Playground's pictures: decision boundary, regression curve and surface, curves of
loss, metric and gradient norms (the net itself, its weights and hidden units: network.py).

Inputs are standardised, so the plane is in units of the training spread; heatmap grids go
out as float32 (or uint8 for animation frames) to keep payloads small.
"""

import numpy as np

# The net's own pictures moved to network.py; importable from here as before.
from .network import ACTIVATION_RANGE, LEFT_PX, hidden_unit_maps, network_diagram  # noqa: F401
from .style import (
    CLASS_COLORS,
    LAYER_COLORS,
    LINE_SPACING,
    LOSS_COLORS,
    LOSS_LABELS,
    MARKER_LINE,
    NORMAL,
    PARAM_DASH,
    POINT_COLOR,
    PROBABILITY_SCALE,
    SIGNED_SCALE,
    colorbar,
    f32,
    log_ticks,
    plain,
    styled_figure,
)


def _class_points(X, y, split, style):
    """One scatter per class; test points as open circles in the same class colour."""
    y = np.asarray(y).ravel()
    test = split == "test"
    traces = []
    for label, color in enumerate(CLASS_COLORS):
        mask = (y >= 0.5) if label else (y < 0.5)
        marker = (dict(symbol="circle-open", color=color, size=style.marker + 1,
                       line=dict(width=style.line))
                  if test else dict(color=color, size=style.marker,
                                    line=dict(color="white", width=0.6)))
        # No legend group: Plotly stacks a group's entries in a column of their own, so four
        # entries took four rows in a narrow column; ungrouped they flow along the rows.
        traces.append(dict(type="scatter", x=f32(X[0, mask]), y=f32(X[1, mask]),
                           mode="markers", name=f"{split}, class {label}", marker=marker,
                           hoverinfo="skip"))
    return traces


def _plane(traces, x1, x2, names, style, title, **layout):
    """Equal scales on both inputs, the grid's extent filling the plot, room for two rows of
    legend, no grid lines over the picture."""
    axis = dict(showgrid=False, zeroline=False, constrain="domain")
    return styled_figure(traces, style, title, legend_rows=2, height=int(style.height * 1.5),
                   xaxis=dict(axis, title=dict(text=f"{plain(names[0])} (standardised)"),
                              range=[float(x1[0]), float(x1[-1])]),
                   yaxis=dict(axis, title=dict(text=f"{plain(names[1])} (standardised)"),
                              range=[float(x2[0]), float(x2[-1])], scaleanchor="x"),
                   **layout)


def decision_boundary(x1, x2, prob, X_train, y_train, X_test=None, y_test=None,
                      names=("x1", "x2"), style=NORMAL, title=None):
    """The predicted probability of class 1 over the plane, its 0.5 contour and the points.

    prob : array of shape (len(x2), len(x1)), probabilities in [0, 1] (sent as float32), or
        uint8 in 0..255 (probability * 255, a quarter of the bytes, for animation frames).
    X_train : (2, m) with y_train (1, m) labels 0/1; X_test, y_test likewise, or None.
    Traces: 0 heatmap, 1 contour, then one scatter per class and split.

    With K >= 3 classes ``prob`` is (K, len(x2), len(x1)), every class's probability: the
    picture is then classes.class_regions (K coloured regions, no contour).
    """
    if np.ndim(prob) == 3:
        from .classes import class_regions
        return class_regions(x1, x2, prob, X_train, y_train, X_test, y_test, names=names,
                             style=style, title=title)
    quantised = np.asarray(prob).dtype == np.uint8
    z = np.asarray(prob) if quantised else f32(prob)
    top = 255 if quantised else 1
    traces = [
        dict(type="heatmap", x=f32(x1), y=f32(x2), z=z, zmin=0, zmax=top,
             # "fast" lets the browser smooth the image; "best" interpolates in JS, per pixel
             zsmooth=False if quantised else "fast",
             colorscale=PROBABILITY_SCALE, name="P(class 1)",
             colorbar=colorbar("P(class 1)", tickvals=[0, top / 2, top],
                                ticktext=["0", "0.5", "1"]),
             hovertemplate=None if quantised else "P(class 1) = %{z:.2f}<extra></extra>"),
        dict(type="contour", x=f32(x1), y=f32(x2), z=z, showscale=False, hoverinfo="skip",
             contours=dict(start=top / 2, end=top / 2, size=1, coloring="none"),
             line=dict(color=MARKER_LINE, width=style.line), name="P = 0.5", showlegend=False),
    ]
    traces += _class_points(X_train, y_train, "train", style)
    if X_test is not None:
        traces += _class_points(X_test, y_test, "test", style)
    return _plane(traces, x1, x2, names, style, title)


def regression_curve(x, pred, X_train, y_train, X_test=None, y_test=None, names=("x1",),
                     target="y", style=NORMAL, title=None):
    """One input: the fitted curve pred(x) over the data. x, pred of shape (n,).

    Traces: 0 the curve, 1 training points, 2 test points (when given).
    """
    traces = [dict(type="scatter", x=f32(x), y=f32(pred), mode="lines", name="network",
                   line=dict(color=MARKER_LINE, width=style.line * 1.5)),
              dict(type="scatter", x=f32(X_train[0]), y=f32(np.ravel(y_train)),
                   mode="markers", name="train",
                   marker=dict(color=POINT_COLOR, size=style.marker, opacity=0.6))]
    if X_test is not None:
        traces.append(dict(type="scatter", x=f32(X_test[0]), y=f32(np.ravel(y_test)),
                           mode="markers", name="test",
                           marker=dict(symbol="circle-open", color=POINT_COLOR,
                                       size=style.marker + 1, line=dict(width=style.line))))
    return styled_figure(traces, style, title, height=int(style.height * 1.4),
                   xaxis=dict(title=dict(text=f"{plain(names[0])} (standardised)")),
                   yaxis=dict(title=dict(text=plain(target))))


def regression_surface(x1, x2, pred, X_train, y_train, X_test=None, y_test=None,
                       names=("x1", "x2"), target="y", style=NORMAL, title=None):
    """Two inputs: the predicted surface as a heatmap, the points coloured by their target on
    the same colour scale (so a point that vanishes into its background is fitted well).

    pred : array of shape (len(x2), len(x1)). Traces: 0 heatmap, 1 train, 2 test (when given).
    """
    ys = [np.ravel(y_train)] + ([np.ravel(y_test)] if X_test is not None else [])
    reach = float(max(np.abs(np.concatenate(ys)).max(), 1e-9))
    traces = [dict(type="heatmap", x=f32(x1), y=f32(x2), z=f32(pred),
                   coloraxis="coloraxis", zsmooth="fast", name="network",
                   hovertemplate=f"{plain(target)} = %{{z:.2f}}<extra></extra>")]
    for split, X, y, symbol in (("train", X_train, y_train, "circle"),
                                ("test", X_test, y_test, "diamond")):
        if X is not None:
            traces.append(dict(
                type="scatter", x=f32(X[0]), y=f32(X[1]), mode="markers", name=split,
                marker=dict(color=f32(np.ravel(y)), coloraxis="coloraxis", symbol=symbol,
                            size=style.marker + 1, line=dict(color=MARKER_LINE, width=0.8)),
                hovertemplate=f"{plain(target)} = %{{marker.color:.2f}}<extra>{split}</extra>"))
    return _plane(traces, x1, x2, names, style, title,
                  coloraxis=dict(colorscale=SIGNED_SCALE, cmin=-reach, cmax=reach,
                                 colorbar=colorbar(plain(target))))


def _epoch_marker(epoch):
    """A dotted vertical line at ``epoch`` (none at epoch 0: it has no point on the curves)."""
    if not epoch:
        return []
    return [dict(type="line", x0=epoch, x1=epoch, y0=0, y1=1, xref="x", yref="paper",
                 line=dict(color=MARKER_LINE, width=1.5, dash="dot"))]


def _empty_note(n, style):
    if n:
        return []
    return [dict(text="No epochs yet:<br>press Step or Train", showarrow=False, xref="paper",
                 yref="paper", x=0.5, y=0.5, font=dict(size=style.font))]


def _per_epoch(traces, n, epoch, style, title, yaxis):
    return styled_figure(traces, style, title, shapes=_epoch_marker(epoch),
                   annotations=_empty_note(n, style),
                   # epochs are never negative: an empty history's axis starts at 0, not
                   # at -1 (where, in a wide chart, its label met the y labels at the corner)
                   xaxis=dict(title=dict(text="epoch"), rangemode="nonnegative"), yaxis=yaxis)


def loss_curves(train_loss, test_loss, loss_name, epoch=None, log_y=False, style=NORMAL,
                title="Loss"):
    """Train (solid) and test (dashed) loss per epoch, in the loss's colour; a dotted marker at
    ``epoch``. Index k-1 of each list holds epoch k."""
    n = len(train_loss)
    x = np.arange(1, n + 1, dtype=np.int32)
    color = LOSS_COLORS[loss_name]
    traces = [dict(type="scatter", x=x, y=f32(values), mode="lines",
                   name=f"{split} {LOSS_LABELS[loss_name]}",
                   line=dict(color=color, dash=dash, width=style.line))
              for split, values, dash in (("train", train_loss, "solid"),
                                          ("test", test_loss, "dash"))]
    return _per_epoch(traces, n, epoch, style, title,
                      dict(title=dict(text=LOSS_LABELS[loss_name]),
                           type="log" if log_y else "linear"))


def metric_curves(train_metric, test_metric, metric_name, epoch=None, color=None, style=NORMAL,
                  title=None):
    """Train (solid) and test (dashed) accuracy or R^2 per epoch, marker at ``epoch``."""
    label = {"accuracy": "accuracy", "r2": "R²"}.get(metric_name, metric_name)
    n = len(train_metric)
    x = np.arange(1, n + 1, dtype=np.int32)
    traces = [dict(type="scatter", x=x, y=f32(values), mode="lines", name=f"{split} {label}",
                   line=dict(color=color or MARKER_LINE, dash=dash, width=style.line))
              for split, values, dash in (("train", train_metric, "solid"),
                                          ("test", test_metric, "dash"))]
    yaxis = dict(title=dict(text=label))
    if metric_name == "accuracy":
        yaxis["range"] = [0, 1.02]
    return _per_epoch(traces, n, epoch, style, title or label.capitalize(), yaxis)


def gradient_norms(grad_norm, epoch=None, style=NORMAL, title="Gradient norm per layer"):
    """||dL/dp|| per epoch for p in W1, b1, W2, b2 on a log axis: layer colours, biases dotted."""
    n = len(next(iter(grad_norm.values()), []))
    x = np.arange(1, n + 1, dtype=np.int32)
    traces = []
    for p, values in grad_norm.items():
        v = f32(values)
        # A zero norm (a dead relu layer) has no place on a log axis: leave a gap.
        traces.append(dict(type="scatter", x=x, y=np.where(v > 0, v, np.nan).astype(np.float32),
                           mode="lines", name=p,
                           line=dict(color=LAYER_COLORS[p], dash=PARAM_DASH[p],
                                     width=style.line)))
    every = [v for values in grad_norm.values() for v in values]
    return _per_epoch(traces, n, epoch, style, title,
                      # as many labels as the axis has room for (1, 2 and 5 a decade)
                      dict(title=dict(text="‖dL/dp‖ (log scale)"), type="log",
                           exponentformat="power",
                           **log_ticks(every, 0.7 * style.height, style.font)))


def training_curves(history, loss_name, epoch=None, log_y=False, style=NORMAL):
    """Loss, metric and gradient norms per epoch stacked on one shared epoch axis, each panel
    with its own title and legend, the dotted marker at ``epoch`` on all three.

    One chart instead of three: in the browser every chart costs a mount on each Step.
    history : twolayer.train.History (train_loss, test_loss, *_metric, metric_name, grad_norm)
    """
    h = history
    panels = [loss_curves(h.train_loss, h.test_loss, loss_name, epoch, log_y, style),
              metric_curves(h.train_metric, h.test_metric, h.metric_name, epoch,
                            color=LOSS_COLORS[loss_name], style=style),
              gradient_norms(h.grad_norm, epoch, style)]
    legend_h = int(1.6 * style.font + 8)  # one row of legend, its symbols and padding
    lines = max(p.layout.title.text.count("<br>") + 1 for p in panels)
    head = LINE_SPACING * lines * style.title + 8 + legend_h  # above each panel: title, legend
    height = int(style.height * 2.4)
    gap = (head + 2.2 * style.font + 16) / height
    span = (1 - 2 * gap - head / height) / 3
    data, layout, notes, shapes = [], {}, [], []
    for i, fig in enumerate(panels):
        s = "" if i == 0 else str(i + 1)
        top = 1 - head / height - i * (span + gap)
        domain = [max(top - span, 0.0), top]
        for trace in fig.data:
            # "train" and "test" are enough under a panel titled "Loss" or "Accuracy": one row
            name = trace.name.split(" ")[0] if i < 2 else trace.name
            data.append(dict(trace.to_plotly_json(), xaxis=f"x{s}", yaxis=f"y{s}",
                             legend=f"legend{s}", name=name))
        own = fig.layout.to_plotly_json()
        # (x labels a little further down than elsewhere: the first clears the raised
        # exponent of a log panel's lowest label at the corner, "10^-1")
        layout[f"xaxis{s}"] = dict(own["xaxis"], anchor=f"y{s}", domain=[0.0, 1.0],
                                   ticklabelstandoff=round(0.75 * style.font),
                                   **({"matches": "x"} if i else {}))
        if i < 2:
            layout[f"xaxis{s}"]["title"] = dict(text="")
        layout[f"yaxis{s}"] = dict(own["yaxis"], anchor=f"x{s}", domain=domain)
        if own["yaxis"].get("type") == "log":  # as many labels as this panel has room for
            values = {0: [*h.train_loss, *h.test_loss], 2: sum(h.grad_norm.values(), [])}[i]
            layout[f"yaxis{s}"].update(log_ticks(values, span * height, style.font))
        layout[f"legend{s}"] = dict(orientation="h", x=0.0, xanchor="left", y=top,
                                    yanchor="bottom", yref="paper",
                                    font=dict(size=style.font))
        notes.append(dict(text=own["title"]["text"], x=0.0, xref="paper", xanchor="left",
                          y=top + legend_h / height, yref="paper", yanchor="bottom",
                          showarrow=False, font=dict(size=style.title)))
        notes += [dict(n, xref=f"x{s} domain", yref=f"y{s} domain")
                  for n in own.get("annotations", [])]
        shapes += [dict(sh, xref=f"x{s}", yref=f"y{s} domain")
                   for sh in own.get("shapes", [])]
    return styled_figure(data, style, None, legend_rows=0, height=height, annotations=notes,
                   shapes=shapes, margin=dict(t=6), **layout)
