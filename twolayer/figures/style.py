"""The one style every figure shares: palette, fonts and sizes, the frame layout, grids.

One palette everywhere, from Okabe and Ito's colour-blind-safe set: the two classes are
orange and blue (as in TensorFlow Playground), MSE and log-loss are reddish purple and bluish
green, layer 1 and layer 2 are sky blue and vermillion. Train is a solid line, test dashed.
Every function takes a ``style`` (NORMAL, or PRESENT for a projector) that sets font sizes,
line widths and marker sizes explicitly, so no theme can shrink them.
"""

import html
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



# Shared by every page family's figures.
# Speed: every Step redraws six figures, so each is built in ONE go.Figure(data, layout) call.
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


def merge(base, extra):
    """Nested dict merge: ``extra`` wins; neither argument is changed."""
    out = dict(base)
    for k, v in extra.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def styled_figure(traces, style, title=None, legend_rows=1, **layout):
    """A Figure with apply_style's layout (fonts, template, title and legend rows at the top,
    growing margins), built in one call; ``layout`` wins."""
    own = merge(_frame_layout(style, title, legend_rows),
                 dict(legend=TOP_LEGEND, xaxis=AXIS, yaxis=AXIS))
    return go.Figure(data=traces, layout=merge(merge(_styled(style), own), layout))


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


def plain(text):
    """Text from outside (an uploaded column's name) for a Plotly label, shown as typed: Plotly
    reads <b>, <a href=...> and &...; in labels (so < > & become entities, which it shows as
    the characters) and %{...} in hover templates (so % becomes &#37;)."""
    return html.escape(str(text), quote=False).replace("%", "&#37;")


def f32(a):
    return np.asarray(a, dtype=np.float32)
