// The drawing pad: plain JS so drawing is instant and smooth, even while Python boots.
//
// The drawing is kept as strokes of points in pad units (the pad's shorter side = 1), so it can be undone
// stroke by stroke and redrawn crisply at any size after the window resizes. Python reads it through
// `window.pad.pixels()`: the drawing rendered black on white at a fixed scale (shorter side = SNAPSHOT_SIDE px),
// so what the nets see does not depend on the screen's size or pixel density, and `window.pad.strokes()`: the
// points of each stroke, in order, in those pixels (py/grouping.py reads the drawing by them).
//
// Events: the canvas dispatches `pad:change` (detail: {strokes, kind}) after each finished stroke, undo, clear
// and erase; kind is "stroke", "undo", "clear" or "erase".
//
// Scratch-out (issue 30): `pad.erase(indices)` removes strokes (Python's scratchout.find names them: those a
// zigzag covers, and the zigzag). Undo after it brings the covered strokes back in one step, not the zigzag.

const BRUSH = 1 / 60; // stroke width as a fraction of the shorter side, a handwriting app's pen: on real sums
                      // (tools/measure_pen.py, CROHME writers, digits 60 px tall) two symbols' ink touch in 2.6 %
                      // of sums, as with any thinner pen (1/20 of the side: 23 %); the nets read the strokes with
                      // a pen of their own (py/grouping.py)
const SNAPSHOT_SIDE = 280;
const INK = "#111";

function createPad(canvas) {
  const strokes = [];
  // What Undo undoes, newest last: {kind: "stroke"} (the last stroke) or {kind: "erase", removed: [[i, points]]}.
  const history = [];
  let current = null;
  let ctx = canvas.getContext("2d");

  function side(width, height) { return Math.min(width, height); }

  function paintStroke(c, points, scale) {
    c.lineWidth = BRUSH * scale;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.strokeStyle = INK;
    c.fillStyle = INK;
    // A tap (every point in one place: the dots of ÷) is a dot; a zero-length line would draw nothing.
    if (points.every((p) => p[0] === points[0][0] && p[1] === points[0][1])) {
      c.beginPath();
      c.arc(points[0][0] * scale, points[0][1] * scale, c.lineWidth / 2, 0, 2 * Math.PI);
      c.fill();
      return;
    }
    c.beginPath();
    c.moveTo(points[0][0] * scale, points[0][1] * scale);
    // Quadratic curves through the midpoints: smooth lines from sparse pointer events.
    for (let i = 1; i < points.length - 1; i++) {
      const [x0, y0] = points[i];
      const [x1, y1] = points[i + 1];
      c.quadraticCurveTo(x0 * scale, y0 * scale, ((x0 + x1) / 2) * scale, ((y0 + y1) / 2) * scale);
    }
    const last = points[points.length - 1];
    c.lineTo(last[0] * scale, last[1] * scale);
    c.stroke();
  }

  function render(c, width, height, all) {
    c.fillStyle = "#fff";
    c.fillRect(0, 0, width, height);
    const scale = side(width, height);
    for (const points of all) paintStroke(c, points, scale);
  }

  function redraw() {
    render(ctx, canvas.width, canvas.height, current ? strokes.concat([current]) : strokes);
  }

  function resize() {
    const rect = canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(rect.width * ratio));
    const height = Math.max(1, Math.round(rect.height * ratio));
    if (width !== canvas.width || height !== canvas.height) {
      canvas.width = width;
      canvas.height = height;
      ctx = canvas.getContext("2d");
    }
    redraw();
  }

  function toPad(event) {
    const rect = canvas.getBoundingClientRect();
    const unit = side(rect.width, rect.height);
    return [(event.clientX - rect.left) / unit, (event.clientY - rect.top) / unit];
  }

  function changed(kind) {
    canvas.classList.toggle("has-ink", strokes.length > 0);
    canvas.dispatchEvent(new CustomEvent("pad:change", { detail: { strokes: strokes.length, kind } }));
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || current) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [toPad(event)];
    canvas.classList.add("has-ink");
    redraw();
  });

  canvas.addEventListener("pointermove", (event) => {
    if (!current) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const e of events.length ? events : [event]) current.push(toPad(e));
    redraw();
  });

  function finish(event) {
    if (!current) return;
    performance.mark("stroke-end");
    if (event.type === "pointerup") current.push(toPad(event));
    strokes.push(current);
    history.push({ kind: "stroke" });
    current = null;
    redraw();
    changed("stroke");
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  // No scrolling, zooming or context menu while drawing on touch screens.
  canvas.addEventListener("touchstart", (event) => event.preventDefault(), { passive: false });
  canvas.addEventListener("contextmenu", (event) => event.preventDefault());

  new ResizeObserver(resize).observe(canvas);
  resize();

  return {
    canvas,
    clear() {
      if (!strokes.length && !current) return;
      strokes.length = 0;
      history.length = 0;
      current = null;
      redraw();
      changed("clear");
    },
    undo() {
      const last = history.pop();
      if (last && last.kind === "erase") {
        for (const [i, points] of last.removed) strokes.splice(i, 0, points);  // ascending: each lands in place
      } else if (strokes.length) {
        strokes.pop();
      } else {
        return;
      }
      redraw();
      changed("undo");
    },
    // Remove the strokes at `indices` (the newest stroke, the zigzag, among them); one Undo restores the others.
    erase(indices) {
      const wanted = [...new Set(Array.from(indices, Number))].filter((i) => i >= 0 && i < strokes.length);
      if (!wanted.length) return;
      wanted.sort((a, b) => a - b);
      const newest = strokes.length - 1;
      const removed = wanted.map((i) => [i, strokes[i]]);
      for (const i of [...wanted].reverse()) strokes.splice(i, 1);
      if (wanted.includes(newest) && history.length && history[history.length - 1].kind === "stroke") {
        history.pop();  // the zigzag's own stroke: it is gone, and does not come back
      }
      const kept = removed.filter(([i]) => i !== newest);
      // Indices after the zigzag went: those before it are unchanged, so restoring in ascending order works.
      if (kept.length) history.push({ kind: "erase", removed: kept });
      redraw();
      changed("erase");
    },
    isEmpty() { return strokes.length === 0 && !current; },
    strokeCount() { return strokes.length; },
    // The finished strokes, oldest first, each its points in the order drawn, in the pixels of pixels()
    // (pad units x SNAPSHOT_SIDE): [[[x, y], ...], ...]. Undo and Clear change them with the pixels.
    strokes() {
      return strokes.map((points) => points.map(([x, y]) => [x * SNAPSHOT_SIDE, y * SNAPSHOT_SIDE]));
    },
    // The drawing at a fixed scale, black on white: {width, height, data: Uint8ClampedArray RGBA}.
    pixels() {
      const rect = canvas.getBoundingClientRect();
      const unit = side(rect.width, rect.height) || 1;
      const width = Math.round((rect.width / unit) * SNAPSHOT_SIDE);
      const height = Math.round((rect.height / unit) * SNAPSHOT_SIDE);
      const off = document.createElement("canvas");
      off.width = width;
      off.height = height;
      const c = off.getContext("2d", { willReadFrequently: true });
      render(c, width, height, strokes);
      return c.getImageData(0, 0, width, height);
    },
  };
}

const canvas = document.getElementById("pad");
const pad = createPad(canvas);
window.pad = pad;

document.getElementById("clear").addEventListener("click", () => pad.clear());
document.getElementById("undo").addEventListener("click", () => pad.undo());
document.addEventListener("keydown", (event) => {
  if (event.target.closest && event.target.closest("input, select, textarea")) return;
  if (event.key === "Escape") {
    pad.clear();
  } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z") {
    event.preventDefault();
    pad.undo();
  }
});

// Boot progress from PyScript, shown until Python takes over the status line.
const STAGES = {
  "Loading Pyodide": "Loading Python…",
  "Loading packages": "Loading packages (numpy, Pillow)…",
  "Loading files": "Loading the networks…",
};
addEventListener("py:progress", (event) => {
  const text = STAGES[event.detail];
  const status = document.getElementById("status");
  if (text && document.body.dataset.status === "loading") status.textContent = text;
});
