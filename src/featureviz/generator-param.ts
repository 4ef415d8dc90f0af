/**
 * Feature visualisation in a generator's code space (Nguyen et al. 2016, "Synthesizing the
 * preferred inputs for neurons in neural networks via deep generator networks", DGN-AM): the
 * optimised variable is a code `z` `[N, codeSize]` and the image is `decoder(z)`, so every image
 * lies on the generator's learnt image manifold. Codes start at `N(0, sd²)` (a VAE's prior, sd 1)
 * and are clipped to `±clip` after each step, as DGN-AM bounds its code to the range seen in
 * training (here ±3 prior standard deviations).
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { Rng } from '../core/random.js';
import type { ImageParam } from './image-param.js';

/** A generator: a differentiable decoder from codes `[N, codeSize]` to images `[N, H, W, C]` in [0, 1]. */
export interface Generator {
  readonly decoder: Model;
  /** Standard deviation of the initial codes (default 1). */
  readonly sd?: number;
  /** Codes are clipped to [−clip, clip] after each step (default 3; Infinity: no clipping). */
  readonly clip?: number;
}

/** An ImageParam with a `project()` step that clips the code (called after each optimiser step). */
export interface GeneratorParam extends ImageParam {
  project(): void;
}

/**
 * The code-space parameterisation of `[batch, H, W, C]` images through `generator.decoder` (see
 * the file comment); its initial codes are drawn from `seed`. Decoder outputs are clipped to [0, 1].
 */
export function generatorParam(generator: Generator, shape: readonly [number, number, number, number], seed: number): GeneratorParam {
  const fn = 'generatorParam';
  const { decoder } = generator;
  const [n, h, w, c] = shape;
  check(decoder.differentiable, 'not-differentiable', () => `${fn}: the decoder must be differentiable; '${decoder.name}' is a black box`);
  check(decoder.inputShape.length === 1, 'shape', () => `${fn}: the decoder must take codes [codeSize]; it takes [${decoder.inputShape}]`);
  const out = decoder.outputShape;
  check(out.length === 3 && out[0] === h && out[1] === w && out[2] === c, 'shape', () => `${fn}: the decoder must make images [${h}, ${w}, ${c}] (the model's input); it makes [${out}]`);
  const sd = generator.sd ?? 1;
  const clip = generator.clip ?? 3;
  check(sd > 0 && clip > 0, 'option', () => `${fn}: sd and clip must be positive; found ${sd}, ${clip}`);
  const code = decoder.inputShape[0];
  const init = tf.tensor2d(new Rng(seed).normals(n * code, 0, sd), [n, code]);
  const clipped = tf.clipByValue(init, -clip, clip);
  const z = tf.variable(clipped, true);
  tf.dispose([init, clipped]);
  return {
    variables: [z],
    shape: [n, h, w, c],
    image: () => tf.tidy(() => tf.clipByValue(decoder.run(z).output, 0, 1).reshape([n, h, w, c]) as tf.Tensor4D),
    project: () => {
      if (Number.isFinite(clip)) tf.tidy(() => z.assign(tf.clipByValue(z, -clip, clip)));
    },
    dispose: () => z.dispose(),
  };
}
