// Elementwise ops with broadcasting: add, sub, mul, div, pow, the unary maps and their in-place forms.
import { apply, type OpDef } from "../autograd.js";
import { broadcastShapes, broadcastStrides, contiguousStrides, forEachLoop, loop4 } from "../broadcast.js";
import { fmtShape, ShapeError } from "../errors.js";
import {
  binaryFwd, powBwd, scalarFwd, stridedCopy, unaryBwd, unaryFwd,
  type BinaryOpName, type ScalarOpName, type UnaryOpName,
} from "../kernels/elementwise.js";
import { empty, Tensor, zerosLike, type TensorLike } from "../tensor.js";
import { sumTo } from "./reduce.js";

/** out = a op b with broadcasting, into a fresh tensor (or into `into`, which has the broadcast shape). */
function binaryKernel(a: Tensor, b: Tensor, op: BinaryOpName, into?: Tensor): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = into ?? empty(shape);
  const po = out._ptr(), pa = a._ptr(), pb = b._ptr();
  const sa = broadcastStrides(a.shape, shape), sb = broadcastStrides(b.shape, shape);
  forEachLoop(shape, [sa, sb], (oOff, [aOff, bOff], n, [s0, s1]) =>
    binaryFwd(po + oOff * 4, pa + aOff * 4, pb + bOff * 4, op, loop4(n, s0, s1)));
  return out;
}

function scalarKernel(a: Tensor, op: ScalarOpName, s: number, into?: Tensor): Tensor {
  const out = into ?? empty(a.shape);
  scalarFwd(out._ptr(), a._ptr(), a.numel, op, s);
  return out;
}

const ADD: OpDef = {
  name: "Add",
  forward: ([a, b]) => ({ out: binaryKernel(a, b, "add") }),
  grads: [(g, _s, [a]) => sumTo(g, a.shape), (g, _s, [, b]) => sumTo(g, b.shape)],
};
const SUB: OpDef = {
  name: "Sub",
  forward: ([a, b]) => ({ out: binaryKernel(a, b, "sub") }),
  grads: [(g, _s, [a]) => sumTo(g, a.shape), (g, _s, [, b]) => sumTo(scalarKernel(g, "mul", -1), b.shape, true)],
};
const MUL: OpDef = {
  name: "Mul",
  forward: ([a, b]) => ({ out: binaryKernel(a, b, "mul") }),
  grads: [
    (g, _s, [a, b]) => sumTo(binaryKernel(g, b, "mul"), a.shape, true),
    (g, _s, [a, b]) => sumTo(binaryKernel(g, a, "mul"), b.shape, true),
  ],
};
const DIV: OpDef = {
  name: "Div",
  forward: ([a, b]) => ({ out: binaryKernel(a, b, "div") }),
  grads: [
    (g, _s, [a, b]) => sumTo(binaryKernel(g, b, "div"), a.shape, true),
    (g, _s, [a, b]) => {
      // d(a/b)/db = -a / b^2, computed as -((g * a) / b) / b so that b^2 cannot overflow
      const ga = binaryKernel(g, a, "mul");
      const t = binaryKernel(ga, b, "div");
      ga.dispose();
      const u = binaryKernel(t, b, "div");
      t.dispose();
      return sumTo(scalarKernel(u, "mul", -1, u), b.shape, true);
    },
  ],
};

/** The tensor-with-number ops the facade creates (the kernel has more op codes, used internally). */
interface ScalarOpts { op: "add" | "mul" | "div" | "pow"; s: number }
const SCALAR: OpDef<ScalarOpts> = {
  name: "Scalar",
  forward: ([a], { op, s }) => ({ out: scalarKernel(a, op, s) }),
  grads: [
    (g, _s, [a], { op, s }) => {
      if (op === "add") return scalarKernel(g, "mul", 1);
      if (op === "mul") return scalarKernel(g, "mul", s);
      if (op === "div") return scalarKernel(g, "div", s);
      const ga = zerosLike(a.shape); // pow
      powBwd(ga._ptr(), g._ptr(), a._ptr(), a.numel, s);
      return ga;
    },
  ],
};

const UNARY: OpDef<{ op: UnaryOpName }> = {
  name: "Unary",
  forward: ([a], { op }) => {
    const out = empty(a.shape);
    unaryFwd(out._ptr(), a._ptr(), a.numel, op);
    return { out, saved: { out } };
  },
  grads: [
    (g, saved, [a], { op }) => {
      const ga = zerosLike(a.shape);
      const y = saved.out as Tensor;
      unaryBwd(ga._ptr(), g._ptr(), a._ptr(), y._ptr(), a.numel, op);
      return ga;
    },
  ],
};

function toTensorOperand(op: string, o: TensorLike): Tensor | number {
  if (typeof o === "number") return o;
  if (o instanceof Tensor) return o;
  throw new ShapeError(`${op}: other must be a Tensor or a number, but got ${typeof o}`);
}

function binary(def: OpDef, op: BinaryOpName, scalarOp: ScalarOpts["op"], a: Tensor, o: TensorLike, s?: (x: number) => number): Tensor {
  const b = toTensorOperand(op, o);
  if (typeof b === "number") return apply({ ...SCALAR, name: def.name }, [a], { op: scalarOp, s: s ? s(b) : b });
  return apply(def, [a, b], undefined);
}

export const add = (a: Tensor, o: TensorLike) => binary(ADD, "add", "add", a, o);
export const sub = (a: Tensor, o: TensorLike) => binary(SUB, "sub", "add", a, o, (x) => -x);
export const mul = (a: Tensor, o: TensorLike) => binary(MUL, "mul", "mul", a, o);
export const div = (a: Tensor, o: TensorLike) => binary(DIV, "div", "div", a, o);

export function pow(a: Tensor, n: number): Tensor {
  if (typeof n !== "number") throw new ShapeError(`pow: exponent must be a number, but got ${typeof n}`);
  return apply({ ...SCALAR, name: "Pow" }, [a], { op: "pow", s: n });
}

const UNARY_DEFS = Object.fromEntries(
  (["neg", "abs", "exp", "log", "relu", "sigmoid", "tanh", "sqrt"] as const).map((op) => [op, { ...UNARY, name: op[0].toUpperCase() + op.slice(1) }]),
) as Record<UnaryOpName, typeof UNARY>;

export function unary(a: Tensor, op: UnaryOpName): Tensor {
  return apply(UNARY_DEFS[op], [a], { op });
}

/** self op= other (other broadcast to self's shape), not recorded. */
export function inPlace(self: Tensor, o: TensorLike, op: "add" | "sub" | "mul" | "div"): void {
  const b = toTensorOperand(`${op}_`, o);
  if (typeof b === "number") {
    if (op === "add") scalarKernel(self, "add", b, self);
    else if (op === "sub") scalarKernel(self, "add", -b, self);
    else if (op === "mul") scalarKernel(self, "mul", b, self);
    else scalarKernel(self, "div", b, self);
    return;
  }
  const shape = broadcastShapes(`${op}_`, self.shape, b.shape);
  if (shape.length !== self.shape.length || shape.some((d, i) => d !== self.shape[i])) {
    throw new ShapeError(`${op}_: other of shape ${fmtShape(b.shape)} cannot be broadcast to self's shape ${fmtShape(self.shape)} in place`);
  }
  binaryKernel(self, b, op, self);
}

/** self = src (broadcast to self's shape), not recorded. */
export function inPlaceCopy(self: Tensor, src: Tensor): void {
  const shape = broadcastShapes("copy_", self.shape, src.shape);
  if (shape.length !== self.shape.length || shape.some((d, i) => d !== self.shape[i])) {
    throw new ShapeError(`copy_: src of shape ${fmtShape(src.shape)} cannot be broadcast to self's shape ${fmtShape(self.shape)}`);
  }
  const po = self._ptr(), ps = src._ptr();
  forEachLoop(shape, [contiguousStrides(shape), broadcastStrides(src.shape, shape)], (oOff, [, sOff], n, [, s]) =>
    stridedCopy(po + oOff * 4, ps + sOff * 4, false, n, s));
}
