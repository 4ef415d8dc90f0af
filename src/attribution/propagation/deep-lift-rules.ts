/**
 * DeepLIFT's rules (Shrikumar, Greenside & Kundaje, "Learning Important Features Through
 * Propagating Activation Differences", 2017) for the gradient-rule engine. The backward signal is a
 * multiplier m = Δ(target)/Δ(value). A rule needs each part's values at the reference input: a
 * first, cheap pass records them (`recordingRuleSet`), then the rules of `deepLiftRuleSet` read
 * them by part index. References broadcast: one recorded row serves every row of a batch.
 *
 * - element-wise non-linearities: rescale, m_in = m_out · Δy/Δx (the gradient where |Δx| < eps);
 * - softmax: rescale, then centred along its axis per example (Captum's softmax rule, which centres
 *   over the whole batch);
 * - max pooling: Captum's DeepLIFT max-pool rule (below);
 * - with `reveal-cancel`, a Dense layer and the element-wise non-linearity it alone feeds are
 *   handled together, with separate multipliers for positive and negative contributions;
 * - linear layers, batch norm, average pooling, add, concat, reshape, padding, identity: gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { declareRuleForm, declareRuleSetForm, GRADIENT_RULE, type OpFamily, type ReferenceRows, type Rule, type RuleContext, type RuleNode, type RuleSet } from '../../core/rules.js';
import { vjp } from '../../engine/vjp.js';
import { activationFunction } from '../../models/layer-parts.js';

/** DeepLIFT's rule for non-linearities: rescale everywhere, or reveal-cancel after dense layers. */
export type DeepLiftRule = 'rescale' | 'reveal-cancel';

/** A part's values at the reference input, recorded by the first pass. */
export interface ReferenceValues {
  readonly inputs: readonly tf.Tensor[];
  readonly output: tf.Tensor;
}

/** Reference values by part index (`RuleNode.index`); the caller disposes them after each batch. */
export type ReferenceStore = Map<number, ReferenceValues>;

/** Op families whose gradient DeepLIFT keeps (linear in their input, or a permutation of it). */
const LINEAR_FAMILIES: ReadonlySet<OpFamily> = new Set(['linear', 'batchnorm', 'avg-pool', 'global-avg-pool', 'add', 'concat', 'reshape', 'pad', 'identity']);

function reference(store: ReferenceStore, node: RuleNode): ReferenceValues {
  const ref = store.get(node.index);
  if (!ref) throw new Error(`deepLift: no reference values recorded for '${node.name}' (part ${node.index})`);
  return ref;
}

/**
 * A recorded reference value as `rows` rows: itself when it has them, else its one row repeated
 * (by concatenation: on wasm, tile, broadcastTo and broadcasting max/min are per-element loops
 * many times slower).
 */
export function expandRows(t: tf.Tensor, rows: number): tf.Tensor {
  return t.shape[0] === rows ? t : tf.concat(new Array<tf.Tensor>(rows).fill(t));
}

/** The negative part min(t, 0), as t − relu(t) (a broadcasting minimum is slow on wasm). */
function negativePart(t: tf.Tensor): tf.Tensor {
  return tf.sub(t, tf.relu(t));
}

/** Where |Δ| < eps the fallback, elsewhere num / Δ. */
function ratio(num: tf.Tensor, delta: tf.Tensor, fallback: tf.Tensor, eps: number): tf.Tensor {
  return tf.where(tf.less(tf.abs(delta), eps), fallback, tf.div(num, delta));
}

/** dy · f′(x) for an activation part: analytic for the ReLU family, else a vector-Jacobian product. */
function plainGradient(dy: tf.Tensor, { node, inputs, forward }: RuleContext): tf.Tensor {
  const [x] = inputs;
  switch (node.op.activation) {
    case 'relu':
      return tf.mul(dy, tf.step(x));
    case 'relu6':
    case 'clipped-relu': {
      const max = node.op.activation === 'relu6' ? 6 : (node.op.params?.max ?? Infinity);
      return tf.where(tf.logicalAnd(tf.greater(x, 0), tf.less(x, max)), dy, tf.zerosLike(dy));
    }
    default:
      return vjp(forward, inputs, dy)[0];
  }
}

/** The rescale rule: m_in = m_out · Δy/Δx, the gradient where |Δx| < eps. */
function rescaleRule(store: ReferenceStore, eps: number): Rule {
  return declareRuleForm({
    name: 'deeplift-rescale',
    backward(dy, context) {
      const ref = reference(store, context.node);
      const dx = tf.sub(context.inputs[0], ref.inputs[0]);
      const dOut = tf.sub(context.output, ref.output);
      return [tf.where(tf.less(tf.abs(dx), eps), plainGradient(dy, context), tf.mul(dy, tf.div(dOut, dx)))];
    },
  }, { kind: 'deeplift-rescale', eps });
}

/** Captum's softmax rule: rescale element-wise, then subtract the mean along the softmax axis. */
function softmaxRule(store: ReferenceStore, eps: number): Rule {
  const rescale = rescaleRule(store, eps);
  return declareRuleForm({
    name: 'deeplift-softmax',
    backward(dy, context) {
      const [m] = rescale.backward(dy, context);
      return [tf.sub(m, tf.mean(m, context.node.op.params?.axis ?? -1, true))];
    },
  }, { kind: 'deeplift-softmax', eps });
}

/**
 * Captum's DeepLIFT max-pool rule: with M = max(y, y′) per window, the input-side share
 * m_out · (M − y′) goes to the input's arg-max and the reference-side share m_out · (y − M) to the
 * reference's arg-max; their sum over Δx is the multiplier (the gradient where |Δx| < eps). The
 * shares add up to m_out · Δy, so the rule is conservative. (Captum routes the reference share
 * with the reference rows' own upstream signal, which differs from m_out only after a gradient
 * fallback.)
 */
function maxPoolRule(store: ReferenceStore, eps: number): Rule {
  return declareRuleForm({
    name: 'deeplift-max-pool',
    backward(dy, { node, inputs, output, forward }) {
      const ref = reference(store, node);
      const [x] = inputs;
      const xRef = expandRows(ref.inputs[0], x.shape[0]);
      // with M = max(y, y′): M − y′ = relu(y − y′) and y − M = −relu(y′ − y)
      const own = vjp(forward, [x], tf.mul(dy, tf.relu(tf.sub(output, ref.output))))[0];
      const excess = tf.relu(tf.sub(ref.output, output));
      // the reference-side share is zero unless some reference window exceeds the input's
      const shares = tf.max(excess).dataSync()[0] > 0 ? tf.sub(own, vjp(forward, [xRef], tf.mul(dy, excess))[0]) : own;
      return [ratio(shares, tf.sub(x, xRef), vjp(forward, [x], dy)[0], eps)];
    },
  }, { kind: 'deeplift-max-pool', eps });
}

/** An element-wise activation that rescale and reveal-cancel apply to. */
function isElementwise(node: RuleNode): boolean {
  const act = node.op.activation;
  return node.op.family === 'activation' && act !== undefined && act !== 'softmax' && act !== 'linear' && act !== 'other';
}

/**
 * The graph facts reveal-cancel needs, gathered while the engine plans a run: every part by layer
 * name and the consumers of every layer. Queried only in the backward pass, after planning.
 */
class PlanIndex {
  private readonly parts = new Map<string, RuleNode[]>();
  private readonly consumers = new Map<string, Set<string>>();

  see(node: RuleNode): void {
    if (node.index === 0) {
      this.parts.clear();
      this.consumers.clear();
    }
    const list = this.parts.get(node.name) ?? [];
    if (!list.some((n) => n.index === node.index)) list.push(node);
    this.parts.set(node.name, list);
    for (const from of node.inputs ?? []) {
      const set = this.consumers.get(from) ?? new Set<string>();
      set.add(node.name);
      this.consumers.set(from, set);
    }
  }

  /** The element-wise activation that the Dense part `linear` alone feeds, or null. */
  activationAfter(linear: RuleNode): RuleNode | null {
    if (linear.kind !== 'Dense' || linear.op.family !== 'linear') return null;
    const own = this.parts.get(linear.name) ?? [];
    if (linear.part === 'linear') {
      const act = own.find((n) => n.index === linear.index + 1);
      return act && isElementwise(act) ? act : null;
    }
    const users = this.consumers.get(linear.name);
    if (!users || users.size !== 1) return null;
    const [user] = users;
    const next = this.parts.get(user) ?? [];
    return next.length === 1 && next[0].inputs?.length === 1 && isElementwise(next[0]) ? next[0] : null;
  }

  /** The Dense part that feeds the activation `act` and nothing else, or null. */
  denseBefore(act: RuleNode): RuleNode | null {
    if (!isElementwise(act)) return null;
    if (act.part === 'activation') {
      const lin = (this.parts.get(act.name) ?? []).find((n) => n.index === act.index - 1);
      return lin && this.activationAfter(lin) === act ? lin : null;
    }
    const from = act.inputs?.length === 1 ? act.inputs[0] : null;
    const producer = from ? (this.parts.get(from) ?? []) : [];
    const last = producer[producer.length - 1];
    return last && this.activationAfter(last)?.index === act.index ? last : null;
  }
}

/**
 * Reveal-cancel (Shrikumar et al. 2017, §3.5.3) on a Dense layer z = xW + b and the activation
 * y = f(z) after it. Δz splits into its positive and negative parts Δz⁺ = Σ [wΔx > 0] wΔx and
 * Δz⁻ = Σ [wΔx < 0] wΔx; Δy⁺ = ½(f(z′+Δz⁺) − f(z′)) + ½(f(z′+Δz) − f(z′+Δz⁻)) and Δy⁻
 * symmetrically; m⁺ = m_y · Δy⁺/Δz⁺, m⁻ = m_y · Δy⁻/Δz⁻ (their limit ½(f′(z′) + f′(z′+Δz∓))
 * where |Δz±| < eps). Input i receives Σ_j w_ij (m⁺_j [w_ijΔx_i > 0] + m⁻_j [w_ijΔx_i < 0]), and
 * ½ w_ij (m⁺_j + m⁻_j) where w_ijΔx_i = 0. Σ_i m_i Δx_i = Σ_j m_y (Δy⁺ + Δy⁻) = Σ_j m_y Δy_j.
 */
function revealCancelRule(store: ReferenceStore, eps: number, index: PlanIndex): Rule {
  return {
    name: 'deeplift-reveal-cancel',
    backward(dy, { node, inputs, output }) {
      const act = index.activationAfter(node) as RuleNode;
      const linear = node.op.linear;
      if (!linear) throw new Error(`deepLift: '${node.name}' has no linear op`);
      const f = activationFunction(act.op.activation ?? 'other', act.op.params);
      const ref = reference(store, node);
      const [x] = inputs;
      const dx = tf.sub(x, ref.inputs[0]);
      const wPos = linear.weights.map((w) => tf.relu(w));
      const wNeg = linear.weights.map(negativePart);
      const dxPos = tf.relu(dx);
      const dxNeg = negativePart(dx);
      const apply = (v: tf.Tensor, w: readonly tf.Tensor[]): tf.Tensor => linear.apply(v, w, null);
      const dzPos = tf.add(apply(dxPos, wPos), apply(dxNeg, wNeg));
      const dzNeg = tf.add(apply(dxPos, wNeg), apply(dxNeg, wPos));
      const z0 = expandRows(ref.output, output.shape[0]);
      const derivative = (z: tf.Tensor): tf.Tensor => vjp(([t]) => f(t), [z], tf.onesLike(z))[0];
      const f0 = f(z0);
      const fPos = f(tf.add(z0, dzPos));
      const fNeg = f(tf.add(z0, dzNeg));
      const fAll = f(output);
      const half = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.mul(0.5, tf.add(a, b));
      const d0 = derivative(z0);
      const mPos = tf.mul(dy, ratio(half(tf.sub(fPos, f0), tf.sub(fAll, fNeg)), dzPos, half(d0, derivative(tf.add(z0, dzNeg))), eps));
      const mNeg = tf.mul(dy, ratio(half(tf.sub(fNeg, f0), tf.sub(fAll, fPos)), dzNeg, half(d0, derivative(tf.add(z0, dzPos))), eps));
      const back = (w: readonly tf.Tensor[], m: tf.Tensor): tf.Tensor => vjp(([t]) => apply(t, w), [x], m)[0];
      const whenPositive = tf.add(back(wPos, mPos), back(wNeg, mNeg));
      const whenNegative = tf.add(back(wNeg, mPos), back(wPos, mNeg));
      const whenZero = half(whenPositive, whenNegative);
      return [tf.where(tf.greater(dx, 0), whenPositive, tf.where(tf.less(dx, 0), whenNegative, whenZero))];
    },
  };
}

/** Passes the multiplier through unchanged: the activation is handled by its dense layer's rule. */
const HANDLED_BY_DENSE: Rule = Object.freeze({ name: 'deeplift-reveal-cancel-activation', backward: (dy: tf.Tensor) => [dy] });

/**
 * DeepLIFT's rule set over the reference values in `store` (filled by the recording pass before
 * each backward pass). Parts it has no rule for (unknown activations, layers the engine cannot
 * split) make the run fail naming the layer. `references` gives the current batch's reference
 * rows to executors that compile the rules (the onnxruntime engine runs the reference pass itself;
 * reveal-cancel's rules have no declared form, so they stay on tfjs).
 */
export function deepLiftRuleSet(store: ReferenceStore, rule: DeepLiftRule, eps: number, references?: () => ReferenceRows | null): RuleSet {
  const rescale = rescaleRule(store, eps);
  const softmax = softmaxRule(store, eps);
  const maxPool = maxPoolRule(store, eps);
  const index = new PlanIndex();
  const revealCancel = revealCancelRule(store, eps, index);
  // Whether a part pairs with its neighbour is known only once the whole model is planned, so
  // reveal-cancel's rules decide in the backward pass.
  const pairedLinear: Rule = {
    name: 'deeplift-linear',
    backward: (dy, context) => (index.activationAfter(context.node) ? revealCancel.backward(dy, context) : vjp(context.forward, context.inputs, dy)),
  };
  const pairedActivation: Rule = {
    name: 'deeplift-activation',
    backward: (dy, context) => (index.denseBefore(context.node) ? HANDLED_BY_DENSE.backward(dy, context) : rescale.backward(dy, context)),
  };
  return declareRuleSetForm((node: RuleNode) => {
    index.see(node);
    const { family, activation } = node.op;
    if (family === 'activation') {
      if (activation === 'linear') return GRADIENT_RULE;
      if (activation === 'softmax') return softmax;
      if (activation === undefined || activation === 'other') return null;
      return rule === 'reveal-cancel' ? pairedActivation : rescale;
    }
    if (family === 'max-pool' || family === 'global-max-pool') return maxPool;
    if (rule === 'reveal-cancel' && family === 'linear' && node.kind === 'Dense') return pairedLinear;
    return LINEAR_FAMILIES.has(family) ? GRADIENT_RULE : null;
  }, references ? { kind: 'per-rule', references } : { kind: 'per-rule' });
}

/**
 * The recording pass's rule set: for every part DeepLIFT has a rule for, keeps the part's inputs
 * and output (`tf.keep`, released by the caller) in `store` and passes back zeros. Running a
 * backward pass through it is how the reference values of every part, fused activations included,
 * are seen.
 */
export function recordingRuleSet(store: ReferenceStore, deepLift: RuleSet): RuleSet {
  const record: Rule = {
    name: 'deeplift-record-reference',
    backward(_dy, { node, inputs, output }) {
      store.get(node.index)?.inputs.forEach((t) => t.dispose());
      store.get(node.index)?.output.dispose();
      store.set(node.index, { inputs: inputs.map((t) => tf.keep(t.clone())), output: tf.keep(output.clone()) });
      return inputs.map((t) => tf.zerosLike(t));
    },
  };
  return (node) => (deepLift(node) ? record : null);
}

/** Releases every recorded reference value. */
export function clearReferences(store: ReferenceStore): void {
  for (const { inputs, output } of store.values()) tf.dispose([...inputs, output]);
  store.clear();
}
