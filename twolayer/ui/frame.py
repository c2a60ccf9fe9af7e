"""What every page shares besides the settings: presentation mode and the link to share."""

from urllib.parse import urlencode, urlsplit

import streamlit as st

from ..compare import COMPARE_LINK
from ..settings import SETTINGS, backprop_link
from .sidebar import NOTES
from .text import literal

# Each page's own link keys (Settings by key), by the page's url_path, given the settings.
PAGE_LINKS = {
    "mse-vs-log-loss": lambda settings: COMPARE_LINK,
    "chain-rule": lambda settings: backprop_link(settings["loss"]),
}

# Streamlit sizes its text in rem: a larger root font scales every word on the page at once.
PRESENT_CSS = """
<style>
  html { font-size: 22px !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem !important; }
  .katex { font-size: 1.3em !important; }
</style>
"""


def presenting():
    """Presentation mode, from the toggle or, before it exists, from ?present=1."""
    if "present" in st.session_state:
        return bool(st.session_state["present"])
    return SETTINGS["present"].clean(st.query_params.get("present", "0"))[0]


def page_config():
    present = presenting()
    st.set_page_config(page_title="twolayer", page_icon=":material/neurology:", layout="wide",
                       initial_sidebar_state="collapsed" if present else "auto")
    # Streamlit's default 6rem above the title pushes the pictures below a laptop's fold.
    st.html(PRESENT_CSS if present else
            '<style>[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }</style>')


def show_link_notes(notes):
    """One box per note about a value from the link, the value shown as typed (never as
    Markdown: a link may hold [text](url), **bold**, $math$ or an image)."""
    for note in notes:
        st.info("From the link: " + literal(note), icon=":material/link:")


def share_link(settings, page=None):
    """The address that reproduces what is on screen: the page, every changed setting, and
    the page's own keys (those that differ from their default), spelled as the app spells
    them.

    page : the current st.Page (st.navigation's return value); None for the default page.
    """
    url_path = page.url_path if page is not None else ""
    params = {k: s.url_text(settings[k]) for k, s in SETTINGS.items()
              if settings[k] != s.default}
    own = PAGE_LINKS.get(url_path, lambda _: {})(settings)
    for key, setting in own.items():
        value = st.session_state.get(key)
        if value is not None and value != setting.default:
            params[key] = setting.url_text(value)
    url = urlsplit(st.context.url or "http://localhost:8501/")
    # st.context.url is the app's root (the page's path trimmed, with or without a "/")
    query = urlencode(params)
    return (f"{url.scheme}://{url.netloc}{url.path.rstrip('/')}/{url_path}"
            + (f"?{query}" if query else ""))


def share_box(settings, page=None):
    """The link box, last on every page: the notes kept across a rewrite of the link have
    been shown by now."""
    st.session_state.pop(NOTES, None)
    with st.sidebar.expander(":material/link: Copy link to this view"):
        st.caption("Opens this page with these settings (copy button on the right).")
        st.code(share_link(settings, page), language=None, wrap_lines=True)
