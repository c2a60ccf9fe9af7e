"""Figures as pure functions: arrays in, a Plotly Figure out. No Streamlit here.

One palette everywhere, from Okabe and Ito's colour-blind-safe set: the two classes are
orange and blue (as in TensorFlow Playground), MSE and log-loss are reddish purple and bluish
green, layer 1 and layer 2 are sky blue and vermillion. Train is a solid line, test dashed.
Every function takes a ``style`` (NORMAL, or PRESENT for a projector) that sets font sizes,
line widths and marker sizes explicitly, so no theme can shrink them.
"""

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

CLASS_COLORS = ("#E69F00", "#0072B2")          # class 0, class 1
LOSS_COLORS = {"mse": "#CC79A7", "log_loss": "#009E73"}
LOSS_LABELS = {"mse": "MSE", "log_loss": "log-loss"}
LAYER_COLORS = {"W1": "#56B4E9", "b1": "#56B4E9", "W2": "#D55E00", "b2": "#D55E00"}
PARAM_DASH = {"W1": "solid", "b1": "dot", "W2": "solid", "b2": "dot"}
# Probability 0 -> class-0 orange, 0.5 -> white, 1 -> class-1 blue.
PROBABILITY_SCALE = [[0.0, CLASS_COLORS[0]], [0.5, "#FFFFFF"], [1.0, CLASS_COLORS[1]]]
# Signed values (weights, regression outputs, activations): orange negative, blue positive.
SIGNED_SCALE = PROBABILITY_SCALE


@dataclass(frozen=True)
class Style:
    """Sizes in px. PRESENT is for a projector at 1280x720 seen from the back of a hall."""

    font: int = 13
    title: int = 15
    line: float = 2.0
    marker: float = 6.0
    height: int = 340
    present: bool = False


NORMAL = Style()
PRESENT = Style(font=20, title=24, line=4.0, marker=10.0, height=440, present=True)


AXIS = dict(automargin=True, gridcolor="#E5E5E5", zerolinecolor="#BBBBBB")
# A legend in one row (or a few) between the title and the plot.
TOP_LEGEND = dict(orientation="h", yanchor="bottom", y=1.0, x=0.0, xanchor="left")


def _frame_layout(style, title=None, legend_rows=0):
    """The empty template (importing streamlit makes its own template Plotly's default; with
    theme=None its colour placeholders would reach the browser), a white plot, and at the top,
    stacked without overlap: the title, ``legend_rows`` rows of legend, the plot."""
    head = (style.title + 16 if title else 6) + legend_rows * (style.font + 10)
    layout = dict(template="none", plot_bgcolor="white", margin=dict(t=head))
    if title:
        layout["title"] = dict(text=title, font=dict(size=style.title), x=0.0, xref="paper",
                               xanchor="left", y=1.0, yref="container", yanchor="top",
                               pad=dict(t=8))
    return layout


def apply_style(fig, style=NORMAL, title=None, legend_rows=0, **layout):
    """Fonts on every text element (axes, ticks, legend, title, annotations), margins that grow
    to fit the tick labels, height; ``layout`` wins."""
    fig.update_layout(font=dict(size=style.font), legend=dict(font=dict(size=style.font)),
                      height=style.height, margin=dict(l=10, r=10, b=10))
    fig.update_layout(_frame_layout(style, title, legend_rows))
    fig.update_layout(**layout)
    fig.update_xaxes(tickfont=dict(size=style.font), title_font=dict(size=style.font), **AXIS)
    fig.update_yaxes(tickfont=dict(size=style.font), title_font=dict(size=style.font), **AXIS)
    fig.update_annotations(font_size=style.font)
    return fig


# --- playground figures ---------------------------------------------------------------------
# The Playground's pictures. Inputs are standardised, so the plane is in units of the training
# spread; heatmap grids go out as float32 (or uint8 for animation frames) to keep payloads small.
#
# Speed: every Step redraws six of these, so each is built in ONE go.Figure(data, layout) call.
# Plotly's update_layout / update_xaxes / add_* cost 10-50 ms each (its property machinery);
# a layout dict handed to the constructor costs about 1 ms. apply_style still decides the
# fonts, margins and height: its layout is computed once per style (_styled) and merged in.

MARKER_LINE = "#222222"   # epoch marker, 0.5 contour, fitted curve: neutral, not a palette colour
POINT_COLOR = "#666666"   # regression data: grey, so that no one reads the points as classes


_STYLED = {}


def _styled(style):
    """apply_style's layout for ``style`` as a dict, without a template or title (cached)."""
    if style not in _STYLED:
        layout = apply_style(go.Figure(), style).layout.to_plotly_json()
        layout.pop("template", None)
        layout.pop("title", None)
        _STYLED[style] = layout
    return _STYLED[style]


def _merge(base, extra):
    """Nested dict merge: ``extra`` wins; neither argument is changed."""
    out = dict(base)
    for k, v in extra.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _figure(traces, style, title=None, legend_rows=1, **layout):
    """A Figure with apply_style's layout (fonts, template, title and legend rows at the top,
    growing margins), built in one call; ``layout`` wins."""
    own = _merge(_frame_layout(style, title, legend_rows),
                 dict(legend=TOP_LEGEND, xaxis=AXIS, yaxis=AXIS))
    return go.Figure(data=traces, layout=_merge(_merge(_styled(style), own), layout))


def plane_grid(X, n=80, pad=0.5):
    """A regular n x n grid around the points X of shape (2, m), padded by ``pad`` each side.

    Returns x1 of shape (n,), x2 of shape (n,) and G of shape (2, n*n): the grid's points as
    columns, x1 varying fastest, so values v of shape (n*n,) reshape to z[i2, i1] = (n, n).
    """
    lo, hi = X.min(axis=1) - pad, X.max(axis=1) + pad
    x1, x2 = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    g1, g2 = np.meshgrid(x1, x2)
    return x1, x2, np.vstack([g1.ravel(), g2.ravel()])


def line_grid(X, n=200, pad=0.5):
    """n evenly spaced points around X of shape (1, m): x of shape (n,), G of shape (1, n)."""
    x = np.linspace(X.min() - pad, X.max() + pad, n)
    return x, x[None, :]


def _f32(a):
    return np.asarray(a, dtype=np.float32)


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
        traces.append(dict(type="scatter", x=_f32(X[0, mask]), y=_f32(X[1, mask]),
                           mode="markers", name=f"{split}, class {label}", marker=marker,
                           legendgroup=split, hoverinfo="skip"))
    return traces


def _plane(traces, x1, x2, names, style, title, **layout):
    """Equal scales on both inputs, the grid's extent filling the plot, room for two rows of
    legend, no grid lines over the picture."""
    axis = dict(showgrid=False, zeroline=False, constrain="domain")
    return _figure(traces, style, title, legend_rows=2, height=int(style.height * 1.5),
                   xaxis=dict(axis, title=dict(text=f"{names[0]} (standardised)"),
                              range=[float(x1[0]), float(x1[-1])]),
                   yaxis=dict(axis, title=dict(text=f"{names[1]} (standardised)"),
                              range=[float(x2[0]), float(x2[-1])], scaleanchor="x"),
                   **layout)


def _colorbar(text, **kw):
    return dict(title=dict(text=text, side="right"), thickness=12, len=0.8, **kw)


def decision_boundary(x1, x2, prob, X_train, y_train, X_test=None, y_test=None,
                      names=("x1", "x2"), style=NORMAL, title=None):
    """The predicted probability of class 1 over the plane, its 0.5 contour and the points.

    prob : array of shape (len(x2), len(x1)), probabilities in [0, 1] (sent as float32), or
        uint8 in 0..255 (probability * 255, a quarter of the bytes, for animation frames).
    X_train : (2, m) with y_train (1, m) labels 0/1; X_test, y_test likewise, or None.
    Traces: 0 heatmap, 1 contour, then one scatter per class and split.
    """
    quantised = np.asarray(prob).dtype == np.uint8
    z = np.asarray(prob) if quantised else _f32(prob)
    top = 255 if quantised else 1
    traces = [
        dict(type="heatmap", x=_f32(x1), y=_f32(x2), z=z, zmin=0, zmax=top,
             # "fast" lets the browser smooth the image; "best" interpolates in JS, per pixel
             zsmooth=False if quantised else "fast",
             colorscale=PROBABILITY_SCALE, name="P(class 1)",
             colorbar=_colorbar("P(class 1)", tickvals=[0, top / 2, top],
                                ticktext=["0", "0.5", "1"]),
             hovertemplate=None if quantised else "P(class 1) = %{z:.2f}<extra></extra>"),
        dict(type="contour", x=_f32(x1), y=_f32(x2), z=z, showscale=False, hoverinfo="skip",
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
    traces = [dict(type="scatter", x=_f32(x), y=_f32(pred), mode="lines", name="network",
                   line=dict(color=MARKER_LINE, width=style.line * 1.5)),
              dict(type="scatter", x=_f32(X_train[0]), y=_f32(np.ravel(y_train)),
                   mode="markers", name="train",
                   marker=dict(color=POINT_COLOR, size=style.marker, opacity=0.6))]
    if X_test is not None:
        traces.append(dict(type="scatter", x=_f32(X_test[0]), y=_f32(np.ravel(y_test)),
                           mode="markers", name="test",
                           marker=dict(symbol="circle-open", color=POINT_COLOR,
                                       size=style.marker + 1, line=dict(width=style.line))))
    return _figure(traces, style, title, height=int(style.height * 1.4),
                   xaxis=dict(title=dict(text=f"{names[0]} (standardised)")),
                   yaxis=dict(title=dict(text=target)))


def regression_surface(x1, x2, pred, X_train, y_train, X_test=None, y_test=None,
                       names=("x1", "x2"), target="y", style=NORMAL, title=None):
    """Two inputs: the predicted surface as a heatmap, the points coloured by their target on
    the same colour scale (so a point that vanishes into its background is fitted well).

    pred : array of shape (len(x2), len(x1)). Traces: 0 heatmap, 1 train, 2 test (when given).
    """
    ys = [np.ravel(y_train)] + ([np.ravel(y_test)] if X_test is not None else [])
    reach = float(max(np.abs(np.concatenate(ys)).max(), 1e-9))
    traces = [dict(type="heatmap", x=_f32(x1), y=_f32(x2), z=_f32(pred),
                   coloraxis="coloraxis", zsmooth="fast", name="network",
                   hovertemplate=f"{target} = %{{z:.2f}}<extra></extra>")]
    for split, X, y, symbol in (("train", X_train, y_train, "circle"),
                                ("test", X_test, y_test, "diamond")):
        if X is not None:
            traces.append(dict(
                type="scatter", x=_f32(X[0]), y=_f32(X[1]), mode="markers", name=split,
                marker=dict(color=_f32(np.ravel(y)), coloraxis="coloraxis", symbol=symbol,
                            size=style.marker + 1, line=dict(color=MARKER_LINE, width=0.8)),
                hovertemplate=f"{target} = %{{marker.color:.2f}}<extra>{split}</extra>"))
    return _plane(traces, x1, x2, names, style, title,
                  coloraxis=dict(colorscale=SIGNED_SCALE, cmin=-reach, cmax=reach,
                                 colorbar=_colorbar(target)))


def add_playback(fig, epochs, updates, traces, frame_ms=60, style=NORMAL):
    """Turn ``fig`` into a browser-side animation: one frame per entry of ``epochs``.

    updates[k] is a list of dicts, one per index in ``traces``, with the data that changes at
    epochs[k] (e.g. ``{"z": grid}``). Plotly plays the frames with no server round trip; heatmaps
    need redraw=True. Adds Play/Pause buttons; the title shows the epoch.
    """
    epochs = [int(e) for e in epochs]
    kinds = [fig.data[i].type for i in traces]
    frames = [dict(name=str(e), traces=list(traces),
                   data=[dict(type=k, **u) for k, u in zip(kinds, up, strict=True)],
                   layout=dict(title=dict(text=f"Epoch {e}")))
              for e, up in zip(epochs, updates, strict=True)]
    play = dict(frame=dict(duration=frame_ms, redraw=True), transition=dict(duration=0),
                fromcurrent=True, mode="immediate")
    pause = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0),
                 mode="immediate")
    # The buttons sit under the plot, left. No slider: redrawing it costs ~20 ms a frame, and
    # the page's history slider scrubs every epoch once Play is paused.
    below = 2 * style.font + 16
    layout = _merge(fig.layout.to_plotly_json(), dict(
        title=dict(text=f"Epoch {epochs[0]}", font=dict(size=style.title)),
        margin=dict(b=below + 3 * style.font),
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=-0.12, xanchor="left",
                          yanchor="top", pad=dict(t=0, l=0), showactive=False,
                          font=dict(size=style.font),
                          buttons=[dict(label="▶", method="animate", args=[None, play]),
                                   dict(label="⏸", method="animate", args=[[None], pause])])],
    ))
    if fig.layout.height:
        layout["height"] = fig.layout.height + below
    return go.Figure(data=fig.data, layout=layout, frames=frames)


def _epoch_marker(epoch):
    """A dotted vertical line at ``epoch`` (none at epoch 0: it has no point on the curves)."""
    if not epoch:
        return []
    return [dict(type="line", x0=epoch, x1=epoch, y0=0, y1=1, xref="x", yref="paper",
                 line=dict(color=MARKER_LINE, width=1.5, dash="dot"))]


def _empty_note(n, style):
    if n:
        return []
    return [dict(text="no epochs yet: press Step or Train", showarrow=False, xref="paper",
                 yref="paper", x=0.5, y=0.5, font=dict(size=style.font))]


def _per_epoch(traces, n, epoch, style, title, yaxis):
    return _figure(traces, style, title, shapes=_epoch_marker(epoch),
                   annotations=_empty_note(n, style),
                   xaxis=dict(title=dict(text="epoch")), yaxis=yaxis)


def loss_curves(train_loss, test_loss, loss_name, epoch=None, log_y=False, style=NORMAL,
                title="Loss"):
    """Train (solid) and test (dashed) loss per epoch, in the loss's colour; a dotted marker at
    ``epoch``. Index k-1 of each list holds epoch k."""
    n = len(train_loss)
    x = np.arange(1, n + 1, dtype=np.int32)
    color = LOSS_COLORS[loss_name]
    traces = [dict(type="scatter", x=x, y=_f32(values), mode="lines",
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
    traces = [dict(type="scatter", x=x, y=_f32(values), mode="lines", name=f"{split} {label}",
                   line=dict(color=color or MARKER_LINE, dash=dash, width=style.line))
              for split, values, dash in (("train", train_metric, "solid"),
                                          ("test", test_metric, "dash"))]
    yaxis = dict(title=dict(text=label))
    if metric_name == "accuracy":
        yaxis["range"] = [0, 1.02]
    return _per_epoch(traces, n, epoch, style, title or label.capitalize(), yaxis)


def gradient_norms(grad_norm, epoch=None, style=NORMAL, title="Gradient magnitude per layer"):
    """||dL/dp|| per epoch for p in W1, b1, W2, b2 on a log axis: layer colours, biases dotted."""
    n = len(next(iter(grad_norm.values()), []))
    x = np.arange(1, n + 1, dtype=np.int32)
    traces = []
    for p, values in grad_norm.items():
        v = _f32(values)
        # A zero norm (a dead relu layer) has no place on a log axis: leave a gap.
        traces.append(dict(type="scatter", x=x, y=np.where(v > 0, v, np.nan).astype(np.float32),
                           mode="lines", name=p,
                           line=dict(color=LAYER_COLORS[p], dash=PARAM_DASH[p],
                                     width=style.line)))
    return _per_epoch(traces, n, epoch, style, title,
                      # D2: between decades, label only 2 and 5 (all digits crowd a short axis)
                      dict(title=dict(text="‖dL/dp‖ (log scale)"), type="log",
                           exponentformat="power", dtick="D2"))


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
    legend_h = style.font + 10
    head = style.title + 8 + legend_h  # above each panel: its title, then its legend
    height = int(style.height * 2.4)
    gap = (head + 2.2 * style.font + 16) / height
    span = (1 - 2 * gap - head / height) / 3
    data, layout, notes, shapes = [], {}, [], []
    for i, fig in enumerate(panels):
        s = "" if i == 0 else str(i + 1)
        top = 1 - head / height - i * (span + gap)
        domain = [max(top - span, 0.0), top]
        for trace in fig.data:
            data.append(dict(trace.to_plotly_json(), xaxis=f"x{s}", yaxis=f"y{s}",
                             legend=f"legend{s}"))
        own = fig.layout.to_plotly_json()
        layout[f"xaxis{s}"] = dict(own["xaxis"], anchor=f"y{s}", domain=[0.0, 1.0],
                                   **({"matches": "x"} if i else {}))
        if i < 2:
            layout[f"xaxis{s}"]["title"] = dict(text="")
        layout[f"yaxis{s}"] = dict(own["yaxis"], anchor=f"x{s}", domain=domain)
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
    return _figure(data, style, None, legend_rows=0, height=height, annotations=notes,
                   shapes=shapes, margin=dict(t=6), **layout)


ACTIVATION_RANGE = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def hidden_unit_maps(a1, activation, x=None, names=("x1", "x2"), columns=8, style=NORMAL,
                     title="Hidden units: each unit's activation a1 over the inputs"):
    """Small multiples of each hidden unit's activation, drawn as ONE heatmap (cheap to send
    and to draw, even for 64 units).

    a1 : (n_hidden, n, n) maps over a plane grid (unit h1 top left, row by row), or
         (n_hidden, n) curves over a line grid ``x`` for one input (one row per unit).
    Colours: SIGNED_SCALE, white at the middle of the activation's range (0 for tanh and
    relu, 0.5 for sigmoid).
    """
    a1 = np.asarray(a1)
    h = a1.shape[0]
    lo, hi = ACTIVATION_RANGE.get(activation, (None, None))
    if lo is None:  # relu: unbounded above; keep 0 white
        hi = float(max(a1.max(), 1e-9))
        lo = -hi
    colorbar = _colorbar("a1")
    if a1.ndim == 2:
        heat = dict(type="heatmap", x=_f32(x), y=[f"h{k + 1}" for k in range(h)], z=_f32(a1),
                    zmin=lo, zmax=hi, colorscale=SIGNED_SCALE, colorbar=colorbar,
                    hovertemplate="%{y}: a1 = %{z:.2f}<extra></extra>")
        return _figure([heat], style, title, legend_rows=0,
                       xaxis=dict(title=dict(text=f"{names[0]} (standardised)")),
                       yaxis=dict(autorange="reversed", title=dict(text="unit")))
    n = a1.shape[1]
    cols = min(columns, h)
    rows = -(-h // cols)
    mosaic = np.full((rows * (n + 1) - 1, cols * (n + 1) - 1), np.nan, dtype=np.float32)
    for k in range(h):
        r, c = divmod(k, cols)
        top = (rows - 1 - r) * (n + 1)   # heatmap rows grow upward: first unit at the top
        mosaic[top:top + n, c * (n + 1):c * (n + 1) + n] = a1[k]
    heat = dict(type="heatmap", z=mosaic, zmin=lo, zmax=hi, colorscale=SIGNED_SCALE,
                colorbar=colorbar, hoverongaps=False,
                hovertemplate="a1 = %{z:.2f}<extra></extra>")
    labels = [dict(x=c * (n + 1) + n / 2, y=(rows - r) * (n + 1) - 1, text=f"h{k + 1}",
                   showarrow=False, yanchor="bottom", font=dict(size=style.font))
              for k, (r, c) in enumerate(divmod(k, cols) for k in range(h))] if h <= 16 else []
    # Tiles about 100 px (NORMAL) high in a full-width chart: height follows the rows.
    return _figure([heat], style, title, legend_rows=0, annotations=labels,
                   height=int((style.title + 60 + 100 * rows) * style.font / NORMAL.font),
                   xaxis=dict(visible=False, constrain="domain"),
                   yaxis=dict(visible=False, scaleanchor="x", constrain="domain"))


def network_diagram(params, input_names=("x1", "x2"), style=NORMAL, bins=6,
                    title="Weights: width ∝ |w|, blue > 0, orange < 0"):
    """Inputs, hidden units and the output as nodes; one edge per weight, its width in
    proportion to |w| (binned, so the figure has at most 2 * bins edge traces) and its colour
    the sign (SIGNED_SCALE's ends). Hidden and output nodes are filled by their bias.

    params : {"W1": (h, n_in), "b1": (h, 1), "W2": (1, h), "b2": (1, 1)}
    """
    W1, b1, W2, b2 = (np.asarray(params[p], dtype=np.float64) for p in ("W1", "b1", "W2", "b2"))
    h, n_in = W1.shape

    def column(k):
        return np.linspace(1, 0, k) if k > 1 else np.array([0.5])

    y_in, y_hid, y_out = column(n_in), column(h), column(1)
    edges = [(0.0, y_in[i], 1.0, y_hid[j], W1[j, i], f"W1[{j + 1},{i + 1}]")
             for j in range(h) for i in range(n_in)]
    edges += [(1.0, y_hid[j], 2.0, y_out[0], W2[0, j], f"W2[1,{j + 1}]") for j in range(h)]
    w = np.array([e[4] for e in edges])
    wmax = float(max(np.abs(w).max(), 1e-12))
    level = np.minimum((np.abs(w) / wmax * bins).astype(int), bins - 1)
    thin = 0.5 if h <= 16 else 0.3
    traces = []
    for sign, color in ((-1, SIGNED_SCALE[0][1]), (1, SIGNED_SCALE[-1][1])):
        for b in range(bins):
            xs, ys = [], []
            for (x0, y0, x1, y1, wt, _), lv in zip(edges, level, strict=True):
                if lv == b and (wt < 0) == (sign < 0):
                    xs += [x0, x1, None]
                    ys += [y0, y1, None]
            if xs:
                traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", hoverinfo="skip",
                                   showlegend=False, opacity=0.85,
                                   line=dict(color=color, width=thin + 6 * (b + 1) / bins)))
    # Hover targets at the edges' midpoints, so a weight's value can be read.
    traces.append(dict(type="scatter", x=_f32([(e[0] + e[2]) / 2 for e in edges]),
                       y=_f32([(e[1] + e[3]) / 2 for e in edges]), mode="markers",
                       marker=dict(size=6, opacity=0), showlegend=False,
                       text=[f"{e[5]} = {e[4]:.3f}" for e in edges],
                       hovertemplate="%{text}<extra></extra>"))
    bias = np.concatenate([b1.ravel(), b2.ravel()])
    reach = float(max(np.abs(bias).max(), 1e-12))
    labels = list(input_names) + [f"h{j + 1}" for j in range(h)] + ["a2"]
    traces.append(dict(
        type="scatter", x=_f32([0.0] * n_in + [1.0] * h + [2.0]),
        y=_f32(np.concatenate([y_in, y_hid, y_out])),
        mode="markers+text" if h <= 16 else "markers", text=labels,
        textposition=["middle left"] * n_in + ["top center"] * h + ["middle right"],
        textfont=dict(size=style.font), showlegend=False,
        customdata=[np.nan] * n_in + list(bias),
        hovertemplate="%{text}: bias %{customdata:.3f}<extra></extra>",
        marker=dict(size=(style.marker * 3.2 if h <= 16 else style.marker * 1.6),
                    color=[0.0] * n_in + list(bias), colorscale=SIGNED_SCALE, cmin=-reach,
                    cmax=reach, line=dict(color=MARKER_LINE, width=1.2))))
    return _figure(traces, style, title, legend_rows=0,
                   xaxis=dict(visible=False, range=[-0.35, 2.35]),
                   yaxis=dict(visible=False, range=[-0.08, 1.12]))


# --- comparison figures ---
# MSE vs log-loss: colour = loss (LOSS_COLORS) on every chart; one trace per loss. The two
# static boundaries are drawn with decision_boundary above, the same as the Playground's.


def _compare_empty(fig, n, style):
    """Before the first epoch a curve chart has nothing to draw: say what to do."""
    if n == 0:
        fig.add_annotation(text="No epochs yet: press Step or Train", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5,
                           font=dict(size=style.font, color="#808080"))
    return fig


def _compare_points(X, y, style, showlegend=True):
    """The samples as two scatter traces, class 0 and class 1 (X of shape (2, m), y (m,))."""
    y, X = np.asarray(y).ravel(), np.asarray(X, dtype=np.float32)
    return [go.Scatter(x=X[0, y == c], y=X[1, y == c], mode="markers", name=f"class {c}",
                       legendgroup=f"class {c}", showlegend=showlegend,
                       marker=dict(color=CLASS_COLORS[c], size=style.marker,
                                   line=dict(color="#000000", width=0.5)),
                       hoverinfo="skip")
            for c in (0, 1)]


def compare_accuracy_figure(accuracy, style=NORMAL, title="Test accuracy"):
    """accuracy : {loss: list of test accuracy per epoch (index k-1 = epoch k)}."""
    fig = go.Figure()
    for loss, values in accuracy.items():
        fig.add_trace(go.Scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines",
                                 name=LOSS_LABELS[loss], line=dict(color=LOSS_COLORS[loss],
                                                                   width=style.line)))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="accuracy", range=[0, 1.02])
    _compare_empty(fig, max(map(len, accuracy.values()), default=0), style)
    return apply_style(fig, style, title, legend_rows=1, legend=TOP_LEGEND)


def compare_loss_figure(losses, style=NORMAL, title="Training loss, each on its own axis"):
    """losses : {loss: list of the training loss per epoch}. One row per loss: MSE and
    log-loss are not on one scale (log-loss is unbounded, MSE at most 1)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=len(losses), cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for row, (loss, values) in enumerate(losses.items(), start=1):
        fig.add_trace(go.Scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines",
                                 name=LOSS_LABELS[loss], line=dict(color=LOSS_COLORS[loss],
                                                                   width=style.line)),
                      row=row, col=1)
        fig.update_yaxes(title_text=LOSS_LABELS[loss], rangemode="tozero", row=row, col=1)
    fig.update_xaxes(title_text="epoch", row=len(losses), col=1)
    _compare_empty(fig, max(map(len, losses.values()), default=0), style)
    return apply_style(fig, style, title, legend_rows=1, legend=TOP_LEGEND)


def compare_grad_norm_figure(grad_norms, style=NORMAL, title="Gradient norms (log scale)"):
    """grad_norms : {loss: {"W1": [...], "b1": [...], "W2": [...], "b2": [...]}} per epoch.

    Two panels, layer 1 and layer 2; colour = loss, dash = parameter (weights solid, biases
    dotted, as PARAM_DASH; two neutral legend entries say so). Each data trace carries its
    parameter in ``meta``. Zeros (an exactly vanished gradient) are left out of the log axis.
    """
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04)
    for loss, norms in grad_norms.items():
        for col, params in ((1, ("W1", "b1")), (2, ("W2", "b2"))):
            for p in params:
                values = np.asarray(norms[p], dtype=float)
                values = np.where(values > 0, values, np.nan)
                fig.add_trace(go.Scatter(
                    x=np.arange(1, len(values) + 1), y=values, mode="lines",
                    name=LOSS_LABELS[loss], legendgroup=loss, showlegend=p == "W1", meta=p,
                    hovertemplate=f"{LOSS_LABELS[loss]}, {p}: %{{y:.3g}}<extra></extra>",
                    line=dict(color=LOSS_COLORS[loss], dash=PARAM_DASH[p], width=style.line)),
                    row=1, col=col)
    for p, label in (("W1", "weights"), ("b1", "biases")):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=label,
                                 line=dict(color=MARKER_LINE, dash=PARAM_DASH[p],
                                           width=style.line)), row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", dtick=1)
    fig.update_yaxes(title_text="||dL/dp||", row=1, col=1)
    fig.update_xaxes(title_text="layer 1, by epoch", row=1, col=1)
    fig.update_xaxes(title_text="layer 2, by epoch", row=1, col=2)
    _compare_empty(fig, max((len(n["W1"]) for n in grad_norms.values()), default=0), style)
    return apply_style(fig, style, title, legend_rows=2, legend=TOP_LEGEND)


def delta2_histogram_figure(deltas, style=NORMAL, bins=40, floor=1e-12,
                            title="|delta2| per sample, now"):
    """deltas : {loss: array of |dL/dz2| per sample}. Counts over shared log-spaced bins.

    Values below ``floor`` (including exact zeros) are counted in the first bin at ``floor``.
    The x axis is log10 of |delta2|, labelled in powers of ten.
    """
    logs = {loss: np.log10(np.maximum(np.asarray(v, dtype=float).ravel(), floor))
            for loss, v in deltas.items()}
    everything = np.concatenate(list(logs.values()))
    lo, hi = np.floor(everything.min()), np.ceil(everything.max())
    hi = max(hi, lo + 1)
    edges = np.linspace(lo, hi, bins + 1)
    centers, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    fig = go.Figure()
    for loss, values in logs.items():
        counts, _ = np.histogram(values, bins=edges)
        fig.add_trace(go.Bar(x=centers, y=counts, width=width, name=LOSS_LABELS[loss],
                             marker=dict(color=LOSS_COLORS[loss], line=dict(width=0)),
                             opacity=0.65, customdata=10.0 ** centers,
                             hovertemplate="|delta2| ~ %{customdata:.1e}: %{y} samples"
                                           "<extra></extra>"))
    ticks = np.arange(lo, hi + 1, max(1, int(np.ceil((hi - lo) / 8))))
    fig.update_xaxes(title_text="|delta2| = |dL/dz2| of one sample", tickvals=ticks,
                     ticktext=[f"1e{int(t)}" for t in ticks])
    fig.update_yaxes(title_text="samples")
    return apply_style(fig, style, title, legend_rows=1, legend=TOP_LEGEND, barmode="overlay",
                       bargap=0)


def one_neuron_figure(outputs, threshold=0.5, style=NORMAL,
                      title="One sigmoid neuron, input 1, target 0"):
    """outputs : {loss: a per step (step 0 = the start)}. A dotted line marks ``threshold``."""
    fig = go.Figure()
    for loss, a in outputs.items():
        fig.add_trace(go.Scatter(x=np.arange(len(a)), y=a, mode="lines", name=LOSS_LABELS[loss],
                                 line=dict(color=LOSS_COLORS[loss], width=style.line)))
    fig.add_hline(y=threshold, line=dict(color="#808080", dash="dot", width=1))
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text="output a", range=[0, 1])
    return apply_style(fig, style, title, legend_rows=1, legend=TOP_LEGEND)


def _animation_title(epoch):
    return f"Epoch {epoch}: both boundaries, played in your browser"


def boundary_animation_figure(x1, x2, frames, X, y, style=NORMAL, frame_ms=120):
    """Both nets' boundaries as ONE Plotly animation that plays in the browser.

    frames : list of (epoch, {"mse": uint8 (n2, n1), "log_loss": uint8 (n2, n1)}), where 255
    stands for P(class 1) = 1; uint8 keeps the figure small (Plotly 7 sends arrays as base64).
    Traces 0 and 1 are the two heatmaps (the only ones the frames change), then the samples.
    """
    from plotly.subplots import make_subplots

    losses = list(frames[0][1])
    fig = make_subplots(rows=1, cols=len(losses), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[LOSS_LABELS[loss] for loss in losses])
    colorbar = dict(title=dict(text="P(class 1)", side="right"), thickness=12,
                    tickvals=[0, 127.5, 255], ticktext=["0", "0.5", "1"])
    for col, loss in enumerate(losses, start=1):
        fig.add_trace(go.Heatmap(x=x1, y=x2, z=frames[0][1][loss], zmin=0, zmax=255,
                                 colorscale=PROBABILITY_SCALE, showscale=col == len(losses),
                                 colorbar=colorbar, hoverinfo="skip", name=LOSS_LABELS[loss],
                                 zsmooth="best"),
                      row=1, col=col)
    for col in range(1, len(losses) + 1):
        for trace in _compare_points(X, y, style, showlegend=False):
            fig.add_trace(trace, row=1, col=col)
    fig.frames = [go.Frame(name=str(epoch), traces=list(range(len(losses))),
                           data=[go.Heatmap(z=grids[loss]) for loss in losses],
                           layout=dict(title=dict(text=_animation_title(epoch))))
                  for epoch, grids in frames]
    play = dict(frame=dict(duration=frame_ms, redraw=True), transition=dict(duration=0),
                fromcurrent=True, mode="immediate")
    pause = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0),
                 mode="immediate")
    fig.update_layout(
        updatemenus=[dict(type="buttons", direction="left", x=0, y=-0.2, xanchor="left",
                          yanchor="top", showactive=False, pad=dict(t=0, r=10),
                          font=dict(size=style.font),
                          buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], pause])])],
        sliders=[dict(active=0, x=0.25, len=0.75, y=-0.17, yanchor="top", pad=dict(t=0),
                      currentvalue=dict(visible=False),
                      font=dict(size=style.font),
                      steps=[dict(label=str(epoch), method="animate",
                                  args=[[str(epoch)], dict(pause, frame=dict(duration=0,
                                                                             redraw=True))])
                             for epoch, _ in frames])])
    fig.update_xaxes(range=[x1[0], x1[-1]], title_text="x1 (standardised)")
    fig.update_yaxes(range=[x2[0], x2[-1]])
    fig.update_yaxes(title_text="x2 (standardised)", row=1, col=1)
    fig = apply_style(fig, style, _animation_title(frames[0][0]))
    # room under the title for the subplot titles, and under the plot for the controls
    fig.update_layout(height=style.height + 140,
                      margin=dict(t=fig.layout.margin.t + style.font + 12, b=110))
    return fig
