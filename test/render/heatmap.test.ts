import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorAt, colormap } from '../../src/render/colormap.js';
import { heatmap, normalizeAttribution, reduceChannels } from '../../src/render/heatmap.js';
import { upscaleNearest } from '../../src/render/image.js';
import { lumenError, pixel } from './helpers.js';

const map2x2 = { data: new Float32Array([-2, 0, 1, 2]), height: 2, width: 2 };

test('a known signed map gets the expected diverging colours', () => {
  const img = heatmap(map2x2);
  assert.equal(img.width, 2);
  assert.equal(img.height, 2);
  const lut = colormap('RdBu_r');
  assert.deepEqual(pixel(img, 0, 0), [...colorAt(lut, 0), 255]); // −max → blue end
  assert.deepEqual(pixel(img, 1, 0), [...colorAt(lut, 0.5), 255]); // 0 → middle (white-ish)
  assert.deepEqual(pixel(img, 0, 1), [...colorAt(lut, 0.75), 255]); // +max/2
  assert.deepEqual(pixel(img, 1, 1), [...colorAt(lut, 1), 255]); // +max → red end
  const [r, , b] = pixel(img, 1, 1);
  assert.ok(r > b);
});

test('sign modes: positive keeps only positives, negative shows magnitudes of negatives, absolute |a|', () => {
  const pos = normalizeAttribution(map2x2, { sign: 'positive' });
  assert.deepEqual([...pos.values], [0, 0, 0.5, 1]);
  const neg = normalizeAttribution(map2x2, { sign: 'negative' });
  assert.deepEqual([...neg.values], [1, 0, 0, 0]);
  const abs = normalizeAttribution(map2x2, { sign: 'absolute' });
  assert.deepEqual([...abs.values], [1, 0, 0.5, 1]);
  const all = normalizeAttribution(map2x2);
  assert.deepEqual([...all.values], [-1, 0, 0.5, 1]);
  assert.equal(all.scale, 2);
  const img = heatmap(map2x2, { sign: 'absolute', colormap: 'gray' });
  assert.deepEqual(pixel(img, 0, 0), [255, 255, 255, 255]);
  assert.deepEqual(pixel(img, 1, 0), [0, 0, 0, 255]);
});

test('percentile clipping saturates the outlier and stretches the rest', () => {
  const data = new Float32Array(100);
  for (let i = 0; i < 99; i++) data[i] = (i % 2 === 0 ? 1 : -1) * 0.5;
  data[99] = 100; // one outlier
  const m = { data, height: 10, width: 10 };
  const plain = normalizeAttribution(m);
  assert.equal(plain.scale, 100);
  assert.ok(Math.abs(plain.values[0]! - 0.005) < 1e-7);
  const clipped = normalizeAttribution(m, { percentile: 98 });
  assert.equal(clipped.scale, 0.5);
  assert.equal(clipped.values[0], 1);
  assert.equal(clipped.values[1], -1);
  assert.equal(clipped.values[99], 1, 'the outlier is clipped to 1');
  const captum = normalizeAttribution(m, { outlierPerc: 50 });
  assert.equal(captum.scale, 100, 'cumulative-sum rule: the outlier holds most of the mass');
  const fixed = normalizeAttribution(m, { scale: 0.25 });
  assert.equal(fixed.values[0], 1);
});

test('channel reductions: sum, abs-sum, max-abs, l2', () => {
  const m = { data: new Float32Array([3, -4, 1, -1]), height: 1, width: 2, channels: 2 };
  assert.deepEqual([...reduceChannels(m, 'sum')], [-1, 0]);
  assert.deepEqual([...reduceChannels(m, 'abs-sum')], [7, 2]);
  assert.deepEqual([...reduceChannels(m, 'max-abs')], [4, 1]);
  assert.deepEqual([...reduceChannels(m, 'l2')], [5, Math.SQRT2].map(Math.fround));
});

test('an all-zero map is drawn at the middle colour rather than dividing by zero', () => {
  const img = heatmap({ data: new Float32Array(4), height: 2, width: 2 });
  assert.deepEqual(pixel(img, 1, 1), [...colorAt(colormap('RdBu_r'), 0.5), 255]);
});

test('integer nearest-neighbour upscaling: 28×28 → 224×224', () => {
  const data = new Float32Array(28 * 28);
  data[0] = 1;
  const img = heatmap({ data, height: 28, width: 28 }, { upscale: 8 });
  assert.equal(img.width, 224);
  assert.equal(img.height, 224);
  assert.deepEqual(pixel(img, 7, 7), pixel(img, 0, 0));
  assert.notDeepEqual(pixel(img, 8, 0), pixel(img, 0, 0));
  assert.throws(() => upscaleNearest(img, 1.5), lumenError('option', /factor must be an integer/));
});

test('bad shapes, options and values are LumenErrors naming expected and found', () => {
  assert.throws(
    () => heatmap({ data: new Float32Array(10), height: 2, width: 2, channels: 3 }),
    lumenError('shape', /data has 10 values; expected H×W×C = 2×2×3 = 12/),
  );
  assert.throws(() => heatmap({ data: new Float32Array(4), height: 0, width: 4 }), lumenError('shape', /positive integers/));
  assert.throws(() => heatmap(map2x2, { sign: 'both' as never }), lumenError('option', /sign must be one of/));
  assert.throws(() => heatmap(map2x2, { reduce: 'mean' as never }), lumenError('option', /reduce must be one of/));
  assert.throws(() => heatmap({ data: new Float32Array([0, NaN]), height: 1, width: 2 }), lumenError('numeric', /non-finite value \(NaN\) at pixel 1/));
});
