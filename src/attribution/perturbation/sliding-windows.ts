import { check } from '../../core/errors.js';

/**
 * Windows slid over one example's shape:
 * - `'clip'` (Captum's Occlusion): per axis, starts k·s for k = 0…⌈(D − w)/s⌉, the last window
 *   clipped at the border (12 px, w = 3, s = 2: starts 0, 2, …, 10, the last covering 2 px);
 * - `'fit'`: starts k·s while the window fits, plus D − w if the border is not reached, so every
 *   window is whole (prediction difference analysis).
 */
export type WindowPlacement = 'clip' | 'fit';

/**
 * An occlusion-like window over one example, the one type of every sliding-window method: one
 * size per axis (`[3, 3, 1]` on `[H, W, C]` images), one axis fewer to cover the last axis whole
 * (`[4, 4]`: every channel of a 4 × 4 patch), or a number k for a k × k patch of an image (every
 * channel) or k scalars of a vector.
 */
export type WindowShape = number | readonly number[];

/** Steps of a window: one number for every axis, or one per window axis. */
export type WindowStrides = number | readonly number[];

/** The window as one size per axis of the example (or one fewer): a number k made `[k, k]` on images, `[k]` on vectors. */
export function windowSizes(shape: readonly number[], window: WindowShape, fn: string): readonly number[] {
  if (typeof window !== 'number') return window;
  check(shape.length === 3 || shape.length === 1, 'option', () =>
    `${fn}: a window given as one number needs images [H, W, C] or vectors [F]; give one size per axis of an example [${shape}]`);
  return shape.length === 3 ? [window, window] : [window];
}

/** The windows over a shape: how many, each one's start per axis, and its flat scalar indices. */
export interface SlidingWindows {
  readonly count: number;
  /** The window's start along each axis. */
  start(k: number): number[];
  /** The flat (row-major) indices of the scalars window k covers, clipped at the border. */
  indices(k: number): Int32Array;
}

/**
 * Resolves a window and strides for examples of `shape`: a window with one axis fewer than the
 * example covers its last axis whole (an image's channels); strides are a number for every axis
 * or one per window axis (default 1). Checks that every size is a positive integer no larger than
 * the example, and that no stride exceeds its window (which would leave scalars uncovered).
 */
export function windowShapeOf(shape: readonly number[], windowOption: WindowShape | undefined, strides: WindowStrides | undefined, fn: string): { window: number[]; strides: number[] } {
  const window = windowOption === undefined ? undefined : windowSizes(shape, windowOption, fn);
  check(Array.isArray(window), 'option', () => `${fn}: the 'window' option is required: a window shape such as [${shape.map(() => 1)}]`);
  check(window.length === shape.length || window.length === shape.length - 1, 'option', () =>
    `${fn}: window [${window}] must have one size per axis of an example [${shape}] (or one fewer to cover the last axis whole)`);
  const w = window.length === shape.length ? [...window] : [...window, shape[shape.length - 1]];
  const given = strides ?? 1;
  const s0 = typeof given === 'number' ? new Array<number>(window.length).fill(given) : [...given];
  check(s0.length === window.length, 'option', () => `${fn}: strides [${s0}] must have one entry per window axis (${window.length})`);
  const s = s0.length === shape.length ? s0 : [...s0, shape[shape.length - 1]];
  w.forEach((v, d) => {
    check(Number.isInteger(v) && v >= 1 && v <= shape[d], 'option', () =>
      `${fn}: window size ${v} on axis ${d} must be an integer in 1…${shape[d]} (example shape [${shape}])`);
    check(Number.isInteger(s[d]) && s[d] >= 1, 'option', () => `${fn}: stride ${s[d]} on axis ${d} must be a positive integer`);
    // A stride beyond the window leaves scalars that no window covers: their attribution would be 0/0.
    check(s[d] <= v || v === shape[d], 'option', () =>
      `${fn}: stride ${s[d]} on axis ${d} must be at most the window size ${v} (a larger stride leaves scalars no window covers); found strides [${s}] for window [${w}]`);
  });
  return { window: w, strides: s };
}

/** Window starts along one axis of size `size`. */
export function windowStarts(size: number, window: number, stride: number, placement: WindowPlacement): number[] {
  const out: number[] = [];
  if (placement === 'clip') {
    const last = Math.ceil((size - window) / stride);
    for (let k = 0; k <= last; k++) out.push(k * stride);
  } else {
    for (let p = 0; p + window <= size; p += stride) out.push(p);
    if (out[out.length - 1] !== size - window) out.push(size - window);
  }
  return out;
}

/** Every window of `window` with `strides` over `shape`, row-major over the starts. */
export function slidingWindows(shape: readonly number[], window: readonly number[], strides: readonly number[], placement: WindowPlacement): SlidingWindows {
  const starts = shape.map((d, i) => windowStarts(d, window[i], strides[i], placement));
  const count = starts.reduce((a, s) => a * s.length, 1);
  const rank = shape.length;
  const stride = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) stride[d] = stride[d + 1] * shape[d + 1];
  const start = (k: number): number[] => {
    const out = new Array<number>(rank);
    for (let d = rank - 1; d >= 0; d--) {
      out[d] = starts[d][k % starts[d].length];
      k = Math.floor(k / starts[d].length);
    }
    return out;
  };
  return {
    count,
    start,
    indices(k) {
      const lo = start(k);
      const ext = lo.map((v, d) => Math.min(shape[d], v + window[d]) - v);
      const out = new Int32Array(ext.reduce((a, b) => a * b, 1));
      const idx = new Array<number>(rank).fill(0);
      for (let i = 0; i < out.length; i++) {
        let flat = 0;
        for (let d = 0; d < rank; d++) flat += (lo[d] + idx[d]) * stride[d];
        out[i] = flat;
        for (let d = rank - 1; d >= 0; d--) {
          if (++idx[d] < ext[d]) break;
          idx[d] = 0;
        }
      }
      return out;
    },
  };
}
