"""Hosting: deploy/nginx.conf from Debian's nginx in front of two `streamlit run app.py`
replicas on loopback ports (tests/cluster_util.py), driven by Chromium through the proxy.

Which replica a browser lands on is decided by nginx's route cookie. The tests pick route values
that nginx sends to each replica (asked of nginx itself, from its access log), so that sessions
sit on both replicas every time. Without nginx the tests are skipped, except under CI=true.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import plotly
import pytest

from tests.browser_util import (
    APP_IDLE,
    EXCEPTION,
    LIVE_CHART,
    REPO_ROOT,
    VIEWPORT,
    exception_texts,
    free_port,
    in_ci,
    screenshot_path,
    wait_for_app,
)
from tests.cluster_util import (
    NGINX,
    NGINX_CONF,
    ROUTE_COOKIE,
    Cluster,
    local_config,
    nginx_missing,
    routes_by_replica,
)
from twolayer.data import make_dataset
from twolayer.io import net_from_npz
from twolayer.settings import SETTINGS

pytestmark = pytest.mark.cluster

DEPLOY = REPO_ROOT / "deploy"
RESTARTED = "Training restarted"
T = 120_000  # ms: a generous wait for anything a busy 2-core machine does


def _require_nginx():
    reason = nginx_missing()
    if reason:
        if in_ci():
            pytest.fail(f"{reason} (CI=true: cluster tests must not be skipped)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def shared_cluster(tmp_path_factory):
    """Two replicas behind nginx, for the tests that leave both running."""
    _require_nginx()
    with Cluster(replicas=2, workdir=tmp_path_factory.mktemp("cluster")) as running:
        yield running


@pytest.fixture
def cluster(tmp_path):
    """Two replicas behind nginx, for one test alone (it may kill one)."""
    _require_nginx()
    with Cluster(replicas=2, workdir=tmp_path / "cluster") as running:
        yield running


# --- the page, seen from a browser ---------------------------------------------------------

METRIC_JS = """(label) => {
  const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === label);
  return m ? m.querySelector('[data-testid="stMetricValue"]').innerText.trim() : null;
}"""


def metric(page, label):
    return page.evaluate(METRIC_JS, label)


def open_session(browser, url, route, query=""):
    """A browser context holding ``route`` as nginx's cookie, with the Playground loaded."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": url}])
    page = context.new_page()
    page.goto(f"{url}/{query}", timeout=T)
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=T)
    wait_for_app(page, timeout=T)
    assert exception_texts(page) == []
    return context, page


def press_train(page):
    """Train once; return the epoch shown afterwards."""
    before = metric(page, "Epoch")
    page.get_by_role("button", name="Train", exact=True).click(timeout=T)
    page.wait_for_function(f"(b) => ({METRIC_JS})('Epoch') !== b", arg=before, timeout=T)
    wait_for_app(page, timeout=T)
    return int(metric(page, "Epoch"))


def expander_with(page, inner_selector):
    """Open the expander that holds ``inner_selector`` and return it."""
    expander = page.locator('[data-testid="stExpander"]').filter(
        has=page.locator(inner_selector)).first
    if expander.locator("details").get_attribute("open") is None:
        expander.locator("summary").click()
    return expander


def download_weights(page):
    """Bytes of the Weights (.npz) download."""
    expander = expander_with(page, '[data-testid="stDownloadButton"]')
    button = expander.locator('[data-testid="stDownloadButton"] button').filter(
        has_text="Weights")
    with page.expect_download(timeout=T) as info:
        button.click(timeout=T)
    return Path(info.value.path()).read_bytes()


def upload_csv(page, path, rows):
    expander = expander_with(page, '[data-testid="stFileUploader"]')
    expander.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_text(re.compile(rf"Training on your file .*: {rows[0]} training and "
                                rf"{rows[1]} test rows")).wait_for(timeout=T)
    wait_for_app(page, timeout=T)
    assert exception_texts(page) == []


def default_test_loss(npz):
    """The test loss of downloaded weights on the default data, worked out here, not served."""
    d = {key: s.default for key, s in SETTINGS.items()}
    data = make_dataset(d["dataset"], d["samples"], d["noise"], d["test_fraction"], d["seed"])
    net = net_from_npz(npz, task=data.task, n_inputs=data.n_inputs)
    return net.loss(data.X_test, data.y_test)


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory):
    """A small CSV of two features and a 0/1 label: 42 training and 18 test rows."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    path = tmp_path_factory.mktemp("upload") / "xor.csv"
    path.write_text("x1,x2,label\n" + "".join(f"{a:.4f},{b:.4f},{c}\n" for (a, b), c in
                                              zip(X, y, strict=True)))
    return path, (42, 18)


# --- the config on its own ------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 3])
def test_the_config_runs_with_any_server_list(tmp_path, n):
    _require_nginx()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(local_config(NGINX_CONF.read_text(), list(range(9001, 9001 + n)), 8999))
    assert len(re.findall(r"server 127\.0\.0\.1:\d+;", conf.read_text())) == n
    result = subprocess.run([NGINX, "-t", "-p", f"{prefix}/", "-c", str(conf), "-e",
                             str(prefix / "error.log"), "-g", f"pid {prefix}/nginx.pid;"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_the_config_runs_when_only_the_server_addresses_are_replaced(tmp_path):
    """A rewrite that keeps the rest of each server line (its parameters) must still give a
    config that Debian's nginx accepts: the committed lines carry none that it lacks."""
    _require_nginx()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    text = NGINX_CONF.read_text()
    block = re.search(r"upstream twolayer \{.*?\}", text, re.S)
    ports = iter(range(9101, 9200))
    rewritten = re.sub(r"(server\s+)[^\s;]+", lambda m: f"{m.group(1)}127.0.0.1:{next(ports)}",
                       block.group(0))
    conf = prefix / "nginx.conf"
    conf.write_text(text[:block.start()] + rewritten + text[block.end():])
    result = subprocess.run([NGINX, "-t", "-p", f"{prefix}/", "-c", str(conf), "-e",
                             str(prefix / "error.log"), "-g", f"pid {prefix}/nginx.pid;"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_health_is_passed_through_and_every_browser_gets_its_own_route(shared_cluster):
    cluster = shared_cluster
    with urllib.request.urlopen(f"{cluster.url}/_stcore/health", timeout=10) as response:
        assert response.read().decode().strip() == "ok"
    routes = set()
    for _ in range(2):
        with urllib.request.urlopen(f"{cluster.url}/", timeout=10) as response:
            cookie = response.headers["Set-Cookie"]
        assert re.fullmatch(rf"{ROUTE_COOKIE}=[0-9a-f]{{32}}; Path=/; Max-Age=43200; HttpOnly; "
                            "SameSite=Lax", cookie), cookie
        routes.add(cookie.split(";")[0])
    assert len(routes) == 2  # random per browser: not one replica per NAT address
    # A browser that holds a route is not given another.
    request = urllib.request.Request(f"{cluster.url}/",
                                     headers={"Cookie": f"{ROUTE_COOKIE}={'a' * 32}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Set-Cookie"] is None
    # Behind a TLS proxy that says so, the cookie is sent over TLS only.
    request = urllib.request.Request(f"{cluster.url}/", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Set-Cookie"].endswith("; SameSite=Lax; Secure")


def test_the_proxy_passes_an_upload_of_1_mb_and_refuses_more(shared_cluster):
    """Streamlit's limit is 1 MB a file; nginx lets that through with its multipart framing,
    and stops a body well beyond it before it reaches a replica."""
    url = f"{shared_cluster.url}/_stcore/upload_file/no-such-session/file"

    def put(size):
        request = urllib.request.Request(url, method="PUT", data=b"0" * size)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode()

    # Through to Streamlit, which turns it down for its own reasons (no XSRF token here).
    status, body = put(1024 * 1024 + 1024)
    assert (status, "nginx" in body) == (403, False), body[:200]
    status, body = put(1024 * 1024 + 80 * 1024)
    assert (status, "nginx" in body) == (413, True), body[:200]


# --- several sessions through the proxy ----------------------------------------------------

# --- what a class downloads: plotly.js kept long and gzipped, the app's own files not --------

COMPONENTS = "/_stcore/bidi-components"
PLOTLY_JS = f"{COMPONENTS}/twolayer.plotly/plotly.min.js"
LIVE_FILES = {f"{COMPONENTS}/twolayer.live/{name}": REPO_ROOT / "twolayer/ui/live/frontend" / name
              for name in ("live.js", "live.css")}
# The reference: the browser bundle of the installed plotly package, read here, not by the app.
PLOTLY_MIN_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
LONG = 7 * 24 * 3600  # s: at least a week counts as long-lived
SHORT = 300           # s: the most the app's own files may be kept without asking


def get(url, headers=None):
    """(status, headers, body as sent) of a GET, without urllib's decompression or cookies."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def max_age(cache_control):
    """The max-age of a Cache-Control value in seconds, or None."""
    found = re.search(r"(?:^|,)\s*max-age\s*=\s*(\d+)", cache_control or "")
    return int(found.group(1)) if found else None


def directives(cache_control):
    return {d.strip().split("=")[0].lower() for d in (cache_control or "").split(",") if d.strip()}


def plotly_log_lines(cluster, route):
    """The access log's lines for plotly.js asked with ``route`` as the route cookie."""
    time.sleep(0.3)  # nginx writes the line once the response has gone out
    return [line for line in cluster.nginx_log.read_text(errors="replace").splitlines()
            if f"GET {PLOTLY_JS} " in line and f"route={route} " in line]


def asset_requests(cluster, path, route):
    time.sleep(0.3)
    return [line for line in cluster.nginx_log.read_text(errors="replace").splitlines()
            if f"GET {path}" in line and f"route={route} " in line]


@pytest.fixture(scope="module")
def assets(shared_cluster):
    """The shared cluster once its replicas serve the component's files (they do once app.py
    has run, which the image's healthcheck has done on each)."""
    for replica in shared_cluster.replicas:
        status, _, _ = get(replica.url + PLOTLY_JS)
        assert status == 200, f"{replica.url} does not serve plotly.js ({status})"
    return shared_cluster


def test_plotly_js_through_the_proxy_is_gzipped_kept_long_and_the_packages_bytes(assets):
    reference = PLOTLY_MIN_JS.read_bytes()
    assert len(reference) > 1_000_000
    status, headers, body = get(assets.url + PLOTLY_JS, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert len(body) < len(reference) / 2  # 1.5 of 4.8 MB
    assert gzip.decompress(body) == reference
    cache_control = headers["Cache-Control"]
    assert {"public", "immutable"} <= directives(cache_control), cache_control
    assert max_age(cache_control) >= LONG, cache_control
    assert "accept-encoding" in (headers["Vary"] or "").lower()
    assert headers["Set-Cookie"] is None  # a public response carries no one's route
    # A client that does not take gzip gets the plain file, kept as long.
    status, headers, body = get(assets.url + PLOTLY_JS, {"Accept-Encoding": "identity"})
    assert status == 200
    assert headers["Content-Encoding"] in (None, "identity")
    assert body == reference
    assert max_age(headers["Cache-Control"]) >= LONG
    # The long-lived header is for files that were found, not for an error.
    status, headers, _ = get(f"{assets.url}{COMPONENTS}/twolayer.plotly/no-such-file.js")
    assert status == 404
    assert max_age(headers["Cache-Control"]) is None


def test_a_class_asking_for_plotly_js_at_once_costs_the_replicas_one_copy(assets):
    """The replicas gzip plotly.js anew for every request (about 0.2 s of CPU each): the proxy
    keeps the copy and lets at most one request of a crowd through to them."""
    from concurrent.futures import ThreadPoolExecutor

    routes = [f"{i:032x}" for i in range(0xC1A55000, 0xC1A55000 + 12)]

    def fetch(route):
        return get(assets.url + PLOTLY_JS, {"Accept-Encoding": "gzip",
                                            "Cookie": f"{ROUTE_COOKIE}={route}"})

    with ThreadPoolExecutor(len(routes)) as pool:
        answers = list(pool.map(fetch, routes))
    reference = PLOTLY_MIN_JS.read_bytes()
    assert all(status == 200 and gzip.decompress(body) == reference
               for status, _, body in answers)
    lines = [line for route in routes for line in plotly_log_lines(assets, route)]
    assert len(lines) == len(routes)
    to_a_replica = [line for line in lines if re.search(r"upstream=\d", line)]
    assert len(to_a_replica) <= 1, to_a_replica


def test_a_query_string_on_plotly_js_neither_misses_the_cache_nor_reaches_a_replica(assets):
    """`?bust=N` is the same file: answered from the proxy's copy, never passed on (each miss
    cost a replica 0.13 s of CPU and pushed the real copy out of the cache)."""
    get(assets.url + PLOTLY_JS, {"Accept-Encoding": "gzip"})  # the copy is in the cache
    routes = [f"{i:032x}" for i in range(0xB0575000, 0xB0575000 + 8)]
    reference = PLOTLY_MIN_JS.read_bytes()
    for n, route in enumerate(routes):
        status, headers, body = get(f"{assets.url}{PLOTLY_JS}?bust={n}",
                                    {"Accept-Encoding": "gzip",
                                     "Cookie": f"{ROUTE_COOKIE}={route}"})
        assert status == 200 and gzip.decompress(body) == reference
        assert headers["X-Cache"] == "HIT", (n, headers["X-Cache"])
    lines = [line for route in routes for line in asset_requests(assets, PLOTLY_JS, route)]
    assert len(lines) == len(routes)
    assert [line for line in lines if re.search(r"upstream=\d", line)] == []


def test_the_apps_own_component_files_are_not_kept_long(assets):
    """live.js and live.css change with each deploy under the same address: a browser must
    ask again (at most a short max-age), and they are not immutable."""
    for path, source in LIVE_FILES.items():
        status, headers, body = get(assets.url + path, {"Accept-Encoding": "gzip"})
        assert status == 200, path
        if headers["Content-Encoding"] == "gzip":
            body = gzip.decompress(body)
        assert body == source.read_bytes(), path
        cache_control = headers["Cache-Control"] or ""
        assert "immutable" not in directives(cache_control), (path, cache_control)
        assert "no-cache" in directives(cache_control) or (
            max_age(cache_control) is not None and max_age(cache_control) <= SHORT), (
            path, cache_control)


def test_streamlits_own_javascript_is_gzipped_by_the_proxy(assets):
    """Streamlit sends its JavaScript bundles uncompressed (some 5 MB on a first visit)."""
    _, _, index = get(assets.url + "/")
    script = re.search(r'<script type="module"[^>]* src="\./(static/js/[^"]+\.js)"',
                       index.decode()).group(1)
    _, _, plain = get(f"{assets.replicas[0].url}/{script}")
    assert len(plain) > 100_000
    status, headers, body = get(f"{assets.url}/{script}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == plain
    assert len(body) < len(plain) / 2
    assert max_age(headers["Cache-Control"]) >= LONG  # Streamlit's own, kept as it sends it


def test_a_reload_in_the_browser_takes_plotly_js_from_its_cache(browser, assets):
    """Chromium through the proxy: the first load fetches plotly.js and the app's files, a
    reload fetches the app's files again but not plotly.js."""
    route = routes_by_replica(assets, per_replica=1)[0][0]
    context, page = open_session(browser, assets.url, route)
    try:
        page.locator(f"{LIVE_CHART} .main-svg").first.wait_for(timeout=T)
        assert len(plotly_log_lines(assets, route)) == 1
        first = {path: len(asset_requests(assets, path, route)) for path in LIVE_FILES}
        assert all(n >= 1 for n in first.values()), first
        page.reload(timeout=T)
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=T)
        wait_for_app(page, timeout=T)
        page.locator(f"{LIVE_CHART} .main-svg").first.wait_for(timeout=T)
        assert exception_texts(page) == []
        assert len(plotly_log_lines(assets, route)) == 1
        again = {path: len(asset_requests(assets, path, route)) for path in LIVE_FILES}
        assert all(again[path] > first[path] for path in LIVE_FILES), (first, again)
    finally:
        context.close()


def test_sessions_on_both_replicas_train_upload_and_download(browser, shared_cluster, csv_file):
    cluster = shared_cluster
    routes = routes_by_replica(cluster, per_replica=2)
    sessions = []  # (replica index, route, context, page, epochs per Train)
    for i, (index, route) in enumerate((i, r) for i, rs in routes.items() for r in rs):
        epochs = 20 + 10 * i  # each session's weights differ from every other's
        context, page = open_session(browser, cluster.url, route, f"?epochs_per_run={epochs}")
        sessions.append((index, route, context, page, epochs))
    try:
        for _, _, _, page, epochs in sessions:
            assert press_train(page) == epochs
        for index, _, _, page, epochs in sessions:
            npz = download_weights(page)
            shown = float(metric(page, "Test loss"))
            assert default_test_loss(npz) == pytest.approx(shown, abs=6e-5), (index, epochs)
        path, rows = csv_file
        for _, _, _, page, _ in sessions:
            upload_csv(page, path, rows)
        sessions[0][3].screenshot(path=screenshot_path("cluster_session_uploaded"),
                                  full_page=True)
    finally:
        for _, _, context, _, _ in sessions:
            context.close()
    # Every request of a route went to the replica chosen for it, and none failed.
    log = cluster.nginx_log.read_text()
    for index, route, *_ in sessions:
        lines = [line for line in log.splitlines() if f"route={route}" in line]
        ports = set(re.findall(r"upstream=127\.0\.0\.1:(\d+)$", "\n".join(lines), re.M))
        assert ports == {str(cluster.replicas[index].port)}, lines[-5:]
        assert any("PUT /_stcore/upload_file/" in line for line in lines)
        assert any("GET /media/" in line for line in lines)
        failed = [line for line in lines if re.search(r'" [45]\d\d ', line)]
        assert failed == []


# --- one client cannot take the proxy from everyone else --------------------------------------

FLOOD = 1100        # websockets one address tries to open and hold
FLOOD_SECONDS = 60  # at most this long for all of them to be answered


def _open_websockets(url, count, source, seconds):
    """Open ``count`` websockets to Streamlit's stream through ``url`` from the local address
    ``source`` and hold them; (statuses by code, the sockets, to be closed by the caller)."""
    import base64
    import socket
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    host, port = url.removeprefix("http://").split(":")
    deadline = time.monotonic() + seconds

    def one(i):
        sock = socket.socket()
        try:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            sock.bind((source, 0))
            sock.connect((host, int(port)))
            key = base64.b64encode(i.to_bytes(16, "little")).decode()
            sock.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}:{port}\r\n"
                          f"Origin: {url}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Protocol: streamlit\r\n\r\n").encode())
            head = sock.recv(64).split()
            return (head[1].decode() if len(head) > 1 else "closed"), sock
        except OSError as e:
            return type(e).__name__, sock

    with ThreadPoolExecutor(64) as pool:
        answers = list(pool.map(one, range(count)))
    return Counter(status for status, _ in answers), [sock for _, sock in answers]


def test_one_address_holding_a_thousand_websockets_leaves_room_for_a_visitor(browser, cluster):
    """1,100 websockets from 127.0.0.2 (held open) do not keep a visitor from 127.0.0.1 from
    loading the Playground and training: the proxy refuses one address's excess at once."""
    held = []
    try:
        statuses, held = _open_websockets(cluster.url, FLOOD, "127.0.0.2", FLOOD_SECONDS)
        assert sum(statuses.values()) == FLOOD
        assert 0 < statuses["101"] <= 300, statuses        # limit_conn per address
        assert statuses["429"] >= FLOOD - 300, statuses
        context, page = open_session(browser, cluster.url, "b" * 32)
        try:
            assert press_train(page) == SETTINGS["epochs_per_run"].default
            assert exception_texts(page) == []
        finally:
            context.close()
    finally:
        for sock in held:
            sock.close()


# --- a replica dies mid-session ------------------------------------------------------------

def test_killing_a_replica_restarts_its_sessions_elsewhere_and_leaves_the_others(
        browser, cluster, csv_file):
    routes = routes_by_replica(cluster, per_replica=2)
    doomed, survivors = [], []
    for index, rs in routes.items():
        for k, route in enumerate(rs):
            epochs = 30 + 20 * k + 5 * index
            context, page = open_session(browser, cluster.url, route,
                                         f"?epochs_per_run={epochs}&hidden=6")
            (doomed if index == 0 else survivors).append((context, page, epochs))
    try:
        for _, page, epochs in doomed + survivors:
            assert press_train(page) == epochs
        path, rows = csv_file
        upload_csv(doomed[1][1], path, rows)  # a file the dying replica holds
        before = [(metric(p, "Epoch"), metric(p, "Test loss")) for _, p, _ in survivors]

        cluster.kill(0)

        # Without a click, each page of the dead replica reconnects (through nginx, to the
        # other replica), runs there afresh and says so.
        for _, page, _ in doomed:
            page.get_by_text(RESTARTED).wait_for(timeout=T)
            wait_for_app(page, timeout=T)
            assert metric(page, "Epoch") == "0"
            assert exception_texts(page) == []
            # The settings came back from the browser's widgets.
            assert "hidden=6" in page.url
        doomed[1][1].screenshot(path=screenshot_path("cluster_training_restarted"),
                                full_page=True)
        # The pages of the other replica are untouched: same epoch, same weights.
        for (_, page, _), shown in zip(survivors, before, strict=True):
            assert (metric(page, "Epoch"), metric(page, "Test loss")) == shown
            assert page.get_by_text(RESTARTED).count() == 0
            assert page.locator(EXCEPTION).count() == 0

        # Both kinds go on working, each from where it stands.
        for _, page, epochs in doomed:
            assert press_train(page) == epochs
            assert page.get_by_text(RESTARTED).count() == 1  # until dismissed
        for (_, page, epochs), shown in zip(survivors, before, strict=True):
            assert press_train(page) == int(shown[0]) + epochs
        for _, page, _ in doomed:
            npz = download_weights(page)
            assert net_from_npz(npz).n_hidden == 6
            upload_csv(page, path, rows)
        page = doomed[0][1]
        page.get_by_role("button", name="Dismiss").click()
        page.get_by_text(RESTARTED).wait_for(state="detached", timeout=T)
        wait_for_app(page, timeout=T)
        assert page.locator(APP_IDLE).count() == 1
    finally:
        for context, _, _ in doomed + survivors:
            context.close()
    # The pages of the dead replica reconnected through nginx, to the replica left (nginx logs
    # a websocket when it closes).
    survivor = cluster.replicas[1].port
    deadline = time.monotonic() + 30
    for route in routes[0]:
        pattern = (rf'"GET /_stcore/stream HTTP/1.1" 101 .* route={route} '
                   rf'upstream=127\.0\.0\.1:{survivor}$')
        while not re.search(pattern, cluster.nginx_log.read_text(), re.M):
            assert time.monotonic() < deadline, f"no websocket of {route} to the survivor"
            time.sleep(0.2)


# --- the container files, checked without a Docker daemon ----------------------------------

def _compose():
    """A compose command: the docker CLI's plugin, or a docker-compose beside this Python or on
    PATH (.ci/run installs one into the venv)."""
    beside = Path(sys.executable).parent / "docker-compose"
    for cmd in (["docker", "compose"], [str(beside)], ["docker-compose"]):
        if shutil.which(cmd[0]) is None:
            continue
        probe = subprocess.run([*cmd, "version"], capture_output=True, text=True, timeout=60)
        if probe.returncode == 0:
            return cmd
    return None


def test_the_compose_file_is_valid_and_sets_n_in_one_place():
    cmd = _compose()
    if cmd is None:
        reason = "neither `docker compose` nor `docker-compose` is installed"
        if in_ci():
            pytest.fail(f"{reason} (.ci/run installs one)", pytrace=False)
        pytest.skip(reason)

    def config(**env):
        result = subprocess.run([*cmd, "-f", str(DEPLOY / "compose.yaml"), "config", "--format",
                                 "json"], capture_output=True, text=True, timeout=60,
                                cwd=REPO_ROOT, env={**os.environ, **env})
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    default = config()
    app, proxy = default["services"]["app"], default["services"]["proxy"]
    assert app["deploy"]["replicas"] == 2
    assert proxy["environment"] == {"REPLICAS": "2", "PROJECT": "twolayer"}
    assert Path(app["build"]["context"]) == REPO_ROOT
    assert app["build"]["dockerfile"] == "deploy/Dockerfile"
    mounts = {Path(v["source"]): v["target"] for v in proxy["volumes"]}
    assert mounts[DEPLOY / "nginx.conf"] == "/etc/nginx/twolayer.conf"
    assert mounts[DEPLOY / "proxy-start.sh"] == "/etc/nginx/proxy-start.sh"
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert [p["target"] for p in proxy["ports"]] == [8080]  # nginx.conf's listen port
    # One variable sets both the replicas and the proxy's server lines.
    scaled = config(REPLICAS="4")
    assert scaled["services"]["app"]["deploy"]["replicas"] == 4
    assert scaled["services"]["proxy"]["environment"]["REPLICAS"] == "4"


def test_proxy_start_lists_one_server_per_replica(tmp_path):
    template = NGINX_CONF.read_text()

    def start(replicas, project="demo"):
        out = tmp_path / f"nginx-{replicas}.conf"
        result = subprocess.run(
            ["sh", str(DEPLOY / "proxy-start.sh")], capture_output=True, text=True, timeout=30,
            env={**os.environ, "REPLICAS": str(replicas), "PROJECT": project,
                 "TEMPLATE": str(NGINX_CONF), "OUT": str(out), "NGINX": "true"})
        return result, out

    result, out = start(3)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    block = re.search(r"upstream twolayer \{(.*?)\}", text, re.S).group(1)
    assert re.findall(r"^\s*server (\S+) resolve;$", block, re.M) == [
        "demo-app-1:8501", "demo-app-2:8501", "demo-app-3:8501"]
    # The route is hashed with a secret of its own, made anew at each start unless given.
    secrets = re.findall(r"^\s*hash \$route:(\w+) consistent;$", block, re.M)
    assert len(secrets) == 1 and re.fullmatch(r"[0-9a-f]{32}", secrets[0]), secrets
    assert secrets[0] not in start(3)[1].read_text()
    # Apart from the server lines and the secret, the file is the one in the repository.
    assert (local_config(text.replace(secrets[0], "ROUTE_SECRET"), [1, 2], 3)
            == local_config(template, [1, 2], 3))
    result = subprocess.run(
        ["sh", str(DEPLOY / "proxy-start.sh")], capture_output=True, text=True, timeout=30,
        env={**os.environ, "REPLICAS": "2", "TEMPLATE": str(NGINX_CONF), "NGINX": "true",
             "OUT": str(tmp_path / "kept.conf"), "ROUTE_SECRET": "KeptAcrossRestarts"})
    assert result.returncode == 0, result.stderr
    assert "hash $route:KeptAcrossRestarts consistent;" in (tmp_path / "kept.conf").read_text()
    for bad in (0, "two", ""):
        result, _ = start(bad)
        assert result.returncode != 0 and "REPLICAS" in result.stderr


DOCKERFILE = DEPLOY / "Dockerfile"


def _instructions():
    """(INSTRUCTION, arguments) of deploy/Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [tuple(line.split(None, 1)) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_image_sets_streamlit_options_that_exist():
    from streamlit import config

    env = dict(re.findall(r"(STREAMLIT_[A-Z_]+)=(\S+)", DOCKERFILE.read_text()))
    known = {option.env_var for option in config.get_config_options().values()}
    assert sorted(set(env) - known) == []
    # What Streamlit makes of them (they override .streamlit/config.toml).
    shown = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"],
                           capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
                           env={**os.environ, **env}).stdout
    values = dict(re.findall(r"^(\w+) = (.+)$", shown, re.M))
    assert values["headless"] == "true"
    assert values["fileWatcherType"] == '"none"'
    assert values["maxUploadSize"] == "1"
    assert values["enableXsrfProtection"] == "true"
    assert values["port"] == "8501"
    assert values["address"] == '"0.0.0.0"'
    assert values["gatherUsageStats"] == "false"
    # A visitor who meets an unexpected error sees a generic message, not the traceback.
    assert values["showErrorDetails"] == '"none"'


def test_the_image_is_slim_runs_as_a_user_and_checks_its_health():
    steps = _instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [args for op, args in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    copies = " ".join(args for op, args in steps if op == "COPY")
    assert "requirements.txt" in copies and "requirements-dev" not in copies
    assert ("EXPOSE", "8501") in steps
    cmd = json.loads(dict(steps)["CMD"])
    assert cmd == ["streamlit", "run", "app.py"]


def test_the_image_healthcheck_answers_for_a_live_server_only(shared_cluster, tmp_path):
    check = dict(_instructions())["HEALTHCHECK"]
    argv = json.loads(check[check.index("CMD") + 3:])
    assert argv == ["python", "deploy/healthcheck.py", "http://127.0.0.1:8501"]

    def healthy(port):
        return subprocess.run([sys.executable, argv[1], f"http://127.0.0.1:{port}"],
                              cwd=REPO_ROOT, capture_output=True, timeout=120,
                              env={**os.environ, "TMPDIR": str(tmp_path)}).returncode == 0

    assert healthy(shared_cluster.replicas[0].port)
    assert not healthy(free_port())  # nothing listens there


def test_the_script_health_check_is_for_the_healthcheck_only(shared_cluster):
    """It runs app.py on every request: the replicas answer it, the proxy does not."""
    with urllib.request.urlopen(f"{shared_cluster.replicas[0].url}/_stcore/script-health-check",
                                timeout=60) as response:
        assert response.read() == b"ok"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{shared_cluster.url}/_stcore/script-health-check", timeout=60)
    assert refused.value.code == 404


def test_a_lesson_link_on_a_fresh_replica_opens_its_page(browser, tmp_path):
    """A fresh Streamlit server answers the first deep link with "Page not found" until app.py
    has run once (Streamlit issue 9992); the image's healthcheck runs it after each start."""
    _require_nginx()
    with Cluster(replicas=1, workdir=tmp_path / "cluster") as fresh:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(f"{fresh.url}/mse-vs-log-loss?lesson=saturated", timeout=T)
            page.get_by_role("heading", name="MSE vs log-loss").first.wait_for(timeout=T)
            wait_for_app(page, timeout=T)
            page.wait_for_timeout(1000)  # the notice comes a moment after the page
            assert page.get_by_text("Page not found").count() == 0
            assert exception_texts(page) == []
        finally:
            context.close()
