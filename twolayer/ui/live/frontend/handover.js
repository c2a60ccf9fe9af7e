// One hand-over at a time. A click on Play, Pause or Step (or its key) starts a rerun; until
// the component has its answer (its data came again and the app's run is over) the button says
// it is busy (aria-busy), and another click on them waits: Streamlit merges clicks made during a rerun
// (28 quick Step clicks gave 18 epochs) and a toggle during a hand-over raced the frames in
// flight. A Play/Pause meanwhile is ignored; a Step is queued and clicked again in its turn,
// so that every Step click counts.
import { repair } from "./draw.js";
import { button, keyed, settled } from "./internals.js";
import { playing } from "./state.js";

const BUSY_CHECK_MS = 100;
const BUSY_IDLE_MS = 3000;         // no answer (the data did not change): free again after this
const BUSY_MAX_MS = 20000;         // never busy for longer than this

export function busy(s, target) {
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

export function unbusy(s) {
  const b = s.busy;
  if (!b) return;
  s.busy = null;
  clearTimeout(b.timer);
  if (b.el) b.el.removeAttribute("aria-busy");
  for (const key of Object.values(s.keys || {})) button(key)?.removeAttribute("aria-busy");
}

// The page's Play (Pause) and Step buttons.
export function handOver(s, target) {
  if (!s.keys) return null;
  for (const name of ["play", "step", "reset"]) {
    const key = s.keys[name];
    if (key && target.closest(`${keyed(key)} button`)) return name;
  }
  return null;
}
