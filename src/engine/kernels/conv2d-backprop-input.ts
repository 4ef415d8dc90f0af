/**
 * Faster `Conv2DBackpropInput` for wasm (DESIGN.md, engine item 2). wasm's own kernel is a plain
 * loop; here the input gradient is a forward (XNNPACK) convolution of the stride-dilated
 * upstream gradient with the spatially flipped filter whose in/out channels are swapped:
 * dx = conv(dilate(dy, strides), flip(W)ᵀ, pad = [kh−1−top, H + top − L]) with L the dilated
 * height (same for widths). Layouts or paddings the identity does not cover (NCHW, padding wider
 * than the filter) go to the original kernel, which the replacement keeps.
 */
import * as tf from '@tensorflow/tfjs';
import { allocateOutput, dilateRows, releaseIntermediate, runBackendKernel, readView, type AnyBackend } from './util.js';

interface InputAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/** [kh, kw, Ci, Co] → flipped in space and transposed to [kh, kw, Co, Ci]. */
function flipTranspose(backend: AnyBackend, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const out = allocateOutput(backend, [kh, kw, co, ci], 'float32');
  const o = out.values;
  const f = readView(backend, filter);
  for (let r = 0; r < kh; ++r) {
    for (let c = 0; c < kw; ++c) {
      const src = ((kh - 1 - r) * kw + (kw - 1 - c)) * ci * co;
      const dst = (r * kw + c) * co * ci;
      for (let i = 0; i < ci; ++i) for (let j = 0; j < co; ++j) o[dst + j * ci + i] = f[src + i * co + j];
    }
  }
  return out.commit();
}

/** The composed input gradient, or null when it does not apply (caller falls back). */
export function conv2DBackpropInputComposed(backend: AnyBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, a: InputAttrs): tf.TensorInfo | null {
  if (a.dataFormat != null && a.dataFormat !== 'NHWC') return null;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = info;
  const L = (OH - 1) * sh + 1;
  const M = (OW - 1) * sw + 1;
  const pt = kh - 1 - info.padInfo.top;
  const pb = H + info.padInfo.top - L;
  const pl = kw - 1 - info.padInfo.left;
  const pr = W + info.padInfo.left - M;
  if (pt < 0 || pb < 0 || pl < 0 || pr < 0 || OH === 0 || OW === 0) return null;
  const dyD = dilateRows(backend, dy, sh, sw);
  const f = flipTranspose(backend, filter);
  const out = runBackendKernel(backend, 'Conv2D', { x: dyD, filter: f }, {
    strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [pt, pb], [pl, pr], [0, 0]], dataFormat: 'NHWC', dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap);
  if (dyD !== dy) releaseIntermediate(backend, dyD);
  releaseIntermediate(backend, f);
  return out;
}

/** A replacement kernelFunc for `Conv2DBackpropInput` that falls back to `original`. */
export function makeConv2DBackpropInput(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const out = conv2DBackpropInputComposed(args.backend, dy, filter, args.attrs as unknown as InputAttrs);
    return out ?? original(args);
  };
}
