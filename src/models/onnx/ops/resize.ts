/**
 * ONNX Resize (opsets 10–18) and Upsample (7–9): nearest (all four rounding modes), N-linear and
 * cubic interpolation with every coordinate transformation but tf_crop_and_resize, on any axes.
 * Each resized axis is a weighted sum of a few gathers along that axis, so the op is exactly
 * ONNX's formula, differentiable, and layout-independent (a channels-last input stays so).
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../../../core/errors.js';
import { onnxAxis, onnxFloats, onnxInts, onnxPhysicalAxis, onnxShape, type OnnxOpCall, type OnnxOpHandler, type OnnxValue } from '../values.js';
import { onnxCheckSize } from '../values.js';
import { axisTaps, type ResizeSpec } from '../resize-taps.js';

function resizeAxis(t: tf.Tensor, axis: number, taps: { index: number[][]; weight: number[][] }): tf.Tensor {
  let out: tf.Tensor | null = null;
  const shape = t.shape.map(() => 1);
  shape[axis] = taps.index[0].length;
  for (let k = 0; k < taps.index.length; k++) {
    let g = tf.gather(t, tf.tensor1d(taps.index[k], 'int32'), axis);
    if (taps.weight[k].some((w) => w !== 1)) g = tf.mul(g, tf.reshape(tf.tensor1d(taps.weight[k]), shape));
    out = out ? tf.add(out, g) : g;
  }
  return out as tf.Tensor;
}

function resize(call: OnnxOpCall): (OnnxValue | null)[] {
  const where = `ONNX node '${call.node}' (${call.opType})`;
  const v = call.inputs[0];
  if (!v) throw new LumenError('model', `${where}: input 0 is required`);
  const shape = onnxShape(v);
  const rank = shape.length;
  const isUpsample = call.opType === 'Upsample';
  const spec: ResizeSpec = {
    mode: call.attrs.string('mode', 'nearest'),
    coord: isUpsample || call.opset < 11 ? 'asymmetric' : call.attrs.string('coordinate_transformation_mode', 'half_pixel'),
    nearest: isUpsample || call.opset < 11 ? 'floor' : call.attrs.string('nearest_mode', 'round_prefer_floor'),
    cubicA: call.attrs.float('cubic_coeff_a', -0.75),
    excludeOutside: call.attrs.int('exclude_outside', 0) === 1,
  };
  check(['nearest', 'linear', 'cubic'].includes(spec.mode), 'model', () => `${where}: mode '${spec.mode}' is not one of nearest, linear, cubic`);
  if (spec.coord === 'tf_crop_and_resize') throw call.attrs.unsupported("coordinate_transformation_mode 'tf_crop_and_resize' is not supported");
  if (call.attrs.int('antialias', 0) === 1) throw call.attrs.unsupported('antialiased resizing is not supported');
  const axes = (call.attrs.ints('axes') ?? Array.from({ length: rank }, (_, i) => i)).map((a) => onnxAxis(a, rank, where));
  let scales: number[] | undefined;
  let sizes: number[] | undefined;
  if (isUpsample) scales = call.opset < 9 ? call.attrs.floats('scales') : onnxFloats(call.inputs[1], `${where} scales`);
  else if (call.opset < 11) scales = onnxFloats(call.inputs[1], `${where} scales`);
  else {
    const s = call.inputs[2];
    const z = call.inputs[3];
    if (z && z.tensor.size > 0) sizes = onnxInts(z, `${where} sizes`);
    else if (s && s.tensor.size > 0) scales = onnxFloats(s, `${where} scales`);
  }
  check(scales !== undefined || sizes !== undefined, 'model', () => `${where}: neither scales nor sizes is given`);
  const n = axes.length;
  check((scales ?? sizes ?? []).length === n, 'model', () => `${where}: expected ${n} scales or sizes; found ${(scales ?? sizes ?? []).length}`);
  const inSizes = axes.map((a) => shape[a]);
  let outSizes: number[];
  let useScales: number[];
  if (sizes) {
    const policy = call.attrs.string('keep_aspect_ratio_policy', 'stretch');
    if (policy === 'stretch') {
      outSizes = sizes;
      useScales = sizes.map((s, i) => s / inSizes[i]);
    } else {
      const ratios = sizes.map((s, i) => s / inSizes[i]);
      const r = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      useScales = ratios.map(() => r);
      outSizes = inSizes.map((d) => Math.round(d * r));
    }
  } else {
    useScales = scales as number[];
    check(useScales.every((s) => s > 0 && Number.isFinite(s)), 'model', () => `${where}: scales must be positive; found [${useScales}]`);
    outSizes = inSizes.map((d, i) => Math.floor(d * useScales[i]));
  }
  const full = shape.slice();
  axes.forEach((a, i) => (full[a] = outSizes[i]));
  onnxCheckSize(full, where);
  let t = v.tensor;
  if (spec.mode !== 'nearest' && t.dtype !== 'float32') t = tf.cast(t, 'float32');
  axes.forEach((a, i) => {
    if (outSizes[i] === inSizes[i] && useScales[i] === 1) return;
    t = resizeAxis(t, onnxPhysicalAxis(v, a), axisTaps(spec, inSizes[i], outSizes[i], useScales[i]));
  });
  return [{ tensor: t, channelsLast: v.channelsLast }];
}

/** The resizing ONNX ops, by op type. */
export const ONNX_RESIZE_OPS: Readonly<Record<string, OnnxOpHandler>> = {
  Resize: resize,
  Upsample: resize,
};
