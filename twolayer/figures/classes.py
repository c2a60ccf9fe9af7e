"""K classes over the plane: each point coloured by the class the net predicts there (the
argmax of its softmax output), shaded by how sure it is (the largest probability).

One heatmap draws it all: z = k + s, where k is the predicted class and s in [0, 1) the
confidence rescaled from [1/K, 1] (a coin toss between all K classes, s = 0) to [0, 1) (certain).
The colour scale has one segment per class, from a faint tint of the class's colour (s = 0)
to a strong one (s -> 1), so the regions show K colours and their borders fade to white where
the net hesitates. The colour bar is the legend: one labelled segment per class.
Animation frames send the same picture as uint8 levels (``region_levels``): L = 255 // K levels
per class, level k * L + floor(s * L), a quarter of float32's bytes.

The palette is from Okabe and Ito's colour-blind-safe set: the two classes of every other page
first (orange, blue), then bluish green, sky blue and vermillion. Of their colours, these keep
the regions (tinted towards white) furthest apart as seen with normal vision, deuteranopia and
protanopia (simulated): reddish purple and bluish green tinted look alike to a deuteranope,
and yellow fades into white on a projector. tests/test_classes.py measures it.
"""

import numpy as np

from .style import CLASS_COLORS, MARKER_LINE, NORMAL, POINT_COLOR, f32, plain, styled_figure

CLASS_PALETTE = (*CLASS_COLORS, "#009E73", "#56B4E9", "#D55E00")
MAX_PALETTE_CLASSES = len(CLASS_PALETTE)
# How much of the class colour (the rest is white) a region gets at the least and the most
# confidence: strong enough to read from the back of a room, light enough that the points,
# drawn in the full colour with a dark outline, stand out on it.
TINT_RANGE = (0.15, 0.65)
TOP = 1.0 - 1e-3          # s stays below 1, so that k + s never reaches the next class's k + 1


def _hex_rgb(color):
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def tint(color, weight):
    """``color`` (#RRGGBB) mixed with white: weight 1 is the colour, 0 is white. '#RRGGBB'."""
    rgb = np.round(255.0 + weight * (_hex_rgb(color) - 255.0)).astype(int)
    return "#" + "".join(f"{c:02X}" for c in rgb)


def region_values(prob):
    """(k, s, z) from class probabilities ``prob`` of shape (K, n2, n1).

    k : int (n2, n1), the predicted class (argmax; the first of equal maxima)
    s : float (n2, n1) in [0, TOP], the confidence: (max prob - 1/K) / (1 - 1/K), capped
    z : float32 (n2, n1), k + s: what the heatmap draws
    """
    prob = np.asarray(prob, dtype=np.float64)
    K = prob.shape[0]
    if prob.ndim != 3 or not 2 <= K <= MAX_PALETTE_CLASSES:
        raise ValueError(f"prob must have shape (K, n2, n1) with K from 2 to "
                         f"{MAX_PALETTE_CLASSES}, got {prob.shape}")
    k = np.argmax(prob, axis=0)
    s = np.clip((prob.max(axis=0) - 1.0 / K) / (1.0 - 1.0 / K), 0.0, TOP)
    return k, s, (k + s).astype(np.float32)


def region_levels(prob):
    """uint8 (n2, n1): k * L + floor(s * L) with L = 255 // K levels per class, for frames.

    The levels of class k fill [k L, (k + 1) L - 1]: drawn with zmax = K L, class k keeps its
    segment k / K .. (k + 1) / K of the colour scale exactly, whatever the rounding.
    """
    k, s, _ = region_values(prob)
    L = 255 // np.asarray(prob).shape[0]
    return (k * L + np.floor(s * L)).astype(np.uint8)


def region_colorscale(n_classes):
    """Plotly colour scale over z in [0, K]: for class k, from tint(colour, 0.15) at z = k to
    tint(colour, 0.65) at z = k + 1 (stops at equal positions make the jumps between classes)."""
    lo, hi = TINT_RANGE
    scale = []
    for k in range(n_classes):
        scale.append([k / n_classes, tint(CLASS_PALETTE[k], lo)])
        scale.append([(k + 1) / n_classes, tint(CLASS_PALETTE[k], hi)])
    return scale


def region_color(k, s):
    """The colour (#RRGGBB) the scale gives a point of class k and confidence s: linear in s
    between the class's two stops. For tests and for a legend drawn elsewhere."""
    lo, hi = TINT_RANGE
    return tint(CLASS_PALETTE[k], lo + (hi - lo) * s)


def _points(X, y, split, n_classes, style):
    """One scatter per class: training points filled, test points as open circles. Not in
    the legend (the colour bar names the classes): see _key."""
    y = np.asarray(y).ravel()
    traces = []
    for k in range(n_classes):
        mask = y == k
        color = CLASS_PALETTE[k]
        marker = (dict(symbol="circle-open", color=color, size=style.marker + 1,
                       line=dict(width=style.line))
                  if split == "test" else dict(color=color, size=style.marker,
                                               line=dict(color=MARKER_LINE, width=0.8)))
        traces.append(dict(type="scatter", x=f32(X[0, mask]), y=f32(X[1, mask]),
                           mode="markers", name=f"{split}, class {k}", marker=marker,
                           legendgroup=split, hoverinfo="skip", showlegend=False))
    return traces


def _key(splits, style):
    """The legend: one grey entry per split (filled: training points, open: test points), so
    that it keeps one row whatever K; 2 K entries pushed a projector's map below the fold."""
    marker = {"train": dict(color=POINT_COLOR, size=style.marker,
                            line=dict(color=MARKER_LINE, width=0.8)),
              "test": dict(symbol="circle-open", color=POINT_COLOR, size=style.marker + 1,
                           line=dict(width=style.line))}
    return [dict(type="scatter", x=[None], y=[None], mode="markers", marker=marker[split],
                 name=f"{split} points", legendgroup=split, hoverinfo="skip")
            for split in splits]


def class_regions(x1, x2, prob, X_train, y_train, X_test=None, y_test=None,
                  names=("x1", "x2"), style=NORMAL, title=None, n_classes=None):
    """The predicted class over the plane, shaded by confidence, and the points.

    x1 : (n1,), x2 : (n2,), the grid's coordinates (standardised inputs)
    prob : (K, n2, n1), the class probabilities a2 on the grid (K = 2 .. 5), e.g.
        twolayer.compare.probabilities of a K-class net; or region_levels of them, uint8
        (n2, n1), with ``n_classes`` = K (no hover values then: a frame carries none)
    X_train : (2, m) with y_train (1, m) integer labels 0 .. K-1; X_test, y_test likewise, or
        None
    Traces: 0 the heatmap (z = k + s, see region_values; customdata = (k, max probability)),
    then one scatter per class for the training points, one per class for the test points,
    and last the legend's grey keys (_key: "train points", "test points"; no data).
    """
    prob = np.asarray(prob)
    if prob.dtype == np.uint8:
        if n_classes is None:
            raise ValueError("uint8 levels need n_classes")
        K, z = int(n_classes), prob
        top, hover = K * (255 // K), {"hoverinfo": "skip"}
    else:
        K = prob.shape[0]
        k, _, z = region_values(prob)
        top = K
        hover = dict(customdata=np.stack([k, prob.max(axis=0)], axis=-1).astype(np.float32),
                     hovertemplate="class %{customdata[0]:.0f}, P = %{customdata[1]:.2f}"
                                   "<extra></extra>")
    traces = [dict(
        # zsmooth off: smoothing would blend z across a border, through other classes' colours
        type="heatmap", x=f32(x1), y=f32(x2), z=z, zmin=0, zmax=top, zsmooth=False,
        colorscale=region_colorscale(K), name="predicted class", **hover,
        # The title on top, not along the bar: a projector's square plot keeps its width.
        colorbar=dict(title=dict(text="darker:<br>surer", side="top"), thickness=12,
                      len=0.8, tickvals=[top * (c + 0.5) / K for c in range(K)],
                      ticktext=[f"class {c}" for c in range(K)]))]
    traces += _points(X_train, y_train, "train", K, style)
    if X_test is not None:
        traces += _points(X_test, y_test, "test", K, style)
    traces += _key(("train",) if X_test is None else ("train", "test"), style)
    axis = dict(showgrid=False, zeroline=False, constrain="domain")
    return styled_figure(
        traces, style, title, legend_rows=1, height=int(style.height * 1.5),
        xaxis=dict(axis, title=dict(text=f"{plain(names[0])} (standardised)"),
                   range=[float(x1[0]), float(x1[-1])]),
        yaxis=dict(axis, title=dict(text=f"{plain(names[1])} (standardised)"),
                   range=[float(x2[0]), float(x2[-1])], scaleanchor="x"))
