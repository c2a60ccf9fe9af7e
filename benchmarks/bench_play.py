"""Play side by side with TensorFlow Playground: what each animation frame shows, in one Chromium.

    python benchmarks/bench_play.py --tfp-dist /work/tfp-src/dist [--seconds 10] [--rounds 1]
                                    [--busy]

It builds nothing itself. TensorFlow Playground's `dist/` comes from its public source
(tensorflow/playground, tested at 02469bd, node 20, npm 11), outside this repository:

    git clone https://github.com/tensorflow/playground /work/tfp-src
    cd /work/tfp-src && npm ci && npm run build      # -> /work/tfp-src/dist/

The script serves that folder (http.server on 127.0.0.1, a free port), starts the app
(`streamlit run app.py` on another), and in ONE headless Chromium measures both with the same
in-page probe (benchmarks/play_probe.js): a requestAnimationFrame loop that records, every
animation frame, what the picture shows -- the epoch the page says (TensorFlow Playground's
`#iter-number`, the app's boundary-chart title "... epoch N") and a hash of the output map
(TensorFlow Playground's heatmap canvas, the app's canvas painted over the plot while playing,
else its Plotly heatmap image)
-- for --seconds from the first new picture after Play is pressed. TensorFlow Playground plays
one epoch per animation frame; the app plays at 1x, then at 10x (its "Epochs per frame"
control).

Prints per run: pictures/s (distinct pictures shown per second: the epoch or the map changed),
epochs shown/s (distinct epochs), epochs/s (how far the epoch moved per second), the display's
animation frames/s, the longest gap between two new pictures in ms and in animation frames
(when, after the first new picture; how many gaps were over two 60 Hz frames; the longest
from one second after the first new picture on, the first frames left out),
epochs skipped (a new picture more than `speed` epochs after the one before), the click on Play
-> the first new picture in ms (both times in the page), half pictures
(only the epoch or only the map changed), distinct maps (0: the probe found no map), the
app's ratios to TensorFlow Playground, and the load average (/proc/loadavg) before, after
TensorFlow Playground's run and at the end. --busy starts a CPU-bound Python loop beside it
(stopped at the end) for the "load ~2" figures; --rounds N repeats TensorFlow Playground then
the app N times and prints the median pictures/s (the load of a shared machine drifts).
Requests to anything but 127.0.0.1 (Google fonts in TensorFlow Playground's page) are
aborted, so that neither page waits on the network.

Settings: TensorFlow Playground's circle data, no noise, half for training, 2-8-1 tanh, batch
10, lr 0.03 (TFP_HASH); the app at the same (APP_QUERY).
"""

import argparse
import functools
import http.server
import statistics
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_app import start_server, wait_healthy  # noqa: E402
from tests.browser_util import (  # noqa: E402
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    stop_process,
)

PROBE = (Path(__file__).with_name("play_probe.js")).read_text()

TFP_HASH = ("#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03"
            "&regularizationRate=0&noise=0&networkShape=8&seed=0.1&showTestData=false"
            "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false"
            "&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
            "&problem=classification&initZero=false&hideText=false")
APP_QUERY = ("?dataset=circles&noise=0&samples=500&test_fraction=0.5&hidden=8&activation=tanh"
             "&batch=10&lr=0.03")
BOUNDARY_DRAWN = """() => {
  const gd = document.querySelector('.tl-chart[data-chart="boundary"]');
  return !!(gd && gd.querySelector('.main-svg') && gd.layout && gd.layout.title);
}"""
FRAME_60HZ = 1000 / 60   # ms: a frame of a 60 Hz display
BUSY = "while True:\n    pass\n"


def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_dir(directory):
    """Serve ``directory`` on 127.0.0.1 in a thread; returns (server, base url)."""
    handler = functools.partial(_Quiet, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def local_only(page):
    def route(r):
        if r.request.url.startswith("http://127.0.0.1:"):
            r.continue_()
        else:
            r.abort()
    page.route("**/*", route)


def measure(page, kind, press, seconds):
    """Install the probe, press Play (``press()``), record for ``seconds`` from the first new
    picture; returns the probe's record."""
    page.evaluate(PROBE, {"kind": kind})
    page.evaluate("() => window.__probe.start()")
    page.evaluate("""() => { window.__pressed = null; document.addEventListener('click',
        () => { window.__pressed ??= performance.now(); }, {capture: true, once: true}); }""")
    press()
    page.wait_for_function("() => window.__probe.pictures.length >= 1", timeout=120000)
    page.wait_for_timeout(seconds * 1000 + 300)
    rec = page.evaluate("() => window.__probe.stop()")
    rec["pressed"] = page.evaluate("window.__pressed")
    return rec


def figures(rec, seconds, speed):
    """The figures of one run from the probe's record, over ``seconds`` from the first new
    picture."""
    pics = rec["pictures"]
    t0 = pics[0][1]
    win = [p for p in pics if p[1] - t0 <= seconds * 1000]
    frames = [t for t in rec["frameTimes"] if t0 <= t <= t0 + seconds * 1000]
    pairs = list(zip(win, win[1:], strict=False))
    epochs = [p[2] for p in win if p[2] is not None]
    span = (win[-1][1] - t0) / 1000 or seconds
    return {
        "pictures/s": len(win) / seconds,
        "epochs shown/s": len(set(epochs)) / seconds,
        "epochs/s": (epochs[-1] - epochs[0]) / span if len(epochs) > 1 else 0.0,
        "frames/s": len(frames) / seconds,
        "gap ms": max((b[1] - a[1] for a, b in pairs), default=0.0),
        "gap frames": max((b[0] - a[0] for a, b in pairs), default=0),
        "gap at": max(pairs, key=lambda ab: ab[1][1] - ab[0][1])[0][1] - t0 if pairs else 0.0,
        "gaps > 2": sum(1 for a, b in pairs if b[1] - a[1] > 2.05 * FRAME_60HZ),
        "gap ms after 1 s": max((b[1] - a[1] for a, b in pairs if a[1] - t0 >= 1000),
                                default=0.0),
        "skipped": sum(max(0, b[2] - a[2] - speed) for a, b in pairs
                       if a[2] is not None and b[2] is not None),
        "uneven": sum(1 for a, b in pairs if a[2] is not None and b[2] is not None
                      and b[2] - a[2] not in (0, speed)),
        "half": sum(1 for a, b in pairs if (a[2] == b[2]) != (a[3] == b[3])),
        "maps": len({p[3] for p in win if p[3]}),
        "load": rec.get("load", ""),
        "first": win[0][2], "last": win[-1][2],
        "click ms": t0 - rec["pressed"] if rec.get("pressed") is not None else float("nan"),
        "probe ms/frame": rec["probeMs"] / max(rec["frames"], 1),
    }


def run_tfp(browser, base, seconds):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    local_only(page)
    page.goto(f"{base}/index.html{TFP_HASH}", wait_until="domcontentloaded")
    page.wait_for_selector("#play-pause-button", state="visible", timeout=60000)
    page.wait_for_selector("#heatmap canvas", state="attached", timeout=60000)
    page.wait_for_timeout(500)
    rec = measure(page, "tfp", lambda: page.click("#play-pause-button"), seconds)
    page.click("#play-pause-button")
    page.close()
    return rec


def run_app(browser, url, seconds, speeds):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    local_only(page)
    page.goto(url + "/" + APP_QUERY)
    page.wait_for_function(BOUNDARY_DRAWN, polling="raf", timeout=120000)
    page.wait_for_selector(APP_IDLE, state="attached", timeout=120000)
    out = {}
    for speed in speeds:
        page.get_by_role("radio", name=f"{speed}×", exact=True).click()
        page.wait_for_selector(APP_IDLE, state="attached")
        page.wait_for_timeout(500)
        play = page.get_by_role("button", name="Play", exact=True)
        out[speed] = measure(page, "app", play.click, seconds)
        out[speed]["load"] = loadavg()
        pause = page.get_by_role("button", name="Pause", exact=True)
        try:
            pause.click(timeout=60000)
        except Exception:
            shot = ROOT / "artifacts" / "screenshots" / f"bench_play_{speed}x.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            raise SystemExit(f"no Pause button after playing at {speed}x: see {shot}") from None
        page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
        page.wait_for_selector(APP_IDLE, state="attached")
        # Reset between speeds: each run starts at epoch 0 with the same fresh net
        page.get_by_role("button", name="Reset", exact=True).click()
        page.wait_for_selector(APP_IDLE, state="attached")
    page.close()
    return out


def line(name, f):
    return (f"  {name:<22} {f['pictures/s']:5.1f} pictures/s  {f['epochs shown/s']:5.1f} epochs "
            f"shown/s  {f['epochs/s']:6.1f} epochs/s  ({f['frames/s']:4.1f} frames/s)\n"
            f"  {'':<22} longest gap {f['gap ms']:4.0f} ms = {f['gap frames']} animation frames "
            f"(= {f['gap ms'] / FRAME_60HZ:.1f} at 60 Hz, {f['gap at'] / 1000:.1f} s in; "
            f"{f['gaps > 2']} over 2; after the first second {f['gap ms after 1 s']:.0f} ms)  "
            f"skipped {f['skipped']} epochs ({f['uneven']} uneven steps)  half pictures "
            f"{f['half']}  distinct maps {f['maps']}  epochs {f['first']}->{f['last']}  "
            f"probe {f['probe ms/frame']:.2f} ms/frame  click -> first picture "
            f"{f['click ms']:.0f} ms  [load {f['load']}]")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tfp-dist", required=True, type=Path,
                    help="TensorFlow Playground's built dist/ folder (see the docstring)")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--speeds", default="1,10", help="the app's epochs per frame, in turn")
    ap.add_argument("--rounds", type=int, default=1,
                    help="TensorFlow Playground then the app, this many times (the load drifts)")
    ap.add_argument("--busy", action="store_true",
                    help="a CPU-bound Python loop beside it (load ~ +1)")
    args = ap.parse_args()
    if not (args.tfp_dist / "index.html").is_file() or not (args.tfp_dist / "bundle.js").is_file():
        raise SystemExit(f"{args.tfp_dist} has no index.html and bundle.js: build it first "
                         "(npm ci && npm run build in TensorFlow Playground's source)")
    speeds = [int(s) for s in args.speeds.split(",")]
    from playwright.sync_api import sync_playwright

    busy = None
    if args.busy:
        busy = subprocess.Popen([sys.executable, "-c", BUSY], start_new_session=True)
    httpd, base = serve_dir(args.tfp_dist.resolve())
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port)
    before = loadavg()
    print(f"load before: {before}   (busy loop beside: {'yes' if busy else 'no'})", flush=True)
    rounds = []           # per round: {"tfp": figures, 1: figures, 10: figures}
    try:
        wait_healthy(url, server)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for _ in range(args.rounds):
                    rnd = {"tfp": figures(run_tfp(browser, base, args.seconds), args.seconds, 1)}
                    rnd["tfp"]["load"] = loadavg()
                    for sp, rec in run_app(browser, url, args.seconds, speeds).items():
                        rnd[sp] = figures(rec, args.seconds, sp)
                    rounds.append(rnd)
                    report(rnd, len(rounds), args.seconds)
            finally:
                browser.close()
    finally:
        stop_process(server)
        httpd.shutdown()
        if busy is not None:
            stop_process(busy)
    if len(rounds) > 1:
        med = {k: statistics.median(r[k]["pictures/s"] for r in rounds) for k in rounds[0]}
        print(f"median over {len(rounds)} rounds, pictures/s: TensorFlow Playground "
              f"{med['tfp']:.1f}, " + ", ".join(
                  f"app {sp}x {med[sp]:.1f} ({med[sp] / max(med['tfp'], 1e-9):.2f}x)"
                  for sp in speeds))
    print(f"load before {before}, after {loadavg()}")
    print("goal (issue 25): app 1x >= 1.0x TensorFlow Playground's pictures/s, longest gap "
          "<= 2 frames, no epoch skipped; >= 0.9x at load ~2 (--busy); (issue 21) click -> "
          "first picture <= 500 ms")


def report(rnd, n, seconds):
    tfp = rnd["tfp"]
    print(f"round {n}: Play for {seconds:g} s from the first new picture, same probe, "
          "same Chromium:")
    print(line("TensorFlow Playground", tfp))
    apps = [(k, f) for k, f in rnd.items() if k != "tfp"]
    for sp, f in apps:
        print(line(f"app at {sp}x", f))
    for sp, f in apps:
        print(f"  app {sp}x / TensorFlow Playground: pictures/s "
              f"{f['pictures/s'] / max(tfp['pictures/s'], 1e-9):.2f}x, epochs/s "
              f"{f['epochs/s'] / max(tfp['epochs/s'], 1e-9):.2f}x, longest gap "
              f"{f['gap frames']} vs {tfp['gap frames']} animation frames, "
              f"{f['gap ms']:.0f} vs {tfp['gap ms']:.0f} ms")
    print("", flush=True)

if __name__ == "__main__":
    main()
