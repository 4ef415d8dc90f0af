/**
 * What the class-activation-map methods share: choosing and checking the feature-map layer, its
 * activations and gradients at the input, and upsampling a map to the input's size.
 */
import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import { gradientAtInputs } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LayerOption, LocalOptions } from '../../core/options.js';
import { prepareGradient, type GradientContext } from '../../core/prepare.js';
import { checkLayer } from '../../core/validate.js';

/** How a map at the layer's resolution is brought to the input's height and width. */
export type CamUpsample = 'none' | 'nearest' | 'bilinear';

export const CAM_UPSAMPLE_MODES: readonly CamUpsample[] = ['none', 'nearest', 'bilinear'];

/** The options every class activation map takes (each method's options extend these). */
export interface CamLayerOptions extends LocalOptions, LayerOption {
  /**
   * The feature-map layer (output `[H, W, C]` per example); default: the last such layer.
   * `layer` of LayerOption, documented here because CAM methods always have one.
   */
  readonly layer?: string;
  /**
   * 'none' keeps the map at the layer's resolution `[N, h, w, 1]`; 'nearest' and 'bilinear' resize
   * it to the input's `[N, H, W, 1]` as PyTorch's `F.interpolate` does (Captum's
   * `LayerAttribution.interpolate`; bilinear with align_corners=False). Default 'bilinear'.
   */
  readonly upsample?: CamUpsample;
}

/**
 * The feature-map layer of a CAM method: `layer` when given (checked to exist and to have a spatial
 * output `[H, W, C]`), else the model's last layer whose output `[H, W, C]` still has spatial extent
 * (H·W > 1): a pooled 1×1 map would give a constant map, so it is passed over.
 */
export function camLayerOf(model: Model, layer: string | undefined, fn: string): string {
  if (layer === undefined) {
    const spatial = model.layers.filter((l) => l.outputShape.length === 3 && (l.outputShape[0] ?? 2) * (l.outputShape[1] ?? 2) > 1);
    check(spatial.length > 0, 'layer', () =>
      `${fn}: needs a convolutional feature map (a layer with output [H, W, C], H·W > 1); model '${model.name}' has none (layers: ${model.layers.map((l) => `${l.name} [${l.outputShape}]`).join(', ')})`);
    return spatial[spatial.length - 1].name;
  }
  checkLayer(model, layer, fn);
  const info = model.layers.find((l) => l.name === layer);
  check(info !== undefined && info.outputShape.length === 3, 'layer', () =>
    `${fn}: layer '${layer}' is not a spatial feature map: expected an output [H, W, C] per example; found [${info?.outputShape.join(', ')}]`);
  return layer;
}

/** Checks the `upsample` option and that the input is an image when resizing is asked for. */
export function camUpsampleOf(model: Model, options: CamLayerOptions, fn: string, fallback: CamUpsample = 'bilinear'): CamUpsample {
  const mode = options.upsample ?? fallback;
  check(CAM_UPSAMPLE_MODES.includes(mode), 'option', () => `${fn}: upsample must be one of ${CAM_UPSAMPLE_MODES.join(', ')}; found '${String(mode)}'`);
  check(mode === 'none' || model.inputShape.length === 3, 'option', () =>
    `${fn}: upsample '${mode}' resizes to an image input [H, W, C]; the model's input is [${model.inputShape}] (use upsample 'none')`);
  return mode;
}

/**
 * Resizes maps `[N, h, w, K]` to the model input's height and width: 'nearest' is PyTorch's legacy
 * nearest (source = floor(dst · in/out)), 'bilinear' uses half-pixel centres (align_corners=False).
 */
export function camUpsampleMaps(maps: tf.Tensor4D, mode: CamUpsample, size: readonly number[]): tf.Tensor4D {
  if (mode === 'none') return maps.clone();
  const hw: [number, number] = [size[0], size[1]];
  return mode === 'nearest' ? tf.image.resizeNearestNeighbor(maps, hw, false, false) : tf.image.resizeBilinear(maps, hw, false, true);
}

/** A feature map's activations and the target's gradient with respect to them, at the inputs. */
export interface CamGradients {
  /** Activations `[N, h, w, C]`; caller owns. */
  readonly activations: tf.Tensor4D;
  /** ∂target/∂activations `[N, h, w, C]`; caller owns. */
  readonly gradients: tf.Tensor4D;
  readonly calls: number;
}

/** The activations and gradients of the context's layer space at `input` (one gradient row per example). */
export async function camGradients(ctx: GradientContext, input: tf.Tensor, options: Pick<LocalOptions, 'signal' | 'onProgress'>, fn: string): Promise<CamGradients> {
  const activations = tf.tidy(() => ctx.space.valuesAt(input)) as tf.Tensor4D;
  const { sum, calls } = await gradientAtInputs(ctx.space, input, activations, ctx.target, ctx.batchSize, options, fn);
  return { activations, gradients: sum as tf.Tensor4D, calls: calls + 1 };
}

/** Applies ReLU when asked, then upsamples: the last two steps of every CAM. */
export function finishCam(cam: tf.Tensor4D, relu: boolean, mode: CamUpsample, inputShape: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => camUpsampleMaps(relu ? tf.relu(cam) : cam, mode, inputShape));
}

/**
 * Warnings for maps `[N, h, w, 1]` that say nothing: all zero, or constant (max − min within 1e-6
 * of the largest magnitude), naming the examples and the layer.
 */
export async function flatCamWarnings(values: tf.Tensor, layer: string, fn: string): Promise<string[]> {
  const [hi, lo] = tf.tidy(() => [values.max([1, 2, 3]), values.min([1, 2, 3])]);
  const [max, min] = await Promise.all([hi.data(), lo.data()]);
  tf.dispose([hi, lo]);
  const zero: number[] = [];
  const constant: number[] = [];
  for (let i = 0; i < max.length; i++) {
    if (max[i] === 0 && min[i] === 0) zero.push(i);
    else if (max[i] - min[i] <= 1e-6 * Math.max(Math.abs(max[i]), Math.abs(min[i]))) constant.push(i);
  }
  const hint = `at layer '${layer}': it carries no spatial evidence for the target there (choose another layer)`;
  return [
    ...(zero.length ? [`${fn}: the map of example${zero.length > 1 ? 's' : ''} ${zero.join(', ')} is all zero ${hint}`] : []),
    ...(constant.length ? [`${fn}: the map of example${constant.length > 1 ? 's' : ''} ${constant.join(', ')} is constant ${hint}`] : []),
  ];
}

/** How a gradient CAM weighs its feature maps A: from A and g = ∂y/∂A (`[N, h, w, C]` each), the factor of A before the channel sum. */
export type CamWeighting = (activations: tf.Tensor4D, gradients: tf.Tensor4D) => tf.Tensor;

/** What a gradient CAM states: its id, its function's name, its channel weighting and whether ReLU follows. */
export interface GradientCamSpec {
  readonly id: string;
  readonly fn: string;
  readonly weighting: CamWeighting;
  readonly relu: boolean;
  /** Facts added to `meta` (e.g. Grad-CAM's `relu`). */
  readonly meta?: Record<string, unknown>;
}

/**
 * The one body of the gradient CAMs (Grad-CAM, Grad-CAM++, Layer-CAM): checks the layer and the
 * upsampling, takes the layer's activations A and gradients g at the input, and returns
 * [ReLU] Σ_c weighting(A, g)_c ⊙ A_c, resized to the input, with a warning in `meta.warnings`
 * for a map that is constant or all zero.
 */
export async function gradientCam(spec: GradientCamSpec, model: Model, input: tf.Tensor, options: CamLayerOptions): Promise<Attribution> {
  const { fn } = spec;
  const layer = camLayerOf(model, options.layer, fn);
  const upsample = camUpsampleOf(model, options, fn);
  const ctx = await prepareGradient(model, input, { ...options, layer }, fn);
  const { activations, gradients, calls } = await camGradients(ctx, input, options, fn);
  const cam = tf.tidy(() => spec.weighting(activations, gradients).mul(activations).sum(-1, true) as tf.Tensor4D);
  tf.dispose([activations, gradients]);
  return camAttribution(spec.id, fn, cam, spec.relu, upsample, model, ctx.target.classes, { layer, ...spec.meta, upsample, modelCalls: calls });
}

/**
 * The result of every CAM from its map at the layer's resolution (disposed here): ReLU when asked,
 * upsampling, and a warning for a flat map.
 */
export async function camAttribution(
  id: string,
  fn: string,
  cam: tf.Tensor4D,
  relu: boolean,
  upsample: CamUpsample,
  model: Model,
  classes: readonly number[] | null,
  meta: { readonly layer: string } & Record<string, unknown>,
): Promise<Attribution> {
  const values = finishCam(cam, relu, upsample, model.inputShape);
  cam.dispose();
  const warnings = await flatCamWarnings(values, meta.layer, fn);
  return makeAttribution(id, values, classes, { ...meta, ...(warnings.length ? { warnings } : {}) });
}
