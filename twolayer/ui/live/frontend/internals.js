// The framework internals this component reads, in one place. Plotly has no public API for
// where it laid a chart out (the plot area's pixels, the margins it settled on, the traces
// with their defaults filled in, the SVG it drew: its layers, title, notes, tick labels), and
// Streamlit none for "the app's run is over": these read their private fields and DOM. A
// Plotly or Streamlit version that moves them breaks here, and only here (and in live.css,
// which hides three of Plotly's layers while playing: .shapelayer, .scatterlayer, and keeps
// .legend .traces at full colour).

// Plotly's layout with every default and computed size filled in (gd._fullLayout).
export function full(gd) {
  return gd._fullLayout;
}

// Plotly's traces with their defaults (gd._fullData): the heatmap's colour scale, a trace's uid.
export function fullData(gd) {
  return gd._fullData;
}

// The margins Plotly settled on, automargin included: {l, r, t, b} (fullLayout._size).
export function margins(fl) {
  return fl._size;
}

// An axis's plot area in pixels: {offset, length} (axis._offset, axis._length).
export function axisBox(ax) {
  return { offset: ax._offset, length: ax._length };
}

// The SVG text of a chart's title as Plotly drew it.
export function titleText(gd) {
  return gd.querySelector(".g-gtitle text.gtitle");
}

// Streamlit's app element says whether a script run is under way (its test attribute).
export function settled() {
  return Boolean(document.querySelector(
    '[data-testid="stApp"][data-test-script-state="notRunning"]'));
}

// A widget's element, found by the st-key-<key> class Streamlit gives an element with a key
// (no public API hands the browser a widget's element): its CSS selector, and its button.
export function keyed(key) {
  return `.st-key-${CSS.escape(key)}`;
}

export function button(key) {
  return key ? document.querySelector(`${keyed(key)} button`) : null;
}

// The annotations as Plotly drew them, each with its index in the layout (data-index).
export function noteElements(gd) {
  return gd.querySelectorAll(".infolayer g.annotation");
}

// Plotly's main SVG (the axes, the plot area and the traces; the legend and notes are in a
// second one over it): canvases and copies are laid right after it.
export function mainSvg(gd) {
  return gd.querySelector(".main-svg");
}

// The plot area's element (Plotly's drag surface), and the elements of the axes' titles and
// tick labels left of it (side "left") or under it ("below").
export function plotArea(gd) {
  return gd.querySelector(".nsewdrag");
}

export function axisLabels(gd, side) {
  return gd.querySelectorAll(side === "left" ? ".g-ytitle, .yaxislayer-above"
                                             : ".g-xtitle, .xaxislayer-above");
}

// A copy of Plotly's drawing of some traces (by their uid), and of nothing else: its main SVG
// cloned, every other layer and trace taken out, and no class left (Plotly finds its traces in
// the chart by class, g.trace.scatter, ..., and would take these, which carry no data, for its
// own: its styling then fails).
export function drawingOf(gd, uids) {
  const svg = mainSvg(gd);
  if (!svg) return null;
  const wanted = new Set(uids.map((uid) => `trace${uid}`));
  const copy = svg.cloneNode(true);
  for (const child of [...copy.children]) {
    if (!child.classList.contains("cartesianlayer")) child.remove();   // defs stay unique
  }
  copy.querySelectorAll(".cartesianlayer > .subplot > :not(.overplot)").forEach((g) => g.remove());
  copy.querySelectorAll(".overplot > g > g:not(.scatterlayer)").forEach((g) => g.remove());
  copy.querySelectorAll(".scatterlayer > g.trace").forEach((g) => {
    if (![...g.classList].some((c) => wanted.has(c))) g.remove();
  });
  copy.querySelectorAll("[class]").forEach((el) => el.removeAttribute("class"));
  copy.removeAttribute("class");
  return copy;
}
