"""The one place that reads Streamlit's private modules, and why.

Streamlit's public way to serve a component's files is a manifest: a
``[[tool.streamlit.component.components]]`` entry (name, asset_dir) in the pyproject.toml of an
installed distribution that depends on streamlit. The live charts use it (pyproject.toml
declares "twolayer.live", found once ``pip install -e .`` has run, as requirements.txt does).

What has no public way:

- plotly.js. live.js loads the plotly.min.js of the installed plotly package
  (plotly/package_data/), served at /_stcore/bidi-components/twolayer.plotly/plotly.min.js: no
  CDN, no copy, nothing written at install or run time, and always the plotly.js of the plotly
  that made the figures. A manifest's asset_dir must lie inside the declaring package (a symlink
  out of it is refused), and Streamlit has no public call to declare an asset directory at run
  time (something like ``st.components.v2.component(name, asset_dir=path)``). So it is declared
  here, as Streamlit itself declares a manifest's components.
- A checkout run without being installed (``streamlit run app.py`` in an environment where
  ``pip install -e .`` never ran) has no manifest to find: "twolayer.live" is then declared here
  too, from the same directory pyproject.toml names. Installed, this branch is never taken.
- Whether this run brought widget values from the browser (twolayer/ui/restart.py: a session
  this server never ran, reached by a page that had one elsewhere). ``st.session_state`` shows
  a widget's value only once the widget is drawn, and no public call says that values came
  with the run.

Nothing else in the project imports a module below ``streamlit.components.v2``,
``streamlit.runtime`` or ``streamlit.web``.
"""

from pathlib import Path

from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager
from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest
from streamlit.runtime.scriptrunner import get_script_run_ctx

PROJECT = "twolayer"
CHECKOUT = "checkout"     # the version of what is declared here (an installed one has its own)


def declared_root(name):
    """The asset directory Streamlit serves for component ``name``, or None if undeclared."""
    return get_bidi_component_manager().get_component_asset_root(name)


def declared_version(name):
    """The version of the manifest that declared component ``name`` (the installed project's,
    or CHECKOUT when declared here), or None."""
    manifest = get_bidi_component_manager().get_metadata(name)
    return None if manifest is None else manifest.version


def declare_asset_dir(name, directory):
    """Serve ``directory``'s files at /_stcore/bidi-components/twolayer.<name>/, unless a
    component of that name is declared already (by the installed project's manifest, or an
    earlier call in this runtime). Returns the directory served."""
    full = f"{PROJECT}.{name}"
    served = declared_root(full)
    if served is None:
        directory = Path(directory)
        get_bidi_component_manager().register_from_manifest(
            ComponentManifest(PROJECT, CHECKOUT, [ComponentConfig(name, directory.name)]),
            directory.parent)
        served = declared_root(full)
    return served


def widget_values_from_browser():
    """Whether the browser sent widget values with this run (it does after a reconnect)."""
    ctx = get_script_run_ctx()
    return ctx is not None and len(ctx.session_state.get_widget_states()) > 0
