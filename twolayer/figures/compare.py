"""MSE vs log-loss: colour = loss (LOSS_COLORS) on every chart; one trace per loss. The two
static boundaries are drawn with ``decision_boundary``, the same as the Playground's.
"""

import numpy as np
import plotly.graph_objects as go

from .style import (
    LOSS_COLORS,
    LOSS_LABELS,
    MARKER_LINE,
    NORMAL,
    PARAM_DASH,
    apply_style,
    log_ticks,
)

EMPTY = "No epochs yet:<br>press Step or Train"


def _compare_empty(fig, n, style, empty=EMPTY):
    """Before the first epoch a curve chart has nothing to draw: say what to do (``empty``)."""
    if n == 0:
        fig.add_annotation(text=empty, showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5,
                           font=dict(size=style.font, color="#808080"))
    return fig


def compare_accuracy_figure(accuracy, style=NORMAL, title="Test accuracy", empty=EMPTY):
    """accuracy : {loss: list of test accuracy per epoch (index k-1 = epoch k)}."""
    fig = go.Figure()
    for loss, values in accuracy.items():
        fig.add_trace(go.Scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines",
                                 name=LOSS_LABELS[loss], line=dict(color=LOSS_COLORS[loss],
                                                                   width=style.line)))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="accuracy", range=[0, 1.02])
    _compare_empty(fig, max(map(len, accuracy.values()), default=0), style, empty)
    return apply_style(fig, style, title, legend_rows=1)


def compare_loss_figure(losses, style=NORMAL, title="Training loss, each on its own axis",
                        empty=EMPTY):
    """losses : {loss: list of the training loss per epoch}. One row per loss: MSE and
    log-loss are not on one scale (log-loss is unbounded, MSE at most 1)."""
    from plotly.subplots import make_subplots

    # room between the rows for two tick labels, one above the other
    fig = make_subplots(rows=len(losses), cols=1, shared_xaxes=True,
                        vertical_spacing=max(0.08, 2.4 * style.font / style.height))
    for row, (loss, values) in enumerate(losses.items(), start=1):
        fig.add_trace(go.Scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines",
                                 name=LOSS_LABELS[loss], line=dict(color=LOSS_COLORS[loss],
                                                                   width=style.line)),
                      row=row, col=1)
        fig.update_yaxes(title_text=LOSS_LABELS[loss], rangemode="tozero", row=row, col=1)
    fig.update_xaxes(title_text="epoch", row=len(losses), col=1)
    _compare_empty(fig, max(map(len, losses.values()), default=0), style, empty)
    return apply_style(fig, style, title, legend_rows=1)


def compare_grad_norm_figure(grad_norms, style=NORMAL,
                             title="Gradient norms by epoch (log scale)", empty=EMPTY):
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
    every = [v for norms in grad_norms.values() for p in PARAM_DASH for v in norms[p]]
    fig.update_yaxes(type="log", exponentformat="power",
                     **log_ticks(every, 0.6 * style.height, style.font))
    fig.update_yaxes(title_text="||dL/dp||", row=1, col=1)
    # Two half-width panels: short axis titles and few epoch labels, so that neither the
    # labels (Plotly would turn them on their side) nor the two titles run into each other.
    fig.update_xaxes(nticks=4, tickangle=0)
    fig.update_xaxes(title_text="layer 1", row=1, col=1)
    fig.update_xaxes(title_text="layer 2", row=1, col=2)
    _compare_empty(fig, max((len(n["W1"]) for n in grad_norms.values()), default=0), style,
                   empty)
    return apply_style(fig, style, title, legend_rows=2)


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
    most = 5 if style.present else 8  # labels that fit a chart in a column, side by side
    ticks = np.arange(lo, hi + 1, max(1, int(np.ceil((hi - lo) / (most - 1)))))
    fig.update_xaxes(title_text="|delta2| = |dL/dz2| of one sample", tickvals=ticks,
                     ticktext=[f"1e{int(t)}" for t in ticks])
    fig.update_yaxes(title_text="samples")
    return apply_style(fig, style, title, legend_rows=1, barmode="overlay",
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
    # drawn across the page: twice the room of a chart in a column
    return apply_style(fig, style, title, legend_rows=1, title_chars=2 * style.title_chars)
