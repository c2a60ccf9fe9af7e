"""Load: 10 concurrent browser sessions each press Train on one local server.

    python benchmarks/bench_load.py [--sessions 10] [--timeout 180]

Starts `streamlit run app.py` on a free loopback port, warms it up with one session (imports,
caches), then opens N browser contexts in one headless Chromium (Debian's), loads the
Playground in each, and presses "Train" in all of them at once. Prints whether every session
completed without an exception box, the slowest and the median time from click to the page
being done (the Epoch metric moved and the script run is over), and the server's resident
memory (VmRSS from /proc) before and after, per session. The server is stopped at the end.
"""

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser_util import (  # noqa: E402
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTION,
    REPO_ROOT,
    VIEWPORT,
    free_port,
)

# The page is done when the run is over and the Epoch metric shows a new value.
DONE_JS = """([before]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSpinner"]')) return false;
  const epoch = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.includes('Epoch'));
  if (!epoch) return false;
  const value = epoch.querySelector('[data-testid="stMetricValue"]').innerText.trim();
  return value !== before;
}"""
EPOCH_JS = """() => {
  const epoch = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.includes('Epoch'));
  return epoch ? epoch.querySelector('[data-testid="stMetricValue"]').innerText.trim() : null;
}"""


def rss_mb(pid):
    """Resident memory of a process in MB, from /proc/<pid>/status (no psutil)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid):
    """User + system CPU time of a process (all its threads) so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server():
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc, url
        except OSError:
            pass
        time.sleep(0.25)
    stop_server(proc)
    raise RuntimeError("streamlit did not become healthy within 60 s")


def stop_server(proc):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


async def open_playground(browser, url):
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    # The default page: its url_path ("play") is not served as /play.
    await page.goto(url, wait_until="commit", timeout=120_000)
    await page.wait_for_selector(APP_IDLE, state="attached", timeout=120_000)
    await page.get_by_role("button", name="Train", exact=True).wait_for(timeout=120_000)
    return context, page


async def press_train(page):
    """Seconds from the click on Train until the page is done; and the epoch it shows."""
    before = await page.evaluate(EPOCH_JS)
    t0 = time.monotonic()
    # A busy machine can keep the button from being clickable (not yet stable) for a while:
    # that wait is part of what a user would see, so it is inside the measured time.
    await page.get_by_role("button", name="Train", exact=True).click(timeout=120_000)
    await page.wait_for_function(DONE_JS, arg=[before], timeout=120_000, polling=50)
    return time.monotonic() - t0, await page.evaluate(EPOCH_JS)


def log(t0, what):
    print(f"[{time.monotonic() - t0:6.1f} s] {what}", file=sys.stderr, flush=True)


async def run(url, pid, sessions, report):
    """Fill ``report`` as the run goes, so that a timeout still leaves what was measured."""
    from playwright.async_api import async_playwright

    t0 = time.monotonic()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # Warm-up: the first session pays for imports and the dataset cache.
            context, page = await open_playground(browser, url)
            report["warm"], _ = await press_train(page)
            await context.close()
            report["before"] = rss_mb(pid)
            log(t0, f"warmed up; opening {sessions} sessions")
            opened = await asyncio.gather(*(open_playground(browser, url)
                                            for _ in range(sessions)))
            report["loaded"] = rss_mb(pid)
            log(t0, f"{sessions} sessions loaded; pressing Train in all of them")
            report["cpu_before"] = cpu_seconds(pid)

            async def one(i, page):
                try:
                    report["results"][i] = await press_train(page)
                except Exception as e:  # a timeout in one session is a result, not a crash
                    report["results"][i] = e

            await asyncio.gather(*(one(i, p) for i, (_, p) in enumerate(opened)))
            report["after"] = rss_mb(pid)
            report["cpu_after"] = cpu_seconds(pid)
            log(t0, "all sessions done")
            report["exceptions"] = [await p.locator(EXCEPTION).count() for _, p in opened]
            for context, _ in opened:
                await context.close()
        finally:
            await browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds, overall")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} not found")
    n = args.sessions
    report = {"results": {}}
    proc, url = start_server()
    try:
        started = rss_mb(proc.pid)
        asyncio.run(asyncio.wait_for(run(url, proc.pid, n, report), args.timeout))
        timed_out = False
    except TimeoutError:
        timed_out = True
    finally:
        final = rss_mb(proc.pid) if proc.poll() is None else None
        stop_server(proc)
    results = report["results"]
    times = [r[0] for r in results.values() if not isinstance(r, BaseException)]
    failed = [r for r in results.values() if isinstance(r, BaseException)]
    exceptions = sum(report.get("exceptions", []))
    print(f"server: {url}, pid {proc.pid}; {n} concurrent sessions pressing Train on the "
          f"Playground; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if timed_out:
        print(f"OVERALL TIMEOUT after {args.timeout:.0f} s; what was measured so far follows")
    print(f"completed: {len(times)}/{n}; failed: {len(failed)}; stException boxes: "
          f"{exceptions if 'exceptions' in report else 'not counted'}")
    for r in failed:
        print(f"  failure: {type(r).__name__}: {str(r).splitlines()[0][:200]}")
    if times:
        epochs = sorted({r[1] for r in results.values() if not isinstance(r, BaseException)})
        print(f"epoch shown after Train: {', '.join(epochs)}")
        print(f"click to done: slowest {max(times):.2f} s, median {statistics.median(times):.2f} "
              f"s, fastest {min(times):.2f} s (one session alone, warm: {report['warm']:.2f} s)")
    mem = {k: report.get(k) for k in ("before", "loaded", "after")}
    if mem["after"] is None and final is not None:
        mem["at the timeout"] = final
    shown = ", ".join(f"{k} {v:.0f} MB" for k, v in mem.items() if v is not None)
    print(f"server RSS: start {started:.0f} MB, {shown} "
          "(before = after one warm-up session; loaded = all sessions open; after = all trained)")
    if mem["before"] is not None and mem["after"] is not None:
        print(f"memory per session: {(mem['after'] - mem['before']) / n:.1f} MB  "
              f"((after - before) / {n})")
    if "cpu_after" in report:
        cpu = report["cpu_after"] - report["cpu_before"]
        print(f"server CPU for the {n} Trains: {cpu:.1f} s, {cpu / n:.2f} s per Train (the "
              "server's own work, whatever the browser's rendering costs)")
    ok = not timed_out and not failed and len(times) == n and exceptions == 0
    print("all completed without error" if ok else "NOT all completed without error")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
