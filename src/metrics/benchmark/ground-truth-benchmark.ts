/**
 * The ground-truth benchmark: which attribution method finds the evidence the model really uses.
 */
import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../core/attribution.js';
import { check, LumenError } from '../../core/errors.js';
import type { MethodInfo, MethodOptions } from '../../core/method-info.js';
import type { Model } from '../../core/model.js';
import { localMethodById, METHODS } from '../../methods.js';
import { rankScores } from '../rank-scores.js';
import { metricById } from '../registry.js';
import type { MetricDirection } from '../result.js';
import { relevanceMassAccuracy } from '../relevance-mass-accuracy.js';
import { groundTruthTensor, type GroundTruthData } from './ground-truth-data.js';

/** The localisation metrics the benchmark computes by default: Lumen's that take masks, but attribution localisation (on magnitudes it equals relevance mass accuracy). */
export const GROUND_TRUTH_METRICS = ['pointing-game', 'top-k-intersection', 'relevance-mass-accuracy', 'relevance-rank-accuracy', 'localisation-auc'];

/** Options of `groundTruthBenchmark`. */
export interface GroundTruthBenchmarkOptions {
  /** Method ids (default: every registry method that is local, takes images and needs no layer). */
  readonly methods?: readonly string[];
  /** Localisation metric ids (default GROUND_TRUTH_METRICS). */
  readonly metrics?: readonly string[];
  /** Options per method id, passed to the method (e.g. `{ 'integrated-gradients': { steps: 32 } }`). */
  readonly methodOptions?: Readonly<Record<string, MethodOptions>>;
  readonly seed?: number;
  /** Rows per model call of the metrics and methods. */
  readonly batchSize?: number;
  /**
   * Score the magnitude of the attributions (default true: evidence for and against the label both
   * count as found) or their signed values (false: each metric's own convention).
   */
  readonly abs?: boolean;
  /** k of top-k intersection (default: the mean area of the evidence boxes, in pixels). */
  readonly k?: number;
  /** Keep the pixel maps (attributions summed over channels) of the first `keepMaps` images (default 0). */
  readonly keepMaps?: number;
  /** Called with a line per finished step. */
  readonly log?: (line: string) => void;
}

/** One method's score on one benchmark metric. */
export interface GroundTruthScore {
  readonly method: string;
  readonly aggregate: number;
  readonly scores: readonly number[];
  readonly rank: number;
}

/** What `groundTruthBenchmark` returns. */
export interface GroundTruthBenchmarkResult {
  readonly examples: number;
  /** The model's accuracy on the images, without the digit (chance is 0.1), and without the distractors. */
  readonly accuracy: { readonly images: number; readonly withoutRegion: number; readonly withoutDistractors: number };
  readonly methods: readonly string[];
  /** Methods that could not run on the model (they threw a LumenError), with the reason. */
  readonly skipped: readonly { readonly method: string; readonly reason: string }[];
  /** Per metric, every method's score and rank; the last row, 'distractor-mass', is the share of relevance on the distractors (relevance mass on their masks). */
  readonly metrics: readonly { readonly id: string; readonly title: string; readonly direction: MetricDirection; readonly results: readonly GroundTruthScore[] }[];
  /** Each method's mean rank over the metrics (1 = best everywhere). */
  readonly meanRank: Readonly<Record<string, number>>;
  /** Per method, the pixel maps of the first `keepMaps` images (row-major H × W). */
  readonly maps: Readonly<Record<string, readonly (readonly number[])[]>>;
}

/** Whether a registry method applies to an image model without extra arguments. */
export function benchmarkApplies(m: MethodInfo): boolean {
  return m.scope === 'local' && m.layer !== 'required' && (m.inputKinds.includes('image') || m.inputKinds.includes('any'));
}

async function accuracyOf(model: Model, x: tf.Tensor, labels: Int32Array): Promise<number> {
  const out = await model.predict(x);
  const pred = tf.tidy(() => out.reshape([labels.length, -1]).argMax(1).dataSync());
  out.dispose();
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
  return ok / labels.length;
}

/**
 * Runs every method on the benchmark images, explaining each image's true label, and scores the
 * attributions with localisation metrics against the digit's box (the region that decides the
 * label by construction), plus the share of relevance that falls on the distractors
 * (relevance mass on their masks; lower is better). The model's accuracy without the digit and
 * without the distractors shows which evidence it uses. Methods are ranked per metric.
 */
export async function groundTruthBenchmark(model: Model, data: GroundTruthData, options: GroundTruthBenchmarkOptions = {}): Promise<GroundTruthBenchmarkResult> {
  const s = data.size;
  check(model.inputShape.join() === [s, s, 1].join(), 'model', () => `groundTruthBenchmark: the model must take [${s},${s},1] images; found [${model.inputShape}]`);
  const methods = (options.methods ?? METHODS.filter(benchmarkApplies).map((m) => m.id)).map((id) => localMethodById(id));
  const metrics = (options.metrics ?? GROUND_TRUTH_METRICS).map(metricById);
  for (const m of metrics) check(m.category === 'localisation' && m.needs.includes('masks'), 'option', () => `groundTruthBenchmark: '${m.id}' is not a localisation metric with masks`);
  const log = options.log ?? (() => {});
  const x = groundTruthTensor(data);
  const masks = tf.tensor4d(data.regions, [data.count, s, s, 1]);
  const distractors = tf.tensor4d(data.distractors, [data.count, s, s, 1]);
  const labels = Array.from(data.labels);
  const common = { target: labels, seed: options.seed, ...(options.batchSize ? { batchSize: options.batchSize } : {}) };
  const abs = options.abs ?? true;
  const k = options.k ?? Math.max(1, Math.round(data.regions.reduce((t, v) => t + v, 0) / data.count));
  const skipped: { method: string; reason: string }[] = [];
  const maps: Record<string, number[][]> = {};
  const rows = [...metrics.map((m) => ({ id: m.id, title: m.title, direction: m.direction, results: [] as Omit<GroundTruthScore, 'rank'>[] })),
    { id: 'distractor-mass', title: 'Relevance mass on distractors', direction: 'lower' as MetricDirection, results: [] as Omit<GroundTruthScore, 'rank'>[] }];
  try {
    const [xr, xd] = [groundTruthTensor(data, data.withoutRegion), groundTruthTensor(data, data.withoutDistractors)];
    const accuracy = { images: await accuracyOf(model, x, data.labels), withoutRegion: await accuracyOf(model, xr, data.labels), withoutDistractors: await accuracyOf(model, xd, data.labels) };
    tf.dispose([xr, xd]);
    const ran: string[] = [];
    for (const method of methods) {
      let a: Attribution;
      try {
        a = await method.run(model, x, { ...common, ...options.methodOptions?.[method.id] });
      } catch (e) {
        if (!(e instanceof LumenError)) throw e;
        skipped.push({ method: method.id, reason: (e as Error).message });
        log(`${method.id}: skipped (${(e as Error).message})`);
        continue;
      }
      try {
        if (a.values.size !== x.size) {
          skipped.push({ method: method.id, reason: `attributions of shape [${a.values.shape}], not the input's` });
          continue;
        }
        ran.push(method.id);
        const keep = Math.min(options.keepMaps ?? 0, data.count);
        if (keep > 0) {
          const px = tf.tidy(() => a.values.slice(0, keep).reshape([keep, s * s, -1]).sum(-1));
          maps[method.id] = (await px.array()) as number[][];
          px.dispose();
        }
        for (let j = 0; j < metrics.length; j++) {
          const r = await metrics[j].run(model, x, a, { ...common, masks, abs, k });
          rows[j].results.push({ method: method.id, aggregate: r.aggregate, scores: r.scores });
          log(`${metrics[j].id} · ${method.id}: ${r.aggregate.toPrecision(4)}`);
        }
        const d = await relevanceMassAccuracy(model, x, a, { ...common, masks: distractors, abs });
        rows[metrics.length].results.push({ method: method.id, aggregate: d.aggregate, scores: d.scores });
      } finally {
        a.dispose();
      }
    }
    const ranked = rows.map((row) => {
      const rk = rankScores(row.results.map((r) => r.aggregate), row.direction);
      return { ...row, results: row.results.map((r, i) => ({ ...r, rank: rk[i] })) };
    });
    const meanRank: Record<string, number> = {};
    for (const id of ran) meanRank[id] = ranked.reduce((t, row) => t + (row.results.find((r) => r.method === id)?.rank ?? 0), 0) / ranked.length;
    return { examples: data.count, accuracy, methods: ran, skipped, metrics: ranked, meanRank, maps };
  } finally {
    tf.dispose([x, masks, distractors]);
  }
}
