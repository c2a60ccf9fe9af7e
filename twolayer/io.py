"""Files in and out: your own data as CSV, weights as .npz, history as CSV, figures as HTML.

Pure functions of bytes, no Streamlit. Each kind of file has its module: twolayer.csv_io (your
data in, the data and the history out) and twolayer.weights_io (weights in and out); every name
stays importable from here. Uploads are at most MAX_BYTES (settings.py).
"""

from .csv_io import (  # noqa: F401  (every name importable from twolayer.io)
    FEATURES_FOR_TASK,
    FORMULA_START,
    MAX_COLUMNS,
    MAX_NAME,
    SPLIT_COLUMN,
    csv_columns,
    dataset_to_csv,
    history_to_csv,
    read_csv_dataset,
)
from .settings import MAX_BYTES, MAX_MAGNITUDE  # noqa: F401
from .weights_io import (  # noqa: F401
    MAX_NPY_HEADER,
    MAX_NPZ_MEMBER,
    MAX_NPZ_TOTAL,
    Scaler,
    net_from_npz,
    weights_from_npz,
    weights_to_npz,
)


def figure_to_html(fig):
    """A standalone HTML page of a Plotly figure (plotly.js inlined, frames kept): plays
    offline."""
    return fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False).encode("utf-8")

