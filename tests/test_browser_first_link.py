"""A fresh server's very first request is a shared link to a page.

Until app.py has run once, Streamlit reads the pages/ folder as a multipage app of its own, and a
link whose path is a page file's name (/sweep is pages/sweep.py) ran that file alone: a KeyError
traceback instead of the page. A lecturer's link to the hall, or a hosted replica just started,
meets exactly that.
"""

from tests.browser_util import VIEWPORT, exception_texts, wait_for_app
from tests.conftest import streamlit_server


def test_a_fresh_servers_first_link_to_the_sweep_opens_the_page_in_its_frame(browser):
    with streamlit_server() as base_url:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(f"{base_url}/sweep?sweep_seeds=2&sweep_epochs=20")
            wait_for_app(page, timeout=90000)
            main = page.locator('[data-testid="stMain"]')
            main.get_by_role("heading", name="Sweep: learning rates × seeds").wait_for(
                timeout=60000)
            assert exception_texts(page) == []
            # The frame is there: the sidebar's settings and the app's own navigation.
            sidebar = page.locator('[data-testid="stSidebar"]')
            assert sidebar.get_by_text("Dataset", exact=True).count() == 1
            assert sidebar.get_by_role("link", name="MSE vs log-loss").count() == 1
            page.locator(".st-key-sweep_figure .nsewdrag").first.wait_for(timeout=60000)
        finally:
            context.close()
