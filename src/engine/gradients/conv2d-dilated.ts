/**
 * Gradients of `Conv2D` and `DepthwiseConv2dNative` with dilation rates > 1 (tfjs 4.22 asserts
 * they are 1). A dilated convolution is a convolution with the filter spread out by zeros, so dx
 * is the backprop-input kernel with that spread filter, and dW is the backprop-filter kernel for
 * the spread shape, sampled every `dilation` taps. Undilated convolutions keep tfjs's gradient.
 * (tfjs's fused conv ops assert the same inside their own customGrad; that is not covered.)
 */
import * as tf from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

function pair(v: number | [number, number] | number[] | undefined): [number, number] {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/** [kh, kw, ci, co] → [(kh−1)·dh + 1, (kw−1)·dw + 1, ci, co] with zeros between taps. */
export function spreadFilter(f: tf.Tensor4D, dh: number, dw: number): tf.Tensor4D {
  const [kh, kw, ci, co] = f.shape;
  return tf.tidy(() => {
    const x = f.reshape([kh, 1, kw, 1, ci, co]);
    const padded = tf.pad(x, [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
    return tf.slice(padded.reshape([kh * dh, kw * dw, ci, co]) as tf.Tensor4D, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]);
  });
}

/** Inverse of spreadFilter's layout: every dh-th / dw-th tap of a spread filter gradient. */
export function gatherTaps(g: tf.Tensor4D, kh: number, kw: number, dh: number, dw: number): tf.Tensor4D {
  const [, , ci, co] = g.shape;
  return tf.tidy(() => {
    const padded = tf.pad(g, [[0, kh * dh - g.shape[0]], [0, kw * dw - g.shape[1]], [0, 0], [0, 0]]);
    return padded.reshape([kh, dh, kw, dw, ci, co]).slice([0, 0, 0, 0, 0, 0], [kh, 1, kw, 1, ci, co]).reshape([kh, kw, ci, co]);
  });
}

/** Wraps tfjs's Conv2D gradient (`original`) with support for dilations. */
export function makeConv2DGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [dh, dw] = pair(attrs.dilations as number | number[]);
      if (dh === 1 && dw === 1) return original.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dataFormat, dimRoundingMode } = attrs as { strides: [number, number]; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
      const [kh, kw] = filter.shape;
      const spreadShape: [number, number, number, number] = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, filter.shape[2], filter.shape[3]];
      const g = dy as tf.Tensor4D;
      return {
        x: () => tf.tidy(() => backpropInput(x.shape, g, spreadFilter(filter, dh, dw), strides, pad, dataFormat, dimRoundingMode)),
        filter: () => tf.tidy(() => gatherTaps(backpropFilter(x, g, spreadShape, strides, pad, dataFormat, dimRoundingMode), kh, kw, dh, dw)),
      };
    },
  };
}

function backpropInput(xShape: number[], dy: tf.Tensor4D, filter: tf.Tensor4D, strides: [number, number], pad: Pad, dataFormat: 'NHWC' | 'NCHW', dimRoundingMode?: 'floor' | 'round' | 'ceil'): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter } as unknown as tf.NamedTensorMap,
    { strides, pad, dataFormat, dimRoundingMode, inputShape: xShape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

function backpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], strides: [number, number], pad: Pad, dataFormat: 'NHWC' | 'NCHW', dimRoundingMode?: 'floor' | 'round' | 'ceil'): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy } as unknown as tf.NamedTensorMap,
    { strides, pad, dataFormat, dimRoundingMode, filterShape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** Wraps tfjs's DepthwiseConv2dNative gradient (`original`) with support for dilations. */
export function makeDepthwiseGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: 'DepthwiseConv2dNative',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [dh, dw] = pair(attrs.dilations as number | number[]);
      if (dh === 1 && dw === 1) return original.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dimRoundingMode } = attrs as { strides: [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
      const [kh, kw] = filter.shape;
      const spreadShape = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, filter.shape[2], filter.shape[3]];
      const g = dy as tf.Tensor4D;
      const common = { strides, pad, dimRoundingMode, dilations: [1, 1] };
      return {
        x: () => tf.tidy(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: g, filter: spreadFilter(filter, dh, dw) } as unknown as tf.NamedTensorMap,
          { ...common, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor4D),
        filter: () => tf.tidy(() => gatherTaps(tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: g } as unknown as tf.NamedTensorMap,
          { ...common, filterShape: spreadShape } as unknown as tf.NamedAttrMap) as tf.Tensor4D, kh, kw, dh, dw)),
      };
    },
  };
}
