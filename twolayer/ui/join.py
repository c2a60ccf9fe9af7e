"""Join: the current view's link as a QR code, for a hall to follow on their phones.

In presentation mode a small "Join" button sits in the page's header bar, on every page. It
opens a dialog with the link of what is on screen (the page and its settings, as "Copy link"
gives it) as a QR code as large as the screen allows, and the short address under it. The
code is made here, by segno (pure Python), never by a web service.
"""

import io
from urllib.parse import urlsplit

import segno
import streamlit as st

from .text import literal

JOIN_KEY = "join"
# Fixed in Streamlit's header bar (3.75 rem tall, its own menu on the right), so that it takes
# no room from the page: the buttons and the pictures stay where they are.
JOIN_CSS = """
  .st-key-join { position: fixed; top: 0.55rem; right: 4.5rem; width: auto !important;
                 z-index: 999991; }
  [data-testid="stDialog"] img { max-height: 62vh; width: auto !important; margin: 0 auto;
                                 display: block; image-rendering: pixelated; }
"""


def qr_png(url, scale=12):
    """The QR code of ``url`` as PNG bytes: black modules on white, ``scale`` pixels each, with
    the quiet zone of 4 modules that readers need. Error correction M (15 %): a projector's
    glare or a low-contrast screen may spoil a few modules."""
    buf = io.BytesIO()
    segno.make_qr(url, error="m").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def short_address(url):
    """What a person would type: the host and the page, without the settings."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}".rstrip("/")


@st.dialog("Join on your phone", width="large")
def _join_dialog(url):
    with st.container(horizontal_alignment="center"):
        st.image(qr_png(url), caption="Scan to open this view with its settings")
        st.markdown(f"### {literal(short_address(url))}")


def join_button(url):
    """The header's Join button; its dialog shows ``url`` (the current view's link)."""
    st.html(f"<style>{JOIN_CSS}</style>")
    with st.container(key=JOIN_KEY):
        if st.button("Join", help="Show this view's link as a QR code for phones"):
            _join_dialog(url)
