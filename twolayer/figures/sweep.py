"""The sweep: learning rate (log axis) against what each loss reaches, colour = loss.

Every trace carries ``meta`` = {"panel", "loss", "kind"} (kind: "median", "band", "diverged",
"not reached", "seed"), so a test or a reader of the JSON finds each one without relying on
the order.
"""

import numpy as np
import plotly.graph_objects as go

from .style import (
    LINE_SPACING,
    LOSS_COLORS,
    LOSS_LABELS,
    MARKER_LINE,
    NORMAL,
    TOP_LEGEND,
    across,
    apply_style,
    title_height,
    wrap,
)

METRIC_LABELS = {"accuracy": "test accuracy", "r2": "test R²"}
DIVERGED_SYMBOL = "x-thin-open"
NOT_REACHED_SYMBOL = "triangle-up-open"
# A panel's own title, above it, in lines of at most this many characters: a third of the
# chart's width at 1024 px. (A rotated y-axis title would reach into the panel to its left.)
PANEL_CHARS = {False: 26, True: 20}     # by style.present
# Across the whole width the legend would sit under the panels' titles: it goes below.
BOTTOM_LEGEND = dict(TOP_LEGEND, y=0.0, yanchor="bottom")


def _lr_ticks(lrs, style):
    """Tick labels at the learning rates swept, as typed. On a projector a panel is about
    200 px wide: seven labels would be turned on their side, so only the powers of ten are
    labelled (every other rate where fewer than two are), the others keep a bare tick."""
    text = [f"{lr:g}" for lr in lrs]
    if not style.present or len(lrs) <= 4:
        return text
    decades = [float(np.log10(lr)).is_integer() for lr in lrs]
    keep = decades if sum(decades) >= 2 else [i % 2 == 0 for i in range(len(lrs))]
    return [t if k else "" for t, k in zip(text, keep, strict=True)]


def _rgba(color, alpha):
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _panel_traces(rows, loss, panel, style, get, first, not_reached=None):
    """A loss's band (min to max) and median line over the learning rates of ``rows``."""
    lr = np.array([s.lr for s in rows])
    median, low, high = (np.array([np.nan if v is None else v for v in values], dtype=float)
                         for values in zip(*(get(s) for s in rows), strict=True))
    color, label = LOSS_COLORS[loss], LOSS_LABELS[loss]
    diverged = [f"{s.diverged} of {s.n} diverged" if s.diverged else "" for s in rows]
    traces = [
        go.Scatter(x=np.concatenate([lr, lr[::-1]]), y=np.concatenate([high, low[::-1]]),
                   fill="toself", fillcolor=_rgba(color, 0.18), line=dict(width=0),
                   mode="lines", name=f"{label}: min to max over seeds", legendgroup=loss,
                   showlegend=first, hoverinfo="skip",
                   meta=dict(panel=panel, loss=loss, kind="band")),
        go.Scatter(x=lr, y=median, mode="lines+markers", name=f"{label}: median",
                   legendgroup=loss, showlegend=first,
                   line=dict(color=color, width=style.line),
                   marker=dict(color=color, size=style.marker),
                   customdata=np.stack([low, high], axis=1), text=diverged,
                   hovertemplate=f"{label}, lr %{{x:g}}: median %{{y:.4g}} "
                                 "(%{customdata[0]:.4g} to %{customdata[1]:.4g}) "
                                 "%{text}<extra></extra>",
                   meta=dict(panel=panel, loss=loss, kind="median"))]
    if not_reached is not None:
        missing = np.isnan(median)
        traces.append(go.Scatter(
            x=lr[missing], y=np.full(missing.sum(), not_reached), mode="markers",
            name="median not reached", legendgroup="not reached", showlegend=False,
            marker=dict(color=color, size=style.marker + 4, symbol=NOT_REACHED_SYMBOL,
                        line=dict(width=2)),
            hovertemplate=f"{label}, lr %{{x:g}}: most seeds never reached the target"
                          "<extra></extra>",
            meta=dict(panel=panel, loss=loss, kind="not reached")))
    return traces


def _diverged_traces(runs, loss, panel, key, style):
    """One marker per diverged run at its final value (its last good weights)."""
    mine = [r for r in runs if r["loss"] == loss and r["diverged"] is not False]
    return [go.Scatter(
        x=[r["lr"] for r in mine], y=[r[key] for r in mine], mode="markers",
        name="diverged run (at its last good weights)", legendgroup="diverged",
        showlegend=False,
        marker=dict(color=LOSS_COLORS[loss], size=style.marker + 5, symbol=DIVERGED_SYMBOL,
                    line=dict(width=2, color=LOSS_COLORS[loss])),
        text=[f"seed {r['seed']} diverged at epoch {r['diverged']}" for r in mine],
        hovertemplate=f"{LOSS_LABELS[loss]}, lr %{{x:g}}, %{{text}}: %{{y:.4g}}<extra></extra>",
        meta=dict(panel=panel, loss=loss, kind="diverged"))]


def sweep_figure(table, runs, epochs, target, metric="accuracy", style=NORMAL, title=None):
    """Three panels over the learning rate (log axis): the final test metric, the final
    training loss (log axis; each net its own loss, so MSE and log-loss are not in the same
    units) and the epochs until the test metric first reached ``target``.

    table : {loss: [Summary per learning rate]}, from twolayer.sweep.summarize
    runs : the sweep's results (dicts), for the diverged runs, marked one by one with an x
    epochs : how long the runs trained; a median that never reached the target is marked at
        this height in the third panel, and the band reaches up to it for runs that did not
    """
    from plotly.subplots import make_subplots

    name = METRIC_LABELS[metric]
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.1 if style.present else 0.07)

    def reach(s):
        # The band spans the seeds that got there, up to the top for those that did not;
        # where none did, there is no band.
        if s.to_target_low is None:
            return s.to_target, None, None
        return s.to_target, s.to_target_low, epochs if s.to_target_high is None \
            else s.to_target_high

    panels = (("metric", lambda s: (s.median, s.low, s.high), None, f"test_{metric}"),
              ("loss", lambda s: (s.loss, s.loss_low, s.loss_high), None, "train_loss"),
              ("epochs to target", reach, epochs, None))
    lrs = sorted({s.lr for rows in table.values() for s in rows})
    for loss, rows in table.items():
        for col, (panel, get, top, key) in enumerate(panels, start=1):
            for trace in _panel_traces(rows, loss, panel, style, get, col == 1, top):
                fig.add_trace(trace, row=1, col=col)
            if key is not None:
                for trace in _diverged_traces(runs, loss, panel, key, style):
                    fig.add_trace(trace, row=1, col=col)
    # Ticks at the learning rates swept, written as they are typed.
    fig.update_xaxes(type="log", title_text="learning rate", tickvals=lrs,
                     ticktext=_lr_ticks(lrs, style), **(dict(tickangle=0) if style.present
                                                        else {}))
    if metric == "accuracy":
        fig.update_yaxes(range=[0, 1.02], row=1, col=1)
    # Labels at 1, 2, 5 x each power of ten over a range of up to two decades; beyond, at
    # the powers of ten alone, so that they never pile up.
    losses = [v for rows in table.values() for s in rows for v in (s.loss_low, s.loss_high)]
    decades = np.log10(max(losses) / min(losses)) if min(losses) > 0 else np.inf
    ticks = dict(dtick="D2", tickformat=".2g") if decades <= 2 else \
        dict(dtick=1, exponentformat="power")
    fig.update_yaxes(type="log", row=1, col=2, **ticks)
    fig.update_yaxes(range=[0, epochs * 1.08], row=1, col=3)
    # Legend entries for the two kinds of marks, in a neutral colour (the marks themselves
    # are in their loss's colour).
    for symbol, label in ((NOT_REACHED_SYMBOL, f"median never reached {target:g} in {epochs} "
                                               "epochs"),
                          (DIVERGED_SYMBOL, "diverged run (at its last good weights)")):
        if any(t.marker.symbol == symbol and len(t.x) for t in fig.data):
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label,
                                     marker=dict(color=MARKER_LINE, size=style.marker + 4,
                                                 symbol=symbol, line=dict(width=2)),
                                     meta=dict(kind="legend")), row=1, col=3)
    # Each panel's title above it, left-aligned with its plot, as many lines as the longest.
    panels = [wrap(text, PANEL_CHARS[style.present]) for text in (
        f"final {name}", "final training loss (each its own)", f"epochs to {name} ≥ {target:g}")]
    lines = max(text.count("<br>") + 1 for text in panels)
    top = title_height(wrap(title, across(style)), style.title) if title else 6
    fig = apply_style(fig, style, title, legend=BOTTOM_LEGEND, title_chars=across(style),
                      height=style.height + 60 + int(lines * LINE_SPACING * style.font))
    fig.update_layout(margin_t=top + int(lines * LINE_SPACING * style.font) + 8)
    for axis, text in zip(("xaxis", "xaxis2", "xaxis3"), panels, strict=True):
        fig.add_annotation(text=text, xref="paper", yref="paper", x=fig.layout[axis].domain[0],
                           y=1.0, xanchor="left", yanchor="bottom", align="left",
                           showarrow=False, yshift=4, font=dict(size=style.font),
                           name="panel title")
    return fig


def seed_curves_figure(curves, target=None, metric="accuracy", style=NORMAL, title=None):
    """The test metric epoch by epoch of every seed, one thin line each, colour = loss.

    curves : {loss: {seed: values per epoch (index e-1 = epoch e), shorter if it diverged}}
    """
    fig = go.Figure()
    for loss, by_seed in curves.items():
        for i, (seed, values) in enumerate(by_seed.items()):
            values = np.asarray(values, dtype=float)
            fig.add_trace(go.Scatter(
                x=np.arange(1, len(values) + 1), y=values, mode="lines",
                name=LOSS_LABELS[loss], legendgroup=loss, showlegend=i == 0,
                line=dict(color=LOSS_COLORS[loss], width=max(1.0, style.line * 0.6)),
                opacity=0.75,
                hovertemplate=f"{LOSS_LABELS[loss]}, seed {seed}, epoch %{{x}}: "
                              "%{y:.3f}<extra></extra>",
                meta=dict(loss=loss, seed=int(seed), kind="seed")))
    if target is not None:
        fig.add_hline(y=target, line=dict(color="#808080", dash="dot", width=1))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text=METRIC_LABELS[metric],
                     **(dict(range=[0, 1.02]) if metric == "accuracy" else {}))
    return apply_style(fig, style, title, legend_rows=1, legend=TOP_LEGEND,
                       title_chars=across(style))
