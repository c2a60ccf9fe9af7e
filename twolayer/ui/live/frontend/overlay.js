// A canvas laid over a chart (right after Plotly's main SVG: over the plot, under the legends,
// notes and titles), at the screen's pixel density; `box` in the chart's CSS pixels.
import { mainSvg } from "./internals.js";

export function overlay(gd, className, box) {
  const svg = mainSvg(gd);
  if (!svg) return null;
  const dpr = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.className = className;
  Object.assign(canvas.style, { left: `${box.left}px`, top: `${box.top}px`,
                                width: `${box.width}px`, height: `${box.height}px` });
  canvas.width = Math.round(box.width * dpr);
  canvas.height = Math.round(box.height * dpr);
  svg.after(canvas);
  return { canvas, dpr };
}

// A canvas is allocated at its first drawing, and the browser makes the copies the screen shows
// of it in the frames after (a few milliseconds each, in the frame that draws it). As Play
// starts, before its first picture, the canvases the frames paint on are drawn so (cleared:
// nothing shows) for a few frames, and the frames find them ready (play.js: ready).
export function warm(canvas) {
  canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
}
