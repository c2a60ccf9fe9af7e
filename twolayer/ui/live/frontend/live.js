// Live charts for twolayer: Plotly charts created once and updated in place, and Play frames
// played here, one per animation frame, while the next chunk is asked for ahead of time.
// The data format is described in twolayer/ui/live/__init__.py. plotly.js is the copy in the
// installed plotly package, served by the app next to this file's directory.
//
// ES modules along the seams: codec.js (arrays from Python), chart.js (a chart's own state, one
// WeakMap entry per chart, and every Plotly call), internals.js (Plotly's and Streamlit's
// private fields and DOM, read only there), sizing.js (a chart's size), still.js (what does not
// move while playing), paint.js (the picture while playing, on a canvas), pace.js (Play's pace
// against the screen's). Here: the mounted component, Play's frames, the hand-overs, the next
// Step drawn ahead and the presenter keys.
import { CONFIG, call, own, purge } from "./chart.js";
import { concat, decode } from "./codec.js";
import { full, settled } from "./internals.js";
import { fresh, pace, say } from "./pace.js";
import { paint, unpaint } from "./paint.js";
import { fit, legendAt, size, square } from "./sizing.js";
import { hold, keep, listen, release } from "./still.js";

const RETRY_MS = 4000;             // ask again for a chunk that has not come
const LAZY_MS = 450;               // a lazy patch is drawn at most this often (see flush),
const LAZY_GAP_MS = 120;           // and never two lazy charts within this of each other
const REPAIR_MS = 1000;            // how often a cleared chart is looked for (see repair)

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
  if (!own(gd).square || !before || !now || before.layout !== now.layout) return [];
  if (!full(gd) || !gd.clientWidth || gd.clientWidth !== full(gd).width) return [];
  return now.traces.map((_, i) => i).filter((i) => now.traces[i] === before.traces[i]
    && fig.data[i] && fig.data[i].type === "scatter" && fig.data[i].visible === undefined);
}

function react(gd, fig, still = []) {
  unpaint(gd, false);
  keep(gd, fig, still);
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
function resize(s, gd) {
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
  if (playing(s) && paint(gd, patch, traces)) return;
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

function stop(s) {
  const p = s.play;
  s.lazy = {};
  say(s, null);
  for (const gd of Object.values(s.divs)) unpaint(gd);
  for (const gd of Object.values(s.divs)) if (own(gd).held && own(gd).held.play) release(gd);
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
    if (!chart || own(gd).gone || !gd.isConnected) continue;
    if (gd.querySelector(".main-svg") && full(gd) && gd.data && gd.data.length) continue;
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

// A slider (the history slider) keeps its own arrow and page keys: → moves its thumb there.
const SLIDER = "input[type='range'], [role='slider']";
const SLIDER_KEYS = new Set(["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "PageUp",
  "PageDown", "Home", "End"]);

function typing(target, key) {
  if (SLIDER_KEYS.has(key) && target.closest(SLIDER)) return true;
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
  if (target && !own && typing(target, e.key)) return;
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
  return Boolean(back && front && next && back.dataset.hash === next.hash && full(back)
                 && full(back).width === front.clientWidth);
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
