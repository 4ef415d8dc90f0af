/**
 * Gradient of `StridedSlice` (tfjs 4.22 has none, so tf.grad through `tf.stridedSlice` throws):
 * dx is zero except at the elements the slice read, which receive dy. The positions are
 * enumerated in JS from tfjs's own `slice_util.sliceInfo` (so masks, negative strides, new and
 * shrunk axes follow the forward op exactly) and dy is scattered with `scatterND`.
 */
import * as tf from '@tensorflow/tfjs';

interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides?: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

/** Flat indices into x (row-major) of the elements a strided slice reads, in output order. */
export function stridedSliceIndices(xShape: number[], a: StridedSliceAttrs): Int32Array {
  const info = tf.slice_util.sliceInfo(xShape, a.begin, a.end, a.strides ?? a.begin.map(() => 1), a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
  const rank = xShape.length;
  const begin = info.begin;
  const strides = info.strides;
  const counts = xShape.map((_, j) => Math.max(0, Math.ceil((info.end[j] - begin[j]) / strides[j])));
  const total = counts.reduce((p, c) => p * c, 1);
  const xStrides = tf.util.computeStrides(xShape);
  const out = new Int32Array(total);
  const loc = new Array<number>(rank).fill(0);
  for (let i = 0; i < total; ++i) {
    let flat = 0;
    for (let j = 0; j < rank; ++j) flat += (loc[j] * strides[j] + begin[j]) * (j < rank - 1 ? xStrides[j] : 1);
    out[i] = flat;
    for (let j = rank - 1; j >= 0; --j) {
      if (++loc[j] < counts[j]) break;
      loc[j] = 0;
    }
  }
  return out;
}

export const stridedSliceGradConfig: tf.GradConfig = {
  kernelName: 'StridedSlice',
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x] = saved;
    const g = dy as tf.Tensor;
    return {
      x: () => {
        const idx = stridedSliceIndices(x.shape, attrs as unknown as StridedSliceAttrs);
        if (idx.length !== g.size) throw new Error(`lumen engine: StridedSlice gradient: ${idx.length} positions for ${g.size} values`);
        if (idx.length === 0) return tf.zerosLike(x);
        return tf.tidy(() => {
          const indices = tf.tensor2d(idx, [idx.length, 1], 'int32');
          return tf.scatterND(indices, tf.reshape(g, [idx.length]), [x.size]).reshape(x.shape);
        });
      },
    };
  },
};
