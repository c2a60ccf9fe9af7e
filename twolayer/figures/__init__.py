"""Figures as pure functions: arrays in, a Plotly Figure out. No Streamlit here.

One module per page family, and one for what they all share:

    style       the palette, Style (NORMAL, PRESENT), apply_style, grids over the inputs
    playground  decision boundary, regression curve and surface, training curves
    network     the net itself: the network diagram, hidden-unit maps
    compare     MSE vs log-loss: curves per loss, |delta2| histogram, one neuron
    sweep       learning rate against what each loss reaches, over seeds; curves per seed
    landscape   a loss over two parameters (heatmap with contours, or 3-D), the nets' paths

Everything public is importable from ``twolayer.figures`` itself.
"""

from .compare import (
    compare_accuracy_figure,
    compare_grad_norm_figure,
    compare_loss_figure,
    delta2_histogram_figure,
    one_neuron_figure,
)
from .landscape import (
    LANDSCAPE_SCALE,
    landscape_heatmap,
    landscape_surface,
    log10,
    slope_range,
)
from .network import ACTIVATION_RANGE, hidden_unit_maps, network_diagram
from .playground import (
    decision_boundary,
    gradient_norms,
    loss_curves,
    metric_curves,
    regression_curve,
    regression_surface,
    training_curves,
)
from .style import (
    AXIS,
    CLASS_COLORS,
    LAYER_COLORS,
    LOSS_COLORS,
    LOSS_LABELS,
    MARKER_LINE,
    NORMAL,
    PARAM_DASH,
    POINT_COLOR,
    PRESENT,
    PROBABILITY_SCALE,
    SIGNED_SCALE,
    TOP_LEGEND,
    Style,
    apply_style,
    f32,
    line_grid,
    merge,
    plain,
    plane_grid,
    styled_figure,
)
from .sweep import seed_curves_figure, sweep_figure

__all__ = [
    "ACTIVATION_RANGE", "AXIS", "CLASS_COLORS", "LANDSCAPE_SCALE", "LAYER_COLORS", "LOSS_COLORS",
    "LOSS_LABELS", "MARKER_LINE", "NORMAL", "PARAM_DASH", "POINT_COLOR", "PRESENT",
    "PROBABILITY_SCALE", "SIGNED_SCALE", "TOP_LEGEND", "Style", "apply_style",
    "compare_accuracy_figure", "compare_grad_norm_figure",
    "compare_loss_figure", "decision_boundary", "delta2_histogram_figure", "f32", "gradient_norms",
    "hidden_unit_maps", "landscape_heatmap", "landscape_surface", "line_grid", "log10",
    "loss_curves", "merge", "metric_curves", "network_diagram", "one_neuron_figure", "plain",
    "plane_grid",
    "regression_curve", "regression_surface", "seed_curves_figure", "slope_range", "styled_figure",
    "sweep_figure", "training_curves",
]
