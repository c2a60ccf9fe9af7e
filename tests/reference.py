"""A reference for training, written from the equations in docs/design.md, not from twolayer.

Tests compare the app's numbers with these: a forward pass, the loss, the gradients of the
batch mean (each line of the derivation written out again, with the 1/m), plain gradient
descent, and the documented order of the samples (epoch k visits the training set in the
order ``np.random.default_rng((seed, k)).permutation(m)``, then cuts it into mini-batches).
``test_reference.py`` checks these gradients against finite differences of this loss.

P is a dict of float64 arrays W1 (h, d), b1 (h, 1), W2 (1, h), b2 (1, 1); X is (d, m) with
samples as columns; y is (1, m). The functions ending in _k are the K-class net (softmax
output, W2 (K, h), b2 (K, 1), integer labels 0 .. K-1), checked the same way by test_classes.py.
"""

import numpy as np

G = {"sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "tanh": np.tanh,
     "relu": lambda z: np.maximum(z, 0.0)}
G_PRIME = {"sigmoid": lambda z: G["sigmoid"](z) * (1.0 - G["sigmoid"](z)),
           "tanh": lambda z: 1.0 - np.tanh(z) ** 2,
           "relu": lambda z: (z > 0) * 1.0}
PARAMS = ("W1", "b1", "W2", "b2")


def forward(P, X, activation, task):
    """(z1, a1, z2, a2)."""
    z1 = P["W1"] @ X + P["b1"]
    a1 = G[activation](z1)
    z2 = P["W2"] @ a1 + P["b2"]
    a2 = G["sigmoid"](z2) if task == "classification" else z2
    return z1, a1, z2, a2


def loss(P, X, y, activation, task, loss_name, l2=0.0):
    """The mean loss (+ l2/2 (||W1||^2 + ||W2||^2))."""
    _, _, z2, a2 = forward(P, X, activation, task)
    if loss_name == "mse":
        L = np.mean((y - a2) ** 2)
    else:  # -mean(y log a2 + (1 - y) log(1 - a2)), from z2 so that it stays finite
        L = np.mean(np.logaddexp(0.0, z2) - y * z2)
    return float(L + 0.5 * l2 * (np.sum(P["W1"] ** 2) + np.sum(P["W2"] ** 2)))


def gradients(P, X, y, activation, task, loss_name, l2=0.0):
    """dL/dW1, dL/db1, dL/dW2, dL/db2 of the batch mean."""
    m = X.shape[1]
    z1, a1, z2, a2 = forward(P, X, activation, task)
    if loss_name == "mse":
        dL_da2 = -2.0 * (y - a2) / m
        da2_dz2 = a2 * (1.0 - a2) if task == "classification" else 1.0
        delta2 = dL_da2 * da2_dz2
    else:
        delta2 = (a2 - y) / m
    delta1 = (P["W2"].T @ delta2) * G_PRIME[activation](z1)
    return {"W1": delta1 @ X.T + l2 * P["W1"], "b1": delta1.sum(axis=1, keepdims=True),
            "W2": delta2 @ a1.T + l2 * P["W2"], "b2": delta2.sum(axis=1, keepdims=True)}


def epoch_order(seed, epoch, m):
    return np.random.default_rng((seed, epoch)).permutation(m)


def train(P, X, y, activation, task, loss_name, lr, batch_size=None, epochs=1, seed=0, l2=0.0):
    """Mini-batch gradient descent from P (not changed): (parameters after, train loss of
    each epoch)."""
    P = {p: np.array(v, dtype=np.float64) for p, v in P.items()}
    m = X.shape[1]
    size = m if batch_size is None else batch_size
    losses = []
    for epoch in range(1, epochs + 1):
        order = epoch_order(seed, epoch, m)
        for start in range(0, m, size):
            idx = order[start:start + size]
            grads = gradients(P, X[:, idx], y[:, idx], activation, task, loss_name, l2)
            for p in PARAMS:
                P[p] = P[p] - lr * grads[p]
        losses.append(loss(P, X, y, activation, task, loss_name))
    return P, losses


def glorot(seed, n_inputs, n_hidden):
    """The initial weights the design documents for sigmoid and tanh: Glorot uniform,
    U(-r, r) with r = sqrt(6 / (fan_in + fan_out)), W1 drawn first, biases 0."""
    rng = np.random.default_rng(seed)
    r1 = np.sqrt(6.0 / (n_inputs + n_hidden))
    W1 = rng.uniform(-r1, r1, size=(n_hidden, n_inputs))
    r2 = np.sqrt(6.0 / (n_hidden + 1))
    W2 = rng.uniform(-r2, r2, size=(1, n_hidden))
    return {"W1": W1, "b1": np.zeros((n_hidden, 1)), "W2": W2, "b2": np.zeros((1, 1))}


def accuracy(P, X, y, activation):
    *_, a2 = forward(P, X, activation, "classification")
    return float(np.mean((a2 >= 0.5) == (y == 1)))


# -- K classes: a softmax output, written again from the equations -----------------------------
#
# P as above but W2 (K, h) and b2 (K, 1); y holds integer labels 0 .. K-1, shape (1, m).
# a2 = softmax(z2) column by column; Y is the one-hot of y, built here with np.eye.
#   cross-entropy  L = -mean_i log a2[y_i, i]
#   MSE            L = mean_i sum_k (Y[k, i] - a2[k, i])^2
# delta2 = dL/dz2 for the batch mean: the chain rule with each sample's softmax Jacobian
# J_i = diag(a_i) - a_i a_i^T written out as a matrix (not simplified), dL/da2 times J.


def softmax(z2):
    e = np.exp(z2 - z2.max(axis=0))
    return e / e.sum(axis=0)


def one_hot(y, K):
    return np.eye(K)[np.asarray(y, dtype=int).ravel()].T


def forward_k(P, X, activation):
    """(z1, a1, z2, a2) of the K-class net, a2 = softmax(z2) of shape (K, m)."""
    z1 = P["W1"] @ X + P["b1"]
    a1 = G[activation](z1)
    z2 = P["W2"] @ a1 + P["b2"]
    return z1, a1, z2, softmax(z2)


def loss_k(P, X, y, activation, loss_name, l2=0.0):
    """The mean K-class loss (+ l2/2 (||W1||^2 + ||W2||^2))."""
    _, _, z2, a2 = forward_k(P, X, activation)
    K, m = a2.shape
    Y = one_hot(y, K)
    if loss_name == "mse":
        L = np.sum((Y - a2) ** 2) / m
    else:
        labels = np.asarray(y, dtype=int).ravel()
        L = -np.mean(np.log(a2[labels, np.arange(m)]))
    return float(L + 0.5 * l2 * (np.sum(P["W1"] ** 2) + np.sum(P["W2"] ** 2)))


def gradients_k(P, X, y, activation, loss_name, l2=0.0):
    """dL/dW1, dL/db1, dL/dW2, dL/db2 of the K-class batch mean."""
    z1, a1, z2, a2 = forward_k(P, X, activation)
    K, m = a2.shape
    Y = one_hot(y, K)
    if loss_name == "mse":
        dL_da2 = -2.0 * (Y - a2) / m
    else:
        dL_da2 = -Y / a2 / m
    delta2 = np.empty_like(a2)
    for i in range(m):
        J = np.diag(a2[:, i]) - np.outer(a2[:, i], a2[:, i])   # J[k, l] = da2_k / dz2_l
        delta2[:, i] = J.T @ dL_da2[:, i]
    delta1 = (P["W2"].T @ delta2) * G_PRIME[activation](z1)
    return {"W1": delta1 @ X.T + l2 * P["W1"], "b1": delta1.sum(axis=1, keepdims=True),
            "W2": delta2 @ a1.T + l2 * P["W2"], "b2": delta2.sum(axis=1, keepdims=True)}


def train_k(P, X, y, activation, loss_name, lr, batch_size=None, epochs=1, seed=0):
    """train() for the K-class net: (parameters after, train loss of each epoch)."""
    P = {p: np.array(v, dtype=np.float64) for p, v in P.items()}
    m = X.shape[1]
    size = m if batch_size is None else batch_size
    losses = []
    for epoch in range(1, epochs + 1):
        order = epoch_order(seed, epoch, m)
        for start in range(0, m, size):
            idx = order[start:start + size]
            grads = gradients_k(P, X[:, idx], y[:, idx], activation, loss_name)
            for p in PARAMS:
                P[p] = P[p] - lr * grads[p]
        losses.append(loss_k(P, X, y, activation, loss_name))
    return P, losses


def accuracy_k(P, X, y, activation):
    *_, a2 = forward_k(P, X, activation)
    return float(np.mean(np.argmax(a2, axis=0) == np.asarray(y).ravel()))
