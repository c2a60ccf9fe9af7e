"""The net itself as pictures: its weights as a diagram (inputs, hidden units, outputs; one
edge per weight), its hidden units' activations as small maps over the inputs."""

import numpy as np

from .style import (
    LINE_SPACING,
    MARKER_LINE,
    NORMAL,
    SIGNED_SCALE,
    colorbar,
    f32,
    plain,
    styled_figure,
)

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
    bar = colorbar("a1")
    if a1.ndim == 2:
        heat = dict(type="heatmap", x=f32(x), y=[f"h{k + 1}" for k in range(h)], z=f32(a1),
                    zmin=lo, zmax=hi, colorscale=SIGNED_SCALE, colorbar=bar,
                    hovertemplate="%{y}: a1 = %{z:.2f}<extra></extra>")
        return styled_figure([heat], style, title, legend_rows=0,
                       title_chars=2 * style.title_chars,  # drawn across the page
                       xaxis=dict(title=dict(text=f"{plain(names[0])} (standardised)")),
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
                colorbar=bar, hoverongaps=False,
                hovertemplate="a1 = %{z:.2f}<extra></extra>")
    labels = [dict(x=c * (n + 1) + n / 2, y=(rows - r) * (n + 1) - 1, text=f"h{k + 1}",
                   showarrow=False, yanchor="bottom", font=dict(size=style.font))
              for k, (r, c) in enumerate(divmod(k, cols) for k in range(h))] if h <= 16 else []
    # Tiles about 100 px (NORMAL) high in a full-width chart: height follows the rows.
    return styled_figure([heat], style, title, legend_rows=0, annotations=labels,
                   title_chars=2 * style.title_chars,  # drawn across the page
                   height=int((style.title + 60 + 100 * rows) * style.font / NORMAL.font),
                   xaxis=dict(visible=False, constrain="domain"),
                   yaxis=dict(visible=False, scaleanchor="x", constrain="domain"))


LEFT_PX = 140   # px per x unit of the network diagram in its narrowest column (x spans ~2.7)


def network_diagram(params, input_names=("x1", "x2"), style=NORMAL, bins=6,
                    title="Weights: width ∝ |w|, blue > 0, orange < 0"):
    """Inputs, hidden units and the output as nodes; one edge per weight, its width in
    proportion to |w| (binned, so the figure has at most 2 * bins edge traces) and its colour
    the sign (SIGNED_SCALE's ends). Hidden and output nodes are filled by their bias.

    params : {"W1": (h, n_in), "b1": (h, 1), "W2": (n_out, h), "b2": (n_out, 1)}; n_out is
        1, or K for a softmax over K >= 3 classes (one output node per class, a2[0] .. a2[K-1])
    """
    W1, b1, W2, b2 = (np.asarray(params[p], dtype=np.float64) for p in ("W1", "b1", "W2", "b2"))
    h, n_in = W1.shape
    n_out = W2.shape[0]

    def column(k):
        return np.linspace(1, 0, k) if k > 1 else np.array([0.5])

    y_in, y_hid, y_out = column(n_in), column(h), column(n_out)
    edges = [(0.0, y_in[i], 1.0, y_hid[j], W1[j, i], f"W1[{j + 1},{i + 1}]")
             for j in range(h) for i in range(n_in)]
    edges += [(1.0, y_hid[j], 2.0, y_out[k], W2[k, j], f"W2[{k + 1},{j + 1}]")
              for k in range(n_out) for j in range(h)]
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
    traces.append(dict(type="scatter", x=f32([(e[0] + e[2]) / 2 for e in edges]),
                       y=f32([(e[1] + e[3]) / 2 for e in edges]), mode="markers",
                       marker=dict(size=6, opacity=0), showlegend=False,
                       text=[f"{e[5]} = {e[4]:.3f}" for e in edges],
                       hovertemplate="%{text}<extra></extra>"))
    bias = np.concatenate([b1.ravel(), b2.ravel()])
    reach = float(max(np.abs(bias).max(), 1e-12))
    outputs = ["a2"] if n_out == 1 else [f"a2[{k}]" for k in range(n_out)]
    labels = [plain(n) for n in input_names] + [f"h{j + 1}" for j in range(h)] + outputs
    # Nodes as large as the column of hidden units leaves room for (the plot is about the
    # figure's height less two title lines; the y range is 1.2), a hidden unit's name inside
    # its node (beside it, it would run into the next node or the edges), and no names when
    # they would be too small to read; hovering still names every node.
    spacing = (style.height - 2 * LINE_SPACING * style.title - 20) / 1.2 / max(h - 1, 1)
    node = min(style.marker * 3.2, 0.9 * spacing)
    inside = round(min(style.font, 0.6 * node))
    named = inside >= 0.75 * style.font
    traces.append(dict(
        type="scatter", x=f32([0.0] * n_in + [1.0] * h + [2.0] * n_out),
        y=f32(np.concatenate([y_in, y_hid, y_out])),
        mode="markers+text", text=labels if named else [*labels[:n_in], *[""] * h, *outputs],
        hovertext=labels,
        textposition=["middle left"] * n_in + ["middle center"] * h + ["middle right"] * n_out,
        textfont=dict(size=[style.font] * n_in + [inside] * h + [style.font] * n_out,
                      shadow="auto"),
        showlegend=False, customdata=[np.nan] * n_in + list(bias),
        hovertemplate="%{hovertext}: bias %{customdata:.3f}<extra></extra>",
        marker=dict(size=node,
                    color=[0.0] * n_in + list(bias), colorscale=SIGNED_SCALE, cmin=-reach,
                    cmax=reach, line=dict(color=MARKER_LINE, width=1.2))))
    # Room on the left for the longest input name, written left of its node: about 0.6 of a
    # font per character, in a plot of about LEFT_PX per x unit ("hours_studied" was cut to
    # "studied" by a fixed margin).
    longest = max((len(str(n)) for n in input_names), default=2)
    left = max(0.35, 0.15 + longest * 0.6 * style.font / LEFT_PX)
    return styled_figure(traces, style, title, legend_rows=0,
                   xaxis=dict(visible=False, range=[-left, 2.35 if n_out == 1 else 2.6]),
                   yaxis=dict(visible=False, range=[-0.08, 1.12]))
