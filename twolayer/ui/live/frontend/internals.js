// The framework internals this component reads, in one place. Plotly has no public API for
// where it laid a chart out (the plot area's pixels, the margins it settled on, the traces
// with their defaults filled in, the title's SVG text), and Streamlit none for "the app's run
// is over": these read their private fields and DOM. A Plotly or Streamlit version that moves
// them breaks here, and only here.

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
