// The workloads of issue 4: definitions, FLOP / byte counts and their (seeded, NCHW, PyTorch-layout) data.
//
// kind                 computes                                      data                        result
// conv2d               y = conv2d(x, w) + b                          x, w, b (or null)           y (N,O,OH,OW)
// conv2d_bwd_input     gx = d conv2d / d x applied to gy             gy, w                       gx (N,C,H,W)
// conv2d_bwd_filter    gw = d conv2d / d w applied to gy             gy, x                       gw (O,C/G,KH,KW)
// conv_transpose2d     y = conv_transpose2d(x, w)   (no bias)        x, w (C,O,KH,KW)            y (N,O,OH,OW)
// max_pool2d, avg_pool2d                                             x                           y (N,C,OH,OW)
// max_pool2d_bwd       gx from gy and the forward's argmax           x, gy                       gx (N,C,H,W)
// avg_pool2d_bwd       gx from gy                                    gy                          gx (N,C,H,W)
// edge                 the notebook's 6x8 edge detection, per call   x (1,1,6,8), w [1,-1]       y (1,1,6,7)
// edge_e2e             the same, creating the input from a JS array and reading the result back
// lenet_step           one LeNet-5 SGD step at batch 256             images, labels, params      loss and updated params
import { uniform, rng } from "./util.mjs";

const conv = (N, C, H, W, O, K, { s = 1, p = 0, G = 1, bias = true, KW = K } = {}) =>
  ({ N, C, H, W, O, KH: K, KW, sh: s, sw: s, ph: p, pw: p, dh: 1, dw: 1, G, bias });
const pool = (N, C, H, W, K, s, p) => ({ N, C, H, W, KH: K, KW: K, sh: s, sw: s, ph: p, pw: p, dh: 1, dw: 1 });

/** Output sizes (PyTorch's formulas) added to a geometry. */
export function withOutput(kind, g) {
  if (kind === "conv_transpose2d") {
    return { ...g, OH: (g.H - 1) * g.sh - 2 * g.ph + g.dh * (g.KH - 1) + 1, OW: (g.W - 1) * g.sw - 2 * g.pw + g.dw * (g.KW - 1) + 1 };
  }
  return {
    ...g,
    OH: Math.floor((g.H + 2 * g.ph - g.dh * (g.KH - 1) - 1) / g.sh) + 1,
    OW: Math.floor((g.W + 2 * g.pw - g.dw * (g.KW - 1) - 1) / g.sw) + 1,
  };
}

/** Multiply-adds times two. Input and weight gradients of a convolution cost what its forward costs. */
function convFlops(kind, g) {
  if (kind === "conv_transpose2d") return 2 * g.N * g.C * g.H * g.W * (g.O / g.G) * g.KH * g.KW;
  return 2 * g.N * g.O * g.OH * g.OW * (g.C / g.G) * g.KH * g.KW;
}

/**
 * Values (4 bytes each) a pooling pass must read and write at the least: f32 data, and the i32 argmax that max
 * pooling's backward reads besides gy. The host-phase probe (contenders/probe.mjs) streams the same amounts.
 */
export function poolStreams(kind, g) {
  const inp = g.N * g.C * g.H * g.W, out = g.N * g.C * g.OH * g.OW;
  if (kind === "max_pool2d_bwd") return { rd: 2 * out, wr: inp };
  if (kind === "avg_pool2d_bwd") return { rd: out, wr: inp };
  return { rd: inp, wr: out };
}

function poolBytes(kind, g) {
  const { rd, wr } = poolStreams(kind, g);
  return 4 * (rd + wr);
}

/** LeNet-5 (d2l): Conv(1,6,5,p2) Sigmoid AvgPool(2) Conv(6,16,5) ReLU AvgPool(2) Flatten Linear(400,120) ReLU Linear(120,84) ReLU Linear(84,10). */
export const LENET = {
  batch: 256,
  lr: 0.01,
  params: [
    ["0.weight", [6, 1, 5, 5], 25], ["0.bias", [6], 25],
    ["3.weight", [16, 6, 5, 5], 150], ["3.bias", [16], 150],
    ["7.weight", [120, 400], 400], ["7.bias", [120], 400],
    ["9.weight", [84, 120], 120], ["9.bias", [84], 120],
    ["11.weight", [10, 84], 84], ["11.bias", [10], 84],
  ],
};

function lenetParts(B) {
  const c1 = 2 * B * 6 * 28 * 28 * 1 * 25, c2 = 2 * B * 16 * 10 * 10 * 6 * 25;
  const lin = 2 * B * (400 * 120 + 120 * 84 + 84 * 10);
  // forward + weight gradients + input gradients (none for the first convolution, whose input needs none)
  return [
    { kind: "conv2d", work: c1 + c2 }, { kind: "conv2d_bwd_filter", work: c1 + c2 },
    { kind: "conv2d_bwd_input", work: c2 }, { kind: "linear", work: 3 * lin },
  ];
}

function def(id, kind, title, g, extra = {}) {
  const geom = g ? withOutput(kind, g) : null;
  const w = { id, kind, title, geom, ...extra };
  if (geom && (kind.startsWith("conv") || kind === "edge" || kind === "edge_e2e")) w.flops = convFlops(kind === "conv2d_bwd_input" || kind === "conv2d_bwd_filter" ? "conv2d" : kind, geom);
  if (geom && kind.includes("pool")) w.bytes = poolBytes(kind, geom);
  if (kind === "lenet_step") {
    w.parts = lenetParts(LENET.batch);
    w.flops = w.parts.reduce((a, p) => a + p.work, 0);
  } else {
    w.parts = [{ kind, work: w.flops ?? w.bytes }];
  }
  return w;
}

const EDGE = conv(1, 1, 6, 8, 1, 1, { KW: 2, bias: false });
const LENET1 = conv(64, 1, 28, 28, 6, 5, { p: 2 });
const LENET2 = conv(64, 6, 14, 14, 16, 5);
const RES = (N) => conv(N, 64, 56, 56, 64, 3, { p: 1 });
const RES_S2 = conv(1, 64, 56, 56, 128, 3, { s: 2, p: 1 });
const ONE = conv(8, 256, 28, 28, 64, 1);
const POOL_MAX = pool(8, 64, 112, 112, 3, 2, 1);
const POOL_AVG = pool(8, 64, 112, 112, 2, 2, 0);
const TCONV = conv(8, 64, 28, 28, 32, 4, { s: 2, p: 1, bias: false });
const nobias = (g) => ({ ...g, bias: false });

export const WORKLOADS = [
  def("edge-6x8", "edge", "edge detection 6x8, [1,-1] kernel: F.conv2d per call", EDGE, { latency: true }),
  def("edge-6x8-e2e", "edge_e2e", "edge detection 6x8 incl. creating the input and reading the result", EDGE, { latency: true }),
  def("lenet-c1-fwd", "conv2d", "LeNet conv1 fwd 64x1x28x28, 1->6 5x5 pad 2", LENET1),
  def("lenet-c2-fwd", "conv2d", "LeNet conv2 fwd 64x6x14x14, 6->16 5x5", LENET2),
  def("resnet-3x3-n1-fwd", "conv2d", "ResNet 3x3 fwd 1x64x56x56, 64->64 pad 1", RES(1)),
  def("resnet-3x3-n8-fwd", "conv2d", "ResNet 3x3 fwd 8x64x56x56, 64->64 pad 1", RES(8)),
  def("resnet-3x3s2-n1-fwd", "conv2d", "ResNet 3x3 s2 fwd 1x64x56x56, 64->128 stride 2 pad 1", RES_S2),
  def("conv1x1-n8-fwd", "conv2d", "1x1 fwd 8x256x28x28, 256->64", ONE),
  def("maxpool-3x3s2-fwd", "max_pool2d", "max pool 3x3 s2 p1 fwd 8x64x112x112", POOL_MAX),
  def("avgpool-2x2s2-fwd", "avg_pool2d", "avg pool 2x2 s2 fwd 8x64x112x112", POOL_AVG),
  def("maxpool-3x3s2-bwd", "max_pool2d_bwd", "max pool 3x3 s2 p1 bwd 8x64x112x112", POOL_MAX),
  def("avgpool-2x2s2-bwd", "avg_pool2d_bwd", "avg pool 2x2 s2 bwd 8x64x112x112", POOL_AVG),
  def("tconv-k4s2-n8-fwd", "conv_transpose2d", "transposed conv fwd 8x64x28x28, 64->32 k4 s2 p1", TCONV),
  def("lenet-c1-bwd-input", "conv2d_bwd_input", "LeNet conv1 input grad, 64x1x28x28 1->6 5x5 pad 2", nobias(LENET1)),
  def("lenet-c1-bwd-filter", "conv2d_bwd_filter", "LeNet conv1 weight grad, 64x1x28x28 1->6 5x5 pad 2", nobias(LENET1)),
  def("lenet-c2-bwd-input", "conv2d_bwd_input", "LeNet conv2 input grad, 64x6x14x14 6->16 5x5", nobias(LENET2)),
  def("lenet-c2-bwd-filter", "conv2d_bwd_filter", "LeNet conv2 weight grad, 64x6x14x14 6->16 5x5", nobias(LENET2)),
  def("resnet-3x3-n1-bwd-input", "conv2d_bwd_input", "ResNet 3x3 input grad, 1x64x56x56 64->64 pad 1", nobias(RES(1))),
  def("resnet-3x3-n1-bwd-filter", "conv2d_bwd_filter", "ResNet 3x3 weight grad, 1x64x56x56 64->64 pad 1", nobias(RES(1))),
  def("resnet-3x3s2-n1-bwd-input", "conv2d_bwd_input", "ResNet 3x3 s2 input grad, 1x64x56x56 64->128 s2 p1", nobias(RES_S2)),
  def("resnet-3x3s2-n1-bwd-filter", "conv2d_bwd_filter", "ResNet 3x3 s2 weight grad, 1x64x56x56 64->128 s2 p1", nobias(RES_S2)),
  def("lenet5-step-b256", "lenet_step", "LeNet-5 training step, batch 256 (fwd, cross-entropy, bwd, SGD)", null),
];

/** The notebook's X: ones(6, 8) with columns 2..5 set to 0. */
export function edgeInput() {
  const x = new Float32Array(48).fill(1);
  for (let i = 0; i < 6; i++) for (let j = 2; j < 6; j++) x[i * 8 + j] = 0;
  return x;
}

/** Seeded data for a workload, in PyTorch layouts (the seed is a hash of the id, so --only gives the same data). */
export function makeData(w) {
  const g = w.geom;
  let s = 17;
  for (const ch of w.id) s = (Math.imul(s, 31) + ch.charCodeAt(0)) >>> 0;
  switch (w.kind) {
    case "edge":
    case "edge_e2e":
      return { x: edgeInput(), w: new Float32Array([1, -1]), b: null };
    case "conv2d":
      return {
        x: uniform(g.N * g.C * g.H * g.W, s),
        w: uniform(g.O * (g.C / g.G) * g.KH * g.KW, s + 1, 1 / Math.sqrt((g.C / g.G) * g.KH * g.KW)),
        b: g.bias ? uniform(g.O, s + 2, 0.1) : null,
      };
    case "conv2d_bwd_input":
      return { gy: uniform(g.N * g.O * g.OH * g.OW, s), w: uniform(g.O * (g.C / g.G) * g.KH * g.KW, s + 1, 0.1) };
    case "conv2d_bwd_filter":
      return { gy: uniform(g.N * g.O * g.OH * g.OW, s), x: uniform(g.N * g.C * g.H * g.W, s + 1) };
    case "conv_transpose2d":
      return { x: uniform(g.N * g.C * g.H * g.W, s), w: uniform(g.C * (g.O / g.G) * g.KH * g.KW, s + 1, 0.1) };
    case "max_pool2d":
    case "avg_pool2d":
      return { x: uniform(g.N * g.C * g.H * g.W, s) };
    case "max_pool2d_bwd":
      return { x: uniform(g.N * g.C * g.H * g.W, s), gy: uniform(g.N * g.C * g.OH * g.OW, s + 1) };
    case "avg_pool2d_bwd":
      return { gy: uniform(g.N * g.C * g.OH * g.OW, s) };
    case "lenet_step": {
      const B = LENET.batch;
      const r = rng(s + 3);
      const labels = Array.from({ length: B }, () => Math.floor(r() * 10));
      const params = LENET.params.map(([name, shape, fanIn], i) =>
        ({ name, shape, data: uniform(shape.reduce((a, b) => a * b, 1), s + 10 + i, 1 / Math.sqrt(fanIn)) }));
      return { images: uniform(B * 28 * 28, s), labels, params, lr: LENET.lr };
    }
    default:
      throw new Error(`unknown workload kind ${w.kind}`);
  }
}
