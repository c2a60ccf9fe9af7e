"""The one style every figure shares: palette, fonts and sizes, the frame layout, grids.

One palette everywhere, from Okabe and Ito's colour-blind-safe set: the two classes are
orange and blue (as in TensorFlow Playground), MSE and log-loss are reddish purple and bluish
green, layer 1 and layer 2 are sky blue and vermillion. Train is a solid line, test dashed.
Every function takes a ``style`` (NORMAL, or PRESENT for a projector) that sets font sizes,
line widths and marker sizes explicitly, so no theme can shrink them.
"""

import contextlib
import contextvars
import functools
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
    """Sizes in px. PRESENT is for a projector at 1024x768 or 1280x720 seen from the back of a
    hall. title_chars: a title longer than this wraps onto more lines, so that it fits the
    narrowest chart the pages draw (one of two or three columns at 1024 px)."""

    font: int = 13
    title: int = 15
    line: float = 2.0
    marker: float = 6.0
    height: int = 340
    present: bool = False
    title_chars: int = 36


NORMAL = Style()
PRESENT = Style(font=20, title=24, line=4.0, marker=10.0, height=440, present=True,
                title_chars=32)


def across(style):
    """title_chars for a chart drawn across the page's whole width (twice a column's): the
    narrow default would wrap its title at a third of the width."""
    return 2 * style.title_chars


AXIS = dict(automargin=True, gridcolor="#E5E5E5", zerolinecolor="#BBBBBB")
# A legend in one row (or as many as the width needs) right under the title: placed in the
# container's coordinates, it pushes the plot down by its own height (Plotly's automargin), so
# that neither the title nor the plot is ever drawn over it. y is set per figure.
TOP_LEGEND = dict(orientation="h", x=0.0, xref="container", xanchor="left", yref="container",
                  yanchor="top")
LINE_SPACING = 1.3          # Plotly's line height, in fonts, for a title of several lines


def wrap(text, chars):
    """``text`` with <br> between words so that no line is longer than ``chars`` characters
    (a word longer than that keeps its own line)."""
    lines, line = [], ""
    for word in str(text).split(" "):
        if line and len(line) + 1 + len(word) > chars:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join([*lines, line])


def title_height(text, size):
    """Pixels a title of ``size`` px takes at the top, its lines and padding included."""
    return int(round(8 + (text.count("<br>") + 1) * LINE_SPACING * size + 6))


def _frame_layout(style, title=None, legend_rows=0, height=None, title_chars=None):
    """The empty template (importing streamlit makes its own template Plotly's default; with
    theme=None its colour placeholders would reach the browser), a white plot, and at the top,
    stacked without overlap: the title (wrapped to ``title_chars``), the legend (when
    ``legend_rows``: it takes as many rows as it needs), the plot."""
    height = height or style.height
    layout = dict(template="none", plot_bgcolor="white", margin=dict(t=6))
    top = 0
    if title:
        text = wrap(title, title_chars or style.title_chars)
        top = title_height(text, style.title)
        layout["margin"]["t"] = top
        # Plotly 7 lifts a top-anchored title of several lines by about 0.72 of its font
        # (whatever the number of lines): the padding makes up for it.
        lift = 0.75 * style.title if "<br>" in text else 0
        layout["title"] = dict(text=text, font=dict(size=style.title), x=0.0, xref="container",
                               xanchor="left", y=1.0, yref="container", yanchor="top",
                               pad=dict(t=8 + lift, l=10))
    if legend_rows:
        layout["legend"] = dict(TOP_LEGEND, y=1 - (top + 2) / height)
    return layout


def _standoff(style):
    """Pixels between the x axis and its tick labels: enough that the first one clears the
    lowest y tick label at the corner (half a font above and below its line)."""
    return round(0.5 * style.font)


def apply_style(fig, style=NORMAL, title=None, legend_rows=0, **layout):
    """Fonts on every text element (axes, ticks, legend, title, annotations), margins that grow
    to fit the tick labels, height; ``layout`` wins."""
    fig.update_layout(font=dict(size=style.font), legend=dict(font=dict(size=style.font)),
                      height=style.height, margin=dict(l=10, r=10, b=10))
    chars = layout.pop("title_chars", None)
    fig.update_layout(_frame_layout(style, title, legend_rows, layout.get("height"), chars))
    fig.update_layout(**layout)
    fig.update_xaxes(tickfont=dict(size=style.font), title_font=dict(size=style.font),
                     ticklabelstandoff=_standoff(style), **AXIS)
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


_VALIDATE = contextvars.ContextVar("twolayer_validate_figures", default=True)


@contextlib.contextmanager
def unvalidated():
    """Figures built by styled_figure in this block (or in a function decorated with
    ``@unvalidated()``) skip plotly.py's check of every property
    (the same figure, a quarter of the time): for the live charts, drawn anew on every Step
    from this module's own parts, which the figure tests build validated."""
    token = _VALIDATE.set(False)
    try:
        yield
    finally:
        _VALIDATE.reset(token)


@functools.cache
def _none_template():
    """The "none" template as a validated figure holds it (unvalidated, it stays a name)."""
    return go.Figure(layout=dict(template="none")).layout.template.to_plotly_json()


def styled_figure(traces, style, title=None, legend_rows=1, **layout):
    """A Figure with apply_style's layout (fonts, template, title and legend rows at the top,
    growing margins), built in one call; ``layout`` wins."""
    chars = layout.pop("title_chars", None)
    own = merge(_frame_layout(style, title, legend_rows, layout.get("height"), chars),
                dict(xaxis=dict(AXIS, ticklabelstandoff=_standoff(style)), yaxis=AXIS))
    layout = merge(merge(_styled(style), own), layout)
    if _VALIDATE.get():
        return go.Figure(data=traces, layout=layout)
    if layout.get("template") == "none":
        layout["template"] = _none_template()
    return go.Figure(data=traces, layout=layout, _validate=False)


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


def log_dtick(values, px, font):
    """Plotly's dtick for a log axis ``px`` pixels long over ``values`` (those > 0 count):
    "D2" (1, 2 and 5 in each decade) when three labels a decade fit, else a label every k
    decades, so that tick labels (about 1.8 fonts apart) never pile up."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    decades = float(np.log10(v.max() / v.min())) if v.size else 5.0  # Plotly's empty range
    fit = max(2, int(px // (1.8 * font)))
    if 3 * decades + 1 <= fit:
        return "D2"
    return max(1, int(np.ceil(decades / (fit - 1))))


def log_ticks(values, px, font):
    """The tick layout of a log axis ``px`` pixels long over ``values``: {"dtick": k} (a label
    every k decades), or where three labels a decade fit, the 1, 2 and 5 of each decade as
    tick values labelled in one format ("0.05, 0.1, 0.2"). Plotly's own "D2" writes the decades
    one way and the 2s and 5s another ("2, 10⁻¹, 5, 2"), which reads as a broken scale."""
    dtick = log_dtick(values, px, font)
    if dtick != "D2":
        return {"dtick": dtick}
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = (np.floor(np.log10(v.min())), np.ceil(np.log10(v.max()))) if v.size else (0, 1)
    ticks = [m * 10.0 ** e for e in range(int(lo), int(hi) + 1) for m in (1, 2, 5)]
    ticks = [float(f"{t:.3g}") for t in ticks]
    return {"tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}


def colorbar(text, **kw):
    """A thin colour bar titled on its right (the heatmaps' and the points' colour scales)."""
    return dict(title=dict(text=text, side="right"), thickness=12, len=0.8, **kw)


def plain(text):
    """Text from outside (an uploaded column's name) for a Plotly label, shown as typed: Plotly
    reads <b>, <a href=...> and &...; in labels (so < > & become entities, which it shows as
    the characters) and %{...} in hover templates (so % becomes &#37;)."""
    return html.escape(str(text), quote=False).replace("%", "&#37;")


def f32(a):
    return np.asarray(a, dtype=np.float32)
