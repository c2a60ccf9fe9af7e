"""The "Join" button: the current view's link as a QR code, read back by an independent reader
(zxing-cpp), from the bytes the app makes and from the screen of a browser."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.apptest_util import open_page
from tests.browser_util import APP_IDLE, exception_texts, screenshot_path, wait_for_app
from tests.shown_text import as_shown
from twolayer.ui.join import qr_png, short_address

# The Sweep page's url_path is its file's name, so AppTest's switch_page runs that file alone,
# without app.py's frame (see app.py): its Join button is checked in the browser test instead.
PAGES = ["pages/playground.py", "pages/compare.py", "pages/backprop.py", "pages/landscape.py"]


def decode(png):
    """The texts of the QR codes in a PNG image."""
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image)
            if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize("url", [
    "http://localhost:8501/",
    "https://demo.example.org/mse-vs-log-loss?lesson=saturated&present=true",
    "http://127.0.0.1:8501/loss-landscape?ls_x=W2%5B0%2C0%5D&ls_y=b2&hidden=64&samples=5000"
    "&dataset=spiral&noise=0.35&lr=0.03&batch=8&seed=999999&ls_grid=120&ls_span=16.0",
])
def test_the_qr_code_reads_back_as_the_link(url):
    assert decode(qr_png(url)) == [url]


def test_the_short_address_is_the_host_and_the_page():
    assert short_address("https://demo.example.org/sweep?seed=3&present=true") == \
        "demo.example.org/sweep"


@pytest.mark.parametrize("page", PAGES)
def test_join_is_offered_in_presentation_mode_only(page):
    presented = open_page(page, present="1")
    joins = [b for b in presented.button if b.label == "Join"]
    assert len(joins) == 1
    plain = open_page(page)
    assert [b for b in plain.button if b.label == "Join"] == []


def test_join_opens_the_dialog_with_the_short_address():
    at = open_page("pages/compare.py", present="1", hidden="4")
    next(b for b in at.button if b.label == "Join").click().run()
    assert not at.exception
    shown = [as_shown(m.value) for m in at.markdown]
    assert "### localhost:8501/mse-vs-log-loss" in shown, shown[-3:]


def test_the_qr_code_on_screen_opens_the_view_shown(browser, app_server):
    """On a projector's screen: the code in the dialog, as the browser draws it, reads back
    as the address of the page with its settings."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        page.goto(f"{app_server}/mse-vs-log-loss?present=1&hidden=4&lr=1", timeout=60_000)
        wait_for_app(page, timeout=60_000)
        page.get_by_role("button", name="Join", exact=True).click()
        image = page.locator('[data-testid="stDialog"] img').first
        image.wait_for(timeout=30_000)
        page.wait_for_selector(APP_IDLE, timeout=30_000)
        box = image.bounding_box()
        assert box["height"] >= 0.45 * 768, box  # large enough to read across a hall
        page.screenshot(path=screenshot_path("join_dialog_1024x768"))
        texts = decode(image.screenshot())
        assert len(texts) == 1, texts
        shown, expected = urlsplit(texts[0]), urlsplit(page.url)
        assert (shown.netloc, shown.path) == (expected.netloc, expected.path)
        assert parse_qs(shown.query) == parse_qs(expected.query) == {
            "present": ["true"], "hidden": ["4"], "lr": ["1.0"]}
        assert exception_texts(page) == []
        page.goto(f"{app_server}/sweep?present=1", timeout=60_000)
        wait_for_app(page, timeout=60_000)
        # The Join button comes last in a run, after the sweep: wait for it, not for an idle
        # moment that may come before the run.
        page.get_by_role("button", name="Join", exact=True).wait_for(timeout=90_000)
        page.goto(f"{app_server}/sweep", timeout=60_000)
        wait_for_app(page, timeout=60_000)
        assert page.get_by_role("button", name="Join", exact=True).count() == 0
    finally:
        context.close()
