// CommonJS: Node >= 20.19 (and 22.12) load the package's ES modules with require(), since it has no
// top-level await. On older Node, require() throws ERR_REQUIRE_ESM: use `await import("wasmconv")` there.
const { tensor, arange, d2l, F, kernelVariant } = require("wasmconv");

const corr = d2l.corr2d(tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), tensor([[0, 1], [2, 3]]));
const x = arange(16).reshape(1, 1, 4, 4);
const w = tensor([[[[1, 1], [1, 1]]]], { requiresGrad: true });
const y = F.conv2d(x, w);
y.sum().backward();
console.log(JSON.stringify({
  corr2d: corr.toArray(),
  printed: String(corr),
  conv2dShape: [...y.shape],
  conv2d: y.reshape(3, 3).toArray(),
  weightGrad: w.grad.reshape(2, 2).toArray(),
  variant: kernelVariant(),
}));
