/**
 * `UnsortedSegmentSum` (missing on wasm; the gradient of `gather` needs it):
 * out[s, ...] = Σ_{i : ids[i] = s} x[i, ...], ids outside [0, numSegments) dropped. A JS loop
 * over typed arrays, O(x.size).
 */
import * as tf from '@tensorflow/tfjs';
import { allocateOutput, readView, type AnyBackend } from './util.js';

export function unsortedSegmentSum({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: AnyBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const idsSize = tf.util.sizeFromShape(segmentIds.shape);
  const inner = idsSize === 0 ? 0 : tf.util.sizeFromShape(x.shape) / idsSize;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const dtype = x.dtype === 'int32' ? 'int32' : 'float32';
  const out = allocateOutput(backend, outShape, dtype);
  const o = out.values;
  o.fill(0);
  const xv = readView(backend, x);
  const ids = readView(backend, segmentIds);
  for (let i = 0; i < idsSize; ++i) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; ++j) o[dst + j] += xv[src + j];
  }
  return out.commit();
}

export const unsortedSegmentSumKernel = { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSum } as const;
