import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorAt, colormap } from '../../src/render/colormap.js';
import { drawText, fontCharacters, glyphRows, measureText, fitText } from '../../src/render/font.js';
import { grid } from '../../src/render/grid.js';
import { createRgba } from '../../src/render/image.js';
import { overlay } from '../../src/render/overlay.js';
import { lumenError, pixel } from './helpers.js';

const grey = { data: new Float32Array([0, 1, 0.5, 0.5]), height: 2, width: 2, channels: 1 };
const attr = { data: new Float32Array([0, 0, 1, -1]), height: 2, width: 2 };

test('blend mixes the image and the heatmap at alpha', () => {
  const img = overlay(grey, attr, { alpha: 0.5 });
  const mid = colorAt(colormap('RdBu_r'), 0.5);
  assert.deepEqual(pixel(img, 0, 0), [...mid.map((c) => Math.round(c * 0.5)), 255]);
  const red = colorAt(colormap('RdBu_r'), 1);
  assert.deepEqual(pixel(img, 0, 1), [...red.map((c) => Math.round(127.5 * 0.5 + c * 0.5)), 255]);
  const plain = overlay(grey, attr, { alpha: 0 });
  assert.deepEqual(pixel(plain, 1, 0), [255, 255, 255, 255]);
  const byMag = overlay(grey, attr, { alpha: 1, alphaByMagnitude: true });
  assert.deepEqual(pixel(byMag, 1, 0), [255, 255, 255, 255], 'zero attribution shows the plain image');
  assert.deepEqual(pixel(byMag, 1, 1), [...colorAt(colormap('RdBu_r'), 0), 255]);
});

test('blended_heat_map greys an RGB image; masked_image multiplies it by |attribution|', () => {
  const rgb = { data: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]), height: 2, width: 2, channels: 3 };
  const bh = overlay(rgb, attr, { style: 'blended_heat_map', alpha: 0 });
  assert.deepEqual(pixel(bh, 0, 0), [85, 85, 85, 255]);
  const masked = overlay(rgb, attr, { style: 'masked_image' });
  assert.deepEqual(pixel(masked, 0, 0), [0, 0, 0, 255]);
  assert.deepEqual(pixel(masked, 0, 1), [0, 0, 255, 255]);
  assert.deepEqual(pixel(masked, 1, 1), [255, 255, 255, 255]);
  const pos = overlay(rgb, attr, { style: 'masked_image', sign: 'positive' });
  assert.deepEqual(pixel(pos, 1, 1), [0, 0, 0, 255]);
  const alpha = overlay(rgb, attr, { style: 'alpha_scaling', background: [0, 255, 0] });
  assert.deepEqual(pixel(alpha, 0, 0), [0, 255, 0, 255]);
  assert.deepEqual(pixel(alpha, 0, 1), [0, 0, 255, 255]);
  assert.equal(overlay(rgb, attr, { upscale: 3 }).width, 6);
});

test('overlay errors: mismatched sizes, masked with both signs, bad alpha', () => {
  const big = { data: new Float32Array(9), height: 3, width: 3 };
  assert.throws(() => overlay(grey, big), lumenError('shape', /attribution is 3×3; expected the image's 2×2/));
  assert.throws(() => overlay(grey, attr, { style: 'masked_image', sign: 'all' }), lumenError('option', /cannot show positive and negative/));
  assert.throws(() => overlay(grey, attr, { alpha: 2 }), lumenError('option', /alpha must be in \[0, 1\]/));
  assert.throws(() => overlay({ ...grey, channels: 2, data: new Float32Array(8) }, attr), lumenError('shape', /1, 3 or 4 channels; found 2/));
});

test('grid dimensions: cols, rows, padding, largest cell; images land in their cells', () => {
  const red = createRgba(10, 8, [255, 0, 0]);
  const blue = createRgba(6, 4, [0, 0, 255]);
  const g = grid([red, blue, red], { cols: 2, padding: 2, background: [0, 0, 0] });
  assert.equal(g.width, 2 * 10 + 3 * 2);
  assert.equal(g.height, 2 * 8 + 3 * 2);
  assert.deepEqual(pixel(g, 0, 0), [0, 0, 0, 255]);
  assert.deepEqual(pixel(g, 2, 2), [255, 0, 0, 255]);
  assert.deepEqual(pixel(g, 14 + 2, 2 + 2), [0, 0, 255, 255], 'the smaller image is centred');
  assert.deepEqual(pixel(g, 14 + 1, 2 + 1), [0, 0, 0, 255]);
  assert.deepEqual(pixel(g, 2, 12), [255, 0, 0, 255], 'third image starts the second row');
  const one = grid([red, blue]);
  assert.equal(one.width, 2 * 10 + 3 * 4);
  assert.equal(one.height, 8 + 2 * 4);
});

test('grid labels add a text band and draw ink in it', () => {
  const im = createRgba(40, 20, [200, 200, 200]);
  const g = grid([im, im], { labels: ['IG', 'saliency'], padding: 2 });
  assert.equal(g.height, 2 + 20 + 7 + 4 + 2);
  let ink = 0;
  for (let y = 22; y < g.height; y++) for (let x = 0; x < g.width; x++) if (pixel(g, x, y)[0] < 100) ink++;
  assert.ok(ink > 20, `label pixels drawn (${ink})`);
  assert.throws(() => grid([]), lumenError('input', /non-empty array/));
  assert.throws(() => grid([{ data: new Uint8ClampedArray(3), width: 1, height: 1 }]), lumenError('shape', /image 0: RGBA data has 3 values; expected W×H×4 = 1×1×4 = 4/));
  assert.throws(() => grid([im], { cols: 0 }), lumenError('option', /cols/));
});

test('the bitmap font: well-formed glyphs, measuring, fitting', () => {
  for (const ch of fontCharacters()) {
    const rows = glyphRows(ch);
    assert.equal(rows.length, 7, ch);
    for (const r of rows) assert.match(r, /^[.#]{5}$/, ch);
  }
  assert.deepEqual(glyphRows('a'), glyphRows('A'));
  assert.deepEqual(glyphRows('\u00e9'), glyphRows('?'));
  const img = createRgba(12, 7, [255, 255, 255]);
  drawText(img, 'I1', 0, 0, [0, 0, 0]);
  assert.deepEqual(pixel(img, 2, 3), [0, 0, 0, 255]);
  assert.deepEqual(pixel(img, 0, 3), [255, 255, 255, 255]);
  assert.deepEqual(measureText('AB', 2), { width: 22, height: 14 });
  assert.equal(fitText('abcdefghij', 6 * 6 - 1), 'abcd..');
  assert.equal(fitText('abc', 100), 'abc');
});
