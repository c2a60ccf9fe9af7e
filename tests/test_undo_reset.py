"""AppTest: "Undo reset" brings back the run before a Reset (twolayer/ui/undo.py), its weights
and its history, on the Playground, MSE vs log-loss and the Loss landscape."""

import numpy as np
import pytest

from tests.apptest_util import open_page

PAGES = {  # page: (its Train button, its Reset button, what it holds, the run's trainers)
    None: ("pg_train", "pg_reset", "trainer", lambda run: [run]),
    "pages/compare.py": ("cmp_train", "cmp_reset", "compare",
                         lambda run: list(run.trainers.values())),
    "pages/landscape.py": ("ls_train", "ls_reset", "landscape",
                           lambda run: list(run.trainers.values())),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_undo_reset_brings_back_the_run_before(page):
    train, reset, key, trainers_of = PAGES[page]
    at = open_page(page, ls_grid="21")
    at.button(key=train).click().run()
    before = trainers_of(at.session_state[key][1])
    epochs = [t.epoch for t in before]
    weights = [t.net.W1.copy() for t in before]
    losses = [list(t.history.train_loss) for t in before]
    assert min(epochs) > 0
    assert not [b for b in at.button if b.label == "Undo reset"]
    at.button(key=reset).click().run()
    assert all(t.epoch == 0 for t in trainers_of(at.session_state[key][1]))
    at.button(key=f"undo_{key}").click().run()
    assert not at.exception
    after = trainers_of(at.session_state[key][1])
    assert [t.epoch for t in after] == epochs
    for t, w, h in zip(after, weights, losses, strict=True):
        np.testing.assert_array_equal(t.net.W1, w)
        assert list(t.history.train_loss) == h
    assert not [b for b in at.button if b.label == "Undo reset"]   # once


def test_no_undo_once_the_new_run_trains():
    at = open_page(None)
    at.button(key="pg_train").click().run()
    at.button(key="pg_reset").click().run()
    assert [b for b in at.button if b.label == "Undo reset"]
    at.button(key="pg_step").click().run()
    assert not [b for b in at.button if b.label == "Undo reset"]
