// The computation every consumer runs: the chapter's corr2d, a batched conv2d and its weight gradient.
// Expected: corr2d [[19, 25], [37, 43]]; conv2d of arange(16) (4x4) with a 2x2 box of ones
// [[10, 14, 18], [26, 30, 34], [42, 46, 50]]; the weight gradient of its sum [[45, 54], [81, 90]].
export async function check(lib) {
  const { tensor, arange, d2l, F, kernelVariant, ready } = lib;
  await ready();
  const corr = d2l.corr2d(tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), tensor([[0, 1], [2, 3]]));
  const x = arange(16).reshape(1, 1, 4, 4);
  const w = tensor([[[[1, 1], [1, 1]]]], { requiresGrad: true });
  const y = F.conv2d(x, w);
  y.sum().backward();
  return {
    corr2d: corr.toArray(),
    printed: String(corr),
    conv2dShape: [...y.shape],
    conv2d: y.reshape(3, 3).toArray(),
    weightGrad: w.grad.reshape(2, 2).toArray(),
    variant: kernelVariant(),
  };
}
