/**
 * Ranking attribution methods with evaluation metrics: every metric of the registry (Quantus'
 * six categories, Hedström et al. JMLR 2023) run for every method on one model and batch of
 * inputs, each method ranked per metric in the metric's direction, and a verdict per method.
 * `lumen evaluate` and the sharded evaluation job (src/jobs/evaluation-job.ts) both use it.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../core/attribution.js';
import { check } from '../core/errors.js';
import { localMethodById } from '../methods.js';
import { layersModelRandomizer } from './model-parameter-randomisation.js';
import { rankScores } from './rank-scores.js';
import { metricById, type MetricInfo, type MetricRunOptions } from './registry.js';
import type { MetricResult } from './result.js';
import type { TrainingSet } from './retraining.js';

/** One method's result on one metric. */
export interface EvaluationScore {
  readonly method: string;
  readonly aggregate: number;
  readonly scores: readonly number[];
  readonly rank: number;
  readonly modelCalls: number;
  readonly seconds: number;
  /** ROAR / KAR: the retrained models' accuracy (`accuracy`) at each fraction of pixels removed or kept. */
  readonly curve?: { readonly fractions: readonly number[]; readonly accuracy: readonly number[] };
}

/** Everything `lumen evaluate` computed. */
export interface Evaluation {
  readonly model: string;
  readonly examples: number;
  readonly methods: readonly string[];
  readonly metrics: readonly { readonly id: string; readonly title: string; readonly category: string; readonly direction: string; readonly results: readonly EvaluationScore[] }[];
  readonly verdicts: Readonly<Record<string, string>>;
}

/** What the evaluation can give metrics beyond the model and inputs. */
export interface EvaluationSupplies {
  readonly masks?: tf.Tensor;
  readonly labels?: ArrayLike<number>;
  readonly layersModel?: tf.LayersModel;
  readonly trainingSet?: () => TrainingSet;
}

/** The options a metric needs from the supplies, or what is missing. */
function metricSupplies(m: MetricInfo, s: EvaluationSupplies): MetricRunOptions | string {
  const out: Record<string, unknown> = {};
  for (const need of m.needs) {
    if (need === 'masks') {
      if (!s.masks) return 'ground-truth masks (use --data bundled:groundtruth:N)';
      out.masks = s.masks;
    } else if (need === 'randomizer') {
      if (!s.layersModel) return 'a tfjs Layers model whose weights can be randomised (a bundled model)';
      out.randomizer = layersModelRandomizer(s.layersModel);
    } else if (need === 'training') {
      if (!s.layersModel || !s.trainingSet || !s.labels) return 'a tfjs Layers model to retrain and a labelled training set (a bundled model with bundled data)';
      Object.assign(out, { layersModel: s.layersModel, train: s.trainingSet(), labels: s.labels });
    } else if (need === 'quadrants') {
      return 'mosaics of quadrants (use the library)';
    }
  }
  return out as MetricRunOptions;
}

/** Runs every metric for every method on the model and data, and ranks the methods. */
export async function evaluateMethods(
  model: Parameters<MetricInfo['run']>[0], x: tf.Tensor, methodIds: readonly string[], metricIds: readonly string[], seed = 0, log: (s: string) => void = () => {},
  supplies: EvaluationSupplies = {},
): Promise<Omit<Evaluation, 'model'>> {
  const metrics = metricIds.map(metricById);
  const extra = new Map<string, MetricRunOptions>();
  for (const m of metrics) {
    const got = metricSupplies(m, supplies);
    check(typeof got !== 'string', 'option', () => `lumen evaluate: metric '${m.id}' needs ${got as string}`);
    extra.set(m.id, got as MetricRunOptions);
  }
  const methods = methodIds.map((id) => localMethodById(id));
  const attributions = new Map<string, Attribution>();
  try {
    for (const m of methods) attributions.set(m.id, await m.run(model, x, { target: 'predicted', seed }));
    const rows: UnrankedMetricRow[] = [];
    for (const metric of metrics) {
      const results: Omit<EvaluationScore, 'rank'>[] = [];
      for (const m of methods) {
        const t0 = performance.now();
        const subject = metric.needs.includes('method') || metric.needs.includes('training') ? m.id : (attributions.get(m.id) as Attribution);
        const r: MetricResult = await metric.run(model, x, subject, { target: 'predicted', seed, ...extra.get(metric.id) });
        const d = r.details as { fractions?: number[]; accuracy?: number[] } | undefined;
        const curve = d?.fractions && d.accuracy ? { curve: { fractions: d.fractions, accuracy: d.accuracy } } : {};
        results.push({ method: m.id, aggregate: r.aggregate, scores: r.scores, modelCalls: r.modelCalls, seconds: (performance.now() - t0) / 1000, ...curve });
        log(`${metric.id} · ${m.id}: ${r.aggregate.toPrecision(4)}`);
      }
      rows.push({ id: metric.id, title: metric.title, category: metric.category, direction: metric.direction, results });
    }
    return rankEvaluation(x.shape[0], methodIds, rows);
  } finally {
    for (const a of attributions.values()) a.dispose();
  }
}

/**
 * One line on a method: its mean rank, the metrics it wins and loses, and the categories where it
 * is strongest and weakest (mean rank per category).
 */
export function verdict(method: string, rows: Evaluation['metrics'], methods: number): string {
  const own = rows.map((row) => ({ row, rank: (row.results.find((r) => r.method === method) as EvaluationScore).rank }));
  const firsts = own.filter((o) => o.rank === 1).map((o) => o.row.id);
  const mean = own.reduce((s, o) => s + o.rank, 0) / Math.max(1, own.length);
  const worst = own.filter((o) => o.rank === methods && methods > 1).map((o) => o.row.id);
  const byCategory = new Map<string, number[]>();
  for (const o of own) byCategory.set(o.row.category, [...(byCategory.get(o.row.category) ?? []), o.rank]);
  const cats = [...byCategory].map(([c, r]) => ({ c, mean: r.reduce((a, b) => a + b, 0) / r.length })).sort((a, b) => a.mean - b.mean);
  const strengths = cats.length > 1 && methods > 1 && cats[0].mean < cats[cats.length - 1].mean ? `; strongest on ${cats[0].c}, weakest on ${cats[cats.length - 1].c}` : '';
  return `mean rank ${mean.toFixed(1)} of ${methods}; best on ${firsts.length}/${own.length}${firsts.length ? ` (${firsts.join(', ')})` : ''}${worst.length ? `; last on ${worst.join(', ')}` : ''}${strengths}`;
}


/** One metric's results before ranking: what a run (or the merge of a job's shards) measured. */
export interface UnrankedMetricRow {
  readonly id: string;
  readonly title: string;
  readonly category: string;
  readonly direction: string;
  readonly results: readonly Omit<EvaluationScore, 'rank'>[];
}

/**
 * Ranks each metric's methods by aggregate in the metric's direction (1 = best; NaN last) and adds
 * every method's verdict.
 */
export function rankEvaluation(examples: number, methods: readonly string[], rows: readonly UnrankedMetricRow[]): Omit<Evaluation, 'model'> {
  const ranked = rows.map((row) => {
    const rk = rankScores(row.results.map((r) => r.aggregate), row.direction === 'lower' ? 'lower' : 'higher');
    return { ...row, results: row.results.map((r, i) => ({ ...r, rank: rk[i] })) };
  });
  const verdicts: Record<string, string> = {};
  for (const m of methods) verdicts[m] = verdict(m, ranked, methods.length);
  return { examples, methods, metrics: ranked, verdicts };
}
