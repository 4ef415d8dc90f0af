import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import type { Model, ModelParameter } from '../core/model.js';
import { withSecondOrderGradients } from '../engine/second-order-gradients.js';
import { perExampleLoss, type ExampleLoss } from './example-loss.js';
import { forEachLabelledBatch, type StreamOptions } from './labelled-batch.js';
import { parameterCount } from './per-example-gradients.js';

/** Rows per block when forming `a_i ⊗ G_i` (keeps the block under ~8 M floats). */
const BLOCK_FLOATS = 8_000_000;

/** The one dense layer whose parameters are all of `params`, with its sizes, or null. */
function singleDenseLayer(model: Model, params: readonly ModelParameter[]): { layer: string; inputs: number; units: number } | null {
  const layers = new Set(params.map((p) => p.layer));
  if (layers.size !== 1 || params.some((p) => p.role === 'other')) return null;
  const layer = params[0].layer;
  const kernel = params.find((p) => p.role !== 'bias');
  const info = model.layers.find((l) => l.name === layer);
  if (!info || info.outputShape.length !== 1) return null;
  const units = kernel ? (kernel.role === 'kernel-out-in' ? kernel.shape[0] : kernel.shape[1]) : info.outputShape[0];
  if (units === null || units === undefined) return null;
  const inputs = kernel ? (kernel.role === 'kernel-out-in' ? kernel.shape[1] : kernel.shape[0]) : 0;
  return { layer, inputs, units };
}

/**
 * Per batch: the layer's inputs `A [b, in]` and every row's Hessian of its loss with respect to
 * the layer's pre-activation output, `G [b, out, out]`. The loss of row i depends on z_j only
 * for j = i, so one double-backward pass per output unit k gives column k of every G_i at once.
 */
function batchPreActivationHessians(model: Model, layer: string, units: number, x: tf.Tensor, y: tf.Tensor, loss: ExampleLoss): { a: tf.Tensor2D | null; g: tf.Tensor3D } {
  let a = null as tf.Tensor2D | null;
  const g = withSecondOrderGradients(() => tf.tidy(() => {
    const b = x.shape[0];
    const zero = tf.zeros([b, units]);
    // One full forward pass; when the previous layer's output is exactly this layer's input, the
    // double-backward passes below run only the layers from here on (the graph prunes upstream
    // of a replaced layer).
    const at = model.layers.findIndex((l) => l.name === layer);
    const previous = at > 0 ? model.layers[at - 1].name : null;
    const probe = model.run(x, { perturb: { [layer]: zero }, capture: previous ? [previous] : [] });
    const input = probe.layerInputs?.[layer];
    if (input) a = tf.keep(tf.reshape(input, [b, -1]).clone()) as tf.Tensor2D;
    const before = previous ? probe.captured[previous] : undefined;
    const same = input !== undefined && before !== undefined && before.shape.join() === input.shape.join() && tf.max(tf.abs(tf.sub(before, input))).dataSync()[0] === 0;
    const replace = same && previous ? { [previous]: before } : undefined;
    const summed = (d: tf.Tensor): tf.Scalar => tf.sum(perExampleLoss(model, model.run(x, { perturb: { [layer]: d }, replace }).output, y, loss));
    const first = tf.grad(summed);
    const columns: tf.Tensor[] = [];
    for (let k = 0; k < units; k++) {
      const pick = tf.oneHot(tf.fill([b], k, 'int32'), units);
      columns.push(tf.grad((d: tf.Tensor) => tf.sum(tf.mul(first(d), pick)))(zero));
    }
    return tf.stack(columns, 2) as tf.Tensor3D;
  }));
  return { a, g };
}

/**
 * The exact Hessian `[P, P]` (float64, parameter order) of the summed loss over `data` with
 * respect to the parameters of ONE dense layer (kernel and/or bias), or null when `params` are not
 * of that form. With z_i = W a_i + b the layer's pre-activation output, row i's Hessian is
 * (a_i a_iᵀ) ⊗ G_i, G_i = ∂²L_i/∂z_i² (the Kronecker form of Martens & Grosse 2015, exact for one
 * layer), so `out` double-backward passes per batch replace the P Hessian-vector products of the
 * generic route (Pearlmutter 1994); the sums Σ_i a_i a_iᵀ ⊗ G_i are matrix products.
 */
export async function linearLayerHessian(model: Model, params: readonly ModelParameter[], data: Dataset, loss: ExampleLoss, options: StreamOptions, what: string): Promise<Float64Array | null> {
  const shape = singleDenseLayer(model, params);
  if (!shape) return null;
  const { layer, inputs: m, units: o } = shape;
  const kernelAt = params.findIndex((p) => p.role !== 'bias');
  const biasAt = params.findIndex((p) => p.role === 'bias');
  const outIn = kernelAt >= 0 && params[kernelAt].role === 'kernel-out-in';
  const kk = kernelAt >= 0 ? new Float64Array(m * o * o * m) : null; // [(c, r, s), d]
  const kb = kernelAt >= 0 && biasAt >= 0 ? new Float64Array(m * o * o) : null; // [c, (r, s)]
  const bb = new Float64Array(o * o); // [(r, s)]
  let fallback = false;
  await forEachLabelledBatch(data, { ...options, onProgress: undefined }, what, async ({ x, y }) => {
    if (fallback) return;
    const { a, g } = batchPreActivationHessians(model, layer, o, x, y, loss);
    try {
      if (kk && (a === null || a.shape[1] !== m)) {
        fallback = true;
        return;
      }
      const b = x.shape[0];
      const add = async (target: Float64Array, t: tf.Tensor): Promise<void> => {
        const v = await t.data();
        t.dispose();
        for (let i = 0; i < v.length; i++) target[i] += v[i];
      };
      const flat = tf.reshape(g, [b, o * o]) as tf.Tensor2D;
      await add(bb, tf.sum(flat, 0));
      if (kk && a) {
        if (kb) await add(kb, tf.matMul(a, flat, true, false));
        const rows = Math.max(1, Math.floor(BLOCK_FLOATS / (m * o * o)));
        const block = new Float64Array(m * o * o * m);
        for (let s = 0; s < b; s += rows) {
          const e = Math.min(b, s + rows);
          const t = tf.tidy(() => {
            const as = a.slice([s, 0], [e - s, m]);
            const w = tf.reshape(tf.mul(tf.expandDims(as, 2), tf.expandDims(flat.slice([s, 0], [e - s, o * o]), 1)), [e - s, m * o * o]);
            return tf.matMul(w, as, true, false);
          });
          await add(block, t);
        }
        for (let i = 0; i < kk.length; i++) kk[i] += block[i];
      }
      flat.dispose();
    } finally {
      tf.dispose([g, ...(a ? [a] : [])]);
    }
  });
  if (fallback) return null;
  const p = parameterCount(params);
  const h = new Float64Array(p * p);
  const offsets = params.map((_, i) => parameterCount(params.slice(0, i)));
  const kIndex = (c: number, r: number): number => offsets[kernelAt] + (outIn ? r * m + c : c * o + r);
  const bIndex = (r: number): number => offsets[biasAt] + r;
  if (biasAt >= 0) for (let r = 0; r < o; r++) for (let s = 0; s < o; s++) h[bIndex(r) * p + bIndex(s)] = bb[r * o + s];
  if (kk) {
    for (let c = 0; c < m; c++) {
      for (let r = 0; r < o; r++) {
        const row = kIndex(c, r) * p;
        for (let s = 0; s < o; s++) {
          const base = ((c * o + r) * o + s) * m;
          for (let d = 0; d < m; d++) h[row + kIndex(d, s)] = kk[base + d];
          if (kb) {
            const v = kb[c * o * o + r * o + s];
            h[row + bIndex(s)] = v;
            h[bIndex(s) * p + kIndex(c, r)] = v;
          }
        }
      }
    }
  }
  return h;
}
