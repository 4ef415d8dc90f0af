/**
 * TCAV, Testing with Concept Activation Vectors (Kim et al. 2018). For a layer l and a class k:
 * each concept's CAV v (cav.ts) against a random set; the directional derivative of the class logit
 * along it, S(x) = ∇h_k(f_l(x)) · v, for each example x of the class; the TCAV score is the share of
 * examples with S(x) > 0, and the magnitude variant Σ max(S, 0) / Σ |S|. Repeated over `runs` random
 * sets, and the same for random-vs-random CAVs (a random set as the "concept"): a two-sided Student
 * t-test of the concept's scores against the random ones tells a concept from chance, with Bonferroni
 * or Holm correction across concepts as an option.
 *
 * Differences from the original code (tensorflow/tcav), stated: the gradient is the class logit's
 * (the paper's h_k), not the loss's with its sign flipped; random sets are drawn, seeded, without
 * replacement from one pool of random examples (the original reads folders random500_0…); each run's
 * null CAV separates two disjoint draws of that pool. Captum's tutorial instead tests a concept's
 * scores against 1 − its own scores of the same runs; this follows the paper and the original.
 */
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { Rng } from '../core/random.js';
import type { ActivationMatrix } from './activation-matrix.js';
import { trainCav, type CavClassifier } from './cav.js';
import { classGradients } from './class-gradients.js';
import { datasetLabels, layerActivations } from './layer-activations.js';
import { selectRows } from './linear-probe.js';
import { correctPValues, tTestIndependent, type MultipleTestCorrection } from './t-test.js';

/** A concept: its name and example inputs (a Dataset; see `datasetFromTensors`, `datasetFromImageFolder`). */
export interface TcavConceptSet {
  readonly name: string;
  readonly data: Dataset;
}

/** Options of `tcav`. */
export interface TcavOptions {
  readonly layer: string;
  readonly class: number;
  readonly concepts: readonly TcavConceptSet[];
  /** Pool of random examples; each run draws its random sets from it. */
  readonly random: Dataset;
  /** Runs against different random sets (default 10). */
  readonly runs?: number;
  /** Examples in a random set (default the smaller of the largest concept set and half the pool). */
  readonly randomSetSize?: number;
  /** Keep only the rows of the class data labelled `class` (default true when they carry labels). */
  readonly filterByLabel?: boolean;
  readonly classifier?: CavClassifier;
  readonly C?: number;
  readonly testFraction?: number;
  readonly correction?: MultipleTestCorrection;
  /** Significance level of the corrected p-values (default 0.05). */
  readonly alpha?: number;
  /** Student's pooled t-test (default) or Welch's. */
  readonly equalVariance?: boolean;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** Per-run numbers of a concept (or of the random-vs-random null). */
export interface TcavRuns {
  readonly scores: readonly number[];
  readonly magnitudes: readonly number[];
  readonly cavAccuracies: readonly number[];
}

/** A concept's TCAV result over the runs. */
export interface TcavConceptResult extends TcavRuns {
  readonly concept: string;
  readonly mean: number;
  /** Standard deviation over runs (ddof 0, as the original's plots). */
  readonly std: number;
  readonly magnitudeMean: number;
  readonly magnitudeStd: number;
  readonly cavAccuracyMean: number;
  readonly tStatistic: number;
  /** Two-sided p of the scores against the random-vs-random scores. */
  readonly pValue: number;
  /** `pValue` after the correction across concepts. */
  readonly pValueCorrected: number;
  /** The same test on the magnitudes (uncorrected). */
  readonly magnitudePValue: number;
  readonly significant: boolean;
}

/** What `tcav` returns. */
export interface TcavResult {
  readonly layer: string;
  readonly class: number;
  readonly classExamples: number;
  readonly runs: number;
  readonly randomSetSize: number;
  readonly classifier: CavClassifier;
  readonly correction: MultipleTestCorrection;
  readonly alpha: number;
  readonly random: TcavRuns & { readonly mean: number; readonly std: number };
  readonly concepts: readonly TcavConceptResult[];
}

/** The TCAV score and magnitude of one direction: derivatives S = G v of the class examples' gradients G. */
export function tcavScore(gradients: ActivationMatrix, direction: ArrayLike<number>): { score: number; magnitude: number; derivatives: Float64Array } {
  check(direction.length === gradients.cols, 'shape', () => `tcavScore: the direction has ${direction.length} units; the gradients ${gradients.cols}`);
  check(gradients.rows > 0, 'input', () => 'tcavScore: no class examples');
  const d = gradients.cols;
  const derivatives = new Float64Array(gradients.rows);
  let positive = 0;
  let pos = 0;
  let abs = 0;
  for (let i = 0; i < gradients.rows; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += gradients.data[i * d + j] * direction[j];
    derivatives[i] = s;
    if (s > 0) { positive++; pos += s; }
    abs += Math.abs(s);
  }
  return { score: positive / gradients.rows, magnitude: abs > 0 ? pos / abs : 0, derivatives };
}

function meanStd(v: readonly number[]): { mean: number; std: number } {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length) };
}

async function activationsAt(model: Model, data: Dataset, layer: string, batchSize: number | undefined, signal: AbortSignal | undefined, what: string): Promise<ActivationMatrix> {
  return (await layerActivations(model, data, [layer], { batchSize, signal, what }))[layer];
}

/** TCAV of each concept for `options.class` at `options.layer` over the examples `data` (see the file comment). Seeded. */
export async function tcav(model: Model, data: Dataset, options: TcavOptions): Promise<TcavResult> {
  const fn = 'tcav';
  const runs = options.runs ?? 10;
  check(Number.isInteger(runs) && runs >= 2, 'option', () => `${fn}: runs must be an integer ≥ 2 (the t-test needs two runs a side); found ${runs}`);
  check(options.concepts.length >= 1, 'option', () => `${fn}: expected at least one concept`);
  const names = options.concepts.map((c) => c.name);
  check(new Set(names).size === names.length, 'option', () => `${fn}: concept names must be distinct; found ${names.join(', ')}`);
  const alpha = options.alpha ?? 0.05;
  check(alpha > 0 && alpha < 1, 'option', () => `${fn}: alpha must lie in (0, 1); found ${alpha}`);
  const correction = options.correction ?? 'none';
  check(['none', 'bonferroni', 'holm'].includes(correction), 'option', () => `${fn}: correction must be 'none', 'bonferroni' or 'holm'; found '${String(correction)}'`);
  const classifier = options.classifier ?? 'logistic';
  const { layer, batchSize, signal } = options;
  const cls = options.class;

  let gradients = await classGradients(model, data, layer, cls, { batchSize, signal, what: fn });
  const filter = options.filterByLabel ?? true;
  if (filter) {
    let labels: number[] | null = null;
    try {
      labels = await datasetLabels(data, fn);
    } catch {
      labels = null; // no labels: every row is an example of the class
    }
    if (labels) {
      const rows = labels.flatMap((l, i) => (l === cls ? [i] : []));
      check(rows.length > 0, 'input', () => `${fn}: no row of the data is labelled ${cls}`);
      gradients = selectRows(gradients, rows);
    }
  }
  const conceptActs = [];
  for (const c of options.concepts) conceptActs.push(await activationsAt(model, c.data, layer, batchSize, signal, `${fn} (concept '${c.name}')`));
  const pool = await activationsAt(model, options.random, layer, batchSize, signal, `${fn} (random)`);
  const largest = Math.max(...conceptActs.map((a) => a.rows));
  const m = options.randomSetSize ?? Math.min(largest, Math.floor(pool.rows / 2));
  check(Number.isInteger(m) && m >= 2 && 2 * m <= pool.rows, 'option', () => `${fn}: each run draws two disjoint random sets of ${m} examples (randomSetSize ≥ 2) from the pool of ${pool.rows}; give a larger pool or a smaller randomSetSize`);

  const cavOptions = { classifier, C: options.C, testFraction: options.testFraction };
  const rng = new Rng(options.seed ?? 0);
  const perConcept = options.concepts.map(() => ({ scores: [] as number[], magnitudes: [] as number[], cavAccuracies: [] as number[] }));
  const nullRuns = { scores: [] as number[], magnitudes: [] as number[], cavAccuracies: [] as number[] };
  for (let r = 0; r < runs; r++) {
    const perm = Array.from(rng.permutation(pool.rows));
    const counterpart = selectRows(pool, perm.slice(0, m).sort((a, b) => a - b));
    const other = selectRows(pool, perm.slice(m, 2 * m).sort((a, b) => a - b));
    conceptActs.forEach((acts, k) => {
      const cav = trainCav(acts, counterpart, { ...cavOptions, seed: rng.nextUint32() });
      const s = tcavScore(gradients, cav.direction);
      perConcept[k].scores.push(s.score);
      perConcept[k].magnitudes.push(s.magnitude);
      perConcept[k].cavAccuracies.push(cav.accuracy);
    });
    const cav = trainCav(other, counterpart, { ...cavOptions, seed: rng.nextUint32() });
    const s = tcavScore(gradients, cav.direction);
    nullRuns.scores.push(s.score);
    nullRuns.magnitudes.push(s.magnitude);
    nullRuns.cavAccuracies.push(cav.accuracy);
  }
  const equalVariance = options.equalVariance ?? true;
  const tests = perConcept.map((c) => tTestIndependent(c.scores, nullRuns.scores, { equalVariance }));
  const corrected = correctPValues(tests.map((t) => t.pValue), correction);
  const concepts = perConcept.map((c, k): TcavConceptResult => {
    const sc = meanStd(c.scores);
    const mg = meanStd(c.magnitudes);
    return {
      concept: names[k], ...c,
      mean: sc.mean, std: sc.std, magnitudeMean: mg.mean, magnitudeStd: mg.std,
      cavAccuracyMean: meanStd(c.cavAccuracies).mean,
      tStatistic: tests[k].statistic, pValue: tests[k].pValue, pValueCorrected: corrected[k],
      magnitudePValue: tTestIndependent(c.magnitudes, nullRuns.magnitudes, { equalVariance }).pValue,
      significant: corrected[k] < alpha,
    };
  });
  return {
    layer, class: cls, classExamples: gradients.rows, runs, randomSetSize: m, classifier, correction, alpha,
    random: { ...nullRuns, ...meanStd(nullRuns.scores) },
    concepts,
  };
}
