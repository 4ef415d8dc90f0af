import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hogFeatures } from '../../src/metrics/hog.js';
import { explanationSimilarity } from '../../src/metrics/similarity.js';

const stripes = (vertical: boolean): Float32Array => Float32Array.from({ length: 256 }, (_, q) => (((vertical ? q % 16 : Math.floor(q / 16)) >> 1) % 2));

test('hogFeatures(16×16 map) has one 2×2 block of 9 bins per cell of 8 pixels, each block of unit norm', () => {
  const f = hogFeatures(stripes(true), 16, 16);
  assert.equal(f.length, 36);
  assert.ok(Math.abs(Math.hypot(...f) - 1) < 1e-9);
  // Vertical stripes change along x only: every gradient is horizontal (0°), so all mass is in bin 0.
  for (let i = 0; i < 36; i++) if (i % 9 !== 0) assert.equal(f[i], 0);
});

test("explanationSimilarity 'hog' is 1 for the same map, low for stripes turned by 90°", () => {
  const g = { h: 16, w: 16, c: 1 };
  assert.ok(Math.abs(explanationSimilarity(stripes(true), stripes(true), 'hog', g) - 1) < 1e-12);
  assert.ok(explanationSimilarity(stripes(true), stripes(false), 'hog', g) < 0);
  assert.throws(() => explanationSimilarity(new Float32Array(8), new Float32Array(8), 'hog', { h: 1, w: 8, c: 1 }), /HOG needs image-like maps/);
});
