// Seeded random numbers for rand / randn / default init. manualSeed(n) makes every draw reproducible.
// xoshiro128** for uniform bits; Box-Muller (both outputs used) for normals. Bit-exact parity with
// torch's generator is out of reach, so tests inject weights where they compare numbers with PyTorch.

let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
let spare: number | null = null;

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seeds the generator used by rand, randn and parameter initialisation. */
export function manualSeed(seed: number): void {
  const next = splitmix32(Math.floor(seed) ^ 0x5eed);
  s0 = next(); s1 = next(); s2 = next(); s3 = next();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  spare = null;
}

manualSeed(Date.now() % 0x7fffffff);

function nextU32(): number {
  const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
  const t = (s1 << 9) >>> 0;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
  s2 = (s2 ^ t) >>> 0;
  s3 = rotl(s3, 11);
  s0 >>>= 0; s1 >>>= 0; s2 >>>= 0;
  return result;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Uniform in [0, 1) with 24 random bits, so every value is exactly a float32 below 1. */
export function uniform(): number {
  return (nextU32() >>> 8) / 16777216;
}

/** Standard normal. */
export function normal(): number {
  if (spare !== null) {
    const v = spare;
    spare = null;
    return v;
  }
  let u = 0;
  while (u === 0) u = uniform();
  const v = uniform();
  const r = Math.sqrt(-2 * Math.log(u));
  spare = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}
