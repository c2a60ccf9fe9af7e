// The picture while playing: a canvas over the plot area.
import { call, own } from "./chart.js";
import { decode } from "./codec.js";
import { unsketch } from "./curves.js";
import { unpaintFigure } from "./scatter.js";
import { axisBox, full, fullData, margins, titleText } from "./internals.js";
import { overlay, warm } from "./overlay.js";

// Plotly redraws a heatmap, its contour and the axes on every z it is given (30-50 ms a frame
// on a busy 2-CPU machine, three 60 Hz frames). While playing, a frame's probability map and
// its 0.5 contour are painted on a canvas laid exactly over the plot area instead (well under
// a millisecond), with the heatmap's own colour scale and the contour's own line; the title
// is written on a canvas of its own (see retitle). The hidden units' tiles (one heatmap, no
// contour) are painted the same way. When playing stops (or the chart is resized) the last
// frame painted is handed to Plotly and the canvases go: the chart is Plotly's again.

export function paint(gd, patch, traces) {
  const p = accepts(gd, patch, traces);
  if (!p) return false;
  const z = decode(patch.set.z);
  if (!fits(p, z)) return false;
  draw2d(p, z);
  p.last = { traces, z, layout: patch.layout || {} };
  const layout = { ...(patch.layout || {}) };
  if (typeof layout["title.text"] === "string") {
    if (p.title === undefined) p.title = pen(gd);     // not laid before the first picture
    if (retitle(gd, p, layout["title.text"])) delete layout["title.text"];
  }
  if (Object.keys(layout).length) call(gd, "relayout", layout);
  return true;
}

// The painter of a patch it can paint (a new z, on the same colour scale), or null.
function accepts(gd, patch, traces) {
  if (patch.append || !patch.set || !patch.set.z) return null;
  const { z: _levels, zmin, zmax, ...rest } = patch.set;
  if (Object.keys(rest).length) return null;
  const p = painter(gd, traces);
  // A colour scale that moves (relu's hidden units: up to the largest activation) is Plotly's
  // to draw, with its colour bar.
  if (!p || (zmin !== undefined && zmin !== p.zmin) || (zmax !== undefined && zmax !== p.zmax)) {
    return null;
  }
  return p;
}

// As Play starts, before its first picture: the canvases this patch will be painted on (the
// map's, and the title's if it has one) are laid and allocated, transparent until a frame
// paints them. Returns their rehearsal for the animation frames before the first picture
// (play.js: ready): the patch's own map and title painted and cleared at once (nothing
// shows), so that the first frames run the painting code warm (cold, its first two runs took
// 7-9 and 4-8 ms against ~1 ms), or null.
export function readyPaint(gd, patch, traces) {
  const p = accepts(gd, patch, traces);
  if (!p) return null;
  const title = (patch.layout || {})["title.text"];
  if (p.title === undefined && typeof title === "string") p.title = pen(gd);
  const clear = () => {
    warm(p.canvas);
    if (p.title) warm(p.title.canvas);
  };
  clear();
  const z = (patch.set.z = decode(patch.set.z));     // once: the first frame paints it again
  return () => {
    if (fits(p, z)) draw2d(p, z);
    if (p.title && typeof title === "string") write(p.title, title);
    clear();
  };
}

function fits(p, z) {
  return Array.isArray(z) && z.length === p.rows && z[0].length === p.cols;
}

// The title while playing. Plotly's relayout of a title redoes the chart's whole layout-style
// pass (5-13 ms a frame on a busy 2-CPU machine, a third of a 60 Hz frame), and any change of
// the page's text, even one word of an SVG text, costs the browser a new paint of the page and
// a new split of it into compositor layers: 3-4 ms a frame (Chromium 156, 2 CPUs), against
// ~0 for a canvas drawn again. So the title is written on a canvas laid over Plotly's, in
// Plotly's font, colour and place (see pen), and Plotly's SVG text, taken out of the drawing
// (display: none), says the same words: whoever reads the chart's title reads the one shown,
// and so does Plotly's own layout object. Plotly takes the title over when the canvas goes
// (unpaint: its update with that same title draws it and brings its own copy of the layout up
// to date).
export function retitle(gd, p, text) {
  const el = titleText(gd), title = gd.layout && gd.layout.title;
  if (!el || !title || typeof title !== "object" || el.childElementCount) return false;
  title.text = text;
  el.textContent = text;
  if (p.title) {
    write(p.title, text);
    el.style.display = "none";
  }
  return true;
}

// A canvas over the chart's title band, and how Plotly drew the title (its look), or null.
export function pen(gd) {
  const el = titleText(gd), fl = full(gd), look = el && titleLook(el);
  if (!look || !fl) return null;
  const height = Math.ceil(Math.max(margins(fl).t, look.y + look.size));
  const made = overlay(gd, "tl-title", { left: 0, top: 0, width: fl.width, height });
  return made && { ...made, look };
}

// Where Plotly's SVG text of a title starts its baseline (x, y in the chart's pixels), its
// alignment, font and colour; null for one a canvas would not draw the same (a transform, or
// parts of several styles: <tspan>s).
export function titleLook(el) {
  if (el.childElementCount || el.hasAttribute("transform")) return null;
  const cs = getComputedStyle(el), size = parseFloat(cs.fontSize);
  const dy = el.getAttribute("dy") || "0";
  const y = Number(el.getAttribute("y") || 0) + parseFloat(dy) * (dy.endsWith("em") ? size : 1);
  const x = Number(el.getAttribute("x") || 0);
  if (!Number.isFinite(x) || !Number.isFinite(y) || !(size > 0)) return null;
  const align = { middle: "center", end: "right" }[el.getAttribute("text-anchor")] || "left";
  return { x, y, size, align, fill: cs.fill,
           alpha: Number(cs.fillOpacity) * Number(cs.opacity),
           font: `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}` };
}

export function write({ canvas, dpr, look }, text) {
  const ctx = canvas.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.font = look.font;
  ctx.fillStyle = look.fill;
  ctx.globalAlpha = look.alpha;
  ctx.textAlign = look.align;
  ctx.textBaseline = "alphabetic";
  ctx.fillText(text, look.x, look.y);
}

export function painter(gd, traces) {
  const fl = full(gd), fd = fullData(gd);
  if (!fl || !fd || !fl.xaxis || !fl.yaxis || traces.length < 1 || traces.length > 2) return null;
  const h = fd[traces[0]], c = traces.length > 1 ? fd[traces[1]] : null;
  if (!h || h.type !== "heatmap" || h.visible !== true || !Array.isArray(h.colorscale)) return null;
  if (typeof h.zmin !== "number" || typeof h.zmax !== "number" || h.zmax <= h.zmin) return null;
  if (c && (c.type !== "contour" || c.visible !== true || !c.contours)) return null;
  const xa = fl.xaxis, ya = fl.yaxis;
  const key = [fl.width, fl.height, axisBox(xa).offset, axisBox(ya).offset, axisBox(xa).length, axisBox(ya).length].join();
  if (own(gd).paint && own(gd).paint.key === key) return own(gd).paint;
  unpaint(gd, false);
  const x = coords(h.x, h.x0, h.dx, columns(gd, traces[0])), y = coords(h.y, h.y0, h.dy, rowsOf(gd, traces[0]));
  if (x.length < 2 || y.length < 2) return null;
  // Under the still copy of the points (tl-still, laid after it)
  const made = overlay(gd, "tl-paint", { left: axisBox(xa).offset, top: axisBox(ya).offset,
                                         width: axisBox(xa).length, height: axisBox(ya).length });
  if (!made) return null;
  const { canvas, dpr } = made;
  const bitmap = document.createElement("canvas");
  bitmap.width = x.length;
  bitmap.height = y.length;
  const dx = (x[x.length - 1] - x[0]) / (x.length - 1), dy = (y[y.length - 1] - y[0]) / (y.length - 1);
  const px = (v) => xa.c2p(v) * dpr, py = (v) => ya.c2p(v) * dpr;
  own(gd).paint = {
    key, canvas, bitmap, rows: y.length, cols: x.length, lut: lut(h.colorscale),
    zmin: h.zmin, zmax: h.zmax, dpr,
    image: [px(x[0] - dx / 2), py(y[y.length - 1] + dy / 2), px(x[x.length - 1] + dx / 2),
            py(y[0] - dy / 2)],
    xs: x.map(px), ys: y.map(py),
    level: c ? c.contours.start : null,
    line: c ? { color: c.line.color, width: c.line.width * dpr } : null,
  };
  return own(gd).paint;
}

// A heatmap's cell centres: its x (or y) array, else x0 + k dx (Plotly's default 0, 1, 2, ...).
function coords(given, first, step, n) {
  if (given && given.length) return Array.from(given);
  return Number.isFinite(first) && Number.isFinite(step) ? Array.from({ length: n }, (_, k) => first + k * step) : [];
}

function rowsOf(gd, t) {
  const z = gd.data[t] && gd.data[t].z;
  return z ? z.length : 0;
}

function columns(gd, t) {
  const z = gd.data[t] && gd.data[t].z;
  return z && z.length ? z[0].length : 0;
}

export function lut(scale) {                        // 256 RGBA colours along a Plotly colour scale
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

export function draw2d(p, z) {
  const { rows, cols, lut: colors, zmin, zmax } = p;
  const bctx = p.bitmap.getContext("2d");
  const img = p.img || (p.img = bctx.createImageData(cols, rows));   // one per painter
  img.data.fill(0);
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
// default smoothing of the grid's own resolution). No arrays made per cell: most cells have no
// crossing and cost four comparisons (the first frames of a Play run this code cold).
export function contour(ctx, p, z) {
  const L = p.level, xs = p.xs, ys = p.ys;
  ctx.beginPath();
  let fx = 0, fy = 0, open = false;  // a segment's first end, waiting for its second
  const end = (x, y) => {
    if (open) {
      ctx.moveTo(fx, fy);
      ctx.lineTo(x, y);
    } else {
      fx = x;
      fy = y;
    }
    open = !open;
  };
  for (let i = 0; i + 1 < p.rows; i++) {
    const lower = z[i], upper = z[i + 1];
    for (let j = 0; j + 1 < p.cols; j++) {
      const a = lower[j], b = lower[j + 1], c = upper[j + 1], d = upper[j];
      if (Number.isNaN(a + b + c + d)) continue;            // a corner outside the data
      const A = a >= L, B = b >= L, C = c >= L, D = d >= L;
      if (A === B && B === C && C === D) continue;          // the line does not cross here
      if (A !== B) end(xs[j] + ((L - a) / (b - a)) * (xs[j + 1] - xs[j]), ys[i]);
      if (B !== C) end(xs[j + 1], ys[i] + ((L - b) / (c - b)) * (ys[i + 1] - ys[i]));
      if (D !== C) end(xs[j] + ((L - d) / (c - d)) * (xs[j + 1] - xs[j]), ys[i + 1]);
      if (A !== D) end(xs[j], ys[i] + ((L - a) / (d - a)) * (ys[i + 1] - ys[i]));
    }
  }
  ctx.strokeStyle = p.line.color;
  ctx.lineWidth = p.line.width;
  ctx.lineCap = "round";
  ctx.stroke();
}

// The canvas goes; the last frame painted is handed to Plotly first (`keep` false: a figure
// is drawn next anyway, or nothing was painted). The curves' and the network's canvases
// likewise (curves.js, scatter.js).
export function unpaint(gd, keep = true) {
  unsketch(gd, keep);
  unpaintFigure(gd, keep);
  const p = own(gd).paint;
  if (!p) return;
  own(gd).paint = null;
  const done = () => {
    p.canvas.remove();
    if (!p.title) return;
    p.title.canvas.remove();
    const el = titleText(gd);       // Plotly's title, saying what the canvas said
    if (el) el.style.display = "";
  };
  if (keep && p.last && fullData(gd)) {
    const { traces, z, layout } = p.last;
    call(gd, "update", { z: traces.map(() => z) }, layout, traces).then(done);
  } else {
    done();
  }
}
