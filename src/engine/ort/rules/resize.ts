import { axisMatrix, type ResizeSpec } from '../../../models/onnx/resize-taps.js';
import type { BackwardRule } from './rule-types.js';
import { constantValues, floatAttr, intAttr, intsAttr, stringAttr, unsupported } from './attributes.js';

/**
 * The gradient of Resize and Upsample (every mode and coordinate transformation the importer
 * runs, but tf_crop_and_resize and antialiasing): each resized axis is linear, out = W · in with W
 * the interpolation matrix of that axis (models/onnx/resize-taps.ts), so dx = Wᵀ · dy, axis by axis.
 */
const resizeRule: BackwardRule = (node, [dy], ctx) => {
  const x = ctx.shape(node.inputs[0]);
  const y = ctx.shape(node.outputs[0]);
  const rank = x.length;
  const isUpsample = node.op === 'Upsample';
  const modern = !isUpsample && ctx.out.opset >= 11;
  const spec: ResizeSpec = {
    mode: stringAttr(node, 'mode', 'nearest'),
    coord: modern ? stringAttr(node, 'coordinate_transformation_mode', 'half_pixel') : 'asymmetric',
    nearest: modern ? stringAttr(node, 'nearest_mode', 'round_prefer_floor') : 'floor',
    cubicA: floatAttr(node, 'cubic_coeff_a', -0.75),
    excludeOutside: intAttr(node, 'exclude_outside', 0) === 1,
  };
  if (spec.coord === 'tf_crop_and_resize') throw unsupported(node, "with coordinate_transformation_mode 'tf_crop_and_resize'");
  if (intAttr(node, 'antialias', 0) === 1) throw unsupported(node, 'with antialiasing');
  if (stringAttr(node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') throw unsupported(node, 'keeping the aspect ratio');
  const axes = [...intsAttr(node, 'axes', Array.from({ length: rank }, (_, i) => i))].map((a) => (a < 0 ? a + rank : a));
  const scalesInput = isUpsample ? (ctx.out.opset >= 9 ? node.inputs[1] : undefined) : modern ? node.inputs[2] : node.inputs[1];
  const scaleConst = scalesInput ? ctx.constant(scalesInput) : undefined;
  let scales: number[] | undefined;
  if (isUpsample && ctx.out.opset < 9) {
    const a = node.attrs?.scales;
    scales = a && 'floats' in a ? [...a.floats] : undefined;
  } else if (scaleConst && scaleConst.dims.reduce((p, q) => p * q, 1) > 0) {
    scales = constantValues(node, scaleConst, 'scales').map(Number);
  }
  const sizesGiven = modern && node.inputs[3] !== undefined && node.inputs[3] !== '';
  if (!scales && !sizesGiven) throw unsupported(node, 'with computed scales');
  let g = dy as string;
  axes.forEach((a, i) => {
    const scale = scales && !sizesGiven ? scales[i] : y[a] / x[a];
    if (x[a] === y[a] && scale === 1) return;
    const w = axisMatrix(spec, x[a], y[a], scale);
    g = ctx.out.matmulAxis(g, a, rank, ctx.out.floats(w, [y[a], x[a]]));
  });
  return [g, ...node.inputs.slice(1).map(() => null)];
};

/** Gradients of the resizing ops. */
export const RESIZE_RULES: Readonly<Record<string, BackwardRule>> = {
  Resize: resizeRule,
  Upsample: resizeRule,
};
