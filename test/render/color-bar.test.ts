import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorAt, colormap } from '../../src/render/colormap.js';
import { colorBar, withColorBar } from '../../src/render/color-bar.js';
import { createRgba } from '../../src/render/image.js';
import { lumenError, pixel } from './helpers.js';

test('colorBar runs from one end of the colour map to the other and is labelled under the strip', () => {
  const bar = colorBar('RdBu_r', 'all', 0.5, { width: 100, barHeight: 6 });
  assert.equal(bar.width, 100);
  const lut = colormap('RdBu_r');
  assert.deepEqual(pixel(bar, 0, 0), [...colorAt(lut, 0), 255]);
  assert.deepEqual(pixel(bar, 99, 0), [...colorAt(lut, 1), 255]);
  let ink = 0;
  for (let y = 7; y < bar.height; y++) for (let x = 0; x < 100; x++) if (pixel(bar, x, y)[0] < 100) ink++;
  assert.ok(ink > 20, `labels drawn under the strip (${ink} dark pixels)`);
});

test('withColorBar puts the bar under the heatmap; a bad scale is refused', () => {
  const heat = createRgba(60, 40, [255, 0, 0, 255]);
  const out = withColorBar(heat, 'inferno', 'absolute', 2);
  assert.equal(out.width, 60);
  assert.ok(out.height > 40 + 8);
  assert.deepEqual(pixel(out, 10, 10), [255, 0, 0, 255]);
  assert.throws(() => colorBar('inferno', 'absolute', Number.NaN), lumenError('numeric', /scale must be a finite number/));
});
