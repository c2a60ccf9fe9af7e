"""The two-layer network, line for line as the derivation writes it.

Samples are columns: X has shape (n_inputs, m), y has shape (1, m).

    z1 = W1 @ X + b1        a1 = g(z1)
    z2 = W2 @ a1 + b2       a2 = o(z2)      o: identity (regression) or sigmoid (classification)

Backprop by the chain rule, for the batch mean of the loss:

    delta2 = dL/dz2 (per sample, / m)       dW2 = delta2 @ a1.T     db2 = sum(delta2)
    delta1 = (W2.T @ delta2) * g'(z1)       dW1 = delta1 @ X.T      db1 = sum(delta1)

K classes (n_classes = K >= 3): W2 is (K, n_hidden), b2 (K, 1), z2 and a2 are (K, m), and the
output is a2 = softmax(z2), compared with the one-hot targets Y (K, m) of the labels y (1, m):

    a2_k = exp(z2_k) / sum_l exp(z2_l)        da2_l/dz2_k = a2_l ([l = k] - a2_k)  (Jacobian)
    delta2_k = sum_l dL/da2_l * da2_l/dz2_k = a2_k (e_k - sum_l a2_l e_l),  e = dL/da2

    cross-entropy  L = mean_i( logsumexp(z2_i) - z2_i[y_i] )     e = -Y / a2
                   delta2 = (a2 - Y) / m                         (the Jacobian cancels)
    MSE            L = mean_i( sum_k (Y_ki - a2_ki)^2 )          e = -2 (Y - a2)
                   delta2 = a2 * (e - sum_k a2_k e_k) / m        (the Jacobian stays in)

The backprop lines below delta2 do not change: they are written for any number of outputs.
K = 2 is the sigmoid net above (one output, the probability of class 1), not a 2-way softmax.
"""

import math
from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES, HIDDEN_ACTIVATIONS, softmax
from .checks import is_integer
from .losses import LOSSES, SOFTMAX_LOSSES, one_hot
from .metrics import predicted_class

TASKS = {"regression": "identity", "classification": "sigmoid"}  # task -> output activation o
PARAMS = ("W1", "b1", "W2", "b2")


class Forward(NamedTuple):
    """What the forward pass keeps for backprop; each of shape (n_hidden, m), or (1, m) for z2
    and a2 ((K, m) with K >= 3 classes)."""

    z1: np.ndarray
    a1: np.ndarray
    z2: np.ndarray
    a2: np.ndarray


def _choice(kind, value, allowed):
    if value not in allowed:
        raise ValueError(f"unknown {kind} {value!r}; allowed: {', '.join(allowed)}")
    return value


class TwoLayerNet:
    """W1, b1 -> g -> W2, b2 -> o.

    Parameters
    ----------
    n_inputs, n_hidden : int >= 1
    activation : "sigmoid" | "tanh" | "relu", the hidden activation g
    task : "classification" (sigmoid output, labels 0/1) | "regression" (identity output)
    loss : "mse" | "log_loss"; default: log_loss for classification, mse for regression.
        log_loss needs the sigmoid output, so regression allows mse only.
    seed : int, seeds the initial weights (same seed, bit-identical weights)
    n_classes : int >= 2 (classification only). 2: one sigmoid output, labels 0/1. K >= 3: K
        softmax outputs, labels the integers 0 .. K-1; log_loss is then the cross-entropy.

    Initialisation: Glorot uniform, U(-r, r) with r = sqrt(6 / (fan_in + fan_out)), for sigmoid
    and tanh; He normal, N(0, 2 / fan_in), for relu. Biases start at 0. The weights depend on
    (n_inputs, n_hidden, activation, seed) only, never on the loss, so an MSE net and a
    log-loss net built with the same seed start from identical weights.
    """

    def __init__(self, n_inputs=2, n_hidden=8, activation="sigmoid", task="classification",
                 loss=None, seed=0, n_classes=2):
        for name, value in (("n_inputs", n_inputs), ("n_hidden", n_hidden)):
            if not is_integer(value) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if not is_integer(n_classes) or n_classes < 2:
            raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
        if task == "regression" and n_classes != 2:
            raise ValueError("n_classes is for classification; regression has one output")
        self.activation = _choice("activation", activation, HIDDEN_ACTIVATIONS)
        self.task = _choice("task", task, tuple(TASKS))
        if loss is None:
            loss = "log_loss" if task == "classification" else "mse"
        self.loss_name = _choice("loss", loss, tuple(LOSSES))
        if task == "regression" and loss == "log_loss":
            raise ValueError("log_loss needs a sigmoid output: use task='classification', "
                             "or loss='mse' for regression")
        self.n_inputs, self.n_hidden = int(n_inputs), int(n_hidden)
        self.n_classes = int(n_classes)
        self.n_outputs = 1 if self.n_classes == 2 else self.n_classes
        self.g, self.g_prime = ACTIVATIONS[activation], DERIVATIVES[activation]
        if self.n_classes == 2:
            self.output = TASKS[task]
            self.o, self.o_prime = ACTIVATIONS[self.output], DERIVATIVES[self.output]
            self.cost = LOSSES[loss]
        else:
            # The softmax's slope is a Jacobian, applied inside the loss's delta.
            self.output, self.o, self.o_prime = "softmax", softmax, None
            self.cost = SOFTMAX_LOSSES[loss]
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.W1 = self._init(rng, self.n_hidden, self.n_inputs)
        self.b1 = np.zeros((self.n_hidden, 1))
        self.W2 = self._init(rng, self.n_outputs, self.n_hidden)
        self.b2 = np.zeros((self.n_outputs, 1))

    def _init(self, rng, fan_out, fan_in):
        if self.activation == "relu":
            return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
        r = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-r, r, size=(fan_out, fan_in))

    # -- parameters ------------------------------------------------------------------------

    def params(self):
        """The parameters by name, as the arrays themselves (not copies)."""
        return {"W1": self.W1, "b1": self.b1, "W2": self.W2, "b2": self.b2}

    def get_params(self):
        """A copy of the parameters: a snapshot that later updates do not touch."""
        return {k: v.copy() for k, v in self.params().items()}

    def set_params(self, params):
        """Load parameters (a dict like ``get_params()``), checking shapes and finiteness."""
        for k in PARAMS:
            value = np.array(params[k], dtype=np.float64)
            expected = getattr(self, k).shape
            if value.shape != expected:
                raise ValueError(f"{k} must have shape {expected}, got {value.shape}")
            if not np.isfinite(value).all():
                raise ValueError(f"{k} holds NaN or infinite values")
            setattr(self, k, value)

    def copy(self):
        """An independent net with the same settings and weights."""
        other = TwoLayerNet(self.n_inputs, self.n_hidden, self.activation, self.task,
                            self.loss_name, self.seed, self.n_classes)
        other.set_params(self.get_params())
        return other

    # -- checking inputs -------------------------------------------------------------------

    # Public calls check their inputs, on every step of a mini-batch loop too: valid data
    # costs a few NumPy calls (a mini-batch step is ~20 us, so each call counts: count_nonzero
    # costs half of .all()), none of which may warn (a sum of huge entries would overflow);
    # only data that fails looks closer, to say what is wrong.

    def check_X(self, X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] != self.n_inputs or X.shape[1] < 1:
            raise ValueError(f"X must have shape (n_inputs={self.n_inputs}, m >= 1), samples as "
                             f"columns; got shape {X.shape}")
        if np.count_nonzero(np.isfinite(X)) != X.size:
            raise ValueError("X holds NaN or infinite values")
        return X

    def check_y(self, y, m):
        y = np.asarray(y, dtype=np.float64)
        if y.shape != (1, m):
            if y.shape != (m,):
                raise ValueError(f"y must have shape (1, {m}) or ({m},) to match X; "
                                 f"got {y.shape}")
            y = y.reshape(1, m)
        if self.n_classes > 2:
            valid = np.isin(y, self._labels).all()      # false for NaN and inf too
        elif self.loss_name == "log_loss":
            # Every entry that is not 0 is 1 (NaN and inf are not 0 and not 1).
            valid = np.count_nonzero(y) == np.count_nonzero(y == 1.0)
        elif self.task == "classification":
            valid = np.count_nonzero((y >= 0.0) & (y <= 1.0)) == m     # not NaN, not inf
        else:
            valid = np.count_nonzero(np.isfinite(y)) == m
        if not valid:
            self._explain_y(y)
        return y

    def _explain_y(self, y):
        """Raise the ValueError that says what is wrong with y (which failed a check)."""
        if not np.isfinite(y).all():
            raise ValueError("y holds NaN or infinite values")
        if self.n_classes > 2:
            raise ValueError(f"{self.n_classes} classes need the labels 0 to "
                             f"{self.n_classes - 1}; found "
                             f"{np.unique(y[~np.isin(y, self._labels)])[:5].tolist()}")
        if self.loss_name == "log_loss" and not np.isin(y, (0.0, 1.0)).all():
            raise ValueError("log_loss needs labels 0 or 1; found "
                             f"{np.unique(y[~np.isin(y, (0.0, 1.0))])[:5].tolist()}")
        raise ValueError("classification needs labels 0 or 1 (targets in [0, 1])")

    def _check(self, X, y):
        X = self.check_X(X)
        return X, self.check_y(y, X.shape[1])

    # -- the math --------------------------------------------------------------------------

    def forward(self, X):
        """z1, a1, z2, a2 for X of shape (n_inputs, m)."""
        return self._forward(self.check_X(X))

    def _forward(self, X):
        z1 = self.W1 @ X + self.b1
        a1 = self.g(z1)
        z2 = self.W2 @ a1 + self.b2
        a2 = self.o(z2)
        return Forward(z1, a1, z2, a2)

    @property
    def _labels(self):
        return np.arange(float(self.n_classes))

    def targets(self, y):
        """What a2 is compared with: y itself (1, m), or its one-hot Y (K, m) for K >= 3."""
        return y if self.n_classes == 2 else one_hot(y, self.n_classes)

    def set_output_bias(self, bias):
        """Start the output bias at ``bias``: a saturated start when it is large and negative.

        K = 2: b2 = bias, so a2 = sigmoid(bias) for every sample (bias = -8: about 3e-4,
        confidently class 0). K >= 3: b2 = (0, bias, ..., bias). The sigmoid of b is the
        softmax of (0, b), so this is the same start: every sample gets class 0 with
        probability 1 / (1 + (K - 1) e^bias) (bias = -8: 0.9993), confidently wrong on every
        sample of another class. (b2 = bias on every class would change nothing: the softmax
        does not see a shift shared by all of z2.)
        """
        if isinstance(bias, bool) or not (isinstance(bias, (int, float, np.integer, np.floating))
                                          and math.isfinite(bias)):
            raise ValueError(f"b2 holds NaN or infinite values: the output bias must be a "
                             f"finite number, got {bias!r}")
        self.b2[:] = bias
        if self.n_classes > 2:
            self.b2[0] = 0.0
        return self

    def predict(self, X):
        """a2: the predicted probability of class 1, or the regression output, shape (1, m);
        for K >= 3 classes the K class probabilities, shape (K, m)."""
        return self.forward(X).a2

    def predict_class(self, X):
        """The predicted class of each sample, integers of shape (m,): a2 >= 0.5 for two
        classes, the argmax of a2 for K >= 3."""
        return predicted_class(self.forward(X).a2)

    def loss(self, X, y, l2=0.0):
        """The mean loss over the samples (plus l2/2 * ||W||^2 when l2 > 0), a float."""
        X, y = self._check(X, y)
        return self._loss(X, y, l2)

    def _loss(self, X, y, l2=0.0, f=None):
        f = self._forward(X) if f is None else f
        L = float(np.mean(self.cost.value(f.z2, f.a2, self.targets(y))))
        if l2:
            L += 0.5 * l2 * (np.sum(self.W1 ** 2) + np.sum(self.W2 ** 2))
        return L

    def delta2(self, f, y):
        """dL/dz2 per sample, divided by m for the batch mean: shape (1, m), or (K, m)."""
        if self.n_classes > 2:
            return self.cost.delta(f.z2, f.a2, self.targets(y)) / y.shape[1]
        return self.cost.delta(f.z2, f.a2, y, self.o_prime(f.z2, f.a2)) / y.shape[1]

    def gradients(self, X, y, l2=0.0):
        """dL/dW1, dL/db1, dL/dW2, dL/db2 of the mean loss, same shapes as the parameters."""
        X, y = self._check(X, y)
        return self._gradients(X, y, l2)

    def _gradients(self, X, y, l2=0.0):
        f = self._forward(X)
        delta2 = self.delta2(f, y)
        dW2 = delta2 @ f.a1.T
        db2 = delta2.sum(axis=1, keepdims=True)
        delta1 = (self.W2.T @ delta2) * self.g_prime(f.z1, f.a1)
        dW1 = delta1 @ X.T
        db1 = delta1.sum(axis=1, keepdims=True)
        if l2:
            dW1 += l2 * self.W1
            dW2 += l2 * self.W2
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def step(self, X, y, lr, l2=0.0):
        """One gradient-descent update W <- W - lr * dL/dW; returns the gradients used."""
        if not (isinstance(lr, (int, float, np.floating)) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
        X, y = self._check(X, y)
        return self._step(X, y, lr, l2)

    def _step(self, X, y, lr, l2=0.0):
        grads = self._gradients(X, y, l2)
        self.W1 -= lr * grads["W1"]
        self.b1 -= lr * grads["b1"]
        self.W2 -= lr * grads["W2"]
        self.b2 -= lr * grads["b2"]
        return grads

    def __repr__(self):
        return (f"TwoLayerNet(n_inputs={self.n_inputs}, n_hidden={self.n_hidden}, "
                f"activation={self.activation!r}, task={self.task!r}, loss={self.loss_name!r}, "
                f"seed={self.seed!r}" + (f", n_classes={self.n_classes}" if self.n_classes > 2
                                         else "") + ")")
