// Contender "pure JS": the notebook's loops ported plainly (purejs-ops.mjs). It is also the reference.
import * as P from "./purejs-ops.mjs";
import { lenetStepPureJs } from "./purejs-lenet.mjs";
import { stepResult } from "../util.mjs";

export const purejs = {
  id: "purejs",
  label: "pure JS (naive loops)",
  async enter() {},
  prepare(w, d) {
    const g = w.geom;
    let last = null;
    const handle = (fn) => ({ run() { last = fn(); }, result: () => last, dispose() { last = null; } });
    switch (w.kind) {
      case "edge":
        return handle(() => P.conv2d(d.x, d.w, null, g));
      case "edge_e2e":
        // "creating the input": a Float32Array from the JS data; the result already is a Float32Array.
        return handle(() => P.conv2d(Float32Array.from(d.x), d.w, null, g));
      case "conv2d":
        return handle(() => P.conv2d(d.x, d.w, d.b, g));
      case "conv2d_bwd_input":
        return handle(() => P.conv2dBwdInput(d.gy, d.w, g));
      case "conv2d_bwd_filter":
        return handle(() => P.conv2dBwdFilter(d.gy, d.x, g));
      case "conv_transpose2d":
        return handle(() => P.convTranspose2d(d.x, d.w, g));
      case "max_pool2d":
        return handle(() => P.maxPool2d(d.x, g).y);
      case "avg_pool2d":
        return handle(() => P.avgPool2d(d.x, g));
      case "max_pool2d_bwd": {
        const { idx } = P.maxPool2d(d.x, g); // the forward's argmax, as an autograd tape would save it
        return handle(() => P.maxPool2dBwd(d.gy, idx, g));
      }
      case "avg_pool2d_bwd":
        return handle(() => P.avgPool2dBwd(d.gy, g));
      case "lenet_step": {
        const before = d.params.map((p) => p.data);
        const params = before.map((a) => a.slice());
        let loss = NaN;
        return {
          run() { loss = lenetStepPureJs(params, d.images, d.labels, d.lr); },
          result: () => stepResult(loss, before, params, d.lr),
          dispose() {},
        };
      }
      default:
        return { na: `no pure JS version of ${w.kind}` };
    }
  },
};
