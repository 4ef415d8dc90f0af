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

interface ResizeSpec {
  readonly mode: string;
  readonly coord: string;
  readonly nearest: string;
  readonly cubicA: number;
  readonly excludeOutside: boolean;
}

function sourceCoordinate(spec: ResizeSpec, x: number, scale: number, inSize: number, outSize: number): number {
  switch (spec.coord) {
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    // ONNX's reference measures the resized length as in·scale (not the floored output size).
    case 'pytorch_half_pixel': return inSize * scale > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return inSize * scale === 1 ? 0 : (x * (inSize - 1)) / (inSize * scale - 1);
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
    case 'half_pixel_symmetric': {
      const adj = outSize / (scale * inSize);
      return (inSize / 2) * (1 - adj) + (x + 0.5) / scale - 0.5;
    }
    default: throw new LumenError('model', `Resize: coordinate_transformation_mode '${spec.coord}' is not supported`);
  }
}

function nearestIndex(mode: string, x: number): number {
  const f = Math.floor(x);
  const half = x - f === 0.5;
  switch (mode) {
    case 'round_prefer_floor': return half ? f : Math.round(x);
    case 'round_prefer_ceil': return half ? f + 1 : Math.round(x);
    case 'floor': return f;
    case 'ceil': return Math.ceil(x);
    default: throw new LumenError('model', `Resize: nearest_mode '${mode}' is not supported`);
  }
}

function cubicWeights(t: number, a: number): number[] {
  const w = (d: number): number => {
    const x = Math.abs(d);
    if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
    if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
    return 0;
  };
  return [w(t + 1), w(t), w(1 - t), w(2 - t)];
}

/** Taps of one resized axis: for each tap k, the source index and weight of every output position. */
function axisTaps(spec: ResizeSpec, inSize: number, outSize: number, scale: number): { index: number[][]; weight: number[][] } {
  const taps = spec.mode === 'nearest' ? 1 : spec.mode === 'linear' ? 2 : 4;
  const index = Array.from({ length: taps }, () => new Array<number>(outSize));
  const weight = Array.from({ length: taps }, () => new Array<number>(outSize));
  const clamp = (i: number): number => Math.min(Math.max(i, 0), inSize - 1);
  for (let o = 0; o < outSize; o++) {
    const x = sourceCoordinate(spec, o, scale, inSize, outSize);
    if (spec.mode === 'nearest') {
      index[0][o] = clamp(nearestIndex(spec.nearest, x));
      weight[0][o] = 1;
    } else if (spec.mode === 'linear') {
      const xc = Math.min(Math.max(x, 0), inSize - 1);
      const f = Math.floor(xc);
      index[0][o] = clamp(f);
      index[1][o] = clamp(f + 1);
      weight[0][o] = 1 - (xc - f);
      weight[1][o] = xc - f;
    } else {
      const f = Math.floor(x);
      const ws = cubicWeights(x - f, spec.cubicA);
      let total = 0;
      for (let k = 0; k < 4; k++) {
        const i = f - 1 + k;
        if (spec.excludeOutside && (i < 0 || i >= inSize)) ws[k] = 0;
        total += ws[k];
        index[k][o] = clamp(i);
      }
      for (let k = 0; k < 4; k++) weight[k][o] = spec.excludeOutside && total !== 0 ? ws[k] / total : ws[k];
    }
  }
  return { index, weight };
}

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
