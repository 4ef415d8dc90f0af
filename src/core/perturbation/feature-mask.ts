import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../errors.js';

/**
 * Which scalars of an example are switched off together (one "feature" or "player"):
 * - `'scalars'`: every scalar its own feature (Captum's default feature mask);
 * - a tensor of integer group ids, broadcastable to one example's shape (e.g. `[H, W, 1]` for
 *   per-pixel groups over every channel) or to `[N, ...]` (a mask per example) — Captum's
 *   `feature_mask`; for images the channel axis may be left out (`[H, W]`, `[N, H, W]`);
 * - a function of the input batch returning such a tensor (e.g. superpixels of each image; the
 *   tensor it returns is disposed after use);
 * - `{ patch: [h, w] }`: square patches of an image `[H, W, C]` (all channels together), tiled from
 *   the top-left corner, the last row and column of patches clipped at the border;
 * - `{ labels }`: a label map `[H, W]` or `[N, H, W]` (e.g. superpixels), each label a feature over
 *   every channel;
 * - `'tokens'`: token sequences — each position of `[N, T]` (ids) or `[N, T, E]` (embeddings, the E
 *   values of a position together) is a feature.
 */
export type FeatureMask =
  | 'scalars'
  | 'tokens'
  | tf.Tensor
  | ((x: tf.Tensor) => tf.Tensor)
  | { readonly patch: readonly number[] }
  | { readonly labels: tf.Tensor };

/**
 * A feature mask made into one shape: for each example, the feature of every scalar, numbered
 * 0…count−1 in increasing order of the given ids (Captum's order; ids without any scalar are
 * dropped), so feature k of an example stands for `labels[e][k]`.
 */
export interface ResolvedFeatureMask {
  /** Number of examples the mask was resolved for. */
  readonly n: number;
  /** Scalars per example. */
  readonly size: number;
  /** Whether every example has the same mask (then `ids` holds one example's, `size` entries). */
  readonly shared: boolean;
  /** Feature index of every scalar: `size` entries if shared, else `n · size`. */
  readonly ids: Int32Array;
  /** Number of features of each example. */
  readonly counts: readonly number[];
  /** The user's id of each feature, per example (what feature k stood for in the given mask). */
  readonly labels: readonly (readonly number[])[];
}

/** The feature index of scalar `j` of example `e`. */
export function featureOf(mask: ResolvedFeatureMask, e: number, j: number): number {
  return mask.ids[mask.shared ? j : e * mask.size + j];
}

/** The scalars of each feature of example `e`: `members[k]` lists the flat indices in feature k. */
export function featureMembers(mask: ResolvedFeatureMask, e: number): Int32Array[] {
  const count = mask.counts[e];
  const sizes = new Int32Array(count);
  const off = mask.shared ? 0 : e * mask.size;
  for (let j = 0; j < mask.size; j++) sizes[mask.ids[off + j]]++;
  const out = Array.from(sizes, (s) => new Int32Array(s));
  const fill = new Int32Array(count);
  for (let j = 0; j < mask.size; j++) {
    const k = mask.ids[off + j];
    out[k][fill[k]++] = j;
  }
  return out;
}

/**
 * Resolves a FeatureMask for `n` examples of shape `shape` (without the batch axis), checking
 * shapes and ids; `fn` names the calling method in errors. A function mask is called on `input`
 * (required for it).
 */
export function resolveFeatureMask(spec: FeatureMask | undefined, shape: readonly number[], n: number, fn: string, input?: tf.Tensor): ResolvedFeatureMask {
  const size = shape.reduce((a, b) => a * b, 1);
  const m = spec ?? 'scalars';
  if (typeof m === 'function') {
    check(input !== undefined, 'option', () => `${fn}: a featureMask function needs the input batch; none was given`);
    const t = m(input as tf.Tensor);
    check(t instanceof tf.Tensor, 'option', () => `${fn}: a featureMask function must return a tensor of group ids; found ${describe(t)}`);
    try {
      return fromTensor(t, shape, n, fn, 'featureMask');
    } finally {
      t.dispose();
    }
  }
  if (m === 'scalars') return fromIds(Int32Array.from({ length: size }, (_, j) => j), size, n, true);
  if (m === 'tokens') {
    check(shape.length === 1 || shape.length === 2, 'shape', () =>
      `${fn}: the 'tokens' feature mask needs token sequences [N, T] or embeddings [N, T, E]; found examples of shape [${shape}]`);
    const per = shape.length === 2 ? shape[1] : 1;
    return fromIds(Int32Array.from({ length: size }, (_, j) => Math.floor(j / per)), size, n, true);
  }
  if (m instanceof tf.Tensor) return fromTensor(m, shape, n, fn, 'featureMask');
  if (typeof m === 'object' && 'patch' in m) return patchMask(m.patch, shape, n, fn);
  if (typeof m === 'object' && 'labels' in m && m.labels instanceof tf.Tensor) {
    check(shape.length === 3, 'shape', () => `${fn}: a label-map feature mask needs images [N, H, W, C]; found examples of shape [${shape}]`);
    const l = m.labels;
    const [h, w] = shape;
    const ok = (l.rank === 2 && l.shape[0] === h && l.shape[1] === w) || (l.rank === 3 && l.shape[0] === n && l.shape[1] === h && l.shape[2] === w);
    check(ok, 'shape', () => `${fn}: a label map must be [${h}, ${w}] or [${n}, ${h}, ${w}] for input [${n}, ${shape}]; found [${l.shape}]`);
    const expanded = tf.tidy(() => l.expandDims(-1));
    try {
      return fromTensor(expanded, shape, n, fn, 'label map');
    } finally {
      expanded.dispose();
    }
  }
  throw new LumenError('option', `${fn}: featureMask must be 'scalars', 'tokens', a tensor of group ids, a function of the input returning one, {patch: [h, w]} or {labels}; found ${describe(m)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array (wrap it in tf.tensor)`;
  return typeof v === 'object' ? `an object with keys ${Object.keys(v as object).join(', ') || '(none)'}` : `'${String(v)}'`;
}

function patchMask(patch: readonly number[], shape: readonly number[], n: number, fn: string): ResolvedFeatureMask {
  check(shape.length === 3, 'shape', () => `${fn}: patch features need images [N, H, W, C]; found examples of shape [${shape}]`);
  const [h, w, c] = shape;
  check(Array.isArray(patch) && patch.length === 2 && patch.every((v) => Number.isInteger(v) && v >= 1), 'option', () =>
    `${fn}: patch must be [h, w] with positive integers; found [${patch}]`);
  check(patch[0] <= h && patch[1] <= w, 'option', () => `${fn}: patch [${patch}] is larger than the image [${h}, ${w}]`);
  const cols = Math.ceil(w / patch[1]);
  const ids = new Int32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ids.fill(Math.floor(y / patch[0]) * cols + Math.floor(x / patch[1]), (y * w + x) * c, (y * w + x + 1) * c);
  return fromIds(ids, h * w * c, n, true);
}

/** Whether `a` and `b` are the same shape. */
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * An image mask without its channel axis (`[H, W]` or `[N, H, W]` for examples `[H, W, C]`) given
 * one of size 1, so it broadcasts over channels; other masks as they are.
 */
function withChannelAxis(t: tf.Tensor, shape: readonly number[], n: number): tf.Tensor | null {
  if (shape.length < 3) return null;
  const spatial = shape.slice(0, -1);
  if (sameShape(t.shape, spatial)) return t.expandDims(-1);
  const fitsAsIs = t.shape.slice(t.rank === shape.length + 1 ? 1 : 0).every((d, i, all) => d === 1 || d === shape[shape.length - all.length + i]);
  if (!fitsAsIs && t.rank === shape.length && (t.shape[0] === 1 || t.shape[0] === n) && sameShape(t.shape.slice(1), spatial)) return t.expandDims(-1);
  return null;
}

/** Broadcasts an id tensor to `[...shape]` or `[n, ...shape]` and renumbers its ids. */
function fromTensor(given: tf.Tensor, shape: readonly number[], n: number, fn: string, what: string): ResolvedFeatureMask {
  const expanded = withChannelAxis(given, shape, n);
  try {
    return fromFullRank(expanded ?? given, shape, n, fn, what, given.shape);
  } finally {
    expanded?.dispose();
  }
}

function fromFullRank(t: tf.Tensor, shape: readonly number[], n: number, fn: string, what: string, givenShape: readonly number[]): ResolvedFeatureMask {
  const size = shape.reduce((a, b) => a * b, 1);
  const batched = t.rank === shape.length + 1;
  const perExample = batched && t.shape[0] === n && n > 1;
  const inner = batched ? t.shape.slice(1) : t.shape;
  const fits = inner.length <= shape.length && inner.every((d, i) => d === 1 || d === shape[shape.length - inner.length + i]);
  check(fits && t.rank <= shape.length + 1 && (!batched || t.shape[0] === 1 || t.shape[0] === n), 'shape', () =>
    `${fn}: ${what} shape [${givenShape}] must broadcast to one example's shape [${shape}] or to [${n}, ${shape}]` +
    (shape.length >= 3 ? ' (the channel axis may be 1 or left out)' : ''));
  const data = t.dataSync();
  for (const v of data) {
    check(Number.isInteger(v) && v >= 0, 'option', () => `${fn}: ${what} ids must be non-negative integers; found ${v}`);
  }
  const rows = perExample ? n : 1;
  const innerFull = [...Array(shape.length - inner.length).fill(1), ...inner];
  const perRow = inner.reduce((a, b) => a * b, 1);
  const ids = new Int32Array(rows * size);
  const strides = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = innerFull[d] === 1 ? 0 : s;
    s *= innerFull[d];
  }
  const index = new Array<number>(shape.length).fill(0);
  for (let j = 0; j < size; j++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += index[d] * strides[d];
    for (let r = 0; r < rows; r++) ids[r * size + j] = data[r * perRow + src];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return fromIds(ids, size, n, rows === 1);
}

/** Renumbers ids to 0…count−1 in increasing order of id, per example. */
function fromIds(raw: Int32Array, size: number, n: number, shared: boolean): ResolvedFeatureMask {
  const rows = shared ? 1 : n;
  const ids = new Int32Array(raw.length);
  const counts: number[] = [];
  const labels: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = raw.subarray(r * size, (r + 1) * size);
    const sorted = [...new Set(row)].sort((a, b) => a - b);
    const index = new Map(sorted.map((v, k) => [v, k]));
    for (let j = 0; j < size; j++) ids[r * size + j] = index.get(row[j]) as number;
    counts.push(sorted.length);
    labels.push(sorted);
  }
  return {
    n,
    size,
    shared,
    ids,
    counts: shared ? new Array<number>(n).fill(counts[0]) : counts,
    labels: shared ? new Array<number[]>(n).fill(labels[0]) : labels,
  };
}
