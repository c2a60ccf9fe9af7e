// The size of a chart: its box's width, and for a square plot the height that makes the plot
// area square (see fit).
import { call, own } from "./chart.js";
import { axisLabels, full, margins, plotArea } from "./internals.js";
import { release } from "./still.js";

// Width: the box's. Height: the figure's own; for a square plot (y scaled to x, the boundary
// pictures) the height that makes the plot area as tall as the width gives it, so that no empty
// band is left under it (at most MAX_SQUARE of the window's height: then the plot is narrower).

const MAX_SQUARE = 0.92;

export function square(layout) {             // not the hidden units' tiles (no axes drawn)
  const y = layout && layout.yaxis;
  return Boolean(y && y.scaleanchor === "x" && y.visible !== false);
}

export function size(gd, layout) {
  const width = gd.clientWidth;
  if (!width) return {};                     // hidden: Plotly's own guess, redone when shown
  const out = { width };
  const known = own(gd).square && (own(gd).fitted && own(gd).fitted.width === width ? own(gd).fitted.height
                                                                           : remembered(gd, width));
  if (known) out.height = known;
  else if (layout && !layout.height) out.height = own(gd).height;
  return Object.assign(out, legendAt(gd, out.height || (layout && layout.height)));
}

// The height a square chart was fitted to at a width, kept for the browser tab's session: a
// reload draws it at that height at once instead of fitting it again (a redraw or two).
export function remembered(gd, width, height) {
  const key = `twolayer.fit.${gd.dataset.chart}.${width}.${own(gd).height}`;
  try {
    if (height) sessionStorage.setItem(key, String(height));
    else return Number(sessionStorage.getItem(key)) || null;
  } catch (err) {                  // storage refused (a private window): fit each time
    return null;
  }
  return null;
}

export function legendAt(gd, height) {
  if (own(gd).legendTop === null || own(gd).legendTop === undefined || !height) return {};
  return { "legend.y": 1 - own(gd).legendTop / height };
}

// The height a square chart needs at its width, measured on the chart as drawn: the room its
// y ticks and title take left of the plot, the x ticks and title under it, the margin right
// of it (the colour bar), the title and legend above (Plotly's margins alone do not say: a plot with room
// to spare is centred, and automargin pushes only what would fall outside). A new height may
// move a tick label by a pixel: done again, up to three times, until it changes by <= 2 px.
export function fit(gd, tries = 3) {
  const fl = full(gd);
  if (!own(gd).square || !fl || !fl.xaxis || !fl.yaxis || !tries || !gd.clientWidth) {
    return undefined;
  }
  const box = gd.getBoundingClientRect();
  const plot = plotArea(gd);
  if (!plot) return undefined;
  const p = plot.getBoundingClientRect();
  const extent = (labels, side) => [...axisLabels(gd, labels)]
    .map((el) => el.getBoundingClientRect()).filter((r) => r.width || r.height)
    .reduce((m, r) => (side === "min" ? Math.min(m, r.left) : Math.max(m, r[side])),
            side === "min" ? p.left : p[side === "right" ? "right" : "bottom"]);
  const left = p.left - Math.max(box.left, extent("left", "min"));
  const right = margins(fl).r;           // the colour bar is placed from the paper's edge
  const below = extent("below", "bottom") - p.bottom;
  const x = fl.xaxis.range, y = fl.yaxis.range;
  const ratio = Math.abs((y[1] - y[0]) / (x[1] - x[0])) * (fl.yaxis.scaleratio || 1);
  const width = Math.max(fl.width - Math.max(left, fl.margin.l) - right, 50);
  let height = Math.ceil(margins(fl).t + width * ratio + Math.max(below, fl.margin.b) + 4);
  height = Math.max(200, Math.min(height, Math.round(MAX_SQUARE * window.innerHeight)));
  if (!Number.isFinite(height)) return undefined;
  own(gd).fitted = { width: fl.width, height };
  remembered(gd, fl.width, height);
  if (Math.abs(height - fl.height) <= (tries < 3 ? 4 : 2)) return undefined;   // no 2nd redraw for 3 px
  gd.style.minHeight = `${height}px`;
  if (own(gd).held && !own(gd).held.play) release(gd);   // a copy of the points would not follow
  return call(gd, "relayout", { height, ...legendAt(gd, height) })
    .then(() => new Promise(requestAnimationFrame))
    .then(() => fit(gd, tries - 1));
}
