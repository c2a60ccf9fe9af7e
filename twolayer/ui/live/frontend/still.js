// What does not move while playing is kept as drawn (see hold), and a square picture's data
// points that did not change are kept when a new figure is drawn (see keep).
import { call, own } from "./chart.js";
import { drawingOf, full, fullData, mainSvg, margins } from "./internals.js";

// Plotly redraws a whole chart when one of its traces changes. While playing, two things that
// do not change are kept out of that: the data points of a picture (hundreds of SVG markers,
// costlier than the picture under them) become a copy of their drawing, an SVG over the chart;
// and each chart's margins stay where they are (no second layout pass when a tick label grows,
// no tick label measured: a curves axis's relayout while playing, 10 -> 6.5 ms).

export function hold(gd, traces) {
  // Only a chart laid out at the width it shows (else resize holds it once it is)
  if (own(gd).held || !full(gd) || gd.clientWidth !== full(gd).width) return;
  const size = margins(full(gd));
  const axes = Object.keys(full(gd)).filter((k) => /^[xy]axis\d*$/.test(k));
  const before = { margin: structuredClone(gd.layout.margin || {}) };
  const fixed = { margin: { l: size.l, r: size.r, t: size.t, b: size.b } };
  // Nor does Plotly measure every tick label again at each relayout of an axis (to hide one
  // that would stick out of the chart: "hide past div"): a third of a relayout's time, and
  // the margins hold them anyway.
  for (const axis of axes) {
    for (const [attr, value] of [["automargin", false], ["ticklabeloverflow", "allow"]]) {
      before[`${axis}.${attr}`] = gd.layout[axis] ? gd.layout[axis][attr] : undefined;
      fixed[`${axis}.${attr}`] = value;
    }
  }
  // A square picture's axes and margins never move while playing (fixed ranges): left as
  // they are, laid out by Plotly exactly as a rerun's figure is. Another chart's margins are
  // fixed with the first Plotly call on it while playing (see steady): one painted on a
  // canvas meanwhile gets none.
  const held = { before: own(gd).square ? {} : before, fixed: own(gd).square ? null : fixed,
                 copy: null, traces: [], visible: [], play: true };
  own(gd).held = held;
  const done = [];
  if (traces && traces.length && fullData(gd)) done.push(keepStill(gd, traces, !own(gd).square));
  Promise.all(done).then(() => listen(gd, held));
}

// The layout that holds a held chart's margins where they are, to go with the first Plotly
// call on it while playing ({} after that, and for a chart not held).
export function steady(gd) {
  const held = own(gd).held;
  if (!held || !held.fixed) return {};
  const fixed = held.fixed;
  held.fixed = null;
  return fixed;
}

// A zoom, a pan (an axis changes) or a click in the legend moves what the copy shows: back
// to the real thing. Listened to once the changes that made the copy are drawn (their events
// come first); frames use Plotly.update, which emits neither event.
export function listen(gd, held) {
  if (own(gd).held !== held || !held.copy || held.moved || own(gd).gone || !gd.on) return;
  held.moved = (change) => {
    if (!change || Object.keys(change).some((k) => /^[xy]axis\d*\./.test(k))) release(gd);
  };
  held.clicked = () => release(gd);
  gd.on("plotly_relayout", held.moved);
  gd.on("plotly_restyle", held.clicked);
}

// The copy goes over the chart; with `hide`, Plotly draws these traces no more meanwhile (a
// chart Plotly redraws while playing). A square picture is painted on a canvas over Plotly's
// own points, under the copy: they stay (hiding them would be a whole redraw for nothing).
export function keepStill(gd, traces, hide = true) {
  const copy = copyOf(gd, traces);
  if (!copy) return undefined;
  own(gd).held.copy = copy;
  if (!hide) return undefined;
  Object.assign(own(gd).held, { traces, visible: traces.map((i) => gd.data[i].visible) });
  gd.classList.add("tl-frozen");
  return call(gd, "restyle", { visible: "legendonly" }, traces);
}

// An SVG copy of these traces as they are drawn now, laid over the chart.
export function copyOf(gd, traces) {
  const fd = fullData(gd);
  if (!fd || traces.some((i) => !fd[i])) return null;
  const copy = drawingOf(gd, traces.map((i) => fd[i].uid));
  if (!copy) return null;
  copy.classList.add("tl-still");
  copy.style.background = "none";
  (gd.querySelector(".tl-paint") || mainSvg(gd)).after(copy);   // over the painted picture
  return copy;
}

// Back to the chart as it was; `restore` false when a whole new figure is drawn next anyway.
export function release(gd, restore = true) {
  const held = own(gd).held;
  if (!held) return;
  own(gd).held = null;
  if (held.moved && gd.removeListener) {     // (a purged chart has no listeners left)
    gd.removeListener("plotly_relayout", held.moved);
    gd.removeListener("plotly_restyle", held.clicked);
  }
  if (held.copy) held.copy.remove();
  gd.classList.remove("tl-frozen");
  if (!restore) return;
  if (!held.fixed && Object.keys(held.before).length) call(gd, "relayout", held.before);
  if (held.traces.length) {
    call(gd, "restyle", { visible: held.visible.map((v) => (v === undefined ? true : v)) },
                   held.traces);
  }
}

// The traces `still` of the figure about to be drawn stay as a copy of their drawing (the one
// already there when it holds the same traces) and are drawn "legendonly" (legend, no markers).
export function keep(gd, fig, still) {
  const held = own(gd).held;
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
  own(gd).held = { before: {}, copy, traces: still, visible: still.map(() => true), play: false };
  gd.classList.add("tl-frozen");
}
