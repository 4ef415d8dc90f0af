/**
 * The interpolation taps of ONNX Resize along one axis (ONNX operator spec, opsets 10–19): for
 * every output position, the source indices and weights that nearest, linear or cubic
 * interpolation reads. The importer's forward op (ops/resize.ts) applies them; the onnxruntime
 * engine's backward rule (engine/ort/rules/resize.ts) applies their transpose.
 */
import { LumenError } from '../../core/errors.js';

/** How a Resize node interpolates: its mode, coordinate transformation, nearest rounding and cubic coefficient. */
export interface ResizeSpec {
  readonly mode: string;
  readonly coord: string;
  readonly nearest: string;
  readonly cubicA: number;
  readonly excludeOutside: boolean;
}

/** The source coordinate of output position `x` (ONNX Resize's coordinate_transformation_mode). */
export function sourceCoordinate(spec: ResizeSpec, x: number, scale: number, inSize: number, outSize: number): number {
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
export function axisTaps(spec: ResizeSpec, inSize: number, outSize: number, scale: number): { index: number[][]; weight: number[][] } {
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

/** One resized axis as a dense matrix `[outSize, inSize]`, row-major: output = W · input along the axis. */
export function axisMatrix(spec: ResizeSpec, inSize: number, outSize: number, scale: number): Float32Array {
  const { index, weight } = axisTaps(spec, inSize, outSize, scale);
  const w = new Float32Array(outSize * inSize);
  for (let k = 0; k < index.length; k++) for (let o = 0; o < outSize; o++) w[o * inSize + index[k][o]] += weight[k][o];
  return w;
}
