import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { resolveBaseline, type Baseline } from '../../core/baseline.js';
import { batchSizeOf, checkAborted, forEachBatch } from '../../core/batching.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions, Progress } from '../../core/options.js';
import { DEFAULT_SEED, Rng } from '../../core/random.js';
import { resolveTarget } from '../../core/target.js';
import { checkDifferentiable, checkInput } from '../../core/validate.js';
import { withInputGradientsOnly } from '../../engine/input-gradients-only.js';
import { classProbability, type OutputKindOption } from '../../core/perturbation/class-probability.js';
import { renamedOption } from '../../core/deprecated-option.js';

/** Options of `meaningfulPerturbation`; `batchSize` is the number of examples optimised together. */
export interface MeaningfulPerturbationOptions extends LocalOptions {
  /**
   * What deleted regions become: `'blur'` (default; a Gaussian blur of the image, σ = `blurSigma`),
   * `'constant'` (the `baseline`, default each example's mean colour), or `'noise'` (the image plus
   * Gaussian noise of standard deviation `stdev`, drawn afresh at every step).
   */
  readonly perturbation?: 'blur' | 'constant' | 'noise';
  /** Adam iterations (default 300, as in the paper). */
  readonly steps?: number;
  /** Adam step size (default 0.1). */
  readonly learningRate?: number;
  /** λ₁, weight of the area term mean|1 − m| (default 0.05). */
  readonly areaWeight?: number;
  /** λ₂, weight of the smoothness term mean total variation |∇m|^β (default 0.2). */
  readonly tvWeight?: number;
  /** β, exponent of the total variation (default 3). */
  readonly tvBeta?: number;
  /** Side of the learned mask before bilinear upsampling to the image (default ⌈max(H, W)/8⌉, 28 for 224, but at least 7 on small images). */
  readonly maskSize?: number;
  /** σ of the blur perturbation in pixels (default max(H, W)/22, 10 at 224). */
  readonly blurSigma?: number;
  /** σ of the noise perturbation (default 0.2 × the input's range). */
  readonly stdev?: number;
  /** @deprecated The old name of `stdev`; removed in the next release. */
  readonly noiseStd?: number;
  /** Replacement of the `'constant'` perturbation — every Baseline kind (default `'mean'`). */
  readonly baseline?: Baseline;
  /** What the model returns (default: the model's `outputKind`, else `'auto'`): the deletion game minimises the class probability. */
  readonly outputKind?: OutputKindOption;
  /** @deprecated The old name of `outputKind`; removed in the next release. */
  readonly outputs?: OutputKindOption;
}

/**
 * Meaningful perturbation: learns, per example, the smallest smooth mask m ∈ [0, 1] (1 keeps a
 * pixel, 0 deletes it) whose deletion removes the evidence for the class, by minimising
 * λ₁ mean|1 − m| + λ₂ mean TV_β(m) + p(c | Φ(x; m)), Φ(x; m) = m ⊙ x + (1 − m) ⊙ x₀, with x₀ a
 * blurred, constant or noisy version of x (Fong & Vedaldi, "Interpretable Explanations of Black
 * Boxes by Meaningful Perturbation", ICCV 2017). The mask is learned at `maskSize` resolution,
 * upsampled bilinearly, optimised with Adam and clipped to [0, 1] after every step (the common
 * re-implementation of the paper; tfjs' `tf.train.adam`). Needs gradients (a differentiable model). Values are the
 * deletion map 1 − m, `[N, H, W, 1]`; `meta.finalScore` holds p(c | Φ(x; m)) per example.
 */
export async function meaningfulPerturbation(model: Model, input: tf.Tensor, options: MeaningfulPerturbationOptions = {}): Promise<Attribution> {
  const fn = 'meaningfulPerturbation';
  checkDifferentiable(model, fn);
  checkInput(model, input, fn);
  check(input.rank === 4, 'shape', () => `${fn}: learns a mask over images [N, H, W, C]; found shape [${input.shape}]`);
  const game = deletionGame(input, options, fn);
  const batchSize = batchSizeOf(model, options, fn);
  checkAborted(options, fn);
  const target = await resolveTarget(model, input, options.target, fn);
  const { score } = await classProbability(model, input, target, options, fn);
  const n = input.shape[0];
  const rng = new Rng(game.seed);
  const masks: tf.Tensor[] = [];
  const finalScore: number[] = [];
  let calls = 0;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const onProgress = options.onProgress && ((p: Progress) => options.onProgress?.({ done: start * game.steps + p.done * (end - start), total: n * game.steps }));
      const x = input.slice([start], [end - start]);
      const x0 = game.kind === 'blur' ? resolveBaseline('blur', x, fn, { blurSigma: game.blurSigma })
        : game.kind === 'constant' ? resolveBaseline(options.baseline ?? 'mean', x, fn, { seed: game.seed }) : null;
      const noiseStd = game.kind === 'noise' ? renamedOption<number>(options, 'stdev', 'noiseStd', fn) ?? tf.tidy(() => x.max().sub(x.min()).mul(0.2).dataSync()[0]) : 0;
      const examples = Int32Array.from({ length: end - start }, (_, i) => start + i);
      const mask = tf.tidy(() => tf.variable(tf.ones([end - start, game.size, game.size, 1])));
      const adam = tf.train.adam(game.learningRate, 0.9, 0.999, 1e-8);
      // Φ(x; m) = m ⊙ x + (1 − m) ⊙ x₀ with m upsampled to the image; x₀ is fresh noise at each step for 'noise'
      const perturbed = (m: tf.Tensor, replaced: tf.Tensor): tf.Tensor => {
        const up = tf.image.resizeBilinear(m as tf.Tensor4D, [game.h, game.w], false, true);
        return replaced.add(up.mul(x.sub(replaced)));
      };
      try {
        calls += await forEachBatch(game.steps, 1, { signal: options.signal, onProgress }, fn, () => {
          const noise = game.kind === 'noise' ? tf.tensor(rng.normals(x.size, 0, noiseStd), x.shape) : null;
          const objective = (): tf.Scalar => tf.tidy(() => {
            const p = score(model.run(perturbed(mask, noise ? x.add(noise) : (x0 as tf.Tensor))).output, examples);
            const area = tf.scalar(1).sub(mask).abs().mean([1, 2, 3]);
            return p.add(area.mul(game.areaWeight)).add(totalVariation(mask, game.tvBeta).mul(game.tvWeight)).sum() as tf.Scalar;
          });
          withInputGradientsOnly(() => adam.minimize(objective, false, [mask]));
          noise?.dispose();
          tf.tidy(() => mask.assign(mask.clipByValue(0, 1)));
        });
        const final = tf.tidy(() => {
          const up = tf.image.resizeBilinear(mask as tf.Tensor4D, [game.h, game.w], false, true);
          return { up: tf.scalar(1).sub(up), p: score(model.run(perturbed(mask, game.kind === 'noise' ? x : (x0 as tf.Tensor))).output, examples) };
        });
        finalScore.push(...(await final.p.data()));
        final.p.dispose();
        masks.push(final.up);
        calls++;
      } finally {
        adam.dispose();
        tf.dispose([x, mask, ...(x0 ? [x0] : [])]);
      }
    }
    const values = masks.length === 1 ? masks[0] : tf.concat(masks);
    if (masks.length > 1) tf.dispose(masks);
    return makeAttribution('meaningful-perturbation', values, target.classes, { modelCalls: calls, finalScore, perturbation: game.kind });
  } catch (e) {
    tf.dispose(masks);
    throw e;
  }
}

/** The deletion game's settings, checked, with their defaults. */
interface DeletionGame {
  readonly kind: 'blur' | 'constant' | 'noise';
  readonly steps: number;
  readonly learningRate: number;
  readonly areaWeight: number;
  readonly tvWeight: number;
  readonly tvBeta: number;
  readonly size: number;
  readonly blurSigma: number;
  readonly seed: number;
  readonly h: number;
  readonly w: number;
}

function deletionGame(input: tf.Tensor, options: MeaningfulPerturbationOptions, fn: string): DeletionGame {
  const [, h, w] = input.shape;
  const kind = options.perturbation ?? 'blur';
  const steps = options.steps ?? 300;
  const game: DeletionGame = {
    kind,
    steps,
    learningRate: options.learningRate ?? 0.1,
    areaWeight: options.areaWeight ?? 0.05,
    tvWeight: options.tvWeight ?? 0.2,
    tvBeta: options.tvBeta ?? 3,
    size: options.maskSize ?? Math.min(Math.max(h, w), Math.max(7, Math.ceil(Math.max(h, w) / 8))),
    blurSigma: options.blurSigma ?? Math.max(h, w) / 22,
    seed: options.seed ?? DEFAULT_SEED,
    h,
    w,
  };
  check(kind === 'blur' || kind === 'constant' || kind === 'noise', 'option', () => `${fn}: perturbation must be 'blur', 'constant' or 'noise'; found '${String(kind)}'`);
  check(Number.isInteger(steps) && steps >= 1, 'option', () => `${fn}: steps must be a positive integer; found ${steps}`);
  check(Number.isInteger(game.size) && game.size >= 1 && game.size <= Math.max(h, w), 'option', () => `${fn}: maskSize must be an integer in 1…${Math.max(h, w)}; found ${game.size}`);
  for (const name of ['learningRate', 'areaWeight', 'tvWeight', 'tvBeta'] as const) {
    const v = game[name];
    check(Number.isFinite(v) && v >= 0, 'option', () => `${fn}: ${name} must be a non-negative number; found ${v}`);
  }
  return game;
}

/** Mean over each mask of |∂m/∂y|^β and |∂m/∂x|^β (forward differences), one value per mask. */
function totalVariation(m: tf.Tensor, beta: number): tf.Tensor {
  const [, h, w] = m.shape;
  const parts: tf.Tensor[] = [];
  if (h > 1) parts.push(m.slice([0, 1, 0, 0], [-1, h - 1, -1, -1]).sub(m.slice([0, 0, 0, 0], [-1, h - 1, -1, -1])).abs().pow(beta).mean([1, 2, 3]));
  if (w > 1) parts.push(m.slice([0, 0, 1, 0], [-1, -1, w - 1, -1]).sub(m.slice([0, 0, 0, 0], [-1, -1, w - 1, -1])).abs().pow(beta).mean([1, 2, 3]));
  return parts.length ? parts.reduce((a, b) => a.add(b)) : tf.zeros([m.shape[0]]);
}
