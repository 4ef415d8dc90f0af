import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { AttackExplanation, JsonValue } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { argMax, outputGradient, predictProbabilities } from './output-gradient.js';
import { diceTerms } from './dice-terms.js';
import { counterfactualTargets, featureChanges, projectRow, tabularConstraints, type TabularConstraintOptions } from './tabular-constraints.js';

/** Options of `diverseCounterfactuals` (DiCE's names in camelCase). */
export interface DiverseCounterfactualOptions extends TabularConstraintOptions {
  /** Counterfactuals per row (DiCE total_CFs; default 4). */
  readonly count?: number;
  /** The class to reach: an index, or 'other' (default: the most probable class other than the prediction). */
  readonly target?: number | 'other';
  /** Weight of the proximity term (default 0.5). */
  readonly proximityWeight?: number;
  /** Weight of the DPP diversity term (default 1). */
  readonly diversityWeight?: number;
  /** Weight of the one-hot sum penalty (Σ_group − 1)² (default 0.1). */
  readonly categoricalPenalty?: number;
  /** Adam learning rate (default 0.05). */
  readonly learningRate?: number;
  /** Iterations before stopping may be considered (default 500) and at most (default 5000). */
  readonly minIterations?: number;
  readonly maxIterations?: number;
  /** Stop once every counterfactual is valid and the loss changed by less than this (default 1e-5). */
  readonly lossDiffThreshold?: number;
  /** Reset changed features to the row's value afterwards while the target class holds (default true). */
  readonly posthocSparsity?: boolean;
  readonly seed?: number;
  /** Changes below this many MADs are not listed as changed (default 1e-4). */
  readonly tolerance?: number;
}

/**
 * Mothilal, Sharma & Tan, Explaining Machine Learning Classifiers through Diverse Counterfactual
 * Explanations (DiCE), 2020: for each row of `x` `[N, d]`, k counterfactuals optimised jointly by
 * Adam on mean hinge loss of the target class (on log-probabilities, margin 1) + proximityWeight ·
 * mean MAD-scaled L1 distance / d − diversityWeight · det(K), K_ij = 1 / (1 + dist(c_i, c_j)) (the
 * DPP diversity term) + categoricalPenalty · Σ (Σ_group − 1)² of relaxed one-hot groups; started
 * near the row (seeded), clipped to ranges, immutable columns held. Afterwards categorical columns
 * are made valid (one-hot argmax, nearest level; a row whose rounding lost the class tries each level of
 * each free group — beyond DiCE, which returns it invalid) and — DiCE's post-hoc sparsity — changed features
 * are reset to the row's value, smallest change first, while the class stays the target. Black boxes
 * get the hinge term's gradient by central differences. Returns kind 'attack' with the N·k
 * counterfactuals (`meta.query` their row), predictions, MAD-scaled L1 `norms`, `meta.changes`,
 * `meta.valid`, and per row the set's `meta.diversity` (mean pairwise distance) and sparsity.
 */
export async function diverseCounterfactuals(model: Model, data: Dataset, x: tf.Tensor, options: DiverseCounterfactualOptions = {}): Promise<AttackExplanation> {
  const fn = 'diverseCounterfactuals';
  check(x.rank === 2 && data.inputShape.length === 1 && x.shape[1] === data.inputShape[0], 'shape', () => `${fn}: rows must be [N, ${data.inputShape[0]}] like the tabular dataset; found [${x.shape}]`);
  const [n, d] = x.shape;
  const k = options.count ?? 4;
  const minIt = options.minIterations ?? 500;
  const maxIt = options.maxIterations ?? 5000;
  const lr = options.learningRate ?? 0.05;
  const [wp, wd, wc] = [options.proximityWeight ?? 0.5, options.diversityWeight ?? 1, options.categoricalPenalty ?? 0.1];
  check(Number.isInteger(k) && k >= 1, 'option', () => `${fn}: count must be a positive integer; found ${k}`);
  check(Number.isInteger(minIt) && Number.isInteger(maxIt) && minIt >= 0 && maxIt >= Math.max(1, minIt), 'option', () => `${fn}: need integers 0 ≤ minIterations ≤ maxIterations, maxIterations ≥ 1; found ${minIt}, ${maxIt}`);
  check(lr > 0 && wp >= 0 && wd >= 0 && wc >= 0, 'option', () => `${fn}: learningRate must be > 0 and the weights ≥ 0; found ${lr}, ${wp}, ${wd}, ${wc}`);
  const c = await tabularConstraints(data, fn, options);
  const q = Float32Array.from(await x.data());
  const p0 = await predictProbabilities(model, q, n, [d]);
  const { original, target } = counterfactualTargets(p0, options.target, fn);
  const m = n * k;
  const x0 = new Float32Array(m * d);
  for (let r = 0; r < m; r++) x0.set(q.subarray(Math.floor(r / k) * d, (Math.floor(r / k) + 1) * d), r * d);
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const cur = Float32Array.from(x0);
  for (let r = 0; r < m; r++) for (let j = 0; j < d; j++) if (!c.frozen[j]) cur[r * d + j] += (rng.uniform() * 2 - 1) * 0.5 * c.mad[j];
  for (let r = 0; r < m; r++) clip(cur, x0, r, c.frozen, c.ranges, d);
  const rowTarget = Array.from({ length: m }, (_, r) => target[Math.floor(r / k)]);
  const classes = p0[0].length;
  const hot = tf.tidy(() => tf.oneHot(tf.tensor1d(rowTarget, 'int32'), classes).cast('float32'));
  const hinge = (probs: tf.Tensor2D, origin: tf.Tensor1D): tf.Tensor1D => tf.tidy(() => {
    const t = tf.gather(hot, origin);
    const logp = probs.add(1e-12).log();
    const zt = logp.mul(t).sum(-1);
    const other = logp.add(t.mul(-1e9)).max(-1);
    return other.sub(zt).add(1).relu().div(k) as tf.Tensor1D;
  });
  const jitter = Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 1e-4 * rng.uniform() : 0)).filter((_, i) => i % (k + 1) === 0);
  const terms = { n, k, d, invMad: c.mad.map((v) => 1 / v), jitter, groups: c.groups, proximityWeight: wp, diversityWeight: wd, categoricalPenalty: wc };
  const mom = new Float32Array(m * d);
  const vel = new Float32Array(m * d);
  let calls = 1;
  let prevLoss = Number.POSITIVE_INFINITY;
  let iterations = 0;
  try {
    for (let it = 1; it <= maxIt; it++) {
      iterations = it;
      const g1 = await outputGradient(model, cur, m, [d], hinge);
      calls++;
      const { loss: restLoss, grad: g2 } = diceTerms(cur, x0, terms);
      for (let p = 0; p < m * d; p++) {
        const g = g1[p] + g2[p];
        mom[p] = 0.9 * mom[p] + 0.1 * g;
        vel[p] = 0.999 * vel[p] + 0.001 * g * g;
        const mh = mom[p] / (1 - 0.9 ** it);
        const vh = vel[p] / (1 - 0.999 ** it);
        cur[p] -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
      for (let r = 0; r < m; r++) clip(cur, x0, r, c.frozen, c.ranges, d);
      if (it % 50 === 0 && it >= minIt) {
        const probs = await predictProbabilities(model, cur, m, [d]);
        calls++;
        const valid = probs.every((pr, r) => argMax(pr) === rowTarget[r]);
        const hp = tf.tensor2d(probs);
        const origin = tf.range(0, m, 1, 'int32') as tf.Tensor1D;
        const h = hinge(hp, origin);
        const hs = h.sum();
        const loss = (await hs.data())[0] + restLoss;
        tf.dispose([hp, origin, h, hs]);
        if (valid && Math.abs(loss - prevLoss) < (options.lossDiffThreshold ?? 1e-5) * 50) break;
        prevLoss = loss;
      }
    }
  } finally {
    hot.dispose();
  }
  for (let r = 0; r < m; r++) projectRow(cur, x0, r, c);
  let pred = (await predictProbabilities(model, cur, m, [d])).map(argMax);
  calls++;
  // rounding a relaxed one-hot group can lose the class: try every level of each free group (one batched call)
  const repairs: { r: number; g: readonly number[]; j: number }[] = [];
  for (let r = 0; r < m; r++) if (pred[r] !== rowTarget[r]) for (const g of c.groups) if (!g.some((j) => c.frozen[j])) for (const j of g) repairs.push({ r, g, j });
  if (repairs.length) {
    const trial = new Float32Array(repairs.length * d);
    repairs.forEach(({ r, g, j }, t) => { trial.set(cur.subarray(r * d, (r + 1) * d), t * d); for (const h of g) trial[t * d + h] = h === j ? 1 : 0; });
    const tp = (await predictProbabilities(model, trial, repairs.length, [d])).map(argMax);
    calls++;
    repairs.forEach(({ r }, t) => { if (pred[r] !== rowTarget[r] && tp[t] === rowTarget[r]) { cur.set(trial.subarray(t * d, (t + 1) * d), r * d); pred[r] = tp[t]; } });
  }
  if (options.posthocSparsity ?? true) {
    const units: number[][] = [...c.groups.map((g) => [...g]), ...Array.from({ length: d }, (_, j) => [j]).filter(([j]) => !c.groups.some((g) => g.includes(j)))];
    const orders = Array.from({ length: m }, (_, r) => units
      .map((u) => ({ u, size: u.reduce((s, j) => s + Math.abs(cur[r * d + j] - x0[r * d + j]) / c.mad[j], 0) }))
      .filter((e) => e.size > 0).sort((a, b) => a.size - b.size).map((e) => e.u));
    for (let step = 0; step < units.length; step++) {
      const trial = Float32Array.from(cur);
      let any = false;
      for (let r = 0; r < m; r++) {
        const u = orders[r][step];
        if (!u || pred[r] !== rowTarget[r]) continue;
        for (const j of u) trial[r * d + j] = x0[r * d + j];
        any = true;
      }
      if (!any) break;
      const tp = (await predictProbabilities(model, trial, m, [d])).map(argMax);
      calls++;
      for (let r = 0; r < m; r++) if (orders[r][step] && pred[r] === rowTarget[r] && tp[r] === rowTarget[r]) for (const j of orders[r][step]) cur[r * d + j] = x0[r * d + j];
    }
    pred = (await predictProbabilities(model, cur, m, [d])).map(argMax);
    calls++;
  }
  const { norms, changed, changes } = featureChanges(cur, x0, m, c, options.tolerance);
  const diversity: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    let pairs = 0;
    for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++, pairs++) for (let j = 0; j < d; j++) s += Math.abs(cur[(i * k + a) * d + j] - cur[(i * k + b) * d + j]) / c.mad[j] / d;
    diversity.push(pairs ? s / pairs : 0);
  }
  return {
    kind: 'attack', method: 'dice', shape: [d], inputs: Array.from(cur),
    originalPredictions: rowTarget.map((_, r) => original[Math.floor(r / k)]), predictions: pred, norms,
    meta: {
      query: rowTarget.map((_, r) => Math.floor(r / k)), count: k, target: rowTarget, valid: pred.map((p, r) => p === rowTarget[r]),
      changed, changes: changes as unknown as JsonValue, diversity, sparsity: changed.map((ch) => ch.length),
      featureNames: [...c.names], iterations, modelCalls: calls,
    },
  };
}

function clip(cur: Float32Array, x0: Float32Array, r: number, frozen: readonly boolean[], ranges: readonly (readonly [number, number])[], d: number): void {
  for (let j = 0; j < d; j++) {
    const p = r * d + j;
    cur[p] = frozen[j] ? x0[p] : Math.min(ranges[j][1], Math.max(ranges[j][0], cur[p]));
  }
}
