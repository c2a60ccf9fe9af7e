"""Shared fixtures: a `streamlit run app.py` server and Playwright on Debian's Chromium.

Browser tests ask for ``app_server`` (the base URL) and ``page`` (a fresh page); helpers such as
``wait_for_app`` and ``ARTIFACTS`` are in tests/browser_util.py. Without /usr/bin/chromium or the
playwright package the browser tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser_util import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO_ROOT,
    VIEWPORT,
    free_port,
    health_ok,
    in_ci,
    stop_process,
)

SERVER_START_TIMEOUT = 60.0  # seconds until /_stcore/health must answer "ok"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A test that uses the browser is a browser test, marked or not: `-m "not browser"` works.
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@contextmanager
def streamlit_server() -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port, stopped on leaving; yields its base URL
    as soon as /_stcore/health answers (no page has been visited yet)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    log = tempfile.NamedTemporaryFile(  # closed below, after the server stops
        mode="w+", prefix="streamlit-", suffix=".log", delete=False
    )
    proc = subprocess.Popen(
        cmd,
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # own process group, so teardown can kill all of it
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    def server_log() -> str:
        log.flush()
        return Path(log.name).read_text(errors="replace")[-4000:]

    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not health_ok(base_url):
            if proc.poll() is not None:
                pytest.fail(
                    f"streamlit exited with code {proc.returncode} before it was healthy:\n"
                    f"{server_log()}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit did not answer {base_url}/_stcore/health within "
                    f"{SERVER_START_TIMEOUT:.0f} s:\n{server_log()}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield base_url
    finally:
        stop_process(proc)
        log.close()
        os.unlink(log.name)


@pytest.fixture(scope="session")
def app_server(browser) -> Iterator[str]:
    """A server for the browser tests, warmed up by one visit to the main page: until the
    entry script has run once, a fresh server knows only the files in pages/ and answers a
    first deep link such as /mse-vs-log-loss with a "Page not found" modal over the right page
    (Streamlit #9992); tests/test_browser_first_link.py visits a fresh server's deep link."""
    with streamlit_server() as base_url:
        _warm_up(browser, base_url)
        yield base_url


def _warm_up(browser, base_url: str) -> None:
    from tests.browser_util import wait_for_app

    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(base_url + "/")
        wait_for_app(page, timeout=60000)
    finally:
        context.close()


def _browser_missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} not found: install Debian's Chromium with `apt-get install chromium`"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: pip install -r requirements-dev.txt"
    return None


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, /usr/bin/chromium) for the whole session."""
    reason = _browser_missing()
    if reason is not None:
        if in_ci():
            pytest.fail(f"{reason} (CI=true: browser tests must not be skipped)", pytrace=False)
        pytest.skip(reason)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page (1280 x 800) for one test, closed afterwards."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()
