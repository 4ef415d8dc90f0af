import { check } from './errors.js';

/**
 * Bilinear resize of a `[H, W, C]` image to `[height, width, C]` with half-pixel centres (the
 * convention of PIL, OpenCV and tf.image.resizeBilinear(…, halfPixelCenters=true)); no antialiasing.
 * The one bilinear resize of data outside tensors (image inputs, RISE's masks); tensors use
 * tfjs' own `tf.image.resizeBilinear(x, size, false, true)`, the same convention.
 */
export function resizeBilinear(image: { readonly data: ArrayLike<number>; readonly shape: readonly number[] }, size: readonly [number, number]): { data: Float32Array; shape: [number, number, number] } {
  check(image.shape.length === 3, 'shape', () => `resizeBilinear: expected an image [H, W, C]; found shape [${image.shape.join(', ')}]`);
  const [h, w, c] = image.shape;
  const [oh, ow] = size;
  check(Number.isInteger(oh) && Number.isInteger(ow) && oh > 0 && ow > 0, 'option',
    () => `resizeBilinear: size must be two positive integers [height, width]; found [${size.join(', ')}]`);
  if (oh === h && ow === w) return { data: Float32Array.from(image.data), shape: [h, w, c] };
  const out = new Float32Array(oh * ow * c);
  const sy = h / oh;
  const sx = w / ow;
  for (let y = 0; y < oh; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const dy = fy - y0;
    for (let x = 0; x < ow; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const dx = fx - x0;
      for (let k = 0; k < c; k++) {
        const a = image.data[(y0 * w + x0) * c + k];
        const b = image.data[(y0 * w + x1) * c + k];
        const d = image.data[(y1 * w + x0) * c + k];
        const e = image.data[(y1 * w + x1) * c + k];
        out[(y * ow + x) * c + k] = (a * (1 - dx) + b * dx) * (1 - dy) + (d * (1 - dx) + e * dx) * dy;
      }
    }
  }
  return { data: out, shape: [oh, ow, c] };
}
