"""The live charts' files are served the public way where there is one, and Streamlit's private
modules are read in one adapter only (twolayer/ui/streamlit_internals.py)."""

import importlib.metadata
import re
import tomllib
from pathlib import Path

import plotly
import pytest

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "twolayer" / "ui" / "live" / "frontend"
PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
ADAPTER = ROOT / "twolayer" / "ui" / "streamlit_internals.py"

# Any import of a module below streamlit.components.v2 (the public API is the package itself,
# st.components.v2.component), of the private manager accessor, or of Streamlit's runtime and
# server internals.
PRIVATE = re.compile(r"streamlit\.components\.v2\.[a-z_]+|get_bidi_component_manager"
                     r"|streamlit\.runtime|streamlit\.web")


def _python_files():
    for top in ("app.py", "pages", "twolayer"):
        path = ROOT / top
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_no_private_streamlit_module_outside_the_adapter():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in _python_files() if path != ADAPTER
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if PRIVATE.search(line) and line.lstrip().startswith(("import", "from"))]
    assert found == []


def test_pyproject_declares_the_live_component_where_streamlit_looks():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    components = project["tool"]["streamlit"]["component"]["components"]
    assert components == [{"name": "live", "asset_dir": "ui/live/frontend"}]
    assert (ROOT / "twolayer" / components[0]["asset_dir"] / "live.js").is_file()
    # Streamlit scans only distributions that depend on it.
    assert any(d.startswith("streamlit") for d in project["project"]["dependencies"])
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()


def _installed():
    """Whether a twolayer distribution is visible to importlib.metadata (``pip install -e .``
    has run), which is how Streamlit finds manifests."""
    return any(True for _ in importlib.metadata.distributions(name="twolayer"))


@pytest.mark.skipif(not _installed(),
                    reason="this checkout is not installed (pip install -e . has not run)")
def test_the_installed_project_is_found_by_streamlits_own_scan():
    from streamlit.components.v2.manifest_scanner import scan_component_manifests

    found = {(m.name, c.name, (root / c.asset_dir).resolve())
             for m, root in scan_component_manifests() for c in m.components}
    assert ("twolayer", "live", FRONTEND) in found


def _served_app():
    import streamlit as st

    from twolayer.ui import live, streamlit_internals

    live._register()
    live._register()          # once per runtime: a second call changes nothing
    for name in ("twolayer.live", "twolayer.plotly"):
        st.session_state[name] = str(streamlit_internals.declared_root(name))
    st.session_state["live_version"] = streamlit_internals.declared_version("twolayer.live")


def test_the_running_app_serves_live_js_and_the_installed_plotly_js():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_served_app, default_timeout=30).run()
    assert not at.exception
    assert Path(at.session_state["twolayer.live"]) == FRONTEND
    assert Path(at.session_state["twolayer.plotly"]) == PLOTLY_DIR
    assert (PLOTLY_DIR / "plotly.min.js").is_file()
    # Installed, the live component comes from the project's manifest (the public way), not
    # from the adapter's stand-in for an uninstalled checkout.
    if _installed():
        assert at.session_state["live_version"] == importlib.metadata.version("twolayer")
    else:
        assert at.session_state["live_version"] == "checkout"
