"""AppTest: a lesson is one story across the pages (twolayer/ui/lessons.py).

``?lesson=saturated`` must put the same data, activation, learning rate, batch and start in
force on the Playground, MSE vs log-loss, the Loss landscape, the Sweep and Backprop, and the
sidebar must say so. The expected values are written here from the lesson as the issue states
it (moons, 500 samples, sigmoid, learning rate 1, the full batch, b2 = -8), not read back from
the code under test.
"""

import numpy as np
import pytest
import streamlit as st

import twolayer.sweep
from tests.apptest_util import open_page
from twolayer.data import make_dataset

SATURATED = dict(activation="sigmoid", lr=1.0, batch="all", b2=-8.0)
FAIR = dict(activation="sigmoid", lr=1.0, batch=32, b2=0.0)
MOONS = make_dataset("moons", 500, 0.2, 0.3, 0)   # the lesson's data, by hand
N_TRAIN = MOONS.X_train.shape[1]


def check_trainer(t, expected):
    assert t.net.activation == expected["activation"]
    assert t.lr == expected["lr"]
    assert t.batch_size == (N_TRAIN if expected["batch"] == "all" else expected["batch"])
    assert np.all(t.net.b2 == expected["b2"])
    assert np.array_equal(t.X, MOONS.X_train)


def check_sidebar(at, expected):
    """The sidebar names every value in force that its own widget does not show."""
    warnings = " ".join(w.value for w in at.sidebar.warning)
    shown = {"activation": at.selectbox(key="activation").value,
             "lr": at.select_slider(key="lr").value, "batch": at.select_slider(key="batch").value}
    for key in ("activation", "lr", "batch"):
        if shown[key] == expected[key]:
            assert f"**{expected[key]}**" not in warnings, (key, warnings)
        else:
            assert f"**{expected[key]}**" in warnings, (key, warnings)


class RecordingSweep(twolayer.sweep.Sweep):
    """The Sweep the page builds, with what it was built with."""

    made = []

    def __init__(self, data, grid, **kw):
        RecordingSweep.made.append(dict(kw, X=data.X_train))
        super().__init__(data, grid, **kw)


@pytest.fixture
def recorded_sweeps(monkeypatch):
    st.cache_data.clear()   # a sweep cached by an earlier test would not be built again
    RecordingSweep.made = []
    monkeypatch.setattr(twolayer.sweep, "Sweep", RecordingSweep)
    yield RecordingSweep.made
    st.cache_data.clear()


@pytest.mark.parametrize("lesson, expected", [("saturated", SATURATED), ("fair", FAIR)])
def test_the_playground_trains_the_lesson(lesson, expected):
    at = open_page(None, lesson=lesson)
    check_trainer(at.session_state["trainer"][1], expected)
    check_sidebar(at, expected)
    assert at.selectbox(key="lesson").value == lesson


def test_mse_vs_log_loss_trains_the_lesson():
    at = open_page("pages/compare.py", lesson="saturated")
    for t in at.session_state["compare"][1].trainers.values():
        check_trainer(t, SATURATED)
    check_sidebar(at, SATURATED)


def test_the_loss_landscape_trains_the_lesson():
    at = open_page("pages/landscape.py", lesson="saturated")
    run = at.session_state["landscape"][1]
    for t in run.trainers.values():
        check_trainer(t, SATURATED)
    check_sidebar(at, SATURATED)
    assert at.toggle(key="ls_saturated").value is True


def test_the_loss_landscape_takes_the_fair_lessons_start():
    at = open_page("pages/landscape.py", lesson="fair")
    for t in at.session_state["landscape"][1].trainers.values():
        check_trainer(t, FAIR)
    assert at.toggle(key="ls_saturated").value is False


def test_the_sweep_trains_the_lesson(recorded_sweeps):
    at = open_page("pages/sweep.py", lesson="saturated")
    assert recorded_sweeps, "the page built no sweep"
    for made in recorded_sweeps:
        assert made["activation"] == "sigmoid" and made["batch_size"] is None
        assert np.array_equal(made["X"], MOONS.X_train)
    # the lesson's start is one of the sweep's starts
    assert -8.0 in [made["output_bias"] for made in recorded_sweeps]
    # (AppTest's tree of this page has no sidebar, with or without a lesson: what the sidebar
    # gets is what every page gets, checked on the others.)
    assert at.session_state["settings"]["lr"] == 1.0


def test_backprop_steps_the_lessons_net():
    at = open_page("pages/backprop.py", lesson="saturated")
    net = at.session_state["backprop_net"]["net"]
    assert net.activation == "sigmoid" and np.all(net.b2 == -8.0)
    assert at.session_state["settings"]["lr"] == 1.0   # the page's alpha
    check_sidebar(at, SATURATED)


def test_the_lesson_goes_with_the_page_links_and_the_copied_link():
    at = open_page(None, lesson="saturated")
    for page in ("pages/landscape.py", "pages/backprop.py", "pages/compare.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert at.selectbox(key="lesson").value == "saturated"
        check_sidebar(at, SATURATED)
        link = [c.value for c in at.sidebar.code][-1]
        assert "lesson=saturated" in link


def test_leaving_the_lesson_is_one_click():
    at = open_page("pages/landscape.py", lesson="saturated")
    at.button(key="lesson_leave").click().run()
    assert at.selectbox(key="lesson").value == "none"
    assert not at.sidebar.warning
    for t in at.session_state["landscape"][1].trainers.values():
        assert t.net.activation == "tanh" and t.lr == 0.3 and t.batch_size == 32
    assert "lesson=" not in [c.value for c in at.sidebar.code][-1]


def test_a_lessons_button_on_the_playground_opens_it_and_it_holds():
    at = open_page(None)
    check_trainer_default = at.session_state["trainer"][1]
    assert check_trainer_default.net.activation == "tanh"
    at.button(key="lesson_open_saturated").click().run()
    assert not at.exception
    assert at.selectbox(key="lesson").value == "saturated"
    check_trainer(at.session_state["trainer"][1], SATURATED)
    at.switch_page("pages/compare.py").run()
    for t in at.session_state["compare"][1].trainers.values():
        check_trainer(t, SATURATED)


def test_reset_on_the_playground_keeps_the_lessons_start():
    at = open_page(None, lesson="saturated")
    at.button(key="pg_step").click().run()
    assert at.session_state["trainer"][1].epoch == 1
    at.button(key="pg_reset").click().run()
    t = at.session_state["trainer"][1]
    assert t.epoch == 0 and np.all(t.net.b2 == -8.0)
