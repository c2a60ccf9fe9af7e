"""Helpers for the browser tests (Playwright driving Debian's Chromium).

Import them in a test file as ``from tests.browser_util import ARTIFACTS, wait_for_app``.
The fixtures themselves (``app_server``, ``browser``, ``page``) live in tests/conftest.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# Screenshots and other files a browser test leaves for a person to look at (gitignored).
ARTIFACTS = REPO_ROOT / "artifacts" / "screenshots"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}

# The script has finished its run and the page shows its result.
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SPINNER = '[data-testid="stSpinner"]'
EXCEPTION = '[data-testid="stException"]'
PLOTLY_CHART = '[data-testid="stPlotlyChart"]'
LIVE_CHART = ".tl-chart"          # a chart of the live-charts component (twolayer/ui/live)


def in_ci() -> bool:
    """True when CI=true: a missing browser then fails the tests instead of skipping them."""
    return os.environ.get("CI", "").strip().lower() == "true"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_ok(url: str, timeout: float = 2.0) -> bool:
    """True when the Streamlit server at base ``url`` answers its health check with "ok"."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as response:
            return response.status == 200 and response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def stop_process(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Signal the process group of ``proc`` and wait; SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        proc.wait(timeout=15)


def wait_for_app(page, timeout: float = 30000) -> None:
    """Wait (timeout in ms, each) until the script run is over and no spinner is left.

    After a click, the rerun may not have started yet when this is called; wait for
    something the click changes as well (or for ``data-test-script-state="running"`` first).
    """
    page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout)
    page.wait_for_selector(SPINNER, state="detached", timeout=timeout)
    # Widgets are mounted a moment after the run ends; until then they are grey skeletons.
    page.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=timeout)


def screenshot_path(name: str) -> Path:
    """Path for a screenshot called ``name`` (".png" is added), creating ARTIFACTS on demand."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / (name if name.endswith(".png") else f"{name}.png")


def exception_texts(page) -> list[str]:
    """The text of every Streamlit exception box on the page (empty when there is none)."""
    return page.locator(EXCEPTION).all_inner_texts()


def goto_app(page, url: str, drawn=None) -> None:
    """Open ``url`` and wait for the app; close the "Page not found" modal a fresh server puts
    over the right page on its first deep link (Streamlit #9992). ``drawn(page)``, if given,
    waits first for something the page draws (so that the wait is not over before the first
    run has begun)."""
    page.goto(url)
    if drawn is not None:
        drawn(page)
    wait_for_app(page, timeout=90000)
    dialog = page.get_by_role("dialog").filter(has_text="Page not found")
    if dialog.count():
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached", timeout=10000)
