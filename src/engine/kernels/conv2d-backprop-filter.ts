/**
 * `Conv2DBackpropFilter` (missing on wasm; training needs it). A filter gradient is itself a
 * convolution: dW[r, c, i, o] = Σ_{b, y, x} x[b, y·sh + r − top, x·sw + c − left, i] · dy[b, y, x, o],
 * i.e. the forward convolution of x transposed to [Ci, H, W, N] with dy transposed to
 * [OH, OW, N, Co] as the filter, dilated by the strides. On wasm that runs through XNNPACK's
 * convolution; elsewhere (or for layouts the composition does not cover) a JS loop.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateOutput, isWasmBackend, releaseIntermediate, runBackendKernel, readView, type AnyBackend } from './util.js';

interface FilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function convInfo(x: tf.TensorInfo, a: FilterAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
}

/** The JS loop (NHWC): exact reference, used where the composed path does not apply. */
export function conv2DBackpropFilterLoop(backend: AnyBackend, x: tf.TensorInfo, dy: tf.TensorInfo, a: FilterAttrs): tf.TensorInfo {
  const info = convInfo(x, a);
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, batchSize: N } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = allocateOutput(backend, [kh, kw, ci, co], 'float32');
  const dw = out.values;
  dw.fill(0);
  const xv = readView(backend, x);
  const dyv = readView(backend, dy);
  for (let b = 0; b < N; ++b) {
    for (let yR = 0; yR < OH; ++yR) {
      for (let yC = 0; yC < OW; ++yC) {
        const dyOff = ((b * OH + yR) * OW + yC) * co;
        for (let r = 0; r < kh; ++r) {
          const xR = yR * sh + r - top;
          if (xR < 0 || xR >= H) continue;
          for (let c = 0; c < kw; ++c) {
            const xC = yC * sw + c - left;
            if (xC < 0 || xC >= W) continue;
            const xOff = ((b * H + xR) * W + xC) * ci;
            const wOff = (r * kw + c) * ci * co;
            for (let i = 0; i < ci; ++i) {
              const xval = xv[xOff + i];
              if (xval === 0) continue;
              const base = wOff + i * co;
              for (let o = 0; o < co; ++o) dw[base + o] += xval * dyv[dyOff + o];
            }
          }
        }
      }
    }
  }
  return out.commit();
}

/** The composed path: one forward Conv2D of the backend plus transposes (NHWC only). */
export function conv2DBackpropFilterComposed(backend: AnyBackend, x: tf.TensorInfo, dy: tf.TensorInfo, a: FilterAttrs): tf.TensorInfo {
  const info = convInfo(x, a);
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = Math.max(0, kh - H - top + (OH - 1) * sh);
  const right = Math.max(0, kw - W - left + (OW - 1) * sw);
  const xT = runBackendKernel(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = runBackendKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const conv = runBackendKernel(backend, 'Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1], dilations: [sh, sw], pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC', dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap);
  releaseIntermediate(backend, xT);
  releaseIntermediate(backend, dyT);
  let full = conv;
  if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
    full = runBackendKernel(backend, 'Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    releaseIntermediate(backend, conv);
  }
  const out = runBackendKernel(backend, 'Transpose', { x: full }, { perm: [1, 2, 0, 3] });
  releaseIntermediate(backend, full);
  return out;
}

function isNHWC(a: FilterAttrs): boolean {
  return a.dataFormat == null || a.dataFormat === 'NHWC';
}

export function conv2DBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: AnyBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as FilterAttrs;
  if (!isNHWC(a)) throw new Error(`lumen engine: Conv2DBackpropFilter supports dataFormat 'NHWC' only; found '${a.dataFormat}'`);
  if (isWasmBackend(backend)) {
    return conv2DBackpropFilterComposed(backend, x, dy, a);
  }
  return conv2DBackpropFilterLoop(backend, x, dy, a);
}

export const conv2DBackpropFilterKernel = { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilter } as const;
