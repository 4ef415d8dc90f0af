/**
 * `DepthwiseConv2dNativeBackpropInput` (missing on wasm; the input gradient of depthwise
 * convolutions, e.g. MobileNet). With channel multiplier 1 on wasm it is a forward depthwise
 * convolution of the stride-dilated upstream gradient with the spatially flipped filter
 * (XNNPACK); otherwise a JS loop: dx[b, h, w, c] = Σ_{r, s, q} dy[b, y, x, c·m + q] · W[r, s, c, q]
 * over the output positions (y, x) that read (h, w) through tap (r, s).
 */
import * as tf from '@tensorflow/tfjs';
import { allocateOutput, dilateRows, isWasmBackend, releaseIntermediate, runBackendKernel, readView, type AnyBackend } from './util.js';

interface DepthwiseInputAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

function info(filter: tf.TensorInfo, a: DepthwiseInputAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
}

/** The JS loop: exact reference for every channel multiplier, stride and dilation. */
export function depthwiseBackpropInputLoop(backend: AnyBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, a: DepthwiseInputAttrs): tf.TensorInfo {
  const ci = info(filter, a);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = ci;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, filterHeight: kh, filterWidth: kw } = ci;
  const top = ci.padInfo.top;
  const left = ci.padInfo.left;
  const m = CO / C;
  const out = allocateOutput(backend, [N, H, W, C], 'float32');
  const dx = out.values;
  dx.fill(0);
  const dyv = readView(backend, dy);
  const f = readView(backend, filter);
  for (let b = 0; b < N; ++b) {
    for (let y = 0; y < OH; ++y) {
      for (let x = 0; x < OW; ++x) {
        const dyOff = ((b * OH + y) * OW + x) * CO;
        for (let r = 0; r < kh; ++r) {
          const h = y * sh + r * dh - top;
          if (h < 0 || h >= H) continue;
          for (let s = 0; s < kw; ++s) {
            const w = x * sw + s * dw - left;
            if (w < 0 || w >= W) continue;
            const dxOff = ((b * H + h) * W + w) * C;
            const fOff = (r * kw + s) * C * m;
            if (m === 1) {
              for (let c = 0; c < C; ++c) dx[dxOff + c] += dyv[dyOff + c] * f[fOff + c];
            } else {
              for (let c = 0; c < C; ++c) {
                let acc = 0;
                for (let q = 0; q < m; ++q) acc += dyv[dyOff + c * m + q] * f[fOff + c * m + q];
                dx[dxOff + c] += acc;
              }
            }
          }
        }
      }
    }
  }
  return out.commit();
}

/** Flips a [kh, kw, C, 1] filter in space. */
function flip(backend: AnyBackend, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw, c, m] = filter.shape;
  const out = allocateOutput(backend, filter.shape.slice(), 'float32');
  const o = out.values;
  const f = readView(backend, filter);
  const block = c * m;
  for (let r = 0; r < kh; ++r) {
    for (let s = 0; s < kw; ++s) {
      const src = ((kh - 1 - r) * kw + (kw - 1 - s)) * block;
      o.set(f.subarray(src, src + block), (r * kw + s) * block);
    }
  }
  return out.commit();
}

/** The composed path (wasm, multiplier 1), or null when it does not apply. */
export function depthwiseBackpropInputComposed(backend: AnyBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, a: DepthwiseInputAttrs): tf.TensorInfo | null {
  if (filter.shape[3] !== 1 || dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const ci = info(filter, a);
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = ci;
  const { dilationHeight: dh, dilationWidth: dw, effectiveFilterHeight: ekh, effectiveFilterWidth: ekw } = ci;
  const L = (OH - 1) * sh + 1;
  const M = (OW - 1) * sw + 1;
  const pt = ekh - 1 - ci.padInfo.top;
  const pb = H + ci.padInfo.top - L;
  const pl = ekw - 1 - ci.padInfo.left;
  const pr = W + ci.padInfo.left - M;
  if (pt < 0 || pb < 0 || pl < 0 || pr < 0 || OH === 0 || OW === 0) return null;
  const dyD = dilateRows(backend, dy, sh, sw);
  const f = flip(backend, filter);
  const out = runBackendKernel(backend, 'DepthwiseConv2dNative', { x: dyD, filter: f }, {
    strides: [1, 1], dilations: [dh, dw], pad: [[0, 0], [pt, pb], [pl, pr], [0, 0]], dataFormat: 'NHWC', dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap);
  if (dyD !== dy) releaseIntermediate(backend, dyD);
  releaseIntermediate(backend, f);
  return out;
}

export function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: AnyBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as DepthwiseInputAttrs;
  const fast = isWasmBackend(backend) ? depthwiseBackpropInputComposed(backend, dy, filter, a) : null;
  return fast ?? depthwiseBackpropInputLoop(backend, dy, filter, a);
}

export const depthwiseConv2dNativeBackpropInputKernel = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: depthwiseConv2dNativeBackpropInput,
} as const;
