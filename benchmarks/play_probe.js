// What each animation frame shows, the same probe for TensorFlow Playground and the app
// (benchmarks/bench_play.py). Evaluated by Playwright as a function of {kind}; it installs
// window.__probe with start() and stop().
//
// Every animation frame it reads the picture: the epoch the page says (TensorFlow Playground's
// iteration counter, the app's boundary-chart title "... epoch N") and a hash of its output
// map (TensorFlow Playground's heatmap canvas; the app's canvas painted over the plot while
// playing, else its Plotly heatmap image), by drawing the canvas into a small 24 x 24 canvas and hashing
// the pixels (a cost both pages pay the same). A picture is new when the epoch or the hash
// changed since the frame before.
//
// The reading is taken at the start of an animation frame: it sees what the page committed
// before this frame (its own rAF callbacks that run after the probe's in the same frame show
// one frame later). Both pages are read the same way.
({ kind }) => {
  const SIZE = 24;
  const small = document.createElement("canvas");
  small.width = SIZE;
  small.height = SIZE;
  const sctx = small.getContext("2d", { willReadFrequently: true });

  const epochOf = {
    tfp: () => {
      const el = document.querySelector("#iter-number");
      const n = el ? parseInt(el.textContent.replace(/[^0-9]/g, ""), 10) : NaN;
      return Number.isFinite(n) ? n : null;
    },
    app: () => {
      const gd = document.querySelector('.tl-chart[data-chart="boundary"]');
      const t = gd && gd.layout && gd.layout.title;
      const m = /epoch (\d+)/.exec((t && (t.text || t)) || "");
      return m ? +m[1] : null;
    },
  }[kind];
  const canvasOf = {
    tfp: () => document.querySelector("#heatmap canvas"),
    app: () => document.querySelector('.tl-chart[data-chart="boundary"] canvas.tl-paint')
      || document.querySelector('.tl-chart[data-chart="boundary"] canvas'),
  }[kind];
  // With no canvas (the app at rest, or a Play drawn by Plotly itself) the map is Plotly's
  // heatmap: an SVG <image> whose href is a PNG data URL; 512 of its characters, spread over
  // it, stand for it (its end is the PNG's constant IEND chunk).
  const imageOf = {
    tfp: () => null,
    app: () => document.querySelector('.tl-chart[data-chart="boundary"] image'),
  }[kind];

  function hrefHash(img) {
    const href = img && (img.getAttribute("href") || img.getAttribute("xlink:href"));
    if (!href) return 0;
    let h = 2166136261 ^ href.length;
    const step = Math.max(1, Math.floor(href.length / 512));
    for (let i = 0; i < href.length; i += step) h = Math.imul(h ^ href.charCodeAt(i), 16777619);
    return h >>> 0;
  }

  // A canvas that shows nothing (the app lays its canvas, transparent, as Play starts, before
  // the first picture) is not the map: the picture is still the one under it.
  function mapHash() {
    const c = canvasOf();
    return (c && hash(c)) || hrefHash(imageOf());
  }

  function hash(canvas) {
    if (!canvas || !canvas.width || !canvas.height) return 0;
    sctx.clearRect(0, 0, SIZE, SIZE);
    sctx.drawImage(canvas, 0, 0, SIZE, SIZE);
    const d = sctx.getImageData(0, 0, SIZE, SIZE).data;
    let h = 2166136261, shown = false;        // FNV-1a over the pixels
    for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
    for (let i = 3; i < d.length && !shown; i += 4) shown = d[i] > 0;
    return shown ? h >>> 0 || 1 : 0;          // 0: nothing shows
  }

  const probe = {
    frames: 0,        // animation frames seen since start
    pictures: [],     // [frame index, time ms, epoch, canvas hash] for each new picture
    frameTimes: [],   // time of every animation frame (ms), for the display's rate
    probeMs: 0,       // the probe's own work, summed
    running: false,
    last: null,
    start() {
      probe.frames = 0;
      probe.pictures = [];
      probe.frameTimes = [];
      probe.probeMs = 0;
      probe.running = true;
      probe.t0 = performance.now();
      const e0 = epochOf(), h0 = mapHash();
      probe.last = `${e0}|${h0}`;
      probe.first = [e0, h0];
      const tick = (t) => {
        if (!probe.running) return;
        const a = performance.now();
        const e = epochOf(), h = mapHash();
        const key = `${e}|${h}`;
        if (key !== probe.last) {
          probe.pictures.push([probe.frames, t, e, h]);
          probe.last = key;
        }
        probe.frameTimes.push(t);
        probe.frames += 1;
        probe.probeMs += performance.now() - a;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    },
    stop() {
      probe.running = false;
      return { frames: probe.frames, pictures: probe.pictures, frameTimes: probe.frameTimes,
               probeMs: probe.probeMs, first: probe.first, t0: probe.t0 };
    },
  };
  window.__probe = probe;
  return true;
}
