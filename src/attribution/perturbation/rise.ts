import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import type { Baseline } from '../../core/baseline.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { Rng } from '../../core/random.js';
import { maskedPlan, perturbationBaseline, preparePerturbation, scorePerturbations, targetScore } from '../../core/perturbation/perturbation-batcher.js';
import { resizeBilinear } from '../../core/resize-bilinear.js';

/** Options of `rise`; `batchSize` is the number of masked copies per model call. */
export interface RiseOptions extends LocalOptions {
  /** Number of random masks N (default 1000; the paper uses 4000–8000 on ImageNet). */
  readonly samples?: number;
  /** Side s of the binary grid before upsampling (default 7). */
  readonly gridSize?: number;
  /** Probability p that a grid cell keeps the image (default 0.5). */
  readonly probability?: number;
  /** What masked-out pixels become — every Baseline kind (default `'zeros'`: x ⊙ M as in the paper). */
  readonly baseline?: Baseline;
}

/** The random masks of RISE: binary grids and shifts drawn once from the seed, upsampled on demand. */
export interface RiseMasks {
  readonly count: number;
  /** Writes mask i, `[H, W]` in [0, 1], into `out`. */
  fill(i: number, out: Float32Array): void;
}

/**
 * RISE's masks (Petsiuk et al. 2018): each is an s × s grid of cells kept with probability p,
 * bilinearly upsampled to (s + 1) · ⌈H/s⌉ × (s + 1) · ⌈W/s⌉ (`resizeBilinear`: half-pixel centres, edges clamped)
 * and cropped to H × W at a random shift in [0, ⌈H/s⌉) × [0, ⌈W/s⌉).
 */
export function riseMasks(count: number, h: number, w: number, gridSize: number, probability: number, seed: number): RiseMasks {
  const s = gridSize;
  const rng = new Rng(seed);
  const grids = new Uint8Array(count * s * s);
  const shifts = new Int32Array(count * 2);
  const ch = Math.ceil(h / s);
  const cw = Math.ceil(w / s);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < s * s; k++) grids[i * s * s + k] = rng.uniform() < probability ? 1 : 0;
    shifts[2 * i] = rng.int(ch);
    shifts[2 * i + 1] = rng.int(cw);
  }
  const upH = (s + 1) * ch;
  const upW = (s + 1) * cw;
  const grid = new Float32Array(s * s);
  return {
    count,
    fill(i, out) {
      grid.set(grids.subarray(i * s * s, (i + 1) * s * s));
      const up = resizeBilinear({ data: grid, shape: [s, s, 1] }, [upH, upW]).data;
      const dy = shifts[2 * i];
      const dx = shifts[2 * i + 1];
      for (let y = 0; y < h; y++) out.set(up.subarray((y + dy) * upW + dx, (y + dy) * upW + dx + w), y * w);
    },
  };
}

/**
 * RISE, Randomized Input Sampling for Explanation: the saliency of a pixel is the target's score
 * averaged over N randomly masked copies of the image, weighted by how much each mask keeps that
 * pixel, S = Σ_i f(x ⊙ M_i)[t] · M_i / (N · p) (Petsiuk, Das & Saenko, "RISE: Randomized Input
 * Sampling for Explanation of Black-box Models", BMVC 2018). Masks are smooth (upsampled random
 * grids, `riseMasks`), seeded, shared by all examples and made one batch at a time; the N · examples
 * copies go through the model `batchSize` at a time, forward only. Values are `[N, H, W, 1]`.
 */
export async function rise(model: Model, input: tf.Tensor, options: RiseOptions = {}): Promise<Attribution> {
  const fn = 'rise';
  const samples = options.samples ?? 1000;
  const gridSize = options.gridSize ?? 7;
  const p = options.probability ?? 0.5;
  check(input.rank === 4, 'shape', () => `${fn}: masks images [N, H, W, C]; found shape [${input.shape}]`);
  check(Number.isInteger(samples) && samples >= 1, 'option', () => `${fn}: samples must be a positive integer; found ${samples}`);
  check(Number.isInteger(gridSize) && gridSize >= 1, 'option', () => `${fn}: gridSize must be a positive integer; found ${gridSize}`);
  check(p > 0 && p <= 1, 'option', () => `${fn}: probability must be in (0, 1]; found ${p}`);
  const ctx = await preparePerturbation(model, input, options, fn);
  const [, h, w] = input.shape;
  const masks = riseMasks(samples, h, w, gridSize, p, ctx.seed);
  const examples = Int32Array.from({ length: ctx.n * samples }, (_, r) => Math.floor(r / samples));
  const baseline = perturbationBaseline(options.baseline, input, ctx.seed, fn);
  try {
    const plan = maskedPlan(input, baseline, examples, [h, w, 1], (r, m) => masks.fill(r % samples, m));
    const { scores, calls } = await scorePerturbations(model, plan, targetScore(ctx.target), ctx.batchSize, options, fn);
    const sum = new Float64Array(ctx.n * h * w);
    const m = new Float32Array(h * w);
    for (let i = 0; i < samples; i++) {
      masks.fill(i, m);
      for (let e = 0; e < ctx.n; e++) {
        const f = scores[e * samples + i];
        for (let j = 0; j < h * w; j++) sum[e * h * w + j] += f * m[j];
      }
    }
    const values = Float32Array.from(sum, (v) => v / (samples * p));
    return makeAttribution('rise', tf.tensor4d(values, [ctx.n, h, w, 1]), ctx.target.classes, { modelCalls: calls, samples, gridSize, probability: p });
  } finally {
    baseline.dispose();
  }
}
