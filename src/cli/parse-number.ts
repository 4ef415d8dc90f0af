import { LumenError } from '../core/errors.js';

/** Decimal integers only: no hex (`0x10`), exponent (`1e3`), fraction or empty string. */
const INTEGER = /^[+-]?\d+$/;
/** Decimal numbers: `3`, `-0.5`, `.25`, `1e-3`; no hex, `Infinity`, `NaN` or empty string. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether `text` is a decimal integer literal (what integer options accept). */
export function isIntegerText(text: string): boolean {
  return INTEGER.test(text.trim()) && Number.isSafeInteger(Number(text));
}

/** Whether `text` is a finite decimal number literal (what number options accept). */
export function isDecimalText(text: string): boolean {
  return DECIMAL.test(text.trim()) && Number.isFinite(Number(text));
}

/**
 * A flag's value as an integer in [min, max], strictly: `--seed abc`, `--seed 1.5` and
 * `--opt steps=0x10` are LumenErrors saying what was expected and what was found.
 */
export function parseIntegerFlag(flag: string, text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const range = max === Number.MAX_SAFE_INTEGER ? (min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`) : `an integer from ${min} to ${max}`;
  const v = Number(text);
  if (!isIntegerText(text) || v < min || v > max) throw new LumenError('option', `${flag}: expected ${range} (decimal digits); found '${text}'`);
  return v;
}

/**
 * A flag's value as a finite decimal number in [min, max], strictly (no hex, `Infinity` or empty
 * string): `--eps abc` is a LumenError saying what was expected and what was found.
 */
export function parseNumberFlag(flag: string, text: string, min = -Infinity, max = Infinity): number {
  const v = Number(text);
  if (!isDecimalText(text) || v < min || v > max) {
    const range = min === -Infinity && max === Infinity ? 'a decimal number' : max === Infinity ? `a decimal number ≥ ${min}` : min === -Infinity ? `a decimal number ≤ ${max}` : `a decimal number in [${min}, ${max}]`;
    throw new LumenError('option', `${flag}: expected ${range}; found '${text}'`);
  }
  return v;
}
