import { LumenError } from '../core/errors.js';
import type { LocalMethodInfo, MethodOptions } from '../core/method-info.js';
import { parseSuperpixelSpec } from '../data/superpixels/superpixel-spec.js';

/** Positive integer sizes written `4x4` (or `4x4x1`, `4×4`, `4,4`, or `4`), as numbers; undefined if malformed. */
export function sizesOf(text: string): number[] | undefined {
  const parts = text.split(/[x×,]/).map((s) => s.trim());
  return parts.every((s) => /^\d+$/.test(s) && Number(s) >= 1) ? parts.map(Number) : undefined;
}

function parseSizes(text: string, what: string): number[] {
  const sizes = sizesOf(text);
  if (!sizes) throw new LumenError('option', `${what}: expected sizes such as 4x4; found '${text}'`);
  return sizes;
}

/**
 * A feature mask as the command line writes it: `'scalars'`, `'tokens'` or `'patch:HxW'` (mask
 * files are read by `--features`); anything else that is not text (a tensor) passes unchanged.
 */
export function featureMaskOf(value: unknown): unknown {
  if (typeof value !== 'string' || value === 'scalars' || value === 'tokens') return value;
  const m = /^patch:(.+)$/.exec(value);
  if (m) return { patch: parseSizes(m[1], 'featureMask') };
  throw new LumenError('option', `featureMask: expected 'scalars', 'tokens', 'patch:HxW' or a mask file; found '${value}'`);
}

/**
 * Turns the text values of the command line (`--opt`, `--features`, `--superpixels`) into the
 * values a method's function takes, by option: `featureMask` 'patch:HxW' → `{patch: [H, W]}`,
 * `superpixels` 'slic:50' → a SuperpixelSpec, one `strides` size → a number for every axis. The
 * registry entries receive only these values; defaults stay with the functions.
 */
export function optionValues(method: LocalMethodInfo, options: MethodOptions): MethodOptions {
  const takes = (name: string): boolean => method.options.some((o) => o.name === name);
  const out: Record<string, unknown> = { ...options };
  if (takes('featureMask') && options.featureMask !== undefined) out.featureMask = featureMaskOf(options.featureMask);
  if (takes('superpixels') && typeof options.superpixels === 'string') out.superpixels = parseSuperpixelSpec(options.superpixels);
  if (takes('strides') && Array.isArray(options.strides) && options.strides.length === 1) out.strides = options.strides[0];
  return out as MethodOptions;
}
