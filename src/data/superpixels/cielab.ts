/**
 * sRGB in [0, 1] → CIELAB (D65 white, the CIE 1976 formulas): L* in [0, 100], a* and b* roughly in
 * [−128, 127]. `rgb` is `[pixels, 3]` row-major; returns the same layout in float64.
 */
export function rgbToLab(rgb: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rgb.length);
  const lin = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const f = (t: number): number => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  for (let p = 0; p < rgb.length; p += 3) {
    const r = lin(rgb[p]);
    const g = lin(rgb[p + 1]);
    const b = lin(rgb[p + 2]);
    const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
    const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
    const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
    const fy = f(y);
    out[p] = 116 * fy - 16;
    out[p + 1] = 500 * (f(x) - fy);
    out[p + 2] = 200 * (fy - f(z));
  }
  return out;
}
