// The d2l.ai chapter "Convolutions for Images", cell by cell, on wasmconv's WebAssembly kernels.
// Run with `npm start`. Every tensor below lives in WebAssembly memory; every op is a wasm kernel call.
import { tensor, zeros, ones, rand, randn, arange, manualSeed, nn, optim, d2l, F, noGrad, ready, kernelVariant, fit } from "wasmconv";

await ready();
manualSeed(0);
const show = (title, value) => console.log(`\n${title}\n${value}`);
const section = (t) => console.log(`\n${"=".repeat(78)}\n${t}\n${"=".repeat(78)}`);
console.log(`wasmconv walkthrough — kernels: ${kernelVariant()} (WebAssembly ${kernelVariant() === "f32x4" ? "SIMD" : "scalar"})`);

section("1. The cross-correlation operation");
let X = tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
let K = tensor([[0, 1], [2, 3]]);
show("corr2d(X, K)", d2l.corr2d(X, K));

section("2. Convolutional layers: the notebook's Conv2D (weight and bias around corr2d)");
class Conv2D extends nn.Module {
  constructor(kernelSize) {
    super();
    this.weight = rand(kernelSize, { requiresGrad: true });
    this.bias = zeros([1], { requiresGrad: true });
  }
  forward(x) { return d2l.corr2d(x, this.weight).add(this.bias); }
}
const layer = new Conv2D([2, 2]);
console.log(`Conv2D([2, 2]) parameters: ${layer.parameters().map((p) => `[${p.shape}]`).join(", ")}; output shape on 3x3: [${layer.forward(X).shape}]`);

section("3. Object edge detection in images");
const edge = Array.from({ length: 6 }, () => [1, 1, 0, 0, 0, 0, 1, 1]);
X = tensor(edge);
show("X = ones(6, 8); X[:, 2:6] = 0", X);
K = tensor([[1, -1]]);
show("K", K);
let Y = d2l.corr2d(X, K);
show("Y = corr2d(X, K): 1 for the white-to-black edge, -1 for black-to-white", Y);
show("corr2d(X.t(), K): the kernel only detects vertical edges, so on the transposed image it vanishes", d2l.corr2d(X.t(), K));

section("4. Learning a kernel");
const X4 = X.reshape(1, 1, 6, 8), Y4 = Y.reshape(1, 1, 6, 7);
const lr = 3e-2;
function learn(label, conv, update) {
  console.log(`\n${label}`);
  for (let i = 0; i < 10; i++) {
    const yHat = conv.forward(X4);
    const l = yHat.sub(Y4).pow(2);
    update.zero();
    l.sum().backward();
    update.step();
    if ((i + 1) % 2 === 0) console.log(`epoch ${i + 1}, loss ${l.sum().item().toFixed(3)}`);
  }
  console.log(`learned kernel: ${conv.weight.detach().reshape(1, 2)}`);
}
const manual = (conv) => ({
  zero: () => conv.zeroGrad(),
  step: () => noGrad(() => conv.weight.sub_(conv.weight.grad.mul(lr))),
});
for (const [name, make] of [
  ["nn.Conv2d(1, 1, [1, 2], { bias: false })", () => new nn.Conv2d(1, 1, [1, 2], { bias: false })],
  ["nn.LazyConv2d(1, [1, 2], { bias: false })", () => new nn.LazyConv2d(1, [1, 2], { bias: false })],
]) {
  const conv = make();
  learn(`${name} with the manual update: noGrad(() => conv.weight.sub_(conv.weight.grad.mul(lr)))`, conv, manual(conv));
  const lazy = make();
  const sgd = new optim.SGD(lazy.parameters(), { lr }); // for LazyConv2d, built before the weight exists
  learn(`${name} with optim.SGD(conv.parameters(), { lr: 3e-2 })`, lazy, { zero: () => sgd.zeroGrad(), step: () => sgd.step() });
}
const own = new Conv2D([1, 2]);
console.log("\nThe notebook's own Conv2D class (weight and bias learned through corr2d, lr = 1e-2, 20 steps)");
const ownOpt = new optim.SGD(own.parameters(), { lr: 1e-2 });
for (let i = 0; i < 20; i++) {
  ownOpt.zeroGrad();
  const l = own.forward(X).sub(Y).pow(2).sum();
  l.backward();
  ownOpt.step();
  if ((i + 1) % 5 === 0) console.log(`step ${i + 1}, loss ${l.item().toFixed(3)}`);
}
console.log(`weight: ${own.weight}\nbias: ${own.bias}`);

section("5. Padding and stride");
const X8 = rand([8, 8]);
const shapeOf = (m) => `[${d2l.compConv2d(m, X8).shape.join(", ")}]`;
console.log(`LazyConv2d(1, 3, padding 1):                        ${shapeOf(new nn.LazyConv2d(1, 3, { padding: 1 }))}`);
console.log(`LazyConv2d(1, [5, 3], padding [2, 1]):              ${shapeOf(new nn.LazyConv2d(1, [5, 3], { padding: [2, 1] }))}`);
console.log(`LazyConv2d(1, 3, padding 1, stride 2):              ${shapeOf(new nn.LazyConv2d(1, 3, { padding: 1, stride: 2 }))}`);
console.log(`LazyConv2d(1, [3, 5], padding [0, 1], stride [3, 4]): ${shapeOf(new nn.LazyConv2d(1, [3, 5], { padding: [0, 1], stride: [3, 4] }))}`);

section("6. Multiple input and multiple output channels");
X = tensor([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]);
K = tensor([[[0, 1], [2, 3]], [[1, 2], [3, 4]]]);
show("corr2dMultiIn(X, K)", d2l.corr2dMultiIn(X, K));
const K3 = tensor([K.toArray(), K.add(1).toArray(), K.add(2).toArray()]);
console.log(`\nK = stack((K, K + 1, K + 2)): shape [${K3.shape.join(", ")}]`);
show("corr2dMultiInOut(X, K)", d2l.corr2dMultiInOut(X, K3));

section("7. 1x1 convolution = a fully connected layer over channels");
X = randn([3, 3, 3]);
K = randn([2, 3, 1, 1]);
const Y1 = d2l.corr2dMultiInOut1x1(X, K), Y2 = d2l.corr2dMultiInOut(X, K);
const diff = Y1.sub(Y2).abs().sum().item();
console.log(`|corr2dMultiInOut1x1(X, K) - corr2dMultiInOut(X, K)|.sum() = ${diff.toExponential(2)} (< 1e-6: ${diff < 1e-6})`);
if (!(diff < 1e-6)) throw new Error("1x1 convolution does not match the matrix product");

section("8. Pooling");
X = tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
show("pool2d(X, [2, 2]) max", d2l.pool2d(X, [2, 2]));
show("pool2d(X, [2, 2], 'avg')", d2l.pool2d(X, [2, 2], "avg"));
X = arange(16).reshape(1, 1, 4, 4);
show("X = arange(16).reshape(1, 1, 4, 4)", X);
show("MaxPool2d(3)", new nn.MaxPool2d(3).forward(X));
show("MaxPool2d(3, padding 1, stride 2)", new nn.MaxPool2d(3, { padding: 1, stride: 2 }).forward(X));
show("MaxPool2d([2, 3], stride [2, 3], padding [0, 1])", new nn.MaxPool2d([2, 3], { stride: [2, 3], padding: [0, 1] }).forward(X));
X = tensor([X.toArray()[0][0], X.add(1).toArray()[0][0]]).reshape(1, 2, 4, 4);
show("two channels: X = cat((X, X + 1), 1)", X);
show("MaxPool2d(3, padding 1, stride 2) on two channels", new nn.MaxPool2d(3, { padding: 1, stride: 2 }).forward(X));
show("F.avgPool2d(X, 3, stride 2, ceilMode: the last window is clipped and divides by what it covers)", F.avgPool2d(X, 3, { stride: 2, ceilMode: true }));

section("9. Transposed convolution");
X = tensor([[0, 1], [2, 3]]);
K = tensor([[0, 1], [2, 3]]);
show("transConv(X, K)", d2l.transConv(X, K));
const X2 = X.reshape(1, 1, 2, 2), K2 = K.reshape(1, 1, 2, 2);
let tconv = new nn.ConvTranspose2d(1, 1, 2, { bias: false });
tconv.weight = K2;
show("nn.ConvTranspose2d(1, 1, 2) with weight K", tconv.forward(X2));
tconv = new nn.ConvTranspose2d(1, 1, 2, { padding: 1, bias: false });
tconv.weight = K2;
show("padding 1 removes the first and last rows and columns", tconv.forward(X2));
tconv = new nn.ConvTranspose2d(1, 1, 2, { stride: 2, bias: false });
tconv.weight = K2;
show("stride 2 spreads the intermediate results", tconv.forward(X2));
X = rand([1, 10, 16, 16]);
const c = new nn.Conv2d(10, 20, 5, { padding: 2, stride: 3 });
const tc = new nn.ConvTranspose2d(20, 10, 5, { padding: 2, stride: 3 });
const mid = c.forward(X), back = tc.forward(mid);
console.log(`\nConv2d(10, 20, 5, padding 2, stride 3): [${X.shape}] -> [${mid.shape}]; ConvTranspose2d(20, 10, 5, padding 2, stride 3): -> [${back.shape}]; same shape as X: ${back.shape.join() === X.shape.join()}`);

section("10. Beyond the notebook: a small CNN trained with fit() (conv, pool, transposed conv, linear)");
manualSeed(1);
// Task: tell vertical from horizontal edges in random 12x12 images (class 0: vertical bar, 1: horizontal).
function batch(n) {
  const xs = [], ys = [];
  for (let i = 0; i < n; i++) {
    const img = Array.from({ length: 12 }, () => Array.from({ length: 12 }, () => Math.random() * 0.2));
    const cls = i % 2, at = 2 + Math.floor(Math.random() * 8);
    for (let k = 0; k < 12; k++) if (cls === 0) img[k][at] += 1; else img[at][k] += 1;
    xs.push([img]);
    ys.push(cls);
  }
  return [tensor(xs), tensor(ys)];
}
const model = new nn.Sequential(
  new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.ConvTranspose2d(4, 4, 2, { stride: 2 }), new nn.ReLU(), new nn.AvgPool2d(2),
  new nn.Flatten(), new nn.Linear(4 * 6 * 6, 2),
);
const data = Array.from({ length: 8 }, () => batch(32));
const result = await fit({
  model, lossFn: new nn.CrossEntropyLoss(), optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }), data, epochs: 5,
  onEpoch: (e) => console.log(`epoch ${e.epoch}: mean loss ${e.meanLoss.toFixed(4)} (${(e.steps * 32 / e.seconds).toFixed(0)} samples/s)`),
});
const [tx, ty] = batch(64);
const acc = noGrad(() => {
  const logits = model.forward(tx).toArray();
  const truth = ty.toArray();
  return logits.filter((row, i) => (row[1] > row[0] ? 1 : 0) === truth[i]).length / truth.length;
});
console.log(`held-out accuracy: ${(acc * 100).toFixed(1)}% after ${result.losses.length} steps; state dict keys: ${Object.keys(model.stateDict()).join(", ")}`);
