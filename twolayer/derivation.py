"""The hand derivation, line by line, with the numbers of a given net.

``derive(net, X, y, alpha, sample)`` returns every quantity of the derivation in order, for one
sample (``sample`` an index into the columns of X) or for the mean over all columns of X:

    x, z1, a1, z2, a2, L                                              forward pass and loss
    dL/da2, da2/dz2, delta2, dL/dW2, dL/db2                           output layer
    dz2/da1 = W2, da1/dz1 = g'(z1), delta1, dL/dW1, dL/db1            hidden layer
    W1, b1, W2, b2 after W <- W - alpha dL/dW                         the update

Each line carries its equation in the derivation's notation (LaTeX) and its value. The values
come from the net's own methods (``_forward``, ``delta2``, ``_gradients``), so what a page shows
is what training does. No L2 term here: the derivation has none.

K classes (a net with n_classes = K >= 3): the softmax lines of net.py's docstring, with a
line Y (the one-hot targets, K x m) after y, a2 = softmax(z2) (K x m), dL/da2 = -Y / a2 for
cross-entropy and -2 (Y - a2) for MSE (each / m in the batch view), da2/dz2 the softmax's
Jacobian J = diag(a2) - a2 a2^T, K x K, one per sample (shape (K, K, m): J[:, :, j] is sample
j's), and delta2 = J^T dL/da2: a2 - Y for cross-entropy (the Jacobian cancels), the product
a2 * (e - a2^T e), e = dL/da2, for MSE (it stays in). The lines below delta2 are the same.
"""

from dataclasses import dataclass

import numpy as np

from .checks import is_integer
from .gradcheck import GOOD
from .net import PARAMS, TwoLayerNet

# dL/da2 per sample, the factor that differs between the losses (the other is da2/dz2).
DL_DA2 = {
    "mse": lambda a2, y: -2.0 * (y - a2),
    "log_loss": lambda a2, y: (a2 - y) / (a2 * (1.0 - a2)),
}

# The same for K >= 3 softmax outputs, against the one-hot targets Y (K, m).
DL_DA2_SOFTMAX = {
    "mse": lambda a2, Y: -2.0 * (Y - a2),
    "log_loss": lambda a2, Y: -Y / a2,
}

# g'(z1) written as the derivation writes it, in terms of a1 = g(z1) where it can be.
G_PRIME_LATEX = {
    "sigmoid": r"a_1 \odot (1 - a_1)",
    "tanh": r"1 - a_1 \odot a_1",
    "relu": r"[\,z_1 > 0\,]",
}
G_LATEX = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{relu}"}


@dataclass(frozen=True)
class Line:
    """One step of the derivation.

    key : a short identifier ("z1", "dL_dW2", "W1_new", ...)
    name : LaTeX of the quantity (the left-hand side)
    latex : LaTeX of the whole equation, in the derivation's notation
    value : ndarray, shape (rows, columns); samples are columns
    part : "forward", "output", "hidden" or "update"
    differs_by_loss : the value changes when the loss changes (dL/da2, da2/dz2 as it enters
        delta2, delta2 and everything after it)
    equation_differs : the equation itself changes with the loss (dL/da2 and delta2 only)
    """

    key: str
    name: str
    latex: str
    value: np.ndarray
    part: str
    differs_by_loss: bool = False
    equation_differs: bool = False

    @property
    def shape(self):
        return self.value.shape


@dataclass(frozen=True)
class Derivation:
    """The lines in order, plus what they were computed for."""

    lines: tuple
    loss: str          # "mse" | "log_loss"
    task: str          # "classification" | "regression"
    activation: str    # g
    single: bool       # one sample (True) or the mean over m samples (False)
    m: int
    alpha: float

    def __getitem__(self, key):
        for line in self.lines:
            if line.key == key:
                return line
        raise KeyError(key)

    def keys(self):
        return [line.key for line in self.lines]

    def gradients(self):
        """The gradients as ``net.gradients`` returns them."""
        return {p: self[f"dL_d{p}"].value for p in PARAMS}

    def updated(self):
        """The parameters after the update, as ``net.get_params`` returns them."""
        return {p: self[f"{p}_new"].value for p in PARAMS}


def with_loss(net, loss):
    """A copy of ``net`` (same weights) that uses ``loss``; the net itself is untouched."""
    other = TwoLayerNet(net.n_inputs, net.n_hidden, net.activation, net.task, loss, net.seed,
                        n_classes=net.n_classes)
    other.set_params(net.get_params())
    return other


# L as the derivation writes it, {(loss, one sample?): LaTeX}: a sample's loss, or the mean over
# the samples j = 1..m of the batch view. One table for a sigmoid or identity output, one for K
# softmax outputs (as net.py's docstring writes them).
LOSS_LATEX = {
    ("mse", True): r"L = (y - a_2)^2",
    ("log_loss", True): r"L = -\left[\,y \log a_2 + (1 - y) \log(1 - a_2)\,\right]",
    ("mse", False): r"L = \frac{1}{m} \sum_{j=1}^{m} (y^{(j)} - a_2^{(j)})^2",
    # on two lines, or it would not fit beside its value
    ("log_loss", False): (r"\begin{aligned} L &= -\frac{1}{m} \sum_{j=1}^{m} \Big[\, y^{(j)} "
                          r"\log a_2^{(j)} \\ &\qquad + (1 - y^{(j)}) \log(1 - a_2^{(j)}) \,\Big] "
                          r"\end{aligned}"),
}
SOFTMAX_LOSS_LATEX = {
    ("mse", True): r"L = \sum_{k} (Y_k - a_{2,k})^2",
    ("log_loss", True): r"L = -\sum_{k} Y_k \log a_{2,k} = -\log a_{2,y}",
    ("mse", False): r"L = \frac{1}{m} \sum_{j=1}^{m} \sum_{k} (Y_k^{(j)} - a_{2,k}^{(j)})^2",
    ("log_loss", False): r"L = -\frac{1}{m} \sum_{j=1}^{m} \log a_{2,y^{(j)}}^{(j)}",
}


def derive(net, X, y, alpha, sample=None, loss=None):
    """Every quantity of the derivation, for one sample or for the batch mean.

    Parameters
    ----------
    net : TwoLayerNet (not changed)
    X : ndarray of shape (n_inputs, m), samples as columns
    y : ndarray of shape (1, m) or (m,)
    alpha : float > 0, the learning rate of the update lines
    sample : int in 0 .. m-1 for the single-sample view of column ``sample``; None for the
        mean over all m columns (the batch view, with the 1/m and the sums)
    loss : "mse" | "log_loss"; default the net's own loss

    Returns a Derivation whose values for one sample equal those of the batch view of a batch
    of that one sample. For a net of K >= 3 classes, see the module's docstring: a line Y
    after y, and da2/dz2 of shape (K, K, m), one Jacobian per sample.
    """
    if loss is not None and loss != net.loss_name:
        net = with_loss(net, loss)
    X, y = net._check(X, y)
    if sample is not None:
        m = X.shape[1]
        if not is_integer(sample) or not 0 <= sample < m:
            raise ValueError(f"sample must be an integer from 0 to {m - 1}, got {sample!r}")
        X, y = X[:, [sample]], y[:, [sample]]
    if not (isinstance(alpha, (int, float, np.floating)) and np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha must be a finite number > 0, got {alpha!r}")
    single = sample is not None
    m = X.shape[1]
    loss, task, act = net.loss_name, net.task, net.activation
    classify = task == "classification"

    f = net._forward(X)
    delta2 = net.delta2(f, y)
    softmax = net.n_classes > 2
    if softmax:
        Y = net.targets(y)
        # Each sample's Jacobian J[k, l] = da2_k/dz2_l = a2_k ([k = l] - a2_l), side by side.
        da2_dz2 = (np.eye(net.n_classes)[:, :, None] * f.a2[:, None, :]
                   - f.a2[:, None, :] * f.a2[None, :, :])
        with np.errstate(divide="ignore", invalid="ignore"):  # a2 = 0 on the true class: -inf
            dL_da2 = DL_DA2_SOFTMAX[loss](f.a2, Y) / m
    else:
        da2_dz2 = net.o_prime(f.z2, f.a2)
        with np.errstate(divide="ignore", invalid="ignore"):  # a saturated a2 gives +-inf: shown
            dL_da2 = DL_DA2[loss](f.a2, y) / m
    g_prime = net.g_prime(f.z1, f.a1)
    delta1 = (net.W2.T @ delta2) * g_prime
    grads = net._gradients(X, y)
    L = net._loss(X, y, f=f)

    # The pieces of LaTeX that differ between the single-sample and the batch view.
    j = "" if single else "^{(j)}"
    mean = "" if single else r"\frac{1}{m}"
    s = "" if single else r"\sum_{j=1}^{m} "
    two = "2" if single else r"\frac{2}{m}"
    a2_eq = r"a_2 = \sigma(z_2)" if classify else r"a_2 = z_2"
    if loss == "mse":
        dL_da2_eq = rf"\frac{{\partial L}}{{\partial a_2}} = -{two}\,(y - a_2)"
        delta2_rhs = rf"-{two}\,(y - a_2)" + (r" \odot a_2 \odot (1 - a_2)" if classify else "")
    else:
        dL_da2_eq = (rf"\frac{{\partial L}}{{\partial a_2}} = {mean}"
                     r"\frac{a_2 - y}{a_2 \odot (1 - a_2)}")
        delta2_rhs = rf"{mean}(a_2 - y)"
    # Two lines: the chain rule, then what it comes to for this loss.
    delta2_eq = (r"\begin{aligned} \delta_2 &= \frac{\partial L}{\partial a_2} \odot "
                 r"\frac{\partial a_2}{\partial z_2} \\ &= " + delta2_rhs + r" \end{aligned}")
    da2_dz2_eq = (r"\frac{\partial a_2}{\partial z_2} = a_2 \odot (1 - a_2)" if classify
                  else r"\frac{\partial a_2}{\partial z_2} = 1")
    if single:
        dW2_eq = r"\frac{\partial L}{\partial W_2} = \delta_2\, a_1^{T}"
        db2_eq = r"\frac{\partial L}{\partial b_2} = \delta_2"
        dW1_eq = r"\frac{\partial L}{\partial W_1} = \delta_1\, x^{T}"
        db1_eq = r"\frac{\partial L}{\partial b_1} = \delta_1"
    else:
        dW2_eq = (rf"\frac{{\partial L}}{{\partial W_2}} = {s}\delta_2{j}\, a_1{j}{{}}^{{T}}"
                  r" = \delta_2\, a_1^{T}")
        db2_eq = rf"\frac{{\partial L}}{{\partial b_2}} = {s}\delta_2{j}"
        dW1_eq = (rf"\frac{{\partial L}}{{\partial W_1}} = {s}\delta_1{j}\, x{j}{{}}^{{T}}"
                  r" = \delta_1\, x^{T}")
        db1_eq = rf"\frac{{\partial L}}{{\partial b_1}} = {s}\delta_1{j}"

    if softmax:
        K = net.n_classes
        a2_eq = (r"a_2 = \operatorname{softmax}(z_2),\quad "
                 r"a_{2,k} = \frac{e^{z_{2,k}}}{\sum_l e^{z_{2,l}}}")
        e_eq = r"\frac{\partial L}{\partial a_2}"
        if loss == "mse":
            dL_da2_eq = rf"{e_eq} = -{two}\,(Y - a_2)"
            delta2_rhs = (r"a_2 \odot \Big(" + e_eq + r" - a_2^{T} " + e_eq + r"\Big)")
        else:
            dL_da2_eq = rf"{e_eq} = -{mean}\,Y \oslash a_2"
            delta2_rhs = rf"{mean}(a_2 - Y)"
        delta2_eq = (r"\begin{aligned} \delta_2 &= \Big(\frac{\partial a_2}{\partial z_2}\Big)^{T}"
                     r" \frac{\partial L}{\partial a_2} \\ &= " + delta2_rhs + r" \end{aligned}")
        da2_dz2_eq = (r"\frac{\partial a_2}{\partial z_2} = \operatorname{diag}(a_2) - a_2 a_2^{T}"
                      + ("" if single else r"\quad\text{for each sample}"))

    x_eq = (r"x = \text{sample " + str(sample) + "}" if single
            else rf"x = \left[\,x^{{(1)}} \cdots x^{{(m)}}\,\right],\; m = {m}")
    lines = [
        Line("x", "x", x_eq, X, "forward"),
        Line("y", "y", r"y = \text{its label}" if single
             else r"y = \left[\,y^{(1)} \cdots y^{(m)}\,\right]", y, "forward"),
        *([Line("Y", "Y", rf"Y = \operatorname{{onehot}}(y),\; {K} \text{{ classes}}", Y,
                "forward")] if softmax else []),
        Line("z1", "z_1", r"z_1 = W_1 x + b_1", f.z1, "forward"),
        Line("a1", "a_1", rf"a_1 = g(z_1),\quad g = {G_LATEX[act]}", f.a1, "forward"),
        Line("z2", "z_2", r"z_2 = W_2 a_1 + b_2", f.z2, "forward"),
        Line("a2", "a_2", a2_eq, f.a2, "forward"),
        Line("L", "L", (SOFTMAX_LOSS_LATEX if softmax else LOSS_LATEX)[loss, single],
             np.array([[L]]), "forward",
             differs_by_loss=True, equation_differs=True),
        Line("dL_da2", r"\frac{\partial L}{\partial a_2}", dL_da2_eq, dL_da2, "output",
             differs_by_loss=True, equation_differs=True),
        Line("da2_dz2", r"\frac{\partial a_2}{\partial z_2}", da2_dz2_eq, da2_dz2, "output",
             differs_by_loss=True),
        Line("delta2", r"\delta_2", delta2_eq, delta2, "output", differs_by_loss=True,
             equation_differs=True),
        Line("dL_dW2", r"\frac{\partial L}{\partial W_2}", dW2_eq, grads["W2"], "output",
             differs_by_loss=True),
        Line("dL_db2", r"\frac{\partial L}{\partial b_2}", db2_eq, grads["b2"], "output",
             differs_by_loss=True),
        Line("dz2_da1", r"\frac{\partial z_2}{\partial a_1}",
             r"\frac{\partial z_2}{\partial a_1} = W_2", net.W2.copy(), "hidden"),
        Line("da1_dz1", r"\frac{\partial a_1}{\partial z_1}",
             rf"\frac{{\partial a_1}}{{\partial z_1}} = g'(z_1) = {G_PRIME_LATEX[act]}",
             g_prime, "hidden"),
        Line("delta1", r"\delta_1", r"\delta_1 = W_2^{T} \delta_2 \odot g'(z_1)", delta1,
             "hidden", differs_by_loss=True),
        Line("dL_dW1", r"\frac{\partial L}{\partial W_1}", dW1_eq, grads["W1"], "hidden",
             differs_by_loss=True),
        Line("dL_db1", r"\frac{\partial L}{\partial b_1}", db1_eq, grads["b1"], "hidden",
             differs_by_loss=True),
    ]
    for p in PARAMS:
        tex = f"{p[0]}_{p[1]}"
        lines.append(Line(f"{p}_new", tex,
                          rf"{tex} \leftarrow {tex} - \alpha \frac{{\partial L}}{{\partial {tex}}}",
                          getattr(net, p) - alpha * grads[p], "update", differs_by_loss=True))
    return Derivation(tuple(lines), loss, task, act, single, m, float(alpha))


def broken_gradients(net, X, y):
    """A deliberately wrong backward pass: delta1 = W2^T delta2, the g'(z1) factor dropped.

    Same dict as ``net.gradients``; W2 and b2 stay right, W1 and b1 go wrong. Pass it to
    ``twolayer.gradcheck.gradient_check(net, X, y, analytic=...)`` to see a failed check.
    """
    X, y = net._check(X, y)
    f = net._forward(X)
    delta2 = net.delta2(f, y)
    delta1 = net.W2.T @ delta2  # missing: * g'(z1)
    return {"W1": delta1 @ X.T, "b1": delta1.sum(axis=1, keepdims=True),
            "W2": delta2 @ f.a1.T, "b2": delta2.sum(axis=1, keepdims=True)}


# -- LaTeX for numbers and small matrices ----------------------------------------------------

def latex_number(v, digits=4):
    """A float in LaTeX with ``digits`` significant digits: 0.1235, -1.2\\times10^{-5}."""
    v = float(v)
    if np.isnan(v):
        return r"\text{nan}"
    if np.isinf(v):
        return r"\infty" if v > 0 else r"-\infty"
    text = f"{v:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return text


def _visible_width(tex):
    """Roughly how many characters wide a cell of latex_number looks once typeset."""
    if r"\times" in tex:
        mantissa, exponent = tex.split(r"\times")
        return len(mantissa) + 3 + 0.7 * (len(exponent) - 5)  # "×10", a small exponent
    return len(tex)


def latex_matrix(A, digits=4, max_rows=8, max_cols=6, max_width=None):
    """A small matrix as a LaTeX bmatrix; a 1x1 one as a plain number.

    Larger than max_rows x max_cols: the first rows (columns), a row of \\vdots (a column of
    \\cdots), then the last row (column), and the shape as a subscript, e.g. ``_{64\\times 2}``.
    max_width (in characters, roughly): show fewer columns until a row fits in that width.
    When the largest entry is below 1e-2 or from 1e4 up, its power of ten is written in
    front of the matrix: ``10^{-4} \\begin{bmatrix} 1.23 & ...``.
    """
    A = np.atleast_2d(np.asarray(A, dtype=np.float64))
    if A.shape == (1, 1):
        return latex_number(A[0, 0], digits)
    rows, cols = A.shape
    # Very small or large entries: a common power of ten in front, as a textbook would,
    # so that the cells stay short (gradients of a trained net are often ~1e-4).
    finite = np.abs(A[np.isfinite(A)])
    big = finite.max() if finite.size else 0.0
    prefix = ""
    if big > 0 and not 1e-2 <= big < 1e4:
        power = int(np.floor(np.log10(big)))
        A, prefix = A / 10.0 ** power, rf"10^{{{power}}} "

    def keep(n, most):  # indices to show, None marking the gap
        return list(range(n)) if n <= most else list(range(most - 2)) + [None, n - 1]

    shown_rows = keep(rows, max_rows)
    for most in range(max(max_cols, 3), 2, -1):
        body, widths = [], {}
        for i in shown_rows:
            cells = []
            for c, k in enumerate(keep(cols, most)):
                if i is None:
                    cells.append(r"\ddots" if k is None else r"\vdots")
                else:
                    cells.append(r"\cdots" if k is None else latex_number(A[i, k], digits))
                widths[c] = max(widths.get(c, 1), 3 if k is None else _visible_width(cells[-1]))
            body.append(" & ".join(cells))
        if max_width is None or sum(widths.values()) + 2 * len(widths) <= max_width:
            break
    tex = prefix + r"\begin{bmatrix} " + r" \\ ".join(body) + r" \end{bmatrix}"
    if rows > max_rows or cols > most:
        tex += rf"_{{{rows}\times {cols}}}"
    return tex


def latex_value(value):
    """A line's value as the Backprop page shows it beside its equation (about 480 px wide):
    a scalar with 4 significant digits, a matrix a little smaller with 3, in rows that fit.
    A stack of matrices (K, K, m), the softmax's Jacobians: the first sample's, and the
    last's after dots when there are more."""
    value = np.asarray(value)
    if value.ndim == 3:
        m = value.shape[2]
        first = latex_matrix(value[:, :, 0], digits=3, max_rows=8, max_cols=6, max_width=40)
        if m == 1:
            return r"\small " + first
        last = latex_matrix(value[:, :, -1], digits=3, max_rows=8, max_cols=6, max_width=40)
        return (r"\small " + first + r"^{(1)} \;\cdots\; " + last + rf"^{{({m})}}")
    value = np.atleast_2d(value)
    if value.size == 1:
        return latex_matrix(value)
    return r"\small " + latex_matrix(value, digits=3, max_rows=8, max_cols=6, max_width=46)


# -- the gradient check as a table ----------------------------------------------------------

def verdict(error, good=GOOD, doubtful=1e-4):
    """'good' below ``good``; 'doubtful' up to ``doubtful`` (a relu kink, or a gradient so
    small that finite differences lose most digits); 'wrong' above."""
    if not np.isfinite(error) or error >= doubtful:
        return "wrong"
    return "good" if error < good else "doubtful"
