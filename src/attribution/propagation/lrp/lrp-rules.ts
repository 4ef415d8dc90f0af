/**
 * The LRP rules with Zennit's exact formulas (Bach et al., 2015; Montavon et al., "Layer-wise
 * Relevance Propagation: An Overview", 2019), as records of modifiers compiled by `basicRule`, and
 * the two rules for layers without parameters: Pass (activations, batch norm) and Norm (average
 * pooling, sums). Notation: R the relevance at the output, x⁺ = max(x, 0), x⁻ = min(x, 0), likewise
 * W⁺, W⁻, b⁺, b⁻; Jᵀ s is the vector-Jacobian product of the (modified) layer; stab(z) = z + ε·sign(z).
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../../../core/errors.js';
import { declareRuleForm, type Rule } from '../../../core/rules.js';
import { vjp } from '../../../engine/vjp.js';
import { basicRule, type LayerParams, type LrpTerm } from './basic-rule.js';
import { stabilize } from './stabilize.js';

/** Zennit's default stabilizer. */
export const DEFAULT_STABILIZER = 1e-6;

const positive = (t: tf.Tensor): tf.Tensor => tf.relu(t);
const negative = (t: tf.Tensor): tf.Tensor => tf.minimum(t, 0);

/** Parameters with `f` applied to every weight and to the bias (`bias: 'zero'` drops it). */
function mapParams(f: (t: tf.Tensor) => tf.Tensor, bias: 'keep' | 'zero' = 'keep'): (p: LayerParams) => LayerParams {
  return ({ weights, bias: b }) => ({ weights: weights.map(f), bias: bias === 'zero' || !b ? null : f(b) });
}

/** Σᵢ cᵢ · xᵢ ⊙ gᵢ over the terms that have a pulled-back vector. */
function weightedSum(xs: readonly tf.Tensor[], gs: readonly (tf.Tensor | null)[], coefficients: readonly number[]): tf.Tensor {
  let sum: tf.Tensor | null = null;
  gs.forEach((g, i) => {
    if (!g || coefficients[i] === 0) return;
    const term = tf.mul(tf.mul(xs[i], g), coefficients[i]);
    sum = sum ? tf.add(sum, term) : term;
  });
  return sum ?? tf.zerosLike(xs[0]);
}

function checkNumber(name: string, value: number, min: number): void {
  check(Number.isFinite(value) && value >= min, 'option', () => `lrp: ${name} must be a finite number ≥ ${min}; found ${value}`);
}

/** The four sign-split terms (x⁺; W⁺), (x⁻; W⁻), (x⁺; W⁻), (x⁻; W⁺) with the biases zennit gives them. */
function signTerms(up: (t: tf.Tensor) => tf.Tensor, down: (t: tf.Tensor) => tf.Tensor): LrpTerm[] {
  return [
    { modifyInput: positive, modifyParams: mapParams(up) },
    { modifyInput: negative, modifyParams: mapParams(down, 'zero') },
    { modifyInput: positive, modifyParams: mapParams(down) },
    { modifyInput: negative, modifyParams: mapParams(up, 'zero') },
  ];
}

/** LRP-ε: z = f(x; W, b), R_in = x ⊙ Jᵀ(R / stab_ε(z)); ε = 0 is LRP-0. The bias absorbs relevance. */
export function epsilonRule(epsilon = DEFAULT_STABILIZER): Rule {
  checkNumber('epsilon', epsilon, 0);
  return declareRuleForm(basicRule({
    name: `epsilon(${epsilon})`,
    terms: [{}],
    mapGradient: (r, [z]) => [tf.div(r, stabilize(z, epsilon))],
    reduce: (xs, gs) => weightedSum(xs, gs, [1]),
  }), { kind: 'epsilon', epsilon });
}

/**
 * LRP-αβ: z⁺ = f(x⁺; W⁺, b⁺) + f(x⁻; W⁻, 0), z⁻ = f(x⁺; W⁻, b⁻) + f(x⁻; W⁺, 0),
 * R_in = α (x⁺ ⊙ J_{W⁺}ᵀ s⁺ + x⁻ ⊙ J_{W⁻}ᵀ s⁺) − β (x⁺ ⊙ J_{W⁻}ᵀ s⁻ + x⁻ ⊙ J_{W⁺}ᵀ s⁻), s^± = R / stab(z^±).
 * Any α, β ≥ 0 (conservative when α − β = 1).
 */
export function alphaBetaRule(alpha = 2, beta = 1, stabilizer = DEFAULT_STABILIZER): Rule {
  checkNumber('alpha', alpha, 0);
  checkNumber('beta', beta, 0);
  checkNumber('stabilizer', stabilizer, 0);
  return declareRuleForm(basicRule({
    name: `alpha-beta(${alpha}, ${beta})`,
    terms: beta === 0 ? signTerms(positive, negative).slice(0, 2) : signTerms(positive, negative),
    mapGradient: (r, outs) => {
      const sp = tf.div(r, stabilize(tf.add(outs[0], outs[1]), stabilizer));
      if (outs.length === 2) return [sp, sp];
      const sn = tf.div(r, stabilize(tf.add(outs[2], outs[3]), stabilizer));
      return [sp, sp, sn, sn];
    },
    reduce: (xs, gs) => weightedSum(xs, gs, [alpha, alpha, -beta, -beta]),
  }), { kind: 'alpha-beta', alpha, beta, stabilizer });
}

/** LRP-z⁺: z = f(x⁺; W⁺, b⁺) + f(x⁻; W⁻, 0), R_in = x⁺ ⊙ J_{W⁺}ᵀ s + x⁻ ⊙ J_{W⁻}ᵀ s; identical to αβ with α = 1, β = 0. */
export function zPlusRule(stabilizer = DEFAULT_STABILIZER): Rule {
  const rule = alphaBetaRule(1, 0, stabilizer);
  return declareRuleForm({ ...rule, name: 'z-plus' }, { kind: 'alpha-beta', alpha: 1, beta: 0, stabilizer });
}

/**
 * LRP-γ: W_γ^± = W + γW^±, b_γ^± = b + γb^±; z⁺ = f(x⁺; W_γ⁺, b_γ⁺) + f(x⁻; W_γ⁻, 0),
 * z⁻ = f(x⁺; W_γ⁻, b_γ⁻) + f(x⁻; W_γ⁺, 0); s⁺ = [z > 0] R / stab(z⁺), s⁻ = [z < 0] R / stab(z⁻) with
 * z = f(x; W, b); R_in = x⁺ ⊙ J_{W_γ⁺}ᵀ s⁺ + x⁻ ⊙ J_{W_γ⁻}ᵀ s⁺ + x⁺ ⊙ J_{W_γ⁻}ᵀ s⁻ + x⁻ ⊙ J_{W_γ⁺}ᵀ s⁻.
 */
export function gammaRule(gamma = 0.25, stabilizer = DEFAULT_STABILIZER): Rule {
  checkNumber('gamma', gamma, 0);
  checkNumber('stabilizer', stabilizer, 0);
  const up = (t: tf.Tensor): tf.Tensor => tf.add(t, tf.mul(gamma, positive(t)));
  const down = (t: tf.Tensor): tf.Tensor => tf.add(t, tf.mul(gamma, negative(t)));
  return declareRuleForm(basicRule({
    name: `gamma(${gamma})`,
    terms: [...signTerms(up, down), {}],
    mapGradient: (r, outs) => {
      const z = outs[4];
      const sp = tf.mul(tf.step(z), tf.div(r, stabilize(tf.add(outs[0], outs[1]), stabilizer)));
      const sn = tf.mul(tf.step(tf.neg(z)), tf.div(r, stabilize(tf.add(outs[2], outs[3]), stabilizer)));
      return [sp, sp, sn, sn, null];
    },
    reduce: (xs, gs) => weightedSum(xs, gs, [1, 1, 1, 1, 0]),
  }), { kind: 'gamma', gamma, stabilizer });
}

/** A bound of the zᴮ rule: a number, or a tensor broadcastable to the layer's input. */
export type Bound = number | tf.Tensor;

/**
 * LRP-zᴮ for bounded inputs l ≤ x ≤ h (Montavon et al., 2017): z = f(x; W, b) − f(l; W⁺, b⁺) −
 * f(h; W⁻, b⁻) (the biases cancel), R_in = x ⊙ J_Wᵀ s − l ⊙ J_{W⁺}ᵀ s − h ⊙ J_{W⁻}ᵀ s, s = R / stab(z).
 */
export function zBoxRule(low: Bound, high: Bound, stabilizer = DEFAULT_STABILIZER): Rule {
  if (typeof low === 'number' && typeof high === 'number') {
    check(Number.isFinite(low) && Number.isFinite(high) && low < high, 'option', () => `lrp: the z-box rule needs finite low < high; found low ${low}, high ${high}`);
  }
  checkNumber('stabilizer', stabilizer, 0);
  const fill = (b: Bound) => (x: tf.Tensor): tf.Tensor => (typeof b === 'number' ? tf.fill(x.shape, b) : tf.add(tf.zerosLike(x), b));
  const rule = basicRule({
    name: `z-box(${typeof low === 'number' ? low : 'tensor'}, ${typeof high === 'number' ? high : 'tensor'})`,
    terms: [{}, { modifyInput: fill(low), modifyParams: mapParams(positive) }, { modifyInput: fill(high), modifyParams: mapParams(negative) }],
    mapGradient: (r, [z, zl, zh]) => {
      const s = tf.div(r, stabilize(tf.sub(tf.sub(z, zl), zh), stabilizer));
      return [s, s, s];
    },
    reduce: (xs, gs) => weightedSum(xs, gs, [1, -1, -1]),
  });
  // Tensor bounds have no declared form: the rule runs on tfjs.
  return typeof low === 'number' && typeof high === 'number' ? declareRuleForm(rule, { kind: 'z-box', low, high, stabilizer }) : rule;
}

/** Flat: z = f(1; 1, 0) (inputs and weights all ones, no bias), R_in = J_1ᵀ(R / stab(z)): relevance spread uniformly over the receptive field. */
export function flatRule(stabilizer = DEFAULT_STABILIZER): Rule {
  checkNumber('stabilizer', stabilizer, 0);
  return declareRuleForm(basicRule({
    name: 'flat',
    terms: [{ modifyInput: (x) => tf.onesLike(x), modifyParams: mapParams((t) => tf.onesLike(t), 'zero') }],
    mapGradient: (r, [z]) => [tf.div(r, stabilize(z, stabilizer))],
    reduce: (_xs, [g]) => g as tf.Tensor,
  }), { kind: 'flat', stabilizer });
}

/** w²-rule: z = f(1; W², b²) (the squared bias is kept, as zennit), R_in = J_{W²}ᵀ(R / stab(z)). */
export function wSquareRule(stabilizer = DEFAULT_STABILIZER): Rule {
  checkNumber('stabilizer', stabilizer, 0);
  return declareRuleForm(basicRule({
    name: 'w-square',
    terms: [{ modifyInput: (x) => tf.onesLike(x), modifyParams: mapParams((t) => tf.square(t)) }],
    mapGradient: (r, [z]) => [tf.div(r, stabilize(z, stabilizer))],
    reduce: (_xs, [g]) => g as tf.Tensor,
  }), { kind: 'w-square', stabilizer });
}

/** Pass: the relevance is copied to the input unchanged (activations, batch norm without a canonizer). */
export const PASS_RULE: Rule = declareRuleForm(Object.freeze({
  name: 'pass',
  backward: (relevance: tf.Tensor, { inputs }: { inputs: readonly tf.Tensor[] }): tf.Tensor[] => inputs.map(() => relevance),
}), { kind: 'pass' });

/**
 * Norm: the ε-rule of a layer without parameters (average pooling, sums, and Captum's max
 * pooling): z = f(x), R_in,i = x_i ⊙ ∂f/∂x_iᵀ (R / stab(z)) for every input i.
 */
export function normRule(stabilizer = DEFAULT_STABILIZER): Rule {
  checkNumber('stabilizer', stabilizer, 0);
  return declareRuleForm({
    name: `norm(${stabilizer})`,
    backward(relevance, { inputs, output, forward }) {
      const s = tf.div(relevance, stabilize(output, stabilizer));
      return vjp(forward, inputs, s).map((g, i) => tf.mul(inputs[i], g));
    },
  }, { kind: 'norm', stabilizer });
}
