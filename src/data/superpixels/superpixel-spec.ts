import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../../core/errors.js';
import { felzenszwalb } from './felzenszwalb.js';
import { slic } from './slic.js';

/** A segmentation as the CLI and the registry name it: `slic`, `slic:<segments>`, `felzenszwalb`, `felzenszwalb:<scale>`. */
export interface SuperpixelSpec {
  readonly algorithm: 'slic' | 'felzenszwalb';
  /** SLIC's number of segments or Felzenszwalb's scale; undefined for the default. */
  readonly parameter?: number;
}

/** Parses `slic[:n]` or `felzenszwalb[:scale]`; a malformed text is a LumenError naming the forms. */
export function parseSuperpixelSpec(text: string): SuperpixelSpec {
  const m = /^(slic|felzenszwalb)(?::(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (!m) throw new LumenError('option', `superpixels: expected 'slic', 'slic:<segments>', 'felzenszwalb' or 'felzenszwalb:<scale>'; found '${text}'`);
  const parameter = m[2] === undefined ? undefined : Number(m[2]);
  check(parameter === undefined || parameter > 0, 'option', () => `superpixels: the parameter of '${text}' must be > 0`);
  check(m[1] !== 'slic' || parameter === undefined || Number.isInteger(parameter), 'option', () => `superpixels: SLIC's segment count must be an integer; found '${text}'`);
  return { algorithm: m[1] as SuperpixelSpec['algorithm'], ...(parameter !== undefined ? { parameter } : {}) };
}

/**
 * The superpixel label map of every image of a batch `[N, H, W, C]` (C = 1 or 3, values in [0, 1]):
 * an int32 tensor `[N, H, W, 1]` the caller disposes, usable as a `featureMask`.
 */
export function superpixelBatch(spec: SuperpixelSpec | string, images: tf.Tensor): tf.Tensor {
  const s = typeof spec === 'string' ? parseSuperpixelSpec(spec) : spec;
  check(images.rank === 4 && (images.shape[3] === 1 || images.shape[3] === 3), 'input', () =>
    `superpixels: segment images [N, H, W, 1 or 3]; found shape [${images.shape}]`);
  const [n, height, width, channels] = images.shape;
  const data = images.dataSync();
  const per = height * width * channels;
  const out = new Int32Array(n * height * width);
  for (let e = 0; e < n; e++) {
    const image = { data: data.subarray(e * per, (e + 1) * per), height, width, channels };
    const labels = s.algorithm === 'slic' ? slic(image, { segments: s.parameter }) : felzenszwalb(image, { scale: s.parameter });
    out.set(labels, e * height * width);
  }
  return tf.tensor4d(out, [n, height, width, 1], 'int32');
}
