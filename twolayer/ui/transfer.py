"""Upload your own data or weights, download data, weights, history and figure.

The pages call ``upload_panel`` and ``download_buttons``; what the files hold and how they are
checked lives in twolayer.io (pure, tested without Streamlit).
"""

from typing import NamedTuple

import streamlit as st

from ..data import Dataset
from ..io import (
    FEATURES_FOR_TASK,
    SPLIT_COLUMN,
    csv_columns,
    dataset_to_csv,
    figure_to_html,
    history_to_csv,
    net_from_npz,
    read_csv_dataset,
    weights_to_npz,
)
from ..net import TwoLayerNet
from ..train import History
from .text import literal


class Upload(NamedTuple):
    """What a valid upload gave: a dataset (CSV) or a net (.npz), never both."""

    file_id: str            # changes when another file is uploaded: compare to act once
    name: str
    dataset: Dataset | None
    net: TwoLayerNet | None
    info: dict


def _column_choice(raw, task, key):
    """Selectboxes for label and features when the file has more columns than it needs."""
    numeric = [c for c in csv_columns(raw) if c.lower() != SPLIT_COLUMN]
    counts = FEATURES_FOR_TASK[task]
    if len(numeric) <= min(counts) + 1:
        return None, None
    c1, c2 = st.columns(2)
    label = c1.selectbox("Label" if task == "classification" else "Target", numeric,
                         index=len(numeric) - 1, key=f"{key}_label")
    others = [c for c in numeric if c != label]
    features = c2.multiselect(f"Features ({' or '.join(map(str, counts))})", others,
                              default=others[:max(counts)], max_selections=max(counts),
                              key=f"{key}_features")
    return features, label


def upload_panel(task, n_inputs=None, test_fraction=0.3, seed=0, key="upload", n_classes=2):
    """A file uploader for a CSV of data or an .npz of weights; an ``Upload`` or None.

    None when there is no file or it was refused; a refusal is shown with ``st.error`` and its
    reason, and nothing else changes (the caller keeps its data and training). The returned
    Upload stays the same on every rerun while the file sits in the uploader: act on a new
    ``file_id``. ``n_inputs`` (the current data's) is what uploaded weights must take.
    ``n_classes`` (the sidebar's Classes): a CSV's labels are 0 .. n_classes-1, and weights
    must be for that many classes (weights of a K-class net are refused on a two-class page,
    with the reason).
    """
    classes = n_classes if task == "classification" else None
    file = st.file_uploader(
        "Your own data (CSV) or weights (.npz), at most 1 MB", type=["csv", "npz"], key=key,
        max_upload_size=1, on_change=_uploader_changed, args=(key,),
        help="CSV: a header row, two number columns and a label "
             + ("0/1" if n_classes == 2 else f"0 to {n_classes - 1} ({n_classes} classes)")
             + " (classification; the sidebar's Classes sets how many), or one or two number "
               "columns and a target (regression); at most 5000 rows and 1 MB. .npz: weights "
               "downloaded from this app.")
    if file is None:
        return None
    raw = file.getvalue()
    try:
        if file.name.lower().endswith(".npz"):
            net = _parsed(key, (file.file_id, task, n_inputs, classes), net_from_npz, raw,
                          task=task, n_inputs=n_inputs, n_classes=classes)
            return Upload(file.file_id, file.name, None, net, {})
        features, label = _column_choice(raw, task, key)
        if features is not None and len(features) not in FEATURES_FOR_TASK[task]:
            st.info("Choose the feature columns.")
            return None
        data, info = _parsed(key, (file.file_id, task, tuple(features or ()), label,
                                   test_fraction, seed, classes),
                             read_csv_dataset, raw, task, features, label, test_fraction, seed,
                             n_classes=classes or 2)
    except ValueError as e:  # the message quotes the file's names and cells: shown as typed
        st.error(literal(f"{file.name}: {e}") + _classes_hint(e, task, n_classes),
                 icon=":material/block:")
        return None
    if info.get("constant"):
        names = ", ".join(repr(c) for c in info["constant"])
        st.warning(literal(f"{file.name}: {names} hold{'s' * (len(info['constant']) == 1)} "
                           "the same value in every row: the net cannot learn anything from "
                           "such a column."), icon=":material/warning:")
    return Upload(file.file_id, file.name, data, None, info)


def _classes_hint(error, task, n_classes):
    """Where a refusal about classes or labels can be mended: the sidebar's Classes."""
    text = str(error)
    if task == "classification" and ("classes" in text or "label" in text):
        return (f" This page has {n_classes} classes: the sidebar's **Classes** (2 to 5) sets "
                "how many.")
    return ""


def _parsed(key, sig, parse, *args, **kwargs):
    """``parse(*args, **kwargs)``, kept in the session while the file (its id) and the choices
    (``sig``) stay the same: an upload is read once, not on every rerun, and so is a refusal
    (its ValueError is raised again)."""
    held = st.session_state.get(f"{key}_parsed")
    if held is None or held[0] != sig:
        try:
            held = (sig, parse(*args, **kwargs), None)
        except ValueError as e:
            held = (sig, None, e)
        st.session_state[f"{key}_parsed"] = held
    if held[2] is not None:
        raise held[2]
    return held[1]


def download_buttons(dataset, net, history, fig, prefix="twolayer", epoch=None):
    """Four download buttons: the data (CSV), the weights (.npz), the history (CSV), the figure
    (standalone HTML that plays offline).

    epoch : the epoch on screen, whose weights ``net`` holds: the history is cut after it, so
        that every file says the same as the page (None: the whole history).

    The files are made only when a button is clicked, from copies taken now, so a rerun that
    trains on meanwhile cannot change a file half-way through.
    """
    net = net.copy()
    if history is not None:  # the per-epoch lists only: snapshots are not part of the file
        rows = slice(None, epoch)   # index k - 1 holds epoch k: the first ``epoch`` rows
        history = History(history.metric_name, list(history.train_loss[rows]),
                          list(history.test_loss[rows]), list(history.train_metric[rows]),
                          list(history.test_metric[rows]),
                          {p: list(v[rows]) for p, v in history.grad_norm.items()})
    name = f"{prefix}-{dataset.name}"
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button("Data (CSV)", lambda: dataset_to_csv(dataset), f"{name}.csv",
                       "text/csv", on_click="ignore", key=f"{prefix}_dl_data")
    c2.download_button("Weights (.npz)", lambda: weights_to_npz(net, dataset),
                       f"{name}-weights.npz", "application/octet-stream", on_click="ignore",
                       key=f"{prefix}_dl_weights")
    c3.download_button("History (CSV)", lambda: history_to_csv(history), f"{name}-history.csv",
                       "text/csv", on_click="ignore", disabled=history is None,
                       key=f"{prefix}_dl_history")
    c4.download_button("Figure (HTML)", lambda: figure_to_html(fig), f"{name}-figure.html",
                       "text/html", on_click="ignore", disabled=fig is None,
                       key=f"{prefix}_dl_figure")


def _uploader_changed(key):
    """The uploader's callback: a file removed by the user (not an uploader that is new and
    empty because the page was left and opened again) drops the data it gave."""
    if st.session_state.get(key) is None:
        forget_own_data(key)


def forget_own_data(key="upload"):
    """Back to the data the settings generate."""
    st.session_state.pop(f"{key}_data", None)


def own_data(upload, key="upload"):
    """(dataset, data_id, file name) of the user's own data to train on, or (None, None, None)
    for generated data.

    The last good CSV stays for the session: when a newer file is refused, and when the page
    is left and opened again (its uploader is then empty). Removing the file from the uploader,
    or ``forget_own_data``, goes back to generated data.
    """
    held = f"{key}_data"
    if upload is not None and upload.dataset is not None:
        st.session_state[held] = (upload.dataset, ("upload", upload.file_id), upload.name)
    return st.session_state.get(held, (None, None, None))


def new_weights(upload, key="upload"):
    """The net of an uploaded .npz, once per file (None otherwise)."""
    if upload is None or upload.net is None or st.session_state.get(f"{key}_net") == upload.file_id:
        return None
    st.session_state[f"{key}_net"] = upload.file_id
    return upload.net.copy()  # the upload's own stays as read, for the reruns to come
