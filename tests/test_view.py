"""twolayer.ui.view: the one epoch a page shows, without Streamlit."""

import subprocess
import sys

from twolayer.ui.view import View, of_last


def test_follows_training_until_scrubbed_and_again_after():
    state = {}
    view = View.of(state, "v")
    assert View.of(state, "v") is view           # one per key, kept in the state given
    assert view.at(0) == 0 and view.at(100) == 100
    state["slider"] = 10
    view.on_slider(state, "slider")
    assert view.at(100) == 10 and view.at(103) == 10
    view.sync(state, "slider", 103)              # the slider drawn anew gets it back
    assert state["slider"] == 10
    assert view.at(5) == 5                       # chosen beyond training (after a Reset)
    view.follow()
    assert view.at(103) == 103


def test_ignores_what_is_not_an_epoch():
    state = {"slider": True}
    view = View.of(state, "v")
    view.on_slider(state, "slider")
    assert view.chosen is None


def test_says_which_row_of_how_many():
    assert of_last(100, 100) == "epoch 100"
    assert of_last(10, 103) == "epoch 10 of 103"


def test_does_not_import_streamlit():
    code = "import sys, twolayer.ui.view; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_one_epoch_is_singular():
    from twolayer.ui.text import count
    assert [count(n, "epoch") for n in (0, 1, 2)] == ["0 epochs", "1 epoch", "2 epochs"]
