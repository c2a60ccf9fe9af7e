// Play's pace against the screen's, said on screen when Play runs slower than the display.
const PACE_MS = 1000;              // Play's pace is judged over the last second (see pace)
const SLOW = 0.8;                  // slower than this share of the screen's rate: said so

// The screen's rate: the shortest of the median intervals between two animation frames of
// each second seen (a busy browser stretches them, never shortens them). Fewer frames shown
// over the last second than SLOW of that rate (the browser late, or the next chunk not there
// yet) is said on screen:
// at 1x nothing is lost, Play only slows down; at 2x-10x animation frames are skipped, each
// picture still that many epochs after the one before.

export function fresh(screen = Infinity) {
  return { screen, ticks: [], shown: [], since: null, judged: 0, said: null, el: null };
}

export function pace(s, now, shown) {
  const q = s.pace;
  q.ticks.push(now);
  if (shown) q.shown.push(now);
  if (q.since === null) q.since = now;
  while (q.ticks.length && q.ticks[0] < now - PACE_MS) q.ticks.shift();
  while (q.shown.length && q.shown[0] < now - PACE_MS) q.shown.shift();
  if (now - q.since < PACE_MS || now - q.judged < PACE_MS / 4) return;
  q.judged = now;
  const gaps = q.ticks.slice(1).map((t, i) => t - q.ticks[i]).sort((a, b) => a - b);
  if (gaps.length) q.screen = Math.max(1000 / 240, Math.min(q.screen, gaps[gaps.length >> 1]));
  const rate = q.shown.length * 1000 / PACE_MS, screen = 1000 / q.screen;
  say(s, rate < SLOW * screen ? slowNote(Math.round(rate), Math.round(screen), s.play.step || 1)
                              : null);
}

export function slowNote(rate, screen, step) {
  if (step <= 1) {
    return `Slower than the screen (${rate} of ${screen} pictures/s): no epoch is skipped.`;
  }
  return `Slower than the screen (${rate} of ${screen} pictures/s): frames skipped, each `
    + `picture still ${step} epochs on.`;
}

// The note under the boundary (the first chart), changed only when its text does.
export function say(s, text) {
  const q = s.pace;
  if (q.said === text) return;
  q.said = text;
  if (!text) {
    if (q.el) q.el.remove();
    q.el = null;
    return;
  }
  if (!q.el) {
    const cell = Object.values(s.cells)[0];
    if (!cell) return;
    q.el = document.createElement("div");
    q.el.className = "tl-pace";
    q.el.setAttribute("role", "status");
    cell.appendChild(q.el);
  }
  q.el.textContent = text;
}
