/**
 * PNG encoding (pngjs) of RGBA images, as bytes, a base64 `data:` URI for self-contained HTML,
 * or a file; and decoding back (for tests and round trips).
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { LumenError } from '../core/errors.js';
import { decodeRgba } from '../data/image.js';
import { checkRgba, type RgbaBuffer, type RgbaImage } from './image.js';

/** Encodes an RGBA image (8-bit, non-interlaced, colour type 6) as PNG bytes. */
export function encodePng(rgba: RgbaImage): Buffer {
  checkRgba(rgba, 'encodePng');
  const png = new PNG({ width: rgba.width, height: rgba.height, colorType: 6, inputColorType: 6, bitDepth: 8, inputHasAlpha: true });
  png.data = Buffer.from(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength);
  return PNG.sync.write(png, { colorType: 6, inputColorType: 6, inputHasAlpha: true });
}

/** A `data:image/png;base64,…` URI of an RGBA image, for `<img src>` in a self-contained page. */
export function pngDataUri(rgba: RgbaImage): string {
  return `data:image/png;base64,${encodePng(rgba).toString('base64')}`;
}

/** Decodes PNG bytes into an RGBA image (any PNG colour type is expanded to RGBA), with data/image.ts's decoder. */
export function decodePng(bytes: Uint8Array): RgbaBuffer {
  const { width, height, rgba } = decodeRgba(bytes, 'decodePng', 'png');
  return { data: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height };
}

/** Writes an RGBA image to `file` as PNG; a write failure is a LumenError('file'). */
export function writePng(file: string, rgba: RgbaImage): void {
  const bytes = encodePng(rgba);
  try {
    writeFileSync(file, bytes);
  } catch (e) {
    throw new LumenError('file', `writePng: cannot write ${file} (${e instanceof Error ? e.message : String(e)})`);
  }
}
