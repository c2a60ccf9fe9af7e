"""A clicker on the pages without live charts (twolayer/ui/keys.py): Loss landscape and
Backprop, in presentation mode at 1024 x 768, after clicks on a radio button and a toggle, never
while typing in a number field; Space never scrolls the page."""

import re

from tests.browser_util import exception_texts, screenshot_path, wait_for_app

T = 90_000


def shown_epoch(page):
    """The Loss landscape's "Epoch N", as the page shows it."""
    text = page.locator('[data-testid="stMain"]').get_by_text(re.compile(r"^Epoch \d+$")).first
    return int(text.inner_text().split()[1])


def press(page, key):
    before = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop"
                           " + window.scrollY")
    page.keyboard.press(key)
    page.wait_for_timeout(300)
    wait_for_app(page, timeout=T)
    after = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop"
                          " + window.scrollY")
    return after - before


def test_a_clicker_drives_the_loss_landscape(browser, app_server):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        page.goto(f"{app_server}/loss-landscape?present=1&epochs_per_run=10", timeout=T)
        wait_for_app(page, timeout=T)
        page.get_by_role("button", name="Step", exact=True).wait_for(timeout=T)
        assert shown_epoch(page) == 0
        # After a click on a radio button (where → would move the choice) ...
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("slope |grad|", exact=True).click()
        wait_for_app(page, timeout=T)
        assert press(page, "ArrowRight") == 0
        page.wait_for_function("() => /Epoch 1(?!\\d)/.test(document.body.innerText)", timeout=T)
        assert shown_epoch(page) == 1
        # ... and after a toggle: Space trains (the page's Play) and does not scroll.
        main.get_by_role("switch").first.focus()
        label = main.get_by_role("button", name=re.compile(r"^Train \d+$")).inner_text()
        trained = 1 + int(label.split()[1])
        assert press(page, " ") == 0
        page.wait_for_function(f"() => /Epoch {trained}(?!\\d)/.test(document.body.innerText)",
                               timeout=T)
        assert press(page, "PageDown") == 0
        page.wait_for_function(f"() => /Epoch {trained + 1}(?!\\d)/.test(document.body.innerText)",
                               timeout=T)
        # Typing in a number field is typing, not a clicker.
        field = main.get_by_role("spinbutton").first
        field.click()
        field.press("ArrowRight")
        field.press("r")
        page.wait_for_timeout(1000)
        wait_for_app(page, timeout=T)
        assert shown_epoch(page) == trained + 1
        page.screenshot(path=screenshot_path("keys_landscape_1024x768"))
        # R resets (outside a field).
        page.locator('[data-testid="stMain"] h1').first.click()
        press(page, "r")
        page.wait_for_function("() => /Epoch 0(?!\\d)/.test(document.body.innerText)", timeout=T)
        assert exception_texts(page) == []
    finally:
        context.close()


def test_a_clicker_takes_one_backprop_step(browser, app_server):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        page.goto(f"{app_server}/chain-rule?present=1", timeout=T)
        wait_for_app(page, timeout=T)
        page.get_by_role("button", name="Take one step").wait_for(timeout=T)
        assert page.get_by_text("L before").count() == 0
        assert press(page, "ArrowRight") == 0
        page.get_by_text("L before").first.wait_for(timeout=T)
        assert exception_texts(page) == []
    finally:
        context.close()
