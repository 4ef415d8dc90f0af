import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { completenessDelta } from '../../core/completeness.js';
import { checkCompleteness, type CompletenessCheckOptions } from '../../core/completeness-check.js';
import { check } from '../../core/errors.js';
import { forEachBatch } from '../../core/batching.js';
import type { Model } from '../../core/model.js';
import type { LayerOption, LocalOptions } from '../../core/options.js';
import { prepareGradient } from '../../core/prepare.js';
import { clearReferences, deepLiftRuleSet, expandRows, recordingRuleSet, type DeepLiftRule, type ReferenceStore } from './deep-lift-rules.js';

/** The options DeepLIFT and DeepLIFT-SHAP share. */
export interface DeepLiftCommonOptions extends LocalOptions, LayerOption, CompletenessCheckOptions {
  /** Multiply the multipliers by (x − baseline) (Captum's multiply_by_inputs); default true. */
  readonly multiplyByInputs?: boolean;
  /** 'rescale' (default) everywhere, or 'reveal-cancel' for activations after dense layers. */
  readonly rule?: DeepLiftRule;
  /** Below this |Δx| a non-linearity passes the gradient instead of Δy/Δx; default 1e-10 (Captum's). */
  readonly eps?: number;
}

/**
 * The reference inputs of a run, `k` per example: shared by every example (`values` [k, ...], pair
 * (i, j) uses row j) or per example (`values` [N·k, ...], pair (i, j) uses row i·k + j).
 */
export interface DeepLiftReferences {
  readonly values: tf.Tensor;
  readonly perExample: boolean;
  readonly k: number;
}

const RULES: readonly DeepLiftRule[] = ['rescale', 'reveal-cancel'];

/**
 * DeepLIFT over (example, reference) pairs, averaged over each example's references, batched by
 * `batchSize` pairs per model call. Each batch takes two passes: the references through a
 * recording rule set (values of every part; a single row when all pairs share one reference), then
 * the inputs with DeepLIFT's rules, whose backward pass gives the multipliers. The reference side
 * is never back-propagated, so a batch costs about one gradient plus a forward pass of its
 * references. `references` is called after the arguments are checked; the caller owns nothing.
 */
export async function deepLiftPairs(
  id: string,
  fn: string,
  model: Model,
  input: tf.Tensor,
  options: DeepLiftCommonOptions,
  references: () => DeepLiftReferences,
): Promise<Attribution> {
  const rule = options.rule ?? 'rescale';
  const eps = options.eps ?? 1e-10;
  const multiply = options.multiplyByInputs ?? true;
  check(RULES.includes(rule), 'option', () => `${fn}: rule must be one of ${RULES.join(', ')}; found '${String(rule)}'`);
  check(typeof eps === 'number' && eps >= 0, 'option', () => `${fn}: eps must be a number ≥ 0; found ${String(eps)}`);
  check(options.tolerance === undefined || options.tolerance >= 0, 'option', () => `${fn}: tolerance must be a number ≥ 0; found ${options.tolerance}`);
  const store: ReferenceStore = new Map();
  const rules = deepLiftRuleSet(store, rule, eps);
  const recorder = recordingRuleSet(store, rules);
  const ctx = await prepareGradient(model, input, options, fn, rules);
  const refs = references();
  const { k, perExample } = refs;
  const shared = !perExample && k === 1;
  const total = ctx.n * k;
  const fx = new Float64Array(ctx.n);
  const fRef = new Float64Array(ctx.n);
  let sum: tf.Tensor | null = null;
  let calls = 0;
  try {
    calls = await forEachBatch(total, ctx.batchSize, options, fn, async (start, end) => {
      const m = end - start;
      const examples = Int32Array.from({ length: m }, (_, r) => Math.floor((start + r) / k));
      const rows = Int32Array.from({ length: m }, (_, r) => (perExample ? start + r : (start + r) % k));
      let refOut: tf.Tensor | null = null;
      try {
        const next = tf.tidy(() => {
          // one reference per example: the batch's examples are contiguous, a slice (gather is slow on wasm)
          const xs = k === 1 ? input.slice(start, m) : tf.gather(input, tf.tensor1d(examples, 'int32'));
          const bs = shared ? refs.values : perExample ? refs.values.slice(start, m) : tf.gather(refs.values, tf.tensor1d(rows, 'int32'));
          tf.grad((b: tf.Tensor) => {
            const out = model.run(b, { rules: recorder }).output;
            refOut = tf.keep(out.clone());
            return tf.sum(out);
          })(bs);
          const points = ctx.space.valuesAt(xs);
          const refPoints = ctx.space.layer ? ctx.space.valuesAt(bs) : bs;
          const { grad, value } = ctx.space.gradient(xs, points, ctx.target, examples);
          const contribution = multiply ? tf.mul(grad, tf.sub(points, refPoints)) : grad;
          const mix = new Float32Array(ctx.n * m);
          for (let r = 0; r < m; r++) mix[examples[r] * m + r] = 1 / k;
          const part = tf.matMul(tf.tensor2d(mix, [ctx.n, m]), contribution.reshape([m, -1])).reshape([ctx.n, ...contribution.shape.slice(1)]);
          const out = refOut as unknown as tf.Tensor;
          const refValue = ctx.target.select(expandRows(out, m), examples);
          return { part, value, refValue };
        });
        const [v, rv] = await Promise.all([next.value.data(), next.refValue.data()]);
        tf.dispose([next.value, next.refValue]);
        for (let r = 0; r < m; r++) {
          fx[examples[r]] = v[r];
          fRef[examples[r]] += rv[r] / k;
        }
        if (sum === null) sum = next.part;
        else {
          const prev: tf.Tensor = sum;
          sum = tf.add(prev, next.part);
          tf.dispose([prev, next.part]);
        }
      } finally {
        clearReferences(store);
        (refOut as tf.Tensor | null)?.dispose();
      }
    });
  } catch (e) {
    (sum as tf.Tensor | null)?.dispose();
    throw e;
  } finally {
    refs.values.dispose();
  }
  const values = sum as unknown as tf.Tensor;
  const meta = {
    rule,
    baselines: k,
    modelCalls: 2 * calls,
    ...(ctx.space.layer ? { layer: ctx.space.layer } : {}),
  };
  if (!multiply) return makeAttribution(id, values, ctx.target.classes, meta);
  const delta = await completenessDelta(values, (i) => fx[i] - fRef[i]);
  let warnings: string[];
  try {
    warnings = checkCompleteness(delta, Array.from(fx, (v, i) => [v, fRef[i]] as const), options, fn);
  } catch (e) {
    values.dispose();
    throw e;
  }
  return makeAttribution(id, values, ctx.target.classes, { ...meta, delta, ...(warnings.length ? { warnings } : {}) });
}
