"""End to end: rapid Play/Pause, rapid Step and a page switch while playing (one at a time in
the live chart component; no chart left blank, no uncaught error)."""

import pytest

from tests.test_browser import _open_playground, _title, _wait_epoch

pytestmark = pytest.mark.browser

# JS: every live chart has a drawn SVG and data (Plotly's element not cleared).
ALL_DRAWN = """() => {
    const charts = [...document.querySelectorAll('.tl-live .tl-chart')];
    return charts.length === 4 && charts.every(
        (g) => g.querySelector('.main-svg') && g._fullLayout && g.data && g.data.length > 0);
}"""


def _errors(page):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _steps(page, n):
    page.locator("h1").first.click()           # the page has the focus, no control
    for i in range(1, n + 1):
        page.keyboard.press("ArrowRight")
        _wait_epoch(page, i)


def _paused(page):
    """Wait until the page has finished with Play: paused (Pause pressed if it plays)."""
    from tests.browser_util import wait_for_app

    wait_for_app(page, timeout=90000)
    page.wait_for_timeout(1500)
    wait_for_app(page, timeout=90000)
    if page.get_by_role("button", name="Pause", exact=True).count():
        page.keyboard.press("Space")
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=90000)
    wait_for_app(page, timeout=90000)
    page.wait_for_timeout(1000)
    wait_for_app(page, timeout=90000)


@pytest.mark.parametrize("trial", range(3))
def test_rapid_play_pause_leaves_every_chart_drawn_and_agreeing(page, app_server, trial):
    errors = _errors(page)
    _open_playground(page, app_server)
    _steps(page, 30)
    for _ in range(20):
        page.keyboard.press("Space")
        page.wait_for_timeout(150)
    _paused(page)
    page.wait_for_function(ALL_DRAWN, timeout=30000)
    title = page.evaluate(_title())
    epoch = int(title.rsplit(" ", 1)[-1])
    _wait_epoch(page, epoch, timeout=30000)          # the numbers say the picture's epoch
    assert errors == []


def test_rapid_steps_each_count_and_raise_no_error(page, app_server):
    """30 quick clicks on Step: each is one epoch (a click during a Step's rerun waits its
    turn, the button says it is busy); the numbers and the title agree, nothing is thrown."""
    errors = _errors(page)
    _open_playground(page, app_server)
    page.evaluate("""async () => {
        const b = [...document.querySelectorAll('button')].find(
            (e) => e.innerText.trim() === 'Step');
        for (let i = 0; i < 30; i++) {
            b.click();
            await new Promise((r) => setTimeout(r, 20));
        }
    }""")
    _wait_epoch(page, 30, timeout=180000)
    _paused(page)
    page.wait_for_function(f"{_title()} === 'Decision boundary at epoch 30'", timeout=30000)
    _wait_epoch(page, 30, timeout=30000)             # and no more
    page.wait_for_function(ALL_DRAWN, timeout=30000)
    assert errors == []


def test_page_switch_while_playing_raises_no_error(page, app_server):
    errors = _errors(page)
    _open_playground(page, app_server)
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60000)
    page.wait_for_timeout(1500)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(
        "MSE vs log-loss", exact=True).click()
    page.get_by_role("heading", name="MSE vs log-loss").first.wait_for(timeout=90000)
    page.wait_for_timeout(3000)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Playground", exact=True).click()
    page.get_by_role("heading", name="Playground").first.wait_for(timeout=90000)
    page.wait_for_timeout(3000)
    assert errors == []
