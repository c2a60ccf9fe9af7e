// The curves while playing: the points each frame adds, and the epoch marker, drawn on
// canvases laid over the chart.
import { call, own } from "./chart.js";
import { append, concat, decode } from "./codec.js";
import { axisBox, full, fullData, mainSvg, noteElements } from "./internals.js";
import { overlay, warm } from "./overlay.js";
import { steady } from "./still.js";

// Plotly redraws the whole curves chart (three panels, eight traces, their legends) on every
// change of its data: 30-75 ms on a 2-CPU machine, two to four 60 Hz frames in which the
// picture stands still. While playing, Plotly keeps the curves as they were at Play and the
// points since are drawn here, every frame, in each trace's own colour, dash and width, with
// the marker at the epoch on screen on a canvas of its own (Plotly's marker is hidden
// meanwhile: live.css). Plotly's axes stay where they are unless a point would fall outside
// them: then one relayout (10-30 ms while playing) gives the axis room for GROW times what it
// shows (x: at least X_ROOM_FRAMES frames more), so that happens a few times in a whole play,
// and the first chunk's room is made before the first picture (room). When playing stops the
// points are handed to Plotly and the canvases go (unsketch).

const X_ROOM_FRAMES = 240;         // the x axis has room for at least this many frames more
const GROW = 3;                    // (4 s), and for this many times the epochs it shows: a
                                   // relayout at epochs 270, 810, 2430, ... at 1x

const DASHES = {                   // Plotly's dash patterns, in line widths (its dashStyle)
  solid: [], dot: [1, 1], dash: [3, 3], longdash: [5, 5], dashdot: [3, 1, 1, 1],
  longdashdot: [5, 2, 1, 2],
};

// Draws a curves patch (points appended to each trace, the marker moved) while playing;
// false when this chart or patch is not one it can draw (the caller then asks Plotly).
export function sketch(gd, patch, traces) {
  const marker = moved(patch);
  if (own(gd).square || patch.figure || patch.set || !patch.append || marker === undefined) {
    return false;
  }
  const { x, y } = patch.append;
  if (!x || !y || Object.keys(patch.append).length !== 2) return false;
  const k = own(gd).sketch || start(gd, traces);
  if (!k || k.traces.join() !== traces.join()) return false;
  const before = k.x[0].length;
  traces.forEach((t, i) => {
    k.x[i] = [].concat(x[i]).reduce((acc, v) => append(acc, decode(v)), k.x[i]);
    k.y[i] = [].concat(y[i]).reduce((acc, v) => append(acc, decode(v)), k.y[i]);
  });
  const step = Math.max(1, k.x[0].length - before);    // epochs a frame (the speed)
  const layout = patch.layout || {};
  if (layout.shapes) k.shapes = structuredClone(layout.shapes);
  if (layout.annotations) notes(gd, k, layout.annotations);
  k.marker = marker === null ? k.marker : marker;
  paint(gd, k, make_room(gd, k, step));
  return true;
}

// The epoch the patch's layout moves the marker to (null: it says nothing of the marker;
// undefined: it changes something else, which Plotly must draw).
function moved(patch) {
  let at = null;
  for (const [key, value] of Object.entries(patch.layout || {})) {
    if (key === "shapes" || key === "annotations") {
      if (key === "shapes" && Array.isArray(value) && value.length) at = value[0].x0;
    } else if (/^shapes\[\d+\]\.x[01]$/.test(key)) {
      at = value;
    } else {
      return undefined;
    }
  }
  return at;
}

function start(gd, traces) {
  const fl = full(gd);
  if (!fl || !fullData(gd) || !mainSvg(gd) || gd.clientWidth !== fl.width) return null;
  // The figure's own traces (an empty one has no defaults filled in: Plotly skips it), each
  // with a line of its own colour, dash and width.
  const lines = traces.map((t) => gd.data[t]);
  if (lines.some((d) => !d || (d.type || "scatter") !== "scatter" || d.mode !== "lines"
                        || !d.line || !d.line.color)) {
    return null;
  }
  const box = { left: 0, top: 0, width: fl.width, height: fl.height };
  const { canvas, dpr } = overlay(gd, "tl-sketch", box);
  const marks = overlay(gd, "tl-marks", box).canvas;
  canvas.after(marks);             // over the lines, as Plotly draws its shapes
  gd.classList.add("tl-sketching");
  const k = {
    canvas, marks, dpr, traces,
    // Each trace's axes, its style, and the last point Plotly drew (the line goes on from it).
    lines: lines.map((d) => {
      const n = d.x ? d.x.length : 0, width = d.line.width === undefined ? 2 : d.line.width;
      return { xaxis: axisName(d.xaxis || "x"), yaxis: axisName(d.yaxis || "y"),
               color: d.line.color, width, dash: DASHES[d.line.dash || "solid"] || [],
               from: n ? [d.x[n - 1], d.y[n - 1]] : null };
    }),
    x: traces.map(() => []), y: traces.map(() => []),
    shapes: structuredClone(gd.layout.shapes || []), marker: null, changed: new Set(),
    marked: [], extent: {}, scanned: traces.map(() => 0),
  };
  // An axis with no points yet (an empty history: Plotly's default range; its lines hold one
  // missing point, see draw.js) is ranged from the first points drawn.
  const count = {};
  k.lines.forEach((line, i) => {
    const n = Array.prototype.filter.call(gd.data[traces[i]].y || [], Number.isFinite).length;
    for (const axis of [line.xaxis, line.yaxis]) count[axis] = (count[axis] || 0) + n;
  });
  k.empty = new Set(Object.keys(count).filter((axis) => !count[axis]));
  own(gd).sketch = k;
  return k;
}

function axisName(id) {            // "x2" -> "xaxis2"
  return `${id[0]}axis${id.slice(1)}`;
}

// The new notes replace the old ones in Plotly's layout; the ones they drop (an empty chart's
// "No epochs yet") are hidden now, and again after each relayout while playing: a relayout of
// an axis's range draws the notes from Plotly's own copy of the layout, which still has them.
function notes(gd, k, list) {
  gd.layout.annotations = structuredClone(list);
  k.notes = list;
  hideDropped(gd, k);
}

function hideDropped(gd, k) {
  if (!k.notes || !full(gd)) return;
  const keep = new Set(k.notes.map((n) => n.text));
  const drawn = (full(gd).annotations || []).map((n) => n.text);
  noteElements(gd).forEach((el) => {
    if (!keep.has(drawn[Number(el.dataset.index)])) el.style.display = "none";
  });
}

// A relayout of the sketched chart; the dropped notes hidden again as soon as it is drawn.
function relayout(gd, k, change) {
  const done = call(gd, "relayout", { ...steady(gd), ...change });
  hideDropped(gd, k);
  done.then(() => hideDropped(gd, k));
}

// The layout that gives the axes room for these frames' points, or {} (see roomFor).
function room(gd, patches) {
  if (!patches.length || patches.some((p) => !p.append || !p.append.y || moved(p) === undefined)) {
    return {};
  }
  const k = own(gd).sketch || start(gd, patches[0].traces || []);
  if (!k) return {};
  let until = null, step = 1;
  for (const patch of patches) {
    const at = moved(patch);
    if (at !== null) until = at;
    patch.append.y = decode(patch.append.y);   // once: the frame reads them again (sketch)
    patch.append.y.forEach((v, i) => {
      const ys = [].concat(v);
      step = Math.max(step, ...ys.map((a) => a.length));
      if (k.lines[i]) ys.forEach((a) => spread(k, k.lines[i].yaxis, a, 0));
    });
  }
  return make_room(gd, k, step, until, false);
}

// The axes get room for these frames' points now, and the canvas is drawn again on the new
// axes: as Play starts, for the first chunk, before the first picture (its frames then play
// without a relayout between them); while playing, for the frames about to play, in a task of
// its own between two frames (a relayout is 10-30 ms: one frame late, not one frame's work and
// a relayout in the same frame).
export function roomFor(gd, patches) {
  const change = room(gd, patches);
  const k = own(gd).sketch;
  if (!k || !Object.keys(change).length) return;
  relayout(gd, k, change);
  paint(gd, k, true);
}

// As Play starts, before its first picture (after `room` laid the canvases): they are
// allocated and the markers drawn, where Plotly's own stands (hidden while sketching).
// Returns their rehearsal for the animation frames before the first picture (play.js: ready),
// or null.
export function readySketch(gd) {
  const k = own(gd).sketch, shapes = gd.layout.shapes || [];
  if (!k) return null;
  if (k.marker === null && shapes.length && Number.isFinite(shapes[0].x0)) k.marker = shapes[0].x0;
  paint(gd, k, true);              // no points yet: the canvas cleared, the markers drawn
  return () => {
    warm(k.canvas);
    if (k.marker !== null && full(gd)) markers(full(gd), k);
  };
}

// Each y axis's smallest and largest value drawn (or about to be).
function spread(k, axis, values, from) {
  const s = k.extent[axis] || (k.extent[axis] = { lo: Infinity, hi: -Infinity });
  for (let j = from; j < values.length; j++) {
    const v = values[j];
    if (Number.isFinite(v)) {
      s.lo = Math.min(s.lo, v);
      s.hi = Math.max(s.hi, v);
    }
  }
}

// Room on the axes for the points: an x axis that would end before the marker (or `until`)
// gets GROW times the epochs it shows, at least X_ROOM_FRAMES frames more; a y axis Plotly
// ranges by itself, whose points fall outside, twice the span on that side (a log axis: in decades), not
// below 0 for values that never are. An axis with a range of its own (accuracy: 0 to 1)
// stays. True when the axes changed (everything is drawn again); with `apply` false, the
// layout that changes them, for the caller to apply.
function make_room(gd, k, step, until = k.marker, apply = true) {
  const fl = full(gd), change = {};
  const xa = fl.xaxis;
  const fresh = (name) => k.empty.has(name) && !k.changed.has(name);
  if (xa && until !== null && (xa.autorange || k.changed.has("xaxis"))
      && (until > xa.range[1] || fresh("xaxis"))) {
    const lo = xa.range[0];
    change["xaxis.range"] = [lo, lo + Math.max(GROW * (until - lo),
                                               until - lo + X_ROOM_FRAMES * step)];
  }
  k.lines.forEach((line, i) => {
    spread(k, line.yaxis, k.y[i], k.scanned[i]);
    k.scanned[i] = k.y[i].length;
  });
  for (const [name, s] of Object.entries(k.extent)) {
    const ax = fl[name];
    if (!ax || !(ax.autorange || k.changed.has(name)) || s.lo > s.hi) continue;
    const range = fresh(name) ? first(ax, s) : wider(ax, s);
    if (range) change[`${name}.range`] = range;
  }
  for (const key of Object.keys(change)) k.changed.add(key.split(".")[0]);
  if (!apply) return change;
  if (!Object.keys(change).length) return false;
  // Drawn at once: the axes below are the new ones (with the margins held where they are)
  relayout(gd, k, change);
  return true;
}

// Around the first points: two decades either side on a log axis (gradient norms fall by
// decades in a play); from 0 for values that never are below it (a loss falls towards 0);
// else their spread (or half their size) either side.
function first(ax, s) {
  if (ax.type === "log") return s.lo > 0 ? [Math.log10(s.lo) - 2, Math.log10(s.hi) + 2] : null;
  const span = s.hi - s.lo || Math.abs(s.hi) * 0.5 || 1;
  return [s.lo >= 0 ? 0 : s.lo - span, s.hi + span];
}

function wider(ax, s) {
  const log = ax.type === "log";
  const to = (v) => (log ? Math.log10(v) : v);
  if (log && s.lo <= 0) return null;
  const lo = to(s.lo), hi = to(s.hi);
  let [a, b] = ax.range;
  if (lo >= a && hi <= b) return null;
  const span = Math.max(b - a, hi - lo, log ? 1 : Math.abs(hi) * 0.5 || 1);
  if (lo < a) a = lo - span;
  if (hi > b) b = hi + span;
  if (!log && s.lo >= 0 && a < 0) a = 0;
  return [a, b];
}

// Each frame draws only what it adds: each trace's line from where the last frame left it (its
// dash pattern going on where it stopped), and the markers move (elements of their own: moving
// one redraws nothing). `all`: the whole canvas again (the first frame, or the axes changed).
function paint(gd, k, all) {
  const fl = full(gd), ctx = k.canvas.getContext("2d"), dpr = k.dpr;
  if (all || !k.pens) {
    ctx.clearRect(0, 0, k.canvas.width, k.canvas.height);
    k.pens = k.lines.map(() => ({ next: 0, at: null, length: 0 }));
  }
  k.lines.forEach((line, i) => {
    const xa = fl[line.xaxis], ya = fl[line.yaxis], pen = k.pens[i];
    const xs = k.x[i], ys = k.y[i], first = line.from ? 1 : 0, n = first + xs.length;
    if (!xa || !ya || pen.next >= n) return;
    const px = (v) => (axisBox(xa).offset + xa.c2p(v)) * dpr;
    const py = (v) => (axisBox(ya).offset + ya.c2p(v)) * dpr;
    ctx.save();
    clip(ctx, xa, ya, dpr);
    ctx.beginPath();
    const offset = pen.length;
    if (pen.at) ctx.moveTo(pen.at[0], pen.at[1]);
    for (let j = pen.next; j < n; j++) {
      const xv = j < first ? line.from[0] : xs[j - first], yv = j < first ? line.from[1] : ys[j - first];
      if (!Number.isFinite(yv) || (ya.type === "log" && yv <= 0)) {
        pen.at = null;             // a gap, as Plotly leaves one
        continue;
      }
      const to = [px(xv), py(yv)];
      if (pen.at) {
        ctx.lineTo(to[0], to[1]);
        pen.length += Math.hypot(to[0] - pen.at[0], to[1] - pen.at[1]);
      } else {
        ctx.moveTo(to[0], to[1]);
      }
      pen.at = to;
    }
    pen.next = n;
    ctx.strokeStyle = line.color;
    ctx.lineWidth = line.width * dpr;
    ctx.lineJoin = "round";
    ctx.lineCap = line.dash.length ? "butt" : "round";   // no seam between two frames' pieces
    ctx.setLineDash(pattern(line.dash, line.width, dpr));
    ctx.lineDashOffset = offset;
    ctx.stroke();
    ctx.restore();
  });
  if (k.marker !== null) markers(fl, k);
}

// A dash pattern (DASHES) in canvas pixels for a line of this width, as Plotly scales it.
function pattern(dash, width, dpr) {
  return dash.map((d) => d * Math.max(width, 3) * dpr);
}

function clip(ctx, xa, ya, dpr) {
  ctx.beginPath();
  ctx.rect(axisBox(xa).offset * dpr, axisBox(ya).offset * dpr, axisBox(xa).length * dpr,
           axisBox(ya).length * dpr);
  ctx.clip();
}

// The dotted marker at the epoch on screen, one per panel, as the figure's own shapes, on a
// canvas of its own: each frame clears where the last frame drew them and draws them at the
// new epoch. (A line element moved sideways, even on its own compositor layer, costs the
// browser a new split of the page into layers every frame: 2-3 ms on a 2-CPU machine; a
// canvas drawn again, ~0.)
function markers(fl, k) {
  const ctx = k.marks.getContext("2d"), dpr = k.dpr;
  for (const [x, y, w, h] of k.marked) ctx.clearRect(x, y, w, h);
  k.marked = [];
  k.shapes.forEach((shape) => {
    const xa = fl[axisName(shape.xref || "x")], ya = fl[axisName((shape.yref || "y").split(" ")[0])];
    if (!xa || !ya) return;
    const line = shape.line || {}, width = line.width === undefined ? 2 : line.width;
    const x = (axisBox(xa).offset + xa.c2p(k.marker)) * dpr, w = width * dpr;
    const top = axisBox(ya).offset * dpr, bottom = top + axisBox(ya).length * dpr;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
    ctx.strokeStyle = line.color || "#444";
    ctx.lineWidth = w;
    ctx.lineCap = "butt";
    ctx.setLineDash(pattern(DASHES[line.dash || "solid"] || [], width, dpr));
    ctx.stroke();
    k.marked.push([Math.floor(x - w), Math.floor(top) - 1, Math.ceil(2 * w) + 2,
                   Math.ceil(bottom - top) + 2]);
  });
}

// The canvas goes; with `keep`, its points, marker and notes are handed to Plotly first (and
// the axes it widened range themselves again), so that the chart shows what the canvas did.
export function unsketch(gd, keep = true) {
  const k = own(gd).sketch;
  if (!k) return;
  own(gd).sketch = null;
  const done = () => {
    k.canvas.remove();
    k.marks.remove();
    gd.classList.remove("tl-sketching");
  };
  if (!keep || !k.x.some((xs) => xs.length) || !fullData(gd)) {
    done();
    return;
  }
  const data = {
    x: k.traces.map((t, i) => concat(gd.data[t].x || [], k.x[i])),
    y: k.traces.map((t, i) => concat(gd.data[t].y || [], k.y[i])),
  };
  const layout = { shapes: k.shapes.map((s) => ({ ...s, x0: k.marker, x1: k.marker })) };
  if (k.notes) layout.annotations = k.notes;
  for (const name of k.changed) layout[`${name}.autorange`] = true;
  call(gd, "update", data, layout, k.traces).then(done);
}
