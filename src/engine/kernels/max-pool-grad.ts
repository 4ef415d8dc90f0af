/**
 * `MaxPoolGrad`, replacing wasm's, which is wrong in tfjs-backend-wasm 4.22 (e.g. a 2×2/stride-2
 * pool of a 6×6 image loses the gradient of its last column of windows). Routes dy to the first
 * maximum of each window, like the cpu backend (padding never wins). A JS loop, O(dy.size · k²).
 */
import * as tf from '@tensorflow/tfjs';
import { allocateOutput, readView, type AnyBackend } from './util.js';

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: AnyBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const a = attrs as unknown as PoolAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: kh, effectiveFilterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = allocateOutput(backend, [N, H, W, C], 'float32');
  const dx = out.values;
  dx.fill(0);
  const x = readView(backend, input);
  const g = readView(backend, dy);
  for (let b = 0; b < N; ++b) {
    for (let y = 0; y < OH; ++y) {
      const r0 = y * sh - top;
      for (let q = 0; q < OW; ++q) {
        const c0 = q * sw - left;
        const gOff = ((b * OH + y) * OW + q) * C;
        for (let d = 0; d < C; ++d) {
          let best = -Infinity;
          let at = -1;
          for (let r = r0; r < r0 + kh; r += dh) {
            if (r < 0 || r >= H) continue;
            for (let c = c0; c < c0 + kw; c += dw) {
              if (c < 0 || c >= W) continue;
              const i = ((b * H + r) * W + c) * C + d;
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += g[gOff + d];
        }
      }
    }
  }
  return out.commit();
}

export const maxPoolGradKernel = { kernelName: 'MaxPoolGrad', kernelFunc: maxPoolGrad } as const;
