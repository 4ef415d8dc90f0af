/** Number formatting for the views: the library's compact format (src/render/format.ts), '—' for missing values. */
import { formatNumber } from '../../src/render/format.js';

export function fmt(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined ? '—' : formatNumber(value, digits);
}
