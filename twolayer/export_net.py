"""The net of an exported file (twolayer.export), written out as the derivation, line by line.

Three sections, each (markdown for the notebook, code): the network (the activations, the seeded
start, the forward pass), the loss and the metric, and the training loop (forward, backward,
update) with the Trainer's sample order, batches, L2 and divergence rule. For two classes the
output is one sigmoid (or the identity for regression), for K >= 3 K softmax outputs.
"""


def _network(run):
    classification = run.task == "classification"
    g = {"sigmoid": ("sigmoid(z)", "a * (1.0 - a)", "the sigmoid"),
         "tanh": ("np.tanh(z)", "1.0 - a * a", "tanh"),
         "relu": ("np.maximum(z, 0.0)", "(z > 0).astype(z.dtype)   # 0 at the kink z = 0",
                  "relu")}[run.activation]
    lines = []
    if (classification and not run.softmax) or run.activation == "sigmoid":
        lines += ["def sigmoid(z):",
                  "    # exp(-z) overflows to inf for z < -709 and 1 / (1 + inf) is exactly 0: "
                  "right.",
                  "    with np.errstate(over=\"ignore\"):",
                  "        return 1.0 / (1.0 + np.exp(-z))", "", ""]
    if run.softmax:
        lines += ["def softmax(z):",
                  "    # Each column's max subtracted first: the same probabilities, no overflow.",
                  "    e = np.exp(z - z.max(axis=0, keepdims=True))",
                  "    return e / e.sum(axis=0, keepdims=True)", "", "",
                  "def one_hot(y):    # Y (N_CLASSES, m): Y[k, i] = 1 where y_i == k",
                  "    return (np.arange(N_CLASSES)[:, None] == y).astype(np.float64)", "", ""]
    lines += [f"def g(z):    # the hidden activation: {g[2]}",
              f"    return {g[0]}", "", "",
              "def g_prime(z, a):    # g'(z), from the a = g(z) the forward pass kept",
              f"    return {g[1]}", "", ""]
    n_out = "N_CLASSES" if run.softmax else "1"
    if run.activation == "relu":
        init = ["    # He normal for relu: N(0, 2 / fan_in).",
                "    W1 = rng.normal(0.0, np.sqrt(2.0 / n_inputs), size=(N_HIDDEN, n_inputs))",
                "    b1 = np.zeros((N_HIDDEN, 1))",
                f"    W2 = rng.normal(0.0, np.sqrt(2.0 / N_HIDDEN), size=({n_out}, N_HIDDEN))"]
    else:
        init = ["    # Glorot uniform: U(-r, r), r = sqrt(6 / (fan_in + fan_out)).",
                "    r = np.sqrt(6.0 / (n_inputs + N_HIDDEN))",
                "    W1 = rng.uniform(-r, r, size=(N_HIDDEN, n_inputs))",
                "    b1 = np.zeros((N_HIDDEN, 1))",
                f"    r = np.sqrt(6.0 / (N_HIDDEN + {n_out}))",
                f"    W2 = rng.uniform(-r, r, size=({n_out}, N_HIDDEN))"]
    b2 = (["    b2 = np.full((N_CLASSES, 1), OUTPUT_BIAS)",
           "    b2[0] = 0.0    # every sample starts as class 0 when OUTPUT_BIAS << 0"]
          if run.softmax else ["    b2 = np.full((1, 1), OUTPUT_BIAS)"])
    lines += ["def initial_net():",
              f"    \"\"\"[W1 (N_HIDDEN, n_inputs), b1 (N_HIDDEN, 1), W2 ({n_out}, N_HIDDEN), "
              f"b2 ({n_out}, 1)], seeded:",
              "    the same start whatever the loss.\"\"\"",
              "    rng = np.random.default_rng(SEED)", *init, *b2,
              "    return [W1, b1, W2, b2]", "", "",
              "def forward(net, X):",
              "    W1, b1, W2, b2 = net",
              "    z1 = W1 @ X + b1",
              "    a1 = g(z1)",
              "    z2 = W2 @ a1 + b2",
              "    a2 = softmax(z2)    # the output: each class's probability" if run.softmax
              else "    a2 = sigmoid(z2)    # the output: the probability of class 1"
              if classification else "    a2 = z2             # the output: identity for "
                                     "regression",
              "    return z1, a1, z2, a2", "", ""]
    md = ("## The network\n\n"
          "$$z_1 = W_1 X + b_1, \\quad a_1 = g(z_1), \\quad z_2 = W_2 a_1 + b_2, \\quad "
          + ("a_2 = \\operatorname{softmax}(z_2)$$" if run.softmax
             else "a_2 = \\sigma(z_2)$$" if classification else "a_2 = z_2$$")
          + f"\n\n$g$ is {g[2]}; $g'$ is written with the $a = g(z)$ that the forward pass "
          "keeps. Biases start at 0, except $b_2$, which starts at `OUTPUT_BIAS`.")
    return md, "\n".join(lines).rstrip("\n")


LOSS_LINES = {   # (value per sample from z2, a2, y; delta2 before / m; the comment)
    ("classification", "log_loss"): ("np.logaddexp(0.0, z2) - y * z2", "(a2 - y)",
                                     "log-loss: the sigmoid's slope cancels"),
    ("classification", "mse"): ("(y - a2) ** 2", "-2.0 * (y - a2) * (a2 * (1.0 - a2))",
                                "MSE: the sigmoid's slope a2 (1 - a2) stays in"),
    ("regression", "mse"): ("(y - a2) ** 2", "-2.0 * (y - a2)", "MSE, identity output"),
    # K >= 3 softmax outputs, against the one-hot Y: cross-entropy from z2 by log-sum-exp; MSE
    # summed over the K outputs, its delta2 through the softmax's Jacobian (e = dL/da2).
    ("softmax", "log_loss"): ("np.log(np.exp(z2 - z2.max(axis=0)).sum(axis=0)) + "
                              "(z2.max(axis=0) - (Y * z2).sum(axis=0))", "(a2 - Y)",
                              "cross-entropy: the softmax's Jacobian cancels"),
    ("softmax", "mse"): ("((Y - a2) ** 2).sum(axis=0)",
                         "a2 * (e - (a2 * e).sum(axis=0, keepdims=True))",
                         "MSE: the softmax's Jacobian stays in"),
}


def _kind(run):
    """The key of LOSS_LINES for this run's output: its task, or "softmax" (K >= 3)."""
    return "softmax" if run.softmax else run.task


def _delta_lines(run, loss, indent):
    """delta2 for ``loss`` as lines of code (e = dL/da2 first for MSE over K outputs)."""
    _, delta, why = LOSS_LINES[_kind(run), loss]
    pre = [f"{indent}e = -2.0 * (Y - a2)    # dL/da2"] if (run.softmax and loss == "mse") else []
    return pre + [f"{indent}delta2 = {delta} / m_batch    # {why}"]


def _loss(run):
    lines = []
    for loss in run.losses:
        value, _, _ = LOSS_LINES[_kind(run), loss]
        if run.softmax:
            what = ("logsumexp(z2) - z2[true class]: cross-entropy from z2, never log(0)"
                    if loss == "log_loss" else "sum over the classes of (Y - a2)^2")
        else:
            what = ("log(1 + e^z2) - y z2: log-loss from z2, never log(0)"
                    if loss == "log_loss" else "(y - a2)^2, no 1/2 factor")
        lines += [f"def {loss}(net, X, y):    # the mean of {what}",
                  "    z1, a1, z2, a2 = forward(net, X)",
                  *(["    Y = one_hot(y)"] if run.softmax else []),
                  f"    return float(np.mean({value}))", "", ""]
    if run.softmax:
        lines += ["def metric(net, X, y):    # accuracy: the share whose most probable class is y",
                  "    a2 = forward(net, X)[3]",
                  "    return float(np.mean(np.argmax(a2, axis=0) == y[0]))"]
    elif run.task == "classification":
        lines += ["def metric(net, X, y):    # accuracy: the share of a2 >= 0.5 that match y",
                  "    a2 = forward(net, X)[3]",
                  "    return float(np.mean((a2 >= 0.5) == (y >= 0.5)))"]
    else:
        lines += ["def metric(net, X, y):    # R^2 = 1 - SS_res / SS_tot",
                  "    a2 = forward(net, X)[3]",
                  "    return 1.0 - float(np.sum((y - a2) ** 2)) / float(np.sum((y - np.mean(y)) "
                  "** 2))"]
    md = ("## The loss\n\n"
          + ("$$L_\\text{MSE} = \\frac1m \\sum_i (y_i - a_{2,i})^2$$\n\n" if "mse" in run.losses
             else "")
          + ("$$L_\\text{log} = -\\frac1m \\sum_i \\left[y_i \\log a_{2,i} + (1 - y_i) \\log(1 - "
             "a_{2,i})\\right] = \\frac1m \\sum_i \\log(1 + e^{z_{2,i}}) - y_i z_{2,i}$$\n\n"
             if "log_loss" in run.losses else "")
          + ("With $K$ = `N_CLASSES` softmax outputs $y$ is the one-hot $Y$ $(K, m)$: MSE sums "
             "over the $K$ outputs, cross-entropy is $-\\log a_{2,y}$.\n\n" if run.softmax else "")
          + "The metric is " + ("the accuracy of the most probable class." if run.softmax
                                else "the accuracy at the threshold 0.5." if run.task ==
                                "classification" else "$R^2$."))
    return md, "\n".join(lines)


def _train(run):
    if run.compare:
        d2 = ["            if loss == \"mse\":",
              *_delta_lines(run, "mse", " " * 16),
              "            else:",
              *_delta_lines(run, "log_loss", " " * 16)]
        signature, value = "def train(loss, lr):", "mean_loss = {\"mse\": mse, \"log_loss\": " \
                                                    "log_loss}[loss]"
    else:
        d2 = _delta_lines(run, run.losses[0], " " * 12)
        signature, value = "def train(lr):", f"mean_loss = {run.losses[0]}"
    if run.start:
        first = ["    start_epoch, net = START" + ("[loss]" if run.compare else ""),
                 "    net = [p.copy() for p in net]"]
    else:
        first = ["    start_epoch, net = 0, initial_net()"]
    lines = [
        signature,
        "    \"\"\"Train one net: (net, epochs run, diverged: False or the epoch, history of",
        "    (train loss, test loss) per epoch).\"\"\"",
        f"    {value}",
        *first,
        "    W1, b1, W2, b2 = net    # the arrays themselves: the updates below change net",
        "    batch_size = m if BATCH_SIZE is None else min(BATCH_SIZE, m)",
        "    epochs_run, diverged, history = start_epoch, False, []",
        "    for epoch in range(start_epoch + 1, EPOCHS + 1):",
        "        before = [p.copy() for p in net]",
        "        # Each epoch visits the samples in an order seeded by (SEED, epoch).",
        "        order = np.random.default_rng((SEED, epoch)).permutation(m)",
        "        X_epoch, y_epoch = X_train[:, order], y_train[:, order]",
        "        # Overflow on the way to divergence is expected: it is caught below.",
        "        with np.errstate(all=\"ignore\"):",
        "            for start in range(0, m, batch_size):",
        "                X = X_epoch[:, start:start + batch_size]",
        "                y = y_epoch[:, start:start + batch_size]",
        "                m_batch = X.shape[1]",
        *(["                Y = one_hot(y)    # (N_CLASSES, m_batch)"] if run.softmax else []),
        "                z1, a1, z2, a2 = forward(net, X)",
        "                # Backward: dL/dz2 per sample, / m for the batch mean.",
        *["    " + line for line in d2],
        "                dW2 = delta2 @ a1.T",
        "                db2 = delta2.sum(axis=1, keepdims=True)",
        "                delta1 = (W2.T @ delta2) * g_prime(z1, a1)",
        "                dW1 = delta1 @ X.T",
        "                db1 = delta1.sum(axis=1, keepdims=True)",
        "                if L2:",
        "                    dW1 += L2 * W1",
        "                    dW2 += L2 * W2",
        "                # The update, W <- W - alpha dL/dW, in place.",
        "                W1 -= lr * dW1",
        "                b1 -= lr * db1",
        "                W2 -= lr * dW2",
        "                b2 -= lr * db2",
        "            train_loss = mean_loss(net, X_train, y_train)",
        "        if not (np.isfinite(train_loss) and train_loss < 1e6):",
        "            for p, good in zip(net, before):    # diverged: keep the last good weights",
        "                p[...] = good",
        "            diverged = epoch",
        "            break",
        "        history.append((train_loss, mean_loss(net, X_test, y_test)))",
        "        epochs_run = epoch",
        "    return net, epochs_run, diverged, history",
    ]
    md = ("## Training: forward, backward, update\n\n"
          "$$\\delta_2 = \\frac{\\partial L}{\\partial z_2} = "
          + (_softmax_delta_md(run) if run.softmax else
             "\\begin{cases} -2\\,(y - a_2)\\, a_2 (1 - a_2) / m & \\text{MSE} \\\\ "
             "(a_2 - y) / m & \\text{log-loss} \\end{cases}" if run.compare else
             {"log_loss": "(a_2 - y) / m",
              "mse": "-2\\,(y - a_2)\\, a_2 (1 - a_2) / m" if run.task == "classification"
              else "-2\\,(y - a_2) / m"}[run.losses[0]])
          + "$$\n\n$$dW_2 = \\delta_2 a_1^{\\mathsf T}, \\quad db_2 = \\textstyle\\sum "
          "\\delta_2, \\quad \\delta_1 = (W_2^{\\mathsf T} \\delta_2) \\odot g'(z_1), \\quad "
          "dW_1 = \\delta_1 X^{\\mathsf T}, \\quad db_1 = \\textstyle\\sum \\delta_1$$\n\n"
          "$$W \\leftarrow W - \\alpha\\, dW \\quad \\text{(every parameter; with } "
          "dW_k \\mathrel{+}= \\lambda W_k \\text{ for L2)}$$\n\n"
          "Each epoch shuffles the training samples with the seed (SEED, epoch) and takes "
          "them in mini-batches. A training loss that is not finite or passes $10^6$ is a "
          "divergence: the net keeps the weights of the epoch before.")
    return md, "\n".join(lines)


def _softmax_delta_md(run):
    """delta2 through the softmax for the losses of ``run`` (e = dL/da2), as LaTeX."""
    lines = {"mse": "a_2 \\odot (e - a_2^{\\mathsf T} e) / m,\\; e = -2\\,(Y - a_2)",
             "log_loss": "(a_2 - Y) / m"}
    if not run.compare:
        return lines[run.losses[0]]
    return (f"\\begin{{cases}} {lines['mse']} & \\text{{MSE}} \\\\ {lines['log_loss']} & "
            "\\text{cross-entropy} \\end{cases}")
