"""What every page shares besides the settings: presentation mode and the link to share."""

import runpy
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import streamlit as st

from ..settings import LANDSCAPE_SETTINGS, SETTINGS, SWEEP_SETTINGS, backprop_link
from .lesson_book import COMPARE_LINK
from .sidebar import NOTES
from .text import literal

# The tab's icon, served by the app itself (a :material/...: icon is fetched from a font CDN).
ICON = str(Path(__file__).parent / "static" / "icon.svg")

# Each page's own link keys (Settings by key), by the page's url_path, given the settings. A
# key whose Setting is None goes into the link as the page holds it (a parameter's name).
PAGE_LINKS = {
    "mse-vs-log-loss": lambda settings: COMPARE_LINK,
    "chain-rule": lambda settings: backprop_link(settings["loss"]),
    "sweep": lambda settings: SWEEP_SETTINGS,
    "loss-landscape": lambda settings: {**LANDSCAPE_SETTINGS, "ls_x": None, "ls_y": None},
}

# Streamlit's header bar is 3.75rem tall and stays on top: the first element (a link's note)
# starts below it. The title is a calm 2rem and a page's numbers are one band (a container
# keyed "numbers-...", each label beside its value), so that the picture starts high enough to
# be seen with its controls. Text that does not fit a button or a widget's label wraps instead
# of being cut to "Re...", and a button's label wraps only between words ("Regenera/te" in a
# narrow sidebar column): its padding gives way first.
PAGE_CSS = """
  [data-testid="stMainBlockContainer"] { padding-top: 4rem !important; }
  [data-testid="stMain"] h1 { font-size: 2rem !important; padding: 0 0 0.25rem !important; }
  [class*="st-key-stage"], [class*="st-key-stage"] [data-testid="stVerticalBlock"] {
    gap: 0.5rem !important;
  }
  [class*="st-key-numbers"] { gap: 0 1.75rem !important; }
  [class*="st-key-numbers"] [data-testid="stMetric"] { width: auto !important; flex: 0 1 auto; }
  [class*="st-key-numbers"] [data-testid="stMetric"] > div {
    display: flex; align-items: baseline; gap: 0.5rem;
  }
  [class*="st-key-numbers"] [data-testid="stSlider"] { padding: 0 0.5rem; }
  [class*="st-key-numbers"] > [class*="st-key-history"] { flex: 1 1 12rem !important; }
  [class*="st-key-numbers"] [data-testid="stMetricValue"] {
    font-size: 1.4rem !important; line-height: 1.3 !important;
  }
  [class*="st-key-numbers"] [data-testid="stMetricLabel"] { min-height: 0 !important; }
  button [data-testid="stMarkdownContainer"], button p,
  [data-testid="stLinkButton"] [data-testid="stMarkdownContainer"], [data-testid="stLinkButton"] p,
  label [data-testid="stMarkdownContainer"], label p, [data-testid="stWidgetLabel"] p {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  }
  button [data-testid="stMarkdownContainer"], button p,
  [data-testid="stLinkButton"] [data-testid="stMarkdownContainer"], [data-testid="stLinkButton"] p {
    word-break: normal !important; overflow-wrap: normal !important; hyphens: none !important;
  }
  [data-testid="stBaseButton-secondary"], [data-testid="stBaseButton-primary"] {
    padding-left: 0.5rem !important; padding-right: 0.5rem !important;
  }
"""
# On a touch screen a chart is a picture the page scrolls over: a finger dragged across a plot
# would zoom it (Plotly's drag layer takes the touch) where a reader means to scroll, and
# Plotly's toolbar, always shown on touch, lies over the titles. So the drag layer lets touches
# through to the page and the toolbar is hidden; a picture is enlarged with the browser's own
# pinch zoom, which keeps the axes as they were.
TOUCH_CSS = """
  @media (pointer: coarse) {
    .js-plotly-plot .draglayer, .js-plotly-plot .draglayer * { pointer-events: none !important; }
    .js-plotly-plot .modebar-container { display: none !important; }
  }
"""
# Streamlit sizes its text in rem: a larger root font scales every word on the page at once.
# Formulas keep the text's size (KaTeX's own 1.21 em would cut the longer ones at 1024 px);
# a projector at 1024 x 768 gets a slightly smaller root than one at 1280 x 720.
PRESENT_CSS = """
  html { font-size: 22px !important; }
  .katex { font-size: 1em !important; }
  @media (max-width: 1200px) {
    html { font-size: 20px !important; }
    .katex { font-size: 0.9em !important; }
  }
  [data-testid="stMain"] h1 { padding-top: 0 !important; }
  [class*="st-key-aside-"],
  [data-testid="stLayoutWrapper"]:has(> [class*="st-key-aside-"]),
  [data-testid="stLayoutWrapper"]:has(> [data-testid="stExpander"]
                                      [data-testid="stFileUploader"]),
  [data-testid="stLayoutWrapper"]:has(> [data-testid="stExpander"]
                                      [data-testid="stDownloadButton"]) {
    display: none !important;
  }
"""
ASIDE = "aside-"


def aside(name):
    """A container for what a hall does not need (a page's caption, links to lessons): shown as
    usual, hidden in presentation mode (so are expanders of uploads and downloads), so that the
    buttons, the numbers and the top of the first chart fit a projector's 768 px without
    scrolling. ``name``: unique on the page; a container of this kind takes
    ``key=aside_key(name)``."""
    return st.container(key=aside_key(name))


def aside_key(name):
    return ASIDE + name


def presenting():
    """Presentation mode, from the toggle or, before it exists, from ?present=1."""
    if "present" in st.session_state:
        return bool(st.session_state["present"])
    return SETTINGS["present"].clean(st.query_params.get("present", "0"))[0]


def page_config():
    present = presenting()
    st.set_page_config(page_title="twolayer", page_icon=ICON, layout="wide",
                       initial_sidebar_state="collapsed" if present else "auto")
    # (Streamlit's default 6rem above the title pushes the pictures below a laptop's fold.)
    st.html(f"<style>{PAGE_CSS}{TOUCH_CSS}{PRESENT_CSS if present else ''}</style>")


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
    if st.session_state.get("lesson", "none") != "none":   # a lesson is one story: every page
        params["lesson"] = st.session_state["lesson"]
    own = PAGE_LINKS.get(url_path, lambda _: {})(settings)
    for key, setting in own.items():
        value = st.session_state.get(key)
        if setting is None and value not in (None, ""):
            params[key] = str(value)
        elif setting is not None and value is not None and value != setting.default:
            params[key] = setting.url_text(value)
    url = urlsplit(st.context.url or "http://localhost:8501/")
    # st.context.url: the address without its query, with or without the page's own path
    root = url.path.rstrip("/")
    if url_path and root.endswith("/" + url_path):
        root = root[:-len(url_path) - 1]
    query = urlencode(params)
    return f"{url.scheme}://{url.netloc}{root}/{url_path}" + (f"?{query}" if query else "")


def share_box(settings, page=None):
    """The link box, last on every page: the notes kept across a rewrite of the link have
    been shown by now."""
    st.session_state.pop(NOTES, None)
    with st.sidebar.expander(":material/link: Copy link to this view"):
        st.caption("Opens this page with these settings (copy button on the right).")
        st.code(share_link(settings, page), language=None, wrap_lines=True)


_frame = threading.local()   # Streamlit runs each session's script in a thread of its own


@contextmanager
def framed():
    """The app runs its page inside this: the page then knows it has its frame."""
    _frame.on = True
    try:
        yield
    finally:
        _frame.on = False


def run_in_the_app():
    """Run the app around a page that Streamlit started on its own, and stop there.

    On a server's very first request, before app.py has declared its navigation, Streamlit
    reads the pages/ folder as a multipage app of its own: a link to /sweep then ran
    pages/sweep.py alone, without the sidebar and the settings every page reads (a KeyError in
    the page). Such a page runs app.py instead, whose navigation runs the page in its frame.
    """
    if getattr(_frame, "on", False):
        return
    runpy.run_path(str(Path(__file__).resolve().parents[2] / "app.py"), run_name="__main__")
    st.stop()
