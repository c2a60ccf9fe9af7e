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


def apply_style(fig, style=NORMAL, title=None, **layout):
    """Fonts on every text element (axes, ticks, legend, title, colorbar), margins, height."""
    fig.update_layout(
        title=dict(text=title, font=dict(size=style.title)) if title else None,
        font=dict(size=style.font),
        legend=dict(font=dict(size=style.font)),
        height=style.height,
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        **layout,
    )
    fig.update_xaxes(tickfont=dict(size=style.font), title_font=dict(size=style.font))
    fig.update_yaxes(tickfont=dict(size=style.font), title_font=dict(size=style.font))
    fig.update_annotations(font_size=style.font)
    return fig
