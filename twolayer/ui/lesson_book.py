"""The lessons: what each one fixes, what it says, and the link keys that choose one.

A lesson is a preset of MSE vs log-loss that twolayer.ui.lessons carries to every page: the
settings it fixes, its start (b2, the MSE learning-rate factor, the epochs), a title and the
text of what to look for. The text's {placeholders} are filled with the numbers the core
computes for that start (``twolayer.compare.comparison_numbers``, ``one_neuron_numbers``),
never written by hand. With K >= 3 classes a lesson runs on a dataset that makes K classes and
says so in its own K-class text. ``COMPARE_LINK`` is what a link to the comparison page may
carry besides the shared settings. Nothing here imports Streamlit.
"""

from dataclasses import dataclass, field

import numpy as np

from ..activations import sigmoid, softmax
from ..compare import COMPARE_SETTINGS, LOSS_NAMES, comparison_numbers, one_neuron_numbers
from ..data import MULTICLASS
from ..settings import SATURATED_BIAS, SETTINGS, Setting


@dataclass(frozen=True)
class Lesson:
    """A preset of the comparison page: settings, the start, and what to look for.

    settings : every data and network setting the lesson fixes (overrides the sidebar)
    look_for : text with {placeholders} filled from ``lesson_numbers(key)``
    """

    key: str
    title: str
    look_for: str
    settings: dict = field(default_factory=dict)
    output_bias: float = 0.0
    lr_factor: float = 1.0
    epochs: int = 300


_MOONS = dict(task="classification", dataset="moons", samples=500, noise=0.2, test_fraction=0.3,
              seed=0, hidden=8, activation="sigmoid", lr=1.0, l2=0.0)

LESSONS = {lesson.key: lesson for lesson in (
    Lesson("saturated", "Saturated start",
           "Both nets start with b2 = {output_bias:g}: every output is about {a2_start:.1e}, "
           "confidently class 0, and wrong on every class-1 point. In the first epoch, "
           "log-loss's gradient ||dW2|| is {ratio:,.0f} times MSE's, because MSE multiplies "
           "the error by a2 (1 - a2), which is almost 0 there. Train {epochs} epochs: log-loss "
           "reaches test accuracy {acc_log_loss:.2f}, MSE stays at {acc_mse:.2f}, on a "
           "plateau. Look at the |delta2| histogram: MSE's sit orders of magnitude to the left.",
           dict(_MOONS, batch="all"), output_bias=SATURATED_BIAS),
    Lesson("fair", "Fair start",
           "Default start (b2 = 0), the same learning rate, the same mini-batches. Both nets "
           "learn; log-loss gets there sooner. Train {epochs} epochs: test accuracy 0.9 is "
           "first reached after {reach_log_loss} epochs with log-loss, {reach_mse} with MSE; "
           "at epoch {epochs} they stand at {acc_log_loss:.2f} and {acc_mse:.2f}. Then try the "
           "MSE learning-rate factor: does a larger step make up for the missing gradient?",
           dict(_MOONS, batch=32)),
    Lesson("one_neuron", "One neuron (Nielsen, ch. 3)",
           "A single sigmoid unit, input 1, target 0, learning rate {lr:g} for both losses "
           "(Nielsen's 0.15 with his 1/2 in the quadratic cost). From w = b = 2 (output "
           "{a_start:.2f}, badly wrong) MSE needs {mse_steps} steps before the output drops "
           "below 0.5, log-loss {log_loss_steps}. From w = 0.6, b = 0.9 (output "
           "{a_start_mild:.2f}) MSE needs only {mse_steps_mild} and reaches {mse_after:.3f} "
           "after {steps} steps (log-loss {log_loss_after:.3f}): the more wrong the start, the "
           "slower MSE learns, the opposite of what a learner would want."),
)}

# What a link to the comparison page may carry besides the shared settings; its "lesson" is
# also every page's (twolayer.ui.lessons).
COMPARE_LINK = {
    "lesson": Setting("lesson", "Lesson", "none", str, options=("none", *LESSONS)),
    "output_bias": COMPARE_SETTINGS["output_bias"],
    "lr_factor": COMPARE_SETTINGS["lr_factor"],
}


def lesson_settings(key, base=None):
    """The full settings dict for a lesson: ``base`` (default: every setting's default)
    with the lesson's own settings on top."""
    values = {k: s.default for k, s in SETTINGS.items()} if base is None else dict(base)
    values.update(LESSONS[key].settings)
    return values


def lesson_numbers(key):
    """The figures a lesson's text states, computed by the core (a fraction of a second)."""
    if key == "one_neuron":
        return one_neuron_numbers()
    lesson = LESSONS[key]
    numbers = comparison_numbers(lesson_settings(key), lesson.output_bias, lesson.lr_factor,
                                 lesson.epochs)
    for loss in LOSS_NAMES:
        if numbers[f"reach_{loss}"] is None:
            numbers[f"reach_{loss}"] = f"more than {lesson.epochs}"
    return dict(numbers, epochs=lesson.epochs, output_bias=lesson.output_bias,
                a2_start=float(sigmoid(np.float64(lesson.output_bias))))


def lesson_text(key):
    """What to look for in a lesson, with the core's numbers filled in."""
    return LESSONS[key].look_for.format(**lesson_numbers(key))


# -- K >= 3 classes -----------------------------------------------------------------------------

# A lesson fixes a two-class dataset (moons); with K classes it runs on one that makes K. The
# saturated start on K blobs reads as clearly as on moons (3 classes: cross-entropy reaches test
# accuracy 0.9 after 7 epochs, MSE after 75; on the spiral neither within 300); the fair start
# on the K-arm spiral (39 against 56), where blobs are learnt by both in one epoch.
LESSON_DATASETS = {"saturated": "blobs", "fair": "spiral"}

SATURATED_K = (
    "With {k} classes the saturated start is b2 = (0, {output_bias:g}, ..., {output_bias:g}): "
    "every sample starts as class 0 with probability {p0:.4f} (the softmax of (0, b) is the "
    "sigmoid of -b, the two-class start), confidently wrong on every point of classes "
    "{others}. In the first epoch, cross-entropy's gradient ||dW2|| is {ratio:,.0f} times "
    "MSE's: MSE's delta2 carries the softmax's Jacobian diag(a2) - a2 a2^T, almost 0 where one "
    "output is almost 1. Train {epochs} epochs on {dataset} ({k} classes): test accuracy 0.9 "
    "is first reached after {reach_log_loss} with cross-entropy, {reach_mse} with MSE; at "
    "epoch {epochs} they stand at {acc_log_loss:.2f} and {acc_mse:.2f}.")
FAIR_K = (
    "Default start (b2 = 0), the same learning rate, the same mini-batches, {k} classes on "
    "{dataset}. Train {epochs} epochs: test accuracy 0.9 is first reached after "
    "{reach_log_loss} with cross-entropy, {reach_mse} with MSE; at epoch {epochs} they stand "
    "at {acc_log_loss:.2f} and {acc_mse:.2f}.")


def lesson_fixed(key, n_classes):
    """Lesson ``key``'s own settings ({key: value}) for ``n_classes`` classes: its two-class
    dataset gives way to LESSON_DATASETS[key] with K >= 3."""
    fixed = dict(LESSONS[key].settings)
    if n_classes > 2 and MULTICLASS.get(fixed.get("dataset"), 2) < n_classes:
        fixed["dataset"] = LESSON_DATASETS.get(key, "spiral")
    return fixed


def lesson_numbers_k(key, n_classes):
    """The numbers of lesson ``key`` ("saturated" or "fair") trained with ``n_classes``
    classes, as the page trains it (the lesson's settings, LESSON_DATASETS)."""
    lesson = LESSONS[key]
    s = {**lesson_settings(key), **lesson_fixed(key, n_classes), "classes": n_classes}
    numbers = comparison_numbers(s, lesson.output_bias, lesson.lr_factor, lesson.epochs,
                                 n_classes=n_classes)
    for loss in LOSS_NAMES:
        reach = numbers[f"reach_{loss}"]
        numbers[f"reach_{loss}"] = (f"{reach} epoch{'s' * (reach != 1)}" if reach is not None
                                    else f"more than {lesson.epochs} epochs")
    b2 = np.full((n_classes, 1), lesson.output_bias)
    b2[0] = 0.0
    others = [str(c) for c in range(1, n_classes)]
    return dict(numbers, k=n_classes, others=", ".join(others[:-1]) + " and " + others[-1],
                epochs=lesson.epochs, output_bias=lesson.output_bias, dataset=s["dataset"],
                p0=float(softmax(b2)[0, 0]))


def lesson_text_k(key, n_classes):
    """What to look for in lesson ``key`` with K >= 3 classes, the numbers filled in; None for
    a lesson without a K-class version (one neuron)."""
    text = {"saturated": SATURATED_K, "fair": FAIR_K}.get(key)
    return None if text is None else text.format(**lesson_numbers_k(key, n_classes))
