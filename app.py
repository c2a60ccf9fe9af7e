"""twolayer: a two-layer network you can watch learn. Run with `streamlit run app.py`.

`streamlit run` finds ``app`` below, an st.App: this file as the app's script, and beside
Streamlit's own routes one of the app's, Play's chunks (twolayer.ui.feed). Streamlit runs the
script as ``__main__``; imported by name (as `streamlit run` does to find ``app``) it draws
nothing.
"""

import streamlit as st

from twolayer.ui.feed import ROUTES
from twolayer.ui.frame import (
    framed,
    page_config,
    presenting,
    share_box,
    share_link,
    show_link_notes,
)
from twolayer.ui.join import join_button
from twolayer.ui.lessons import in_force, lesson_picker, read_lesson_link, story
from twolayer.ui.restart import restart_notice
from twolayer.ui.sidebar import settings_sidebar

if __name__ != "__main__":
    app = st.App(__file__, routes=ROUTES)
else:
    page_config()
    restart_notice()  # before any widget: a session this server never ran, with widget values

    # Each url_path differs from its file's name on purpose: with a pages/ folder beside app.py,
    # Streamlit's AppTest also registers every file in it as a page of its own under the file's
    # name, and a rerun would then run the page file alone, without this frame and its sidebar.
    PAGES = [
        st.Page("pages/playground.py", title="Playground", icon=":material/tune:", url_path="play",
                default=True),
        st.Page("pages/compare.py", title="MSE vs log-loss", icon=":material/balance:",
                url_path="mse-vs-log-loss"),
        st.Page("pages/backprop.py", title="Backprop, step by step", icon=":material/account_tree:",
                url_path="chain-rule"),
        st.Page("pages/sweep.py", title="Sweep: learning rates",
                icon=":material/stacked_line_chart:", url_path="sweep"),
        st.Page("pages/landscape.py", title="Loss landscape", icon=":material/landscape:",
                url_path="loss-landscape"),
    ]

    page = st.navigation(PAGES)
    lesson_box = st.sidebar.container()   # the lesson first in the sidebar, drawn after it
    settings, link_notes = settings_sidebar()
    link_notes += read_lesson_link()
    if not presenting():
        lesson_picker(False, lesson_box)
    # What every page trains with: the sidebar's settings, a lesson's on top (the sidebar says so).
    st.session_state["settings"] = in_force(settings)
    if (line := story(page.url_path)) and not presenting():
        lesson_box.caption(line)
    show_link_notes(link_notes)
    with framed():
        page.run()
    share_box(settings, page)
    if presenting():
        lesson_picker(True)   # in the header bar, next to Join
        join_button(share_link(settings, page))
