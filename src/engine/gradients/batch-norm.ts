/**
 * Gradient of `FusedBatchNorm` without tfjs 4.22's waste: its gradient computes x − mean and
 * dy · scale over the whole activation eagerly (whichever input's gradient is asked for) and tiles
 * the per-channel factor to the activation's size before multiplying. Here every term is computed
 * only when asked for, and ∂x = dy · (scale / √(var + ε)) multiplies by a per-channel factor that
 * broadcasts — one full-size op instead of five. The numbers are the same. `scale` and `offset`
 * are optional (absent for a Keras BatchNormalization with `scale: false` / `center: false`): an
 * absent scale is saved as `undefined` (src/engine/absent-inputs.ts) and counts as 1, and an absent
 * input gets no gradient.
 */
import * as tf from '@tensorflow/tfjs';

/** tfjs gradient config for FusedBatchNorm (x, mean, variance, scale?, offset?). */
export const batchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance] = saved as tf.Tensor[];
    const scale = saved[3] as tf.Tensor | undefined;
    const g = dy as tf.Tensor;
    const reductionAxes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const toParamShape = (t: tf.Tensor): tf.Tensor => (reductionAxes.length ? t.sum(reductionAxes) : t).reshape(mean.shape);
    const rsqrt = (): tf.Tensor => tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const scaled = (t: tf.Tensor): tf.Tensor => (scale == null ? t : tf.mul(t, scale));
    return {
      x: () => tf.mul(g, scaled(rsqrt())).reshape(x.shape),
      mean: () => toParamShape(tf.mul(g, scaled(rsqrt()).neg())),
      variance: () => {
        const r = rsqrt();
        const factor = scaled(r.mul(r).mul(r).mul(tf.scalar(-0.5)));
        return toParamShape(tf.mul(g, tf.sub(x, mean)).mul(factor));
      },
      scale: () => toParamShape(tf.mul(g, tf.sub(x, mean)).mul(rsqrt())),
      offset: () => toParamShape(g),
    };
  },
};
