"""The loss landscape: a loss over two parameters as a heatmap with contours (or a 3-D surface),
the paths the two nets took across it, where they started and where they are now.

Colour is on a log scale: log10 of the loss, or of the slope |grad L| (the plateau, where the
slope is orders of magnitude smaller, shows as one dark patch). Contour lines are the loss's, at
equal steps of log10 L: none crosses a plateau. A path is drawn in its loss's colour
(LOSS_COLORS), solid on its own loss's surface, dashed on the other one.
"""

import numpy as np

from .style import LOSS_COLORS, LOSS_LABELS, MARKER_LINE, NORMAL, f32, styled_figure

# Sequential and colour-blind safe, dark for low values: a valley (or a plateau of tiny slope)
# is dark, and the two path colours (reddish purple, bluish green) stay visible on all of it.
LANDSCAPE_SCALE = "Cividis"
CONTOURS = 14            # contour lines across the range of log10 L
SLOPE_DECADES = 4        # the slope's colour scale spans at most this many powers of ten
START_COLOR = "#FFFFFF"
# The maps sit two to a row: a title such as "log-loss around its net, epoch 1000" keeps one
# line in half of 1024 px (the default, sized for a third, would wrap it, and the two maps
# would then start at different heights).
HALF_TITLE_CHARS = {False: 44, True: 36}     # by style.present


def log10(values, floor=1e-300):
    """log10 of positive values; zeros and negatives (an exactly flat spot) at ``floor``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.maximum(np.asarray(values, dtype=np.float64), floor))


def slope_range(surfaces, decades=SLOPE_DECADES):
    """(lo, hi) of log10 |grad L| over several surfaces, each (x, y, L): one colour scale for
    all of them, so that slopes are compared, not just their shapes. At most ``decades`` deep:
    slopes below that are all the darkest colour (flat for any learning rate), and the colours
    go to the orders of magnitude that tell a plateau from a slope."""
    from ..landscape import slope

    logs = [log10(slope(L, x, y)) for x, y, L in surfaces]
    finite = np.concatenate([v[np.isfinite(v)].ravel() for v in logs])
    hi = float(finite.max())
    return max(float(finite.min()), hi - decades), hi


def _ticks(lo, hi, narrow=3):
    """Colour-bar ticks for a log10 range: 1, 2, 5 per decade where the range is narrower than
    ``narrow`` decades, one per decade where it is wide; labels in the quantity's own units."""
    lo, hi = float(lo), float(hi)
    decades = np.arange(np.floor(lo), np.ceil(hi) + 1)
    for steps in ((1, 2, 5),) if hi - lo < narrow else ((1,), (1, 3), (1, 2, 5)):
        ticks = [d + np.log10(s) for d in decades for s in steps]
        ticks = [t for t in ticks if lo - 1e-9 <= t <= hi + 1e-9]
        if len(ticks) >= 2:
            break
    if len(ticks) < 2:   # a narrow range: ticks at its ends
        ticks = [lo, hi]
    return ticks, [f"{10 ** t:.3g}" for t in ticks]


def _colorbar(text, zmin, zmax, style):
    """Below the map, across its width: beside it, it would take a third of a half-page chart's
    width from a map that must stay square (at 1024 px a 220 px map under 600 px of figure)."""
    tickvals, ticktext = _ticks(zmin, zmax)
    return dict(title=dict(text=text, side="bottom", font=dict(size=style.font)), thickness=12,
                orientation="h", x=0.5, xanchor="center", xref="container", len=0.8,
                y=0.0, yanchor="bottom", yref="container", ypad=10,
                tickvals=tickvals, ticktext=ticktext, tickfont=dict(size=style.font))


def _path_traces(paths, own, names, style):
    """The start, then each net's path (a dot per recorded epoch) and its current point.

    paths : {loss: (values (n, 2), epochs (n,))}; ``own`` is this surface's loss.
    """
    first = np.asarray(next(iter(paths.values()))[0], dtype=np.float64)[0]
    traces = [dict(type="scatter", x=[first[0]], y=[first[1]], mode="markers", name="start",
                   meta="start", hovertemplate=f"start<br>{names[0]} = %{{x:.4g}}<br>"
                                               f"{names[1]} = %{{y:.4g}}<extra></extra>",
                   marker=dict(symbol="x", color=START_COLOR, size=style.marker * 1.6,
                               line=dict(color=MARKER_LINE, width=1.5)))]
    for loss, (values, epochs) in paths.items():
        values = np.asarray(values, dtype=np.float64)
        mine = loss == own
        color = LOSS_COLORS[loss]
        who = f"{LOSS_LABELS[loss]} net"
        hover = (f"{who}, epoch %{{customdata}}<br>{names[0]} = %{{x:.4g}}<br>"
                 f"{names[1]} = %{{y:.4g}}<extra></extra>")
        traces.append(dict(
            type="scatter", x=values[:, 0], y=values[:, 1], customdata=np.asarray(epochs),
            mode="lines+markers" if mine else "lines", name=who,
            legendgroup=loss, meta=f"path {loss}", hovertemplate=hover,
            line=dict(color=color, width=style.line * (1.5 if mine else 1.0),
                      dash="solid" if mine else "dash"),
            marker=dict(color=color, size=style.marker * 0.6)))
        traces.append(dict(
            type="scatter", x=values[-1:, 0], y=values[-1:, 1], mode="markers",
            name=f"{who} now", legendgroup=loss, showlegend=False,
            meta=f"now {loss}", customdata=np.asarray(epochs[-1:]), hovertemplate=hover,
            marker=dict(color=color if mine else "rgba(0,0,0,0)", symbol="circle",
                        size=style.marker * (2.2 if mine else 1.8),
                        line=dict(color=color if not mine else "#FFFFFF",
                                  width=style.line))))
    return traces


def landscape_heatmap(x, y, loss_values, loss, names, paths=None, color="loss", zrange=None,
                      style=NORMAL, title=None):
    """One loss over two parameters, seen from above.

    x, y : the parameter values along the axes, shapes (nx,) and (ny,)
    loss_values : (ny, nx), the loss ``loss`` ("mse" | "log_loss") at (x[j], y[i])
    names : the two parameters' names, for the axes
    paths : {loss: (values (n, 2), epochs (n,))}: the nets' paths (the last point is "now")
    color : "loss" (colour = log10 L) or "slope" (colour = log10 |grad L|, from the grid)
    zrange : (lo, hi) of the colour in log10 units, to share one scale between figures;
        default: this surface's own range
    Traces: 0 heatmap (z = the colour in log10 units, customdata = L itself), 1 contours of
    log10 L, the start, then per path: its line and its current point.
    """
    from ..landscape import slope

    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    L = np.asarray(loss_values, dtype=np.float64)
    label = LOSS_LABELS[loss]
    log_loss_values = log10(L)
    if color == "slope":
        z, what = log10(slope(L, x, y)), f"|grad {label}|"
    elif color == "loss":
        z, what = log_loss_values, label
    else:
        raise ValueError(f"color must be 'loss' or 'slope', got {color!r}")
    finite = z[np.isfinite(z)]
    zmin, zmax = zrange if zrange is not None else (finite.min(), finite.max())
    if zmax - zmin < 1e-6:   # a flat picture still needs a colour range
        zmin, zmax = zmin - 0.5, zmax + 0.5
    lmin, lmax = np.nanmin(log_loss_values), np.nanmax(log_loss_values)
    traces = [
        dict(type="heatmap", x=f32(x), y=f32(y), z=f32(z), customdata=f32(L), zmin=zmin,
             zmax=zmax, colorscale=LANDSCAPE_SCALE, zsmooth="fast", name=what,
             colorbar=_colorbar(f"{what} (log scale)", zmin, zmax, style),
             hovertemplate=f"{names[0]} = %{{x:.4g}}<br>{names[1]} = %{{y:.4g}}<br>"
                           f"{label} = %{{customdata:.5g}}<extra></extra>"),
        dict(type="contour", x=f32(x), y=f32(y), z=f32(log_loss_values), showscale=False,
             hoverinfo="skip", name=f"{label} contours", showlegend=False,
             contours=dict(coloring="none", start=lmin, end=lmax,
                           size=max((lmax - lmin) / CONTOURS, 1e-9)),
             line=dict(color="rgba(255,255,255,0.55)", width=1)),
    ]
    if paths:
        traces += _path_traces(paths, loss, names, style)
    # Equal scales: the slope is then at right angles to the contour lines, as on a map.
    axis = dict(showgrid=False, zeroline=False, constrain="domain")
    return styled_figure(
        traces, style, title, legend_rows=2, height=int(style.height * 1.35),
        title_chars=HALF_TITLE_CHARS[style.present],
        xaxis=dict(axis, title=dict(text=names[0]), range=[float(x[0]), float(x[-1])]),
        yaxis=dict(axis, title=dict(text=names[1]), range=[float(y[0]), float(y[-1])],
                   scaleanchor="x", constraintoward="top"))


def landscape_surface(x, y, loss_values, loss, names, path=None, style=NORMAL, title=None):
    """The same loss as a 3-D surface, height log10 L (labelled in L), with one net's path.

    path : (values (n, 2), epochs (n,), losses (n,)): the path's points stand at the loss the
    net had at each epoch (the surface under an earlier point may since have moved).
    Traces: 0 surface (z = log10 L, customdata = L), then the path and its current point.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    L = np.asarray(loss_values, dtype=np.float64)
    label = LOSS_LABELS[loss]
    z = log10(L)
    traces = [dict(type="surface", x=f32(x), y=f32(y), z=f32(z), customdata=f32(L),
                   colorscale=LANDSCAPE_SCALE, showscale=False, name=label,
                   contours=dict(z=dict(show=True, color="rgba(255,255,255,0.5)", width=1,
                                        start=float(z.min()), end=float(z.max()),
                                        size=max(float(z.max() - z.min()) / CONTOURS, 1e-9))),
                   hovertemplate=f"{names[0]} = %{{x:.4g}}<br>{names[1]} = %{{y:.4g}}<br>"
                                 f"{label} = %{{customdata:.5g}}<extra></extra>")]
    lo, hi = float(z.min()), float(z.max())
    if path is not None:
        values, epochs, losses = (np.asarray(a) for a in path)
        height = log10(losses)
        lo, hi = min(lo, float(height.min())), max(hi, float(height.max()))
        color = LOSS_COLORS[loss]
        traces.append(dict(type="scatter3d", x=values[:, 0], y=values[:, 1], z=height,
                           customdata=np.column_stack([epochs, losses]), mode="lines+markers",
                           name=f"{label} net", line=dict(color=color, width=style.line * 2.5),
                           marker=dict(color=color, size=style.marker * 0.4),
                           hovertemplate=f"epoch %{{customdata[0]}}<br>{label} = "
                                         "%{customdata[1]:.5g}<extra></extra>"))
        traces.append(dict(type="scatter3d", x=values[-1:, 0], y=values[-1:, 1], z=height[-1:],
                           mode="markers", name=f"{label} net now", showlegend=False,
                           marker=dict(color=color, size=style.marker * 1.2,
                                       line=dict(color="#FFFFFF", width=2))))
    tickvals, ticktext = _ticks(lo, hi, narrow=1)   # a short axis: 1, 2, 5 would pile up

    def axis(text, **more):
        # (on a projector, 3-D tick labels come out larger than their font's size)
        return dict(tickfont=dict(size=round(style.font * (0.8 if style.present else 1))),
                    nticks=5,
                    title=dict(text=text, font=dict(size=style.font)), **more)

    # The scene's box is drawn to the height it is given: as tall as the heatmaps, it would
    # be wider than half of a 1024 px page and lose its left corner, its z axis with it. So
    # it gets a box about as tall as the column is wide, seen from a little further away.
    scene = dict(xaxis=axis(names[0]), yaxis=axis(names[1]),
                 zaxis=axis(f"{label} (log)", tickvals=tickvals, ticktext=ticktext),
                 aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.75),
                 camera=dict(eye=dict(x=1.6, y=-1.95, z=1.0), center=dict(x=0, y=0, z=-0.2)))
    return styled_figure(traces, style, title, legend_rows=1, height=style.height + 40,
                         title_chars=HALF_TITLE_CHARS[style.present],
                         scene=scene, margin=dict(l=0, r=0, b=0))
