// Canvas heatmaps: a sequential palette for non-negative data, a diverging one (blue, white, red) centred on
// zero for signed data, values printed in the cells when the grid is small enough to read.

const SEQUENTIAL = ["#f8fafc", "#c7d2fe", "#818cf8", "#4f46e5", "#312e81", "#1e1b4b"];
const DIVERGING = ["#1d4ed8", "#60a5fa", "#f8fafc", "#f87171", "#b91c1c"];

function hex(c) {
  return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
}

function ramp(stops, t) {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = hex(stops[i]), b = hex(stops[i + 1]);
  return a.map((v, k) => Math.round(v + (b[k] - v) * f));
}

/** Shortest readable form: 3 decimals at most, no trailing zeros, no "-0". */
export function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? "0" : String(r);
}

export function stats(m) {
  let min = Infinity, max = -Infinity, sum = 0, n = 0;
  for (const row of m) for (const v of row) { min = Math.min(min, v); max = Math.max(max, v); sum += v; n++; }
  return { min, max, mean: n ? sum / n : 0 };
}

/**
 * Draws matrix `m` (number[][]) into `canvas`, cells as large as fit in `maxPx` (capped at 48 px).
 * Returns the cell size in CSS pixels. The matrix and its shape are also written to data attributes of the
 * canvas (data-values, data-shape), which is what the browser test reads.
 */
export function drawHeatmap(canvas, m, { maxPx = 300, labels = "auto", signed = "auto", format = fmt } = {}) {
  const h = m.length, w = h ? m[0].length : 0;
  const cell = Math.max(2, Math.min(48, Math.floor(maxPx / Math.max(h, w, 1))));
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, w * cell * dpr);
  canvas.height = Math.max(1, h * cell * dpr);
  canvas.style.width = `${w * cell}px`;
  canvas.style.height = `${h * cell}px`;
  canvas.dataset.values = JSON.stringify(m);
  canvas.dataset.shape = JSON.stringify([h, w]);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const { min, max } = stats(m);
  const isSigned = signed === "auto" ? min < 0 : signed;
  const amax = Math.max(Math.abs(min), Math.abs(max)) || 1;
  const lo = Math.min(0, min), span = (max - lo) || 1;
  const showLabels = labels === "auto" ? cell >= 26 : labels;
  ctx.font = `${Math.max(9, Math.min(13, cell / 2.6))}px ui-monospace, SFMono-Regular, Menlo, monospace`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const v = m[i][j];
      const rgb = isSigned ? ramp(DIVERGING, (v / amax + 1) / 2) : ramp(SEQUENTIAL, (v - lo) / span);
      ctx.fillStyle = `rgb(${rgb})`;
      ctx.fillRect(j * cell, i * cell, cell, cell);
      if (showLabels) {
        const lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
        ctx.fillStyle = lum > 140 ? "#0f172a" : "#f8fafc";
        ctx.fillText(format(v), j * cell + cell / 2, i * cell + cell / 2 + 0.5);
      }
    }
  }
  if (cell >= 6) {
    ctx.strokeStyle = "rgba(15, 23, 42, 0.08)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 1; i < h; i++) { ctx.moveTo(0, i * cell + 0.5); ctx.lineTo(w * cell, i * cell + 0.5); }
    for (let j = 1; j < w; j++) { ctx.moveTo(j * cell + 0.5, 0); ctx.lineTo(j * cell + 0.5, h * cell); }
    ctx.stroke();
  }
  return cell;
}

/** Draws a loss curve (log scale) with axes into `canvas`. */
export function drawCurve(canvas, values, { total = values.length } = {}) {
  const cssW = canvas.clientWidth || 480, cssH = canvas.clientHeight || 220;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = cssW * dpr;
  canvas.height = cssH * dpr;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  const pad = { l: 52, r: 14, t: 14, b: 30 };
  const W = cssW - pad.l - pad.r, H = cssH - pad.t - pad.b;
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const hiLog = finite.length ? Math.ceil(Math.log10(Math.max(...finite))) : 1;
  let loLog = finite.length ? Math.floor(Math.log10(Math.min(...finite))) : -3;
  if (loLog >= hiLog) loLog = hiLog - 1;
  const x = (i) => pad.l + (total <= 1 ? 0 : (i / (total - 1)) * W);
  const y = (v) => pad.t + (1 - (Math.log10(v) - loLog) / (hiLog - loLog)) * H;
  // grid and axis labels
  ctx.font = "11px ui-sans-serif, system-ui, sans-serif";
  ctx.fillStyle = "#64748b";
  ctx.strokeStyle = "#e2e8f0";
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const step = Math.max(1, Math.ceil((hiLog - loLog) / 5));
  for (let p = loLog; p <= hiLog; p += step) {
    const yy = Math.round(y(10 ** p)) + 0.5;
    ctx.beginPath(); ctx.moveTo(pad.l, yy); ctx.lineTo(pad.l + W, yy); ctx.stroke();
    ctx.fillText(p === 0 ? "1" : `1e${p}`, pad.l - 8, yy);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  // epoch ticks: 1 and multiples of a round step (1, 2, 5, 10, 20, 50, ...)
  const raw = total / 6;
  const pow = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  const tick = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const epochs = [1];
  for (let e = tick; e <= total; e += tick) if (e > 1) epochs.push(e);
  for (const e of epochs) ctx.fillText(String(e), x(e - 1), pad.t + H + 8);
  ctx.strokeStyle = "#94a3b8";
  ctx.beginPath(); ctx.moveTo(pad.l, pad.t); ctx.lineTo(pad.l, pad.t + H); ctx.lineTo(pad.l + W, pad.t + H); ctx.stroke();
  if (!finite.length) return;
  // the curve
  const grad = ctx.createLinearGradient(pad.l, 0, pad.l + W, 0);
  grad.addColorStop(0, "#6366f1");
  grad.addColorStop(1, "#ec4899");
  ctx.strokeStyle = grad;
  ctx.lineWidth = 2.5;
  ctx.lineJoin = "round";
  ctx.beginPath();
  let started = false;
  values.forEach((v, i) => {
    if (!(Number.isFinite(v) && v > 0)) return;
    if (started) ctx.lineTo(x(i), y(v)); else { ctx.moveTo(x(i), y(v)); started = true; }
  });
  ctx.stroke();
  const last = values.length - 1;
  if (Number.isFinite(values[last]) && values[last] > 0) {
    ctx.fillStyle = "#ec4899";
    ctx.beginPath(); ctx.arc(x(last), y(values[last]), 4, 0, Math.PI * 2); ctx.fill();
  }
}
