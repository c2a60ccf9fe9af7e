"""K >= 3 classes on the pages: the class-region picture of a net and its frames, and the
per-class numbers. Two-class nets never come here (their pictures and numbers are as before).

The live charts (twolayer.ui.live) take a Play frame's picture as 8-bit levels, decoded as
lo + q (hi - lo) / 254. figures.classes.region_levels gives class k and confidence s one level,
k L + floor(s L) with L = 255 // K; sent with lo = 0 and hi = 254 / L, each level decodes to
level / L, in [k, k + 1): the very scale of the drawn figure (z = k + s, zmin 0, zmax K). So a
frame needs nothing of the browser that a two-class frame does not.
"""

import numpy as np

from ..figures.classes import region_levels
from .live import LEVELS, _b64, quantise


def multiclass(net):
    return getattr(net, "n_classes", 2) > 2


def grid_values(pred, n):
    """A net's output on an n x n grid as the boundary figure takes it: (n, n) for one output,
    (K, n, n) for K classes."""
    pred = np.asarray(pred)
    return pred.reshape(n, n) if pred.shape[0] == 1 else pred.reshape(pred.shape[0], n, n)


def region_frame(prob):
    """A Play frame's picture of K class probabilities (K, n2, n1) as 8-bit levels that
    decode to k + floor(s L) / L (see the module's docstring)."""
    prob = np.asarray(prob)
    levels = region_levels(prob)
    L = 255 // prob.shape[0]
    return {"u8": _b64(levels), "lo": 0.0, "hi": LEVELS / L, "shape": list(levels.shape)}


def boundary_z(prob):
    """A frame's boundary picture: the probability of class 1 quantised (two classes), or
    the K regions' levels (region_frame)."""
    return region_frame(prob) if np.ndim(prob) == 3 else quantise(prob)


def moving_traces(data):
    """The boundary's traces a frame changes: heatmap and 0.5 contour for two classes on two
    inputs, the heatmap alone otherwise (K regions have no contour)."""
    two_layers = (data.task == "classification" and data.n_inputs == 2
                  and getattr(data, "n_classes", 2) == 2)
    return [0, 1] if two_layers else [0]


def class_table(y_true, y_pred, n_classes):
    """Per-class numbers of one split, from sklearn.metrics: {"class", "samples", "recall",
    "precision"} rows, one per class (precision 0 for a class never predicted)."""
    from sklearn.metrics import precision_score, recall_score

    y_true = np.asarray(y_true).ravel().astype(int)
    y_pred = np.asarray(y_pred).ravel().astype(int)
    labels = list(range(n_classes))
    recall = recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    precision = precision_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    return [{"class": k, "samples": int(np.sum(y_true == k)), "recall": float(recall[k]),
             "precision": float(precision[k])} for k in labels]


def class_metrics(net, data):
    """{"train": rows, "test": rows} of class_table for ``net`` on ``data``."""
    return {part: class_table(y, net.predict_class(X), net.n_classes)
            for part, X, y in (("train", data.X_train, data.y_train),
                               ("test", data.X_test, data.y_test))}


def class_sentence(rows):
    """One line for a split's rows: 'class 0: recall 0.95, precision 0.91; class 1: ...'."""
    return "; ".join(f"class {r['class']}: recall {r['recall']:.2f}, precision "
                     f"{r['precision']:.2f}" for r in rows)


def show_class_metrics(st, net, data, epoch=None):
    """Per-class recall and precision on the test and training sets, folded under the
    numbers (``st``: streamlit or a container)."""
    if not multiclass(net):
        return
    rows = class_metrics(net, data)
    label = f" at epoch {epoch}" if epoch is not None else ""
    with st.expander(f"Per class{label}: recall and precision (test set)",
                     icon=":material/table_chart:"):
        table = {"class": [f"class {r['class']}" for r in rows["test"]],
                 "test samples": [r["samples"] for r in rows["test"]],
                 "test recall": [round(r["recall"], 3) for r in rows["test"]],
                 "test precision": [round(r["precision"], 3) for r in rows["test"]],
                 "train recall": [round(r["recall"], 3) for r in rows["train"]],
                 "train precision": [round(r["precision"], 3) for r in rows["train"]]}
        st.dataframe(table, hide_index=True, key="per-class")
        st.caption("Recall: of the points of a class, the share the net puts in it. Precision: "
                   "of the points the net puts in a class, the share that belong there "
                   "(sklearn.metrics, per class).")


# -- the MSE vs log-loss page with K >= 3 classes -----------------------------------------------
def start_sentence(n_classes, output_bias):
    """What b2 the two nets start from with K >= 3 classes ('' for two classes)."""
    if n_classes <= 2:
        return ""
    if output_bias == 0:
        return f"{n_classes} classes: both nets start from b2 = 0 (softmax outputs)."
    b = f"{output_bias:g}"
    b2 = ", ".join(["0", b, b] if n_classes == 3 else ["0", b, "...", b])
    p0 = 1.0 / (1.0 + (n_classes - 1) * np.exp(output_bias))
    return (f"{n_classes} classes: both nets start from b2 = ({b2}), so every sample starts as "
            f"class 0 with probability {p0:.3g}"
            + (": confidently wrong on every other class's points." if p0 > 0.9 else "."))


SOFTMAX_LINES = {
    "mse": r"\delta_2 = J^{\mathsf T}\,2\,(a_2 - Y)\,/\,m,\quad "
           r"{\color{%s}J = \operatorname{diag}(a_2) - a_2 a_2^{\mathsf T}}",
    "log_loss": r"\delta_2 = J^{\mathsf T}\,\frac{-Y}{a_2}\,/\,m"
                r" = (a_2 - Y)\,/\,m",
}
