// Finite-difference checks (f64 naive references, sampled indices) of every backward: conv2d and
// conv_transpose2d wrt input, weight and bias over random options; max and avg pooling; the elementwise
// maps; matmul and linear; cross-entropy. Both kernel twins.
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { F, setKernelVariant, tensor, type Tensor } from "../../src/index.js";
import { checkGrad } from "../helpers/gradcheck.js";
import { convOutSize, convTransposeOutSize, randArray, refConv2dFwd, refConvT2dFwd, refMatmul, rng } from "../reference/conv.js";
import { geometry, refAvgPoolFwd, refMaxPoolFwd } from "../reference/pool.js";
import { VARIANTS } from "../helpers/wasm_buffers.js";

const t = (d: Float32Array, shape: number[], requiresGrad = true) => tensor(d, { shape, requiresGrad });

const convArb = fc.record({
  n: fc.integer({ min: 1, max: 2 }), g: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 3 }), og: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }), kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
  s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 2 }), d: fc.integer({ min: 1, max: 2 }), bias: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

describe.each(VARIANTS)("finite-difference gradients (%s kernels)", (variant) => {
  beforeAll(() => setKernelVariant(variant));
  afterAll(() => setKernelVariant(VARIANTS[0]));

  it("conv2d: input, weight and bias", () => {
    fc.assert(fc.property(convArb, ({ n, g, cg, og, h, w, kh, kw, s, p, d, bias, seed }) => {
      const OH = convOutSize(h, kh, s, p, d), OW = convOutSize(w, kw, s, p, d);
      fc.pre(OH >= 1 && OW >= 1);
      const r = rng(seed);
      const C = g * cg, O = g * og;
      const geom = { N: n, C, H: h, W: w, O, KH: kh, KW: kw, OH, OW, sh: s, sw: s, ph: p, pw: p, dh: d, dw: d, G: g };
      const xd = randArray(n * C * h * w, r), wd = randArray(O * cg * kh * kw, r), bd = randArray(O, r), gy = randArray(n * O * OH * OW, r);
      const x = t(xd, [n, C, h, w]), wt = t(wd, [O, cg, kh, kw]), b = bias ? t(bd, [O]) : null;
      F.conv2d(x, wt, b, { stride: s, padding: p, dilation: d, groups: g }).backward(t(gy, [n, O, OH, OW], false));
      checkGrad("conv2d dx", xd, x.grad!.toFloat32Array(), (v) => refConv2dFwd(v, wd, bias ? bd : null, geom), gy);
      checkGrad("conv2d dw", wd, wt.grad!.toFloat32Array(), (v) => refConv2dFwd(xd, v, bias ? bd : null, geom), gy);
      if (b) checkGrad("conv2d db", bd, b.grad!.toFloat32Array(), (v) => refConv2dFwd(xd, wd, v, geom), gy);
    }), { numRuns: 40 });
  });

  // One input channel per group at stride 1 with >= 8 output columns: the f32x4 kernels' direct path
  // (conv_direct.ts), which the random shapes above (at most 9 columns) rarely reach.
  it("conv2d with one input channel per group (depthwise, channel multiplier 2, LeNet's conv1 on one image)", () => {
    for (const [C, O, G, h, w, k, p] of [[3, 3, 3, 6, 12, 3, 1], [2, 4, 2, 5, 9, 3, 0], [1, 6, 1, 10, 10, 5, 2]]) {
      const r = rng(C * 100 + O * 10 + k);
      const OH = convOutSize(h, k, 1, p, 1), OW = convOutSize(w, k, 1, p, 1);
      const geom = { N: 1, C, H: h, W: w, O, KH: k, KW: k, OH, OW, sh: 1, sw: 1, ph: p, pw: p, dh: 1, dw: 1, G };
      const xd = randArray(C * h * w, r), wd = randArray(O * k * k, r), gy = randArray(O * OH * OW, r);
      const x = t(xd, [1, C, h, w]), wt = t(wd, [O, 1, k, k]);
      F.conv2d(x, wt, null, { padding: p, groups: G }).backward(t(gy, [1, O, OH, OW], false));
      checkGrad("conv2d dx", xd, x.grad!.toFloat32Array(), (v) => refConv2dFwd(v, wd, null, geom), gy);
      checkGrad("conv2d dw", wd, wt.grad!.toFloat32Array(), (v) => refConv2dFwd(xd, v, null, geom), gy);
    }
  });

  it("conv_transpose2d: input, weight and bias", () => {
    fc.assert(fc.property(convArb, fc.integer({ min: 0, max: 2 }), ({ n, g, cg, og, h, w, kh, kw, s, p, d, bias, seed }, opRaw) => {
      const op = opRaw % Math.max(s, d);
      const OH = convTransposeOutSize(h, kh, s, p, d, op), OW = convTransposeOutSize(w, kw, s, p, d, op);
      fc.pre(OH >= 1 && OW >= 1);
      const r = rng(seed);
      const C = g * cg, O = g * og;
      const geom = { N: n, C, H: h, W: w, O, KH: kh, KW: kw, OH, OW, sh: s, sw: s, ph: p, pw: p, dh: d, dw: d, G: g };
      const xd = randArray(n * C * h * w, r), wd = randArray(C * og * kh * kw, r), bd = randArray(O, r), gy = randArray(n * O * OH * OW, r);
      const x = t(xd, [n, C, h, w]), wt = t(wd, [C, og, kh, kw]), b = bias ? t(bd, [O]) : null;
      F.convTranspose2d(x, wt, b, { stride: s, padding: p, dilation: d, groups: g, outputPadding: op }).backward(t(gy, [n, O, OH, OW], false));
      checkGrad("convT dx", xd, x.grad!.toFloat32Array(), (v) => refConvT2dFwd(v, wd, bias ? bd : null, geom), gy);
      checkGrad("convT dw", wd, wt.grad!.toFloat32Array(), (v) => refConvT2dFwd(xd, v, bias ? bd : null, geom), gy);
      if (b) checkGrad("convT db", bd, b.grad!.toFloat32Array(), (v) => refConvT2dFwd(xd, wd, v, geom), gy);
    }), { numRuns: 40 });
  });

  it("max_pool2d and avg_pool2d", () => {
    fc.assert(fc.property(
      fc.record({
        P: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 10 }), w: fc.integer({ min: 2, max: 10 }),
        k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }),
        ceil: fc.boolean(), cip: fc.boolean(), seed: fc.integer({ min: 1, max: 1 << 30 }),
      }),
      ({ P, h, w, k, s, d, ceil, cip, seed }) => {
        const p = Math.floor(k / 2);
        const gm = geometry(P, h, w, [k, k], [s, s], [p, p], [d, d], ceil);
        const ga = geometry(P, h, w, [k, k], [s, s], [p, p], [1, 1], ceil);
        fc.pre(gm.OH >= 1 && gm.OW >= 1 && ga.OH >= 1 && ga.OW >= 1);
        const r = rng(seed);
        // distinct values spaced well beyond eps, so the argmax cannot flip under the perturbation
        const xd = Float32Array.from(randArray(P * h * w, r).map((_, i) => ((i * 7919) % (P * h * w)) * 0.01 + 0.001 * r()));
        const x = t(xd, [P, h, w]);
        const gyM = randArray(P * gm.OH * gm.OW, r);
        F.maxPool2d(x, k, { stride: s, padding: p, dilation: d, ceilMode: ceil }).backward(t(gyM, [P, gm.OH, gm.OW], false));
        checkGrad("max_pool2d dx", xd, x.grad!.toFloat32Array(), (v) => refMaxPoolFwd(v, gm).y, gyM, 12, 1e-4);
        const x2 = t(xd, [P, h, w]);
        const gyA = randArray(P * ga.OH * ga.OW, r);
        F.avgPool2d(x2, k, { stride: s, padding: p, ceilMode: ceil, countIncludePad: cip }).backward(t(gyA, [P, ga.OH, ga.OW], false));
        checkGrad("avg_pool2d dx", xd, x2.grad!.toFloat32Array(), (v) => refAvgPoolFwd(v, ga, cip, null), gyA);
      },
    ), { numRuns: 40 });
  });
});

describe("finite-difference gradients of the elementwise maps, matmul, linear and cross-entropy", () => {
  const r = rng(99);
  const n = 13;
  const pos = Float32Array.from(randArray(n, r), (v) => Math.abs(v) + 0.5);
  const any = randArray(n, r);
  const gy = randArray(n, r);
  const maps: [string, (x: Tensor) => Tensor, (v: number) => number, Float32Array][] = [
    ["exp", (x) => x.exp(), Math.exp, any],
    ["log", (x) => x.log(), Math.log, pos],
    ["sigmoid", (x) => x.sigmoid(), (v) => 1 / (1 + Math.exp(-v)), any],
    ["tanh", (x) => x.tanh(), Math.tanh, any],
    ["relu", (x) => x.relu(), (v) => Math.max(v, 0), any],
    ["abs", (x) => x.abs(), Math.abs, any],
    ["pow 3", (x) => x.pow(3), (v) => v ** 3, any],
    ["pow 0.5", (x) => x.pow(0.5), Math.sqrt, pos],
    ["div by 1.5", (x) => x.div(1.5), (v) => v / 1.5, any],
    ["1/x via div", (x) => tensor(Array(n).fill(1)).div(x), (v) => 1 / v, pos],
  ];
  it.each(maps)("%s", (_name, op, ref, xd) => {
    const x = t(xd, [n]);
    op(x).backward(t(gy, [n], false));
    checkGrad(_name, xd, x.grad!.toFloat32Array(), (v) => Array.from(v, ref), gy);
  });

  it("matmul and linear", () => {
    const [M, K, N] = [5, 7, 6];
    const ad = randArray(M * K, r), bd = randArray(K * N, r), g = randArray(M * N, r), bias = randArray(N, r);
    const a = t(ad, [M, K]), b = t(bd, [K, N]);
    a.matmul(b).backward(t(g, [M, N], false));
    checkGrad("matmul da", ad, a.grad!.toFloat32Array(), (v) => refMatmul(v, bd, M, K, N, false, false), g);
    checkGrad("matmul db", bd, b.grad!.toFloat32Array(), (v) => refMatmul(ad, v, M, K, N, false, false), g);
    const x = t(ad, [M, K]), w = t(bd, [N, K]), bb = t(bias, [N]);
    F.linear(x, w, bb).backward(t(g, [M, N], false));
    const lin = (xv: ArrayLike<number>, wv: ArrayLike<number>, bv: ArrayLike<number>) =>
      refMatmul(xv, wv, M, K, N, false, true).map((v, i) => v + bv[i % N]);
    checkGrad("linear dx", ad, x.grad!.toFloat32Array(), (v) => lin(v, bd, bias), g);
    checkGrad("linear dw", bd, w.grad!.toFloat32Array(), (v) => lin(ad, v, bias), g);
    checkGrad("linear db", bias, bb.grad!.toFloat32Array(), (v) => lin(ad, bd, v), g);
  });

  it("cross-entropy", () => {
    const [N, K] = [4, 5];
    const ld = randArray(N * K, r), targets = [0, 3, 4, 1];
    const logits = t(ld, [N, K]);
    F.crossEntropy(logits, targets).backward();
    const ref = (v: Float64Array) => {
      let total = 0;
      for (let i = 0; i < N; i++) {
        const row = Array.from(v.subarray(i * K, i * K + K));
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((acc, z) => acc + Math.exp(z - m), 0));
        total += lse - row[targets[i]];
      }
      return [total / N];
    };
    checkGrad("cross_entropy dlogits", ld, logits.grad!.toFloat32Array(), ref, [1]);
  });
});
