"""Play draws its moving charts on canvases (twolayer/ui/live/frontend: curves.js, scatter.js,
paint.js): what they show, read from their pixels, against the numbers Python computed.

- The curves: sampled during Play, the train loss line ends at the epoch on screen, at the
  height of that epoch's train loss (read from the chart Python sends after Pause), and nothing
  of it is drawn right of the marker.
- The epoch marker, on a canvas of its own: in each panel, at the epoch on screen and nowhere
  else.
- The boundary's title, written on a canvas while playing: in every sampled frame it says what
  the (hidden) SVG title says; and the canvas writes a title as Plotly draws it (the same ink,
  in the same place, compared in screenshots).
- The network diagram: the canvas painter, given the figure Plotly shows, fills every node with
  the colour Plotly gave it.
"""

import pytest

from tests.browser_util import LIVE_CHART, exception_texts, goto_app, wait_for_app

pytestmark = pytest.mark.browser

CHART = "document.querySelector('.tl-chart[data-chart=\"{}\"]')"

# The address of one of the live charts' modules, next to live.js (the one the page lists among
# its resources: the modules it imports are not always listed).
MODULE = """(name) => new URL(name, performance.getEntriesByType('resource').map((e) => e.name)
  .find((n) => n.endsWith('/live.js'))).href"""

# Every 5th animation frame while playing: the epoch in the boundary's title and, in the
# curves chart's first panel, what the canvas shows in the column of that epoch (the rows of
# pixels in the loss line's colour), whether any of that colour lies right of it, and where
# the panel's axes put the epoch and the values (Plotly's layout of that moment).
PROBE = """async () => {
  const { titleLook, write } = await import(MODULE('paint.js'));
  window.__samples = [];
  window.__stop = false;
  let n = 0;
  // The title canvas's pixels against the same canvas written anew with the SVG title's words.
  const sameTitle = (title, pen) => {
    const copy = document.createElement('canvas');
    copy.width = pen.width;
    copy.height = pen.height;
    write({ canvas: copy, dpr: window.devicePixelRatio || 1, look: titleLook(title) },
          title.textContent);
    const a = pen.getContext('2d').getImageData(0, 0, pen.width, pen.height).data;
    const b = copy.getContext('2d').getImageData(0, 0, pen.width, pen.height).data;
    let ink = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) return { same: false, ink };
      if (i % 4 === 3 && a[i]) ink++;
    }
    return { same: true, ink };
  };
  const tick = () => {
    if (window.__stop) return;
    requestAnimationFrame(tick);
    if (n++ % 5) return;
    const title = document.querySelector('.tl-chart[data-chart="boundary"] .g-gtitle text.gtitle');
    const m = title && /epoch (\\d+)$/.exec(title.textContent);
    const gd = CURVES, canvas = gd.querySelector('canvas.tl-sketch');
    const net = NETWORK, hidden = HIDDEN;
    const pen = BOUNDARY.querySelector('canvas.tl-title');
    const sample = {
      epoch: m ? +m[1] : null, canvas: Boolean(canvas),
      network: Boolean(net.querySelector('canvas.tl-sketch')),
      networkHidden: getComputedStyle(net.querySelector('.scatterlayer')).visibility,
      hidden: Boolean(hidden.querySelector('canvas.tl-paint')),
      titleShown: title && getComputedStyle(title).display !== 'none',
      title: pen && m ? sameTitle(title, pen) : null,
    };
    if (canvas && m) {
      const fl = gd._fullLayout, xa = fl.xaxis, ya = fl.yaxis;
      const rgb = (c) => c.match(/[0-9a-f]{2}/gi).map((h) => parseInt(h, 16));
      const [r, g, b] = rgb(gd.data[0].line.color);
      const ctx = canvas.getContext('2d');
      const top = Math.round(ya._offset), height = Math.round(ya._length);
      const left = Math.round(xa._offset), width = Math.round(xa._length);
      const img = ctx.getImageData(left, top, width, height).data;
      const like = (i) => img[i + 3] > 160 && Math.abs(img[i] - r) + Math.abs(img[i + 1] - g)
        + Math.abs(img[i + 2] - b) < 90;
      // The epoch's column in the panel; the line is read a few pixels left of it (the
      // dotted marker is drawn over its end).
      const at = Math.round(xa.c2p(+m[1]));
      const rows = [];
      for (let y = 0; y < height; y++) {
        for (let x = Math.max(0, at - 4); x <= Math.max(0, at - 2); x++) {
          if (like(4 * (y * width + x))) { rows.push(y + top); break; }
        }
      }
      let beyond = 0;
      for (let y = 0; y < height; y++) {
        for (let x = at + 3; x < width; x++) if (like(4 * (y * width + x))) beyond++;
      }
      // The marker: the columns of the panel where its canvas has ink, and in how many rows.
      const marks = gd.querySelector('canvas.tl-marks');
      const ink = marks.getContext('2d').getImageData(left, top, width, height).data;
      const columns = [];
      let inked = 0;
      for (let y = 0; y < height; y++) {
        let row = false;
        for (let x = 0; x < width; x++) {
          if (ink[4 * (y * width + x) + 3] > 0) {
            row = true;
            if (!columns.includes(x)) columns.push(x);
          }
        }
        if (row) inked++;
      }
      Object.assign(sample, { marker: { at, columns, inked } });
      Object.assign(sample, { rows, beyond, top: ya._offset, range: ya.range.slice(),
                              length: ya._length, type: ya.type,
                              perEpoch: xa.c2p(1) - xa.c2p(0) });
    }
    window.__samples.push(sample);
  };
  requestAnimationFrame(tick);
}""".replace("CURVES", CHART.format("curves")).replace(
    "NETWORK", CHART.format("network")).replace("HIDDEN", CHART.format("hidden")).replace(
    "BOUNDARY", CHART.format("boundary")).replace("MODULE", f"({MODULE})")


def test_play_draws_the_curves_to_the_epoch_on_screen(page, app_server):
    goto_app(page, f"{app_server}/?dataset=circles&noise=0.1&hidden=8&lr=0.3")
    page.wait_for_function(f"document.querySelectorAll('{LIVE_CHART}').length >= 4")
    page.evaluate(PROBE)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("window.__samples.filter((s) => s.rows && s.epoch > 40).length >= 10",
                           timeout=60000)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.evaluate("window.__stop = true")
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    samples = page.evaluate("window.__samples")
    drawn = [s for s in samples if s.get("rows") is not None and s["epoch"] >= 3]
    assert len(drawn) >= 15, samples
    # While playing, from their first keyframes on (frames 15 and 30), the network and the
    # hidden units are painted, Plotly's traces hidden.
    later = [s for s in drawn if s["epoch"] > 31]
    assert len(later) >= 10
    assert all(s["network"] and s["hidden"] for s in later), later
    assert {s["networkHidden"] for s in later} == {"hidden"}
    # After Pause the chart is Plotly's again, with every epoch's loss from Python.
    page.wait_for_function(f"!{CHART.format('curves')}.querySelector('canvas.tl-sketch')")
    page.wait_for_function(f"!{CHART.format('network')}.querySelector('canvas.tl-sketch')")
    assert page.evaluate(f"getComputedStyle({CHART.format('network')}"
                         ".querySelector('.scatterlayer')).visibility") == "visible"
    last = max(s["epoch"] for s in drawn)
    page.wait_for_function(f"{CHART.format('curves')}.data[0].y.length >= {last}")
    train = page.evaluate(f"Array.from({CHART.format('curves')}.data[0].y)")
    for s in drawn:
        (lo, hi), e = s["range"], s["epoch"]
        assert s["type"] == "linear"
        # The epochs the columns read span (2 to 4 pixels left of the epoch's own).
        back = int(4 / s["perEpoch"]) + 1
        losses = train[max(e - 1 - back, 0):e]
        ys = [s["top"] + (hi - v) / (hi - lo) * s["length"] for v in losses]
        assert any(min(ys) - 2 <= row <= max(ys) + 2 for row in s["rows"]), (s, losses, ys)
        assert s["beyond"] == 0, s
        # The marker stands at the epoch on screen (a dotted line: ink in about half the rows),
        # and nowhere else: no marker of an epoch before is left.
        marker = s["marker"]
        assert marker["columns"], s
        assert all(abs(x - marker["at"]) <= 2 for x in marker["columns"]), s
        assert marker["inked"] >= 0.4 * s["length"], s
        # The title canvas says, to the pixel, what the SVG title says (hidden meanwhile).
        assert s["title"]["same"] and s["title"]["ink"] > 50, s
        assert s["titleShown"] is False, s
    # After Pause the title is Plotly's again, shown, its canvas gone.
    boundary = CHART.format("boundary")
    page.wait_for_function(f"!{boundary}.querySelector('canvas.tl-title')")
    assert page.evaluate(f"getComputedStyle({boundary}.querySelector('.g-gtitle text.gtitle'))"
                         ".display") != "none"
    assert exception_texts(page) == []


# The network diagram as Plotly shows it, handed to the canvas painter (scatter.js, imported
# from the page's own copy): for each node, the canvas pixel between its name and its ring (under
# its name, inside its ring) and the fill Plotly gave that node's SVG marker.
PAINT_NETWORK = """async () => {
  const url = performance.getEntriesByType('resource').map((e) => e.name)
    .find((name) => name.endsWith('/scatter.js'));
  const { paintFigure, unpaintFigure } = await import(url);
  const gd = NETWORK, fl = gd._fullLayout;
  const plain = (v) => (ArrayBuffer.isView(v) ? Array.from(v) : v);
  const data = gd.data.map((t) => ({ ...t, x: plain(t.x), y: plain(t.y),
    marker: t.marker && { ...t.marker, color: plain(t.marker.color) } }));
  const figure = { data, layout: { xaxis: { range: fl.xaxis.range.slice() },
                                   yaxis: { range: fl.yaxis.range.slice() } } };
  if (!paintFigure(gd, { figure })) return null;
  const canvas = gd.querySelector('canvas.tl-sketch'), ctx = canvas.getContext('2d');
  const nodes = gd.data.length - 1, t = gd.data[nodes];
  const svg = [...gd.querySelectorAll('.scatterlayer .trace')][nodes]
    .querySelectorAll('path.point');
  const out = [];
  for (let i = 0; i < t.x.length; i++) {
    const r = t.marker.size / 2;
    const x = fl.xaxis._offset + fl.xaxis.c2p(t.x[i]);
    const y = fl.yaxis._offset + fl.yaxis.c2p(t.y[i]) + 0.6 * r;
    out.push({ canvas: Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data),
               plotly: svg[i].style.fill });
  }
  unpaintFigure(gd, false);
  return out;
}""".replace("NETWORK", CHART.format("network"))


def test_the_network_painter_fills_each_node_as_plotly_does(page, app_server):
    goto_app(page, f"{app_server}/?dataset=moons&hidden=5&lr=0.5")
    page.wait_for_function(f"document.querySelectorAll('{LIVE_CHART}').length >= 4")
    page.get_by_role("button", name="Train", exact=True).click()   # biases away from 0
    net = CHART.format("network")
    page.wait_for_function(f"{net}.data[{net}.data.length - 1].marker.color.some((c) => c !== 0)",
                           timeout=60000)
    wait_for_app(page, timeout=60000)
    nodes = page.evaluate(PAINT_NETWORK)
    assert nodes is not None, "the painter refused the chart's own figure"
    assert len(nodes) == 2 + 5 + 1
    fills = set()
    for node in nodes:
        want = [int(v) for v in node["plotly"].removeprefix("rgb(").rstrip(")").split(",")]
        assert node["canvas"][3] == 255, node
        assert max(abs(a - b) for a, b in zip(node["canvas"][:3], want, strict=True)) <= 6, node
        fills.add(tuple(want))
    assert len(fills) >= 4          # the biases differ: so do the fills compared
    assert exception_texts(page) == []


# The boundary's 0.5 line as the canvas painter draws it (paint.js contour, imported from the
# page's own copy), recorded by a context that keeps its moveTo/lineTo pairs: on a grid whose
# cell centres are 10 px apart (x right, y up as on screen), for a map given as rows of values.
CONTOUR = """async ([rows, level]) => {
  const url = MODULE('paint.js');
  const { contour } = await import(url);
  const segments = [];
  let from = null;
  const ctx = { beginPath() {}, stroke() {}, moveTo(x, y) { from = [x, y]; },
                lineTo(x, y) { segments.push([...from, x, y]); } };
  const n = rows.length, m = rows[0].length;
  const p = { level, rows: n, cols: m, xs: Array.from({ length: m }, (_, j) => 10 * j),
              ys: Array.from({ length: n }, (_, i) => 10 * (n - 1 - i)),
              line: { color: '#000', width: 1 } };
  contour(ctx, p, rows.map((r) => Float32Array.from(r, (v) => (v === null ? NaN : v))));
  return segments;
}""".replace("MODULE", f"({MODULE})")


def test_the_boundary_painter_draws_the_level_line_where_the_values_cross_it(page, app_server):
    """Marching squares against the exact answer: on a plane every end of every segment lies
    on the level line and the segments cover it from edge to edge; on a circle's map every
    segment stays within its cell (no end joined to another cell's); cells with a missing
    corner draw nothing."""
    import math

    goto_app(page, f"{app_server}/")
    n = 21
    # A plane: z = 0.03 j + 0.02 i; its 0.5 line j = (0.5 - 0.02 i) / 0.03 crosses the grid.
    plane = [[0.03 * j + 0.02 * i for j in range(n)] for i in range(n)]
    segments = page.evaluate(CONTOUR, [plane, 0.5])
    assert segments
    for x0, y0, x1, y1 in segments:
        for x, y in ((x0, y0), (x1, y1)):
            j, i = x / 10, (n - 1) - y / 10
            assert 0.03 * j + 0.02 * i == pytest.approx(0.5, abs=1e-5), (x, y)
    # Its length inside the grid: from i = 0 (j = 16.7) to i = 20 (j = 3.3).
    length = sum(math.hypot(x1 - x0, y1 - y0) for x0, y0, x1, y1 in segments)
    assert length == pytest.approx(10 * math.hypot(20, 0.4 / 0.03), rel=1e-4)

    # A bowl: its 0.5 line a circle of radius 7 cells; each segment joins two sides of a cell.
    bowl = [[((j - 10) ** 2 + (i - 10) ** 2) / 98 for j in range(n)] for i in range(n)]
    segments = page.evaluate(CONTOUR, [bowl, 0.5])
    assert len(segments) >= 40
    for x0, y0, x1, y1 in segments:
        assert math.hypot(x1 - x0, y1 - y0) <= 10 * math.sqrt(2) + 1e-6
        assert math.floor(min(x0, x1) / 10 + 1e-9) >= math.ceil(max(x0, x1) / 10 - 1e-9) - 1
        for x, y in ((x0, y0), (x1, y1)):
            assert math.hypot(x / 10 - 10, (n - 1) - y / 10 - 10) == pytest.approx(7, abs=0.1)

    # The plane with its left half missing: only the right half's line is drawn.
    half = [[None if j < 10 else v for j, v in enumerate(row)] for row in plane]
    segments = page.evaluate(CONTOUR, [half, 0.5])
    assert segments and all(min(x0, x1) >= 100 for x0, _, x1, _ in segments)
    assert exception_texts(page) == []


# A curve's points appended one frame at a time (codec.js append, the page's own copy), as Play
# grows each trace by a point a frame: what the list holds after each frame, and a grid row's
# view (a buffer that is not the list's own) after something was appended to it.
APPEND = """async () => {
  const url = MODULE('codec.js');
  const { append } = await import(url);
  let list = [];
  const seen = [];
  for (let i = 0; i < 300; i++) {
    list = append(list, i % 7 === 3 ? [i, null] : Int32Array.of(i));
    if (i % 50 === 0) seen.push([list, list.length]);
  }
  const grid = new Float64Array(10), row = grid.subarray(0, 2), longer = append(row, [5, 6]);
  const plain = (v) => Array.from(v, (x) => (Number.isNaN(x) ? 'NaN' : x));
  return { list: plain(list), seen: seen.map(([v, n]) => [v.length === n, plain(v)]),
           grid: Array.from(grid), longer: Array.from(longer) };
}""".replace("MODULE", f"({MODULE})")


def test_a_curve_grows_by_a_frame_s_points_and_keeps_the_ones_before(page, app_server):
    goto_app(page, f"{app_server}/")
    got = page.evaluate(APPEND)
    want = []
    for i in range(300):
        want += [i, "NaN"] if i % 7 == 3 else [i]
    assert got["list"] == want                       # a missing value is a gap (NaN), not 0
    for same_length, values in got["seen"]:          # a list handed out earlier is unchanged
        assert same_length and values == want[:len(values)]
    assert got["grid"] == [0.0] * 10                 # someone else's buffer is not written to
    assert got["longer"] == [0.0, 0.0, 5.0, 6.0]


def test_an_empty_history_shows_its_legends_and_plays_on_axes_of_its_first_points(page,
                                                                                   app_server):
    """At epoch 0 each panel's legend names the lines Step or Play will draw (a line with no
    points holds one missing point: Plotly shows no legend for a trace without points). Play
    from there ranges the loss axis from 0 to just above the first losses, not on Plotly's
    default range for no data (-1 to 4), and the "No epochs yet" notes go for good."""
    goto_app(page, f"{app_server}/?dataset=circles&noise=0.1&hidden=8&lr=0.3")
    curves = CHART.format("curves")
    page.wait_for_function(f"{curves} && {curves}.querySelector('.legend')")
    legends = page.evaluate(f"[...{curves}.querySelectorAll('g.traces')].map((e) => e.textContent)")
    assert legends == ["train", "test", "train", "test", "W1", "b1", "W2", "b2"]
    assert page.evaluate(f"{curves}._fullLayout.yaxis.range") == [-1, 4]
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(f"{curves}.querySelector('canvas.tl-sketch') && "
                           f"{CHART.format('boundary')}.layout.title.text.endsWith(' 20')",
                           timeout=60000)
    lo, hi = page.evaluate(f"{curves}._fullLayout.yaxis.range")
    # Past the x axis's first relayout (its room for the first 4 s runs out): the "No epochs
    # yet" notes, dropped at the first epoch, stay hidden (the relayout draws them again from
    # Plotly's own copy of the layout).
    page.wait_for_function(f"{curves}._fullLayout.xaxis.range[1] > 300", timeout=60000)
    visible = page.evaluate(f"[...{curves}.querySelectorAll('.infolayer g.annotation')]"
                            ".filter((e) => e.textContent.startsWith('No epochs')"
                            " && getComputedStyle(e).display !== 'none').length")
    assert visible == 0
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=60000)
    wait_for_app(page, timeout=60000)
    losses = page.evaluate(f"Array.from({curves}.data[0].y).slice(0, 30)")
    assert lo == 0 and max(losses) < hi < 2 * max(losses), (lo, hi, losses)
    assert exception_texts(page) == []


# The boundary's title written as Play writes it (paint.js: pen, write), over Plotly's, which is
# taken out of the drawing as while playing; undone with `false`.
WRITE_TITLE = """async (text) => {
  const { pen, write } = await import(MODULE('paint.js'));
  const gd = BOUNDARY, el = gd.querySelector('.g-gtitle text.gtitle');
  if (text === false) {
    gd.querySelector('canvas.tl-title').remove();
    el.style.display = '';
    return;
  }
  write(pen(gd), text);
  el.style.display = 'none';
}""".replace("MODULE", f"({MODULE})").replace("BOUNDARY", CHART.format("boundary"))


def _ink(png):
    """A title band's ink (255 minus the grey level, on the white card): its sum, centre and
    the box of the pixels darker than a faint grey."""
    import io

    import numpy as np
    from PIL import Image

    ink = 255.0 - np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    rows, cols = np.nonzero(ink > 40)
    ys, xs = np.indices(ink.shape)
    total = ink.sum()
    return {"total": total, "x": (xs * ink).sum() / total, "y": (ys * ink).sum() / total,
            "box": (cols.min(), rows.min(), cols.max(), rows.max()), "ink": ink}


@pytest.mark.parametrize("query", ["", "?present=1"])
def test_the_title_written_while_playing_looks_as_plotly_draws_it(page, app_server, query):
    """Plotly draws the boundary's title for a long epoch; the same words written on the canvas
    Play writes its title on (Plotly's hidden, as while playing) put the same ink in the same
    place: pixel by pixel within 5 % of the ink, its sum within 5 %, its centre within half a
    pixel, its box within a pixel. At the normal size and in presentation mode (larger
    fonts)."""
    goto_app(page, f"{app_server}/{query}")
    boundary = CHART.format("boundary")
    page.wait_for_function(f"{boundary} && {boundary}.querySelector('.g-gtitle text.gtitle')")
    wait_for_app(page, timeout=60000)
    text = page.evaluate(f"{boundary}.layout.title.text").rsplit(" ", 1)[0] + " 12345"
    page.evaluate(f"Plotly.relayout({boundary}, {{'title.text': {text!r}}})")
    page.wait_for_function(f"{boundary}.querySelector('.g-gtitle text.gtitle').textContent"
                           f" === {text!r}")
    box = page.evaluate(f"""(() => {{ const gd = {boundary}, r = gd.getBoundingClientRect();
        return {{ x: r.left, y: r.top, width: r.width, height: gd._fullLayout._size.t }}; }})()""")
    plotly = _ink(page.screenshot(clip=box))
    page.evaluate(WRITE_TITLE, text)
    written = _ink(page.screenshot(clip=box))
    page.evaluate(WRITE_TITLE, False)
    assert plotly["total"] > 1000
    assert abs(written["ink"] - plotly["ink"]).sum() <= 0.05 * plotly["total"]
    assert written["total"] == pytest.approx(plotly["total"], rel=0.05), (written, plotly)
    assert abs(written["x"] - plotly["x"]) <= 0.5, (written, plotly)
    assert abs(written["y"] - plotly["y"]) <= 0.5, (written, plotly)
    assert all(abs(a - b) <= 1 for a, b in zip(written["box"], plotly["box"], strict=True)), (
        written, plotly)
    assert exception_texts(page) == []
