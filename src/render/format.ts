/**
 * Text helpers shared by the SVG and HTML writers: escaping and compact number formatting.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes `& < > " '` so any string is safe as HTML/SVG text or a quoted attribute value. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * A compact, readable number: integers with thousands separators (`12,345`), ordinary values to
 * 4 significant digits without trailing zeros (`0.1235`, `12.3`), tiny or huge ones in short
 * exponent form (`1e-4`, `-2.5e+7`). `digits` sets the significant digits (default 4).
 */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (value === 0) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return value.toLocaleString('en-US');
  const a = Math.abs(value);
  if (a >= 1e-3 && a < 1e6) {
    const s = value.toPrecision(digits);
    return s.includes('e') ? s : s.includes('.') ? s.replace(/\.?0+$/, '') : s;
  }
  const [mant, exp] = value.toExponential(Math.max(0, digits - 2)).split('e');
  return `${mant!.includes('.') ? mant!.replace(/\.?0+$/, '') : mant}e${exp}`;
}
