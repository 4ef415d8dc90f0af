/**
 * `DepthwiseConv2dNativeBackpropFilter` (missing on wasm; training depthwise layers needs it):
 * dW[r, s, c, q] = Σ_{b, y, x} x[b, y·sh + r·dh − top, x·sw + s·dw − left, c] · dy[b, y, x, c·m + q].
 * A JS loop over typed arrays, as costly as one depthwise forward pass.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateOutput, readView, type AnyBackend } from './util.js';

interface DepthwiseFilterAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: AnyBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as DepthwiseFilterAttrs;
  const ci = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = ci;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, filterHeight: kh, filterWidth: kw } = ci;
  const top = ci.padInfo.top;
  const left = ci.padInfo.left;
  const m = CO / C;
  const out = allocateOutput(backend, [kh, kw, C, m], 'float32');
  const g = out.values;
  g.fill(0);
  const xv = readView(backend, x);
  const dyv = readView(backend, dy);
  for (let b = 0; b < N; ++b) {
    for (let y = 0; y < OH; ++y) {
      for (let xx = 0; xx < OW; ++xx) {
        const dyOff = ((b * OH + y) * OW + xx) * CO;
        for (let r = 0; r < kh; ++r) {
          const h = y * sh + r * dh - top;
          if (h < 0 || h >= H) continue;
          for (let s = 0; s < kw; ++s) {
            const w = xx * sw + s * dw - left;
            if (w < 0 || w >= W) continue;
            const xOff = ((b * H + h) * W + w) * C;
            const gOff = (r * kw + s) * CO;
            for (let c = 0; c < C; ++c) {
              const xval = xv[xOff + c];
              for (let q = 0; q < m; ++q) g[gOff + c * m + q] += xval * dyv[dyOff + c * m + q];
            }
          }
        }
      }
    }
  }
  return out.commit();
}

export const depthwiseConv2dNativeBackpropFilterKernel = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: depthwiseConv2dNativeBackpropFilter,
} as const;
