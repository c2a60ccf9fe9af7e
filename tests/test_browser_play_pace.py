"""Play's pace when the next chunk is late (twolayer/ui/live/frontend/play.js), driven in the
browser with made-up chunks: the page's own play.js, a Play state with no charts, and a
trigger that asks for the next chunk and never gets it (a Python slower than the screen)."""

import pytest

from tests.browser_util import LIVE_CHART, goto_app

pytestmark = pytest.mark.browser

# 40 frames of one epoch each, then nothing more: each animation frame, the epoch on screen
# (the Play state's own record) and how many frames are still queued.
DRIVE = """async () => {
  const url = (end) => performance.getEntriesByType('resource').map((e) => e.name)
    .find((name) => name.endsWith(end));
  const { receive, stop } = await import(url('/play.js'));
  const { fresh } = await import(url('/pace.js'));
  const asks = [];
  const root = document.body.appendChild(document.createElement('div'));
  const s = { play: { id: null, stopped: true }, divs: {}, cells: {}, lazy: {}, last: {},
              root, pace: fresh(), trigger: (name, value) => asks.push([name, value]) };
  const frames = Array.from({ length: 40 }, (_, i) => ({ epoch: i + 1, charts: {} }));
  const seen = [];
  await new Promise((done) => {
    const tick = () => {
      seen.push([s.play.shown, s.play.queue.length]);
      const more = (s.play.queue.length || seen.length < 5) && seen.length < 600;
      if (more) requestAnimationFrame(tick);
      else done();
    };
    receive(s, { play: 7, seq: 0, start: 0, ahead: 240, still: {}, frames });
    requestAnimationFrame(tick);
  });
  stop(s);
  root.remove();
  return { seen, asks: asks.length };
}"""


def test_a_late_chunk_slows_play_down_instead_of_stopping_it(page, app_server):
    goto_app(page, app_server)
    page.wait_for_function(f"document.querySelectorAll('{LIVE_CHART}').length >= 4")
    out = page.evaluate(DRIVE)
    assert out["asks"] >= 1                            # the next chunk was asked for
    # Before the first frame the start's picture (epoch 0) stays while the canvases get ready
    # (play.js: WARM_FRAMES); from the first frame on:
    first = next(i for i, (e, _) in enumerate(out["seen"]) if e not in (None, 0))
    assert first <= 8, out["seen"][:10]
    out["seen"] = out["seen"][first:]
    seen = [e for e, _ in out["seen"] if e is not None]
    epochs = list(dict.fromkeys(seen))
    assert epochs == list(range(1, 41)), epochs        # every frame shown, in order
    # While LOW_FRAMES (12) or more were queued, one epoch a frame; with fewer, each epoch
    # stays on screen for two animation frames, three below 6 queued, four below 3: slower
    # and slower, never stopped.
    steps = [(b - a, q) for (a, _), (b, q) in zip(out["seen"], out["seen"][1:], strict=False)
             if a is not None and b is not None]
    plenty = [d for d, q in steps if q > 13]
    assert plenty and set(plenty) == {1}, steps
    assert {d for d, q in steps} <= {0, 1}, steps
    # Each frame shown (d = 1, q frames left after it: q + 1 before) after how many animation
    # frames of the one before.
    waited, run = [], 0
    for d, q in steps:
        if d == 0:
            run += 1
            continue
        waited.append((run + 1, q + 1))
        run = 0
    def every(queued):
        return 1 if queued >= 12 else 2 if queued >= 6 else 3 if queued >= 3 else 4
    assert all(frames == every(queued) for frames, queued in waited if queued < 40), waited
    assert {every(q) for _, q in waited} == {1, 2, 3, 4}, waited
