/**
 * Objectives of feature visualisation (Lucid's `objectives`): what the optimised image should
 * maximise. An objective names the layers it reads and maps the image batch, the captured layer
 * outputs and the model's output to one scalar. Sums and weighted combinations are objectives too,
 * and regularisers (regularisers.ts) are objectives of the image alone, added with negative weights.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';

/** What an objective reads: the (untransformed) image batch, captured layers, the model's output. */
export interface ObjectiveInputs {
  readonly image: tf.Tensor4D;
  readonly captured: Readonly<Record<string, tf.Tensor>>;
  readonly output: tf.Tensor;
}

/** A scalar to maximise, with the layers it needs captured (and whether it reads the output). */
export interface Objective {
  readonly name: string;
  readonly layers: readonly string[];
  value(inputs: ObjectiveInputs): tf.Scalar;
}

/** A captured layer, checked to have a channel axis last. */
function layerOf(inputs: ObjectiveInputs, layer: string): tf.Tensor {
  const t = inputs.captured[layer];
  check(t !== undefined, 'layer', () => `objective: layer '${layer}' was not captured`);
  return t;
}

/** Rows `batch` (or all) of `t`. */
function rows(t: tf.Tensor, batch: number | undefined): tf.Tensor {
  return batch === undefined ? t : tf.slice(t, batch, 1);
}

/** Options shared by unit objectives: restrict to one image of the batch (Lucid's `batch=`). */
export interface UnitObjectiveOptions {
  /** Only this image of the batch counts (e.g. one channel per image in a grid). */
  readonly batch?: number;
}

/**
 * One neuron: channel `channel` of `layer` at spatial position `[y, x]` (default the centre, as
 * Lucid's `neuron`); for a dense layer `[N, units]`, unit `channel`. Summed over the batch.
 */
export function neuronObjective(layer: string, channel: number, options: UnitObjectiveOptions & { readonly position?: readonly [number, number] } = {}): Objective {
  return {
    name: `neuron ${layer}:${channel}`, layers: [layer],
    value: (inputs) => tf.tidy(() => {
      const t = rows(layerOf(inputs, layer), options.batch);
      if (t.rank === 2) return tf.sum(tf.slice(t, [0, channel], [-1, 1]));
      check(t.rank === 4, 'layer', () => `neuronObjective: expected '${layer}' to be [N, H, W, C] or [N, C]; found [${t.shape}]`);
      const [y, x] = options.position ?? [Math.floor(t.shape[1]! / 2), Math.floor(t.shape[2]! / 2)];
      return tf.sum(tf.slice(t, [0, y, x, channel], [-1, 1, 1, 1]));
    }) as tf.Scalar,
  };
}

/** One channel of `layer`: its mean over positions, summed over the batch (Lucid's `channel`). */
export function channelObjective(layer: string, channel: number, options: UnitObjectiveOptions = {}): Objective {
  return {
    name: `channel ${layer}:${channel}`, layers: [layer],
    value: (inputs) => tf.tidy(() => {
      const t = rows(layerOf(inputs, layer), options.batch);
      const c = tf.slice(t, [...Array(t.rank - 1).fill(0), channel], [...Array(t.rank - 1).fill(-1), 1]);
      return tf.sum(tf.mean(c, Array.from({ length: t.rank - 2 }, (_, i) => i + 1)));
    }) as tf.Scalar,
  };
}

/** DeepDream (Mordvintsev et al. 2015; Lucid's `deepdream`): the mean square of the whole layer. */
export function layerObjective(layer: string, options: UnitObjectiveOptions = {}): Objective {
  return {
    name: `deepdream ${layer}`, layers: [layer],
    value: (inputs) => tf.tidy(() => tf.mean(tf.square(rows(layerOf(inputs, layer), options.batch)))) as tf.Scalar,
  };
}

/** A class's logit (the model's output `[N, classes]` at `cls`), summed over the batch. */
export function classObjective(cls: number, options: UnitObjectiveOptions = {}): Objective {
  return {
    name: `class ${cls}`, layers: [],
    value: (inputs) => tf.tidy(() => {
      const out = rows(inputs.output, options.batch);
      check(out.rank === 2 && cls >= 0 && cls < out.shape[1]!, 'target', () => `classObjective: class must be in 0…${out.shape[1]! - 1} of an output [N, classes]; found ${cls} for [${out.shape}]`);
      return tf.sum(tf.slice(out, [0, cls], [-1, 1]));
    }) as tf.Scalar,
  };
}

/**
 * A direction in a layer's channel space (e.g. a concept activation vector): the mean over
 * positions of the activations' dot product with `vector`, summed over the batch (Lucid's `direction`).
 */
export function directionObjective(layer: string, vector: readonly number[], options: UnitObjectiveOptions = {}): Objective {
  return {
    name: `direction ${layer}`, layers: [layer],
    value: (inputs) => tf.tidy(() => {
      const t = rows(layerOf(inputs, layer), options.batch);
      const c = t.shape[t.rank - 1]!;
      check(vector.length === c, 'shape', () => `directionObjective: the vector must have one entry per channel of '${layer}' (${c}); found ${vector.length}`);
      const dots = tf.sum(tf.mul(t, tf.tensor1d(Float32Array.from(vector))), -1);
      return tf.sum(tf.mean(dots.reshape([t.shape[0]!, -1]), 1));
    }) as tf.Scalar,
  };
}

/**
 * Diversity (Olah et al. 2017; Lucid's `diversity`): minus the mean cosine similarity between the
 * Gram (style) matrices of the batch's images at `layer`, so images of one batch differ. Needs a
 * batch of at least 2.
 */
export function diversityObjective(layer: string): Objective {
  return {
    name: `diversity ${layer}`, layers: [layer],
    value: (inputs) => tf.tidy(() => {
      const t = layerOf(inputs, layer);
      const n = t.shape[0]!;
      check(n >= 2, 'option', () => `diversityObjective: needs a batch of at least 2 images; found ${n}`);
      const c = t.shape[t.rank - 1]!;
      const flat = t.reshape([n, -1, c]);
      const grams = tf.matMul(flat, flat, true, false).reshape([n, c * c]);
      const unit = tf.div(grams, tf.add(tf.norm(grams, 'euclidean', 1, true), 1e-8));
      const sims = tf.matMul(unit, unit, false, true);
      const offDiagonal = tf.sub(tf.sum(sims), tf.sum(tf.mul(sims, tf.eye(n))));
      return tf.neg(tf.div(offDiagonal, n));
    }) as tf.Scalar,
  };
}

/** Σ weight · objective (Lucid's `+` and `*` on objectives); regularisers enter with negative weights. */
export function sumObjectives(terms: readonly (readonly [Objective, number])[]): Objective {
  check(terms.length >= 1, 'option', () => 'sumObjectives: expected at least one [objective, weight] term; found none');
  return {
    name: terms.map(([o, w]) => (w === 1 ? o.name : `${w}·${o.name}`)).join(' + '),
    layers: [...new Set(terms.flatMap(([o]) => o.layers))],
    value: (inputs) => tf.tidy(() => tf.addN(terms.map(([o, w]) => tf.mul(o.value(inputs), w)))) as tf.Scalar,
  };
}
