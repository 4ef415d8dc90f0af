import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/random.js';
import { rgbToLab } from '../../../src/data/superpixels/cielab.js';
import { felzenszwalb } from '../../../src/data/superpixels/felzenszwalb.js';
import { slic } from '../../../src/data/superpixels/slic.js';
import { parseSuperpixelSpec, superpixelBatch } from '../../../src/data/superpixels/superpixel-spec.js';
import type { PlainImage } from '../../../src/data/superpixels/label-map.js';

/** Four flat-colour rectangles (uneven sizes) plus seeded Gaussian noise; `region[p]` is the truth. */
function rectangles(channels: 1 | 3, noise: number, seed = 1): { image: PlainImage & { data: Float32Array }; region: Int32Array } {
  const h = 36;
  const w = 44;
  const colours = channels === 3 ? [[0.9, 0.1, 0.1], [0.1, 0.7, 0.2], [0.15, 0.2, 0.9], [0.95, 0.9, 0.2]] : [[0.05], [0.35], [0.65], [0.95]];
  const rng = new Rng(seed);
  const data = new Float32Array(h * w * channels);
  const region = new Int32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const r = (y < 14 ? 0 : 2) + (x < 27 ? 0 : 1);
      region[y * w + x] = r;
      for (let c = 0; c < channels; c++) data[(y * w + x) * channels + c] = Math.min(1, Math.max(0, colours[r][c] + noise * rng.normal()));
    }
  }
  return { image: { data, height: h, width: w, channels }, region };
}

/** Asserts that no segment holds pixels of two regions, and returns the number of segments. */
function assertPure(labels: Int32Array, region: Int32Array, name: string): number {
  const owner = new Map<number, number>();
  labels.forEach((l, p) => {
    const r = owner.get(l);
    if (r === undefined) owner.set(l, region[p]);
    else assert.equal(r, region[p], `${name}: segment ${l} straddles regions ${r} and ${region[p]}`);
  });
  const k = owner.size;
  assert.deepEqual([...new Set(labels)].sort((a, b) => a - b), Array.from({ length: k }, (_, i) => i), `${name}: labels are 0…K−1`);
  return k;
}

for (const channels of [3, 1] as const) {
  test(`slic on ${channels === 3 ? 'RGB' : 'grey'} rectangles with noise: no segment straddles a boundary; about the asked number of segments; deterministic`, () => {
    const { image, region } = rectangles(channels, 0.03);
    const labels = slic(image, { segments: 20 });
    const k = assertPure(labels, region, 'slic');
    assert.ok(k >= 12 && k <= 40, `${k} segments for 20 asked`);
    assert.deepEqual(slic(image, { segments: 20 }), labels);
    const few = assertPure(slic(image, { segments: 6 }), region, 'slic 6');
    assert.ok(few >= 4 && few < k, `${few} segments for 6 asked`);
  });

  test(`felzenszwalb on ${channels === 3 ? 'RGB' : 'grey'} rectangles with noise (no smoothing): exactly the four regions at scale 100; more segments at a small scale, each still pure; deterministic`, () => {
    const { image, region } = rectangles(channels, 0.02);
    const labels = felzenszwalb(image, { scale: 100, sigma: 0, minSize: 20 });
    assert.equal(assertPure(labels, region, 'felzenszwalb'), 4);
    assert.deepEqual(felzenszwalb(image, { scale: 100, sigma: 0, minSize: 20 }), labels);
    const fine = felzenszwalb(image, { scale: 1, sigma: 0, minSize: 1 });
    assert.ok(assertPure(fine, region, 'felzenszwalb fine') > 4);
  });

  test(`felzenszwalb with the default smoothing (σ 0.8) on noisier ${channels === 3 ? 'RGB' : 'grey'} rectangles: each region is one segment but for pixels the blur mixes (within 2 px, 2.5σ, of another region)`, () => {
    const { image, region } = rectangles(channels, 0.06, 3);
    const labels = felzenszwalb(image);
    // The largest segment inside each region covers it all but the pixels within 2 px of another region.
    const w = image.width;
    const h = image.height;
    for (let r = 0; r < 4; r++) {
      const counts = new Map<number, number>();
      let inner = 0;
      labels.forEach((l, p) => {
        if (region[p] !== r) return;
        const y = Math.floor(p / w);
        const x = p % w;
        let nearEdge = false;
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w && region[yy * w + xx] !== r) nearEdge = true;
          }
        }
        if (nearEdge) return;
        inner++;
        counts.set(l, (counts.get(l) ?? 0) + 1);
      });
      const top = Math.max(...counts.values());
      assert.equal(top, inner, `region ${r}: its inner pixels are one segment`);
    }
  });
}

test('slic segments are connected (4-connectivity) and no smaller than half the mean size when enforced', () => {
  const { image } = rectangles(3, 0.1, 7);
  const labels = slic(image, { segments: 30 });
  const w = image.width;
  const k = Math.max(...labels) + 1;
  for (let l = 0; l < k; l++) {
    const pixels = [...labels.keys()].filter((p) => labels[p] === l);
    const seen = new Set([pixels[0]]);
    const stack = [pixels[0]];
    while (stack.length) {
      const p = stack.pop() as number;
      for (const q of [p - 1, p + 1, p - w, p + w]) {
        if (q < 0 || q >= labels.length || labels[q] !== l || seen.has(q) || (Math.abs(q - p) === 1 && Math.floor(q / w) !== Math.floor(p / w))) continue;
        seen.add(q);
        stack.push(q);
      }
    }
    assert.equal(seen.size, pixels.length, `segment ${l} is connected`);
  }
});

test('rgbToLab: white is L* 100, black 0, and pure red is (53.24, 80.09, 67.20)', () => {
  const lab = rgbToLab([1, 1, 1, 0, 0, 0, 1, 0, 0]);
  assert.ok(Math.abs(lab[0] - 100) < 1e-3 && Math.abs(lab[1]) < 1e-3 && Math.abs(lab[2]) < 1e-3);
  assert.ok(Math.abs(lab[3]) < 1e-9);
  assert.ok(Math.abs(lab[6] - 53.24) < 0.01 && Math.abs(lab[7] - 80.09) < 0.01 && Math.abs(lab[8] - 67.2) < 0.01);
});

test('parseSuperpixelSpec and superpixelBatch: specs as the CLI writes them; one label map per image, [N, H, W, 1] int32', async () => {
  assert.deepEqual(parseSuperpixelSpec('slic'), { algorithm: 'slic' });
  assert.deepEqual(parseSuperpixelSpec('slic:50'), { algorithm: 'slic', parameter: 50 });
  assert.deepEqual(parseSuperpixelSpec('felzenszwalb:250'), { algorithm: 'felzenszwalb', parameter: 250 });
  assert.throws(() => parseSuperpixelSpec('quickshift'), /expected 'slic', 'slic:<segments>'/);
  assert.throws(() => parseSuperpixelSpec('slic:2.5'), /integer/);
  const a = rectangles(3, 0.02, 1);
  const b = rectangles(3, 0.02, 2);
  const batch = tf.tensor4d(Float32Array.from([...a.image.data, ...b.image.data]), [2, 36, 44, 3]);
  const masks = superpixelBatch('felzenszwalb:100', batch);
  assert.deepEqual(masks.shape, [2, 36, 44, 1]);
  assert.equal(masks.dtype, 'int32');
  const data = await masks.data();
  assert.deepEqual(Array.from(data.subarray(0, 36 * 44)), Array.from(felzenszwalb(a.image, { scale: 100 })));
  assert.throws(() => superpixelBatch('slic', tf.ones([2, 4])), /\[N, H, W, 1 or 3\]/);
  tf.dispose([batch, masks]);
});

test('slic and felzenszwalb reject bad images and options with LumenErrors', () => {
  const { image } = rectangles(3, 0);
  assert.throws(() => slic({ ...image, channels: 2 as 3 }), /grey \(1 channel\) or RGB/);
  assert.throws(() => slic({ ...image, height: 5 }), /image data has/);
  assert.throws(() => slic(image, { segments: 0 }), LumenError);
  assert.throws(() => slic(image, { compactness: -1 }), /compactness/);
  assert.throws(() => felzenszwalb(image, { scale: 0 }), /scale must be > 0/);
  assert.throws(() => felzenszwalb(image, { minSize: 1.5 }), /minSize/);
  assert.throws(() => felzenszwalb({ ...image, data: Float32Array.of(NaN, ...image.data.slice(1)) }), /non-finite/);
});
