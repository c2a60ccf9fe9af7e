// Live charts for twolayer: Plotly charts created once and updated in place, and Play frames
// played here, one per animation frame, while the next chunk is asked for ahead of time.
// The data format is described in twolayer/ui/live/__init__.py. plotly.js is the copy in the
// installed plotly package, served by the app next to this file's directory.
import "../twolayer.plotly/plotly.min.js";

const Plotly = window.Plotly;
const RETRY_MS = 4000;             // ask again for a chunk that has not come
const LAZY_MS = 450;               // a lazy patch is drawn at most this often (see flush),
const LAZY_GAP_MS = 120;           // and never two lazy charts within this of each other
const PACE_MS = 1000;              // Play's pace is judged over the last second (see pace)
const SLOW = 0.8;                  // slower than this share of the screen's rate: said so
const REPAIR_MS = 1000;            // how often a cleared chart is looked for (see repair)
// Not Plotly's own "responsive" (it follows the window, on a 100 ms timer that can read a size
// the box no longer has): every chart is drawn at its box's width, set here (see size).
const CONFIG = { displaylogo: false, responsive: false };

// -- arrays --------------------------------------------------------------------------------

const TYPED = { i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array,
                i4: Int32Array, u4: Uint32Array, f4: Float32Array, f8: Float64Array };

function bytes(b64) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64);
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function rows(flat, shape) {       // a 2-D grid as Plotly takes it: an array of row views
  if (!shape || shape.length < 2) return flat;
  const [n, m] = shape;
  return Array.from({ length: n }, (_, i) => flat.subarray(i * m, (i + 1) * m));
}

// {"dtype", "bdata", "shape"} (Plotly's) and {"u8", "lo", "hi", "shape"} (8-bit levels, code
// 255 = NaN) become typed arrays; everything else is copied as it is.
function decode(v) {
  if (Array.isArray(v)) return v.map(decode);
  if (v === null || typeof v !== "object") return v;
  if (typeof v.bdata === "string" && typeof v.dtype === "string") {
    const raw = bytes(v.bdata), T = TYPED[v.dtype];
    const flat = new T(raw.buffer, raw.byteOffset, raw.byteLength / T.BYTES_PER_ELEMENT);
    return rows(flat, v.shape && String(v.shape).split(",").map(Number));
  }
  if (typeof v.u8 === "string") {
    const q = bytes(v.u8), out = new Float32Array(q.length), step = (v.hi - v.lo) / 254;
    for (let i = 0; i < q.length; i++) out[i] = q[i] === 255 ? NaN : v.lo + q[i] * step;
    return rows(out, v.shape);
  }
  const out = {};
  for (const k of Object.keys(v)) out[k] = decode(v[k]);
  return out;
}

function concat(a, b) {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const out = new a.constructor(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }
  return Array.from(a || []).concat(Array.from(b));
}

// -- every Plotly call on a chart ------------------------------------------------------------
// Plotly's own continuations (a redraw for the margins, an event after drawing) read what
// Plotly.purge deletes: a chart taken off the page (a page switch, a rerun that drops the
// component) is purged only once no call on it is under way, and no call starts on it after.
// A failure is reported in the console, never left uncaught (resolves false).

function call(gd, op, ...args) {
  if (gd.__gone) return Promise.resolve(false);
  gd.__calls = (gd.__calls || 0) + 1;
  let out;
  try {
    out = Promise.resolve(Plotly[op](gd, ...args));
  } catch (err) {
    out = Promise.reject(err);
  }
  return out.then(() => true, (err) => {
    if (!gd.__gone) console.error(`twolayer live chart ${gd.dataset.chart} (${op}):`, err);
    return false;
  }).finally(() => {
    gd.__calls -= 1;
    if (gd.__gone && !gd.__calls) purge(gd);
  });
}

function purge(gd) {
  gd.__gone = true;
  if (gd.__calls) return;          // purged when the last call is done (see call)
  try {
    Plotly.purge(gd);
  } catch (err) {
    console.error("twolayer live chart purge:", err);
  }
}

// -- one mounted component -----------------------------------------------------------------

const mounts = new WeakMap();      // parentElement -> state of that mount
let active = null;                 // the mount the presenter keys and the Pause click go to

function mount(parentElement) {
  const root = document.createElement("div");
  root.className = "tl-live";
  parentElement.appendChild(root);
  // Each chart is drawn at its box's width: the sidebar opening or the grid going to one
  // column resizes the charts here. A hidden box (Streamlit hides an element for a moment
  // during some reruns) says nothing about the width: it is not acted on.
  const resized = new Set();
  let pending = 0;
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) resized.add(entry.target);
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      if (resized.has(root)) stack(s);
      for (const gd of resized) if (gd !== root) resize(s, gd);
      resized.clear();
      prepare(s);                  // the next Step's charts, at the new width
    });
  });
  observer.observe(root);
  const s = {
    parentElement, root, cells: {}, divs: {}, back: {}, drawn: {}, parts: {}, keys: null,
    trigger: null, ahead: null,
    landing: {},                   // chart name -> the next Step's chart being drawn ahead
    play: { id: null, stopped: true, seen: new Set(), queue: [], shown: null,
            lastSeq: -1, asked: -1, askedAt: 0, ahead: 90, end: null, raf: 0 },
    pace: fresh(),                 // Play's pace against the screen's (see pace)
    lazy: {},                      // chart name -> {patch, drawn}: patches waiting to be drawn
    last: {},                      // chart name -> the last chart sent (to draw a cleared one)
    calls: 0,                      // how many times the data came (see busy)
    busy: null,                    // a Play, Pause or Step handed to Python, not yet answered
    queued: 0,                     // Step clicks made meanwhile, each taken in its turn
  };
  s.observer = observer;
  // A chart found cleared while nothing else would draw it again (see repair).
  s.watch = setInterval(() => { if (!playing(s) && !s.busy) repair(s); }, REPAIR_MS);
  s.cleanup = () => {
    observer.disconnect();
    stop(s);
    for (const gd of [...Object.values(s.divs), ...Object.values(s.back)]) purge(gd);
    s.gone = true;
    unbusy(s);
    clearInterval(s.watch);
    // Streamlit may call the component again on the same element after this (a quick Play /
    // Pause did): it then starts afresh instead of finding purged charts it thinks drawn.
    root.remove();
    if (mounts.get(parentElement) === s) mounts.delete(parentElement);
    if (active === s) active = null;
  };
  return s;
}

// One column when the component is narrower than grid.stack px (a projector at 1024 wide).
function stack(s) {
  if (!s.root.clientWidth) return;                      // hidden: no width to go by
  const narrow = s.grid && s.root.clientWidth < (s.grid.stack || 0);
  s.root.classList.toggle("tl-stacked", Boolean(narrow));
}

function layout(s, grid) {
  if (!grid) return;
  s.grid = grid;
  s.root.style.gridTemplateColumns = grid.columns || "";
  s.root.style.gridTemplateAreas = (grid.areas || []).map((r) => `"${r}"`).join(" ");
  stack(s);
  const names = new Set((grid.areas || []).join(" ").split(/\s+/).filter(Boolean));
  for (const name of names) {
    if (s.divs[name]) continue;
    const cell = document.createElement("div");      // the chart shown, and the next Step's
    cell.className = "tl-cell";
    cell.style.gridArea = name;
    s.root.appendChild(cell);
    s.cells[name] = cell;
    s.divs[name] = chart(name, "tl-chart");
    cell.appendChild(s.divs[name]);
    s.observer.observe(s.divs[name]);
  }
}

function chart(name, className) {
  const div = document.createElement("div");
  div.className = className;
  div.dataset.chart = name;
  return div;
}

// Where the browser's time goes, for benchmarks/bench_app.py only: it sets globalThis.tlTiming
// before the page loads. Left on, the entries would pile up (one per frame) for as long as a
// tab plays.
function measure(name, start, end) {
  if (globalThis.tlTiming) performance.measure(name, { start, end });
}

// A chart is drawn again only when its hash changed; data-hash says what it shows (tests and
// the benchmark wait for it).
function draw(s, charts) {
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
  if (!gd.__square || !before || !now || before.layout !== now.layout) return [];
  if (!gd._fullLayout || !gd.clientWidth || gd.clientWidth !== gd._fullLayout.width) return [];
  return now.traces.map((_, i) => i).filter((i) => now.traces[i] === before.traces[i]
    && fig.data[i] && fig.data[i].type === "scatter" && fig.data[i].visible === undefined);
}

// The traces `still` of the figure about to be drawn stay as a copy of their drawing (the one
// already there when it holds the same traces) and are drawn "legendonly" (legend, no markers).
function keep(gd, fig, still) {
  const held = gd.__held;
  let copy = null;
  if (held && held.copy && held.traces.join() === still.join()) {
    copy = held.copy;                          // already a copy of these very traces
    held.copy = null;
  } else if (held && held.copy) {
    still = [];                                // what is on screen is not theirs to copy
  }
  release(gd, false);
  if (!still.length) return;
  copy = copy || copyOf(gd, still);
  if (!copy) return;
  for (const i of still) fig.data[i].visible = "legendonly";
  gd.__held = { before: {}, copy, traces: still, visible: still.map(() => true), play: false };
  gd.classList.add("tl-frozen");
}

function react(gd, fig, still = []) {
  unpaint(gd, false);
  keep(gd, fig, still);
  const held = gd.__held;
  const layout = fig.layout || {};
  gd.__square = square(layout);
  gd.__height = layout.height || 450;        // the figure's own height (Plotly's default)
  // A legend placed in the container's coordinates keeps its distance from the top in pixels
  // when the height changes (fit): it sits under the title whatever the height.
  const legend = layout.legend;
  gd.__legendTop = legend && legend.yref === "container" && typeof legend.y === "number"
    ? (1 - legend.y) * gd.__height : null;
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
  if (!gd.__square) return drawn;
  return drawn.then(() => new Promise(requestAnimationFrame)).then(() => fit(gd));
}

// -- the size of a chart ----------------------------------------------------------------------
// Width: the box's. Height: the figure's own; for a square plot (y scaled to x, the boundary
// pictures) the height that makes the plot area as tall as the width gives it, so that no empty
// band is left under it (at most MAX_SQUARE of the window's height: then the plot is narrower).

const MAX_SQUARE = 0.92;

function square(layout) {             // not the hidden units' tiles (no axes drawn)
  const y = layout && layout.yaxis;
  return Boolean(y && y.scaleanchor === "x" && y.visible !== false);
}

function size(gd, layout) {
  const width = gd.clientWidth;
  if (!width) return {};                     // hidden: Plotly's own guess, redone when shown
  const out = { width };
  const known = gd.__square && (gd.__fitted && gd.__fitted.width === width ? gd.__fitted.height
                                                                           : remembered(gd, width));
  if (known) out.height = known;
  else if (layout && !layout.height) out.height = gd.__height;
  return Object.assign(out, legendAt(gd, out.height || (layout && layout.height)));
}

// The height a square chart was fitted to at a width, kept for the browser tab's session: a
// reload draws it at that height at once instead of fitting it again (a redraw or two).
function remembered(gd, width, height) {
  const key = `twolayer.fit.${gd.dataset.chart}.${width}.${gd.__height}`;
  try {
    if (height) sessionStorage.setItem(key, String(height));
    else return Number(sessionStorage.getItem(key)) || null;
  } catch (err) {                  // storage refused (a private window): fit each time
    return null;
  }
  return null;
}

function legendAt(gd, height) {
  if (gd.__legendTop === null || gd.__legendTop === undefined || !height) return {};
  return { "legend.y": 1 - gd.__legendTop / height };
}

// The height a square chart needs at its width, measured on the chart as drawn: the room its
// y ticks and title take left of the plot, the x ticks and title under it, the margin right
// of it (the colour bar), the title and legend above (Plotly's margins alone do not say: a plot with room
// to spare is centred, and automargin pushes only what would fall outside). A new height may
// move a tick label by a pixel: done again, up to three times, until it changes by <= 2 px.
function fit(gd, tries = 3) {
  const fl = gd._fullLayout;
  if (!gd.__square || !fl || !fl.xaxis || !fl.yaxis || !tries || !gd.clientWidth) {
    return undefined;
  }
  const box = gd.getBoundingClientRect();
  const plot = gd.querySelector(".nsewdrag");
  if (!plot) return undefined;
  const p = plot.getBoundingClientRect();
  const extent = (selector, side) => [...gd.querySelectorAll(selector)]
    .map((el) => el.getBoundingClientRect()).filter((r) => r.width || r.height)
    .reduce((m, r) => (side === "min" ? Math.min(m, r.left) : Math.max(m, r[side])),
            side === "min" ? p.left : p[side === "right" ? "right" : "bottom"]);
  const left = p.left - Math.max(box.left, extent(".g-ytitle, .yaxislayer-above", "min"));
  const right = fl._size.r;           // the colour bar is placed from the paper's edge
  const below = extent(".g-xtitle, .xaxislayer-above", "bottom") - p.bottom;
  const x = fl.xaxis.range, y = fl.yaxis.range;
  const ratio = Math.abs((y[1] - y[0]) / (x[1] - x[0])) * (fl.yaxis.scaleratio || 1);
  const width = Math.max(fl.width - Math.max(left, fl.margin.l) - right, 50);
  let height = Math.ceil(fl._size.t + width * ratio + Math.max(below, fl.margin.b) + 4);
  height = Math.max(200, Math.min(height, Math.round(MAX_SQUARE * window.innerHeight)));
  if (!Number.isFinite(height)) return undefined;
  gd.__fitted = { width: fl.width, height };
  remembered(gd, fl.width, height);
  if (Math.abs(height - fl.height) <= (tries < 3 ? 4 : 2)) return undefined;   // no 2nd redraw for 3 px
  gd.style.minHeight = `${height}px`;
  if (gd.__held && !gd.__held.play) release(gd);   // a copy of the points would not follow
  return call(gd, "relayout", { height, ...legendAt(gd, height) })
    .then(() => new Promise(requestAnimationFrame))
    .then(() => fit(gd, tries - 1));
}

// The box changed width: the chart is drawn again at it (while playing, with its margins let
// go and held again at the new size).
function resize(s, gd) {
  const width = gd.clientWidth;
  if (!width || !gd._fullLayout) return;
  if (width === gd._fullLayout.width) {      // shown again as it was (hidden by a rerun)
    if (playing(s) && !gd.__held) hold(gd, (s.still || {})[gd.dataset.chart]);
    return;
  }
  unpaint(gd);
  release(gd);
  call(gd, "relayout", size(gd, null))
    .then(() => fit(gd))
    .then(() => { if (playing(s)) hold(gd, (s.still || {})[gd.dataset.chart]); })
    .catch((err) => console.error("twolayer live chart resize:", err));
}

// -- what does not move while playing ----------------------------------------------------
// Plotly redraws a whole chart when one of its traces changes. While playing, two things that
// do not change are kept out of that: the data points of a picture (hundreds of SVG markers,
// costlier than the picture under them) become a copy of their drawing, an SVG over the chart;
// and each chart's margins stay where they are (no second layout pass when a tick label grows).

function hold(gd, traces) {
  // Only a chart laid out at the width it shows (else resize holds it once it is)
  if (gd.__held || !gd._fullLayout || gd.clientWidth !== gd._fullLayout.width) return;
  const size = gd._fullLayout._size;
  const axes = Object.keys(gd._fullLayout).filter((k) => /^[xy]axis\d*$/.test(k));
  const before = { margin: structuredClone(gd.layout.margin || {}) };
  const fixed = { margin: { l: size.l, r: size.r, t: size.t, b: size.b } };
  for (const axis of axes) {
    before[`${axis}.automargin`] = gd.layout[axis] ? gd.layout[axis].automargin : undefined;
    fixed[`${axis}.automargin`] = false;
  }
  const held = { before, copy: null, traces: [], visible: [], play: true };
  gd.__held = held;
  // A square picture's axes and margins never move while playing (fixed ranges): left as
  // they are, laid out by Plotly exactly as a rerun's figure is.
  const done = gd.__square ? [] : [call(gd, "relayout", fixed)];
  if (gd.__square) held.before = {};
  if (traces && traces.length && gd._fullData) done.push(keepStill(gd, traces));
  Promise.all(done).then(() => listen(gd, held));
}

// A zoom, a pan (an axis changes) or a click in the legend moves what the copy shows: back
// to the real thing. Listened to once the changes that made the copy are drawn (their events
// come first); frames use Plotly.update, which emits neither event.
function listen(gd, held) {
  if (gd.__held !== held || !held.copy || held.moved || gd.__gone || !gd.on) return;
  held.moved = (change) => {
    if (!change || Object.keys(change).some((k) => /^[xy]axis\d*\./.test(k))) release(gd);
  };
  held.clicked = () => release(gd);
  gd.on("plotly_relayout", held.moved);
  gd.on("plotly_restyle", held.clicked);
}

function keepStill(gd, traces) {
  const copy = copyOf(gd, traces);
  if (!copy) return undefined;
  Object.assign(gd.__held, { copy, traces, visible: traces.map((i) => gd.data[i].visible) });
  gd.classList.add("tl-frozen");
  return call(gd, "restyle", { visible: "legendonly" }, traces);
}

// An SVG copy of these traces as they are drawn now, laid over the chart.
function copyOf(gd, traces) {
  const svg = gd.querySelector(".main-svg");
  if (!svg || !gd._fullData) return null;
  const uids = new Set(traces.map((i) => gd._fullData[i] && `trace${gd._fullData[i].uid}`));
  const copy = svg.cloneNode(true);
  for (const child of [...copy.children]) {
    if (!child.classList.contains("cartesianlayer")) child.remove();   // defs stay unique
  }
  copy.querySelectorAll(".cartesianlayer > .subplot > :not(.overplot)").forEach((g) => g.remove());
  copy.querySelectorAll(".overplot > g > g:not(.scatterlayer)").forEach((g) => g.remove());
  copy.querySelectorAll(".scatterlayer > g.trace").forEach((g) => {
    if (![...g.classList].some((c) => uids.has(c))) g.remove();
  });
  // A picture only: Plotly finds its traces in the chart by class (g.trace.scatter, ...), and
  // would take these, which carry no data, for its own (its styling then fails).
  copy.querySelectorAll("[class]").forEach((el) => el.removeAttribute("class"));
  copy.classList.remove("main-svg");
  copy.classList.add("tl-still");
  copy.style.background = "none";
  (gd.querySelector(".tl-paint") || svg).after(copy);   // over the painted picture
  return copy;
}

// Back to the chart as it was; `restore` false when a whole new figure is drawn next anyway.
function release(gd, restore = true) {
  const held = gd.__held;
  if (!held) return;
  gd.__held = null;
  if (held.moved && gd.removeListener) {     // (a purged chart has no listeners left)
    gd.removeListener("plotly_relayout", held.moved);
    gd.removeListener("plotly_restyle", held.clicked);
  }
  if (held.copy) held.copy.remove();
  gd.classList.remove("tl-frozen");
  if (!restore) return;
  if (Object.keys(held.before).length) call(gd, "relayout", held.before);
  if (held.traces.length) {
    call(gd, "restyle", { visible: held.visible.map((v) => (v === undefined ? true : v)) },
                   held.traces);
  }
}

// -- Play ----------------------------------------------------------------------------------

function receive(s, stream) {
  const p = s.play;
  if (!stream) {                   // not playing (any more): what is drawn stays
    stop(s);
    p.id = null;
    return;
  }
  if (stream.play !== p.id) {      // a new Play
    stop(s);
    s.still = stream.still || {};
    for (const [name, gd] of Object.entries(s.divs)) hold(gd, s.still[name]);
    Object.assign(p, { id: stream.play, stopped: false, seen: new Set(), queue: [],
                       shown: stream.start, lastSeq: -1, asked: -1, askedAt: 0, end: null });
    s.pace = fresh(s.pace.screen);
  }
  if (p.stopped || p.seen.has(stream.seq)) return;   // the data is sent again on every rerun
  p.seen.add(stream.seq);
  s.root.dataset.chunks = p.seen.size;
  p.lastSeq = Math.max(p.lastSeq, stream.seq);
  p.queue.push(...stream.frames);
  p.ahead = stream.ahead || p.ahead;
  if (stream.end) p.end = stream.end;
  if (!p.raf) p.raf = requestAnimationFrame((t) => tick(s, t));
}

// One frame per animation frame: the screen's own rate (60 a second on most displays), as
// TensorFlow Playground paints. A browser that cannot keep up calls this less often: Play
// slows down and shows every frame all the same (at 1x every epoch), and says so (see pace).
function tick(s, now) {
  const p = s.play;
  p.raf = 0;
  if (p.stopped || !s.root.isConnected) return;
  const frame = p.queue.shift(), t0 = performance.now();
  if (frame) {
    show(s, frame);
    measure("tl frame", t0, performance.now());
    p.step = p.shown === null ? p.step : frame.epoch - p.shown;
    p.shown = frame.epoch;
  }
  pace(s, now, Boolean(frame));
  flush(s, now, LAZY_MS);
  if (!p.queue.length && p.end) {  // the last chunk has played: report where it stopped
    finish(s, true);
    return;
  }
  ask(s, now);
  p.raf = requestAnimationFrame((t) => tick(s, t));
}

// -- Play's pace against the screen's ---------------------------------------------------------
// The screen's rate: the shortest of the median intervals between two animation frames of
// each second seen (a busy browser stretches them, never shortens them). Over the last second, fewer frames shown than
// SLOW of that rate (the browser late, or the next chunk not there yet) is said on screen:
// at 1x nothing is lost, Play only slows down; at 2x-10x animation frames are skipped, each
// picture still that many epochs after the one before.

function fresh(screen = Infinity) {
  return { screen, ticks: [], shown: [], since: null, judged: 0, said: null, el: null };
}

function pace(s, now, shown) {
  const q = s.pace;
  q.ticks.push(now);
  if (shown) q.shown.push(now);
  if (q.since === null) q.since = now;
  while (q.ticks.length && q.ticks[0] < now - PACE_MS) q.ticks.shift();
  while (q.shown.length && q.shown[0] < now - PACE_MS) q.shown.shift();
  if (now - q.since < PACE_MS || now - q.judged < PACE_MS / 4) return;
  q.judged = now;
  const gaps = q.ticks.slice(1).map((t, i) => t - q.ticks[i]).sort((a, b) => a - b);
  if (gaps.length) q.screen = Math.max(1000 / 240, Math.min(q.screen, gaps[gaps.length >> 1]));
  const rate = q.shown.length * 1000 / PACE_MS, screen = 1000 / q.screen;
  say(s, rate < SLOW * screen ? slowNote(Math.round(rate), Math.round(screen), s.play.step || 1)
                              : null);
}

function slowNote(rate, screen, step) {
  if (step <= 1) {
    return `${rate} pictures a second, below the screen's ${screen}: Play slows down, `
      + "every epoch is still shown, none is lost.";
  }
  return `${rate} pictures a second, below the screen's ${screen}: animation frames are `
    + `skipped, each picture still ${step} epochs after the one before.`;
}

// The note under the boundary (the first chart), changed only when its text does.
function say(s, text) {
  const q = s.pace;
  if (q.said === text) return;
  q.said = text;
  if (!text) {
    if (q.el) q.el.remove();
    q.el = null;
    return;
  }
  if (!q.el) {
    const cell = Object.values(s.cells)[0];
    if (!cell) return;
    q.el = document.createElement("div");
    q.el.className = "tl-pace";
    q.el.setAttribute("role", "status");
    cell.appendChild(q.el);
  }
  q.el.textContent = text;
}

function ask(s, now) {             // keep at least `ahead` frames (about 1.5 s) queued
  const p = s.play, next = p.lastSeq + 1;
  if (p.end || p.queue.length >= p.ahead || !s.trigger) return;
  if (p.asked === next && now - p.askedAt < RETRY_MS) return;
  p.asked = next;
  p.askedAt = now;
  s.trigger("need", { play: p.id, seq: next, shown: p.shown });
}

function show(s, frame) {
  for (const [name, patch] of Object.entries(frame.charts || {})) {
    if (patch.lazy) s.lazy[name] = merge(s.lazy[name], patch);
    else apply(s, name, patch);
  }
}

// The frames' picture comes first. A "lazy" patch (the curves, which only grow; the network
// and the hidden units, a few times a second) waits here, merged with the next ones, and is
// drawn at most every LAZY_MS per chart and one chart per animation frame at most every
// LAZY_GAP_MS (each is a whole Plotly redraw, several frames' worth of the picture's time);
// `wait` 0 draws them all now (Play stops).
function flush(s, now, wait) {
  const due = Object.entries(s.lazy).filter(([, pending]) => pending.patch
    && (!wait || now - pending.drawn >= wait)).sort((a, b) => a[1].drawn - b[1].drawn);
  for (const [name, pending] of due) {
    if (wait && now - (s.lazyAt || 0) < LAZY_GAP_MS) return;
    const t0 = performance.now();
    apply(s, name, pending.patch);
    measure(`tl lazy ${name}`, t0, performance.now());
    s.lazy[name] = { patch: null, drawn: now };
    s.lazyAt = now;
  }
}

function merge(pending, patch) {
  const into = pending && pending.patch;
  if (!into) return { patch: structuredClone(patch), drawn: pending ? pending.drawn : 0 };
  if (patch.figure) {                                     // a whole figure replaces the rest
    pending.patch = structuredClone(patch);
    return pending;
  }
  for (const [attr, vs] of Object.entries(patch.append || {})) {
    into.append[attr] = into.append[attr].map((a, i) => [].concat(a, vs[i]));
  }
  Object.assign(into.set || (into.set = {}), patch.set || {});
  const layout = into.layout || (into.layout = {});
  for (const [path, value] of Object.entries(patch.layout || {})) {
    const m = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(path);   // "shapes[0].x0" into a whole list
    if (m && Array.isArray(layout[m[1]]) && layout[m[1]][+m[2]]) {
      layout[m[1]][+m[2]][m[3]] = value;
      continue;
    }
    for (const key of Object.keys(layout)) {              // a whole list replaces its parts
      if (key.startsWith(`${path}[`) || key.startsWith(`${path}.`)) delete layout[key];
    }
    layout[path] = value;
  }
  return pending;
}

// A patch that Plotly refuses is reported and skipped: it must not stop the frames (or Pause).
function apply(s, name, patch) {
  try {
    update(s, name, patch);
  } catch (err) {
    console.error(`twolayer live chart ${name}:`, err);
  }
}

function update(s, name, patch) {
  const gd = s.divs[name];
  if (!gd || !gd.data) {
    repair(s);                     // a cleared chart: drawn again from the last data
    return;
  }
  if (patch.figure) {
    react(gd, decode(patch.figure));
    return;
  }
  const traces = patch.traces || [];
  if (paint(s, gd, patch, traces)) return;
  const data = {};
  for (const [attr, v] of Object.entries(patch.set || {})) {
    const value = decode(v);
    data[attr] = traces.map(() => value);         // one value for every trace listed
  }
  for (const [attr, vs] of Object.entries(patch.append || {})) {
    data[attr] = traces.map((t, i) => [].concat(vs[i]).reduce(
      (acc, v) => concat(acc, decode(v)), gd.data[t][attr]));
  }
  call(gd, "update", data, patch.layout || {}, traces.length ? traces : undefined);
}

// -- the picture while playing: a canvas over the plot area ---------------------------------
// Plotly redraws a heatmap, its contour and the axes on every z it is given (30-50 ms a frame
// on a busy 2-CPU machine, more than a frame's 33 ms). While playing, a frame's probability
// map and its 0.5 contour are painted on a canvas laid exactly over the plot area instead
// (a millisecond or two), with the heatmap's own colour scale and the contour's own line;
// the title goes through Plotly. When playing stops (or the chart is resized) the last frame
// painted is handed to Plotly and the canvas goes: the chart is Plotly's again.

function paint(s, gd, patch, traces) {
  if (!playing(s) || !gd.__square || patch.append || !patch.set || !patch.set.z) return false;
  if (Object.keys(patch.set).length !== 1) return false;
  const p = painter(gd, traces);
  if (!p) return false;
  const z = decode(patch.set.z);
  if (!Array.isArray(z) || !z.length || z.length !== p.rows || z[0].length !== p.cols) {
    return false;
  }
  draw2d(p, z);
  p.last = { traces, z, layout: patch.layout || {} };
  const layout = { ...(patch.layout || {}) };
  if (typeof layout["title.text"] === "string" && retitle(gd, p, layout["title.text"])) {
    delete layout["title.text"];
  }
  if (Object.keys(layout).length) call(gd, "relayout", layout);
  return true;
}

// The title while playing is written into its SVG text directly: Plotly's relayout of a
// title redoes the chart's whole layout-style pass (5-13 ms a frame on a busy 2-CPU machine,
// a third of a 60 Hz frame). Plotly's own layout object says the same title (whoever reads the
// chart's title, reads the one shown); Plotly takes it over when the canvas goes (unpaint:
// its update with that same title draws it and brings its own copy of the layout up to date).
function retitle(gd, p, text) {
  const el = titleText(gd), title = gd.layout && gd.layout.title;
  if (!el || !title || typeof title !== "object" || el.childElementCount) return false;
  title.text = text;
  el.textContent = text;
  return true;
}

function painter(gd, traces) {
  const fl = gd._fullLayout, fd = gd._fullData;
  if (!fl || !fd || !fl.xaxis || !fl.yaxis || traces.length < 1 || traces.length > 2) return null;
  const h = fd[traces[0]], c = traces.length > 1 ? fd[traces[1]] : null;
  if (!h || h.type !== "heatmap" || h.visible !== true || !Array.isArray(h.colorscale)) return null;
  if (typeof h.zmin !== "number" || typeof h.zmax !== "number" || h.zmax <= h.zmin) return null;
  if (c && (c.type !== "contour" || c.visible !== true || !c.contours)) return null;
  const xa = fl.xaxis, ya = fl.yaxis;
  const key = [fl.width, fl.height, xa._offset, ya._offset, xa._length, ya._length].join();
  if (gd.__paint && gd.__paint.key === key) return gd.__paint;
  unpaint(gd, false);
  const x = Array.from(h.x || []), y = Array.from(h.y || []);
  if (x.length < 2 || y.length < 2) return null;
  const dpr = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.className = "tl-paint";
  Object.assign(canvas.style, { left: `${xa._offset}px`, top: `${ya._offset}px`,
                                width: `${xa._length}px`, height: `${ya._length}px` });
  canvas.width = Math.round(xa._length * dpr);
  canvas.height = Math.round(ya._length * dpr);
  const svg = gd.querySelector(".main-svg");
  if (!svg) return null;
  svg.after(canvas);                         // under the still copy of the points (tl-still)
  const bitmap = document.createElement("canvas");
  bitmap.width = x.length;
  bitmap.height = y.length;
  const dx = (x[x.length - 1] - x[0]) / (x.length - 1), dy = (y[y.length - 1] - y[0]) / (y.length - 1);
  const px = (v) => xa.c2p(v) * dpr, py = (v) => ya.c2p(v) * dpr;
  gd.__paint = {
    key, canvas, bitmap, rows: y.length, cols: x.length, lut: lut(h.colorscale),
    zmin: h.zmin, zmax: h.zmax, dpr,
    image: [px(x[0] - dx / 2), py(y[y.length - 1] + dy / 2), px(x[x.length - 1] + dx / 2),
            py(y[0] - dy / 2)],
    xs: x.map(px), ys: y.map(py),
    level: c ? c.contours.start : null,
    line: c ? { color: c.line.color, width: c.line.width * dpr } : null,
  };
  return gd.__paint;
}

// Plotly's title as drawn: the SVG text of the chart's title (Plotly's own DOM, read here only).
function titleText(gd) {
  return gd.querySelector(".g-gtitle text.gtitle");
}

function lut(scale) {                        // 256 RGBA colours along a Plotly colour scale
  const c = document.createElement("canvas");
  c.width = 256;
  c.height = 1;
  const ctx = c.getContext("2d");
  const g = ctx.createLinearGradient(0, 0, 256, 0);
  for (const [at, color] of scale) g.addColorStop(Math.min(1, Math.max(0, at)), color);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, 256, 1);
  return ctx.getImageData(0, 0, 256, 1).data;
}

function draw2d(p, z) {
  const { rows, cols, lut: colors, zmin, zmax } = p;
  const bctx = p.bitmap.getContext("2d");
  const img = bctx.createImageData(cols, rows);
  const scale = 255 / (zmax - zmin);
  for (let i = 0; i < rows; i++) {
    const row = z[i], out = (rows - 1 - i) * cols * 4;   // y grows upwards, pixel rows down
    for (let j = 0; j < cols; j++) {
      const v = row[j], o = out + 4 * j;
      if (Number.isNaN(v)) continue;                     // transparent
      const k = 4 * Math.max(0, Math.min(255, Math.round((v - zmin) * scale)));
      img.data[o] = colors[k];
      img.data[o + 1] = colors[k + 1];
      img.data[o + 2] = colors[k + 2];
      img.data[o + 3] = 255;
    }
  }
  bctx.putImageData(img, 0, 0);
  const ctx = p.canvas.getContext("2d");
  ctx.clearRect(0, 0, p.canvas.width, p.canvas.height);
  ctx.imageSmoothingEnabled = true;
  const [x0, y0, x1, y1] = p.image;
  ctx.drawImage(p.bitmap, x0, y0, x1 - x0, y1 - y0);
  if (p.level !== null) contour(ctx, p, z);
}

// The level line by marching squares, straight across each cell (as Plotly's contour at its
// default smoothing of the grid's own resolution).
function contour(ctx, p, z) {
  const L = p.level, xs = p.xs, ys = p.ys;
  ctx.beginPath();
  const at = (a, b) => (L - a) / (b - a);
  for (let i = 0; i + 1 < p.rows; i++) {
    for (let j = 0; j + 1 < p.cols; j++) {
      const a = z[i][j], b = z[i][j + 1], c = z[i + 1][j + 1], d = z[i + 1][j];
      if ([a, b, c, d].some(Number.isNaN)) continue;
      const pts = [];
      if ((a >= L) !== (b >= L)) pts.push([xs[j] + at(a, b) * (xs[j + 1] - xs[j]), ys[i]]);
      if ((b >= L) !== (c >= L)) pts.push([xs[j + 1], ys[i] + at(b, c) * (ys[i + 1] - ys[i])]);
      if ((d >= L) !== (c >= L)) pts.push([xs[j] + at(d, c) * (xs[j + 1] - xs[j]), ys[i + 1]]);
      if ((a >= L) !== (d >= L)) pts.push([xs[j], ys[i] + at(a, d) * (ys[i + 1] - ys[i])]);
      for (let k = 0; k + 1 < pts.length; k += 2) {
        ctx.moveTo(pts[k][0], pts[k][1]);
        ctx.lineTo(pts[k + 1][0], pts[k + 1][1]);
      }
    }
  }
  ctx.strokeStyle = p.line.color;
  ctx.lineWidth = p.line.width;
  ctx.lineCap = "round";
  ctx.stroke();
}

// The canvas goes; the last frame painted is handed to Plotly first (`keep` false: a figure
// is drawn next anyway, or nothing was painted).
function unpaint(gd, keep = true) {
  const p = gd.__paint;
  if (!p) return;
  gd.__paint = null;
  if (keep && p.last && gd._fullData) {
    const { traces, z, layout } = p.last;
    call(gd, "update", { z: traces.map(() => z) }, layout, traces)
      .then(() => p.canvas.remove());
  } else {
    p.canvas.remove();
  }
}

function stop(s) {
  const p = s.play;
  s.lazy = {};
  say(s, null);
  for (const gd of Object.values(s.divs)) unpaint(gd);
  for (const gd of Object.values(s.divs)) if (gd.__held && gd.__held.play) release(gd);
  if (p.raf) cancelAnimationFrame(p.raf);
  p.raf = 0;
  p.stopped = true;
  p.queue = [];
}

// Stop on the frame on screen and tell Python which epoch that is (it goes back to it).
function finish(s, end) {
  const p = s.play;
  if (p.stopped || p.id === null) return;
  flush(s, performance.now(), 0);
  stop(s);
  if (s.trigger) {
    busy(s, button(s.keys && s.keys.play));
    s.trigger("pause", { play: p.id, epoch: p.shown, end });
  }
  repair(s);
}

// A chart found cleared (no SVG, no data: Plotly's element emptied by a drawing cut short) is
// drawn again from the last chart Python sent; while playing, the frames go on over it.
function repair(s) {
  if (s.gone || s.repairing) return;
  const broken = {};
  for (const [name, gd] of Object.entries(s.divs)) {
    const chart = s.last[name];
    if (!chart || gd.__gone || !gd.isConnected) continue;
    if (gd.querySelector(".main-svg") && gd._fullLayout && gd.data && gd.data.length) continue;
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

// -- one hand-over at a time -----------------------------------------------------------------
// A click on Play, Pause or Step (or its key) starts a rerun; until the component has its
// answer (its data came again and the app's run is over) the button says it is busy
// (aria-busy), and another click on them waits: Streamlit merges clicks made during a rerun
// (28 quick Step clicks gave 18 epochs) and a toggle during a hand-over raced the frames in
// flight. A Play/Pause meanwhile is ignored; a Step is queued and clicked again in its turn,
// so that every Step click counts.

const BUSY_CHECK_MS = 100;
const BUSY_IDLE_MS = 3000;         // no answer (the data did not change): free again after this
const BUSY_MAX_MS = 20000;         // never busy for longer than this

function busy(s, target) {
  unbusy(s);
  const el = target && target.closest("button");
  if (el) el.setAttribute("aria-busy", "true");
  const b = { calls: s.calls, at: performance.now(), idleSince: null, el, timer: 0 };
  s.busy = b;
  const check = () => {
    if (s.busy !== b) return;
    const now = performance.now();
    const done = settled();
    b.idleSince = done ? (b.idleSince ?? now) : null;
    if ((done && s.calls > b.calls) || (done && now - b.idleSince > BUSY_IDLE_MS)
        || now - b.at > BUSY_MAX_MS) {
      unbusy(s);
      repair(s);
      if (s.queued && !playing(s) && !s.gone) {
        s.queued -= 1;
        button(s.keys && s.keys.step)?.click();   // taken by onClick as a click of its own
      } else {
        s.queued = 0;
      }
      return;
    }
    b.timer = setTimeout(check, BUSY_CHECK_MS);
  };
  b.timer = setTimeout(check, BUSY_CHECK_MS);
}

function unbusy(s) {
  const b = s.busy;
  if (!b) return;
  s.busy = null;
  clearTimeout(b.timer);
  if (b.el) b.el.removeAttribute("aria-busy");
  for (const key of Object.values(s.keys || {})) button(key)?.removeAttribute("aria-busy");
}

// The page's Play (Pause) and Step buttons.
function handOver(s, target) {
  if (!s.keys) return null;
  for (const name of ["play", "step", "reset"]) {
    const key = s.keys[name];
    if (key && target.closest(`.st-key-${CSS.escape(key)} button`)) return name;
  }
  return null;
}

// -- presenter keys and the Pause click ----------------------------------------------------

// Keys are never taken from someone typing in a text or number field or choosing from an open
// list; after a click on any other widget (a select box once chosen, a toggle, a radio button)
// they count. The same rule as twolayer/ui/keys.py, the clicker of the other pages.
const TYPING = "textarea, select, [contenteditable=''], [contenteditable='true'], " +
  "[role='textbox'], [role='spinbutton'], [role='listbox'], [role='option'], [role='menu'], " +
  "[role='menuitem'], input:not([type]), input[type='text'], input[type='number'], " +
  "input[type='search'], input[type='email'], input[type='url'], input[type='password']";

function typing(target) {
  const field = target.closest(TYPING);
  if (!field) return false;
  const box = field.closest("[role='combobox']");   // a select box: typing only while open
  return box ? box.getAttribute("aria-expanded") === "true" : true;
}

function button(key) {
  return key ? document.querySelector(`.st-key-${CSS.escape(key)} button`) : null;
}

function playing(s) {
  return s && !s.play.stopped && s.play.id !== null;
}

function onKey(e) {
  const s = active;
  if (!s || !s.keys || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  const target = e.target instanceof Element ? e.target : null;
  const own = target && Object.values(s.keys).some(
    (key) => target.closest(`.st-key-${CSS.escape(key)}`));   // the page's own Play controls
  if (target && !own && typing(target)) return;
  let action = null;
  if (e.key === " " || e.key === "Spacebar") action = "play";
  else if (e.key === "ArrowRight" || e.key === "PageDown") action = "step";
  else if (e.key === "r" || e.key === "R") action = "reset";
  if (!action) return;
  e.preventDefault();
  e.stopImmediatePropagation();    // R is also Streamlit's own "rerun" key
  if (e.repeat || (s.busy && action === "play")) return;   // a Step waits its turn (onClick)
  if (action === "play" && playing(s)) finish(s, false);
  else if (action !== "step" || !playing(s)) button(s.keys[action])?.click();
}

function onClick(e) {              // Pause: stop on the picture on screen, before the rerun
  const s = active;
  if (!s || !s.keys || !(e.target instanceof Element)) return;
  const which = handOver(s, e.target);
  if (which === "reset") {         // what was queued is not wanted any more
    s.queued = 0;
  } else if (which && s.busy) {    // one hand-over at a time: a Step waits its turn
    e.preventDefault();
    e.stopImmediatePropagation();
    if (which === "step" && !playing(s) && !e.target.closest("button:disabled")) {
      s.queued += 1;
      prepare(s);                  // its charts drawn ahead now, if their data is here
    }
    return;
  }
  if (!playing(s)) {
    if (which && which !== "reset" && !e.target.closest("button:disabled")) busy(s, e.target);
    stepAhead(s, e.target);
    return;
  }
  if (!e.target.closest(`.st-key-${CSS.escape(s.keys.play)}`)) return;
  e.preventDefault();
  e.stopImmediatePropagation();
  finish(s, false);
}

// Step: the next epoch's charts came with the ones on screen (made from a copy of the trainer
// trained one epoch ahead) and are shown at once; the rerun the click starts trains that epoch
// and sends the same charts again (same hashes: not drawn twice), and the numbers with them.
// Not while a rerun is under way: it may change what they were made from.
function stepAhead(s, target) {
  const next = s.ahead, key = s.keys.step;
  if (!next || !key || !target.closest(`.st-key-${CSS.escape(key)} button:not(:disabled)`)) {
    return;
  }
  s.ahead = null;                  // once
  mark(s);
  if (!settled()) return;
  const rest = {};
  for (const [name, next_] of Object.entries(next.charts || {})) {
    const landing = s.landing[name];
    if (ready(s, name, next_)) {
      swap(s, name, next_);
    } else if (landing && landing.hash === next_.hash) {
      // Being drawn ahead right now (a Step clicked again quickly): shown when it lands,
      // rather than drawn a second time in front.
      landing.done.then(() => {
        if (s.drawn[name] === next_.hash || s.gone) return;     // the rerun drew it already
        if (ready(s, name, next_)) swap(s, name, next_);
        else draw(s, { [name]: next_ });
      });
    } else {
      rest[name] = next_;
    }
  }
  if (Object.keys(rest).length) setTimeout(() => draw(s, rest), 0);   // after Streamlit's click
}

// Each chart has a second one, where the next Step's chart is drawn when the browser has
// nothing else to do (at once when a Step click is already waiting its turn: it is shown the
// moment it lands): in the page, hidden under the one shown, while it is drawn, then taken
// out of the page (the page holds the charts shown, no more). Step puts it in the place of the
// one shown (nothing is drawn at the click), which becomes the next one's. Drawn again when
// the next Step changes or the box's width does.
function prepare(s) {
  const next = s.ahead;
  if (!next || playing(s)) {
    mark(s);
    return;
  }
  for (const [name, next_] of Object.entries(next.charts || {})) {
    if (!s.divs[name] || !next_ || !next_.figure || ready(s, name, next_)) continue;
    s.back[name] = s.back[name] || chart(name, "tl-back");
    const task = () => {
      const back = s.back[name];
      if (s.ahead !== next || playing(s) || ready(s, name, next_)) return;
      const landing = s.landing[name];
      if (landing && landing.hash === next_.hash && landing.back === back) return;  // under way
      delete back.dataset.hash;
      if (!back.isConnected) s.cells[name].appendChild(back);
      const done = react(back, decode(next_.figure))
        .then(() => {
          if (s.back[name] !== back) return;
          back.dataset.hash = next_.hash;
          back.remove();
          if (s.ahead === next) mark(s);
        })
        .catch((err) => console.error(`twolayer live chart ${name} (next Step):`, err))
        .finally(() => {
          if (s.landing[name] && s.landing[name].done === done) delete s.landing[name];
        });
      s.landing[name] = { hash: next_.hash, back, done };
    };
    if (s.queued) task();
    else idle(task);
  }
  mark(s);
}

// data-ahead: the epoch whose charts are all drawn ahead, ready for Step (tests wait for it).
function mark(s) {
  const next = s.ahead;
  const all = next && Object.entries(next.charts || {}).every(([name, c]) => ready(s, name, c));
  if (all) s.root.dataset.ahead = next.epoch;
  else delete s.root.dataset.ahead;
}

function ready(s, name, next) {
  const back = s.back[name], front = s.divs[name];
  return Boolean(back && front && next && back.dataset.hash === next.hash && back._fullLayout
                 && back._fullLayout.width === front.clientWidth);
}

function swap(s, name, next) {
  const front = s.divs[name], back = s.back[name];
  front.classList.replace("tl-chart", "tl-back");
  back.classList.replace("tl-back", "tl-chart");
  front.replaceWith(back);
  s.observer.unobserve(front);
  s.observer.observe(back);
  s.divs[name] = back;
  s.back[name] = front;
  s.drawn[name] = next.hash;
  s.parts[name] = next.parts;
}

// When the app has finished its run and the browser has nothing else to do: the next Step's
// charts never hold up the page's own.
function idle(task) {
  const run = () => (settled() ? task() : setTimeout(() => idle(task), 100));
  if (window.requestIdleCallback) requestIdleCallback(run, { timeout: 1000 });
  else setTimeout(run, 50);
}

function settled() {
  return Boolean(document.querySelector(
    '[data-testid="stApp"][data-test-script-state="notRunning"]'));
}

document.addEventListener("keydown", onKey, true);
document.addEventListener("click", onClick, true);

// -- the component's entry point: called on mount and whenever the data changes ------------

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (!data) return undefined;     // a preload: importing this module was the point
  if (globalThis.tlTiming) performance.mark("tl data");
  let s = mounts.get(parentElement);
  if (!s) {
    s = mount(parentElement);
    mounts.set(parentElement, s);
  }
  s.trigger = setTriggerValue;
  s.calls += 1;
  s.keys = data.keys || null;
  s.ahead = data.ahead || null;
  active = s;
  layout(s, data.grid);
  const drawn = draw(s, data.charts);
  try {
    receive(s, data.stream);
  } catch (err) {                   // reported; the charts stay on the page
    console.error("twolayer live Play:", err);
  }
  drawn.then(() => {               // the charts shown first, then the next Step's
    repair(s);
    prepare(s);
  });
  return s.cleanup;
}
