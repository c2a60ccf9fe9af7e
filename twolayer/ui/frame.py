"""What every page shares besides the settings: presentation mode and the link to share."""

from urllib.parse import urlencode, urlsplit

import streamlit as st

from ..settings import SETTINGS

# Page-level keys that a link carries as well, when a page has set them.
PAGE_KEYS = ("epochs_per_run", "lesson", "output_bias", "lr_factor", "sample", "bp_loss",
             "sweep_lr_min", "sweep_lr_max", "sweep_seeds", "sweep_epochs", "sweep_target",
             "sweep_saturated", "ls_x", "ls_y", "ls_span", "ls_grid", "ls_saturated", "ls_color",
             "ls_3d")

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


def share_link(settings):
    """The address that reproduces what is on screen: the page, every changed setting, and
    the page's own keys."""
    params = {k: v for k, v in settings.items() if v != SETTINGS[k].default}
    params.update({k: st.session_state[k] for k in PAGE_KEYS
                   if st.session_state.get(k) not in (None, "")})
    params = {k: int(v) if isinstance(v, bool) else v for k, v in params.items()}
    url = urlsplit(st.context.url or "http://localhost:8501/")
    query = urlencode(params)
    return f"{url.scheme}://{url.netloc}{url.path}" + (f"?{query}" if query else "")


def share_box(settings):
    with st.sidebar.expander(":material/link: Copy link to this view"):
        st.caption("Opens this page with these settings (copy button on the right).")
        st.code(share_link(settings), language=None, wrap_lines=True)
