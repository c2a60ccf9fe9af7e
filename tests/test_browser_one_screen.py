"""One screen, one truth: the main picture beside its controls at a laptop's and a projector's
size, every epoch number on screen agreeing with the picture, and charts a finger scrolls over.

Every test here shares the session's one server and one Chromium (tests/conftest.py).
"""

import re

import pytest

pytestmark = pytest.mark.browser

SIZES = {"1280x800": (1280, 800, ""), "1024x768-present": (1024, 768, "present=1"),
         "1280x720-present": (1280, 720, "present=1")}

# Each page: its path, the main picture's plot areas (Plotly's drag layer; the Backprop page
# has no chart: its first line of the derivation), its main button and its main action.
MAIN = {
    "playground": ("", ['.tl-chart[data-chart="boundary"] .nsewdrag'], "Step", "train"),
    "compare": ("mse-vs-log-loss", ['.tl-chart[data-chart="mse"] .nsewdrag',
                                    '.tl-chart[data-chart="log_loss"] .nsewdrag'],
                "Step", "train"),
    "landscape": ("loss-landscape", [".st-key-ls_mse .nsewdrag",
                                     ".st-key-ls_log_loss .nsewdrag"], "Step", "train"),
    "sweep": ("sweep", [".st-key-sweep_figure .nsewdrag"], "Saturated start", "saturated"),
    "backprop": ("chain-rule", ["FIRST_LINE"], "Take one step", "step"),
}
FIRST_AT_LEAST = 0.8   # of each plot area's height inside the first screen

GEOMETRY = r"""([areas, button]) => {
  const H = window.innerHeight;
  const header = document.querySelector('[data-testid="stHeader"]').getBoundingClientRect();
  const find = sel => {
    if (sel !== 'FIRST_LINE') return document.querySelector(sel);
    const heads = [...document.querySelectorAll('[data-testid="stMain"] h3')];
    const forward = heads.find(h => h.innerText.trim().startsWith('Forward pass'));
    return [...document.querySelectorAll('[data-testid="stMain"] .katex-display')]
      .find(k => forward && k.getBoundingClientRect().top > forward.getBoundingClientRect().top);
  };
  const inside = e => {
    if (!e) return null;
    const r = e.getBoundingClientRect();
    const seen = Math.max(0, Math.min(r.bottom, H) - Math.max(r.top, header.bottom));
    return {top: Math.round(r.top), bottom: Math.round(r.bottom), share: seen / r.height};
  };
  const main = document.querySelector('[data-testid="stMain"]');
  const b = [...main.querySelectorAll('button, label')].find(e => {
    const text = e.innerText.trim();   // a switch's label may go on: "Saturated start: ..."
    return (text === button || text.startsWith(button + ':'))
      && e.getBoundingClientRect().width > 0;
  });
  return {areas: areas.map(s => inside(find(s))), button: inside(b),
          scrolled: document.querySelector('[data-testid="stMain"]').scrollTop > 0
                    || window.scrollY > 0};
}"""


def _goto(page, url):
    from tests.browser_util import goto_app

    goto_app(page, url)


def _main_action(page, action):
    from tests.browser_util import wait_for_app

    main = page.locator('[data-testid="stMain"]')
    if action == "train":
        main.get_by_role("button", name=re.compile(r"^Train( \d+)?$")).first.click()
        page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"]')"
                               ".innerText.match(/(^|\\n)(Epoch\\s+)?100(\\n|$)/)",
                               timeout=90000)
    elif action == "saturated":
        main.get_by_text("Saturated start: every net").click()   # (the toggle)
        page.wait_for_function("() => location.search.includes('sweep_saturated=true')",
                               timeout=30000)
    elif action == "step":
        main.get_by_role("button", name="Take one step").click()
        main.get_by_text("L after").wait_for(timeout=30000)
    page.wait_for_timeout(300)
    wait_for_app(page, timeout=120000)


def _measure(page, areas, button):
    # Plotly draws after the run's end, and a square picture is fitted to its width after that.
    page.wait_for_function(f"""(arg) => {{ const got = ({GEOMETRY})(arg);
        return got.button && got.areas.every(a => a); }}""", arg=[areas, button],
                           timeout=60000)
    page.wait_for_timeout(1500)
    return page.evaluate(GEOMETRY, [areas, button])


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(MAIN))
def test_the_main_picture_and_its_button_are_on_the_first_screen(browser, app_server, name,
                                                                  size):
    """At a laptop's size and at a projector's two in presentation mode, on every page, before
    and after the page's main action: at least 80% of each main plot area lies in the first
    screen (under Streamlit's header bar), with the main button, and nothing is scrolled."""
    from tests.browser_util import exception_texts, screenshot_path

    width, height, query = SIZES[size]
    path, areas, button, action = MAIN[name]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        _goto(page, f"{app_server}/{path}" + (f"?{query}" if query else ""))
        for when in ("before", "after"):
            if when == "after":
                _main_action(page, action)
            got = _measure(page, areas, button)
            page.screenshot(path=screenshot_path(f"one_screen_{name}_{size}_{when}"))
            assert not got["scrolled"], (when, got)
            assert got["button"] and got["button"]["share"] == 1, (when, got)
            for area in got["areas"]:
                assert area and area["share"] >= FIRST_AT_LEAST, (when, got)
        assert exception_texts(page) == []
    finally:
        context.close()


# --- one truth -------------------------------------------------------------------------------

METRICS = """() => Object.fromEntries([...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stMetric"]')].map(m => [
      m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
      m.querySelector('[data-testid="stMetricValue"]').innerText.trim()]))"""
TITLE = """() => { const gd = document.querySelector('.tl-chart[data-chart="boundary"]');
    return gd && gd.layout ? gd.layout.title.text : ''; }"""
SLIDER = """() => { const s = document.querySelector('.st-key-view_epoch input[type="range"]');
    return s ? +s.value : null; }"""


def _default_trainer():
    """The net and trainer of the default settings, from the core alone."""
    from twolayer.data import make_dataset
    from twolayer.net import TwoLayerNet
    from twolayer.settings import SETTINGS
    from twolayer.train import Trainer

    d = {k: s.default for k, s in SETTINGS.items()}
    data = make_dataset(d["dataset"], d["samples"], d["noise"], d["test_fraction"], d["seed"])
    net = TwoLayerNet(2, d["hidden"], d["activation"], "classification", d["loss"],
                      seed=d["seed"])
    return Trainer(net, data, lr=d["lr"], batch_size=d["batch"], l2=d["l2"], seed=d["seed"])


def _visit(page, title):
    """Go to another page the way a reader does: its link in the sidebar."""
    from tests.browser_util import wait_for_app

    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=re.compile(title.split(":")[0])).first.wait_for(
        timeout=90000)
    wait_for_app(page, timeout=90000)


def _downloaded_weights(page):
    from twolayer.io import net_from_npz

    box = page.get_by_text("Download data, weights, history, figure")
    box.click()
    with page.expect_download(timeout=60000) as download:
        page.get_by_role("button", name="Weights (.npz)").click()
    raw = open(download.value.path(), "rb").read()
    box.click()  # folded again
    return net_from_npz(raw)


def test_one_epoch_on_screen_after_a_visit_elsewhere_and_while_scrubbing(page, app_server):
    """Train 100, visit every other page, come back: the numbers, the title and the history
    slider all say 100, and the weights to download are epoch 100's (their loss, computed in
    the core, is the loss on screen). History slider to 10: every number is epoch 10's."""
    from tests.browser_util import LIVE_CHART, exception_texts, screenshot_path, wait_for_app

    _goto(page, f"{app_server}/")
    page.wait_for_function(f"document.querySelectorAll('{LIVE_CHART} .main-svg').length >= 4",
                           timeout=60000)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(f"({METRICS})()['Epoch'] === '100'", timeout=90000)
    wait_for_app(page, timeout=90000)
    for title in ("MSE vs log-loss", "Backprop, step by step", "Sweep: learning rates",
                  "Loss landscape", "Playground"):
        _visit(page, title)
    page.wait_for_function(f"({TITLE})() === 'Decision boundary at epoch 100'", timeout=60000)
    shown = page.evaluate(METRICS)
    assert shown["Epoch"] == "100"
    assert page.evaluate(SLIDER) == 100
    twin = _default_trainer()
    twin.run(100)
    assert shown["Train loss"] == f"{twin.history.train_loss[-1]:.4f}"
    net = _downloaded_weights(page)
    data = twin.data
    assert f"{net.loss(data.X_train, data.y_train):.4f}" == shown["Train loss"]
    page.screenshot(path=screenshot_path("one_truth_back_at_100"))

    # Scrub back to epoch 10 with the keyboard, as a reader may.
    thumb = page.locator('.st-key-view_epoch input[type="range"]')
    thumb.focus()
    thumb.press("Home")
    for _ in range(10):
        thumb.press("ArrowRight")
    page.wait_for_function(f"({TITLE})() === 'Decision boundary at epoch 10'", timeout=60000)
    page.wait_for_function(f"({METRICS})()['Epoch'] === '10 of 100'", timeout=60000)
    wait_for_app(page, timeout=60000)
    shown = page.evaluate(METRICS)
    h = twin.history
    assert shown == {"Epoch": "10 of 100", "Train loss": f"{h.train_loss[9]:.4f}",
                     "Test loss": f"{h.test_loss[9]:.4f}",
                     "Train accuracy": f"{h.train_metric[9]:.3f}",
                     "Test accuracy": f"{h.test_metric[9]:.3f}"}
    assert page.evaluate(SLIDER) == 10
    net = _downloaded_weights(page)
    assert f"{net.loss(data.X_train, data.y_train):.4f}" == f"{h.train_loss[9]:.4f}"
    assert exception_texts(page) == []


# Every animation frame: the epoch in the picture's title as drawn (its SVG text), and every
# other epoch number on screen: the "Epoch" number, the history slider's value.
FRAME_PROBE = r"""() => {
  window.__frames = [];
  const epochOf = t => { const m = /epoch (\d+)/.exec(t || ''); return m ? +m[1] : null; };
  const tick = () => {
    const gd = document.querySelector('.tl-chart[data-chart="boundary"]');
    const title = gd && gd.querySelector('.gtitle');
    const metric = [...document.querySelectorAll('[data-testid="stMetric"]')]
      .find(m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === 'Epoch');
    const slider = document.querySelector('.st-key-view_epoch input[type="range"]');
    window.__frames.push({
      picture: epochOf(title && title.textContent),
      metric: metric ? parseInt(metric.querySelector('[data-testid="stMetricValue"]')
                                .innerText, 10) : null,
      slider: slider ? +slider.value : null});
    if (!window.__stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


@pytest.mark.parametrize("speed", ["1×", "10×"])
def test_while_playing_every_epoch_on_screen_is_the_pictures(page, app_server, speed):
    """Play at 1x and 10x, sampled at every animation frame for 5 s: the epoch number, the
    history slider and the picture's title never name two epochs (numbers may make way)."""
    from tests.browser_util import LIVE_CHART, exception_texts, wait_for_app

    _goto(page, f"{app_server}/")
    page.wait_for_function(f"document.querySelectorAll('{LIVE_CHART} .main-svg').length >= 4",
                           timeout=60000)
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(f"({METRICS})()['Epoch'] === '1'", timeout=60000)
    wait_for_app(page)
    page.locator(".st-key-pg_speed").get_by_text(speed, exact=True).click()
    wait_for_app(page)
    page.evaluate(FRAME_PROBE)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_timeout(5000)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    page.wait_for_timeout(1000)
    page.evaluate("window.__stop = true")
    frames = page.evaluate("window.__frames")
    assert len(frames) > 60, len(frames)
    moved = {f["picture"] for f in frames}
    assert len(moved) > 10, moved                      # it played
    # A frame in which the picture is being drawn again (after Pause, the live chart takes
    # over from Play's canvas) shows no title for a moment: it names no epoch, so no two.
    untitled = [f for f in frames if f["picture"] is None]
    assert len(untitled) <= 10, (len(untitled), len(frames))
    wrong = [f for f in frames if f["picture"] is not None
             and any(f[k] is not None and f[k] != f["picture"] for k in ("metric", "slider"))]
    assert wrong == [], (len(wrong), wrong[:5])
    assert frames[-1]["metric"] == frames[-1]["picture"]   # the numbers are back on Pause
    assert exception_texts(page) == []


# --- phone -----------------------------------------------------------------------------------

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}
RANGES = """(sel) => { const gd = document.querySelector(sel);
    return [gd._fullLayout.xaxis.range, gd._fullLayout.yaxis.range]; }"""
SCROLLED = """() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollTop),
                            window.scrollY)"""
# Boxes of the Plotly toolbars shown and of the chart titles (a figure's title, or a title
# drawn as an annotation above a panel) that they overlap.
TOOLBAR_OVER_TITLE = r"""() => {
  const box = e => e.getBoundingClientRect();
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom
    && b.top < a.bottom && a.width > 0 && a.height > 0 && b.width > 0 && b.height > 0;
  const out = [];
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const bar = gd.querySelector('.modebar-container');
    if (!bar || getComputedStyle(bar).display === 'none') continue;
    const modebar = bar.querySelector('.modebar');
    if (!modebar || getComputedStyle(modebar).opacity === '0') continue;
    for (const t of gd.querySelectorAll('.gtitle, .annotation-text'))
      if (meet(box(modebar), box(t))) out.push(t.textContent);
  }
  return out;
}"""


def _swipe(page, context, x, y, dy=300, steps=20):
    """One finger from (x, y) up by dy px, as touch events through Chromium's input pipeline."""
    cdp = context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, steps + 1):
        cdp.send("Input.dispatchTouchEvent",
                 {"type": "touchMove", "touchPoints": [{"x": x, "y": y - dy * k / steps}]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(600)


def test_a_finger_scrolls_the_page_over_a_chart_and_no_toolbar_hides_a_title(browser,
                                                                              app_server):
    """On a phone (390 x 844, touch): a one-finger swipe over the boundary scrolls the page by
    at least 200 px and leaves the chart's axes as they were; on every page no Plotly toolbar
    lies over a chart's title; the comparison's two maps name their loss in their titles."""
    from tests.browser_util import LIVE_CHART, screenshot_path

    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        _goto(page, f"{app_server}/")
        page.wait_for_function(f"document.querySelectorAll('{LIVE_CHART} .main-svg').length >= 4",
                               timeout=60000)
        page.wait_for_timeout(1500)
        chart = '.tl-chart[data-chart="boundary"]'
        page.evaluate(f"document.querySelector('{chart}').scrollIntoView({{block: 'center'}})")
        page.wait_for_timeout(500)
        ranges = page.evaluate(RANGES, chart)
        before = page.evaluate(SCROLLED)
        r = page.locator(f"{chart} .nsewdrag").bounding_box()
        _swipe(page, context, r["x"] + r["width"] / 2, r["y"] + r["height"] * 0.8)
        assert page.evaluate(SCROLLED) - before >= 200
        assert page.evaluate(RANGES, chart) == ranges
        for name, (path, _, _, _) in MAIN.items():
            if path:
                _goto(page, f"{app_server}/{path}")
            if name != "backprop":
                page.wait_for_function(
                    "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2",
                    timeout=60000)
                page.wait_for_timeout(1500)
            assert page.evaluate(TOOLBAR_OVER_TITLE) == [], name
            page.screenshot(path=screenshot_path(f"phone_{name}"))
            if name == "compare":
                titles = page.evaluate("""() => ['mse', 'log_loss'].map(n => document
                    .querySelector(`.tl-chart[data-chart="${n}"]`).layout.title.text)""")
                assert "MSE" in titles[0] and "log-loss" in titles[1], titles
    finally:
        context.close()

