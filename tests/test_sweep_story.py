"""The Sweep page's sentences about its two starts are made from the sweep's numbers: tables of
summaries written here by hand, and changed, change what is said."""

from twolayer.sweep import Summary
from twolayer.ui.sweep_story import stalls, start_sentence, verdict


def row(loss, lr, median, to_target, diverged=0):
    return Summary(loss, lr, 8, median, median - 0.01, median + 0.01, 0.3, 0.2, 0.4,
                   to_target, to_target, to_target, diverged)


FAIR = {"log_loss": [row("log_loss", 0.1, 0.950, 60), row("log_loss", 1.0, 0.987, 28.5)],
        "mse": [row("mse", 0.1, 0.900, None), row("mse", 1.0, 0.980, 40)]}
SATURATED = {"log_loss": [row("log_loss", 0.1, 0.940, 70), row("log_loss", 1.0, 0.985, 30)],
             "mse": [row("mse", 0.1, 0.500, None), row("mse", 1.0, 0.520, None)]}


def test_a_start_is_told_by_its_numbers():
    assert start_sentence(FAIR, "accuracy", "fair start") == (
        "From the fair start: log-loss is best at learning rate 1 (test accuracy 0.987, the "
        "target after 28.5 epochs); MSE is best at learning rate 1 (test accuracy 0.980, the "
        "target after 40 epochs). The median run never reaches the target for log-loss at 0 "
        "of 2, MSE at 1 of 2 learning rates.")
    assert start_sentence(SATURATED, "accuracy", "saturated start") == (
        "From the saturated start: log-loss is best at learning rate 1 (test accuracy 0.985, "
        "the target after 30 epochs); MSE is best at learning rate 1 (test accuracy 0.520, the "
        "target not reached). The median run never reaches the target for log-loss at 0 of 2, "
        "MSE at 2 of 2 learning rates.")


def test_other_numbers_other_words():
    changed = {**FAIR, "mse": [row("mse", 0.1, 0.991, 12), row("mse", 1.0, 0.980, 40)]}
    text = start_sentence(changed, "accuracy", "fair start")
    assert "MSE is best at learning rate 0.1 (test accuracy 0.991, the target after 12 " \
           "epochs)" in text
    assert "MSE at 0 of 2 learning rates" in text
    assert stalls(changed["mse"]) == []


def test_the_verdict_compares_the_best_of_each_loss_per_start():
    assert verdict(FAIR, SATURATED, "accuracy") == (
        "From the fair start both losses reach the same best test accuracy (within 0.007); "
        "from the saturated start log-loss's best test accuracy is 0.465 above MSE's.")
    flipped = {**FAIR, "mse": [row("mse", 1.0, 0.999, 10)]}
    assert verdict(flipped, SATURATED, "accuracy").startswith(
        "From the fair start MSE's best test accuracy is 0.012 above log-loss's")
    assert verdict({"mse": FAIR["mse"]}, {"mse": SATURATED["mse"]}, "r2") is None
