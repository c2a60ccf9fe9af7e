"""The live boundary charts' geometry, measured in the browser: the plot area and the axis
titles stay where they are before, during and after Play, and a square picture's height follows
its width (no empty band under it). Asserts positions, not speed."""

import pytest

pytestmark = pytest.mark.browser

TOLERANCE = 2       # px: a tick label may move the plot by a pixel
MAX_GAP = 60        # px between the x-axis title and the bottom of the chart's box

# JS: where a live chart's parts are, relative to its box (left, top, width, height, rounded);
# null while the chart is hidden (Streamlit hides an element for a moment on some reruns).
GEOMETRY = """(name) => {
    const gd = document.querySelector(`.tl-chart[data-chart="${name}"]`);
    if (!gd || !gd.querySelector('.nsewdrag')) return null;
    const box = gd.getBoundingClientRect();
    if (!box.width) return null;
    const at = (selector) => {
        const el = gd.querySelector(selector);
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return [r.left - box.left, r.top - box.top, r.width, r.height].map(Math.round);
    };
    return {box: [Math.round(box.width), Math.round(box.height)], plot: at('.nsewdrag'),
            ytitle: at('.g-ytitle'), yticks: at('.yaxislayer-above'), xtitle: at('.g-xtitle'),
            legend: at('.legend'), colorbar: at('.colorbar'), title: at('.g-gtitle'),
            epoch: +((/epoch (\\d+)$/.exec(gd.layout.title.text) || [0, -1])[1]),
            ranges: [gd._fullLayout.xaxis.range, gd._fullLayout.yaxis.range]};
}"""

# JS: from now on, every distinct geometry of the chart's plot area and y title on screen, one
# look per animation frame (what a person would see jump, even between two measurements).
WATCH = """(name) => {
    window.__geometries = [];
    const geometry = """ + GEOMETRY + """;
    const look = () => {
        const g = geometry(name);
        if (g) {
            const key = JSON.stringify([g.box, g.plot, g.ytitle]);
            const seen = window.__geometries;
            if (!seen.length || seen[seen.length - 1].key !== key) seen.push({key, g});
        }
        window.__watching = requestAnimationFrame(look);
    };
    look();
}"""

PAGES = {"playground": ("", "boundary", "Decision boundary at epoch"),
         "compare": ("mse-vs-log-loss?lesson=fair", "mse", "MSE net, epoch")}


def _open(page, app_server, path, name):
    from tests.browser_util import EXCEPTION, goto_app

    goto_app(page, f"{app_server}/{path}", drawn=lambda p: p.wait_for_function(
        f"() => {{ const g = document.querySelector('.tl-chart[data-chart=\"{name}\"]');"
        " return g && g.dataset.hash && g.querySelector('.nsewdrag'); }", timeout=90000))
    _settled(page, name)
    assert page.locator(EXCEPTION).count() == 0


def _settled(page, name, timeout=15000):
    """The chart's geometry as it stays: the same in two looks 600 ms apart."""
    last = None
    for _ in range(timeout // 600):
        now = page.evaluate(GEOMETRY, name)
        if now is not None and now == last:
            return now
        last = now
        page.wait_for_timeout(600)
    raise AssertionError(f"the chart {name} never settled: {last}")


def _close(a, b, what):
    assert a is not None and b is not None, what
    assert all(abs(x - y) <= TOLERANCE for x, y in zip(a, b, strict=True)), (what, a, b)


def _inside(g):
    """The y title and the tick labels lie inside the chart's box (not clipped at its edges)."""
    width, height = g["box"]
    for part in ("ytitle", "yticks", "xtitle"):
        left, top, w, h = g[part]
        assert left >= 0 and top >= 0, (part, g)
        assert left + w <= width and top + h <= height, (part, g)


def _same(before, g, when):
    _close(before["box"], g["box"], f"chart box {when}")
    _close(before["plot"], g["plot"], f"plot area {when}")
    _close(before["ytitle"], g["ytitle"], f"y-axis title {when}")
    _close(before["xtitle"], g["xtitle"], f"x-axis title {when}")
    _inside(g)


@pytest.mark.parametrize("which", list(PAGES))
def test_boundary_stays_put_through_play(page, app_server, which):
    """The plot area, the axis titles and the chart's box are where they were before Play in
    several looks while playing (the picture moving on) and after Pause; no frame in between
    shows them elsewhere; the y title is inside the chart, not clipped."""
    from tests.browser_util import screenshot_path, wait_for_app

    path, name, title = PAGES[which]
    _open(page, app_server, path, name)
    before = _settled(page, name)
    _inside(before)
    page.evaluate(WATCH, name)
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60000)
    epochs = []
    for _ in range(5):
        page.wait_for_function(
            f"() => {{ const g = ({GEOMETRY})('{name}'); return g && g.epoch > "
            f"{max(epochs, default=0)}; }}", timeout=60000)
        page.wait_for_timeout(300)
        during = page.evaluate(GEOMETRY, name)
        epochs.append(during["epoch"])
        _same(before, during, f"while playing, at epoch {during['epoch']}")
    page.screenshot(path=screenshot_path(f"{which}_boundary_playing"))
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0], epochs   # it did move on
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    page.wait_for_function(f"() => {{ const g = ({GEOMETRY})('{name}'); "
                           f"return g && document.querySelector('.tl-chart[data-chart=\"{name}\"]')"
                           f".layout.title.text.startsWith('{title}'); }}")
    after = _settled(page, name)
    _same(before, after, "after Pause")
    seen = page.evaluate("() => { cancelAnimationFrame(window.__watching);"
                         " return window.__geometries.map(s => s.g); }")
    assert seen, "no look at the chart"
    for g in seen:
        _same(before, g, f"in a frame at epoch {g['epoch']}")


def _gap_below(g):
    """Pixels between the lowest of the plot, the x ticks and the x title and the box's bottom."""
    lowest = max(top + h for _, top, _, h in (g["plot"], g["xtitle"], g["yticks"]))
    return g["box"][1] - lowest


def _no_overlap(g):
    """Title above legend above plot; the colour bar right of the plot; all inside the box."""
    assert g["title"][1] + g["title"][3] <= g["legend"][1] + 1, g
    assert g["legend"][1] + g["legend"][3] <= g["plot"][1] + 1, g
    assert g["plot"][0] + g["plot"][2] <= g["colorbar"][0] + 1, g
    assert g["colorbar"][0] + g["colorbar"][2] <= g["box"][0], g
    _inside(g)


NARROWER = {1024: 824, 1280: 1000, 1920: 900}    # window width -> the one it narrows to


@pytest.mark.parametrize("width", sorted(NARROWER))
@pytest.mark.parametrize("which", list(PAGES))
def test_square_boundary_height_follows_its_width(page, app_server, which, width):
    """At each window width (the compare page's two columns included) the square picture's
    plot area is as tall as its ranges make it for the width it has, and the chart ends just
    under the x-axis title: no empty band under the plot, nothing drawn over anything."""
    from tests.browser_util import screenshot_path

    path, name, _ = PAGES[which]
    page.set_viewport_size({"width": width, "height": 1000})
    _open(page, app_server, path, name)
    g = _settled(page, name)
    (x0, x1), (y0, y1) = g["ranges"]
    _, _, w, h = g["plot"]
    assert h == pytest.approx(w * abs((y1 - y0) / (x1 - x0)), abs=3), g   # equal scales
    assert 0 <= _gap_below(g) < MAX_GAP, g
    assert g["plot"][1] - (g["legend"][1] + g["legend"][3]) < MAX_GAP / 2, g   # nor above it
    # The plot takes the box's width, less the y title and ticks and the colour bar.
    assert g["box"][0] - w < 160, g
    _no_overlap(g)
    page.locator(f'.tl-chart[data-chart="{name}"]').screenshot(
        path=screenshot_path(f"{which}_boundary_{width}"))
    # The window narrows: the chart follows, still with no band under it. (On a wide window the
    # picture's column is capped by the screen's height, so it narrows to where width rules. At
    # 1000 px the playground's grid goes to one column, 540 px wide: as wide as the capped column
    # at 1920, so 1920 narrows to 900.)
    page.set_viewport_size({"width": NARROWER[width], "height": 1000})
    page.wait_for_function(f"() => {{ const g = ({GEOMETRY})('{name}'); "
                           f"return g && g.box[0] !== {g['box'][0]}; }}", timeout=60000)
    narrow = _settled(page, name)
    assert narrow["box"][0] != g["box"][0], (g, narrow)     # settled at another width
    (x0, x1), (y0, y1) = narrow["ranges"]
    _, _, w, h = narrow["plot"]
    assert h == pytest.approx(w * abs((y1 - y0) / (x1 - x0)), abs=3), narrow
    assert 0 <= _gap_below(narrow) < MAX_GAP, narrow
    _no_overlap(narrow)
