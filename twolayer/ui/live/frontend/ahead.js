// The next Step's charts, drawn ahead of the click and shown at it.
import { decode } from "./codec.js";
import { chart, draw, react } from "./draw.js";
import { full, keyed, settled } from "./internals.js";
import { playing } from "./state.js";

// Step: the next epoch's charts came with the ones on screen (made from a copy of the trainer
// trained one epoch ahead) and are shown at once; the rerun the click starts trains that epoch
// and sends the same charts again (same hashes: not drawn twice), and the numbers with them.
// Not while a rerun is under way: it may change what they were made from.
export function stepAhead(s, target) {
  const next = s.ahead, key = s.keys.step;
  if (!next || !key || !target.closest(`${keyed(key)} button:not(:disabled)`)) {
    return;
  }
  s.ahead = null;                  // once
  mark(s);
  if (!settled()) return;
  const rest = {};
  for (const [name, next_] of Object.entries(next.charts || {})) {
    const landing = s.landing[name];
    if (ready(s, name, next_)) {
      swap(s, name, next_);
    } else if (landing && landing.hash === next_.hash) {
      // Being drawn ahead right now (a Step clicked again quickly): shown when it lands,
      // rather than drawn a second time in front.
      landing.done.then(() => {
        if (s.drawn[name] === next_.hash || s.gone) return;     // the rerun drew it already
        if (ready(s, name, next_)) swap(s, name, next_);
        else draw(s, { [name]: next_ });
      });
    } else {
      rest[name] = next_;
    }
  }
  if (Object.keys(rest).length) setTimeout(() => draw(s, rest), 0);   // after Streamlit's click
}

// Each chart has a second one, where the next Step's chart is drawn when the browser has
// nothing else to do (at once when a Step click is already waiting its turn: it is shown the
// moment it lands): in the page, hidden under the one shown, while it is drawn, then taken
// out of the page (the page holds the charts shown, no more). Step puts it in the place of the
// one shown (nothing is drawn at the click), which becomes the next one's. Drawn again when
// the next Step changes or the box's width does.
export function prepare(s) {
  const next = s.ahead;
  if (!next || playing(s)) {
    mark(s);
    return;
  }
  for (const [name, next_] of Object.entries(next.charts || {})) {
    if (!s.divs[name] || !next_ || !next_.figure || ready(s, name, next_)) continue;
    s.back[name] = s.back[name] || chart(name, "tl-back");
    const task = () => {
      const back = s.back[name];
      if (s.ahead !== next || playing(s) || ready(s, name, next_)) return;
      const landing = s.landing[name];
      if (landing && landing.hash === next_.hash && landing.back === back) return;  // under way
      delete back.dataset.hash;
      if (!back.isConnected) s.cells[name].appendChild(back);
      const done = react(back, decode(next_.figure))
        .then(() => {
          if (s.back[name] !== back) return;
          back.dataset.hash = next_.hash;
          back.remove();
          if (s.ahead === next) mark(s);
        })
        .catch((err) => console.error(`twolayer live chart ${name} (next Step):`, err))
        .finally(() => {
          if (s.landing[name] && s.landing[name].done === done) delete s.landing[name];
        });
      s.landing[name] = { hash: next_.hash, back, done };
    };
    if (s.queued) task();
    else idle(task);
  }
  mark(s);
}

// data-ahead: the epoch whose charts are all drawn ahead, ready for Step (tests wait for it).
function mark(s) {
  const next = s.ahead;
  const all = next && Object.entries(next.charts || {}).every(([name, c]) => ready(s, name, c));
  if (all) s.root.dataset.ahead = next.epoch;
  else delete s.root.dataset.ahead;
}

function ready(s, name, next) {
  const back = s.back[name], front = s.divs[name];
  return Boolean(back && front && next && back.dataset.hash === next.hash && full(back)
                 && full(back).width === front.clientWidth);
}

function swap(s, name, next) {
  const front = s.divs[name], back = s.back[name];
  front.classList.replace("tl-chart", "tl-back");
  back.classList.replace("tl-back", "tl-chart");
  front.replaceWith(back);
  s.observer.unobserve(front);
  s.observer.observe(back);
  s.divs[name] = back;
  s.back[name] = front;
  s.drawn[name] = next.hash;
  s.parts[name] = next.parts;
}

// When the app has finished its run and the browser has nothing else to do: the next Step's
// charts never hold up the page's own.
function idle(task) {
  const run = () => (settled() ? task() : setTimeout(() => idle(task), 100));
  if (window.requestIdleCallback) requestIdleCallback(run, { timeout: 1000 });
  else setTimeout(run, 50);
}
