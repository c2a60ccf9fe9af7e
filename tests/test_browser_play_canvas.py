"""Play draws its moving charts on canvases (twolayer/ui/live/frontend: curves.js, scatter.js,
paint.js): what they show, read from their pixels, against the numbers Python computed.

- The curves: sampled during Play, the train loss line ends at the epoch on screen, at the
  height of that epoch's train loss (read from the chart Python sends after Pause), and nothing
  of it is drawn right of the marker.
- The network diagram: the canvas painter, given the figure Plotly shows, fills every node with
  the colour Plotly gave it.
"""

import pytest

from tests.browser_util import LIVE_CHART, exception_texts, goto_app, wait_for_app

pytestmark = pytest.mark.browser

CHART = "document.querySelector('.tl-chart[data-chart=\"{}\"]')"

# Every 5th animation frame while playing: the epoch in the boundary's title and, in the
# curves chart's first panel, what the canvas shows in the column of that epoch (the rows of
# pixels in the loss line's colour), whether any of that colour lies right of it, and where
# the panel's axes put the epoch and the values (Plotly's layout of that moment).
PROBE = """() => {
  window.__samples = [];
  window.__stop = false;
  let n = 0;
  const tick = () => {
    if (window.__stop) return;
    requestAnimationFrame(tick);
    if (n++ % 5) return;
    const title = document.querySelector('.tl-chart[data-chart="boundary"] .g-gtitle text.gtitle');
    const m = title && /epoch (\\d+)$/.exec(title.textContent);
    const gd = CURVES, canvas = gd.querySelector('canvas.tl-sketch');
    const net = NETWORK, hidden = HIDDEN;
    const sample = {
      epoch: m ? +m[1] : null, canvas: Boolean(canvas),
      network: Boolean(net.querySelector('canvas.tl-sketch')),
      networkHidden: getComputedStyle(net.querySelector('.scatterlayer')).visibility,
      hidden: Boolean(hidden.querySelector('canvas.tl-paint')),
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
      Object.assign(sample, { rows, beyond, top: ya._offset, range: ya.range.slice(),
                              length: ya._length, type: ya.type,
                              perEpoch: xa.c2p(1) - xa.c2p(0) });
    }
    window.__samples.push(sample);
  };
  requestAnimationFrame(tick);
}""".replace("CURVES", CHART.format("curves")).replace(
    "NETWORK", CHART.format("network")).replace("HIDDEN", CHART.format("hidden"))


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
