// Live charts for twolayer: Plotly charts created once and updated in place, and Play frames
// played here, one per animation frame, while the next chunk is asked for ahead of time.
// The data format is described in twolayer/ui/live/__init__.py. plotly.js is the copy in the
// installed plotly package, served by the app next to this file's directory.
//
// ES modules along the seams: codec.js (arrays from Python), chart.js (a chart's own state, one
// WeakMap entry per chart, and every Plotly call), internals.js (Plotly's and Streamlit's
// private fields and DOM, read only there), sizing.js (a chart's size), still.js (what does not
// move while playing), paint.js (the picture while playing, on a canvas), pace.js (Play's pace
// against the screen's), draw.js (a chart drawn from Python's figure), play.js (Play's frames),
// handover.js (one hand-over to Python at a time), ahead.js (the next Step drawn ahead),
// keys.js (the presenter keys and the Pause click), state.js (what they share: whether a mount
// is playing, which mount the keys go to). Here: the mounted component and its entry point.
import { purge } from "./chart.js";
import { prepare } from "./ahead.js";
import { chart, draw, repair, resize } from "./draw.js";
import { unbusy } from "./handover.js";
import { onClick, onKey } from "./keys.js";
import { fresh } from "./pace.js";
import { receive, stop } from "./play.js";
import { activate, deactivate, playing } from "./state.js";

const REPAIR_MS = 1000;            // how often a cleared chart is looked for (see repair)

// -- one mounted component -----------------------------------------------------------------

const mounts = new WeakMap();      // parentElement -> state of that mount

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
    deactivate(s);
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
  activate(s);
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
