"""Cluster load: S sessions press Train at once, behind nginx, with 1 and with 2 replicas.

    python benchmarks/bench_cluster.py [--sessions 10 20] [--replicas 1 2] [--timeout 600]
    python benchmarks/bench_cluster.py --page-bytes [NGINX_CONF ...] [--class-size 30]

For each (replicas, sessions) pair this starts a fresh local cluster (tests/cluster_util.py:
deploy/nginx.conf from Debian's nginx in front of `streamlit run app.py` replicas on loopback
ports), warms each replica with one session, then opens S sessions through the proxy, each with
a route cookie of its own: chosen so that the sessions split evenly over the replicas or, with
--split random, handed out by nginx as a browser gets one. It loads the Playground in each and
presses Train in all of them at once. Printed: how the sessions fell on the replicas, the median
and slowest time from the click to the end of the run (the server's last message), the resident
memory of each replica before and after and per session, CPU seconds per Train, and the load
average.

The sessions are websocket clients that speak Streamlit's own protocol (its protobuf messages,
as the browser sends them: the widget values on a click, the hashes of messages already held),
not Chromium pages. On this 2-core machine, 20 Chromium pages drawing Plotly charts would take
the CPU the replicas need and measure the browser; this client costs a few milliseconds per
message, so the figures are the servers' and the proxy's. What it leaves out is the drawing in
the browser after the last message (bench_app.py measures that, for one page).

--page-bytes measures what a class costs to load instead, for each nginx config given (default:
deploy/nginx.conf; an older one to compare with, e.g. `git show main:deploy/nginx.conf`), on a
fresh two-replica cluster each: the bytes Chromium receives over HTTP (Network.loadingFinished's
encodedDataLength: headers and body as sent, compressed where they were; 0 from its cache) for
a first visit to the Playground, a reload, and the same link opened again in a new tab, with
plotly.js and the app's own live.js/live.css apart. Before that, on the fresh cluster,
--class-size browsers ask for plotly.js at once (plain HTTP clients that accept gzip): the bytes
sent, and the CPU seconds the replicas spent on it (compressing 4.8 MB on each request, unless
the proxy keeps a copy).
"""

import argparse
import asyncio
import http.cookies
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from tests.browser_util import CHROMIUM, CHROMIUM_ARGS, LIVE_CHART, wait_for_app  # noqa: E402
from tests.cluster_util import (  # noqa: E402
    NGINX_CONF,
    ROUTE_COOKIE,
    Cluster,
    cpu_seconds,
    routes_by_replica,
    rss_mb,
)

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


class Session:
    """One browser tab, at the level of Streamlit's websocket protocol."""

    def __init__(self, base_url, query=""):
        self.base_url = base_url
        self.query = query  # the page's URL query: its settings
        self.cookies = {}
        self.buttons = {}  # label -> widget id
        self.metrics = {}  # label -> value shown
        self.held = set()  # hashes of cacheable messages received, as the browser keeps them
        self.errors = []
        self._finished = None
        self.ws = None

    def _get_index(self):
        """GET / as a browser does first: nginx's route cookie and Streamlit's XSRF cookie."""
        held = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(self.base_url + "/", headers={"Cookie": held} if held
                                         else {})
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = http.cookies.SimpleCookie()
                cookie.load(header)
                self.cookies.update({k: m.value for k, m in cookie.items()})

    async def connect(self):
        from websockets.asyncio.client import connect

        await asyncio.to_thread(self._get_index)
        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        xsrf = self.cookies.get("_streamlit_xsrf", "")
        self.ws = await connect(
            self.base_url.replace("http://", "ws://") + "/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            additional_headers={"Cookie": header}, origin=self.base_url, max_size=None,
            open_timeout=120, ping_interval=None)
        self._reader = asyncio.create_task(self._read())

    @property
    def route(self):
        return self.cookies.get(ROUTE_COOKIE)

    async def _read(self):
        try:
            async for raw in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._handle(msg)
        except Exception as e:  # a dropped connection is a result, reported by run()
            self.errors.append(f"{type(e).__name__}: {e}")
            if self._finished is not None and not self._finished.done():
                self._finished.set_exception(e)

    def _handle(self, msg):
        kind = msg.WhichOneof("type")
        if msg.metadata.cacheable and msg.hash:
            self.held.add(msg.hash)
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "button":
                self.buttons[element.button.label] = element.button.id
            elif which == "metric":
                self.metrics[element.metric.label] = element.metric.body
            elif which == "exception":
                self.errors.append(f"exception in the page: {element.exception.message}")
        elif kind == "script_finished":
            if self._finished is not None and not self._finished.done():
                if msg.script_finished in FINISHED:
                    self._finished.set_result(time.monotonic())
                elif msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    self._finished.set_exception(RuntimeError(f"run ended: {msg.script_finished}"))

    async def run(self, trigger=None):
        """One script run (with a button pressed); seconds from the request to its end."""
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query
        state.page_script_hash = ""
        state.cached_message_hashes.extend(sorted(self.held))
        if trigger is not None:
            widget = state.widget_states.widgets.add()
            widget.id = self.buttons[trigger]
            widget.trigger_value = True
        self._finished = asyncio.get_running_loop().create_future()
        t0 = time.monotonic()
        await self.ws.send(back.SerializeToString())
        return await self._finished - t0

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
            self._reader.cancel()


async def open_sessions(url, n, query, routes=None):
    sessions = [Session(url, query) for _ in range(n)]
    for s, route in zip(sessions, routes or [], strict=False):
        s.cookies[ROUTE_COOKIE] = route
    await asyncio.gather(*(s.connect() for s in sessions))
    await asyncio.gather(*(s.run() for s in sessions))  # the page loads
    return sessions


async def measure(cluster, n, even, query, report):
    url = cluster.url
    pids = [r.proc.pid for r in cluster.replicas]
    # Warm-up: one session per replica (imports, the dataset cache), with a route for each.
    for routes in routes_by_replica(cluster, per_replica=1).values():
        s = Session(url, query)
        s.cookies[ROUTE_COOKIE] = routes[0]
        await s.connect()
        await s.run()
        report["warm"].append(await s.run("Train"))
        await s.close()
    report["rss_before"] = [rss_mb(p) for p in pids]
    routes = None
    if even:  # n // replicas sessions on each replica (the first ones take the remainder)
        per = routes_by_replica(cluster, per_replica=-(-n // len(pids)))
        routes = [rs[k] for k in range(len(per[0])) for rs in per.values()][:n]
    sessions = await open_sessions(url, n, query, routes)
    report["rss_loaded"] = [rss_mb(p) for p in pids]
    report["cpu_before"] = [cpu_seconds(p) for p in pids]
    epochs_before = {s.metrics.get("Epoch") for s in sessions}
    results = await asyncio.gather(*(s.run("Train") for s in sessions), return_exceptions=True)
    report["cpu_after"] = [cpu_seconds(p) for p in pids]
    report["rss_after"] = [rss_mb(p) for p in pids]
    report["load"] = os.getloadavg()[0]
    report["times"] = [r for r in results if not isinstance(r, BaseException)]
    report["failed"] = [r for r in results if isinstance(r, BaseException)]
    report["errors"] = [e for s in sessions for e in s.errors]
    report["epochs"] = (epochs_before, {s.metrics.get("Epoch") for s in sessions})
    routes = cluster.routes()
    report["split"] = [sum(routes.get(s.route) == r.port for s in sessions)
                       for r in cluster.replicas]
    await asyncio.gather(*(s.close() for s in sessions))


def bench(replicas, sessions, even, query, timeout):
    report = {"warm": []}
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        with Cluster(replicas=replicas, workdir=Path(tmp)) as cluster:
            try:
                run = measure(cluster, sessions, even, query, report)
                asyncio.run(asyncio.wait_for(run, timeout))
            except TimeoutError:
                report["timed_out"] = True
    return report


PLOTLY_JS = "/_stcore/bidi-components/twolayer.plotly/plotly.min.js"


def _kind(url):
    if "/twolayer.plotly/" in url:
        return "plotly"
    if "/twolayer.live/" in url:
        return "live"
    return "other"


def _visit(page, cdp, go):
    """Bytes received over HTTP per kind ({"plotly", "live", "other"}) and the requests made
    while ``go()`` loads the Playground and its live charts are drawn."""
    got = {"plotly": 0, "live": 0, "other": 0, "requests": 0, "cached": 0}
    urls = {}

    def sent(event):
        urls[event["requestId"]] = event["request"]["url"]
        got["requests"] += 1

    def finished(event):
        got[_kind(urls.get(event["requestId"], ""))] += int(event["encodedDataLength"])

    def cached(event):
        got["cached"] += 1

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestServedFromCache", cached)
    go()
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=120_000)
    wait_for_app(page, timeout=120_000)
    page.locator(f"{LIVE_CHART} .main-svg").first.wait_for(timeout=120_000)
    page.wait_for_load_state("networkidle", timeout=120_000)
    page.wait_for_timeout(500)
    for name, handler in (("Network.requestWillBeSent", sent),
                          ("Network.loadingFinished", finished),
                          ("Network.requestServedFromCache", cached)):
        cdp.remove_listener(name, handler)
    return got


def _fetch(url):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=300) as response:
        return len(response.read())


def page_bytes(conf, class_size):
    """One row per visit for ``conf``: see --page-bytes in the module's docstring."""
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-bytes-") as tmp:
        with Cluster(replicas=2, workdir=Path(tmp), conf=Path(conf)) as cluster:
            pids = [r.proc.pid for r in cluster.replicas]
            cpu = [cpu_seconds(p) for p in pids]
            t0 = time.monotonic()
            with ThreadPoolExecutor(class_size) as pool:
                sizes = list(pool.map(_fetch, [cluster.url + PLOTLY_JS] * class_size))
            wall = time.monotonic() - t0
            spent = sum(cpu_seconds(p) for p in pids) - sum(cpu)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                rows.append(("first visit", _visit(page, cdp, lambda: page.goto(cluster.url))))
                rows.append(("reload", _visit(page, cdp, page.reload)))
                tab = context.new_page()
                cdp_tab = context.new_cdp_session(tab)
                cdp_tab.send("Network.enable")
                rows.append(("new tab", _visit(tab, cdp_tab, lambda: tab.goto(cluster.url))))
                browser.close()
    return rows, (sum(sizes), spent, wall)


def main_page_bytes(confs, class_size):
    print(f"{os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f}; bytes over "
          "HTTP (headers + body as sent) for the Playground through nginx, 2 replicas, "
          "Chromium; websocket messages not counted")
    print(f"{'config':<28} {'visit':<12} {'total kB':>9} {'plotly kB':>9} {'live kB':>8} "
          f"{'other kB':>9} {'requests':>8} {'load':>5}")
    for conf in confs:
        rows, (sent, spent, wall) = page_bytes(conf, class_size)
        for visit, got in rows:
            total = got["plotly"] + got["live"] + got["other"]
            print(f"{str(conf)[-28:]:<28} {visit:<12} {total / 1e3:>9.1f} "
                  f"{got['plotly'] / 1e3:>9.1f} {got['live'] / 1e3:>8.1f} "
                  f"{got['other'] / 1e3:>9.1f} {got['requests']:>8} "
                  f"{os.getloadavg()[0]:>5.2f}", flush=True)
        print(f"{str(conf)[-28:]:<28} {class_size} browsers fetch plotly.js at once: "
              f"{sent / 1e6:.1f} MB sent in {wall:.1f} s, replicas' CPU {spent:.2f} s "
              f"(load {os.getloadavg()[0]:.2f})", flush=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--split", choices=["even", "random"], default="even",
                        help="sessions spread evenly over the replicas (default), or by the "
                             "random route cookies nginx hands out, as in a real class")
    parser.add_argument("--query", default="",
                        help="the Playground's settings as a link has them, e.g. "
                             "'samples=5000&hidden=64&epochs_per_run=5000' (default: none)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds, per pair")
    parser.add_argument("--page-bytes", nargs="*", metavar="NGINX_CONF",
                        help="measure the bytes a page load costs instead, for each config "
                             "(default: deploy/nginx.conf)")
    parser.add_argument("--class-size", type=int, default=30,
                        help="with --page-bytes: browsers fetching plotly.js at once")
    args = parser.parse_args()
    if args.page_bytes is not None:
        return main_page_bytes(args.page_bytes or [NGINX_CONF], args.class_size)
    print(f"{os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f}; each row a "
          "fresh cluster: S websocket sessions press Train at once; "
          f"settings: {args.query or 'the defaults (100 epochs a Train)'}; sessions split over "
          f"the replicas: {args.split}")
    header = (f"{'replicas':>8} {'sessions':>8} {'split':>9} {'alone':>6} {'median':>7} "
              f"{'slowest':>8} {'CPU/Train':>9} {'RSS before':>15} {'RSS after':>15} "
              f"{'MB/session':>10} {'load':>5}  ok")
    print(header)
    ok_all = True
    last_epochs = set()
    for r in args.replicas:
        for n in args.sessions:
            rep = bench(r, n, args.split == "even", args.query, args.timeout)
            times = rep.get("times", [])
            last_epochs |= {e for e in rep.get("epochs", ((), ()))[1] if e}
            ok = (not rep.get("timed_out") and not rep.get("failed") and not rep.get("errors")
                  and len(times) == n)
            ok_all &= ok
            cpu = sum(rep["cpu_after"]) - sum(rep["cpu_before"]) if "cpu_after" in rep else 0
            per_session = [(a - b) / k for a, b, k in
                           zip(rep.get("rss_after", []), rep.get("rss_before", []),
                               rep.get("split", []), strict=False) if k]
            fmt = "/".join

            def mb(key, rep=rep, fmt=fmt):
                return fmt(f"{v:.0f}" for v in rep.get(key, [])) or "-"
            print(f"{r:>8} {n:>8} {fmt(map(str, rep.get('split', []))):>9} "
                  f"{statistics.median(rep['warm']) if rep['warm'] else float('nan'):>6.2f} "
                  f"{statistics.median(times) if times else float('nan'):>7.2f} "
                  f"{max(times) if times else float('nan'):>8.2f} {cpu / n:>9.2f} "
                  f"{mb('rss_before'):>15} {mb('rss_after'):>15} "
                  f"{fmt(f'{v:.1f}' for v in per_session) or '-':>10} "
                  f"{rep.get('load', float('nan')):>5.2f}  {'yes' if ok else 'NO'}", flush=True)
            for problem in rep.get("failed", []) + rep.get("errors", []):
                print(f"    {str(problem).splitlines()[0][:200]}")
            if rep.get("timed_out"):
                print(f"    timed out after {args.timeout:.0f} s")
            if "epochs" in rep and len(rep["epochs"][1]) != 1:
                print(f"    epochs shown before/after: {rep['epochs']}")
    print("epoch shown after the Train:", ", ".join(sorted(last_epochs)) or "-")
    print("times in seconds from the click to the run's last message; alone = one warm "
          "session per replica before the crowd; RSS in MB per replica (before = after the "
          "warm-up, after = all S sessions open and trained); MB/session = growth / sessions "
          "on that replica; load = 1-minute load average right after the Trains")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
