import type { RuleForm } from '../../../core/rules.js';
import { LumenError } from '../../../core/errors.js';
import type { Segment, SegmentContext, SegmentRule } from '../backward.js';
import type { OrtNode } from '../ort-graph.js';
import { intAttr } from './attributes.js';

/**
 * Backward passes of whole layer parts for the rules that declare their form (core/rules.ts
 * RuleForm), written as ONNX nodes with the formulas of the tfjs rules they mirror:
 * - LRP (Bach et al. 2015; Montavon et al., "Layer-wise Relevance Propagation: An Overview",
 *   2019; src/attribution/propagation/lrp/lrp-rules.ts): each term is the part's nodes cloned with
 *   a modified input and modified weights and biases (constants computed here), the relevance
 *   divided by the stabilised term outputs, pulled back through the clones' gradient rules, and
 *   summed with the (modified) inputs; Pass copies the relevance, Norm is x ⊙ Jᵀ(R / stab(y)).
 * - DeepLIFT (Shrikumar, Greenside & Kundaje 2017; deep-lift-rules.ts): rescale m·Δy/Δx against
 *   the reference pass (the gradient where |Δx| < eps), softmax's centred rescale, and Captum's
 *   max-pool rule.
 */
export function segmentRule(form: RuleForm): SegmentRule {
  switch (form.kind) {
    case 'pass':
      return (segment, dy) => segment.inputs.map(() => dy);
    case 'norm':
      return (segment, dy, ctx) => {
        const s = ctx.out.emit('Div', [dy, stabilize(ctx, segment.output, form.stabilizer)]);
        return ctx.vjp(segment.nodes, segment.output, s, segment.inputs).map((g, i) => (g ? ctx.out.emit('Mul', [segment.inputs[i], g]) : null));
      };
    case 'epsilon':
      return basic([{}], (ctx, r, [z]) => [div(ctx, r, z, form.epsilon)], [1]);
    case 'alpha-beta': {
      const { alpha, beta, stabilizer } = form;
      const terms = beta === 0 ? signTerms(positive, negative).slice(0, 2) : signTerms(positive, negative);
      return basic(terms, (ctx, r, outs) => {
        const sp = div(ctx, r, ctx.out.emit('Add', [outs[0], outs[1]]), stabilizer);
        if (outs.length === 2) return [sp, sp];
        const sn = div(ctx, r, ctx.out.emit('Add', [outs[2], outs[3]]), stabilizer);
        return [sp, sp, sn, sn];
      }, [alpha, alpha, -beta, -beta]);
    }
    case 'gamma': {
      const { gamma, stabilizer } = form;
      const up = (v: number): number => v + gamma * Math.max(v, 0);
      const down = (v: number): number => v + gamma * Math.min(v, 0);
      return basic([...signTerms(up, down), {}], (ctx, r, outs) => {
        const { out } = ctx;
        const z = outs[4];
        const sp = out.emit('Mul', [step(ctx, z, 'Greater'), div(ctx, r, out.emit('Add', [outs[0], outs[1]]), stabilizer)]);
        const sn = out.emit('Mul', [step(ctx, z, 'Less'), div(ctx, r, out.emit('Add', [outs[2], outs[3]]), stabilizer)]);
        return [sp, sp, sn, sn, null];
      }, [1, 1, 1, 1, 0]);
    }
    case 'z-box':
      return basic([{}, { input: { fill: form.low }, params: { f: positive } }, { input: { fill: form.high }, params: { f: negative } }], (ctx, r, [z, zl, zh]) => {
        const s = div(ctx, r, ctx.out.emit('Sub', [ctx.out.emit('Sub', [z, zl]), zh]), form.stabilizer);
        return [s, s, s];
      }, [1, -1, -1]);
    case 'flat':
      return basic([{ input: { fill: 1 }, params: { f: () => 1, zeroBias: true } }], (ctx, r, [z]) => [div(ctx, r, z, form.stabilizer)], null);
    case 'w-square':
      return basic([{ input: { fill: 1 }, params: { f: (v) => v * v } }], (ctx, r, [z]) => [div(ctx, r, z, form.stabilizer)], null);
    case 'deeplift-rescale':
      return (segment, dy, ctx) => [rescale(segment, dy, ctx, form.eps)];
    case 'deeplift-softmax':
      return (segment, dy, ctx) => {
        const softmax = segment.nodes.find((n) => n.op === 'Softmax');
        if (!softmax) throw new LumenError('model', 'onnxruntime engine: the DeepLIFT softmax rule needs a Softmax node');
        const rank = ctx.shape(softmax.outputs[0]).length;
        const raw = intAttr(softmax, 'axis', -1);
        const axis = raw < 0 ? raw + rank : raw;
        const m = rescale(segment, dy, ctx, form.eps);
        const mean = ctx.out.opset >= 18 ? ctx.out.emit('ReduceMean', [m, ctx.out.int64s([axis])], { keepdims: { i: 1 } }) : ctx.out.emit('ReduceMean', [m], { axes: { ints: [axis] }, keepdims: { i: 1 } });
        return [ctx.out.emit('Sub', [m, mean])];
      };
    case 'deeplift-max-pool':
      return (segment, dy, ctx) => {
        const { out } = ctx;
        const [x] = single(segment, 'the DeepLIFT max-pool rule');
        const y = segment.output;
        const xRef = ctx.ref(x);
        const yRef = ctx.ref(y);
        const own = ctx.vjp(segment.nodes, y, out.emit('Mul', [dy, out.emit('Relu', [out.emit('Sub', [y, yRef])])]), [x])[0] as string;
        const excess = out.emit('Relu', [out.emit('Sub', [yRef, y])]);
        const refNodes = segment.nodes.map((n) => ({ ...n, inputs: n.inputs.map(ctx.ref), outputs: n.outputs.map(ctx.ref) }));
        const refShare = ctx.vjp(refNodes, yRef, out.emit('Mul', [dy, excess]), [xRef])[0] as string;
        const plain = ctx.vjp(segment.nodes, y, dy, [x])[0] as string;
        return [ratio(ctx, out.emit('Sub', [own, refShare]), out.emit('Sub', [x, xRef]), plain, form.eps)];
      };
  }
}

/** A term's input modifier: x⁺ / x⁻ (by `positive` / `negative`), or a constant fill of x's shape. */
type InputModifier = ((v: number) => number) | { readonly fill: number };

/** One modified forward pass of the part: an input modifier and a map of every weight and bias (absent: kept). */
interface Term {
  readonly input?: InputModifier;
  readonly params?: { readonly f: (v: number) => number; readonly zeroBias?: boolean };
}

const positive = (v: number): number => Math.max(v, 0);
const negative = (v: number): number => Math.min(v, 0);

/** lrp-rules.ts' signTerms: (x⁺; W⁺), (x⁻; W⁻, no bias), (x⁺; W⁻), (x⁻; W⁺, no bias). */
function signTerms(up: (v: number) => number, down: (v: number) => number): Term[] {
  return [
    { input: positive, params: { f: up } },
    { input: negative, params: { f: down, zeroBias: true } },
    { input: positive, params: { f: down } },
    { input: negative, params: { f: up, zeroBias: true } },
  ];
}

/**
 * basic-rule.ts' compile step: the terms' outputs (the part's own output for an unmodified term),
 * the vectors `map` makes of them, pulled back through each term's (modified) part; the input
 * relevance is Σ cᵢ · xᵢ ⊙ gᵢ, or the single pulled-back vector when `coefficients` is null.
 */
function basic(terms: readonly Term[], map: (ctx: SegmentContext, r: string, outs: readonly string[]) => readonly (string | null)[], coefficients: readonly number[] | null): SegmentRule {
  return (segment, dy, ctx) => {
    const [x] = single(segment, 'an LRP rule');
    const { out } = ctx;
    const versions = terms.map((t) => modified(segment, t, ctx));
    const vectors = map(ctx, dy, versions.map((v) => v.output));
    const gs = vectors.map((v, i) => (v ? ctx.vjp(versions[i].nodes, versions[i].output, v, [versions[i].input])[0] : null));
    if (!coefficients) return [gs[0]];
    let sum: string | null = null;
    gs.forEach((g, i) => {
      if (!g || coefficients[i] === 0) return;
      const term = out.emit('Mul', [out.emit('Mul', [versions[i].input, g]), out.scalar(coefficients[i])]);
      sum = sum ? out.emit('Add', [sum, term]) : term;
    });
    return [sum ?? out.floats(new Float32Array(size(ctx.shape(x))), ctx.shape(x))];
  };
}

/** The part's nodes as a term modifies them: its input, nodes and output. */
function modified(segment: Segment, term: Term, ctx: SegmentContext): { input: string; nodes: readonly OrtNode[]; output: string } {
  const [x] = segment.inputs;
  if (!term.input && !term.params) return { input: x, nodes: segment.nodes, output: segment.output };
  const { out } = ctx;
  let input = x;
  if (term.input) {
    const m = term.input;
    if (typeof m === 'function') input = m === positive ? out.emit('Relu', [x]) : out.emit('Min', [x, out.scalar(0)]);
    else input = out.floats(new Float32Array(size(ctx.shape(x))).fill(m.fill), ctx.shape(x));
  }
  const replace = new Map<string, string>([[x, input]]);
  if (term.params) {
    const { f, zeroBias } = term.params;
    let weights = 0;
    for (const n of segment.nodes) {
      for (const [i, role] of parameterRoles(n).entries()) {
        const name = n.inputs[i];
        if (role === null || !name) continue;
        const t = ctx.constant(name);
        if (!t || t.type !== 1) throw new LumenError('model', `onnxruntime engine: LRP needs ${n.op}'s ${role} as a float constant`);
        if (role === 'weight') weights++;
        const values = Float32Array.from(t.values as ArrayLike<number>, (v) => (role === 'bias' && zeroBias ? 0 : f(v)));
        replace.set(name, out.floats(values, t.dims));
      }
    }
    if (weights === 0) throw new LumenError('model', 'onnxruntime engine: an LRP rule needs a layer with weights');
  }
  const nodes = ctx.clone(segment.nodes, replace);
  return { input, nodes, output: nodes[nodes.length - 1].outputs[0] };
}

/** Which inputs of a linear part's node are weights or biases (null: neither); a LumenError for an op LRP cannot modify. */
function parameterRoles(node: OrtNode): ('weight' | 'bias' | null)[] {
  switch (node.op) {
    case 'MatMul':
    case 'Mul':
      return [null, 'weight'];
    case 'Conv':
    case 'Gemm':
      return [null, 'weight', 'bias'];
    case 'Add':
      return [null, 'bias'];
    case 'Transpose':
    case 'Reshape':
    case 'Flatten':
    case 'Identity':
      return node.inputs.map(() => null);
    default:
      throw new LumenError('model', `onnxruntime engine: LRP rules do not modify ${node.op} nodes`);
  }
}

/** The segment's one input; a LumenError naming the rule otherwise. */
function single(segment: Segment, what: string): [string] {
  if (segment.inputs.length !== 1) throw new LumenError('model', `onnxruntime engine: ${what} needs a part with one input; found ${segment.inputs.length}`);
  return [segment.inputs[0]];
}

function size(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** stabilize.ts: z + ε − 2ε·[z < 0]. */
function stabilize(ctx: SegmentContext, z: string, epsilon: number): string {
  const { out } = ctx;
  return out.emit('Sub', [out.emit('Add', [z, out.scalar(epsilon)]), out.emit('Mul', [step(ctx, z, 'Less'), out.scalar(2 * epsilon)])]);
}

/** r / stab_ε(z). */
function div(ctx: SegmentContext, r: string, z: string, epsilon: number): string {
  return ctx.out.emit('Div', [r, stabilize(ctx, z, epsilon)]);
}

/** [z > 0] or [z < 0] as floats. */
function step(ctx: SegmentContext, z: string, op: 'Greater' | 'Less'): string {
  return ctx.out.emit('Cast', [ctx.out.emit(op, [z, ctx.out.scalar(0)])], { to: { i: 1 } });
}

/** Where |Δ| < eps the fallback, elsewhere num / Δ. */
function ratio(ctx: SegmentContext, num: string, delta: string, fallback: string, eps: number): string {
  const { out } = ctx;
  return out.where(out.emit('Less', [out.emit('Abs', [delta]), out.scalar(eps)]), fallback, out.emit('Div', [num, delta]));
}

/** DeepLIFT's rescale: m_in = m_out · Δy/Δx, the part's gradient where |Δx| < eps. */
function rescale(segment: Segment, dy: string, ctx: SegmentContext, eps: number): string {
  const { out } = ctx;
  const [x] = single(segment, 'DeepLIFT rescale');
  const y = segment.output;
  const dx = out.emit('Sub', [x, ctx.ref(x)]);
  const plain = ctx.vjp(segment.nodes, y, dy, [x])[0] as string;
  return out.where(out.emit('Less', [out.emit('Abs', [dx]), out.scalar(eps)]), plain, out.emit('Mul', [dy, out.emit('Div', [out.emit('Sub', [y, ctx.ref(y)]), dx])]));
}

/** Whether a form reads the reference pass. */
export function needsReference(form: RuleForm): boolean {
  return form.kind.startsWith('deeplift-');
}
