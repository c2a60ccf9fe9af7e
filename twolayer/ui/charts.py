"""Drawing a figure from twolayer.figures in a page."""

import streamlit as st

from ..figures import NORMAL, PRESENT


def style():
    """The figure style for this session: PRESENT in presentation mode."""
    return PRESENT if st.session_state.get("present") else NORMAL


def show(fig, key=None):
    # theme=None: Streamlit's theme would otherwise override the figure's font sizes.
    return st.plotly_chart(fig, theme=None, key=key, config={"displaylogo": False})
