import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitImage } from '../../src/data/fit-image.js';
import { lumenError } from '../render/helpers.js';

/** A 2×4 one-channel image whose columns are 1, 2, 3, 4. */
const wide = { data: new Float32Array([1, 2, 3, 4, 1, 2, 3, 4]), shape: [2, 4, 1] };

test("fitImage 'stretch' resizes whatever the aspect ratio", () => {
  const out = fitImage(wide, [2, 2], 'stretch');
  assert.deepEqual(out.shape, [2, 2, 1]);
  assert.deepEqual([...out.data], [1.5, 3.5, 1.5, 3.5]);
});

test("fitImage 'crop' covers the size and keeps the centre (Resize + CenterCrop)", () => {
  const out = fitImage(wide, [2, 2], 'crop');
  assert.deepEqual(out.shape, [2, 2, 1]);
  assert.deepEqual([...out.data], [2, 3, 2, 3]);
});

test("fitImage 'pad' fits inside and pads the rest with 0, centred (letterboxing)", () => {
  const out = fitImage(wide, [4, 4], 'pad');
  assert.deepEqual(out.shape, [4, 4, 1]);
  assert.deepEqual([...out.data], [0, 0, 0, 0, 1, 2, 3, 4, 1, 2, 3, 4, 0, 0, 0, 0]);
});

test('fitImage refuses an unknown mode', () => {
  assert.throws(() => fitImage(wide, [2, 2], 'zoom' as 'crop'), lumenError('option', /mode must be one of stretch, crop, pad; found 'zoom'/));
});
