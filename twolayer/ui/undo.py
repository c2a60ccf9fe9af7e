"""Undo reset: the run before a Reset (its weights and history) kept one click away.

A clicker's R resets without asking (Playground, MSE vs log-loss, Loss landscape); a Reset by
mistake in a lecture is then one click from undone. What a page holds in session state under
``key`` is a tuple whose first item is the signature of the settings it was built for: the run
before comes back only while those settings are the same and the new run has not trained yet.
"""

import streamlit as st

PREFIX = "_before_reset_"


def keep(key):
    """Call before a Reset replaces st.session_state[key]: the run before is kept."""
    st.session_state[PREFIX + key] = st.session_state.get(key)


def offer(key, epoch, epoch_of, box=None, then=None):
    """An "Undo reset" button in ``box`` (default: here) while st.session_state[key] is a
    Reset's run at ``epoch`` 0 of the same settings as the run kept; ``epoch_of(run)`` names
    the kept run's epoch in the button's help; ``then`` runs after the undo (a callback)."""
    before, now = st.session_state.get(PREFIX + key), st.session_state.get(key)
    if before is None or now is None or epoch != 0 or before[0] != now[0] or \
            before[1] is now[1]:
        return
    (box or st).button("Undo reset", key=f"undo_{key}", on_click=_undo, args=(key, then),
                       icon=":material/undo:",
                       help=f"Back to the run before Reset, at epoch {epoch_of(before[1])}")


def _undo(key, then):
    st.session_state[key] = st.session_state.pop(PREFIX + key)
    if then is not None:
        then()
