"""A clicker on every page, in presentation mode at 1024 x 768: the live charts' keys (live.js,
Playground and MSE vs log-loss) and twolayer/ui/keys.py's (Loss landscape, Sweep, Backprop),
after clicks on a select box, a radio button and a toggle, never while typing in a number field;
Space never scrolls the page; "Undo reset" brings back the run a clicker's R reset."""

import re

import pytest

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
        page.goto(f"{app_server}/loss-landscape?present=1&ls_grid=21", timeout=T)
        wait_for_app(page, timeout=T)
        field = page.locator('[data-testid="stMain"]').get_by_role("spinbutton").first
        field.fill("10")   # Play: the next 10 epochs
        field.press("Enter")
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
        # ... and after a toggle: Space plays (10 epochs, 5 per picture) and does not scroll.
        main.get_by_role("switch").first.focus()
        trained = 1 + 10
        assert press(page, " ") == 0
        page.wait_for_function(f"() => /Epoch {trained}(?!\\d)/.test(document.body.innerText)",
                               timeout=T)
        main.get_by_role("button", name="Play", exact=True).wait_for(timeout=T)   # done
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
        # ... and the run before is one click away.
        page.get_by_role("button", name="Undo reset").click()
        wait_epoch(page, trained + 1)
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
        click_the_lesson_picker(page)
        assert press(page, "ArrowRight") == 0
        page.get_by_text("L before").first.wait_for(timeout=T)
        assert exception_texts(page) == []
    finally:
        context.close()


# -- every page: after a select box and a toggle, never from a number field -----------------------

EPOCH = re.compile(r"Epoch\s+(\d+)")


def epoch_on(page):
    """The first "Epoch N" of the page's main area (a band's metric or its title)."""
    return int(EPOCH.search(page.locator('[data-testid="stMain"]').inner_text()).group(1))


def wait_epoch(page, n):
    page.wait_for_function(
        """n => { const m = document.querySelector('[data-testid="stMain"]').innerText
                    .match(/Epoch\\s+(\\d+)/); return m !== null && +m[1] === n; }""",
        arg=n, timeout=T)


def click_the_lesson_picker(page):
    """A click on a select box (the lesson picker in the header bar), its list opened and the
    same lesson chosen again: the focus stays on the closed select box."""
    page.locator(".st-key-lesson-header [data-testid='stSelectbox']").click()
    page.get_by_role("option").first.wait_for(timeout=T)
    page.get_by_role("option", name="none", exact=True).click()
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "combobox"


def open_present(browser, url):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(url, timeout=T)
    wait_for_app(page, timeout=T)
    return context, page


@pytest.mark.parametrize("path", ["", "mse-vs-log-loss"])
def test_the_live_charts_take_the_clicker_after_a_select_box_and_a_toggle(browser, app_server,
                                                                           path):
    context, page = open_present(browser, f"{app_server}/{path}?present=1")
    try:
        main = page.locator('[data-testid="stMain"]')
        main.get_by_role("button", name="Step", exact=True).wait_for(timeout=T)
        wait_epoch(page, 0)
        click_the_lesson_picker(page)
        assert press(page, "ArrowRight") == 0
        wait_epoch(page, 1)
        if path == "":   # the Playground: its toggles live in the pictures' menu
            main.locator('[data-testid="stPopover"] button').first.click()
            switch = page.get_by_role("switch").first
        else:                # a toggle of the sidebar's, opened over the page
            page.locator('[data-testid="stExpandSidebarButton"]').click()
            switch = page.locator('[data-testid="stSidebar"]').get_by_role("switch").first
        switch.wait_for(timeout=T)
        switch.focus()
        assert page.evaluate("() => document.activeElement.getAttribute('role')") == "switch"
        checked = switch.is_checked()
        assert press(page, "PageDown") == 0
        wait_epoch(page, 2)
        assert switch.is_checked() == checked       # the key stepped, it did not flip the toggle
        page.keyboard.press("Escape")
        # Typing in a number field is typing, not a clicker.
        field = main.get_by_role("spinbutton").first
        field.click()
        for key in ("ArrowRight", "r", "PageDown"):
            field.press(key)
        page.wait_for_timeout(1000)
        wait_for_app(page, timeout=T)
        assert epoch_on(page) == 2
        # R resets; Undo reset brings the run back.
        main.locator("h1").first.click()
        press(page, "r")
        wait_epoch(page, 0)
        main.get_by_role("button", name="Undo reset").click()
        wait_epoch(page, 2)
        page.screenshot(path=screenshot_path(f"keys_{path or 'playground'}_1024x768"))
        assert exception_texts(page) == []
    finally:
        context.close()


def test_a_clicker_runs_the_sweep(browser, app_server):
    context, page = open_present(browser, f"{app_server}/sweep?present=1&samples=200&"
                                          "sweep_lr_min=0.1&sweep_lr_max=3.0&sweep_seeds=3&"
                                          "sweep_epochs=30")
    try:
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("From the saturated start", exact=False).first.wait_for(timeout=T)
        assert page.get_by_text("trained again just now", exact=False).count() == 0
        click_the_lesson_picker(page)
        assert press(page, "ArrowRight") == 0
        page.get_by_text("Run 1: trained again just now", exact=False).wait_for(timeout=T)
        switch = main.get_by_role("switch").first         # the start the picture shows
        switch.click(force=True)
        page.wait_for_function("() => document.querySelector('[role=switch]').checked",
                               timeout=T)
        wait_for_app(page, timeout=T)
        switch.focus()
        assert page.evaluate("() => document.activeElement.getAttribute('role')") == "switch"
        assert press(page, " ") == 0
        page.get_by_text("Run 2: trained again just now", exact=False).wait_for(timeout=T)
        assert exception_texts(page) == []
    finally:
        context.close()
