"""What the Sweep page says about its two starts, in words built from the sweep's numbers.

The page sweeps the same learning rates and seeds twice: from the fair start (every net's
output bias at its initial value) and from the saturated start (b2 = -8, every output near 0).
Whatever the numbers say is what the page says: each sentence is made here from the summary
tables (``twolayer.sweep.summarize``), never written in advance.
"""

from ..sweep import LOSS_LABELS, best

METRIC_NAMES = {"accuracy": "test accuracy", "r2": "test R²"}


def stalls(rows):
    """The learning rates (ascending) at which the median run never reaches the target."""
    return [s.lr for s in rows if s.to_target is None]


def _best_clause(rows, loss, metric):
    b = best(rows)
    text = f"{LOSS_LABELS[loss]} is best at learning rate {b.lr:g} ({METRIC_NAMES[metric]} " \
           f"{b.median:.3f}"
    if b.to_target is not None:
        text += f", the target after {b.to_target:g} epochs"
    else:
        text += ", the target not reached"
    return text + ")"


def start_sentence(table, metric, start):
    """One sentence about one start: each loss's best learning rate with its median final
    metric and epochs to the target, and at how many learning rates each loss stalls.

    table : {loss: [Summary per learning rate]}; start : how the page names the start.
    """
    losses = [loss for loss in ("log_loss", "mse") if loss in table]
    best_part = "; ".join(_best_clause(table[loss], loss, metric) for loss in losses)
    stall_part = ", ".join(
        f"{LOSS_LABELS[loss]} at {len(stalls(table[loss]))} of {len(table[loss])}"
        for loss in losses)
    return (f"From the {start}: {best_part}. The median run never reaches the target for "
            f"{stall_part} learning rates.")


def verdict(fair, saturated, metric):
    """Does the loss matter? Compares each start's best of log-loss with the best of MSE."""
    if not ({"mse", "log_loss"} <= set(fair) and {"mse", "log_loss"} <= set(saturated)):
        return None
    name = METRIC_NAMES[metric]

    def gap(table):
        return best(table["log_loss"]).median - best(table["mse"]).median

    parts = []
    for start, table in (("fair start", fair), ("saturated start", saturated)):
        g = gap(table)
        if abs(g) < 0.01:
            parts.append(f"from the {start} both losses reach the same best {name} "
                         f"(within {abs(g):.3f})")
        else:
            winner, loser = ("log-loss", "MSE") if g > 0 else ("MSE", "log-loss")
            parts.append(f"from the {start} {winner}'s best {name} is {abs(g):.3f} above "
                         f"{loser}'s")
    return parts[0][0].upper() + parts[0][1:] + "; " + parts[1] + "."
