import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import type { Explainer, MetricOptions, MetricResult } from './result.js';
import { explainRows, finiteMean, geometryOf, metricResult, prepareMetric } from './shared.js';
import { explanationSimilarity, type SimilarityMeasure } from './similarity.js';

/**
 * What the metric needs to randomise a model's parameters in place: the layers that have
 * parameters (input to output), and a function that re-draws some of them and returns the undo.
 */
export interface ParameterRandomizer {
  readonly layers: readonly string[];
  randomize(layers: readonly string[], seed: number): () => void;
}

/**
 * A ParameterRandomizer for a tf.LayersModel (the one behind the Model given to the metric, e.g. by
 * `fromLayersModel`): each weight is re-drawn from N(0, σ²), σ the standard deviation of the
 * original weight (0.05 when it is constant); the undo restores the original values.
 */
export function layersModelRandomizer(layersModel: tf.LayersModel): ParameterRandomizer {
  const withWeights = layersModel.layers.filter((l) => l.getWeights().length > 0);
  return {
    layers: withWeights.map((l) => l.name),
    randomize(names, seed) {
      const rng = new Rng(seed);
      const saved: { layer: tf.layers.Layer; weights: tf.Tensor[] }[] = [];
      for (const layer of withWeights.filter((l) => names.includes(l.name))) {
        const weights = layer.getWeights().map((w) => w.clone());
        saved.push({ layer, weights });
        const fresh = weights.map((w) => {
          const data = Float64Array.from(w.dataSync());
          const mean = data.reduce((s, v) => s + v, 0) / data.length;
          const std = Math.sqrt(data.reduce((s, v) => s + (v - mean) ** 2, 0) / data.length) || 0.05;
          return tf.tensor(rng.normals(w.size, 0, std), w.shape);
        });
        layer.setWeights(fresh);
        tf.dispose(fresh);
      }
      return () => {
        for (const { layer, weights } of saved) {
          layer.setWeights(weights);
          tf.dispose(weights);
        }
      };
    },
  };
}

/** Options of `modelParameterRandomisation`. */
export interface ModelParameterRandomisationOptions extends MetricOptions {
  /** Randomises the parameters of the model given to the metric (e.g. `layersModelRandomizer(lm)`). */
  readonly randomizer: ParameterRandomizer;
  /** 'cascading' (default): randomise from the output layer down, cumulatively; 'independent': one layer at a time. */
  readonly mode?: 'cascading' | 'independent';
  /** Similarity of the original and randomised explanations (default 'spearman'). */
  readonly similarity?: SimilarityMeasure;
  /** Compare absolute values (default true, as Adebayo et al.). */
  readonly abs?: boolean;
}

/**
 * Model parameter randomisation test (Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS
 * 2018): explains the model with its layers' parameters randomised, top layer first, and measures
 * the similarity to the original explanation (`curves`: one value per step). The score is the
 * similarity with every layer randomised (cascading) or the mean over layers (independent): an
 * explanation that depends on the model scores low (lower is better).
 */
export async function modelParameterRandomisation(model: Model, input: tf.Tensor, method: Explainer, options: ModelParameterRandomisationOptions): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'modelParameterRandomisation');
  const r = options.randomizer;
  check(r && Array.isArray(r.layers) && r.layers.length > 0, 'option', () => `${ctx.fn}: needs options.randomizer with at least one layer (e.g. layersModelRandomizer(layersModel))`);
  const g = geometryOf(model, ctx.features);
  const measure = options.similarity ?? 'spearman';
  const abs = options.abs ?? true;
  const examples = Int32Array.from({ length: ctx.n }, (_, i) => i);
  const prep = (v: Float32Array[]): Float32Array[] => (abs ? v.map((a) => a.map(Math.abs)) : v);
  const original = prep(await explainRows(ctx, method, input, examples));
  const topDown = [...r.layers].reverse();
  const seed = options.seed ?? DEFAULT_SEED;
  const curves: number[][] = original.map(() => []);
  for (let k = 0; k < topDown.length; k++) {
    const names = options.mode === 'independent' ? [topDown[k]] : topDown.slice(0, k + 1);
    const undo = r.randomize(names, seed + k);
    try {
      const e = prep(await explainRows(ctx, method, input, examples));
      e.forEach((v, i) => curves[i].push(explanationSimilarity(original[i], v, measure, g)));
    } finally {
      undo();
    }
  }
  const scores = curves.map((c) => (options.mode === 'independent' ? finiteMean(c) : c[c.length - 1]));
  return metricResult(ctx, 'model-parameter-randomisation', 'lower', scores, { curves, details: { layers: topDown } });
}
