/**
 * PNG (pngjs) and JPEG (jpeg-js) images → float32 `[H, W, C]` in [0,1]: C = 3 (RGB, alpha dropped)
 * or 1 with `grayscale` (ITU-R BT.601 luma), optionally resized with bilinear interpolation.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { check, LumenError } from '../core/errors.js';
import { resizeBilinear } from '../core/resize-bilinear.js';
import { describeBytes, readBytes, type TensorData } from './tensor-data.js';

/** The most pixels an input image may have (40 megapixels, e.g. 8000×5000): larger images are refused before decoding. */
export const MAX_IMAGE_PIXELS = 40_000_000;

export interface ImageOptions {
  /** Refuse images with more pixels than this (default MAX_IMAGE_PIXELS), read from the header before decoding. */
  readonly maxPixels?: number;
  /** One channel (luma 0.299 R + 0.587 G + 0.114 B) instead of three. */
  readonly grayscale?: boolean;
  /** Resize to `[height, width]` with bilinear interpolation (half-pixel centres, like tf.image.resizeBilinear with halfPixelCenters). */
  readonly size?: readonly [number, number];
}

export type ImageFormat = 'png' | 'jpeg';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format of encoded image bytes from their signature, or undefined. */
export function sniffImage(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/**
 * A PNG's width and height from its IHDR chunk (bytes 16–23), without decoding; undefined when the
 * header is missing or truncated (the decoder then reports the corruption).
 */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * The RGBA pixels of PNG or JPEG bytes — the one decoder of encoded images (pngjs, jpeg-js), used
 * by the input readers and by render's `decodePng`. The signature is checked against `format`; a
 * corrupt file is a LumenError naming `source`; so is an image of more than `maxPixels` pixels,
 * refused before decoding (PNG: from its IHDR; JPEG: by jpeg-js' resolution limit).
 */
export function decodeRgba(bytes: Uint8Array, source: string, format: ImageFormat, maxPixels = MAX_IMAGE_PIXELS): { width: number; height: number; rgba: Uint8Array } {
  const found = sniffImage(bytes);
  const expected = format === 'png' ? 'a PNG image (signature 89 50 4e 47 0d 0a 1a 0a)' : 'a JPEG image (signature ff d8 ff)';
  check(found === format, 'file', () => `${source}: expected ${expected}; found ${found ? `a ${found.toUpperCase()} image` : describeBytes(bytes)}`);
  const limit = `${source}: expected an image of at most ${maxPixels.toLocaleString('en-US')} pixels; found`;
  const header = format === 'png' ? pngSize(bytes) : undefined;
  check(!header || header.width * header.height <= maxPixels, 'file', () =>
    `${limit} ${header!.width}×${header!.height} = ${(header!.width * header!.height).toLocaleString('en-US')} pixels (resize it first)`);
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  try {
    if (format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
    } else {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: maxPixels / 1e6 });
      ({ width, height } = img);
      rgba = img.data;
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/maxResolutionInMP/.test(message)) throw new LumenError('file', `${limit} more (${message})`);
    throw new LumenError('file', `${source}: expected ${expected}; found a corrupt file (${message})`);
  }
  check(width > 0 && height > 0 && rgba.length >= width * height * 4, 'file',
    () => `${source}: expected ${expected} with pixels; found ${width}×${height} with ${rgba.length} bytes of pixel data`);
  return { width, height, rgba };
}

/** Decodes PNG or JPEG bytes; `source` (the file name) is named in error messages. */
export function decodeImage(bytes: Uint8Array, source: string, format: ImageFormat, options: ImageOptions = {}): TensorData & { shape: [number, number, number] } {
  const { width, height, rgba } = decodeRgba(bytes, source, format, options.maxPixels);
  const c = options.grayscale ? 1 : 3;
  const data = new Float32Array(width * height * c);
  for (let p = 0; p < width * height; p++) {
    const r = rgba[4 * p] / 255;
    const g = rgba[4 * p + 1] / 255;
    const b = rgba[4 * p + 2] / 255;
    if (c === 1) data[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      data[3 * p] = r;
      data[3 * p + 1] = g;
      data[3 * p + 2] = b;
    }
  }
  const image = { data, shape: [height, width, c] as [number, number, number] };
  return options.size ? resizeBilinear(image, options.size) : image;
}

/** Reads a `.png`, `.jpg` or `.jpeg` file (format from the extension, checked against the bytes). */
export function readImage(file: string, options: ImageOptions = {}): TensorData & { shape: [number, number, number] } {
  const format: ImageFormat = /\.png$/i.test(file) ? 'png' : 'jpeg';
  const bytes = readBytes(file, format === 'png' ? 'a PNG image' : 'a JPEG image');
  return decodeImage(bytes, file, format, options);
}

export { resizeBilinear } from '../core/resize-bilinear.js';
