// Contenders "tfjs-wasm" (XNNPACK, one thread) and "tfjs-cpu": TensorFlow.js 4.22, bench-only dependencies
// (bench/package.json). tfjs is NHWC with filters (KH, KW, in, out): inputs are converted to its layouts in
// prepare(), outside the timed region; results are converted back to NCHW only for the check.
// Timed region: the op (or the backward kernel via engine().runKernel) plus disposing the previous output,
// exactly like the wasmconv op rows. tfjs's wasm and cpu backends run kernels synchronously, so no
// dataSync() is needed for the work to be done; only the edge-detection "e2e" row reads with dataSync().
// The union package brings the gradient registrations (tfjs-core's Node bundle has none) and the cpu backend.
import * as tf from "@tensorflow/tfjs";
import * as tfwasm from "@tensorflow/tfjs-backend-wasm";
import { abkkToKkba, kkbaToAbkk, nchwToNhwc, nhwcToNchw, stepResult } from "../util.mjs";

tf.enableProdMode(); // no debug checks, no console banner: the mode tfjs recommends for speed
tfwasm.setThreadsCount(1); // one thread (tfjs-backend-wasm never enables threads in Node anyway)

/** Which kernels each workload needs, to answer "n/a" instead of failing. */
function kernelsFor(w, d) {
  switch (w.kind) {
    case "edge": case "edge_e2e": return ["Conv2D"];
    case "conv2d": return [d.b ? "FusedConv2D" : "Conv2D"];
    case "conv2d_bwd_input": return ["Conv2DBackpropInput"];
    case "conv2d_bwd_filter": return ["Conv2DBackpropFilter"];
    case "conv_transpose2d": return ["Conv2DBackpropInput"];
    case "max_pool2d": return ["MaxPool"];
    case "avg_pool2d": return ["AvgPool"];
    case "max_pool2d_bwd": return ["MaxPool", "MaxPoolGrad"];
    case "avg_pool2d_bwd": return ["AvgPoolGrad"];
    case "lenet_step": return ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "AvgPool", "AvgPoolGrad", "BatchMatMul", "Sigmoid", "Relu"];
    default: return [`unknown:${w.kind}`];
  }
}

const pad = (g) => (g.ph === g.pw ? (g.ph === 0 ? "valid" : g.ph) : [[0, 0], [g.ph, g.ph], [g.pw, g.pw], [0, 0]]);

function contender(backend) {
  const id = `tfjs-${backend}`;
  return {
    id,
    label: backend === "wasm" ? "tfjs-wasm (XNNPACK, 1 thread)" : "tfjs-cpu",
    async enter() {
      if (tf.getBackend() !== backend) await tf.setBackend(backend);
      await tf.ready();
    },
    prepare(w, d) {
      if (tf.getBackend() !== backend) throw new Error(`${id}: enter() first`);
      const missing = kernelsFor(w, d).filter((k) => !tf.getKernel(k, backend));
      if (missing.length) return { na: `no ${missing.join(", ")} kernel in tfjs-backend-${backend}` };
      if (w.kind === "lenet_step") return prepareLenet(d);
      const g = w.geom;
      const owned = [];
      const keep = (x) => { owned.push(x); return x; };
      let last = null;
      const handle = (fn, toNchw) => ({
        run() { last?.dispose(); last = fn(); },
        result: () => toNchw(last.dataSync()),
        dispose() { last?.dispose(); last = null; for (const x of owned) x.dispose(); },
      });
      const nhwc = (a, C, H, W) => keep(tf.tensor4d(nchwToNhwc(a, g.N, C, H, W), [g.N, H, W, C]));
      const filter = (a, A, B) => keep(tf.tensor4d(abkkToKkba(a, A, B, g.KH, g.KW), [g.KH, g.KW, B, A]));
      const back = (C, H, W) => (y) => nhwcToNchw(y, g.N, C, H, W);
      const strides = [g.sh, g.sw];
      switch (w.kind) {
        case "edge": {
          const x = keep(tf.tensor4d(d.x, [1, 6, 8, 1])), k = keep(tf.tensor4d(d.w, [1, 2, 1, 1]));
          return handle(() => tf.conv2d(x, k, 1, "valid"), (y) => y);
        }
        case "edge_e2e": {
          // tf.tensor4d(...) from the JS data, the convolution, dataSync(); input and output disposed.
          const k = keep(tf.tensor4d(d.w, [1, 2, 1, 1]));
          let out = null;
          return {
            run() {
              const x = tf.tensor4d(d.x, [1, 6, 8, 1]);
              const y = tf.conv2d(x, k, 1, "valid");
              out = y.dataSync();
              x.dispose();
              y.dispose();
            },
            result: () => out,
            dispose() { k.dispose(); },
          };
        }
        case "conv2d": {
          const x = nhwc(d.x, g.C, g.H, g.W), f = filter(d.w, g.O, g.C);
          const p = pad(g);
          if (d.b) {
            const bias = keep(tf.tensor1d(d.b));
            return handle(() => tf.fused.conv2d({ x, filter: f, strides, pad: p, bias }), back(g.O, g.OH, g.OW));
          }
          return handle(() => tf.conv2d(x, f, strides, p), back(g.O, g.OH, g.OW));
        }
        case "conv2d_bwd_input": {
          const dy = nhwc(d.gy, g.O, g.OH, g.OW), f = filter(d.w, g.O, g.C);
          const attrs = { strides, pad: pad(g), dataFormat: "NHWC", inputShape: [g.N, g.H, g.W, g.C] };
          return handle(() => tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: f }, attrs), back(g.C, g.H, g.W));
        }
        case "conv2d_bwd_filter": {
          const dy = nhwc(d.gy, g.O, g.OH, g.OW), x = nhwc(d.x, g.C, g.H, g.W);
          const attrs = { strides, pad: pad(g), dataFormat: "NHWC", filterShape: [g.KH, g.KW, g.C, g.O] };
          return handle(() => tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs),
            (a) => kkbaToAbkk(a, g.O, g.C, g.KH, g.KW));
        }
        case "conv_transpose2d": {
          const x = nhwc(d.x, g.C, g.H, g.W), f = filter(d.w, g.C, g.O);
          return handle(() => tf.conv2dTranspose(x, f, [g.N, g.OH, g.OW, g.O], strides, pad(g)), back(g.O, g.OH, g.OW));
        }
        case "max_pool2d": {
          const x = nhwc(d.x, g.C, g.H, g.W);
          return handle(() => tf.maxPool(x, [g.KH, g.KW], strides, pad(g)), back(g.C, g.OH, g.OW));
        }
        case "avg_pool2d": {
          const x = nhwc(d.x, g.C, g.H, g.W);
          return handle(() => tf.avgPool(x, [g.KH, g.KW], strides, pad(g)), back(g.C, g.OH, g.OW));
        }
        case "max_pool2d_bwd": {
          const x = nhwc(d.x, g.C, g.H, g.W), dy = nhwc(d.gy, g.C, g.OH, g.OW);
          const attrs = { filterSize: [g.KH, g.KW], strides, pad: pad(g) };
          const y = keep(tf.maxPool(x, attrs.filterSize, strides, attrs.pad));
          return handle(() => tf.engine().runKernel("MaxPoolGrad", { dy, input: x, output: y }, attrs), back(g.C, g.H, g.W));
        }
        case "avg_pool2d_bwd": {
          const dy = nhwc(d.gy, g.C, g.OH, g.OW), x = keep(tf.zeros([g.N, g.H, g.W, g.C]));
          const attrs = { filterSize: [g.KH, g.KW], strides, pad: pad(g) };
          return handle(() => tf.engine().runKernel("AvgPoolGrad", { dy, input: x }, attrs), back(g.C, g.H, g.W));
        }
        default:
          return { na: `no tfjs version of ${w.kind}` };
      }
    },
  };
}

/**
 * LeNet-5 as plain tfjs ops with tf.train.sgd().minimize(). The first Linear's rows are permuted once so that
 * tfjs's NHWC flatten meets PyTorch's (C, H, W) order; the checked gradients are mapped back.
 */
function prepareLenet(d) {
  const B = d.labels.length;
  const P = Object.fromEntries(d.params.map((p) => [p.name, p]));
  const convW = (p) => tf.variable(tf.tensor4d(abkkToKkba(p.data, p.shape[0], p.shape[1], 5, 5), [5, 5, p.shape[1], p.shape[0]]));
  const linW = (p, perm) => {
    const [o, i] = p.shape, a = new Float32Array(o * i);
    for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) a[perm(c) * o + r] = p.data[r * i + c];
    return tf.variable(tf.tensor2d(a, [i, o]));
  };
  const chw2hwc = (c) => (c % 25) * 16 + Math.floor(c / 25); // PyTorch flat index c*25+hw -> tfjs hw*16+c
  const vars = {
    "0.weight": convW(P["0.weight"]), "0.bias": tf.variable(tf.tensor1d(P["0.bias"].data)),
    "3.weight": convW(P["3.weight"]), "3.bias": tf.variable(tf.tensor1d(P["3.bias"].data)),
    "7.weight": linW(P["7.weight"], chw2hwc), "7.bias": tf.variable(tf.tensor1d(P["7.bias"].data)),
    "9.weight": linW(P["9.weight"], (c) => c), "9.bias": tf.variable(tf.tensor1d(P["9.bias"].data)),
    "11.weight": linW(P["11.weight"], (c) => c), "11.bias": tf.variable(tf.tensor1d(P["11.bias"].data)),
  };
  const v = vars;
  const x = tf.tensor4d(d.images, [B, 28, 28, 1]); // one channel: NCHW and NHWC coincide
  const onehot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(d.labels, "int32"), 10), "float32"));
  const opt = tf.train.sgd(d.lr);
  const f = () => {
    let h = tf.sigmoid(tf.add(tf.conv2d(x, v["0.weight"], 1, 2), v["0.bias"]));
    h = tf.avgPool(h, 2, 2, "valid");
    h = tf.relu(tf.add(tf.conv2d(h, v["3.weight"], 1, "valid"), v["3.bias"]));
    h = tf.avgPool(h, 2, 2, "valid");
    h = tf.reshape(h, [B, 400]);
    h = tf.relu(tf.add(tf.matMul(h, v["7.weight"]), v["7.bias"]));
    h = tf.relu(tf.add(tf.matMul(h, v["9.weight"]), v["9.bias"]));
    const logits = tf.add(tf.matMul(h, v["11.weight"]), v["11.bias"]);
    return tf.losses.softmaxCrossEntropy(onehot, logits);
  };
  const varList = Object.values(vars);
  let loss = null;
  return {
    run() { loss?.dispose(); loss = opt.minimize(f, true, varList); },
    result() {
      const after = d.params.map((p) => {
        const a = vars[p.name].dataSync();
        if (p.shape.length === 4) return kkbaToAbkk(a, p.shape[0], p.shape[1], 5, 5);
        if (p.shape.length === 1) return Float32Array.from(a);
        const [o, i] = p.shape, out = new Float32Array(o * i), perm = p.name === "7.weight" ? chw2hwc : (c) => c;
        for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) out[r * i + c] = a[perm(c) * o + r];
        return out;
      });
      return stepResult(loss.dataSync()[0], d.params.map((p) => p.data), after, d.lr);
    },
    dispose() {
      loss?.dispose();
      x.dispose();
      onehot.dispose();
      opt.dispose();
      for (const t of varList) t.dispose();
    },
  };
}

export const tfjsContenders = [contender("wasm"), contender("cpu")];

export function tfjsInfo() {
  let wasmThreads = null;
  try { wasmThreads = tfwasm.getThreadsCount(); } catch { /* the wasm backend is not initialised */ }
  return { versions: { ...tf.version, "tfjs-backend-wasm": tfwasm.version_wasm }, wasmThreads, wasmSimd: tf.env().getBool("WASM_HAS_SIMD_SUPPORT") };
}
