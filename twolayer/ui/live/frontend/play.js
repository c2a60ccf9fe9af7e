// Play: the frames played here, one per animation frame, while the next chunk is asked for
// ahead of time; Pause (or the last frame) stops on the picture on screen and tells Python.
import { call, own } from "./chart.js";
import { concat, decode } from "./codec.js";
import { readySketch, roomFor, sketch, unsketch } from "./curves.js";
import { paintFigure, readyFigure, unpaintFigure } from "./scatter.js";
import { measure, react, repair } from "./draw.js";
import { busy, unbusy } from "./handover.js";
import { button, settled } from "./internals.js";
import { fresh, pace, say } from "./pace.js";
import { paint, readyPaint, unpaint } from "./paint.js";
import { playing } from "./state.js";
import { hold, release, steady } from "./still.js";

const RETRY_MS = 4000;             // ask again for a chunk that has not come
// The app's own route for the chunks after the first (twolayer/ui/feed.py): a fetch, not a
// rerun. This file is served at <app>/_stcore/bidi-components/<component>/play.js.
const ROUTE = new URL("../../../api/chunk", import.meta.url);
const SETTLE_MS = 250;             // the first picture waits this long at most (see tick),
const WARM_FRAMES = 3;             // and at least this many animation frames (see ready)
const ROOM_FRAMES = 60;            // the curves' axes get room for the next second's points
const ROOM_EVERY_MS = 250;         // looked at this often (a relayout is 20-35 ms: in a task
                                   // of its own, not in a frame; see makeRoom)
const LOW_FRAMES = 12;             // fewer queued, the next chunk asked for and not here yet:
                                   // a frame every other animation frame, every third below
                                   // half of it, every fourth below a quarter (see tick)
const BALLAST_DOUBLES = 2e6;       // the garbage a Play click makes (see makeHeadroom)
const LAZY_MS = 450;               // a lazy patch is drawn at most this often (see flush),
const LAZY_GAP_MS = 120;           // and never two lazy charts within this of each other

export function receive(s, stream) {
  const p = s.play;
  if (!stream) {                   // not playing (any more): what is drawn stays
    stop(s);
    p.id = null;
    return;
  }
  if (stream.play !== p.id) {      // a new Play
    stop(s);
    // Its first chunk is the answer to the Play click: the hand-over is over (the chunks'
    // own reruns that follow are Play's, and Pause or Space during them stops it at once).
    unbusy(s);
    s.still = stream.still || {};
    const t0 = performance.now();
    for (const [name, gd] of Object.entries(s.divs)) hold(gd, s.still[name]);
    measure("tl hold", t0, performance.now());
    Object.assign(p, { id: stream.play, stopped: false, seen: new Set(), queue: [],
                       shown: stream.start, lastSeq: stream.seq - 1, asked: -1, askedAt: 0,
                       end: null, idle: Infinity, token: stream.token || null, roomAt: 0,
                       early: new Map(), waitFrom: performance.now(), warm: [],
                       warmFrames: 0 });
    s.pace = fresh(s.pace.screen);
  }
  if (p.stopped || p.seen.has(stream.seq)) return;   // the data is sent again on every rerun
  p.seen.add(stream.seq);
  s.root.dataset.chunks = p.seen.size;
  // In order: a chunk may come before the one it follows (a rerun sends the route's last).
  p.early.set(stream.seq, stream);
  while (p.early.has(p.lastSeq + 1)) {
    const next = p.early.get(p.lastSeq + 1);
    p.early.delete(p.lastSeq + 1);
    enqueue(s, next);
  }
}

function enqueue(s, stream) {
  const p = s.play;
  p.lastSeq = stream.seq;
  if (stream.seq === 0 && stream.frames.length) {
    const t0 = performance.now();
    prime(s, stream.frames);
    measure("tl prime", t0, performance.now());
  }
  p.queue.push(...stream.frames);
  p.ahead = stream.ahead || p.ahead;
  if (stream.end) p.end = stream.end;
  if (!p.raf) p.raf = requestAnimationFrame((t) => tick(s, t));
}

// One frame per animation frame: the screen's own rate (60 a second on most displays), as
// TensorFlow Playground paints. A browser that cannot keep up calls this less often: Play
// slows down and shows every frame all the same (at 1x every epoch), and says so (see pace).
function tick(s, now) {
  const p = s.play;
  p.raf = 0;
  if (p.stopped || !s.root.isConnected) return;
  // The first picture waits for the end of the Play click's run (at most SETTLE_MS): the
  // browser's update of the page as a run ends would hold the first pictures back.
  if (p.waitFrom !== null) {
    const warming = p.warmFrames-- > 0;
    if (warming) {
      const t0 = performance.now();
      for (const rehearse of p.warm) {
        try {
          rehearse();
        } catch (err) {            // a chart resized or redrawn meanwhile: no rehearsal
          console.error("twolayer live chart:", err);
        }
      }
      measure("tl warm", t0, performance.now());
    }
    if (warming || (!settled() && now - p.waitFrom < SETTLE_MS)) {
      ask(s, now);
      p.raf = requestAnimationFrame((t) => tick(s, t));
      return;
    }
    measure("tl wait", p.waitFrom, now);
    p.waitFrom = null;
  }
  // Running low (Python trains slower than the screen shows: 10x on a slow machine) the
  // picture slows down, the more so the fewer frames are left (half the screen's rate, then a
  // third, a quarter), rather than stop until the next chunk comes: it goes on at about the
  // rate Python makes frames, each picture at most four animation frames after the last.
  const n = p.queue.length, low = !p.end && n < LOW_FRAMES && p.asked > p.lastSeq;
  const every = !low ? 1 : n >= LOW_FRAMES / 2 ? 2 : n >= LOW_FRAMES / 4 ? 3 : 4;
  p.idle += 1;                           // animation frames since the last picture
  const frame = p.idle >= every ? p.queue.shift() : undefined, t0 = performance.now();
  if (frame) {
    p.idle = 0;
    show(s, frame);
    measure("tl frame", t0, performance.now());
    p.step = p.shown === null ? p.step : frame.epoch - p.shown;
    p.shown = frame.epoch;
  }
  if (now - p.roomAt >= ROOM_EVERY_MS) {   // right after this frame: the most time before
    const soon = p.queue.slice(0, ROOM_FRAMES); // the next
    p.roomAt = now;
    setTimeout(() => makeRoom(s, p.id, soon));
  }
  pace(s, now, Boolean(frame));
  flush(s, now, LAZY_MS);
  if (!p.queue.length && p.end) {  // the last chunk has played: report where it stopped
    finish(s, true);
    return;
  }
  ask(s, now);
  p.raf = requestAnimationFrame((t) => tick(s, t));
}

function ask(s, now) {             // keep at least `ahead` frames (about 4 s) queued
  const p = s.play, next = p.lastSeq + 1;
  if (p.end || p.queue.length >= p.ahead || !s.trigger) return;
  if (p.asked === next && now - p.askedAt < RETRY_MS) return;
  p.asked = next;
  p.askedAt = now;
  if (p.token) fetchChunk(s, p.id, next, p.shown);
  else s.trigger("need", { play: p.id, seq: next, shown: p.shown });
}

// The next chunk from the route. What it cannot give (a proxy that does not forward it, an
// answer that is not a chunk) is asked for with a rerun from then on; "no such chunk" (204:
// the play is over) is asked again after RETRY_MS like any answer that does not come.
function fetchChunk(s, id, seq, shown) {
  const url = new URL(ROUTE);
  url.search = new URLSearchParams({ token: s.play.token, play: id, seq, shown }).toString();
  fetch(url, { cache: "no-store", credentials: "same-origin" })
    .then((r) => (r.status === 204 ? null : r.ok ? r.json() : Promise.reject(r.status)))
    .then((chunk) => {
      if (chunk && (typeof chunk.seq !== "number" || !Array.isArray(chunk.frames))) {
        throw new Error("not a chunk");
      }
      if (chunk && s.play.id === id) receive(s, chunk);
    })
    .catch((err) => {
      const p = s.play;
      if (p.id !== id || p.stopped) return;
      console.warn("twolayer: Play's chunks by rerun from now on:", err);
      p.token = null;
      p.asked = -1;                // asked again at once, with a rerun
    });
}

function show(s, frame) {
  for (const [name, patch] of Object.entries(frame.charts || {})) {
    const t0 = performance.now();
    if (!patch.lazy) apply(s, name, patch);
    else if (!sketched(s, name, patch)) s.lazy[name] = merge(s.lazy[name], patch);
    measure(`tl show ${name}`, t0, performance.now());
  }
}

// As Play starts, before its first picture: the curves' axes get room for the first chunk
// (curves.js), in one relayout; then the canvases are made ready.
function prime(s, frames) {
  const first = frames[0].charts || {};
  for (const [name, patch] of Object.entries(first)) {
    const gd = s.divs[name];
    if (!patch.lazy || !gd || !patch.append) continue;
    try {
      roomFor(gd, frames.map((f) => f.charts && f.charts[name]).filter(Boolean));
    } catch (err) {
      console.error(`twolayer live chart ${name}:`, err);
    }
  }
  ready(s, frames);
}

// The canvases the frames paint on, laid and allocated before the first picture and drawn in
// the WARM_FRAMES animation frames before it (each one's first drawings are a frame's worth of
// the browser's time: overlay.js, warm), transparent until a frame paints them: neither the
// first frames nor the first keyframes are held back by making one. The boundary's painter
// rehearses its first frame meanwhile, cleared at once (paint.js: readyPaint), and the curves'
// markers stand where Plotly's did (curves.js: readySketch).
function ready(s, frames) {
  const seen = new Set(), rehearsals = [];
  for (const frame of frames) {
    for (const [name, patch] of Object.entries(frame.charts || {})) {
      const gd = s.divs[name];
      if (seen.has(name) || !gd || !gd.data) continue;
      seen.add(name);
      try {
        const rehearse = readyPaint(gd, patch, patch.traces || []) || readyFigure(gd, patch)
          || readySketch(gd);
        if (rehearse) rehearsals.push(rehearse);
      } catch (err) {
        console.error(`twolayer live chart ${name}:`, err);
      }
    }
  }
  s.play.warm = rehearsals;
  s.play.warmFrames = WARM_FRAMES;
}

// Play clicked: the collector of the page's garbage is made to run now, while Python makes
// the first chunk (a quarter of a second or more: nothing moves meanwhile), not in Play's
// first frames. A page's first seconds leave it with a heap near the size at which the
// collector runs (in a Chromium trace of a fresh page: 100 MB of a 101 MB limit, 36 MB of it
// still in use), and Play's start (its first chunk, the charts held) tips it over: the
// collection's final pause (20-40 ms, every script stopped) then fell in the first frames in
// about half the fresh pages, a picture three to five 60 Hz frames late. A large array, at once
// thrown away, is counted against that limit: a heap near it is collected now (the pause
// measured 200-360 ms before the first picture), one far from it only holds the array until
// its next collection. BALLAST_DOUBLES: 16 MB, a few milliseconds to fill.
export function makeHeadroom() {
  return new Array(BALLAST_DOUBLES).fill(0.5).length;     // thrown away at once
}

// Room on the curves' axes for the frames about to play (curves.js), before they play.
function makeRoom(s, id, frames) {
  const p = s.play;
  if (p.stopped || p.id !== id) return;
  for (const [name, gd] of Object.entries(s.divs)) {
    const patches = frames.map((f) => f.charts && f.charts[name]).filter(Boolean);
    if (!own(gd).sketch || !patches.length) continue;
    const t0 = performance.now();
    try {
      roomFor(gd, patches);
    } catch (err) {
      console.error(`twolayer live chart ${name}:`, err);
    }
    measure(`tl room ${name}`, t0, performance.now());
  }
}

// A lazy patch that a canvas draws at once (the curves' new points: curves.js; the network
// diagram: scatter.js) is drawn in its frame; one it cannot draw waits (flush), after what the
// canvas drew has gone to Plotly.
function sketched(s, name, patch) {
  const gd = s.divs[name];
  if (!gd || !gd.data) return false;
  try {
    if (sketch(gd, patch, patch.traces || []) || paintFigure(gd, patch)) return true;
  } catch (err) {
    console.error(`twolayer live chart ${name}:`, err);
  }
  unsketch(gd);
  unpaintFigure(gd);
  return false;
}

// The frames' picture comes first. A "lazy" patch not drawn in its frame (the hidden units'
// tiles, a few times a second; the network or the curves when no canvas can draw them) waits
// here, merged with the next ones, and is drawn at most every LAZY_MS per chart and one chart
// per animation frame at most every LAZY_GAP_MS (a Plotly redraw is several frames' worth of
// the picture's time; the tiles are painted, see paint.js); `wait` 0 draws them all now (Play
// stops).
function flush(s, now, wait) {
  const due = Object.entries(s.lazy).filter(([, pending]) => pending.patch
    && (!wait || now - pending.drawn >= wait)).sort((a, b) => a[1].drawn - b[1].drawn);
  for (const [name, pending] of due) {
    if (wait && now - (s.lazyAt || 0) < LAZY_GAP_MS) return;
    const t0 = performance.now();
    apply(s, name, pending.patch);
    measure(`tl lazy ${name}`, t0, performance.now());
    s.lazy[name] = { patch: null, drawn: now };
    s.lazyAt = now;
  }
}

function merge(pending, patch) {
  const into = pending && pending.patch;
  if (!into) return { patch: structuredClone(patch), drawn: pending ? pending.drawn : 0 };
  if (patch.figure) {                                     // a whole figure replaces the rest
    pending.patch = structuredClone(patch);
    return pending;
  }
  for (const [attr, vs] of Object.entries(patch.append || {})) {
    into.append[attr] = into.append[attr].map((a, i) => [].concat(a, vs[i]));
  }
  Object.assign(into.set || (into.set = {}), patch.set || {});
  const layout = into.layout || (into.layout = {});
  for (const [path, value] of Object.entries(patch.layout || {})) {
    const m = /^(\w+)\[(\d+)\]\.(\w+)$/.exec(path);   // "shapes[0].x0" into a whole list
    if (m && Array.isArray(layout[m[1]]) && layout[m[1]][+m[2]]) {
      layout[m[1]][+m[2]][m[3]] = value;
      continue;
    }
    for (const key of Object.keys(layout)) {              // a whole list replaces its parts
      if (key.startsWith(`${path}[`) || key.startsWith(`${path}.`)) delete layout[key];
    }
    layout[path] = value;
  }
  return pending;
}

// A patch that Plotly refuses is reported and skipped: it must not stop the frames (or Pause).
function apply(s, name, patch) {
  try {
    update(s, name, patch);
  } catch (err) {
    console.error(`twolayer live chart ${name}:`, err);
  }
}

function update(s, name, patch) {
  const gd = s.divs[name];
  if (!gd || !gd.data) {
    repair(s);                     // a cleared chart: drawn again from the last data
    return;
  }
  if (patch.figure) {
    react(gd, decode(patch.figure));
    return;
  }
  const traces = patch.traces || [];
  if (playing(s) && paint(gd, patch, traces)) return;
  const data = {};
  for (const [attr, v] of Object.entries(patch.set || {})) {
    const value = decode(v);
    data[attr] = traces.map(() => value);         // one value for every trace listed
  }
  for (const [attr, vs] of Object.entries(patch.append || {})) {
    data[attr] = traces.map((t, i) => [].concat(vs[i]).reduce(
      (acc, v) => concat(acc, decode(v)), gd.data[t][attr]));
  }
  call(gd, "update", data, { ...steady(gd), ...(patch.layout || {}) },
       traces.length ? traces : undefined);
}

export function stop(s) {
  const p = s.play;
  s.lazy = {};
  say(s, null);
  for (const gd of Object.values(s.divs)) unpaint(gd);
  for (const gd of Object.values(s.divs)) if (own(gd).held && own(gd).held.play) release(gd);
  if (p.raf) cancelAnimationFrame(p.raf);
  p.raf = 0;
  p.stopped = true;
  p.queue = [];
}

// Stop on the frame on screen and tell Python which epoch that is (it goes back to it).
export function finish(s, end) {
  const p = s.play;
  if (p.stopped || p.id === null) return;
  flush(s, performance.now(), 0);
  stop(s);
  if (s.trigger) {
    busy(s, button(s.keys && s.keys.play));
    s.trigger("pause", { play: p.id, epoch: p.shown, end });
  }
  repair(s);
}
