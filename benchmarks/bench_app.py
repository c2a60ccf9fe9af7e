"""How fast the Playground feels in a real browser (Debian's Chromium, driven by Playwright).

    python benchmarks/bench_app.py [--steps 10] [--trains 5]

Prints, against the goals of issue 3:
  cold start   `streamlit run app.py` launched -> first chart drawn
  warm reload  page reload -> all four charts drawn, script idle         (goal <= 2 s)
  step         Step click -> every chart shows the new epoch (median)    (goal <= 300 ms)
  train 100    Train click -> charts show 100 more epochs, at Playground's default setting
               (500 samples, 8 tanh units, batch 10, lr 0.03)           (goal <= 1 s)
  bytes        websocket bytes the server sends per Step and per Play chunk: the figures'
               JSON plus Streamlit's small deltas, so an upper bound     (goal <= 1.5 MB)
The machine's load average is printed too: other work on the machine slows every number.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser_util import APP_IDLE, CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

PLAYGROUND_DEFAULT = "?batch=10&lr=0.03&epochs_per_run=100"   # TensorFlow Playground's setting
CHARTS = 4                # boundary, network, stacked curves, hidden units

# JS: the number of Plotly charts that have drawn, and the epoch each picture shows.
STATE = """() => {
  const gds = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot'))
    .filter(g => g._fullLayout && g.querySelector('.main-svg'));
  const boundary = document.querySelector('.st-key-pg_boundary .js-plotly-plot');
  const title = boundary && boundary.layout && boundary.layout.title
    ? boundary.layout.title.text : '';
  const marks = gds.map(g => (g.layout.shapes || []).map(s => s.x0)).flat();
  const idle = !!document.querySelector(
    '[data-testid="stApp"][data-test-script-state="notRunning"]');
  return {drawn: gds.length, title: title, marks: marks, idle: idle};
}"""


ALL_DRAWN = f"() => {{ const s = ({STATE})(); return s.idle && s.drawn >= {CHARTS}; }}"


def shows_epoch(n):
    """JS predicate: every chart drawn, the boundary titled with epoch n, the curves' marker at n,
    and the script run over."""
    return f"""() => {{
      const s = ({STATE})();
      return s.idle && s.drawn >= {CHARTS} && s.title.endsWith('epoch {n}')
             && s.marks.length >= 3 && s.marks.every(x => x === {n});
    }}"""


def start_server(port):
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def healthy(url):
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def epoch_shown(page):
    return int(page.locator('[data-testid="stMetricValue"]').first.inner_text())


def timed_click(page, name, target_epoch, timeout=120000):
    """Seconds from the click on ``name`` until (the epoch counter shows ``target_epoch``,
    every chart shows it). The first is the server's share plus the trip; the rest is the
    browser drawing the charts."""
    t0 = time.perf_counter()
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_function(f"""() => document.querySelector('[data-testid="stMetricValue"]')
        .innerText.trim() === '{target_epoch}'""", polling="raf", timeout=timeout)
    t1 = time.perf_counter()
    page.wait_for_function(shows_epoch(target_epoch), polling="raf", timeout=timeout)
    return t1 - t0, time.perf_counter() - t0


class Bytes:
    """Counts the bytes of every websocket frame the server sends to the page."""

    def __init__(self, page):
        self.total = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload):
        self.total += len(payload)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--trains", type=int, default=5)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        counter = Bytes(page)
        t0 = time.perf_counter()
        server = start_server(port)
        try:
            while not healthy(url):
                if server.poll() is not None:
                    raise SystemExit("streamlit exited before it was healthy")
                time.sleep(0.05)
            page.goto(url + "/" + PLAYGROUND_DEFAULT)
            page.wait_for_function(f"({STATE})().drawn >= 1", polling="raf", timeout=120000)
            cold = time.perf_counter() - t0
            page.wait_for_function(ALL_DRAWN, polling="raf", timeout=120000)
            cold_all = time.perf_counter() - t0

            warm = []
            for _ in range(3):
                t = time.perf_counter()
                page.reload()
                page.wait_for_selector(APP_IDLE, state="attached")
                page.wait_for_function(ALL_DRAWN, polling="raf", timeout=120000)
                warm.append(time.perf_counter() - t)

            epoch = epoch_shown(page)
            steps, step_counter, step_bytes = [], [], []
            for _ in range(args.steps):
                before = counter.total
                epoch += 1
                first, done = timed_click(page, "Step", epoch)
                step_counter.append(first)
                steps.append(done)
                step_bytes.append(counter.total - before)

            trains, train_counter = [], []
            for _ in range(args.trains):
                epoch += 100
                first, done = timed_click(page, "Train", epoch)
                train_counter.append(first)
                trains.append(done)

            before = counter.total
            page.get_by_role("button", name="Play", exact=True).click()
            page.wait_for_function("""() => { const g = document.querySelector(
                '.st-key-pg_boundary .js-plotly-plot');
                return g && g._transitionData && g._transitionData._frames.length > 0; }""",
                                   polling="raf", timeout=120000)
            play_bytes = counter.total - before
            page.get_by_role("button", name="Pause", exact=True).click()
            page.wait_for_selector(APP_IDLE, state="attached")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
            browser.close()

    def ms(xs):
        return f"median {statistics.median(xs) * 1000:6.0f} ms  (min {min(xs) * 1000:.0f}, " \
               f"max {max(xs) * 1000:.0f}, n={len(xs)})"

    print(f"cold start -> first chart        {cold * 1000:6.0f} ms   (all charts "
          f"{cold_all * 1000:.0f} ms)")
    print(f"warm reload -> all charts        {ms(warm)}   goal <= 2000 ms")
    print(f"Step -> epoch counter updated    {ms(step_counter)}")
    print(f"Step -> updated charts           {ms(steps)}   goal <= 300 ms")
    print(f"Train 100 -> epoch counter       {ms(train_counter)}")
    print(f"Train 100 epochs -> charts       {ms(trains)}   goal <= 1000 ms")
    print(f"bytes sent per Step              median {statistics.median(step_bytes) / 1e6:.3f} MB"
          f"   goal <= 1.5 MB")
    print(f"bytes sent for one Play chunk    {play_bytes / 1e6:.3f} MB (60 frames + the charts)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
