import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { yieldToEventLoop } from '../core/yield-to-event-loop.js';
import { withInputGradientsOnly } from '../engine/input-gradients-only.js';
import { releaseTapeOnThrow } from '../engine/release-tape.js';
import type { ActivationMatrix } from './activation-matrix.js';

/**
 * ∇_{f_l(x)} h_k(x) for every row x of `data`: the gradient of class `cls`'s output (the logit of a
 * logits model) with respect to the activations of `layer` ('input': the input itself), flattened to
 * [rows × units] float64 in dataset order — what TCAV's directional derivatives S = ∇h_k · v need
 * (Kim et al. 2018, eq. 1). One forward pass to capture the layer and one backward pass per batch,
 * through `model.run(x, {replace})`.
 */
export async function classGradients(model: Model, data: Dataset, layer: string, cls: number, options: { readonly batchSize?: number; readonly signal?: AbortSignal; readonly what?: string } = {}): Promise<ActivationMatrix> {
  const what = options.what ?? 'classGradients';
  check(model.differentiable, 'not-differentiable', () => `${what}: needs a model whose layers can be differentiated; '${model.name}' is a black box`);
  check(layer === 'input' || model.layers.some((l) => l.name === layer), 'layer', () => `${what}: no layer named '${layer}'; expected 'input' or one of ${model.layers.map((l) => l.name).slice(0, 20).join(', ')}`);
  const outputs = model.outputShape.reduce((a, b) => a * b, 1);
  check(model.outputShape.length === 1 && Number.isInteger(cls) && cls >= 0 && cls < outputs, 'target', () => `${what}: class must be an integer in [0, ${outputs}) of an output [classes]; found ${cls} for output [${model.outputShape}]`);
  let out: Float64Array | null = null;
  let cols = 0;
  for await (const batch of data.batches(options.batchSize ?? 64)) {
    try {
      if (options.signal?.aborted) throw new LumenError('aborted', `${what}: aborted`);
      const xb = batch.x;
      const g = tf.tidy(() => {
        const logit = (o: tf.Tensor): tf.Scalar => tf.sum(tf.gather(o, [cls], 1));
        const grad = layer === 'input'
          ? releaseTapeOnThrow(() => tf.grad((p: tf.Tensor) => logit(model.run(p).output))(xb))
          : withInputGradientsOnly(() => releaseTapeOnThrow(() => {
            const act = model.run(xb, { capture: [layer] }).captured[layer];
            return tf.grad((p: tf.Tensor) => logit(model.run(xb, { replace: { [layer]: p } }).output))(act);
          }));
        return tf.reshape(grad, [xb.shape[0], -1]) as tf.Tensor2D;
      });
      cols = g.shape[1];
      out ??= new Float64Array(data.size * cols);
      const v = await g.data();
      g.dispose();
      batch.index.forEach((row, k) => out?.set(v.subarray(k * cols, (k + 1) * cols), row * cols));
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
    await yieldToEventLoop();
  }
  check(out !== null, 'input', () => `${what}: the dataset has no rows`);
  return { rows: data.size, cols, data: out };
}
