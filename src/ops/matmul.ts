// matmul and linear over the f32x4 GEMM microkernel.
import { apply, type OpDef } from "../autograd.js";
import { fmtShape, ShapeError, fail } from "../errors.js";
import { sumFwd } from "../kernels/elementwise.js";
import { matmulFwd } from "../kernels/gemm.js";
import { empty, Tensor } from "../tensor.js";

type MM = { M: number; K: number; N: number };

// c (M,N) = a (M,K) @ b (K,N)
const MATMUL: OpDef<MM> = {
  name: "Mm",
  forward: ([a, b], { M, K, N }) => {
    const c = empty([M, N]);
    matmulFwd(c._ptr(), a._ptr(), b._ptr(), M, K, N, 0, 0, 0);
    return { out: c };
  },
  grads: [
    (g, _s, [a, b], { M, K, N }) => { // ga = g @ b^T
      const ga = empty(a.shape);
      matmulFwd(ga._ptr(), g._ptr(), b._ptr(), M, N, K, 0, 1, 0);
      return ga;
    },
    (g, _s, [a, b], { M, K, N }) => { // gb = a^T @ g
      const gb = empty(b.shape);
      matmulFwd(gb._ptr(), a._ptr(), g._ptr(), K, M, N, 1, 0, 0);
      return gb;
    },
  ],
};

/** 2-D @ 2-D, with 1-D operands promoted like torch.matmul (a vector on either side). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(b instanceof Tensor)) throw new ShapeError(`matmul: other must be a Tensor, but got ${typeof b}`);
  if (!(a.ndim >= 1 && a.ndim <= 2 && b.ndim >= 1 && b.ndim <= 2)) fail("matmul", `supports 1-D and 2-D operands, but got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const a2 = a.ndim === 1 ? a.reshape(1, a.shape[0]) : a;
  const b2 = b.ndim === 1 ? b.reshape(b.shape[0], 1) : b;
  const [M, K] = a2.shape, [K2, N] = b2.shape;
  if (!(K === K2)) fail("matmul", `shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${K} != ${K2})`);
  const c = apply(MATMUL, [a2, b2], { M, K, N });
  if (a.ndim === 1 && b.ndim === 1) return c.reshape([]);
  if (a.ndim === 1) return c.reshape(N);
  if (b.ndim === 1) return c.reshape(M);
  return c;
}

// y (M,N) = x (M,K) @ w^T (w is (N,K)) + b (N)
const LINEAR: OpDef<MM> = {
  name: "Addmm",
  forward: ([x, w, b], { M, K, N }) => {
    const y = empty([M, N]);
    matmulFwd(y._ptr(), x._ptr(), w._ptr(), M, K, N, 0, 1, 0);
    if (b) y._addInPlace(b);
    return { out: y };
  },
  grads: [
    (g, _s, [x, w], { M, K, N }) => { // gx = g @ w
      const gx = empty([M, K]);
      matmulFwd(gx._ptr(), g._ptr(), w._ptr(), M, N, K, 0, 0, 0);
      return gx;
    },
    (g, _s, [x], { M, K, N }) => { // gw = g^T @ x
      const gw = empty([N, K]);
      matmulFwd(gw._ptr(), g._ptr(), x._ptr(), N, M, K, 1, 0, 0);
      return gw;
    },
    (g, _s, _i, { M, N }) => { // gb = column sums of g
      const gb = empty([N]);
      sumFwd(gb._ptr(), g._ptr(), 1, M, N);
      return gb;
    },
  ],
};

/** y = x @ weight^T + bias, x of shape (..., in_features). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (!(x instanceof Tensor && weight instanceof Tensor)) fail("linear", "input and weight must be Tensors");
  if (!(weight.ndim === 2)) fail("linear", `weight must be 2-D (out_features, in_features), but got shape ${fmtShape(weight.shape)}`);
  if (!(x.ndim >= 1)) fail("linear", `input must have at least 1 dimension, but got shape ${fmtShape(x.shape)}`);
  const [N, K] = weight.shape;
  if (!(x.shape[x.ndim - 1] === K)) fail("linear", `input has ${x.shape[x.ndim - 1]} features (shape ${fmtShape(x.shape)}) but weight expects ${K} (weight shape ${fmtShape(weight.shape)})`);
  if (bias) if (!(bias.ndim === 1 && bias.shape[0] === N)) fail("linear", `bias must have shape [${N}], but got ${fmtShape(bias.shape)}`);
  const lead = x.shape.slice(0, -1);
  const M = lead.reduce((p, d) => p * d, 1);
  const x2 = x.ndim === 2 ? x : x.reshape(M, K);
  const y = apply(LINEAR, bias ? [x2, weight, bias] : [x2, weight], { M, K, N });
  return x.ndim === 2 ? y : y.reshape([...lead, N]);
}
