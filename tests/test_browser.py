"""End to end: `streamlit run app.py` on a loopback port, driven by Debian's Chromium."""

import pytest

pytestmark = pytest.mark.browser

# --- all pages -----------------------------------------------------------------------------

def _charts_drawn(selector, n):
    """JS: true once at least n Plotly charts have drawn their SVG."""
    return (f"Array.from(document.querySelectorAll('{selector}'))"
            f".filter(c => c.querySelector('.main-svg')).length >= {n}")


@pytest.mark.parametrize(("path", "title"), [("", "Playground"),
                                             ("mse-vs-log-loss", "MSE vs log-loss"),
                                             ("chain-rule", "Backprop, step by step")])
def test_every_page_loads_by_its_url(page, app_server, path, title):
    from tests.browser_util import LIVE_CHART, exception_texts, screenshot_path, wait_for_app

    page.goto(f"{app_server}/{path}")
    page.get_by_role("heading", name=title).first.wait_for(timeout=90000)
    wait_for_app(page, timeout=90000)
    assert exception_texts(page) == []
    if path == "":
        page.wait_for_function(_charts_drawn(LIVE_CHART, 4), timeout=60000)
    page.screenshot(path=screenshot_path(f"page_{path or 'playground'}"), full_page=True)


# --- playground ----------------------------------------------------------------------------

def _playground_epoch(page):
    return page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def _open_playground(page, app_server, query=""):
    from tests.browser_util import LIVE_CHART, exception_texts, wait_for_app

    page.goto(f"{app_server}/{query}")
    page.get_by_role("heading", name="Playground").first.wait_for(timeout=90000)
    wait_for_app(page, timeout=90000)
    page.wait_for_function(_charts_drawn(LIVE_CHART, 4), timeout=60000)
    assert exception_texts(page) == []


def _chart(name):
    return f"document.querySelector('.tl-chart[data-chart=\"{name}\"]')"


def _title(name="boundary"):
    """JS: the title of a live chart, as Plotly holds it."""
    return (f"(() => {{ const g = {_chart(name)}; "
            "return g && g.layout ? g.layout.title.text : ''; })()")


def _epoch_in_title(page, name="boundary"):
    return int(page.evaluate(_title(name)).rsplit(" ", 1)[-1])


# From now on, every epoch a chart's title names, in order (a MutationObserver sees each change
# of the title's text as the browser makes it).
RECORD_TITLES = """(name) => {
    window.__seen = [];
    const gd = document.querySelector(`.tl-chart[data-chart="${name}"]`);
    const note = () => {
        const m = /epoch (\\d+)$/.exec(gd.layout.title.text);
        const seen = window.__seen;
        if (m && (!seen.length || seen[seen.length - 1] !== +m[1])) seen.push(+m[1]);
    };
    new MutationObserver(note).observe(gd, {subtree: true, childList: true, characterData: true});
}"""


def _wait_epoch(page, n, timeout=60000):
    page.wait_for_function(
        f"document.querySelector('[data-testid=\"stMetricValue\"]').innerText.trim() === '{n}'",
        timeout=timeout)


def test_playground_step_updates_the_charts_in_place(page, app_server):
    """Step and Train redraw every live chart in its own DOM node: nothing is mounted anew."""
    from tests.browser_util import exception_texts, screenshot_path, wait_for_app

    _open_playground(page, app_server)
    assert _playground_epoch(page) == "0"
    _ahead_ready(page, 1)
    # Each chart is two Plotly charts, kept for the session: the one shown and the next Step's,
    # drawn ahead (out of the page once drawn); at Step they trade places in the same cell.
    cells = "[...document.querySelectorAll('.tl-live > .tl-cell')]"
    page.evaluate(f"() => {{ window.__cells = {cells}; window.__shown = "
                  "window.__cells.map(c => c.querySelector('.js-plotly-plot')); }")
    hashes = page.evaluate("() => window.__shown.map(g => g.dataset.hash)")
    assert len(hashes) == 4
    # (A width change, say a scroll bar that comes, draws the next Step's again: in the page
    # for a moment; waited for, not asserted at an instant.)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length === 4")
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(f"{_title()} === 'Decision boundary at epoch 1'", timeout=60000)
    _wait_epoch(page, 1)
    page.wait_for_function("() => [...document.querySelectorAll('.tl-chart')].every((g, i) => "
                           f"g.dataset.hash !== {hashes}[i])", timeout=60000)  # all anew ...
    _ahead_ready(page, 2)
    same = f"""() => {{
        const cells = {cells};
        return cells.length === 4 && cells.every((c, i) => c === window.__cells[i])
            && document.querySelectorAll('.js-plotly-plot').length === 4;
    }}"""
    page.wait_for_function(same)                      # ... in the same cells, nothing new
    page.get_by_role("button", name="Step", exact=True).click()
    _wait_epoch(page, 2)
    wait_for_app(page, timeout=60000)
    page.wait_for_function(same)
    # The two charts of a cell take turns: the one shown at epoch 0 is shown again at 2.
    assert page.evaluate("() => window.__cells.every((c, i) => "
                         "c.querySelector('.js-plotly-plot') === window.__shown[i])")
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(f"{_title()} === 'Decision boundary at epoch 102'", timeout=60000)
    _wait_epoch(page, 102)
    wait_for_app(page, timeout=60000)
    page.wait_for_function(same)
    assert exception_texts(page) == []
    page.screenshot(path=screenshot_path("playground_trained"), full_page=True)


# From now on, each epoch the boundary's title names with the Epoch number shown above the
# charts at that moment, and every hash each chart shown is drawn with.
RECORD_STEP = """() => {
    window.__titles = [];
    window.__hashes = {};
    const root = document.querySelector('.tl-live');
    const metric = () => document.querySelector('[data-testid="stMetricValue"]').innerText.trim();
    const note = () => {
        for (const gd of root.querySelectorAll('.tl-chart')) {     // the charts shown
            const name = gd.dataset.chart;
            const title = gd.layout && gd.layout.title ? gd.layout.title.text : '';
            const m = /epoch (\\d+)$/.exec(title);
            const seen = window.__titles, last = seen[seen.length - 1];
            const moved = !last || last[0] !== (m && +m[1]);
            if (name === 'boundary' && m && moved) seen.push([+m[1], metric()]);
            const h = window.__hashes[name] || (window.__hashes[name] = []);
            if (gd.dataset.hash && h[h.length - 1] !== gd.dataset.hash) h.push(gd.dataset.hash);
        }
    };
    note();
    new MutationObserver(note).observe(root, {subtree: true, childList: true,
                                              characterData: true, attributes: true});
}"""


def _ahead_ready(page, epoch):
    """Wait until the next Step's charts (epoch ``epoch``) are drawn ahead."""
    page.wait_for_function(f"document.querySelector('.tl-live').dataset.ahead === '{epoch}'",
                           timeout=60000)


def test_playground_step_shows_the_epoch_trained_ahead_at_once(page, app_server):
    """The next Step's charts come with the page (trained ahead on a copy of the trainer) and
    are drawn ahead, hidden: a click on Step, or its key, shows them at once, before the rerun
    it starts has answered (the picture names the new epoch while the numbers still say the old
    one), and nothing is drawn at the click; the rerun brings the very same charts (each chart
    shown changes once per Step), and the numbers then agree."""
    from tests.browser_util import exception_texts, wait_for_app

    page.add_init_script("globalThis.tlTiming = true")   # live.js's "tl react <chart>" entries
    _open_playground(page, app_server)
    for n, press in enumerate((lambda: page.get_by_role("button", name="Step", exact=True)
                               .click(),
                               lambda: page.keyboard.press("ArrowRight")), start=1):
        page.locator("h1").first.click()          # the page has the focus, no control
        _ahead_ready(page, n)
        before = page.evaluate("() => [...document.querySelectorAll('.tl-chart')]"
                               ".map(g => g.dataset.hash)")
        page.evaluate(RECORD_STEP)
        page.evaluate("() => { window.__at = performance.now(); }")
        press()
        _wait_epoch(page, n)
        wait_for_app(page)
        page.wait_for_function(f"{_title()} === 'Decision boundary at epoch {n}'")
        titles = page.evaluate("window.__titles")
        assert titles[0] == [n - 1, str(n - 1)], titles
        assert titles[1] == [n, str(n - 1)], titles   # the picture first, the numbers after
        assert [t[0] for t in titles] == [n - 1, n], titles   # and no other epoch between
        hashes = page.evaluate("window.__hashes")
        assert sorted(hashes) == ["boundary", "curves", "hidden", "network"]
        for name, drawn in hashes.items():            # changed once, to what the rerun sent
            assert len(drawn) == 2 and drawn[0] in before and drawn[1] not in before, \
                (name, drawn, before)
        redrawn = page.evaluate("() => performance.getEntriesByType('measure').filter(m => "
                                "m.startTime >= window.__at && m.name.startsWith('tl react '))"
                                ".map(m => m.name)")
        assert redrawn == []                          # the charts shown: drawn ahead, not now
        _ahead_ready(page, n + 1)                     # the next Step's: out of the page
        page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')]"
                               ".map(g => g.className.includes('tl-chart')).join() === "
                               "'true,true,true,true'")
        marks = page.evaluate(f"() => {_chart('curves')}.layout.shapes.map(s => s.x0)")
        assert marks == [n] * 3
    # Pressed again before the next Step's charts are drawn ahead: shown as the rerun brings
    # them, and they are those of the epoch trained.
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_role("button", name="Step", exact=True).click()
    _wait_epoch(page, 4)
    wait_for_app(page)
    page.wait_for_function(f"{_title()} === 'Decision boundary at epoch 4'")
    marks = page.evaluate(f"() => {_chart('curves')}.layout.shapes.map(s => s.x0)")
    assert marks == [4] * 3
    assert exception_texts(page) == []


def test_a_step_clicked_again_at_once_is_shown_from_charts_drawn_ahead(page, app_server):
    """Step clicked twice at once: the first shows the charts drawn ahead, the second waits its
    turn and its charts are drawn ahead as soon as their data comes, then shown: nothing is
    drawn in place of the charts shown (no "tl react" entry), and both epochs count."""
    from tests.browser_util import exception_texts, wait_for_app

    page.add_init_script("globalThis.tlTiming = true")   # live.js's "tl react <chart>" entries
    _open_playground(page, app_server)
    page.locator("h1").first.click()
    _ahead_ready(page, 1)
    page.evaluate("""() => {
        window.__at = performance.now();
        const step = document.querySelector('.st-key-pg_step button');
        step.click();
        step.click();                    // while the first one's rerun runs: waits its turn
    }""")
    _wait_epoch(page, 2)
    wait_for_app(page)
    page.wait_for_function(f"{_title()} === 'Decision boundary at epoch 2'")
    _ahead_ready(page, 3)
    redrawn = page.evaluate("() => performance.getEntriesByType('measure').filter(m => "
                            "m.startTime >= window.__at && m.name.startsWith('tl react '))"
                            ".map(m => m.name)")
    assert redrawn == []
    marks = page.evaluate(f"() => {_chart('curves')}.layout.shapes.map(s => s.x0)")
    assert marks == [2] * 3
    assert exception_texts(page) == []


def test_playground_play_shows_every_epoch_in_order_and_pause_agrees(page, app_server):
    """At 1 epoch per frame the picture shows each epoch, in order, none skipped; Pause stops
    on the epoch on screen, and the numbers and the history slider say that epoch."""
    from tests.browser_util import exception_texts, screenshot_path, wait_for_app

    _open_playground(page, app_server)
    page.evaluate(RECORD_TITLES, "boundary")
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60000)
    page.wait_for_function("window.__seen.length >= 2", timeout=60000)
    page.wait_for_timeout(5000)
    page.screenshot(path=screenshot_path("playground_playing"))
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    seen = page.evaluate("window.__seen")   # from epoch 0, the picture Play started on
    assert seen == list(range(0, len(seen))), seen     # every epoch, in order
    assert len(seen) >= 3
    # Paused on the last picture shown: the title, the numbers, the slider agree with it.
    shown = seen[-1]
    page.wait_for_function(f"{_title()} === 'Decision boundary at epoch {shown}'", timeout=60000)
    _wait_epoch(page, shown)
    slider = page.locator('.st-key-view_epoch input[type="range"]')
    assert int(slider.get_attribute("value")) == shown
    train_loss = page.evaluate(f"() => {_chart('curves')}.data[0].y[{shown - 1}]")
    metric = page.locator('[data-testid="stMetricValue"]').nth(1).inner_text()
    assert float(metric) == pytest.approx(train_loss, abs=5e-5)
    marks = page.evaluate(f"() => {_chart('curves')}.layout.shapes.map(s => s.x0)")
    assert marks == [shown] * 3
    assert exception_texts(page) == []
    # What was trained ahead is gone: the next Step is the epoch after the one shown.
    page.get_by_role("button", name="Step", exact=True).click()
    _wait_epoch(page, shown + 1)


# Every animation frame, the epoch the boundary's title shows (its SVG text: what is on
# screen), or null while it has none.
EPOCH_EACH_FRAME = """() => {
    window.__frames = [];
    window.__stop = false;
    const tick = () => {
        const text = document.querySelector(
            '.tl-chart[data-chart="boundary"] .g-gtitle text.gtitle');
        const m = text && /epoch (\\d+)$/.exec(text.textContent);
        window.__frames.push(m ? +m[1] : null);
        if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""


@pytest.mark.parametrize("speed", [1, 10])
def test_play_paints_speed_epochs_a_frame_and_pause_lands_on_the_one_on_screen(page, app_server,
                                                                            speed):
    """Sampled at every animation frame for 5 s: at 1x every epoch appears, in order, exactly
    once (a frame may show the one before again: a slow browser slows Play down); at 10x the
    epoch moves by 10 from one picture to the next, never by anything else. Pause lands on the
    epoch on screen: the title stays there and the numbers say it."""
    from tests.browser_util import exception_texts, wait_for_app

    _open_playground(page, app_server)
    if speed != 1:
        page.locator(".st-key-pg_speed").get_by_text(f"{speed}×", exact=True).click()
        wait_for_app(page)
    page.evaluate(EPOCH_EACH_FRAME)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("window.__frames.some((e) => e > 0)", timeout=60000)
    page.wait_for_timeout(5000)
    page.get_by_role("button", name="Pause", exact=True).click()
    paused_at = page.evaluate("window.__frames.length")
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    page.wait_for_timeout(500)
    page.evaluate("window.__stop = true")
    frames = page.evaluate("window.__frames")
    # A frame while Pause hands the canvas back to Plotly may have no title (at most a few).
    assert sum(e is None for e in frames) <= 10, frames
    seen = [e for e in frames if e is not None]
    steps = [b - a for a, b in zip(seen, seen[1:], strict=False)]
    assert set(steps) <= {0, speed}, [(i, d) for i, d in enumerate(steps) if d not in (0, speed)]
    epochs = list(dict.fromkeys(seen))                   # each epoch once, in order of showing
    assert epochs == list(range(0, epochs[-1] + 1, speed)), epochs
    assert len(epochs) > 10, epochs                      # it played
    # Pause: the last picture played stays on screen, and the numbers name its epoch.
    shown = epochs[-1]
    assert [e for e in frames[paused_at:] if e is not None] == \
        [shown] * sum(e is not None for e in frames[paused_at:])
    assert _epoch_in_title(page) == shown
    _wait_epoch(page, shown)
    assert exception_texts(page) == []


def test_playground_plays_and_pauses_a_regression_curve(page, app_server):
    """One input, a fitted curve instead of a boundary: Play moves it epoch by epoch and Pause
    stops on it; the live charts stay on the page throughout (no component error)."""
    from tests.browser_util import exception_texts, wait_for_app

    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _open_playground(page, app_server, "?task=regression&dataset=sine")
    page.evaluate(RECORD_TITLES, "boundary")
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60000)
    page.wait_for_function("window.__seen.length >= 4", timeout=60000)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    seen = page.evaluate("window.__seen")
    assert seen == list(range(len(seen))), seen
    page.wait_for_function(f"{_title()} === 'Prediction at epoch {seen[-1]}'", timeout=60000)
    _wait_epoch(page, seen[-1])
    assert page.locator(".tl-live .tl-chart").count() == 4
    assert exception_texts(page) == [] and errors == []


def test_presenter_keys(page, app_server):
    """Space plays and pauses, Right and PageDown step, R resets; never while typing."""
    from tests.browser_util import wait_for_app

    _open_playground(page, app_server)
    page.locator("h1").first.click()          # the page has the focus, no control
    page.keyboard.press("ArrowRight")
    _wait_epoch(page, 1)
    wait_for_app(page)
    page.keyboard.press("PageDown")
    _wait_epoch(page, 2)
    wait_for_app(page)
    # Space is ignored while a hand-over is under way (the button says aria-busy), as a user
    # sees it: press it once the Step's hand-over is over.
    page.wait_for_function("!document.querySelector('[aria-busy=\"true\"]')", timeout=60000)
    page.keyboard.press("Space")
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60000)
    page.wait_for_function(f"{_title()} === 'Decision boundary at epoch 4'", timeout=60000)
    page.keyboard.press("Space")
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    wait_for_app(page)
    shown = _epoch_in_title(page)
    assert shown >= 4
    _wait_epoch(page, shown)
    page.keyboard.press("r")
    _wait_epoch(page, 0)
    wait_for_app(page)
    # Typing in a field: the keys are the field's.
    field = page.get_by_label("Epochs per Train")
    field.click()
    for key in ("ArrowRight", "PageDown", "r", "Space"):
        field.press(key)
    page.wait_for_timeout(1500)
    wait_for_app(page)
    assert _playground_epoch(page) == "0"
    assert page.get_by_role("button", name="Play", exact=True).count() == 1


def test_every_request_goes_to_the_apps_own_origin(page, app_server):
    """No CDN: the page, plotly.js and everything they load come from the app itself."""
    from tests.browser_util import wait_for_app

    requests = []
    page.on("request", lambda r: requests.append(r.url))
    _open_playground(page, app_server)
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60000)
    page.wait_for_timeout(2000)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    page.goto(f"{app_server}/mse-vs-log-loss")
    page.get_by_text("The one line that differs", exact=True).wait_for(timeout=90000)
    wait_for_app(page, timeout=90000)
    assert any(u.endswith("/plotly.min.js") for u in requests)
    foreign = [u for u in requests if not u.startswith((app_server + "/", "data:", "blob:"))]
    assert foreign == []

# --- compare -------------------------------------------------------------------------------

def _open_compare(page, app_server, query=""):
    from tests.browser_util import LIVE_CHART, PLOTLY_CHART, exception_texts, goto_app

    goto_app(page, f"{app_server}/mse-vs-log-loss{query}", drawn=lambda p: p.get_by_text(
        "The one line that differs", exact=True).wait_for(timeout=90000))
    page.wait_for_function(_charts_drawn(PLOTLY_CHART, 4), timeout=60000)
    page.wait_for_function(_charts_drawn(LIVE_CHART, 2), timeout=60000)
    assert exception_texts(page) == []


def test_compare_renders_its_charts_and_trains(page, app_server):
    from tests.browser_util import PLOTLY_CHART, exception_texts, screenshot_path, wait_for_app

    _open_compare(page, app_server, "?lesson=saturated")
    assert page.locator(PLOTLY_CHART).count() >= 4  # accuracy, loss, grads, |delta2|
    assert page.get_by_text("Saturated start", exact=True).count() == 1
    assert page.locator(".katex").count() >= 3 and page.locator(".katex-error").count() == 0
    assert page.evaluate("""() => Array.from(document.querySelectorAll('.katex-display'))
        .filter(e => e.scrollWidth > e.clientWidth + 4).length""") == 0
    page.get_by_role("button", name="Train 100").click()
    page.get_by_text("Epoch 100", exact=True).wait_for(timeout=90000)
    page.wait_for_function(f"{_title('mse')} === 'MSE net, epoch 100'", timeout=60000)
    wait_for_app(page, timeout=90000)
    assert exception_texts(page) == []
    page.screenshot(path=screenshot_path("compare_saturated_100"), full_page=True)


def test_compare_step_shows_both_boundaries_trained_ahead_at_once(page, app_server):
    """On MSE vs log-loss too, Step shows the next epoch's two boundaries (drawn ahead) before
    the rerun answers: each title names the new epoch while the page still says the old one,
    and nothing is drawn at the click."""
    from tests.browser_util import exception_texts, wait_for_app

    page.add_init_script("globalThis.tlTiming = true")
    _open_compare(page, app_server)
    _ahead_ready(page, 1)
    page.evaluate("""() => {
        window.__seen = [];
        window.__at = performance.now();
        const root = document.querySelector('.tl-live');
        const epoch = () => [...document.querySelectorAll('[data-testid="stMarkdown"]')]
            .map(e => e.innerText.trim()).find(t => /^Epoch \\d+$/.test(t));
        new MutationObserver(() => {
            const titles = [...root.querySelectorAll('.tl-chart')].map(g => g.layout.title.text);
            const last = window.__seen[window.__seen.length - 1];
            const now = [titles.join(' / '), epoch()];
            if (!last || last[0] !== now[0]) window.__seen.push(now);
        }).observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
    }""")
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text("Epoch 1", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    seen = page.evaluate("window.__seen")
    assert seen[0] == ["MSE net, epoch 1 / log-loss net, epoch 1", "Epoch 0"], \
        seen                                           # the pictures first, the page after
    assert len(seen) == 1, seen
    redrawn = page.evaluate("() => performance.getEntriesByType('measure').filter(m => "
                            "m.startTime >= window.__at && m.name.startsWith('tl react '))"
                            ".map(m => m.name)")
    assert redrawn == []
    assert exception_texts(page) == []


def test_compare_plays_both_boundaries_live(page, app_server):
    from tests.browser_util import exception_texts, screenshot_path, wait_for_app

    _open_compare(page, app_server, "?lesson=fair")
    page.evaluate(RECORD_TITLES, "log_loss")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("window.__seen.length >= 3", timeout=90000)
    page.locator(".tl-live").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path("compare_playing"))
    page.keyboard.press("Space")            # the presenter's Pause
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    seen = page.evaluate("window.__seen")   # from epoch 0, the picture Play started on
    assert seen == list(range(0, len(seen))), seen
    shown = seen[-1]
    page.get_by_text(f"Epoch {shown}", exact=True).wait_for(timeout=60000)
    assert _epoch_in_title(page, "mse") == _epoch_in_title(page, "log_loss") == shown
    assert exception_texts(page) == []


# --- backprop ------------------------------------------------------------------------------

def _open_backprop(page, app_server, query=""):
    from tests.browser_util import exception_texts, wait_for_app

    page.goto(f"{app_server}/chain-rule{query}")
    page.get_by_text("Gradient check", exact=True).wait_for(timeout=60000)
    wait_for_app(page)
    page.wait_for_function("document.querySelectorAll('.katex').length > 10")
    assert exception_texts(page) == []


def _overflowing_formulas(page):
    """The TeX source of every displayed formula wider than its box (clipped on screen)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.katex-display'))
        .filter(e => e.scrollWidth > e.clientWidth + 4)
        .map(e => (e.querySelector('annotation') || {}).textContent)""")


@pytest.mark.parametrize("query", ["?sample=5", "?sample=5&loss=mse&hidden=12",
                                   "?task=regression&activation=relu"])
def test_backprop_renders_its_formulas(page, app_server, query):
    from tests.browser_util import screenshot_path

    _open_backprop(page, app_server, query)
    assert page.locator(".katex").count() > 10
    assert page.locator(".katex-error").count() == 0  # KaTeX could parse every formula
    assert _overflowing_formulas(page) == []
    name = query.strip("?").replace("&", "_").replace("=", "-")
    page.screenshot(path=screenshot_path(f"backprop_{name}"), full_page=True)


def test_backprop_break_the_check_and_take_a_step(page, app_server):
    from tests.browser_util import exception_texts, screenshot_path, wait_for_app

    _open_backprop(page, app_server, "?lr=0.01")
    page.get_by_text("Good: backprop agrees").wait_for()
    page.get_by_text("break the backward pass").click()
    page.get_by_text("Wrong: W1, b1").wait_for(timeout=30000)
    page.get_by_role("button", name="Take one step").click()
    page.get_by_text("L after").wait_for(timeout=30000)
    wait_for_app(page)
    assert exception_texts(page) == []
    page.screenshot(path=screenshot_path("backprop_broken_and_stepped"))

# --- loss landscape ------------------------------------------------------------------------

def _landscape(page, key):
    """What the chart with this key draws: the heatmap's rows and columns, each path's length,
    and the title."""
    return page.evaluate(f"""() => {{
        const gd = document.querySelector('.st-key-{key} .js-plotly-plot');
        if (!gd || !gd._fullData) return null;   // _fullData: arrays decoded from base64
        const paths = {{}};
        for (const t of gd._fullData) if (t.meta && String(t.meta).startsWith('path '))
            paths[t.meta.slice(5)] = t.x.length;
        const z = gd._fullData[0].z;
        return {{type: gd.data[0].type, rows: z.length, cols: z[0].length, paths,
                 title: gd.layout.title.text}};
    }}""")


def _open_landscape(page, app_server, query=""):
    from tests.browser_util import PLOTLY_CHART, exception_texts, goto_app

    goto_app(page, f"{app_server}/loss-landscape{query}", drawn=lambda p: p.get_by_role(
        "heading", name="Loss landscape").first.wait_for(timeout=90000))
    page.wait_for_function(_charts_drawn(PLOTLY_CHART, 2), timeout=60000)
    assert exception_texts(page) == []


def test_landscape_draws_both_maps_and_moves_the_paths(page, app_server):
    from tests.browser_util import exception_texts, screenshot_path, wait_for_app

    _open_landscape(page, app_server)
    for key in ("ls_mse", "ls_log_loss"):
        drawn = _landscape(page, key)
        assert drawn["type"] == "heatmap" and (drawn["rows"], drawn["cols"]) == (61, 61)
        assert drawn["paths"] == {"mse": 1, "log_loss": 1}
    assert _landscape(page, "ls_mse")["title"] == "MSE at the start"
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text("Epoch 1", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    page.wait_for_function("""() => document.querySelector('.st-key-ls_mse .js-plotly-plot')
        .layout.title.text === 'MSE around its net, epoch 1'""", timeout=60000)
    assert _landscape(page, "ls_log_loss")["paths"] == {"mse": 2, "log_loss": 2}
    page.get_by_role("button", name="Train 100").click()
    page.get_by_text("Epoch 101", exact=True).wait_for(timeout=90000)
    wait_for_app(page, timeout=60000)
    page.wait_for_function("""() => document.querySelector('.st-key-ls_log_loss .js-plotly-plot')
        ._fullData.find(t => t.meta === 'path log_loss').x.length === 102""", timeout=60000)
    assert exception_texts(page) == []
    page.screenshot(path=screenshot_path("landscape_trained"), full_page=True)
    # the slope colouring and the 3-D view draw too
    page.get_by_text("slope |grad|", exact=True).click()
    page.wait_for_function("""() => document.querySelector('.st-key-ls_mse .js-plotly-plot')
        .data[0].colorbar.title.text.startsWith('|grad MSE|')""", timeout=60000)
    wait_for_app(page, timeout=60000)
    page.get_by_text("3-D view", exact=True).click()
    page.wait_for_function("""() => Array.from(document.querySelectorAll(
        '.st-key-ls_mse .js-plotly-plot, .st-key-ls_log_loss .js-plotly-plot'))
        .filter(gd => gd._fullData && gd._fullData[0].type === 'surface'
                      && gd._fullLayout.scene)
        .length === 2""", timeout=60000)
    wait_for_app(page, timeout=60000)
    assert exception_texts(page) == []
    page.screenshot(path=screenshot_path("landscape_3d"), full_page=True)


def test_landscape_link_opens_its_view(page, app_server):
    _open_landscape(page, app_server, "?ls_saturated=0&ls_x=W1[1,0]&ls_y=b1[1]&ls_grid=21")
    drawn = _landscape(page, "ls_log_loss")
    assert (drawn["rows"], drawn["cols"]) == (21, 21)
    axes = page.evaluate("""() => { const gd = document.querySelector(
        '.st-key-ls_log_loss .js-plotly-plot');
        return [gd.layout.xaxis.title.text, gd.layout.yaxis.title.text]; }""")
    assert axes == ["W1[1,0]", "b1[1,0]"]

# --- hosting: isolation, presentation mode --------------------------------------------------

def test_two_sessions_share_nothing(browser, app_server):
    """Training in one browser context leaves another, on the same server, at epoch 0."""
    from tests.browser_util import VIEWPORT

    first, second = browser.new_context(viewport=VIEWPORT), browser.new_context(viewport=VIEWPORT)
    try:
        a, b = first.new_page(), second.new_page()
        _open_playground(a, app_server)
        _open_playground(b, app_server)
        a.get_by_role("button", name="Train", exact=True).click()
        a.wait_for_function(
            "document.querySelector('[data-testid=\"stMetricValue\"]').innerText.trim() === '100'",
            timeout=60000)
        b.reload()
        _open_playground(b, app_server)
        assert _playground_epoch(a) == "100"
        assert _playground_epoch(b) == "0"
    finally:
        first.close()
        second.close()


FIGURE_FONTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot:not(.tl-back)'))
  .map(gd => {
    const L = gd._fullLayout, sizes = [L.font.size];
    if (L.showlegend && L.legend) sizes.push(L.legend.font.size);
    if (L.title && L.title.text) sizes.push(L.title.font.size);
    for (const k of Object.keys(L).filter(k => /^[xy]axis\\d*$/.test(k)))
        if (L[k].visible && L[k].showticklabels && L[k].tickfont) sizes.push(L[k].tickfont.size);
    return Math.min(...sizes);
})"""


@pytest.mark.parametrize("path", ["", "mse-vs-log-loss?lesson=saturated", "chain-rule"])
def test_presentation_mode_is_readable_at_1280x720(browser, app_server, path):
    """present=1: controls tucked away, and every figure's text at least PRESENT.font."""
    from tests.browser_util import exception_texts, screenshot_path, wait_for_app
    from twolayer.figures import PRESENT

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        sep = "&" if "?" in path else "?"
        page.goto(f"{app_server}/{path}{sep}present=1")
        wait_for_app(page, timeout=90000)
        page.locator('[data-testid="stSidebar"][data-collapsed="true"]').wait_for(
            state="attached", timeout=30000)
        if path != "chain-rule":
            page.wait_for_function(_charts_drawn(".js-plotly-plot", 2), timeout=60000)
            smallest = page.evaluate(FIGURE_FONTS)
            assert smallest and min(smallest) >= PRESENT.font, smallest
        page.wait_for_function(
            "() => parseFloat(getComputedStyle(document.documentElement).fontSize) >= 20",
            timeout=30000)
        assert exception_texts(page) == []
        page.screenshot(path=screenshot_path(f"present_{path.split('?')[0] or 'playground'}"))
    finally:
        context.close()

# --- sweep ---------------------------------------------------------------------------------

SWEEP_TRACES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .flatMap(gd => gd.data.filter(t => t.meta && t.meta.kind === 'median')
    .map(t => t.meta.panel + ' ' + t.meta.loss))"""


def _open_sweep(page, app_server, query=""):
    from tests.browser_util import PLOTLY_CHART, exception_texts, wait_for_app

    page.goto(f"{app_server}/sweep{query}")
    page.get_by_role("heading", name="Sweep: learning rates × seeds").wait_for(timeout=90000)
    wait_for_app(page, timeout=120000)
    page.wait_for_function(_charts_drawn(PLOTLY_CHART, 2), timeout=60000)
    assert exception_texts(page) == []


def test_sweep_trains_with_a_progress_bar_and_draws_every_loss(page, app_server):
    from tests.browser_util import PLOTLY_CHART, exception_texts, screenshot_path, wait_for_app

    # Settings no other test uses: not in the cache, so the page trains, with a progress bar.
    page.goto(f"{app_server}/sweep?sweep_epochs=170&sweep_seeds=7")
    page.locator('[data-testid="stProgress"]').wait_for(state="attached", timeout=90000)
    wait_for_app(page, timeout=120000)
    page.wait_for_function(_charts_drawn(PLOTLY_CHART, 2), timeout=60000)
    assert exception_texts(page) == []
    assert page.locator('[data-testid="stProgress"]').count() == 0  # gone when done
    assert sorted(page.evaluate(SWEEP_TRACES)) == sorted(
        f"{panel} {loss}" for panel in ("metric", "loss", "epochs to target")
        for loss in ("mse", "log_loss"))
    assert page.get_by_text("98 nets", exact=False).count() == 1  # 2 x 7 x 7
    page.screenshot(path=screenshot_path("sweep"), full_page=True)


def test_sweep_link_replays_the_run_in_the_playground(page, app_server):
    import re

    from tests.browser_util import exception_texts, screenshot_path, wait_for_app

    _open_sweep(page, app_server, "?samples=200&seed=2&sweep_seeds=2&sweep_epochs=40"
                                  "&sweep_lr_min=0.3&sweep_lr_max=1.0")
    caption = page.get_by_text("The button opens the run of seed 2").inner_text()
    shown = re.search(r"test accuracy (\d\.\d{3}) here", caption).group(1)
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=re.compile("Open in the Playground")).click()
    playground = opened.value
    playground.get_by_role("heading", name="Playground").first.wait_for(timeout=90000)
    wait_for_app(playground, timeout=90000)
    playground.get_by_role("button", name="Train", exact=True).click()
    playground.wait_for_function(
        "document.querySelector('[data-testid=\"stMetricValue\"]').innerText.trim() === '40'",
        timeout=60000)
    wait_for_app(playground, timeout=60000)
    assert exception_texts(playground) == []
    metrics = dict(zip(playground.locator('[data-testid="stMetricLabel"]').all_inner_texts(),
                       playground.locator('[data-testid="stMetricValue"]').all_inner_texts(),
                       strict=True))
    assert metrics["Test accuracy"].strip() == shown
    playground.screenshot(path=screenshot_path("sweep_run_in_playground"), full_page=True)


def test_sweep_presentation_mode_is_readable_at_1280x720(browser, app_server):
    from tests.browser_util import exception_texts, screenshot_path, wait_for_app
    from twolayer.figures import PRESENT

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        _open_sweep(page, app_server, "?present=1")
        wait_for_app(page, timeout=90000)
        smallest = page.evaluate(FIGURE_FONTS)
        assert smallest and min(smallest) >= PRESENT.font, smallest
        assert exception_texts(page) == []
        page.screenshot(path=screenshot_path("present_sweep"), full_page=True)
    finally:
        context.close()


# --- hardening: link notes, the address bar, Copy link, presentation geometry ---------------

HOSTILE = {  # page: {key: a value that Markdown would render as something else}
    "": {"dataset": "[Log in](https://evil.example/x)", "task": "**x**",
         "activation": ":red[x]", "loss": "$\\Huge X$", "lr": "![](//127.0.0.1:9/a.png)",
         "l2": "www.evil.example", "batch": "a@evil.example", "noise": ":smile: -> <b>"},
    "mse-vs-log-loss": {"lesson": ":material/home:", "output_bias": "https://evil.example"},
    "chain-rule": {"sample": "[x](https://evil.example)", "bp_view": "`a` -- ~~b~~"},
}
LABELS = {"dataset": "Dataset", "task": "Task", "activation": "Hidden activation", "loss": "Loss",
          "lr": "Learning rate", "l2": "L2", "batch": "Batch size", "noise": "Noise",
          "lesson": "Lesson", "output_bias": "Output bias b2 at the start", "sample": "Sample",
          "bp_view": "View"}
NOTES = """() => Array.from(document.querySelectorAll(
        '[data-testid="stAlertContentInfo"] [data-testid="stMarkdownContainer"]'))
    .filter(e => e.innerText.startsWith('From the link'))
    .map(e => ({text: e.innerText.replaceAll('\\u2060', ''),
                markup: e.querySelectorAll('a, img, strong, em, del, code, .katex, ' +
                    '[data-testid="stIconMaterial"], span[style*="color"]').length,
                top: e.closest('[data-testid="stAlert"]').getBoundingClientRect().top}))"""


def _goto(page, url, timeout=90000):
    from tests.browser_util import exception_texts, wait_for_app

    page.goto(url)
    page.locator("h1").first.wait_for(timeout=timeout)
    wait_for_app(page, timeout=timeout)
    assert exception_texts(page) == []


@pytest.mark.parametrize("path", list(HOSTILE))
def test_link_values_show_as_typed_in_the_notes(browser, app_server, path):
    """B3: a link's value in a "From the link" note is text, never a link, an image, bold,
    colour, math or an icon; the note starts below the page's header bar."""
    from urllib.parse import urlencode, urlsplit

    from tests.browser_util import VIEWPORT, screenshot_path

    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        _goto(page, f"{app_server}/{path}?{urlencode(HOSTILE[path])}")
        page.wait_for_timeout(500)
        notes = page.evaluate(NOTES)
        texts = [n["text"] for n in notes]
        for key, value in HOSTILE[path].items():
            shown = value if len(value) <= 24 else value[:21] + "..."
            assert any(f"{LABELS[key]} = {shown!r}" in t for t in texts), (key, texts)
        assert len(notes) == len(HOSTILE[path]), texts
        assert [n["markup"] for n in notes] == [0] * len(notes), texts
        header = page.locator('[data-testid="stHeader"]').bounding_box()
        assert min(n["top"] for n in notes) >= header["y"] + header["height"], notes
        server = urlsplit(app_server).netloc
        assert [u for u in requests if urlsplit(u).netloc not in (server, "")] == []
        page.screenshot(path=screenshot_path(f"hostile_notes_{path or 'playground'}"))
    finally:
        context.close()


def _query(page):
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(page.url).query))


@pytest.mark.parametrize(("path", "given", "kept"), [
    ("", "present=1&lr=1&hidden=4&hidden=64&noise=0.250&seed=7",
     {"present": "true", "lr": "1.0", "hidden": "64", "noise": "0.25", "seed": "7"}),
    ("", "lr=10&batch=all", {"lr": "10.0", "batch": "all"}),
    ("mse-vs-log-loss", "lr_factor=10.0&lesson=fair", {"lr_factor": "10", "lesson": "fair"}),
])
def test_valid_link_values_stay_in_the_address_bar(page, app_server, path, given, kept):
    """B7: a valid value stays in the address, in the app's own spelling, and a reload of that
    address shows the same without a note."""
    _goto(page, f"{app_server}/{path}?{given}")
    page.wait_for_function(f"() => location.search.includes('{next(iter(kept))}=')",
                           timeout=30000)
    page.wait_for_timeout(500)
    assert _query(page) == kept
    page.reload()
    _goto(page, page.url)
    page.wait_for_timeout(500)
    assert _query(page) == kept
    assert page.evaluate(NOTES) == []
    if "present" in kept:
        assert page.evaluate("parseFloat(getComputedStyle(document.documentElement)"
                             ".fontSize)") >= 20


def test_copy_link_reproduces_the_backprop_view(page, app_server):
    """B8: the loss switch, the view and the broken backward pass are in Copy link, and the
    link opens that view."""
    from tests.browser_util import screenshot_path, wait_for_app

    _goto(page, f"{app_server}/chain-rule?sample=5")
    main = page.locator('[data-testid="stMain"]')
    for label, in_url in (("mse", "bp_loss=mse"), ("batch", "bp_view=batch"),
                          ("break the backward pass", "bp_broken=true")):
        main.get_by_text(label, exact=label != "break the backward pass").first.click()
        page.wait_for_function(f"() => location.search.includes('{in_url}')", timeout=30000)
        wait_for_app(page)
    main.get_by_text("Wrong: W1, b1").wait_for(timeout=30000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Copy link to this view").click()
    link = sidebar.locator('[data-testid="stCode"] code').inner_text().strip()
    assert link == (f"{app_server}/chain-rule?sample=5&bp_loss=mse&bp_view=batch"
                    "&bp_broken=true")
    other = page.context.new_page()
    _goto(other, link)
    main = other.locator('[data-testid="stMain"]')
    main.get_by_text("Wrong: W1, b1").wait_for(timeout=30000)
    checked = other.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="stMain"] input[type=radio]:checked, [data-testid="stMain"] ' +
        'input[type=checkbox]:checked')).map(e => e.closest('label').innerText.trim())""")
    assert checked == ["mse", "batch", "break the backward pass (drop g'(z1))"], checked
    assert main.get_by_text("Showing the first mini-batch of epoch").count() == 1
    other.screenshot(path=screenshot_path("backprop_from_copied_link"), full_page=True)


# Geometry of every chart: no two of title, legend, axis titles, annotations, colour bar and
# tick labels overlap (tick labels of one axis need a 2 px gap), none leaves its chart, none
# reaches into a plot area (an axis title into the panel beside it, a legend crossed by a plot;
# a note written wholly inside a plot is fine); tick labels are level; a title of several lines
# fills most of its width (one wrapped at a third of a wide chart does not); and the page does
# not scroll sideways.
GEOMETRY = r"""() => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  const hit = (a, b, gap) => a.l < b.r + gap && b.l < a.r + gap && a.t < b.b + gap
                             && b.t < a.b + gap;
  const inside = (a, b) => a.l >= b.l - 1 && a.r <= b.r + 1 && a.t >= b.t - 1 && a.b <= b.b + 1;
  const text = e => (e.textContent || '').trim();
  const problems = [];
  document.querySelectorAll('.js-plotly-plot:not(.tl-back)').forEach((gd, n) => {
    const svg = box(gd.querySelector('.main-svg'));
    const name = text(gd.querySelector('.g-gtitle') || {}) || 'chart ' + n;
    const items = [], seen = new Set();
    const add = (selector, kind) => gd.querySelectorAll(selector).forEach(e => {
      const b = box(e);
      if (seen.has(e)) return;
      seen.add(e);
      if (b.r > b.l && b.b > b.t && text(e)) items.push({kind, text: text(e), b}); });
    add('.g-gtitle text', 'title');
    add('.legend .traces', 'legend');
    add('[class^="g-x"][class$="title"] text', 'xtitle');
    add('[class^="g-y"][class$="title"] text', 'ytitle');
    add('.annotation text', 'annotation');
    add('.colorbar .cbtitle text', 'colorbar title');
    add('.colorbar .cbaxis text', 'colorbar tick');
    add('[class$="tick"] text', 'tick');
    gd.querySelectorAll('.colorbar .cbfills').forEach(e => {
      const b = box(e);
      if (b.r > b.l && b.b > b.t) items.push({kind: 'colour bar', text: 'its bar', b}); });
    // The plot areas (cartesian subplots): no text may reach into one, except an annotation
    // written wholly inside the region they span (a note such as "No epochs yet").
    const L = gd._fullLayout || {};
    const plots = Object.entries(L._plots || {}).map(([id, p]) => ({id, b: {
      l: svg.l + p.xaxis._offset, r: svg.l + p.xaxis._offset + p.xaxis._length,
      t: svg.t + p.yaxis._offset, b: svg.t + p.yaxis._offset + p.yaxis._length}}));
    const all = plots.length ? {l: Math.min(...plots.map(p => p.b.l)),
                                r: Math.max(...plots.map(p => p.b.r)),
                                t: Math.min(...plots.map(p => p.b.t)),
                                b: Math.max(...plots.map(p => p.b.b))} : null;
    items.forEach(it => {
      if (it.b.l < svg.l - 1 || it.b.r > svg.r + 1 || it.b.t < svg.t - 1 || it.b.b > svg.b + 1)
        problems.push(`${name}: ${it.kind} '${it.text}' is cut`);
      plots.forEach(p => {
        if (hit(it.b, p.b, -1) && !(it.kind === 'annotation' && inside(it.b, all)))
          problems.push(`${name}: ${it.kind} '${it.text}' reaches into plot ${p.id}`); });
    });
    for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
      const a = items[i], b = items[j];
      if (a.kind === 'legend' && b.kind === 'legend') continue;
      const gap = a.kind === 'tick' && b.kind === 'tick' ? 2 : -1;
      if (hit(a.b, b.b, gap))
        problems.push(`${name}: ${a.kind} '${a.text}' meets ${b.kind} '${b.text}'`);
    }
    // Tick labels are written level, never turned on their side for want of room.
    Object.keys(L).filter(k => /^[xy]axis\d*$/.test(k)).forEach(k => {
      const a = L[k];
      if (a.visible && a.showticklabels && a._tickAngles &&
          Object.values(a._tickAngles).some(v => v && Math.abs(v) % 180 !== 0))
        problems.push(`${name}: ${k}'s tick labels are turned`); });
    // A title wraps only when it must: its longest line fills most of the width it has.
    const title = gd.querySelector('.g-gtitle text');
    const lines = title ? Array.from(title.querySelectorAll('tspan.line')) : [];
    if (lines.length > 1) {
      const longest = Math.max(...lines.map(t => t.getComputedTextLength()));
      const room = svg.r - svg.l - 20;
      if (longest < 0.6 * room)
        problems.push(`${name}: title in ${lines.length} lines, the longest ` +
                      `${Math.round(longest)} of ${Math.round(room)} px`);
    }
  });
  const main = document.querySelector('[data-testid="stMain"]');
  for (const e of [document.documentElement, main])
    if (e && e.scrollWidth > e.clientWidth + 1)
      problems.push(`the page scrolls sideways: ${e.scrollWidth} > ${e.clientWidth}`);
  return problems;
}"""
CUT_TEXT = """() => Array.from(document.querySelectorAll(
    '[data-testid="stMain"] button *, [data-testid="stMain"] label *, ' +
    '[data-testid="stMain"] [data-testid="stLinkButton"] *, ' +
    '[data-testid="stMain"] [data-testid="stWidgetLabel"] *, ' +
    '[data-testid="stMain"] [data-testid="stMetricValue"] *'))
  .filter(e => e.scrollWidth > e.clientWidth + 1 && e.innerText.trim())
  .map(e => e.innerText)"""
CUT_FORMULAS = """() => Array.from(document.querySelectorAll('.katex-display'))
  .filter(e => e.scrollWidth > e.clientWidth + 2)
  .map(e => (e.querySelector('annotation') || {}).textContent)"""


# Every page, and what its main action is: (how many Plotly charts it draws, the action).
PROJECTOR_PAGES = {
    "": (4, "train"),
    "mse-vs-log-loss?lesson=saturated": (4, "train"),
    "chain-rule": (0, "batch"),
    "sweep": (2, "saturated"),
    "loss-landscape": (2, "train"),
}
# What must be on a 1024 x 768 projector without scrolling: the buttons and the top of the
# (first) boundary, by the live chart's name.
ABOVE_THE_FOLD = {"": "boundary", "mse-vs-log-loss?lesson=saturated": "mse"}
FOLD = r"""(chart) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const header = document.querySelector('[data-testid="stHeader"]').getBoundingClientRect();
  const box = e => e ? e.getBoundingClientRect().toJSON() : null;
  const buttons = Array.from(main.querySelectorAll('button[data-testid^="stBaseButton"]'))
    .map(b => ({text: b.innerText.trim().split(/\s+/).pop(), ...box(b)}))
    .filter(b => ['Step', 'Play'].includes(b.text) && b.width > 0 && b.x > 0);
  return {header: header.bottom, buttons,
          chart: box(document.querySelector(`.tl-chart[data-chart="${chart}"]`)),
          scrolled: Array.from(document.querySelectorAll('*')).some(e => e.scrollTop > 0)};
}"""


def _main_action(page, action):
    """Press the page's main action and wait until its result is on the page."""
    import re

    from tests.browser_util import wait_for_app

    main = page.locator('[data-testid="stMain"]')
    if action == "train":
        main.get_by_role("button", name=re.compile(r"^Train( \d+)?$")).first.click()
        # the Playground's epoch counter, or "Epoch 100" on the other pages
        page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"]')"
                               ".innerText.match(/(^|\\n)(Epoch\\s+)?100(\\n|$)/)",
                               timeout=90000)
    elif action == "batch":
        main.get_by_text("batch", exact=True).click()
        page.wait_for_function("() => location.search.includes('bp_view=batch')",
                               timeout=30000)
    elif action == "saturated":
        main.get_by_text("Saturated start: every net").click()   # (the toggle)
        page.wait_for_function("() => location.search.includes('sweep_saturated=true')",
                               timeout=30000)
    page.wait_for_timeout(300)
    wait_for_app(page, timeout=120000)


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720)], ids=["1024x768", "1280x720"])
@pytest.mark.parametrize("path", list(PROJECTOR_PAGES))
def test_presentation_mode_fits_a_projector(browser, app_server, size, path):
    """B11: at a projector's size in presentation mode, on every page, before and after the
    page's main action: no chart text overlaps another or reaches into a plot, none is cut,
    tick labels are level, titles use their width, the page does not scroll sideways, no
    button or label is truncated, no formula is cut, and nothing is fetched from anywhere but
    the app (the tab's icon included). At 1024 x 768 the Playground's and the comparison's
    Step and Play buttons and the top of their boundary are on screen without scrolling."""
    from urllib.parse import urlsplit

    from tests.browser_util import screenshot_path

    width, height = size
    charts, action = PROJECTOR_PAGES[path]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        sep = "&" if "?" in path else "?"
        _goto(page, f"{app_server}/{path}{sep}present=1")
        name = f"present_{width}x{height}_{path.split('?')[0] or 'playground'}"
        for when in ("before", "after"):
            if when == "after":
                _main_action(page, action)
            if charts:  # Plotly charts, Streamlit's or the live ones
                page.wait_for_function(_charts_drawn(".js-plotly-plot", charts), timeout=60000)
            page.wait_for_timeout(1500)  # Plotly draws after the run's end
            if path in ABOVE_THE_FOLD and width == 1024 and when == "before":
                page.wait_for_function(_charts_drawn(
                    f'.tl-chart[data-chart="{ABOVE_THE_FOLD[path]}"]', 1), timeout=60000)
                fold = page.evaluate(FOLD, ABOVE_THE_FOLD[path])
                assert not fold["scrolled"], fold
                assert sorted(b["text"] for b in fold["buttons"]) == ["Play", "Step"], fold
                assert all(fold["header"] <= b["top"] and b["bottom"] <= height
                           for b in fold["buttons"]), fold
                assert fold["chart"] and fold["chart"]["top"] < height, fold
            problems = page.evaluate(GEOMETRY)
            assert problems == [], f"{when}: " + "; ".join(problems)
            assert page.evaluate(CUT_TEXT) == [], when
            assert page.evaluate(CUT_FORMULAS) == [], when
            page.screenshot(path=screenshot_path(f"{name}_{when}"))
        page.set_viewport_size({"width": width, "height": 4000})  # one picture of the page
        page.wait_for_timeout(1000)
        page.screenshot(path=screenshot_path(name + "_whole"))
        server = urlsplit(app_server).netloc
        assert [u for u in requests if urlsplit(u).netloc not in (server, "")] == []
    finally:
        context.close()


# The words of a button's label that are broken across two lines (a label may wrap, but
# only between words).
SPLIT_WORDS = r"""() => Array.from(document.querySelectorAll(
    'button p, [data-testid="stLinkButton"] p')).flatMap(p => {
  const split = [];
  for (const node of p.childNodes) {
    if (node.nodeType !== Node.TEXT_NODE) continue;
    for (const m of node.textContent.matchAll(/\S+/g)) {
      const r = document.createRange();
      r.setStart(node, m.index);
      r.setEnd(node, m.index + m[0].length);
      if (new Set(Array.from(r.getClientRects()).map(b => Math.round(b.top))).size > 1)
        split.push(m[0]);
    }
  }
  return split;
})"""


def test_button_labels_wrap_only_between_words(page, app_server):
    """The sidebar's "Regenerate" in its narrow column, and every other button: no word is
    broken across lines ("Regenera/te")."""
    from tests.browser_util import screenshot_path

    _goto(page, f"{app_server}/")
    page.locator('[data-testid="stSidebar"]').get_by_role(
        "button", name="Regenerate").wait_for(timeout=30000)
    assert page.evaluate(SPLIT_WORDS) == []
    page.screenshot(path=screenshot_path("button_labels"))
