import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { completenessDelta } from '../../core/completeness.js';
import { checkCompleteness, type CompletenessCheckOptions } from '../../core/completeness-check.js';
import { check } from '../../core/errors.js';
import { accumulateGradients, type AccumulatedGradients, type RowPlan } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LayerOption, LocalOptions } from '../../core/options.js';
import { prepareGradient, type GradientContext } from '../../core/prepare.js';
import type { ReferenceRows, RuleSet } from '../../core/rules.js';
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
 * `batchSize` pairs per model call through the shared gradient loop (`accumulateGradients`). Each
 * batch takes two passes: the references through a recording rule set (values of every part; a
 * single row when all pairs share one reference), then the inputs with DeepLIFT's rules, whose
 * backward pass gives the multipliers. The reference side is never back-propagated, so a batch
 * costs about one gradient plus a forward pass of its references. `references` is called after
 * the arguments are checked; the caller owns nothing.
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
  // The current batch's reference rows, for an executor that runs the reference pass in its own graph.
  const current: { rows: ReferenceRows | null } = { rows: null };
  const rules = deepLiftRuleSet(store, rule, eps, () => current.rows);
  const ctx = await prepareGradient(model, input, options, fn, rules);
  const refs = references();
  const plan = referencePlan(ctx, model, input, refs, recordingRuleSet(store, rules), store, multiply, current);
  let run: AccumulatedGradients;
  try {
    run = await accumulateGradients(ctx.space, plan, ctx.target, ctx.n, ctx.batchSize, options, fn);
  } catch (e) {
    plan.dispose();
    throw e;
  } finally {
    clearReferences(store);
    setRows(current, null);
    refs.values.dispose();
  }
  const fRef = await plan.referenceValues().catch((e: unknown) => {
    run.sum.dispose();
    throw e;
  });
  const fx = Float64Array.from({ length: ctx.n }, (_, i) => run.values[(i + 1) * refs.k - 1]);
  const values = run.sum;
  const meta = { rule, baselines: refs.k, modelCalls: 2 * run.calls, ...(ctx.space.layer ? { layer: ctx.space.layer } : {}) };
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

/** A row plan over (example, reference) pairs that also gathers each example's mean target value at its references. */
interface ReferencePlan extends RowPlan {
  /** E_j f(reference_j) per example, read once the loop has run; disposes what the rows kept. */
  referenceValues(): Promise<Float64Array>;
  /** Disposes what the rows kept, when the loop failed. */
  dispose(): void;
}

/**
 * Pair r = example ⌊r/k⌋ with its reference r mod k. Building a batch first records the
 * references' values of every part (the rules read them in the gradient pass that follows) and
 * keeps the target's value at the references; the row's factor is x − reference when multiplying.
 */
/** Replaces the current reference rows, disposing the previous ones. */
function setRows(current: { rows: ReferenceRows | null }, rows: ReferenceRows | null): void {
  if (current.rows) tf.dispose([current.rows.inputs, current.rows.points]);
  current.rows = rows;
}

function referencePlan(ctx: GradientContext, model: Model, input: tf.Tensor, refs: DeepLiftReferences, recorder: RuleSet, store: ReferenceStore, multiply: boolean, current: { rows: ReferenceRows | null }): ReferencePlan {
  const { k, perExample } = refs;
  const shared = !perExample && k === 1;
  const total = ctx.n * k;
  const examples = Int32Array.from({ length: total }, (_, r) => Math.floor(r / k));
  const kept: { start: number; value: tf.Tensor }[] = [];
  return {
    examples,
    weights: new Float32Array(total).fill(1 / k),
    rows(start, end) {
      clearReferences(store);
      const m = end - start;
      const batch = examples.subarray(start, end);
      const rows = Int32Array.from({ length: m }, (_, r) => (perExample ? start + r : (start + r) % k));
      // one reference per example: the batch's examples are contiguous, a slice (gather is slow on wasm)
      const xs = k === 1 ? input.slice(start, m) : tf.gather(input, tf.tensor1d(batch, 'int32'));
      const bs = shared ? refs.values : perExample ? refs.values.slice(start, m) : tf.gather(refs.values, tf.tensor1d(rows, 'int32'));
      // The recording pass runs the references through the rules, which is what tfjs' rules read.
      const record = (b: tf.Tensor): tf.Tensor => {
        let refOut: tf.Tensor | null = null;
        tf.grad((r: tf.Tensor) => {
          const out = model.run(r, { rules: recorder }).output;
          refOut = tf.keep(out.clone());
          return tf.sum(out);
        })(b);
        return refOut as unknown as tf.Tensor;
      };
      const points = ctx.space.valuesAt(xs);
      const refPoints = ctx.space.layer ? ctx.space.valuesAt(bs) : bs;
      setRows(current, { inputs: tf.keep(bs.clone()), points: tf.keep(refPoints.clone()) });
      // An executor that runs the rules itself (onnxruntime) computes the references' values in
      // its own graph: tfjs then needs only their output, and records them only if it takes the batch.
      const compiled = ctx.space.gradientAsync !== undefined;
      const out = compiled ? model.run(bs).output : record(bs);
      kept.push({ start, value: tf.keep(ctx.target.select(expandRows(out, m), batch)) });
      out.dispose();
      const own = current.rows as ReferenceRows;
      return {
        inputs: xs,
        points,
        ...(multiply ? { scale: tf.sub(points, refPoints) } : {}),
        ...(compiled ? { tfjsOnly: () => record(own.inputs).dispose() } : {}),
      };
    },
    async referenceValues() {
      const fRef = new Float64Array(ctx.n);
      try {
        for (const { start, value } of kept) {
          const rv = await value.data();
          for (let r = 0; r < rv.length; r++) fRef[examples[start + r]] += rv[r] / k;
        }
      } finally {
        this.dispose();
      }
      return fRef;
    },
    dispose() {
      tf.dispose(kept.map((p) => p.value));
      kept.length = 0;
    },
  };
}
