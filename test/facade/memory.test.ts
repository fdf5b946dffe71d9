// Loops that never dispose anything keep WebAssembly memory bounded (the spill policy in src/memory.ts),
// including a 10,000-step training loop. Each vitest file runs in its own process, so memory starts fresh.
import { describe, expect, it } from "vitest";
import { d2l, F, memoryStats, nn, optim, rand, setMemoryOptions, tensor, manualSeed } from "../../src/index.js";

describe("bounded memory", () => {
  it("10,000 undisposed forward calls spill old tensors and keep resident memory bounded", () => {
    setMemoryOptions({ floorBytes: 1 << 20 }); // a small floor so that 10,000 tiny calls cross it many times
    const X = tensor(Array.from({ length: 6 }, () => [1, 1, 0, 0, 0, 0, 1, 1]));
    const K = tensor([[1, -1]]);
    const resident: number[] = [];
    let wasmAt3000 = 0;
    for (let i = 1; i <= 10_000; i++) {
      const y = d2l.corr2d(X, K);
      if (i % 500 === 0) resident.push(memoryStats().residentBytes);
      if (i === 3000) wasmAt3000 = memoryStats().wasmBytes;
      if (i === 10_000) expect(y.toArray()[0]).toEqual([0, 1, 0, 0, 0, -1, 0]);
    }
    expect(Math.max(...resident)).toBeLessThan(3 << 20);
    expect(memoryStats().spills).toBeGreaterThan(3000); // one new storage per call; most were spilled
    expect(memoryStats().wasmBytes).toBeLessThanOrEqual(Math.max(wasmAt3000, 4 << 20));
    // X and K were used on every call, so they were never spilled away from under the loop
    expect(d2l.corr2d(X, K).toArray()[5]).toEqual([0, 1, 0, 0, 0, -1, 0]);
    setMemoryOptions({ floorBytes: 16 << 20 });
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
    let at3000 = 0, first = 0, last = 0;
    for (let step = 1; step <= 10_000; step++) {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), targets);
      loss.backward();
      opt.step();
      if (step === 1) first = loss.item();
      if (step === 3000) at3000 = memoryStats().wasmBytes;
      if (step === 10_000) last = loss.item();
    }
    // Nothing was disposed by hand: the tape frees what it saved, the sweep spills the old outputs.
    expect(memoryStats().wasmBytes).toBe(at3000);
    expect(at3000).toBeLessThanOrEqual(64 << 20);
    expect(last).toBeLessThan(first);
  });

  it("a Sequential training step leaves only parameters, gradients and optimizer state resident", () => {
    const model = new nn.Sequential(
      new nn.Conv2d(1, 3, 3, { padding: 1 }), new nn.ReLU(), new nn.AvgPool2d(2), new nn.Flatten(), new nn.Linear(3 * 4 * 4, 2),
    );
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = rand([2, 1, 8, 8]);
    const step = () => {
      opt.zeroGrad();
      const out = model.forward(x);
      const loss = F.mseLoss(out, F.relu(out).detach());
      loss.backward();
      opt.step();
      loss.dispose();
      out.dispose();
    };
    step(); // creates the gradients and Adam's moments
    const before = memoryStats().residentTensors;
    for (let i = 0; i < 20; i++) step();
    // the activations between layers and the loss's intermediates were freed by backward, not left to the sweep
    // (the detached target is the one tensor per step the test itself leaves behind)
    expect(memoryStats().residentTensors - before).toBeLessThanOrEqual(20);
  });
});
