// fit(): the training loop PyTorch users write by hand (zeroGrad, forward, loss, backward, step), with
// per-step and per-epoch callbacks and, in a terminal, a progress bar with loss and throughput.
import { Module } from "./nn/module.js";
import type { Optimizer } from "./optim/optimizer.js";
import { Tensor } from "./tensor.js";

export interface StepInfo {
  epoch: number;      // 1-based
  step: number;       // 1-based within the epoch
  globalStep: number; // 1-based over the whole fit
  loss: number;
  samples: number;    // batch size of this step
  samplesPerSec: number;
}

export interface EpochInfo { epoch: number; meanLoss: number; steps: number; seconds: number }

export interface FitOptions {
  model: Module | ((x: Tensor) => Tensor);
  lossFn: Module | ((yHat: Tensor, y: Tensor) => Tensor);
  optimizer: Optimizer;
  /** The batches of one epoch: an array of [x, y] pairs, or a function returning a fresh iterable each epoch. */
  data: Iterable<[Tensor, Tensor]> | ((epoch: number) => Iterable<[Tensor, Tensor]>);
  epochs?: number;
  onStep?: (info: StepInfo) => void;
  onEpoch?: (info: EpochInfo) => void;
  /** Draw a progress bar on a terminal (default: only when stdout is a TTY). */
  progress?: boolean;
}

type Out = { isTTY?: boolean; write(s: string): boolean };

function terminal(): Out | null {
  const p = (globalThis as { process?: { stdout?: Out } }).process;
  return p?.stdout ?? null;
}

function bar(fraction: number, width = 24): string {
  const full = Math.round(fraction * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

const call = (f: Module | ((...a: Tensor[]) => Tensor), ...args: Tensor[]): Tensor =>
  f instanceof Module ? f.forward(...args) : f(...args);

/** Trains `model` for `epochs` passes over `data`; resolves with the loss of every step. */
export async function fit(opts: FitOptions): Promise<{ losses: number[]; epochs: EpochInfo[] }> {
  const epochs = opts.epochs ?? 1;
  const out = terminal();
  const showBar = opts.progress ?? Boolean(out?.isTTY);
  const losses: number[] = [];
  const epochInfos: EpochInfo[] = [];
  let globalStep = 0;
  if (opts.model instanceof Module) opts.model.train();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const batches = [...(typeof opts.data === "function" ? opts.data(epoch) : opts.data)];
    const t0 = performance.now();
    let sum = 0, samples = 0;
    for (let i = 0; i < batches.length; i++) {
      const [x, y] = batches[i];
      const ts = performance.now();
      opts.optimizer.zeroGrad();
      const yHat = call(opts.model, x);
      const loss = call(opts.lossFn, yHat, y);
      loss.backward();
      opts.optimizer.step();
      const value = loss.item();
      // fit owns these two; disposing them now keeps memory flat without waiting for a sweep.
      if (loss !== x && loss !== y) loss.dispose();
      if (yHat !== x && yHat !== y) yHat.dispose();
      const n = x.shape[0] ?? 1;
      samples += n;
      sum += value;
      losses.push(value);
      globalStep++;
      const info: StepInfo = {
        epoch, step: i + 1, globalStep, loss: value, samples: n,
        samplesPerSec: n / Math.max(1e-9, (performance.now() - ts) / 1000),
      };
      opts.onStep?.(info);
      if (showBar && out) {
        const rate = samples / Math.max(1e-9, (performance.now() - t0) / 1000);
        out.write(`\repoch ${epoch}/${epochs} ${bar((i + 1) / batches.length)} ${i + 1}/${batches.length} loss ${value.toFixed(4)} ${rate.toFixed(0)} samples/s `);
      }
    }
    const info: EpochInfo = { epoch, meanLoss: sum / Math.max(1, batches.length), steps: batches.length, seconds: (performance.now() - t0) / 1000 };
    epochInfos.push(info);
    if (showBar && out) out.write("\n");
    opts.onEpoch?.(info);
    await new Promise((r) => setTimeout(r, 0)); // let a page repaint between epochs
  }
  return { losses, epochs: epochInfos };
}
