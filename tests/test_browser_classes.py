"""Three classes in the browser: the Playground's boundary shows three regions (three distinct
colours in the pixels of its probability map, drawn by Plotly and painted on Play's canvas) and
MSE vs log-loss two such maps. The colours are read from the screen and matched to the palette
written here (Okabe and Ito's orange, blue and bluish green, tinted towards white)."""

import io

import numpy as np
import pytest

pytestmark = pytest.mark.browser

# The three class colours (RGB), as the palette's first three entries; a region is its class's
# colour mixed with white in the share TINTS (twolayer.figures.classes.TINT_RANGE).
CLASS_RGB = np.array([(0xE6, 0x9F, 0x00), (0x00, 0x72, 0xB2), (0x00, 0x9E, 0x73)], dtype=float)
TINTS = (0.15, 0.65)
NEAR = 12.0          # RGB distance from a class's tint line that still counts as that class
LEAST = 0.04         # each region covers at least this share of the map


def classes_of(rgb):
    """For each pixel (n, 3) the class whose tint line (white .. colour) it lies on, or -1."""
    white = np.full(3, 255.0)
    best = np.full(len(rgb), np.inf)
    label = np.full(len(rgb), -1)
    for k, color in enumerate(CLASS_RGB):
        direction = color - white
        t = np.clip((rgb - white) @ direction / (direction @ direction), *TINTS)
        dist = np.linalg.norm(rgb - (white + t[:, None] * direction), axis=1)
        closer = dist < best
        best[closer], label[closer] = dist[closer], k
    label[best > NEAR] = -1
    return label


def shares(png):
    """The share of a picture's pixels on each class's tint line (PNG bytes in)."""
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float).reshape(-1, 3)
    label = classes_of(rgb)
    return [float(np.mean(label == k)) for k in range(len(CLASS_RGB))]


def plot_area(page, chart):
    """The screenshot of a live chart's plot area (the map, under the points)."""
    box = page.evaluate("""(name) => {
        const gd = document.querySelector(`.tl-chart[data-chart="${name}"]`);
        const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
        return {x: r.x, y: r.y, width: r.width, height: r.height};
    }""", chart)
    return page.screenshot(clip=box)


def classes_under_points(page, chart):
    """For each class k, the classes the map shows under the training points of class k
    (the points' layer hidden for the screenshot, shown again after): {k: array}."""
    from PIL import Image

    where = page.evaluate("""(name) => {
        const gd = document.querySelector(`.tl-chart[data-chart="${name}"]`);
        const fl = gd._fullLayout, xa = fl.xaxis, ya = fl.yaxis;
        const out = {};
        gd._fullData.forEach((t, i) => {
            const m = /^train, class (\\d+)$/.exec(t.name || "");
            if (m) out[m[1]] = Array.from(t.x).map((x, j) => [xa.l2p(x), ya.l2p(t.y[j])]);
        });
        // The points: Plotly's layer, or the copy of it the live charts keep (tl-still).
        gd.querySelectorAll('.scatterlayer, .tl-still').forEach((g) => {
            g.style.visibility = 'hidden';
        });
        return out;
    }""", chart)
    picture = np.asarray(Image.open(io.BytesIO(plot_area(page, chart))).convert("RGB"),
                         dtype=float)
    page.evaluate("""(name) => document.querySelectorAll(
        `.tl-chart[data-chart="${name}"] :is(.scatterlayer, .tl-still)`).forEach((g) => {
            g.style.visibility = '';
        })""", chart)
    h, w, _ = picture.shape
    out = {}
    for k, points in where.items():
        px = np.clip(np.round(np.asarray(points)).astype(int), 0, [w - 1, h - 1])
        out[int(k)] = classes_of(picture[px[:, 1], px[:, 0]])
    return out


def canvas_shares(page, chart):
    """The same shares from the pixels of the canvas Play paints the map on."""
    data = page.evaluate("""(name) => {
        const c = document.querySelector(`.tl-chart[data-chart="${name}"] canvas.tl-paint`);
        if (!c) return null;
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return Array.from(px);
    }""", chart)
    if data is None:
        return None
    rgba = np.asarray(data, dtype=float).reshape(-1, 4)
    label = classes_of(rgba[rgba[:, 3] > 0, :3])
    return [float(np.mean(label == k)) for k in range(len(CLASS_RGB))]


def _open(page, url, charts):
    from tests.browser_util import LIVE_CHART, exception_texts, goto_app

    goto_app(page, url)
    page.wait_for_function(f"Array.from(document.querySelectorAll('{LIVE_CHART}'))"
                           f".filter(c => c.querySelector('.main-svg')).length >= {charts}",
                           timeout=60000)
    assert exception_texts(page) == []


def test_the_playground_boundary_shows_three_regions(page, app_server):
    from tests.browser_util import exception_texts, screenshot_path, wait_for_app

    _open(page, f"{app_server}/?classes=3&dataset=spiral&hidden=16", 4)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("""() => {
        const gd = document.querySelector('.tl-chart[data-chart="boundary"]');
        return gd && gd.layout && / epoch 100$/.test(gd.layout.title.text);
    }""", timeout=90000)
    wait_for_app(page, timeout=90000)
    page.screenshot(path=screenshot_path("classes_playground"))
    got = shares(plot_area(page, "boundary"))
    assert min(got) > LEAST, got
    # Each class's region is where its points are: the map's class under each training point
    # is mostly the point's own (the net is right on most of them after 100 epochs).
    for k, under in classes_under_points(page, "boundary").items():
        assert np.mean(under == k) > 0.6, (k, np.bincount(under + 1))
    # Play paints each frame on a canvas, from 8-bit levels and the heatmap's own colour scale.
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_selector('.tl-chart[data-chart="boundary"] canvas.tl-paint', timeout=60000)
    page.wait_for_timeout(500)
    painted = canvas_shares(page, "boundary")
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_for_app(page, timeout=60000)
    assert painted is not None and min(painted) > LEAST, painted
    assert sum(painted) > 0.9, painted    # nearly every pixel is one class's tint
    assert exception_texts(page) == []


def test_the_compare_page_shows_two_maps_of_three_regions(page, app_server):
    from tests.browser_util import exception_texts, screenshot_path, wait_for_app

    _open(page, f"{app_server}/mse-vs-log-loss?classes=3&lesson=fair", 2)
    page.get_by_role("button", name="Train 100").click()
    page.get_by_text("Epoch 100", exact=True).wait_for(timeout=90000)
    wait_for_app(page, timeout=90000)
    page.screenshot(path=screenshot_path("classes_compare"))
    for chart in ("mse", "log_loss"):
        got = shares(plot_area(page, chart))
        assert min(got) > LEAST, (chart, got)
        for k, under in classes_under_points(page, chart).items():   # both nets learn it
            assert np.mean(under == k) > 0.6, (chart, k, np.bincount(under + 1))
    assert exception_texts(page) == []
