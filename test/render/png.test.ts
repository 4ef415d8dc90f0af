import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { decodePng, encodePng, pngDataUri, writePng } from '../../src/render/png.js';
import { lumenError } from './helpers.js';

function noise(width: number, height: number): { data: Uint8ClampedArray; width: number; height: number } {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) % 256;
  return { data, width, height };
}

test('encode → decode keeps every pixel, including alpha', () => {
  const img = noise(13, 7);
  const bytes = encodePng(img);
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  const back = PNG.sync.read(bytes);
  assert.equal(back.width, 13);
  assert.equal(back.height, 7);
  assert.deepEqual(new Uint8Array(back.data), new Uint8Array(img.data.buffer));
  assert.deepEqual(decodePng(bytes).data, img.data);
});

test('a subarray view is encoded from its own bytes, not its whole buffer', () => {
  const big = new Uint8Array(100).fill(9);
  const view = big.subarray(4, 8);
  view.set([1, 2, 3, 4]);
  assert.deepEqual([...decodePng(encodePng({ data: view, width: 1, height: 1 })).data], [1, 2, 3, 4]);
});

test('pngDataUri is a base64 data URI of the same bytes; writePng writes them', () => {
  const img = noise(3, 2);
  const uri = pngDataUri(img);
  assert.match(uri, /^data:image\/png;base64,[A-Za-z0-9+/=]+$/);
  assert.deepEqual(Buffer.from(uri.split(',')[1]!, 'base64'), encodePng(img));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lumen-render-')), 'x.png');
  writePng(file, img);
  assert.deepEqual(readFileSync(file), encodePng(img));
  assert.throws(() => writePng(path.join(file, 'no', 'such.png'), img), lumenError('file', /cannot write/));
});

test('bad sizes and bad bytes are LumenErrors', () => {
  assert.throws(() => encodePng({ data: new Uint8Array(10), width: 2, height: 2 }), lumenError('shape', /RGBA data has 10 values; expected W×H×4 = 2×2×4 = 16/));
  assert.throws(() => encodePng({ data: new Uint8Array(0), width: 0, height: 2 }), lumenError('shape', /positive integers/));
  assert.throws(() => decodePng(new Uint8Array([1, 2, 3])), lumenError('file', /decodePng: expected a PNG image/));
});
