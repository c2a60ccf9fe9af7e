"""Say plainly when training restarted because the page reached a server without its session.

Behind several replicas (deploy/), a page whose replica stopped reconnects, through the proxy,
to another one; the same happens when a lone server restarts while a page is open, and when a
page comes back after Streamlit dropped its disconnected session (server.disconnectedSessionTTL,
two minutes). The server then has no record of the session. Streamlit's frontend sends its
widget values with the first run there, so the settings survive, but the trained net, its
history and any uploaded file do not. That first run is the one where widget values arrive for
a session this server has never run, which never happens otherwise: a new tab or a reload
starts without widgets.

Streamlit's frontend asks for that run right after it reconnects only when the page has a timed
fragment; without one it waits for the next click, and until then the page goes on showing
numbers that no server holds any more. So the page has one, doing nothing, once an hour.
"""

import streamlit as st

from .streamlit_internals import widget_values_from_browser

SEEN = "_session_seen"  # this server has run this session before
RESTARTED = "_session_restarted"  # the notice stays up until the user dismisses it

NOTICE = ("**Training restarted.** The server no longer holds this page's session: it stopped "
          "and the page is now served by another, or the page was disconnected for more than "
          "a couple of minutes. Your settings are kept; the trained weights, the history and "
          "any uploaded file are not, so training starts again from epoch 0.")


@st.fragment(run_every="1h")
def _rerun_on_reconnect():
    """Empty: its timer alone makes the frontend rerun the page as soon as it reconnects."""


def restart_notice():
    """Call at the top of app.py, before any widget is drawn; shows the notice when due."""
    state = st.session_state
    if SEEN not in state:
        state[SEEN] = True
        if widget_values_from_browser():
            state[RESTARTED] = True
    _rerun_on_reconnect()
    if state.get(RESTARTED):
        with st.container(key="restart_notice"):
            st.warning(NOTICE, icon=":material/restart_alt:")
            st.button("Dismiss", key="restart_dismiss", on_click=state.pop,
                      args=(RESTARTED, None))
