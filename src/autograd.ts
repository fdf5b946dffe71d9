// The tape. Each op is one registry entry (src/ops/*): a forward that computes the output with kernels and
// says what it saves, and one gradient function per input. `apply` runs the forward and, when some input
// requires grad, records a Node on the output. `backward` walks the nodes in reverse topological order
// (iteratively: deep graphs must not overflow the JS stack), accumulates gradients and frees what each node
// saved as soon as it has been used.
import { AutogradError } from "./errors.js";
import type { Tensor } from "./tensor.js";

/** What a forward keeps for its gradients. `owned` tensors exist only for backward and are disposed after it. */
export interface Saved {
  [key: string]: unknown;
  owned?: Tensor[];
}

export type GradFn<O> = (gout: Tensor, saved: Saved, inputs: Tensor[], opts: O) => Tensor;

export interface OpDef<O = undefined> {
  name: string;
  /** Computes the output; nothing it does is recorded. */
  forward(inputs: Tensor[], opts: O): { out: Tensor; saved?: Saved };
  /** One gradient per tensor input, in order (null for inputs that never need one). */
  grads: (GradFn<O> | null)[];
}

export class Node {
  freed = false;
  /**
   * The op's output when a container (Sequential) never handed it to the user: backward disposes it as soon as
   * the graph no longer needs it, so training loops do not leave their activations to the memory sweep.
   */
  internalOut: Tensor | null = null;
  constructor(
    readonly def: OpDef<any>,
    readonly inputs: Tensor[],
    public saved: Saved | null,
    readonly opts: unknown,
  ) {}
}

let noGradDepth = 0;

export function isGradEnabled(): boolean {
  return noGradDepth === 0;
}

/** Runs fn without recording anything for autograd and returns its result. */
export function noGrad<T>(fn: () => T): T {
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

/**
 * Frees an intermediate that library code created and never hands out: at once when no graph holds it, else
 * right after backward has used it (see Node.internalOut).
 */
export function release(t: Tensor): void {
  if (t._node) t._node.internalOut = t;
  else t.dispose();
}

/** Whether apply(def, inputs) will record a tape node, i.e. whether a gradient may be asked of it. */
export function willRecord(def: OpDef<any>, inputs: Tensor[]): boolean {
  return noGradDepth === 0 && inputs.some((t, i) => t.requiresGrad && def.grads[i] != null);
}

/** Runs an op: its forward, and a tape node when gradients are wanted. */
export function apply<O>(def: OpDef<O>, inputs: Tensor[], opts: O): Tensor {
  const needsGrad = willRecord(def, inputs);
  noGradDepth++;
  let result: { out: Tensor; saved?: Saved };
  try {
    result = def.forward(inputs, opts);
  } finally {
    noGradDepth--;
  }
  const { out, saved } = result;
  if (!needsGrad) {
    for (const t of saved?.owned ?? []) t.dispose();
    return out;
  }
  out._node = new Node(def, inputs, saved ?? {}, opts);
  out._setRequiresGrad(true);
  return out;
}

function topoOrder(root: Node): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>([root]);
  const stack: [Node, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1]++;
      const child = node.inputs[i]._node;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse(); // root first
}

function accumulateInto(map: Map<Node, Tensor>, node: Node, g: Tensor): void {
  const prev = map.get(node);
  if (prev === undefined) map.set(node, g);
  else {
    prev._addInPlace(g);
    g.dispose();
  }
}

/**
 * Backpropagates from `root` with upstream gradient `gradient` (owned by the caller). Leaves accumulate into
 * .grad; the graph's saved buffers are freed unless retainGraph.
 */
export function runBackward(root: Tensor, gradient: Tensor, retainGraph: boolean): void {
  const rootNode = root._node;
  if (!rootNode) {
    root._accumulateGrad(gradient.clone());
    return;
  }
  const grads = new Map<Node, Tensor>([[rootNode, gradient.clone()]]);
  noGradDepth++;
  try {
    for (const node of topoOrder(rootNode)) {
      const g = grads.get(node);
      if (g === undefined) continue; // no path carried a gradient here
      grads.delete(node);
      if (node.freed) {
        g.dispose();
        throw new AutogradError(
          `backward: trying to backward through the graph a second time (op ${node.def.name}); its saved ` +
          `buffers were freed after the first backward. Pass { retainGraph: true } to the first backward ` +
          `if you need to call it twice.`);
      }
      node.inputs.forEach((input, i) => {
        const fn = node.def.grads[i];
        if (!input.requiresGrad || fn == null) return;
        let gi = fn(g, node.saved!, node.inputs, node.opts as never);
        if (gi === g) gi = g.clone();
        if (input._node) accumulateInto(grads, input._node, gi);
        else input._accumulateGrad(gi);
      });
      g.dispose();
      if (!retainGraph) {
        for (const t of node.saved?.owned ?? []) t.dispose();
        node.saved = null;
        node.freed = true;
        // Reverse topological order: every consumer of this node's output has run its backward already.
        node.internalOut?.dispose();
        node.internalOut = null;
      }
    }
  } finally {
    noGradDepth--;
    for (const g of grads.values()) g.dispose();
  }
}
