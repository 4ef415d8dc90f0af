import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MAX_IMAGE_PIXELS, pngSize, readImage, resizeBilinear } from '../../src/data/image.js';
import { lumenError, tempDir } from './helpers.js';

/** A w×h RGBA PNG whose pixel (x, y) is (10x, 20y, 30, 255). */
function writePng(file: string, w: number, h: number): void {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 4 * (y * w + x);
      png.data[i] = 10 * x;
      png.data[i + 1] = 20 * y;
      png.data[i + 2] = 30;
      png.data[i + 3] = 255;
    }
  }
  writeFileSync(file, PNG.sync.write(png));
}

test('a PNG written with pngjs reads back as [H, W, 3] in [0,1]', () => {
  const file = path.join(tempDir(), 'img.png');
  writePng(file, 4, 3);
  const img = readImage(file);
  assert.deepEqual(img.shape, [3, 4, 3]);
  const at = (y: number, x: number, c: number) => img.data[(y * 4 + x) * 3 + c];
  assert.equal(at(2, 3, 0), Math.fround(30 / 255));
  assert.equal(at(2, 3, 1), Math.fround(40 / 255));
  assert.equal(at(2, 3, 2), Math.fround(30 / 255));
});

test('grayscale gives one luma channel; size resizes bilinearly', () => {
  const file = path.join(tempDir(), 'img.png');
  writePng(file, 4, 3);
  const g = readImage(file, { grayscale: true });
  assert.deepEqual(g.shape, [3, 4, 1]);
  assert.ok(Math.abs(g.data[1 * 4 + 2] - (0.299 * 20 + 0.587 * 20 + 0.114 * 30) / 255) < 1e-6);
  const r = readImage(file, { grayscale: true, size: [6, 8] });
  assert.deepEqual(r.shape, [6, 8, 1]);
  const same = readImage(file, { size: [3, 4] });
  assert.deepEqual(same.data, readImage(file).data);
});

test('resizeBilinear interpolates at half-pixel centres', () => {
  const img = { data: new Float32Array([0, 1]), shape: [1, 2, 1] };
  const r = resizeBilinear(img, [1, 4]);
  assert.deepEqual(Array.from(r.data), [0, 0.25, 0.75, 1]);
  const down = resizeBilinear({ data: new Float32Array([0, 1, 2, 3]), shape: [2, 2, 1] }, [1, 1]);
  assert.deepEqual(Array.from(down.data), [1.5]);
  assert.throws(() => resizeBilinear(img, [0, 3]), lumenError('option', /size must be two positive integers/));
});

test('a JPEG written with jpeg-js reads back close to its pixels', () => {
  const w = 16;
  const h = 16;
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([200, 100, 50, 255], 4 * i);
  const file = path.join(tempDir(), 'img.jpg');
  writeFileSync(file, jpeg.encode({ width: w, height: h, data }, 95).data);
  const img = readImage(file);
  assert.deepEqual(img.shape, [16, 16, 3]);
  for (const [c, v] of [200, 100, 50].entries()) assert.ok(Math.abs(img.data[c] - v / 255) < 0.03, `channel ${c}: ${img.data[c]}`);
});

test('malformed images give LumenError naming the file, expected and found', () => {
  const dir = tempDir();
  const notPng = path.join(dir, 'x.png');
  writeFileSync(notPng, 'hello world');
  assert.throws(() => readImage(notPng), lumenError('file', /x\.png: expected a PNG image/, /found 11 bytes starting 68 65 6c/));
  const truncated = path.join(dir, 't.png');
  writePng(truncated, 8, 8);
  writeFileSync(truncated, readFileSync(truncated).subarray(0, 40));
  assert.throws(() => readImage(truncated), lumenError('file', /t\.png: expected a PNG image/, /found a corrupt file/));
  const pngAsJpeg = path.join(dir, 'p.jpg');
  writePng(pngAsJpeg, 2, 2);
  assert.throws(() => readImage(pngAsJpeg), lumenError('file', /p\.jpg: expected a JPEG image/, /found a PNG image/));
  assert.throws(() => readImage(path.join(dir, 'missing.png')), lumenError('file', /missing\.png: expected a PNG image; found no such file/));
});

test('readImage refuses a PNG above the pixel limit from its IHDR, before decoding (a 20000×20000 PNG)', () => {
  const dir = tempDir();
  const file = path.join(dir, 'small.png');
  writePng(file, 4, 3);
  const bytes = readFileSync(file);
  assert.deepEqual(pngSize(bytes), { width: 4, height: 3 });
  assert.throws(() => readImage(file, { maxPixels: 11 }), lumenError('file', /small\.png: expected an image of at most 11 pixels; found 4×3 = 12 pixels/));
  assert.deepEqual(readImage(file, { maxPixels: 12 }).shape, [3, 4, 3]);
  const big = Buffer.from(bytes);
  big.writeUInt32BE(20000, 16);
  big.writeUInt32BE(20000, 20);
  const bigFile = path.join(dir, 'big.png');
  writeFileSync(bigFile, big);
  const t0 = performance.now();
  assert.throws(() => readImage(bigFile), lumenError('file', /expected an image of at most 40,000,000 pixels; found 20000×20000/));
  assert.ok(performance.now() - t0 < 1000, 'refused without decoding');
  assert.equal(MAX_IMAGE_PIXELS, 40_000_000);
});

test('readImage refuses a JPEG above the pixel limit, naming it', () => {
  const dir = tempDir();
  const file = path.join(dir, 'wide.jpg');
  const w = 64;
  const h = 32;
  writeFileSync(file, jpeg.encode({ data: Buffer.alloc(w * h * 4, 128), width: w, height: h }, 90).data);
  assert.throws(() => readImage(file, { maxPixels: 1000 }), lumenError('file', /wide\.jpg: expected an image of at most 1,000 pixels/));
  assert.deepEqual(readImage(file, { maxPixels: 2048 }).shape, [32, 64, 3]);
});
