// A chart drawn from the figure Python sent: created once, drawn again only when its data
// changed, at its box's width, and drawn again from the last figure when found cleared.
import { CONFIG, call, own } from "./chart.js";
import { decode } from "./codec.js";
import { full, mainSvg } from "./internals.js";
import { unpaint } from "./paint.js";
import { fit, size, square } from "./sizing.js";
import { playing } from "./state.js";
import { hold, keep, listen, release } from "./still.js";

export function chart(name, className) {
  const div = document.createElement("div");
  div.className = className;
  div.dataset.chart = name;
  return div;
}

// Where the browser's time goes, for benchmarks/bench_app.py only: it sets globalThis.tlTiming
// before the page loads. Left on, the entries would pile up (one per frame) for as long as a
// tab plays.
export function measure(name, start, end) {
  if (globalThis.tlTiming) performance.measure(name, { start, end });
}

// A chart is drawn again only when its hash changed; data-hash says what it shows (tests and
// the benchmark wait for it).
export function draw(s, charts) {
  const drawn = [];
  for (const [name, chart] of Object.entries(charts || {})) {
    const gd = s.divs[name];
    if (!gd || !chart || !chart.figure) continue;
    s.last[name] = chart;
    if (s.drawn[name] === chart.hash) continue;
    s.drawn[name] = chart.hash;
    const t0 = performance.now();
    const fig = decode(chart.figure);
    const t1 = performance.now();
    const still = unchanged(s, name, gd, chart, fig);
    drawn.push(safely(() => react(gd, fig, still), `twolayer live chart ${name}`)
      .then(() => {
        gd.dataset.hash = chart.hash;
        // Where a redraw's time goes (read by benchmarks/bench_app.py): decoding, Plotly.
        measure(`tl decode ${name}`, t0, t1);
        measure(`tl draw ${name}`, t1, performance.now());
      })
      .catch((err) => console.error(`twolayer live chart ${name}:`, err)));
  }
  return Promise.all(drawn);
}

// A chart that Plotly fails to draw is reported and left as it is: the others, Play and the
// keys go on (an error thrown here would take the whole component off the page).
function safely(draw, what) {
  try {
    return draw();
  } catch (err) {
    console.error(`${what}:`, err);
    return Promise.reject(err);
  }
}

// A square picture's data points whose trace did not change (nor the layout, its title
// aside) since the chart was last drawn from Python: the hundreds of SVG markers cost more to
// draw than the picture under them, so they are kept as they are drawn (see keep).
function unchanged(s, name, gd, chart, fig) {
  const before = s.parts[name], now = chart.parts;
  s.parts[name] = now;
  if (!own(gd).square || !before || !now || before.layout !== now.layout) return [];
  if (!full(gd) || !gd.clientWidth || gd.clientWidth !== full(gd).width) return [];
  return now.traces.map((_, i) => i).filter((i) => now.traces[i] === before.traces[i]
    && fig.data[i] && fig.data[i].type === "scatter" && fig.data[i].visible === undefined);
}

export function react(gd, fig, still = []) {
  unpaint(gd, false);
  keep(gd, fig, still);
  for (const trace of fig.data || []) placehold(trace);
  const held = own(gd).held;
  const layout = fig.layout || {};
  own(gd).square = square(layout);
  own(gd).height = layout.height || 450;        // the figure's own height (Plotly's default)
  // A legend placed in the container's coordinates keeps its distance from the top in pixels
  // when the height changes (fit): it sits under the title whatever the height.
  const legend = layout.legend;
  own(gd).legendTop = legend && legend.yref === "container" && typeof legend.y === "number"
    ? (1 - legend.y) * own(gd).height : null;
  for (const [key, value] of Object.entries(size(gd, layout))) {
    if (key === "legend.y") layout.legend.y = value;
    else layout[key] = value;
  }
  if (layout.height) gd.style.minHeight = `${layout.height}px`;
  const t0 = performance.now();
  const drawn = call(gd, "react", fig.data || [], layout, CONFIG).then((ok) => {
    if (!ok) throw new Error("not drawn");
  });
  const which = gd.classList.contains("tl-back") ? "ahead" : "react";   // the next Step's
  measure(`tl ${which} ${gd.dataset.chart}`, t0, performance.now());
  if (held) drawn.then(() => listen(gd, held), () => {});
  if (!own(gd).square) return drawn;
  return drawn.then(() => new Promise(requestAnimationFrame)).then(() => fit(gd));
}

// The box changed width: the chart is drawn again at it (while playing, with its margins let
// go and held again at the new size).
export function resize(s, gd) {
  const width = gd.clientWidth;
  if (!width || !full(gd)) return;
  if (width === full(gd).width) {      // shown again as it was (hidden by a rerun)
    if (playing(s) && !own(gd).held) hold(gd, (s.still || {})[gd.dataset.chart]);
    return;
  }
  unpaint(gd);
  release(gd);
  call(gd, "relayout", size(gd, null))
    .then(() => fit(gd))
    .then(() => { if (playing(s)) hold(gd, (s.still || {})[gd.dataset.chart]); })
    .catch((err) => console.error("twolayer live chart resize:", err));
}

// A line with no points yet (an empty history) gets one missing point, drawn as nothing:
// Plotly shows no legend for a trace without points, and the legend says what Step or Play
// will draw there. (Play's first frame then needs no Plotly call of its own: curves.js.)
function placehold(trace) {
  if ((trace.type || "scatter") !== "scatter" || trace.mode !== "lines") return;
  if ((trace.x || []).length || (trace.y || []).length) return;
  trace.x = [null];
  trace.y = [null];
}

// A chart found cleared (no SVG, no data: Plotly's element emptied by a drawing cut short) is
// drawn again from the last chart Python sent; while playing, the frames go on over it.
export function repair(s) {
  if (s.gone || s.repairing) return;
  const broken = {};
  for (const [name, gd] of Object.entries(s.divs)) {
    const chart = s.last[name];
    if (!chart || own(gd).gone || !gd.isConnected) continue;
    if (mainSvg(gd) && full(gd) && gd.data && gd.data.length) continue;
    s.drawn[name] = null;
    broken[name] = chart;
  }
  if (!Object.keys(broken).length) return;
  s.repairing = true;
  draw(s, broken).then(() => {
    s.repairing = false;
    if (playing(s)) for (const name of Object.keys(broken)) hold(s.divs[name], (s.still || {})[name]);
  });
}
