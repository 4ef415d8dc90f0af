import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { resolveBaseline, type Baseline } from '../../core/baseline.js';
import { batchSizeOf } from '../../core/batching.js';
import { check, LumenError } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
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
 * re-implementation of the paper). Needs gradients (a differentiable model). Values are the
 * deletion map 1 − m, `[N, H, W, 1]`; `meta.finalScore` holds p(c | Φ(x; m)) per example.
 */
export async function meaningfulPerturbation(model: Model, input: tf.Tensor, options: MeaningfulPerturbationOptions = {}): Promise<Attribution> {
  const fn = 'meaningfulPerturbation';
  checkDifferentiable(model, fn);
  checkInput(model, input, fn);
  check(input.rank === 4, 'shape', () => `${fn}: learns a mask over images [N, H, W, C]; found shape [${input.shape}]`);
  const [n, h, w] = input.shape;
  const kind = options.perturbation ?? 'blur';
  const steps = options.steps ?? 300;
  const lr = options.learningRate ?? 0.1;
  const l1 = options.areaWeight ?? 0.05;
  const l2 = options.tvWeight ?? 0.2;
  const beta = options.tvBeta ?? 3;
  const size = options.maskSize ?? Math.min(Math.max(h, w), Math.max(7, Math.ceil(Math.max(h, w) / 8)));
  check(kind === 'blur' || kind === 'constant' || kind === 'noise', 'option', () => `${fn}: perturbation must be 'blur', 'constant' or 'noise'; found '${String(kind)}'`);
  check(Number.isInteger(steps) && steps >= 1, 'option', () => `${fn}: steps must be a positive integer; found ${steps}`);
  check(Number.isInteger(size) && size >= 1 && size <= Math.max(h, w), 'option', () => `${fn}: maskSize must be an integer in 1…${Math.max(h, w)}; found ${size}`);
  for (const [name, v] of [['learningRate', lr], ['areaWeight', l1], ['tvWeight', l2], ['tvBeta', beta]] as const) {
    check(Number.isFinite(v) && v >= 0, 'option', () => `${fn}: ${name} must be a non-negative number; found ${v}`);
  }
  const batchSize = batchSizeOf(model, options, fn);
  const target = await resolveTarget(model, input, options.target, fn);
  const { score } = await classProbability(model, input, target, options, fn);
  const seed = options.seed ?? DEFAULT_SEED;
  const rng = new Rng(seed);
  const masks: tf.Tensor[] = [];
  const finalScore: number[] = [];
  let calls = 0;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const x = input.slice([start], [end - start]);
      const x0 = kind === 'blur' ? resolveBaseline('blur', x, fn, { blurSigma: options.blurSigma ?? Math.max(h, w) / 22 })
        : kind === 'constant' ? resolveBaseline(options.baseline ?? 'mean', x, fn, { seed }) : null;
      const noiseStd = kind === 'noise' ? renamedOption<number>(options, 'stdev', 'noiseStd', fn) ?? tf.tidy(() => x.max().sub(x.min()).mul(0.2).dataSync()[0]) : 0;
      const examples = Int32Array.from({ length: end - start }, (_, i) => start + i);
      let m = tf.ones([end - start, size, size, 1]);
      let mom = tf.zerosLike(m);
      let vel = tf.zerosLike(m);
      try {
        for (let t = 1; t <= steps; t++) {
          if (options.signal?.aborted) throw new LumenError('aborted', `${fn}: aborted after ${t - 1} of ${steps} steps`);
          const noise = kind === 'noise' ? tf.tensor(rng.normals(x.size, 0, noiseStd), x.shape) : null;
          const next = tf.tidy(() => {
            const objective = (mask: tf.Tensor): tf.Scalar => {
              const up = tf.image.resizeBilinear(mask as tf.Tensor4D, [h, w], false, true);
              const replaced = noise ? x.add(noise) : (x0 as tf.Tensor);
              const phi = replaced.add(up.mul(x.sub(replaced)));
              const p = score(model.run(phi).output, examples);
              const area = tf.scalar(1).sub(mask).abs().mean([1, 2, 3]);
              const tv = totalVariation(mask, beta);
              return p.add(area.mul(l1)).add(tv.mul(l2)).sum() as tf.Scalar;
            };
            const g = withInputGradientsOnly(() => tf.grad(objective)(m));
            const mo = mom.mul(0.9).add(g.mul(0.1));
            const ve = vel.mul(0.999).add(g.square().mul(0.001));
            const stepped = m.sub(mo.div(1 - 0.9 ** t).mul(lr).div(ve.div(1 - 0.999 ** t).sqrt().add(1e-8)));
            return { m: stepped.clipByValue(0, 1), mom: mo, vel: ve };
          });
          noise?.dispose();
          tf.dispose([m, mom, vel]);
          ({ m, mom, vel } = next);
          calls++;
          options.onProgress?.({ done: start * steps + t * (end - start), total: n * steps });
          if (t % 10 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        }
        const final = tf.tidy(() => {
          const up = tf.image.resizeBilinear(m as tf.Tensor4D, [h, w], false, true);
          const replaced = kind === 'noise' ? x : (x0 as tf.Tensor);
          return { up: tf.scalar(1).sub(up), p: score(model.run(replaced.add(up.mul(x.sub(replaced)))).output, examples) };
        });
        finalScore.push(...(await final.p.data()));
        final.p.dispose();
        masks.push(final.up);
        calls++;
      } finally {
        tf.dispose([x, m, mom, vel, ...(x0 ? [x0] : [])]);
      }
    }
    const values = masks.length === 1 ? masks[0] : tf.concat(masks);
    if (masks.length > 1) tf.dispose(masks);
    return makeAttribution('meaningful-perturbation', values, target.classes, { modelCalls: calls, finalScore, perturbation: kind });
  } catch (e) {
    tf.dispose(masks);
    throw e;
  }
}

/** Mean over each mask of |∂m/∂y|^β and |∂m/∂x|^β (forward differences), one value per mask. */
function totalVariation(m: tf.Tensor, beta: number): tf.Tensor {
  const [, h, w] = m.shape;
  const parts: tf.Tensor[] = [];
  if (h > 1) parts.push(m.slice([0, 1, 0, 0], [-1, h - 1, -1, -1]).sub(m.slice([0, 0, 0, 0], [-1, h - 1, -1, -1])).abs().pow(beta).mean([1, 2, 3]));
  if (w > 1) parts.push(m.slice([0, 0, 1, 0], [-1, -1, w - 1, -1]).sub(m.slice([0, 0, 0, 0], [-1, -1, w - 1, -1])).abs().pow(beta).mean([1, 2, 3]));
  return parts.length ? parts.reduce((a, b) => a.add(b)) : tf.zeros([m.shape[0]]);
}
