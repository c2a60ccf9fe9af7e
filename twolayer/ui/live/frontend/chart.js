// One Plotly chart's own state (one WeakMap entry per chart element: nothing is hung on
// Plotly's element) and every Plotly call made on it.
import "../twolayer.plotly/plotly.min.js";

export const Plotly = window.Plotly;
// Not Plotly's own "responsive" (it follows the window, on a 100 ms timer that can read a size
// the box no longer has): every chart is drawn at its box's width, set here (see size).
export const CONFIG = { displaylogo: false, responsive: false };

const state = new WeakMap();       // chart element -> what this code keeps about it

export function own(gd) {
  let c = state.get(gd);
  if (!c) state.set(gd, (c = {}));
  return c;
}

// Plotly's own continuations (a redraw for the margins, an event after drawing) read what
// Plotly.purge deletes: a chart taken off the page (a page switch, a rerun that drops the
// component) is purged only once no call on it is under way, and no call starts on it after.
// A failure is reported in the console, never left uncaught (resolves false).

export function call(gd, op, ...args) {
  if (own(gd).gone) return Promise.resolve(false);
  own(gd).calls = (own(gd).calls || 0) + 1;
  let out;
  try {
    out = Promise.resolve(Plotly[op](gd, ...args));
  } catch (err) {
    out = Promise.reject(err);
  }
  return out.then(() => true, (err) => {
    if (!own(gd).gone) console.error(`twolayer live chart ${gd.dataset.chart} (${op}):`, err);
    return false;
  }).finally(() => {
    own(gd).calls -= 1;
    if (own(gd).gone && !own(gd).calls) purge(gd);
  });
}

export function purge(gd) {
  own(gd).gone = true;
  if (own(gd).calls) return;          // purged when the last call is done (see call)
  try {
    Plotly.purge(gd);
  } catch (err) {
    console.error("twolayer live chart purge:", err);
  }
}
