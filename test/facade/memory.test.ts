// Tensors live in WebAssembly memory: views survive growth, and loops that never dispose anything stay
// bounded (the spill policy in src/memory.ts), including a 10,000-step training loop.
import { describe, expect, it } from "vitest";
import { d2l, F, memoryStats, nn, optim, rand, tensor, zeros, manualSeed } from "../../src/index.js";

describe("memory", () => {
  it("tensor data stays valid after linear memory grows", () => {
    const a = tensor([[1, 2], [3, 4]]);
    const before = memoryStats().wasmBytes;
    const big = zeros([64 << 20 >> 2]); // 64 MiB forces growth
    expect(memoryStats().wasmBytes).toBeGreaterThan(before);
    expect(a.add(1).toArray()).toEqual([[2, 3], [4, 5]]);
    big.dispose();
    expect(() => big.toArray()).toThrow(/disposed/);
  });

  it("10,000 undisposed forward calls do not grow memory without bound", () => {
    const X = tensor(Array.from({ length: 6 }, () => [1, 1, 0, 0, 0, 0, 1, 1]));
    const K = tensor([[1, -1]]);
    const samples: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const y = d2l.corr2d(X, K);
      if (i % 1000 === 999) samples.push(memoryStats().residentBytes);
      if (i === 9_999) expect(y.toArray()[0]).toEqual([0, 1, 0, 0, 0, -1, 0]);
    }
    // resident tensor bytes stay below the sweep threshold's scale (the floor is 16 MiB): no steady growth
    expect(Math.max(...samples)).toBeLessThan(40 << 20);
    expect(memoryStats().spills).toBeGreaterThan(0);
  });

  it("a 10,000-step training loop of a small CNN keeps wasm memory flat after the first steps", () => {
    manualSeed(3);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.ConvTranspose2d(4, 2, 2, { stride: 2 }), new nn.Sigmoid(), new nn.AvgPool2d(2), new nn.Flatten(), new nn.Linear(2 * 4 * 4, 3),
    );
    const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const x = rand([4, 1, 8, 8]);
    const targets = [0, 1, 2, 1];
    let at1000 = 0, first = 0, last = 0;
    for (let step = 1; step <= 10_000; step++) {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), targets);
      loss.backward();
      opt.step();
      if (step === 1) first = loss.item();
      if (step === 1000) at1000 = memoryStats().wasmBytes;
      if (step === 10_000) last = loss.item();
    }
    expect(memoryStats().wasmBytes).toBe(at1000);
    expect(last).toBeLessThan(first);
  });
});
