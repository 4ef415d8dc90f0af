import { check } from '../core/errors.js';
import { resizeBilinear } from './image.js';
import type { TensorData } from './tensor-data.js';

/** How an image is brought to a model's input size (`--resize`). */
export type ResizeMode = 'stretch' | 'crop' | 'pad';

/** The resize modes, for messages and flags. */
export const RESIZE_MODES: readonly ResizeMode[] = ['stretch', 'crop', 'pad'];

/**
 * Brings an `[H, W, C]` image to `[height, width, C]` (bilinear, half-pixel centres):
 * `'stretch'` resizes to the size whatever the aspect ratio; `'crop'` resizes so the image
 * covers the size and cuts the centre out (torchvision's Resize + CenterCrop); `'pad'` resizes so
 * the image fits inside and pads the rest with 0 (black), centred (letterboxing).
 */
export function fitImage(image: TensorData, size: readonly [number, number], mode: ResizeMode = 'stretch'): TensorData & { shape: [number, number, number] } {
  check(RESIZE_MODES.includes(mode), 'option', () => `fitImage: mode must be one of ${RESIZE_MODES.join(', ')}; found '${String(mode)}'`);
  const [h, w, c] = image.shape;
  const [oh, ow] = size;
  if (mode === 'stretch' || (h * ow === w * oh)) return resizeBilinear(image, size);
  const ratio = mode === 'crop' ? Math.max(oh / h, ow / w) : Math.min(oh / h, ow / w);
  const rh = Math.max(1, Math.round(h * ratio));
  const rw = Math.max(1, Math.round(w * ratio));
  const resized = resizeBilinear(image, [rh, rw]);
  const out = new Float32Array(oh * ow * c);
  // Offsets of the output inside the resized image (crop) or of the resized image inside the output (pad).
  const dy = Math.floor(Math.abs(rh - oh) / 2);
  const dx = Math.floor(Math.abs(rw - ow) / 2);
  for (let y = 0; y < Math.min(oh, rh); y++) {
    for (let x = 0; x < Math.min(ow, rw); x++) {
      const [sy, sx, ty, tx] = mode === 'crop' ? [y + dy, x + dx, y, x] : [y, x, y + dy, x + dx];
      for (let k = 0; k < c; k++) out[(ty * ow + tx) * c + k] = resized.data[(sy * rw + sx) * c + k];
    }
  }
  return { data: out, shape: [oh, ow, c] };
}
