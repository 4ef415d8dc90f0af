/**
 * First-layer filter visualisation (Krizhevsky et al. 2012, Fig. 3; Zeiler & Fergus 2014): the
 * weights of a network's first convolution are themselves images in input space. Each filter
 * `[kh, kw, cin]` is shown with 0 at mid-grey and scaled by its own largest |weight| (or, with
 * `shared`, the layer's), so `0.5 + w / (2 · max|w|)` lies in [0, 1] — the symmetric scaling that
 * keeps the sign of each weight readable.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { ImagesExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';

/** Options of `firstLayerFilters`. */
export interface FirstLayerFiltersOptions {
  /** The convolution to show (default the model's first convolution). */
  readonly layer?: string;
  /** One scale for every filter (the layer's max |w|) instead of one per filter (default false). */
  readonly shared?: boolean;
}

const CONV_KINDS = new Set(['Conv2D', 'Conv']);

/**
 * The filters of the model's first convolution (or `options.layer`) as images `[kh, kw, cin]` in
 * [0, 1] (see the file comment). Reads `model.parameters`: tfjs kernels `[kh, kw, cin, cout]`,
 * ONNX `Conv` weights `[cout, cin, kh, kw]`.
 */
export async function firstLayerFilters(model: Model, options: FirstLayerFiltersOptions = {}): Promise<ImagesExplanation> {
  const fn = 'firstLayerFilters';
  const convs = model.layers.filter((l) => CONV_KINDS.has(l.kind));
  check(convs.length > 0, 'layer', () => `${fn}: expected a model with a convolution; '${model.name}' has layers ${model.layers.map((l) => `${l.name} (${l.kind})`).join(', ') || 'none'}`);
  const layer = options.layer ?? convs[0].name;
  const info = convs.find((l) => l.name === layer);
  check(info !== undefined, 'layer', () => `${fn}: expected a convolution of ${convs.map((l) => l.name).join(', ')}; found '${layer}'`);
  const kernel = model.parameters?.find((p) => p.layer === layer && p.shape.length === 4);
  check(kernel !== undefined, 'model', () => `${fn}: '${layer}' exposes no 4-D kernel among the model's parameters`);
  const hwio = tf.tidy(() => (info.kind === 'Conv' ? tf.transpose(kernel.value, [2, 3, 1, 0]) : kernel.value.clone()));
  const [kh, kw, cin, cout] = hwio.shape as [number, number, number, number];
  const w = (await hwio.data()) as Float32Array;
  hwio.dispose();
  const at = (y: number, x: number, c: number, o: number) => w[((y * kw + x) * cin + c) * cout + o];
  const maxAbs = (o: number) => {
    let m = 0;
    for (let i = o; i < w.length; i += cout) m = Math.max(m, Math.abs(w[i]));
    return m;
  };
  const layerMax = Math.max(...Array.from({ length: cout }, (_, o) => maxAbs(o)));
  const images = Array.from({ length: cout }, (_, o) => {
    const s = options.shared ? layerMax : maxAbs(o);
    const data: number[] = [];
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < cin; c++) data.push(s > 0 ? 0.5 + at(y, x, c, o) / (2 * s) : 0.5);
    return { label: `${layer}:${o}`, shape: [kh, kw, cin] as [number, number, number], data };
  });
  return { kind: 'images', method: 'first-layer-filters', images, meta: { layer, scale: options.shared ? 'shared' : 'per-filter', maxAbs: layerMax } };
}
