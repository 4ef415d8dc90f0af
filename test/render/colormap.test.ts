import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  colorAt,
  colormap,
  colormapFunction,
  colormapNames,
  cumulativeSumThreshold,
  magnitudeScale,
  symmetricScale,
} from '../../src/render/colormap.js';
import { percentile } from '../../src/core/percentile.js';
import { lumenError } from './helpers.js';

test('the default diverging map: −max → blue, 0 → white-ish, +max → red', () => {
  const map = colormap('RdBu_r');
  assert.equal(map.kind, 'diverging');
  const [r0, g0, b0] = colorAt(map, 0);
  assert.ok(b0 > r0 + 50 && b0 > g0, `blue-dominant at 0: ${[r0, g0, b0]}`);
  const [r1, g1, b1] = colorAt(map, 1);
  assert.ok(r1 > b1 + 50 && r1 > g1, `red-dominant at 1: ${[r1, g1, b1]}`);
  const mid = colorAt(map, 0.5);
  for (const c of mid) assert.ok(c >= 235, `white-ish at 0.5: ${mid}`);
});

test('sequential endpoints: inferno dark → light yellow, viridis purple → yellow, hot black → white', () => {
  assert.deepEqual(colormapFunction('inferno')(0), [0, 0, 4]);
  assert.deepEqual(colormapFunction('inferno')(1), [252, 255, 164]);
  const [vr, vg, vb] = colormapFunction('viridis')(0);
  assert.ok(vb > vr && vb > vg);
  assert.deepEqual(colormapFunction('hot')(0), [0, 0, 0]);
  assert.deepEqual(colormapFunction('hot')(1), [255, 255, 255]);
  assert.deepEqual(colormapFunction('gray')(1), [255, 255, 255]);
  assert.deepEqual(colormapFunction('Greys')(0), [255, 255, 255]);
});

test('a _r suffix reverses a map; t is clamped', () => {
  const f = colormapFunction('magma');
  const g = colormapFunction('magma_r');
  assert.deepEqual(g(0.2), f(0.8));
  assert.deepEqual(f(-3), f(0));
  assert.deepEqual(f(7), f(1));
});

test('every named map builds a 256-entry table of bytes; kinds are listed', () => {
  for (const name of colormapNames()) {
    const m = colormap(name);
    assert.equal(m.lut.length, 768, name);
    assert.equal(colormap(name), m, 'cached');
  }
  assert.ok(colormapNames('diverging').includes('RdBu'));
  assert.ok(colormapNames('sequential').includes('inferno'));
  assert.ok(!colormapNames('sequential').includes('RdBu'));
});

test('an unknown colour map name is an option error listing the names', () => {
  assert.throws(() => colormap('jet'), lumenError('option', /unknown colour map "jet"/, /inferno/));
});

test('percentile interpolates like numpy; the scales pick max, percentile or Captum threshold', () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([5, 1, 3], 100), 5);
  assert.equal(percentile([5, 1, 3], 0), 1);
  const v = Array.from({ length: 101 }, (_, i) => i); // 0..100
  assert.equal(magnitudeScale(v), 100);
  assert.equal(magnitudeScale(v, { percentile: 99.5 }), 99.5);
  assert.equal(symmetricScale([-4, 1, 2]), 4);
  // Captum: sorted cumsum reaches 98% of the total (5050·0.98 = 4949) at value 99 (cumsum 4950)
  assert.equal(cumulativeSumThreshold(v, 98), 99);
  assert.equal(magnitudeScale(v, { outlierPerc: 2 }), 99);
  assert.throws(() => magnitudeScale(v, { percentile: 0 }), lumenError('option', /percentile/));
});
