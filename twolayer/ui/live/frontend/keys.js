// The presenter keys (Space plays or pauses, → or Page Down steps, R resets) and the Pause
// click, taken by the mount whose data came last.
import { prepare, stepAhead } from "./ahead.js";
import { busy, handOver } from "./handover.js";
import { button, keyed } from "./internals.js";
import { finish, makeHeadroom } from "./play.js";
import { current, playing } from "./state.js";

const HEADROOM_AFTER_MS = 50;      // Play clicked: the garbage collected this much later

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

export function onKey(e) {
  const s = current();
  if (!s || !s.keys || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  const target = e.target instanceof Element ? e.target : null;
  const own = target && Object.values(s.keys).some(
    (key) => target.closest(keyed(key)));   // the page's own Play controls
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

export function onClick(e) {       // Pause: stop on the picture on screen, before the rerun
  const s = current();
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
    if (which && which !== "reset" && !e.target.closest("button:disabled")) {
      busy(s, e.target);
      // After the click's own message to the app is sent (a 53-65 ms task run right after
      // the click held that message back as long), while the app makes the first chunk.
      if (which === "play") setTimeout(makeHeadroom, HEADROOM_AFTER_MS);
    }
    stepAhead(s, e.target);
    return;
  }
  if (!e.target.closest(keyed(s.keys.play))) return;
  e.preventDefault();
  e.stopImmediatePropagation();
  finish(s, false);
}
