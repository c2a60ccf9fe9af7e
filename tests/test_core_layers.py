"""The core (twolayer/ outside twolayer/ui/) imports neither Streamlit nor the UI layer: the
command line, the exports and the tests use it without a browser, and the UI depends on the
core, never the other way round."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each module in turn; after each, what of the UI (or Streamlit) it brought in.
PROBE = """
import importlib, json, sys
found = {}
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
    ui = sorted(m for m in sys.modules
                if m == "streamlit" or m.startswith(("streamlit.", "twolayer.ui")))
    if ui:
        found[name] = ui[:5]
        break
print(json.dumps(found))
"""


def core_modules():
    """twolayer's modules outside twolayer/ui/: 'twolayer.compare', 'twolayer.figures.style'..."""
    package = ROOT / "twolayer"
    names = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "ui" in parts:
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_the_list_of_core_modules_is_the_core():
    names = core_modules()
    assert {"twolayer", "twolayer.compare", "twolayer.landscape", "twolayer.__main__",
            "twolayer.figures", "twolayer.figures.style"} <= set(names)
    assert not any(n.startswith("twolayer.ui") for n in names)


def test_no_core_module_imports_streamlit_or_the_ui():
    names = core_modules()
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(names)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {}, "a core module brought in the UI: " + out.stdout
