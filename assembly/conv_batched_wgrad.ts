// Weight gradient tiles over runs of 5 taps (internal: used by conv_batched.ts's weight gradient when the
// kernel is 5 wide with stride and dilation 1 along rows: LeNet's two layers).
//
// Taps (c, u, v = 0..4) of one kernel row read 5 neighbouring pixels of xl for each position, and the next
// position along the output row reads 4 of the same: sliding the 5 pixels along the row loads one new pixel
// and one gy value per position for 5 multiply-adds (the 4 x 2 tile of conv_batched.ts loads 6 per 8).
// One f32x4 half of the 8 image lanes at a time keeps the 5 sums, 5 pixels and the gy value in registers.
import { madd } from "./conv_gemm";
import { add_lanes } from "./conv_batched";

/**
 * gw[v] += sum over positions of output rows oh0 .. oh1-1 and the 8 lanes of gl[p] * xl[origin(p) + v*32],
 * v < 5.   gw: 5 floats   g: gl's plane of one channel (P x 8 floats)   xr: xl + the run's first tap offset
 */
export function filter_run5(gw: usize, g: usize, xr: usize, oh0: i32, oh1: i32, OW: i32, rowStep: usize): void {
  if (!ASC_FEATURE_SIMD) { unreachable(); return; }
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0), s4 = f32x4.splat(0);
  for (let h: usize = 0; h < 32; h += 16) {
    let gp = (<usize>(oh0 * OW) << 5) + h;
    for (let oh = oh0; oh < oh1; oh++) {
      let xs = xr + <usize>oh * rowStep + h;
      let x0 = v128.load(xs), x1 = v128.load(xs, 32), x2 = v128.load(xs, 64), x3 = v128.load(xs, 96);
      const ge = gp + (<usize>OW << 5);
      for (; gp < ge; gp += 32) {
        const x4 = v128.load(xs, 128);
        const a = v128.load(g + gp);
        s0 = madd(a, x0, s0); s1 = madd(a, x1, s1); s2 = madd(a, x2, s2); s3 = madd(a, x3, s3); s4 = madd(a, x4, s4);
        x0 = x1; x1 = x2; x2 = x3; x3 = x4;
        xs += 32;
      }
    }
  }
  add_lanes(gw, s0); add_lanes(gw + 4, s1); add_lanes(gw + 8, s2); add_lanes(gw + 12, s3); add_lanes(gw + 16, s4);
}
