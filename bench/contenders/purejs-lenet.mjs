// One LeNet-5 training step in plain JavaScript (the naive loops of purejs-ops.mjs): forward, softmax
// cross-entropy (mean), backward, SGD. Parameters in PyTorch layouts, updated in place.
import * as P from "./purejs-ops.mjs";
import { withOutput } from "../workloads.mjs";

const conv = (N, C, H, O, K, p) => withOutput("conv2d", { N, C, H, W: H, O, KH: K, KW: K, sh: 1, sw: 1, ph: p, pw: p, dh: 1, dw: 1, G: 1 });
const pool = (N, C, H) => withOutput("avg_pool2d", { N, C, H, W: H, KH: 2, KW: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1 });

export function lenetStepPureJs(params, images, labels, lr) {
  const B = labels.length;
  const [w0, b0, w3, b3, w7, b7, w9, b9, w11, b11] = params;
  const g1 = conv(B, 1, 28, 6, 5, 2), p1 = pool(B, 6, 28), g2 = conv(B, 6, 14, 16, 5, 0), p2 = pool(B, 16, 10);

  // forward
  const a1 = P.conv2d(images, w0, b0, g1);
  const h1 = a1.map((v) => 1 / (1 + Math.exp(-v)));
  const q1 = P.avgPool2d(h1, p1);
  const a2 = P.conv2d(q1, w3, b3, g2);
  const h2 = a2.map((v) => (v > 0 ? v : 0));
  const q2 = P.avgPool2d(h2, p2); // (B, 16, 5, 5) = (B, 400) flattened in PyTorch's order
  const z1 = P.linear(q2, w7, b7, B, 400, 120);
  const r1 = z1.map((v) => (v > 0 ? v : 0));
  const z2 = P.linear(r1, w9, b9, B, 120, 84);
  const r2 = z2.map((v) => (v > 0 ? v : 0));
  const z3 = P.linear(r2, w11, b11, B, 84, 10);

  // softmax cross-entropy (mean over the batch) and its gradient
  let loss = 0;
  const gz3 = new Float32Array(B * 10);
  for (let n = 0; n < B; n++) {
    let m = -Infinity;
    for (let k = 0; k < 10; k++) m = Math.max(m, z3[n * 10 + k]);
    let s = 0;
    for (let k = 0; k < 10; k++) s += Math.exp(z3[n * 10 + k] - m);
    loss += Math.log(s) + m - z3[n * 10 + labels[n]];
    for (let k = 0; k < 10; k++) gz3[n * 10 + k] = (Math.exp(z3[n * 10 + k] - m) / s - (k === labels[n] ? 1 : 0)) / B;
  }
  loss /= B;

  // backward
  const l11 = P.linearBwd(gz3, r2, w11, B, 84, 10);
  const gz2 = l11.gx.map((g, i) => (z2[i] > 0 ? g : 0));
  const l9 = P.linearBwd(gz2, r1, w9, B, 120, 84);
  const gz1 = l9.gx.map((g, i) => (z1[i] > 0 ? g : 0));
  const l7 = P.linearBwd(gz1, q2, w7, B, 400, 120);
  const ga2 = P.avgPool2dBwd(l7.gx, p2).map((g, i) => (a2[i] > 0 ? g : 0));
  const gw3 = P.conv2dBwdFilter(ga2, q1, g2);
  const gb3 = P.convBiasGrad(ga2, B, 16, 100);
  const gq1 = P.conv2dBwdInput(ga2, w3, g2);
  const ga1 = P.avgPool2dBwd(gq1, p1).map((g, i) => g * h1[i] * (1 - h1[i]));
  const gw0 = P.conv2dBwdFilter(ga1, images, g1);
  const gb0 = P.convBiasGrad(ga1, B, 6, 784);

  // SGD
  const grads = [gw0, gb0, gw3, gb3, l7.gw, l7.gb, l9.gw, l9.gb, l11.gw, l11.gb];
  params.forEach((p, i) => {
    const g = grads[i];
    for (let k = 0; k < p.length; k++) p[k] -= lr * g[k];
  });
  return loss;
}
