// Type-checks the public API as a TypeScript user sees it (tsc --noEmit, strict), from the packed tarball.
// The @ts-expect-error lines prove the declarations are real types, not `any`.
import {
  F, Tensor, arange, d2l, fit, kernelVariant, manualSeed, memoryStats, nn, noGrad, ones, optim, rand, randn,
  ready, setKernelVariant, setMemoryOptions, tensor, zeros, full, ShapeError, AutogradError,
} from "wasmconv";

async function main(): Promise<number[][]> {
  await ready();
  manualSeed(0);
  const X: Tensor = tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  const Y: Tensor = d2l.corr2d(X, tensor([[0, 1], [2, 3]]));
  const shape: readonly number[] = Y.shape;
  const conv = new nn.Conv2d(1, 1, [1, 2], { bias: false });
  const opt = new optim.SGD(conv.parameters(), { lr: 3e-2, momentum: 0.9 });
  const x = rand([1, 1, 6, 8]);
  const loss: Tensor = F.mseLoss(conv.forward(x), zeros([1, 1, 6, 7]));
  loss.backward();
  opt.step();
  opt.zeroGrad();
  noGrad(() => conv.weight.sub_(1e-3));
  const pooled: Tensor = F.maxPool2d(arange(16).reshape(1, 1, 4, 4), 2, { stride: 2 });
  const up: Tensor = F.convTranspose2d(pooled, ones([1, 1, 2, 2]), undefined, { stride: 2 });
  const variant: "f32x4" | "scalar" = kernelVariant();
  setKernelVariant(variant);
  setMemoryOptions({ floorBytes: 16 << 20 });
  const bytes: number = memoryStats().residentBytes;
  const s: number = full([2], 3).add(randn([2])).sum().item();
  void [shape, up, bytes, s, fit, ShapeError, AutogradError];

  // @ts-expect-error shape is readonly
  Y.shape.push(1);
  // @ts-expect-error conv2d takes tensors
  F.conv2d("not a tensor", X);
  // @ts-expect-error the kernel variants are "f32x4" and "scalar"
  setKernelVariant("avx512");
  return Y.toArray();
}

void main();
