import * as tf from '@tensorflow/tfjs';
import { check } from '../../core/errors.js';
import type { AttackExplanation } from '../../core/explanation.js';
import type { Model } from '../../core/model.js';
import { Rng } from '../../core/random.js';
import { resolveTarget } from '../../core/target.js';
import { checkDifferentiable, checkInput } from '../../core/validate.js';
import { withReluSurrogate } from '../../engine/relu-surrogate.js';
import { withSecondOrderGradients } from '../../engine/second-order-gradients.js';
import { checkAttackInteger, checkAttackPositive } from '../attack-options.js';
import { centerOfMassShift } from './center-of-mass.js';
import { checkExplanationSpec, explanationMap, explanationMapShape, type ExplanationSpec } from './explanation-map.js';
import { spearmanRankCorrelation } from './spearman-rank-correlation.js';
import { topKIndices, mapTopKIntersection } from './map-top-k-intersection.js';

/** Ghorbani et al.'s attacks: away from the top k, moving the centre of mass, into a target region; and their random-sign baseline. */
export type ExplanationAttackKind = 'top-k' | 'mass-center' | 'targeted' | 'random';
export const EXPLANATION_ATTACKS: readonly ExplanationAttackKind[] = ['top-k', 'mass-center', 'targeted', 'random'];

/** Options of `explanationAttack`. */
export interface ExplanationAttackOptions {
  /** The explanation attacked (and its defences). */
  readonly explanation: ExplanationSpec;
  /** Which dissimilarity is climbed (default 'top-k'). */
  readonly attack?: ExplanationAttackKind;
  /** The class explained: 'predicted' (default), one class, or one per example. */
  readonly target?: 'predicted' | number | readonly number[];
  /** The data range `[lo, hi]` (required). */
  readonly bounds: readonly [number, number];
  /** L∞ radius of the perturbation (default 8/255 of the data range, the paper's). */
  readonly epsilon?: number;
  /** Sign step per iteration (default ε/10). */
  readonly stepSize?: number;
  /** Iterations (default 20; the paper's P). */
  readonly steps?: number;
  /** Size of the top-k set (default 5% of the map's positions). */
  readonly k?: number;
  /** 'targeted': the map positions whose share of the explanation is increased. */
  readonly targetRegion?: readonly number[];
  /** softplus β of ReLU's derivative for the attack direction (default 10); the defence's β when `explanation.beta` is set. */
  readonly surrogateBeta?: number;
  /** Seed of the random-sign baseline. */
  readonly seed?: number;
  readonly signal?: AbortSignal;
}

/** What `explanationAttack` returns; `perturbed` is the caller's to dispose. */
export interface ExplanationAttackResult {
  readonly perturbed: tf.Tensor;
  readonly classes: readonly number[];
  readonly originalPredictions: readonly number[];
  /** Equal to `originalPredictions`: steps that change a prediction are rejected. */
  readonly predictions: readonly number[];
  readonly mapShape: readonly number[];
  /** Normalised maps on the clean and the perturbed inputs (one row per example). */
  readonly originalMaps: readonly Float32Array[];
  readonly maps: readonly Float32Array[];
  /** Per example: top-k intersection, Spearman rank correlation, centre-of-mass shift (positions), L∞ size. */
  readonly topK: readonly number[];
  readonly spearman: readonly number[];
  readonly centerShift: readonly number[];
  readonly linf: readonly number[];
  readonly k: number;
  /** Steps accepted (prediction kept), per example. */
  readonly accepted: readonly number[];
  dispose(): void;
}

/** The measured map (no gradient taken): the spec's explanation, under its β when it has one. */
function measuredMaps(model: Model, spec: ExplanationSpec, x: tf.Tensor, classes: tf.Tensor1D): Float32Array[] {
  const compute = (): Float32Array[] => tf.tidy(() => {
    const m = explanationMap(model, spec, x, classes);
    const data = m.dataSync() as Float32Array;
    const p = m.shape[1];
    return Array.from({ length: m.shape[0] }, (_, i) => data.slice(i * p, (i + 1) * p));
  });
  if (spec.method === 'deeplift') return withReluSurrogate({ beta: spec.beta ?? Number.POSITIVE_INFINITY, rescale: true }, compute);
  return spec.beta ? withReluSurrogate({ beta: spec.beta }, compute) : compute();
}

/** The differentiable dissimilarity D(map(x)) the attack climbs, summed over examples. */
function dissimilarity(kind: ExplanationAttackKind, map: tf.Tensor2D, mask: tf.Tensor, center0: tf.Tensor, coords: tf.Tensor): tf.Scalar {
  if (kind === 'top-k') return map.mul(mask).sum().neg() as tf.Scalar;
  if (kind === 'targeted') return map.mul(mask).sum() as tf.Scalar;
  const center = map.matMul(coords as tf.Tensor2D); // [N, d]
  return center.sub(center0).square().sum(1).add(1e-12).sqrt().sum() as tf.Scalar;
}

/** Position coordinates [P, d] of a map of `shape`. */
function coordinates(shape: readonly number[]): tf.Tensor2D {
  const p = shape.reduce((a, b) => a * b, 1);
  const w = shape.length === 2 ? shape[1] : p;
  const values = Array.from({ length: p }, (_, i) => (shape.length === 2 ? [Math.floor(i / w), i % w] : [i])).flat();
  return tf.tensor2d(values, [p, shape.length]);
}

/**
 * Attacks on explanations that keep the prediction (Ghorbani, Abid & Zou, "Interpretation of Neural
 * Networks is Fragile", AAAI 2019): iterative sign steps x ← Π_{‖x−x₀‖∞≤ε, bounds}(x + α·sign ∇ₓ D)
 * on a dissimilarity D of the normalised map — 'top-k' lowers the mass on the clean map's k most
 * important positions, 'mass-center' moves the map's centre of mass, 'targeted' raises the mass in
 * `targetRegion`; 'random' is the paper's random-sign baseline (±ε per element, seeded). ∇ₓ D is a
 * second-order gradient, zero for ReLU networks, so it is taken with ReLU's derivative replaced by
 * softplus_β's (the paper's surrogate; engine/relu-surrogate.ts). A step that changes an example's
 * predicted class is rejected for that example; of the accepted points the one with the largest
 * true dissimilarity (measured on the unmodified explanation) is returned. The whole batch moves
 * in one taped pass per step.
 */
export async function explanationAttack(model: Model, x: tf.Tensor, options: ExplanationAttackOptions): Promise<ExplanationAttackResult> {
  const fn = 'explanationAttack';
  checkInput(model, x, fn);
  checkDifferentiable(model, fn);
  const spec = options.explanation;
  check(spec !== null && typeof spec === 'object', 'option', () => `${fn}: explanation must be {method, …}; found ${String(spec)}`);
  checkExplanationSpec(model, spec, fn);
  const kind = options.attack ?? 'top-k';
  check(EXPLANATION_ATTACKS.includes(kind), 'option', () => `${fn}: attack must be one of ${EXPLANATION_ATTACKS.join(', ')}; found ${String(kind)}`);
  const b = options.bounds;
  check(Array.isArray(b) && b.length === 2 && Number.isFinite(b[0]) && Number.isFinite(b[1]) && b[0] < b[1], 'option', () => `${fn}: bounds must be the data range [lo, hi] with lo < hi; found ${JSON.stringify(b)}`);
  const [lo, hi] = b;
  const epsilon = checkAttackPositive(options.epsilon ?? (8 / 255) * (hi - lo), 'epsilon', fn);
  const stepSize = checkAttackPositive(options.stepSize ?? epsilon / 10, 'stepSize', fn);
  const steps = checkAttackInteger(options.steps ?? 20, 1, 'steps', fn);
  const surrogateBeta = checkAttackPositive(spec.beta ?? options.surrogateBeta ?? 10, 'surrogateBeta', fn);
  const mapShape = explanationMapShape(model, spec);
  const positions = mapShape.reduce((p, q) => p * q, 1);
  const k = options.k ?? Math.max(1, Math.round(0.05 * positions));
  check(Number.isInteger(k) && k >= 1 && k <= positions, 'option', () => `${fn}: k must be an integer in [1, ${positions}]; found ${String(k)}`);
  const region = options.targetRegion;
  if (kind === 'targeted') {
    check(Array.isArray(region) && region.length > 0 && region.every((i) => Number.isInteger(i) && i >= 0 && i < positions), 'option', () =>
      `${fn}: the targeted attack needs targetRegion, map positions in [0, ${positions}); found ${JSON.stringify(region)}`);
  }
  const n = x.shape[0];
  const classes = (await resolveTarget(model, x, options.target ?? 'predicted', fn)).classes ?? [];
  const cls = tf.tensor1d([...classes], 'int32');
  const original = await predictClasses(model, x);
  const maps0 = measuredMaps(model, spec, x, cls);
  const tops = maps0.map((m) => topKIndices(m, k));
  const maskValues = new Float32Array(n * positions);
  for (let e = 0; e < n; e++) for (const i of kind === 'targeted' ? (region as number[]) : tops[e]) maskValues[e * positions + i] = 1;
  const keep = tf.tidy(() => ({
    mask: tf.tensor2d(maskValues, [n, positions]),
    coords: coordinates(mapShape),
    center0: tf.tensor2d(maps0.flatMap((m) => Array.from(m)), [n, positions]).matMul(coordinates(mapShape)),
    lower: x.sub(epsilon).maximum(lo),
    upper: x.add(epsilon).minimum(hi),
  }));
  const score = (m0: Float32Array, m: Float32Array): number => {
    if (kind === 'top-k' || kind === 'random') return -mapTopKIntersection(m0, m, k);
    if (kind === 'mass-center') return centerOfMassShift(m0, m, mapShape);
    return (region as number[]).reduce((s, i) => s + m[i], 0);
  };
  let best = x.clone();
  let bestMaps = maps0;
  const bestScore = maps0.map((m) => score(m, m));
  const accepted = new Array<number>(n).fill(0);
  let current = x.clone();
  try {
    const rng = new Rng(options.seed ?? 0);
    for (let step = 0; step < (kind === 'random' ? 1 : steps); step++) {
      options.signal?.throwIfAborted();
      const candidate = kind === 'random'
        ? tf.tidy(() => x.add(tf.tensor(rng.uniforms(x.size, -1, 1), x.shape).sign().mul(epsilon)).clipByValue(lo, hi))
        : withSecondOrderGradients(() => withReluSurrogate({ beta: surrogateBeta, rescale: spec.method === 'deeplift' }, () => tf.tidy(() => {
          const g = tf.grad((p: tf.Tensor) => dissimilarity(kind, explanationMap(model, spec, p, cls), keep.mask, keep.center0, keep.coords))(current);
          return current.add(g.sign().mul(stepSize)).maximum(keep.lower).minimum(keep.upper);
        })));
      const predicted = await predictClasses(model, candidate);
      const ok = predicted.map((p, e) => p === original[e]);
      const okMask = tf.tensor(ok.map(Number), [n, ...new Array<number>(x.rank - 1).fill(1)]);
      const next = tf.tidy(() => tf.where(okMask.cast('bool'), candidate, current));
      tf.dispose([candidate, okMask, current]);
      current = next;
      const maps = measuredMaps(model, spec, current, cls);
      const better = maps.map((m, e) => ok[e] && score(maps0[e], m) > bestScore[e]);
      ok.forEach((o, e) => { if (o) accepted[e]++; });
      if (better.some(Boolean)) {
        const betterMask = tf.tensor(better.map(Number), [n, ...new Array<number>(x.rank - 1).fill(1)]);
        const nextBest = tf.tidy(() => tf.where(betterMask.cast('bool'), current, best));
        tf.dispose([betterMask, best]);
        best = nextBest;
        bestMaps = bestMaps.map((m, e) => (better[e] ? maps[e] : m));
        better.forEach((bt, e) => { if (bt) bestScore[e] = score(maps0[e], maps[e]); });
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
  } catch (error) {
    best.dispose();
    throw error;
  } finally {
    current.dispose();
    tf.dispose([cls, keep.mask, keep.coords, keep.center0, keep.lower, keep.upper]);
  }
  const linf = tf.tidy(() => best.sub(x).abs().reshape([n, -1]).max(1));
  const sizes = Array.from(await linf.data());
  linf.dispose();
  const perturbed = best;
  return {
    perturbed,
    classes,
    originalPredictions: original,
    predictions: await predictClasses(model, perturbed),
    mapShape,
    originalMaps: maps0,
    maps: bestMaps,
    topK: bestMaps.map((m, e) => mapTopKIntersection(maps0[e], m, k)),
    spearman: bestMaps.map((m, e) => spearmanRankCorrelation(maps0[e], m)),
    centerShift: bestMaps.map((m, e) => centerOfMassShift(maps0[e], m, mapShape)),
    linf: sizes,
    k,
    accepted,
    dispose: () => perturbed.dispose(),
  };
}

async function predictClasses(model: Model, x: tf.Tensor): Promise<number[]> {
  const out = await model.predict(x);
  const best = tf.tidy(() => out.reshape([x.shape[0], -1]).argMax(1));
  const classes = Array.from(await best.data());
  tf.dispose([out, best]);
  return classes;
}

/** An explanation attack as a JSON record of kind 'attack', its measures in `meta` (the result stays the caller's). */
export async function explanationAttackRecord(result: ExplanationAttackResult, spec: ExplanationSpec, kind: ExplanationAttackKind): Promise<AttackExplanation> {
  const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  return {
    kind: 'attack',
    method: `explanation-attack-${kind}`,
    shape: result.perturbed.shape.slice(1),
    inputs: Array.from(await result.perturbed.data()),
    originalPredictions: result.originalPredictions,
    predictions: result.predictions,
    norms: result.linf,
    meta: {
      explanation: spec.method, beta: spec.beta ?? null, smoothGrad: spec.smoothGrad ? { samples: spec.smoothGrad.samples, stdev: spec.smoothGrad.stdev } : null,
      norm: 'linf', k: result.k, mapShape: result.mapShape,
      mapTopKIntersection: result.topK, spearman: result.spearman, centerShift: result.centerShift, accepted: result.accepted,
      meanTopKIntersection: mean(result.topK), meanSpearman: mean(result.spearman), meanCenterShift: mean(result.centerShift),
      originalMaps: result.originalMaps.map((m) => Array.from(m)), maps: result.maps.map((m) => Array.from(m)),
    },
  };
}
