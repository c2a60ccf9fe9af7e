"""Helpers for the AppTest page tests: the app opened on a link, then on one of its pages."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

# AppTest.from_file resolves a relative path against the calling file: pass an absolute one.
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_page(page: str | None, timeout: float = 120, **query) -> AppTest:
    """The app opened on a link with ``query``, then switched to ``page`` (a path under pages/)
    the way a click in the navigation does; ``None`` stays on the default page."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = str(value)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
