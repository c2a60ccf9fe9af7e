// A whole new figure of lines, markers and text (the network diagram) painted on a canvas
// while playing, over the chart's own axes.
import { CONFIG, call, own } from "./chart.js";
import { decode } from "./codec.js";
import { axisBox, full } from "./internals.js";
import { overlay, warm } from "./overlay.js";
import { lut } from "./paint.js";

// The network diagram changes a few times a second while playing, as a whole figure: Plotly's
// react of it takes 15-40 ms on a 2-CPU machine, one or two 60 Hz frames in which the picture
// stands still. Its axes never move (fixed ranges, none drawn), so the traces are painted here
// on a canvas over the chart (about a millisecond), and Plotly's own traces are hidden
// meanwhile (live.css). When playing stops the last figure is handed to Plotly (unpaintFigure).

export function paintFigure(gd, patch) {
  if (!patch.figure) return false;
  const fig = decode(patch.figure), k = accepts(gd, fig);
  if (!k) return false;
  k.last = fig;
  gd.classList.add("tl-repainted");
  const fl = full(gd), traces = fig.data || [];
  const ctx = k.canvas.getContext("2d"), xa = fl.xaxis, ya = fl.yaxis, dpr = k.dpr;
  const px = (v) => (axisBox(xa).offset + xa.c2p(v)) * dpr;
  const py = (v) => (axisBox(ya).offset + ya.c2p(v)) * dpr;
  ctx.clearRect(0, 0, k.canvas.width, k.canvas.height);
  for (const t of traces) {
    const mode = t.mode || "lines";
    ctx.globalAlpha = t.opacity === undefined ? 1 : t.opacity;
    if (mode.includes("lines")) lines(ctx, t, px, py, dpr);
    if (mode.includes("markers")) markers(ctx, t, px, py, dpr);
    if (mode.includes("text")) text(ctx, t, px, py, dpr, fl);
  }
  ctx.globalAlpha = 1;
  return true;
}

// The canvas for a figure it can paint (lines, markers and text on the chart's own axes), or
// null.
function accepts(gd, fig) {
  const fl = full(gd);
  if (!fl || gd.clientWidth !== fl.width || !same(fl, fig.layout || {})) return null;
  if (!(fig.data || []).every((t) => (t.type || "scatter") === "scatter"
                                     && (t.xaxis || "x") === "x" && (t.yaxis || "y") === "y")) {
    return null;
  }
  return own(gd).figure || start(gd, fl);
}

// As Play starts, before its first picture: the canvas this figure will be painted on is laid
// and allocated (warm), transparent, Plotly's own traces still shown. Returns its rehearsal for
// the animation frames before the first picture (play.js: ready), or null.
export function readyFigure(gd, patch) {
  const k = patch.figure ? accepts(gd, decode(patch.figure)) : null;
  if (!k) return null;
  warm(k.canvas);
  return () => warm(k.canvas);
}

// The same axes as the chart's (the figure's ranges as Plotly laid them out): else Plotly.
function same(fl, layout) {
  return ["xaxis", "yaxis"].every((name) => {
    const range = layout[name] && layout[name].range;
    return Array.isArray(range) && fl[name] && fl[name].range.join() === range.join();
  });
}

function start(gd, fl) {
  const made = overlay(gd, "tl-sketch", { left: 0, top: 0, width: fl.width, height: fl.height });
  if (!made) return null;
  own(gd).figure = { ...made, last: null };
  return own(gd).figure;
}

function lines(ctx, t, px, py, dpr) {
  const line = t.line || {};
  ctx.beginPath();
  let on = false;
  for (let i = 0; i < t.x.length; i++) {
    const x = t.x[i], y = t.y[i];
    if (x === null || y === null || x === undefined || y === undefined) {
      on = false;
      continue;
    }
    if (on) ctx.lineTo(px(x), py(y));
    else ctx.moveTo(px(x), py(y));
    on = true;
  }
  ctx.strokeStyle = line.color || "#444";
  ctx.lineWidth = (line.width === undefined ? 2 : line.width) * dpr;
  ctx.lineCap = "butt";
  ctx.stroke();
}

function markers(ctx, t, px, py, dpr) {
  const m = t.marker || {};
  if (m.opacity === 0) return;               // hover targets only
  const colors = fills(m);
  const edge = m.line || {};
  for (let i = 0; i < t.x.length; i++) {
    const size = Array.isArray(m.size) ? m.size[i] : (m.size === undefined ? 6 : m.size);
    ctx.beginPath();
    ctx.arc(px(t.x[i]), py(t.y[i]), (size / 2) * dpr, 0, 2 * Math.PI);
    ctx.fillStyle = colors(i);
    ctx.fill();
    if (edge.width) {
      ctx.strokeStyle = edge.color || "#444";
      ctx.lineWidth = edge.width * dpr;
      ctx.stroke();
    }
  }
}

// A marker's fill: its colour, or its number on the marker's colour scale (cmin to cmax).
function fills(m) {
  const c = m.color;
  if (!ArrayBuffer.isView(c) && !Array.isArray(c)) return () => c || "#1f77b4";
  if (!Array.isArray(m.colorscale) || typeof c[0] === "string") return (i) => c[i];
  const table = lut(m.colorscale), lo = m.cmin, hi = m.cmax;
  return (i) => {
    const at = 4 * Math.max(0, Math.min(255, Math.round(((c[i] - lo) / (hi - lo || 1)) * 255)));
    return `rgb(${table[at]},${table[at + 1]},${table[at + 2]})`;
  };
}

// The nodes' names: centred in a node, or left or right of it, in the chart's font.
function text(ctx, t, px, py, dpr, fl) {
  const m = t.marker || {}, font = t.textfont || {};
  const family = (fl.font && fl.font.family) || "sans-serif";
  const color = font.color || (fl.font && fl.font.color) || "#444";
  for (let i = 0; i < t.x.length; i++) {
    const label = Array.isArray(t.text) ? t.text[i] : t.text;
    if (!label) continue;
    const size = Array.isArray(font.size) ? font.size[i] : (font.size || (fl.font && fl.font.size) || 12);
    const where = Array.isArray(t.textposition) ? t.textposition[i] : (t.textposition || "middle center");
    const r = (Array.isArray(m.size) ? m.size[i] : (m.size || 6)) / 2;
    const side = where.endsWith("left") ? -1 : where.endsWith("right") ? 1 : 0;
    ctx.font = `${size * dpr}px ${family}`;
    ctx.textAlign = side < 0 ? "right" : side > 0 ? "left" : "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = color;
    ctx.fillText(String(label), px(t.x[i]) + side * (r + 3) * dpr, py(t.y[i]));
  }
}

// The canvas goes; with `keep`, the last figure painted is drawn by Plotly first.
export function unpaintFigure(gd, keep = true) {
  const k = own(gd).figure;
  if (!k) return;
  own(gd).figure = null;
  const done = () => {
    k.canvas.remove();
    gd.classList.remove("tl-repainted");
  };
  if (!keep || !k.last) {
    done();
    return;
  }
  call(gd, "react", k.last.data || [], { ...gd.layout }, CONFIG).then(done);
}
