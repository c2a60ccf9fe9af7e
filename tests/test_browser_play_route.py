"""Play's chunks after the first come over the app's route (GET /api/chunk), not by reruns; a
page that cannot reach the route plays all the same, by reruns.

Counted from outside the app: the requests the browser sends (Playwright sees each one and its
answer), the script runs Streamlit starts (its app element's script-state attribute, watched by
a MutationObserver) and the epochs the picture shows (its title, every animation frame).
"""

import pytest

from tests.browser_util import LIVE_CHART, exception_texts, goto_app, wait_for_app

pytestmark = pytest.mark.browser

# Every animation frame the epoch in the boundary's title; every script run that starts (the
# app's script state set to "running").
WATCH = """() => {
  window.__epochs = [];
  window.__runs = 0;
  window.__stop = false;
  const app = document.querySelector('[data-testid="stApp"]');
  // Each change of the attribute is a record holding the value before it, so the value each
  // change set is the next record's old value (the last's: the attribute now): two changes
  // between two callbacks count as two.
  new MutationObserver((records) => {
    const set = records.slice(1).map((r) => r.oldValue)
      .concat(app.getAttribute('data-test-script-state'));
    for (const value of set) if (value === 'running') window.__runs++;
  }).observe(app, { attributes: true, attributeOldValue: true,
                    attributeFilter: ['data-test-script-state'] });
  const tick = () => {
    if (window.__stop) return;
    const t = document.querySelector('.tl-chart[data-chart="boundary"] .g-gtitle text.gtitle');
    const m = t && /epoch (\\d+)$/.exec(t.textContent);
    if (m) window.__epochs.push(+m[1]);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def _play_for(page, app_server, seconds):
    """Open the Playground, Play ``seconds``, Pause: (epochs shown in order, script runs
    while playing, the route's answers as (status, seq))."""
    answers = []

    def answered(response):
        if "/api/chunk?" in response.url:
            seq = int(response.url.split("seq=")[1].split("&")[0])
            answers.append((response.status, seq))

    page.on("response", answered)
    goto_app(page, f"{app_server}/?dataset=circles&noise=0.1&hidden=8&lr=0.3")
    page.wait_for_function(f"document.querySelectorAll('{LIVE_CHART}').length >= 4")
    page.evaluate(WATCH)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("window.__epochs.some((e) => e > 0)", timeout=60000)
    page.wait_for_timeout(seconds * 1000)
    runs = page.evaluate("window.__runs")
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    page.evaluate("window.__stop = true")
    epochs = list(dict.fromkeys(page.evaluate("window.__epochs")))
    chunks = int(page.evaluate("+document.querySelector('.tl-live').dataset.chunks || 0"))
    return epochs, runs, answers, chunks


def test_play_fetches_its_chunks_from_the_route_without_a_rerun(page, app_server):
    epochs, runs, answers, chunks = _play_for(page, app_server, 5)
    assert epochs == list(range(epochs[0], epochs[-1] + 1)) and epochs[-1] > 60, epochs
    assert runs == 1, runs                           # the Play click's run, and no other
    assert chunks >= 3                               # 30, 60, 120 frames: 3.5 s
    assert [seq for status, seq in answers if status == 200] == list(range(1, chunks)), answers
    assert exception_texts(page) == []


def test_play_without_the_route_asks_for_its_chunks_with_reruns(page, app_server):
    page.route("**/api/chunk?*", lambda route: route.abort())
    epochs, runs, answers, chunks = _play_for(page, app_server, 5)
    assert epochs == list(range(epochs[0], epochs[-1] + 1)) and epochs[-1] > 60, epochs
    assert chunks >= 3 and runs >= chunks            # the click's run, then one per chunk
    assert answers == []
    assert exception_texts(page) == []
