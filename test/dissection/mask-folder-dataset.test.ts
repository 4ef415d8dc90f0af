/**
 * Concept masks from a folder (src/dissection/mask-folder-dataset.ts): concept-shapes images and
 * masks written as PNGs come back as the same masks exactly and the same images to 8 bits, and
 * `lumen dissect --data DIR` on them agrees with `--data bundled:concept-shapes` of the same draw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../src/core/errors.js';
import { conceptShapes, SHAPES_CONCEPTS } from '../../src/data/concept-shapes.js';
import { maskFolderDataset } from '../../src/dissection/mask-folder-dataset.js';
import { shapesMaskDataset } from '../../src/dissection/shapes-mask-dataset.js';
import { encodePng } from '../../src/render/png.js';
import { repoPath } from '../helpers.js';

const S = 32;

/** `count` concept-shapes images of `seed` as DIR/images/iNNN.png and DIR/masks/CONCEPT/iNNN.png (a mask only where the concept occurs). */
function writeShapesFolder(count: number, seed: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-mask-folder-'));
  const d = conceptShapes(count, { seed });
  mkdirSync(path.join(dir, 'images'));
  for (const c of SHAPES_CONCEPTS) mkdirSync(path.join(dir, 'masks', c), { recursive: true });
  for (let i = 0; i < count; i++) {
    const name = `i${String(i).padStart(3, '0')}.png`;
    const rgba = new Uint8ClampedArray(S * S * 4);
    for (let p = 0; p < S * S; p++) {
      for (let k = 0; k < 3; k++) rgba[4 * p + k] = Math.round(d.images[(i * S * S + p) * 3 + k] * 255);
      rgba[4 * p + 3] = 255;
    }
    writeFileSync(path.join(dir, 'images', name), encodePng({ width: S, height: S, data: rgba }));
    for (const c of SHAPES_CONCEPTS) {
      const m = d.masks[c].subarray(i * S * S, (i + 1) * S * S);
      if (!m.some((v) => v > 0)) continue;
      const mask = new Uint8ClampedArray(S * S * 4);
      for (let p = 0; p < S * S; p++) mask.fill(m[p] ? 255 : 0, 4 * p, 4 * p + 3).fill(255, 4 * p + 3, 4 * p + 4);
      writeFileSync(path.join(dir, 'masks', c, name), encodePng({ width: S, height: S, data: mask }));
    }
  }
  return dir;
}

async function collect(d: ReturnType<typeof shapesMaskDataset>, order: readonly string[]): Promise<{ x: Float32Array; masks: Float32Array }> {
  const xs: number[] = [];
  const ms: number[] = [];
  for await (const b of d.batches(16)) {
    // Masks reordered to `order` (the folder lists concepts in name order).
    const m = b.masks.arraySync();
    for (const img of m) for (const row of img) for (const px of row) for (const c of order) ms.push(px[d.concepts.indexOf(c)]);
    xs.push(...(await b.x.data()));
    tf.dispose([b.x, b.masks]);
  }
  return { x: Float32Array.from(xs), masks: Float32Array.from(ms) };
}

test('maskFolderDataset reads concept-shapes PNGs back: the same masks exactly (absent files = no concept), the images to 8 bits', async () => {
  const dir = writeShapesFolder(24, 3);
  const folder = maskFolderDataset(dir, { size: [S, S] });
  assert.deepEqual(folder.concepts, [...SHAPES_CONCEPTS].sort());
  assert.equal(folder.size, 24);
  const before = tf.memory().numTensors;
  const a = await collect(folder, SHAPES_CONCEPTS);
  const b = await collect(shapesMaskDataset(24, 3), SHAPES_CONCEPTS);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(a.masks, b.masks);
  assert.ok(b.masks.some((v) => v === 1) && b.masks.some((v) => v === 0));
  let worst = 0;
  for (let i = 0; i < a.x.length; i++) worst = Math.max(worst, Math.abs(a.x[i] - b.x[i]));
  assert.ok(worst <= 0.5 / 255 + 1e-6, `largest image difference ${worst}`);
});

test('maskFolderDataset refuses a folder without images/ and masks/, and a mask without its image, with LumenErrors', () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'lumen-mask-folder-'));
  assert.throws(() => maskFolderDataset(empty, { size: [S, S] }), (e: unknown) => e instanceof LumenError && /must hold images\/ .* and masks\/<concept>\//.test(e.message));
  const dir = writeShapesFolder(2, 1);
  writeFileSync(path.join(dir, 'masks', 'red', 'stray.png'), encodePng({ width: 2, height: 2, data: new Uint8ClampedArray(16) }));
  assert.throws(() => maskFolderDataset(dir, { size: [S, S] }), (e: unknown) => e instanceof LumenError && /stray\.png has no image stray\.\*/.test(e.message));
});

interface Dissection { scores: { concept: string; score: number }[]; meta: { concepts: string[]; iou: number[][] } }

test('lumen dissect --data DIR (a folder of images and masks) agrees with --data bundled:concept-shapes of the same images', () => {
  const dir = writeShapesFolder(80, 4);
  const run = (data: string[]): Dissection => {
    const r = spawnSync(process.execPath, [repoPath('dist', 'src', 'cli', 'main.js'), 'dissect', '--model', 'bundled:concepts', '--layer', 'relu3', '--json', ...data], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Dissection;
  };
  const fromFolder = run(['--data', dir]);
  const bundled = run(['--count', '80', '--seed', '4']);
  assert.deepEqual(fromFolder.meta.concepts, [...SHAPES_CONCEPTS].sort());
  let worst = 0;
  bundled.meta.iou.forEach((row, u) => row.forEach((v, c) => {
    worst = Math.max(worst, Math.abs(v - fromFolder.meta.iou[u][fromFolder.meta.concepts.indexOf(bundled.meta.concepts[c])]));
  }));
  assert.ok(worst < 0.05, `largest IoU difference ${worst} (images differ only by 8-bit rounding)`);
  const agree = bundled.scores.filter((s, u) => s.score > 0.04 && fromFolder.scores[u].concept === s.concept).length;
  const detectors = bundled.scores.filter((s) => s.score > 0.04).length;
  assert.ok(detectors > 0 && agree >= 0.9 * detectors, `${agree} of ${detectors} detectors keep their concept`);
  assert.ok(fromFolder.scores.some((s) => s.concept === 'stripes' && s.score > 0.04));
});
