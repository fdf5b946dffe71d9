// Printing tensors the way PyTorch prints them: `tensor([[19., 25.],\n        [37., 43.]])`.
// Mirrors torch/_tensor_str.py with the default print options: precision 4, threshold 1000 elements,
// 3 edge items when summarising, line width 80; integer mode, fixed mode and scientific mode chosen from the
// nonzero finite values.

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE = 3;
const LINEWIDTH = 80;

/** A nested view over flat data: enough to walk rows without copying. */
interface Nd {
  data: Float32Array;
  offset: number;
  shape: number[];
}

function sub(t: Nd, i: number): Nd {
  const inner = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { data: t.data, offset: t.offset + i * inner, shape: t.shape.slice(1) };
}

/** Python's '{:.Nf}' for a value that came from float32: exact ties round half to even. */
function fixed(x: number, digits: number): string {
  if (Object.is(x, -0)) return "-" + (0).toFixed(digits);
  const scaled = x * 10 ** digits; // exact for float32 inputs and small digit counts
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5 && Number.isFinite(scaled) && Math.abs(scaled) < 2 ** 52) {
    const even = floor % 2 === 0 ? floor : floor + 1;
    const s = (Math.abs(even) / 10 ** digits).toFixed(digits);
    return (even < 0 || (even === 0 && x < 0) ? "-" : "") + s;
  }
  return x.toFixed(digits);
}

/** Python's '{:.Ne}': like toExponential but with at least two exponent digits. */
function sci(x: number, digits: number): string {
  return x.toExponential(digits).replace(/e([+-])(\d)$/, "e$10$2");
}

function special(x: number): string | null {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return null;
}

class Formatter {
  intMode = true;
  sciMode = false;
  maxWidth = 1;

  constructor(values: Float32Array) {
    const finite: number[] = [];
    for (const v of values) if (Number.isFinite(v) && v !== 0) finite.push(v);
    if (finite.length === 0) return;
    let min = Infinity;
    let max = 0;
    for (const v of finite) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (v !== Math.ceil(v)) this.intMode = false;
    }
    const wide = max / min > 1000 || max > 1e8;
    if (this.intMode) {
      this.sciMode = wide;
      for (const v of finite) {
        const w = wide ? sci(v, PRECISION).length : fixed(v, 0).length + 1;
        this.maxWidth = Math.max(this.maxWidth, w);
      }
    } else {
      this.sciMode = wide || min < 1e-4;
      for (const v of finite) {
        const w = (this.sciMode ? sci(v, PRECISION) : fixed(v, PRECISION)).length;
        this.maxWidth = Math.max(this.maxWidth, w);
      }
    }
  }

  format(v: number): string {
    let s = special(v);
    if (s === null) {
      if (this.sciMode) s = sci(v, PRECISION);
      else if (this.intMode) s = fixed(v, 0) + ".";
      else s = fixed(v, PRECISION);
    }
    return s.padStart(this.maxWidth, " ");
  }
}

/** The elements PyTorch looks at to choose a format when the tensor is summarised. */
function summarized(t: Nd, out: number[]): void {
  if (t.shape.length === 0) {
    out.push(t.data[t.offset]);
    return;
  }
  const n = t.shape[0];
  const rows = n > 2 * EDGE ? [...Array(EDGE).keys(), ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
  for (const i of rows) summarized(sub(t, i), out);
}

function vectorStr(t: Nd, indent: number, summarize: boolean, f: Formatter): string {
  const elementLength = f.maxWidth + 2;
  const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / elementLength));
  const n = t.shape[0];
  const at = (i: number) => f.format(t.data[t.offset + i]);
  let data: string[];
  if (summarize && n > 2 * EDGE) {
    data = [];
    for (let i = 0; i < EDGE; i++) data.push(at(i));
    data.push(" ...");
    for (let i = n - EDGE; i < n; i++) data.push(at(i));
  } else {
    data = Array.from({ length: n }, (_, i) => at(i));
  }
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(", "));
  return "[" + lines.join(",\n" + " ".repeat(indent + 1)) + "]";
}

function tensorStr(t: Nd, indent: number, summarize: boolean, f: Formatter): string {
  const dim = t.shape.length;
  if (dim === 0) return f.format(t.data[t.offset]);
  if (dim === 1) return vectorStr(t, indent, summarize, f);
  const n = t.shape[0];
  const slices: string[] = [];
  if (summarize && n > 2 * EDGE) {
    for (let i = 0; i < EDGE; i++) slices.push(tensorStr(sub(t, i), indent + 1, summarize, f));
    slices.push("...");
    for (let i = n - EDGE; i < n; i++) slices.push(tensorStr(sub(t, i), indent + 1, summarize, f));
  } else {
    for (let i = 0; i < n; i++) slices.push(tensorStr(sub(t, i), indent + 1, summarize, f));
  }
  return "[" + slices.join("," + "\n".repeat(dim - 1) + " ".repeat(indent + 1)) + "]";
}

/** `tensor(...)` text for flat row-major data of the given shape, with PyTorch's suffixes. */
export function formatTensor(data: Float32Array, shape: readonly number[], suffixes: string[] = []): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const numel = data.length;
  let body: string;
  const extra = [...suffixes];
  if (numel === 0) {
    body = "[]";
    if (shape.length !== 1) extra.unshift(`size=(${shape.join(", ")}${shape.length === 1 ? "," : ""})`);
  } else {
    const nd: Nd = { data, offset: 0, shape: [...shape] };
    const summarize = numel > THRESHOLD;
    let values = data;
    if (summarize) {
      const picked: number[] = [];
      summarized(nd, picked);
      values = Float32Array.from(picked);
    }
    body = tensorStr(nd, indent, summarize, new Formatter(values));
  }
  let text = prefix + body;
  let lastLineLen = text.length - text.lastIndexOf("\n") + 1;
  for (const s of extra) {
    if (lastLineLen + s.length + 2 > LINEWIDTH) {
      text += ",\n" + " ".repeat(indent) + s;
      lastLineLen = indent + s.length;
    } else {
      text += ", " + s;
      lastLineLen += s.length + 2;
    }
  }
  return text + ")";
}
