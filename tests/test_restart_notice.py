"""The "Training restarted" notice (twolayer/ui/restart.py) through Streamlit's AppTest.

A server that has no record of a session, yet receives that session's widget values, is what
a browser that reconnected to another replica (or to a restarted server) looks like from the
server. AppTest sends its widgets' values on every run, like a browser: removing the session's
mark from its state makes the next run one of a session this server never ran. The real thing,
a replica killed under Chromium pages, is tests/test_cluster.py.
"""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from twolayer.ui.restart import SEEN

APP = str(Path(__file__).resolve().parent.parent / "app.py")
RESTARTED = "Training restarted"


def notices(at):
    return [w.value for w in at.warning if RESTARTED in w.value]


def open_app():
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_new_session_and_its_reruns_show_no_notice():
    at = open_app()
    assert notices(at) == []
    at.slider(key="hidden").set_value(5).run()
    assert notices(at) == []
    assert at.slider(key="hidden").value == 5


def test_widget_values_for_a_session_this_server_never_ran_say_training_restarted():
    at = open_app()
    at.slider(key="hidden").set_value(5).run()
    del at.session_state[SEEN]  # all this server knows of the session, gone
    at.run()
    assert not at.exception
    [text] = notices(at)
    assert "epoch 0" in text and "settings are kept" in text
    assert at.slider(key="hidden").value == 5  # the browser's value, kept
    # It stays up through the next clicks until it is dismissed.
    at.run()
    assert len(notices(at)) == 1
    at.button(key="restart_dismiss").click().run()
    assert notices(at) == []
    at.run()
    assert notices(at) == []
