/**
 * The list-valued options of the global-curves registry entries as the command line writes them
 * (`--opt features=2,flipper_length_mm`, `--opt percentiles=0.05,0.95`) or the library passes them
 * (arrays), turned into the arrays partialDependence and accumulatedLocalEffects take.
 */
import { check } from '../core/errors.js';

const INTEGER = /^\d+$/;

/**
 * The `features` option: a feature index, a name, a list of them, or comma-separated text whose
 * integer parts are indices and other parts names ('2,bill_depth_mm' → [2, 'bill_depth_mm']).
 * undefined stays undefined (the function's default).
 */
export function featureList(value: unknown, fn: string): (number | string)[] | undefined {
  if (value === undefined) return undefined;
  const items: unknown[] = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : Array.isArray(value) ? value : [value];
  const out = items.map((v) => (typeof v === 'string' && INTEGER.test(v) ? Number(v) : v));
  check(out.length > 0 && out.every((v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && v !== '')), 'option', () =>
    `${fn}: features must be feature indices ≥ 0 or names, a list or comma-separated (e.g. '2' or '0,bill_depth_mm'); found ${JSON.stringify(value)}`);
  return out as (number | string)[];
}

/** The `percentiles` option: two quantiles in [0, 1], low < high, as a pair or text '0.05,0.95'. */
export function percentilePair(value: unknown, fn: string): [number, number] | undefined {
  if (value === undefined) return undefined;
  const items = typeof value === 'string' ? value.split(',').map((s) => (s.trim() === '' ? NaN : Number(s))) : Array.isArray(value) ? value.map((v) => (typeof v === 'number' ? v : NaN)) : [NaN];
  check(items.length === 2 && items.every((v) => Number.isFinite(v) && v >= 0 && v <= 1) && items[0] < items[1], 'option', () =>
    `${fn}: percentiles must be two quantiles 0 ≤ low < high ≤ 1 (e.g. '0.05,0.95'); found ${JSON.stringify(value)}`);
  return [items[0], items[1]];
}
