/**
 * Feature visualisation by optimisation (Erhan et al. 2009; Olah et al. 2017, "Feature
 * Visualization"; Lucid's `render_vis`): an image parameterisation is optimised with Adam so that
 * an objective of the transformed image's activations grows. Defaults are Lucid's: Fourier basis,
 * decorrelated colour, sigmoid, the standard transforms (scaled for the input size, transforms.ts),
 * Adam with learning rate 0.05 (ε 1e-8, TensorFlow's), 512 steps.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { Progress } from '../core/options.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { yieldToEventLoop } from '../core/yield-to-event-loop.js';
import { withInputGradientsOnly } from '../engine/input-gradients-only.js';
import { releaseTapeOnThrow } from '../engine/release-tape.js';
import { generatorParam, type Generator } from './generator-param.js';
import { imageParam, type ImageParam, type ImageParamOptions } from './image-param.js';
import type { Objective } from './objective.js';
import { randomTransform, scaledTransforms, type TransformOptions } from './transforms.js';

/** Options of `featureVisualization`. */
export interface FeatureVisualizationOptions {
  /** Optimisation steps (default 512). */
  readonly steps?: number;
  /** Adam's learning rate (default 0.05). */
  readonly learningRate?: number;
  /** Images optimised together (default 1). */
  readonly batch?: number;
  /** The parameterisation (default Fourier, decorrelated colour for RGB inputs, sigmoid). */
  readonly param?: ImageParamOptions;
  /** Optimise in this generator's code space instead (generator-param.ts; `param` is then ignored). */
  readonly generator?: Generator;
  /** The per-step transforms: `'standard'` (default; Lucid's, scaled), `'none'`, or explicit sizes. */
  readonly transforms?: 'standard' | 'none' | TransformOptions;
  /** Record the objective's value (on the untransformed image) every this many steps (default 0: start and end only). */
  readonly recordEvery?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/** The optimised images `[batch, H, W, C]` in [0, 1] (the caller disposes them) and the objective's trajectory. */
export interface FeatureVisualization {
  readonly objective: string;
  readonly images: tf.Tensor4D;
  /** `[step, value]` pairs of the objective on the untransformed images, from step 0 to the last. */
  readonly values: readonly (readonly [number, number])[];
  dispose(): void;
}

/** The objective's value on `image` (untransformed), in a tidy scope. */
export function objectiveValue(model: Model, objective: Objective, image: tf.Tensor4D): number {
  return tf.tidy(() => {
    const { output, captured } = model.run(image, { capture: objective.layers });
    return objective.value({ image, captured, output }).dataSync()[0];
  });
}

function checkOptions(model: Model, objective: Objective, steps: number, batch: number): void {
  const fn = 'featureVisualization';
  check(model.differentiable, 'not-differentiable', () => `${fn}: needs a differentiable model; '${model.name}' is a black box`);
  check(model.inputShape.length === 3, 'shape', () => `${fn}: needs image inputs [H, W, C]; the model takes [${model.inputShape}]`);
  check(Number.isInteger(steps) && steps >= 1, 'option', () => `${fn}: steps must be a positive integer; found ${steps}`);
  check(Number.isInteger(batch) && batch >= 1, 'option', () => `${fn}: batch must be a positive integer; found ${batch}`);
  const names = new Set(model.layers.map((l) => l.name));
  for (const layer of objective.layers) {
    check(names.has(layer), 'layer', () => `${fn}: the objective reads layer '${layer}'; the model has ${[...names].join(', ')}`);
  }
}

/**
 * Optimises images that maximise `objective` on `model` (see the file comment). Each step draws one
 * random transform for the batch, runs the model on the transformed images and takes one Adam step
 * on the parameterisation's variables; only input gradients are computed.
 */
export async function featureVisualization(model: Model, objective: Objective, options: FeatureVisualizationOptions = {}): Promise<FeatureVisualization> {
  const steps = options.steps ?? 512;
  const batch = options.batch ?? 1;
  checkOptions(model, objective, steps, batch);
  const [h, w, c] = model.inputShape as [number, number, number];
  const seed = options.seed ?? DEFAULT_SEED;
  const rng = new Rng(seed + 1);
  const transforms = options.transforms ?? 'standard';
  const sizes = transforms === 'standard' ? scaledTransforms(h, w) : transforms === 'none' ? null : transforms;
  const gen = options.generator ? generatorParam(options.generator, [batch, h, w, c], seed) : null;
  const param: ImageParam = gen ?? imageParam([batch, h, w, c], seed, options.param);
  const optimizer = tf.train.adam(options.learningRate ?? 0.05, 0.9, 0.999, 1e-8);
  const every = options.recordEvery ?? 0;
  const values: [number, number][] = [];
  const record = (step: number) => {
    const img = param.image();
    try { values.push([step, objectiveValue(model, objective, img)]); } finally { img.dispose(); }
  };
  try {
    record(0);
    for (let step = 1; step <= steps; step++) {
      if (options.signal?.aborted) throw new LumenError('aborted', `featureVisualization: aborted at step ${step}`);
      const loss = () => {
        const image = param.image();
        const seen = sizes ? randomTransform(image, sizes, rng) : image;
        const { output, captured } = model.run(seen, { capture: objective.layers });
        return tf.neg(objective.value({ image, captured, output })) as tf.Scalar;
      };
      withInputGradientsOnly(() => releaseTapeOnThrow(() => tf.tidy(() => {
        const { grads } = tf.variableGrads(loss, param.variables as tf.Variable[]);
        optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      })));
      gen?.project();
      if ((every > 0 && step % every === 0) || step === steps) {
        if (values[values.length - 1][0] !== step) record(step);
      }
      options.onProgress?.({ done: step, total: steps });
      if (step % 16 === 0) await yieldToEventLoop();
    }
    const images = param.image();
    return { objective: objective.name, images, values, dispose: () => images.dispose() };
  } finally {
    param.dispose();
    optimizer.dispose();
  }
}
