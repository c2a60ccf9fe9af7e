"""What a sweep says: its runs summarised per loss and learning rate over the seeds, the best
learning rate of each loss, and that in one sentence."""

import math
from dataclasses import dataclass

import numpy as np

from .losses import LOSS_LABELS
from .metrics import METRIC_LABELS, epochs_to_target


def with_target(results, test_metric, target):
    """``results`` (Sweep.results) with epochs_to_target for another ``target``, from the
    test metric history (K, epochs) of the same sweep: no training again."""
    reach = epochs_to_target(test_metric, target)
    return [dict(r, epochs_to_target=int(e) if e else None)
            for r, e in zip(results, reach, strict=True)]



@dataclass(frozen=True)
class Summary:
    """The runs of one loss at one learning rate, over their seeds.

    median, low, high : the final test metric (a diverged run counts with its last good
        weights, as it is left)
    loss, loss_low, loss_high : the final training loss, each net its own loss
    to_target, to_target_low, to_target_high : epochs until the test metric first reached the
        target; None where that run (for the median: most runs) never got there
    diverged : how many of the n runs diverged
    """

    loss_name: str
    lr: float
    n: int
    median: float
    low: float
    high: float
    loss: float
    loss_low: float
    loss_high: float
    to_target: float | None
    to_target_low: float | None
    to_target_high: float | None
    diverged: int


def _finite_or_none(x):
    return float(x) if math.isfinite(x) else None


def summarize(results, metric):
    """{loss: [Summary per learning rate, ascending]} of ``Sweep.results()`` dicts."""
    by_setting = {}
    for r in results:
        by_setting.setdefault((r["loss"], r["lr"]), []).append(r)
    table = {}
    for (loss, lr), runs in by_setting.items():
        final = np.array([r[f"test_{metric}"] for r in runs])
        train = np.array([r["train_loss"] for r in runs])
        reach = np.array([r["epochs_to_target"] or np.inf for r in runs], dtype=float)
        table.setdefault(loss, []).append(Summary(
            loss, lr, len(runs), float(np.median(final)), float(final.min()),
            float(final.max()), float(np.median(train)), float(train.min()),
            float(train.max()), _finite_or_none(np.median(reach)),
            _finite_or_none(reach.min()), _finite_or_none(reach.max()),
            sum(r["diverged"] is not False for r in runs)))
    return {loss: sorted(rows, key=lambda s: s.lr) for loss, rows in table.items()}


def best(rows):
    """The Summary of the best learning rate: the highest median final test metric; on a tie,
    fewer diverged runs, then fewer epochs to the target."""
    return max(rows, key=lambda s: (s.median, -s.diverged,
                                    -(s.to_target if s.to_target is not None else math.inf)))


def best_sentence(table, loss, metric, target=None):
    """One sentence: the loss's best learning rate and what its runs reach there."""
    b = best(table[loss])
    name = METRIC_LABELS[metric]
    spread = f" ({b.low:.3f} to {b.high:.3f})" if b.n > 1 else ""
    text = (f"{LOSS_LABELS[loss]}: best at learning rate {b.lr:g}, {name} {b.median:.3f}"
            f"{' median over ' + str(b.n) + ' seeds' if b.n > 1 else ''}{spread}")
    if b.to_target is not None and target is not None:
        text += f"; {target:g} first reached after {b.to_target:g} epochs (median)"
    if b.diverged:
        text += f"; {b.diverged} of {b.n} runs diverged there"
    return text + "."
