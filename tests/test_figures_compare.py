"""The comparison figures: pure functions, checked without Streamlit."""


import numpy as np
import pytest

from twolayer.compare import Comparison
from twolayer.data import make_dataset
from twolayer.figures import (
    LOSS_COLORS,
    LOSS_LABELS,
    NORMAL,
    PARAM_DASH,
    PRESENT,
    compare_accuracy_figure,
    compare_grad_norm_figure,
    compare_loss_figure,
    delta2_histogram_figure,
    one_neuron_figure,
)

LOSSES = ("mse", "log_loss")


@pytest.fixture(scope="module")
def run():
    data = make_dataset("moons", 300, 0.2, 0.3, 0)
    return Comparison(data, hidden=6, activation="sigmoid", lr=1.0, seed=0,
                      output_bias=-8).run(20)


def colours(fig):
    return [t.line.color if t.type == "scatter" else t.marker.color for t in fig.data]


def test_accuracy_one_trace_per_loss_in_its_colour(run):
    acc = {k: h.test_metric for k, h in run.histories.items()}
    fig = compare_accuracy_figure(acc)
    assert [t.name for t in fig.data] == [LOSS_LABELS[k] for k in LOSSES]
    assert colours(fig) == [LOSS_COLORS[k] for k in LOSSES]
    for trace, loss in zip(fig.data, LOSSES, strict=True):
        assert list(trace.y) == acc[loss] and list(trace.x) == list(range(1, 21))


def test_each_loss_has_its_own_axis(run):
    losses = {k: h.train_loss for k, h in run.histories.items()}
    fig = compare_loss_figure(losses)
    assert len(fig.data) == 2
    assert fig.data[0].yaxis != fig.data[1].yaxis          # two y axes, one per loss
    assert colours(fig) == [LOSS_COLORS[k] for k in LOSSES]
    assert fig.layout.yaxis.title.text == "MSE" and fig.layout.yaxis2.title.text == "log-loss"
    # each row draws its own loss: the top row (y axis "MSE") the MSE net's, the other the
    # log-loss net's (they differ: log-loss is unbounded, MSE below 1)
    rows = {t.yaxis: t for t in fig.data}
    np.testing.assert_allclose(rows["y"].y, losses["mse"])
    np.testing.assert_allclose(rows["y2"].y, losses["log_loss"])
    assert not np.allclose(losses["mse"], losses["log_loss"])
    assert list(rows["y"].x) == list(range(1, 21)) == list(rows["y2"].x)


def test_grad_norms_colour_is_the_loss_dash_the_parameter_log_axis(run):
    fig = compare_grad_norm_figure({k: h.grad_norm for k, h in run.histories.items()})
    assert [t.name for t in fig.data if t.showlegend is not False] == \
        ["MSE", "log-loss", "weights", "biases"]
    data = [t for t in fig.data if t.meta]
    assert len(data) == 8
    for t in data:
        loss = "log_loss" if t.name == "log-loss" else "mse"
        p = t.meta
        assert t.line.color == LOSS_COLORS[loss] and t.line.dash == PARAM_DASH[p]
        np.testing.assert_allclose(t.y, run.histories[loss].grad_norm[p])
        assert t.xaxis == ("x" if p in ("W1", "b1") else "x2")
    assert fig.layout.yaxis.type == "log"


def test_grad_norms_leave_exact_zeros_off_the_log_axis():
    norms = {"W1": [1.0, 0.0], "b1": [1.0, 1.0], "W2": [1.0, 1.0], "b2": [1.0, 1.0]}
    fig = compare_grad_norm_figure({"mse": norms})
    assert np.isnan(fig.data[0].y[1]) and fig.data[0].y[0] == 1.0


def test_delta2_histogram_counts_every_sample_on_log_bins(run):
    deltas = run.delta2_per_sample()
    fig = delta2_histogram_figure(deltas, bins=30)
    assert [t.name for t in fig.data] == [LOSS_LABELS[k] for k in LOSSES]
    assert colours(fig) == [LOSS_COLORS[k] for k in LOSSES]
    m = len(deltas["mse"])
    for trace, loss in zip(fig.data, LOSSES, strict=True):
        assert sum(trace.y) == m
        # an independent count: the bin with the most samples holds what np.histogram says
        centers = np.asarray(trace.x)
        width = centers[1] - centers[0]
        counts, _ = np.histogram(np.log10(deltas[loss]),
                                 bins=np.append(centers - width / 2, centers[-1] + width / 2))
        assert list(trace.y) == list(counts)
    # saturated MSE: its deltas sit far to the left of log-loss's
    mean_x = [np.average(t.x, weights=t.y) for t in fig.data]
    assert mean_x[0] < mean_x[1] - 2
    assert fig.layout.barmode == "overlay"


def test_delta2_histogram_puts_zeros_at_the_floor():
    fig = delta2_histogram_figure({"mse": np.array([0.0, 1e-3]), "log_loss": np.array([0.5, 0.5])})
    assert sum(fig.data[0].y) == 2 and min(fig.data[0].x) < -11


def test_one_neuron_figure():
    fig = one_neuron_figure({"mse": [0.9, 0.8, 0.7], "log_loss": [0.9, 0.5, 0.1]})
    assert colours(fig) == [LOSS_COLORS[k] for k in LOSSES]
    assert list(fig.data[1].y) == [0.9, 0.5, 0.1]


def test_figures_follow_the_style(run):
    acc = {k: h.test_metric for k, h in run.histories.items()}
    assert compare_accuracy_figure(acc, PRESENT).layout.font.size == PRESENT.font
    assert compare_accuracy_figure(acc, PRESENT).data[0].line.width == PRESENT.line
    assert compare_accuracy_figure(acc).layout.height == NORMAL.height


def test_curve_charts_say_what_to_do_before_the_first_epoch(run):
    empty = {"mse": [], "log_loss": []}
    for fig in (compare_accuracy_figure(empty), compare_loss_figure(empty),
                compare_grad_norm_figure({k: {p: [] for p in PARAM_DASH} for k in LOSSES})):
        assert [a.text for a in fig.layout.annotations][-1].startswith("No epochs yet")
    acc = {k: h.test_metric for k, h in run.histories.items()}
    assert not compare_accuracy_figure(acc).layout.annotations


