/**
 * Shapley values of a disparity (Begley, Schwedes, Frye & Feige, "Explainability for fair machine
 * learning", 2020; Lundberg, "Explaining quantitative measures of fairness", 2020): the players are
 * the features (one-hot columns `name=level` play as one), and the game is
 *   v(S) = disparity of the decisions made with the features in S kept and the others drawn from
 *          background rows (interventional: each row's decision averaged over the background),
 * measured on the dataset's rows with their own groups and labels. v(F) is the model's disparity
 * and v(∅) that of one constant decision (0 for every difference metric), so the values add up to
 * the disparity (efficiency). Exact over all 2^K coalitions for few players; otherwise the mean
 * over seeded random orderings of each player's marginal contribution (Castro et al. 2009).
 * Every coalition's rows go through the model `batchSize` rows per call, coalitions packed together.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';
import type { AttributionExplanation } from '../core/explanation.js';
import { outputKindOf, type Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import type { Comparison, FairnessConvention } from './disparities.js';
import { privilegedGroup } from './fairness-metrics.js';
import { modelOutcomes, type OutcomeOptions } from './model-outcomes.js';
import { sensitiveGroups, type SensitiveAttribute } from './sensitive-groups.js';
import { needsLabels, SOFT_DISPARITIES, softDisparity, type SoftDisparity } from './soft-disparity.js';

/** Options of disparityShapley. */
export interface DisparityShapleyOptions extends OutcomeOptions {
  readonly sensitive: SensitiveAttribute;
  /** Default 'demographic parity difference'. */
  readonly metric?: SoftDisparity;
  /** Default 'fairlearn' (max − min over groups); 'aif360' is signed unprivileged − privileged. */
  readonly convention?: FairnessConvention;
  readonly privileged?: string | number;
  /** Background rows drawn (seeded, without replacement) from the data (default 32). */
  readonly background?: number;
  /** 'exact' (≤ 12 players), 'permutation' (sampled), or 'auto' (default: exact up to 10 players). */
  readonly estimator?: 'auto' | 'exact' | 'permutation';
  /** Orderings of the 'permutation' estimator (default 64). */
  readonly permutations?: number;
  readonly seed?: number;
}

/** Most players the exact estimator enumerates (2^12 coalitions). */
export const EXACT_DISPARITY_PLAYERS = 12;

/** The players: a one-hot family `name=…` is one player, any other column its own. */
export function featurePlayers(columns: number, names: readonly string[] | undefined): { names: string[]; columns: number[][] } {
  const out = new Map<string, number[]>();
  for (let c = 0; c < columns; c++) {
    const n = names?.[c] ?? `feature ${c}`;
    const key = n.includes('=') ? n.slice(0, n.indexOf('=')) : n;
    out.set(key, [...(out.get(key) ?? []), c]);
  }
  return { names: [...out.keys()], columns: [...out.values()] };
}

/** Shapley weight |S|!(K − |S| − 1)!/K! of a coalition of size s among K players. */
function shapleyWeight(s: number, K: number): number {
  let w = 1 / K;
  for (let i = 1; i <= s; i++) w *= i / (K - s - 1 + i);
  return w;
}

/**
 * The Shapley values of `metric` over the features of a tabular `data` for `model`'s decisions:
 * an `'attribution'` explanation of shape [players] (featureNames: the players), with `meta`
 * holding the disparity v(F), v(∅), the efficiency gap Σφ − (v(F) − v(∅)) and the model calls.
 */
export async function disparityShapley(model: Model, data: Dataset, options: DisparityShapleyOptions): Promise<AttributionExplanation> {
  const fn = 'disparityShapley';
  const { metric = 'demographic parity difference', convention = 'fairlearn', background = 32, estimator = 'auto', permutations = 64, seed = DEFAULT_SEED, batchSize = 16_384, threshold } = options;
  check(SOFT_DISPARITIES.includes(metric), 'option', () => `${fn}: metric must be one of ${SOFT_DISPARITIES.join(', ')}; found ${JSON.stringify(metric)}`);
  check(convention === 'fairlearn' || convention === 'aif360', 'option', () => `${fn}: convention must be 'fairlearn' or 'aif360'; found ${JSON.stringify(convention)}`);
  check(Number.isInteger(background) && background >= 1, 'option', () => `${fn}: background must be a positive integer; found ${background}`);
  check(['auto', 'exact', 'permutation'].includes(estimator), 'option', () => `${fn}: estimator must be 'auto', 'exact' or 'permutation'; found ${JSON.stringify(estimator)}`);
  check(Number.isInteger(permutations) && permutations >= 1, 'option', () => `${fn}: permutations must be a positive integer; found ${permutations}`);
  check(data.inputShape.length === 1, 'input', () => `${fn}: expected a tabular dataset (rows [features]); found input shape [${data.inputShape.join(', ')}]`);
  const o = await modelOutcomes(model, data, options, fn);
  const table = o.table as NonNullable<typeof o.table>;
  check(!needsLabels(metric) || o.labels !== undefined, 'input', () => `${fn}: '${metric}' needs a dataset with labels`);
  const g = sensitiveGroups(options.sensitive, data.size, table, fn);
  check(g.names.length >= 2, 'input', () => `${fn}: expected at least two groups; found ${g.names.length} (${g.names.join(', ')})`);
  check(convention !== 'aif360' || options.privileged !== undefined, 'option', () => `${fn}: the 'aif360' convention needs privileged (a group name)`);
  const privileged = privilegedGroup(options.privileged, g.names, fn);
  const cmp: Comparison = { convention, ...(privileged !== undefined ? { privileged } : {}) };
  const players = featurePlayers(table.columns, table.featureNames);
  const K = players.names.length;
  const exact = estimator === 'exact' || (estimator === 'auto' && K <= 10);
  check(!exact || K <= EXACT_DISPARITY_PLAYERS, 'option', () => `${fn}: the exact estimator enumerates at most ${EXACT_DISPARITY_PLAYERS} players (2^${EXACT_DISPARITY_PLAYERS} coalitions); found ${K}: use estimator 'permutation'`);
  const N = data.size;
  const F = table.columns;
  const rng = new Rng(seed);
  const B = Math.min(background, N);
  const bg = rng.permutation(N).subarray(0, B);
  const score = metric === 'mean score difference';
  const positive = o.positiveClass;
  const values = new Map<string, number>();
  let calls = 0;

  /** v(S) of every mask not yet known; the rows of several coalitions share model calls. */
  async function evaluate(masks: readonly Uint8Array[]): Promise<void> {
    const todo = [...new Map(masks.map((m) => [m.join(''), m])).entries()].filter(([k]) => !values.has(k));
    if (todo.length === 0) return;
    const soft = todo.map(() => new Float64Array(N));
    const keep = todo.map(([, m]) => {
      const cols = new Uint8Array(F);
      m.forEach((on, p) => { if (on) for (const c of players.columns[p]) cols[c] = 1; });
      return cols;
    });
    const total = todo.length * N * B;
    for (let start = 0; start < total; start += batchSize) {
      if (options.signal?.aborted) throw new LumenError('aborted', `${fn}: aborted`);
      const rows = Math.min(batchSize, total - start);
      const x = new Float32Array(rows * F);
      for (let r = 0; r < rows; r++) {
        const flat = start + r;
        const t = Math.floor(flat / (N * B));
        const i = Math.floor((flat % (N * B)) / B);
        const b = bg[flat % B];
        for (let c = 0; c < F; c++) x[r * F + c] = table.values[(keep[t][c] ? i : b) * F + c];
      }
      const p = await positiveScores(model, tf.tensor2d(x, [rows, F]), positive);
      calls++;
      for (let r = 0; r < rows; r++) {
        const flat = start + r;
        const t = Math.floor(flat / (N * B));
        const i = Math.floor((flat % (N * B)) / B);
        const d = score ? p.scores[r] : threshold !== undefined ? Number(p.scores[r] >= threshold) : p.argmaxIsPositive[r];
        soft[t][i] += d / B;
      }
    }
    todo.forEach(([k], t) => values.set(k, softDisparity(metric, soft[t], g.groups, g.names.length, o.labels, cmp)));
  }
  const value = (m: Uint8Array): number => values.get(m.join('')) as number;

  const phi = new Float64Array(K);
  if (exact) {
    const masks = Array.from({ length: 2 ** K }, (_, s) => Uint8Array.from({ length: K }, (_, p) => (s >> p) & 1));
    await evaluate(masks);
    for (const m of masks) {
      const size = m.reduce((a, b) => a + b, 0);
      for (let p = 0; p < K; p++) {
        if (m[p]) continue;
        const w = m.slice();
        w[p] = 1;
        phi[p] += shapleyWeight(size, K) * (value(w) - value(m));
      }
    }
  } else {
    for (let r = 0; r < permutations; r++) {
      const order = rng.permutation(K);
      const prefixes = [new Uint8Array(K)];
      for (const p of order) {
        const next = prefixes[prefixes.length - 1].slice();
        next[p] = 1;
        prefixes.push(next);
      }
      await evaluate(prefixes);
      order.forEach((p, k) => { phi[p] += (value(prefixes[k + 1]) - value(prefixes[k])) / permutations; });
    }
  }
  const full = new Uint8Array(K).fill(1);
  const empty = new Uint8Array(K);
  await evaluate([full, empty]);
  const sum = phi.reduce((a, b) => a + b, 0);
  return {
    kind: 'attribution',
    method: 'disparity-shapley',
    shape: [K],
    values: [...phi],
    target: null,
    featureNames: players.names,
    meta: {
      metric,
      convention,
      ...(privileged !== undefined ? { privileged: g.names[privileged] } : {}),
      sensitive: g.source,
      groups: [...g.names],
      disparity: value(full),
      emptyCoalition: value(empty),
      efficiencyGap: sum - (value(full) - value(empty)),
      estimator: exact ? 'exact' : 'permutation',
      ...(exact ? {} : { permutations }),
      coalitions: values.size,
      background: B,
      seed,
      modelCalls: o.calls + calls,
    },
  };
}

/** P(positive class) of each row and whether it is the arg-max; disposes `x`. */
async function positiveScores(model: Model, x: tf.Tensor2D, positive: number): Promise<{ scores: Float32Array; argmaxIsPositive: Uint8Array }> {
  let out: tf.Tensor;
  try {
    out = await model.predict(x);
  } finally {
    x.dispose();
  }
  const n = x.shape[0];
  const probs = tf.tidy(() => {
    const o = out.reshape([n, -1]);
    const logits = outputKindOf(model) === 'logits';
    if (o.shape[1] === 1) {
      const p = logits ? tf.sigmoid(o) : o;
      return tf.concat([tf.sub(1, p), p], 1);
    }
    return logits ? tf.softmax(o) : o;
  });
  out.dispose();
  const k = probs.shape[1] as number;
  const p = await probs.data();
  probs.dispose();
  const scores = new Float32Array(n);
  const arg = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
    scores[i] = Math.min(1, Math.max(0, p[i * k + positive]));
    arg[i] = Number(best === positive);
  }
  return { scores, argmaxIsPositive: arg };
}
