/**
 * Form text → option values, by the registry's option specs (src/core/method-info.ts OptionSpec):
 * numbers and integers parsed, booleans from checkboxes, 'sizes' such as `4x4` as integer lists;
 * an empty field leaves the method's own default. A malformed field is an error naming the option.
 */
import type { OptionSpec } from '../../src/core/method-info.js';

/** Options the form never shows: the page sets them (target, seed, signal, progress) or they need tensors. */
export const HIDDEN_OPTIONS = new Set(['target', 'seed', 'signal', 'onProgress', 'batchSize', 'baselines', 'featureMask', 'superpixels', 'data', 'layer']);

/** The typed value of one field, or undefined for an empty one. */
export function optionValue(spec: OptionSpec, text: string | boolean): unknown {
  if (typeof text === 'boolean') return text;
  const raw = text.trim();
  if (raw === '') return undefined;
  const fail = (expected: string): never => {
    throw new Error(`option ${spec.name}: expected ${expected}; found '${raw}'`);
  };
  switch (spec.type) {
    case 'number':
      return Number.isFinite(Number(raw)) ? Number(raw) : fail('a number');
    case 'integer':
      return /^-?\d+$/.test(raw) ? Number(raw) : fail('an integer');
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : fail('true or false');
    case 'enum':
      return spec.values?.includes(raw) ? raw : fail(`one of ${(spec.values ?? []).join(', ')}`);
    case 'sizes': {
      const parts = raw.split(/[x×,]/).map((s) => s.trim());
      return parts.every((s) => /^\d+$/.test(s) && Number(s) >= 1) ? parts.map(Number) : fail('sizes such as 4x4');
    }
    case 'baseline':
      return Number.isFinite(Number(raw)) ? Number(raw) : raw;
    default:
      return raw;
  }
}

/** Every non-empty field of a method's form as typed values. */
export function optionValues(specs: readonly OptionSpec[], fields: Readonly<Record<string, string | boolean>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    if (!(spec.name in fields)) continue;
    const v = optionValue(spec, fields[spec.name]!);
    if (v !== undefined) out[spec.name] = v;
  }
  return out;
}
