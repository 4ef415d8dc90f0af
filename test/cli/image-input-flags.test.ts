import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { readImage } from '../../src/data/image.js';
import { encodeNpy } from '../../src/data/npy.js';
import { decodePng } from '../../src/render/png.js';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const digit = repoPath('examples', 'digit-7.png');
const NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'lumen-flags-'));
}

function outputs(r: ReturnType<typeof lumen>): number[] {
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { data: number[] }).data;
}

test('--model takes a tfjs model JSON of any name and a folder holding one', () => {
  const dir = tmp();
  const folder = path.join(dir, 'emotion');
  mkdirSync(folder);
  copyFileSync(repoPath('models', 'mnist', 'model.json'), path.join(folder, 'emotion.json'));
  copyFileSync(repoPath('models', 'mnist', 'weights.bin'), path.join(folder, 'weights.bin'));
  const want = outputs(lumen('predict', '--model', 'bundled:mnist', '--input', digit, '--json'));
  assert.deepEqual(outputs(lumen('predict', '--model', path.join(folder, 'emotion.json'), '--input', digit, '--json')), want);
  assert.deepEqual(outputs(lumen('predict', '--model', folder, '--input', digit, '--json')), want);
});

test('--labels names the classes in the output and --target accepts a name', () => {
  const dir = tmp();
  const labels = path.join(dir, 'labels.txt');
  writeFileSync(labels, `${NAMES.join('\n')}\n`);
  const p = lumen('predict', '--model', 'bundled:mnist', '--input', digit, '--labels', labels);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /^0\s+seven\s/m);
  const e = lumen('explain', '--model', 'bundled:mnist', '--input', digit, '--method', 'saliency', '--labels', labels, '--target', 'three', '--json');
  assert.equal(e.status, 0, e.stderr);
  const j = JSON.parse(e.stdout) as { target: number[]; targetNames: string[] };
  assert.deepEqual(j.target, [3]);
  assert.deepEqual(j.targetNames, ['three']);
  writeFileSync(labels, 'a\nb\n');
  const wrong = lumen('predict', '--model', 'bundled:mnist', '--input', digit, '--labels', labels);
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /--labels .*labels\.txt: expected 10 class names for bundled:mnist; found 2/);
});

test('--preprocess gives the model (p·scale + offset − mean)/std: the same outputs as the tensor made by hand', () => {
  const dir = tmp();
  const image = readImage(digit, { grayscale: true });
  const byHand = path.join(dir, 'by-hand.npy');
  writeFileSync(byHand, encodeNpy(image.data.map((v) => (255 * v * (1 / 127.5) - 1 - 0.25) / 0.5), [1, 28, 28, 1]));
  const want = outputs(lumen('predict', '--model', 'bundled:mnist', '--input', byHand, '--json'));
  const got = outputs(lumen('predict', '--model', 'bundled:mnist', '--input', digit, '--preprocess', 'scale=1/127.5,offset=-1,mean=0.25,std=0.5', '--json'));
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `output ${i}: ${v} vs ${want[i]}`));
  const bad = lumen('predict', '--model', 'bundled:mnist', '--input', digit, '--preprocess', 'mean=0.1,0.2,0.3');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /expected mean to have 1 or 1 values/);
});

test('--resize crop keeps the centre of a wide image; stretch squashes it; an unknown mode exits 2', () => {
  const dir = tmp();
  const src = PNG.sync.read(readFileSync(digit));
  const wide = new PNG({ width: 56, height: 28 });
  wide.data.fill(0);
  for (let i = 3; i < wide.data.length; i += 4) wide.data[i] = 255;
  for (let y = 0; y < 28; y++) src.data.copy(wide.data, 4 * (y * 56 + 14), 4 * y * 28, 4 * (y + 1) * 28);
  const file = path.join(dir, 'wide.png');
  writeFileSync(file, PNG.sync.write(wide));
  const want = outputs(lumen('predict', '--model', 'bundled:mnist', '--input', digit, '--json'));
  const crop = outputs(lumen('predict', '--model', 'bundled:mnist', '--input', file, '--resize', 'crop', '--json'));
  crop.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `crop is the original: output ${i}: ${v} vs ${want[i]}`));
  const stretch = outputs(lumen('predict', '--model', 'bundled:mnist', '--input', file, '--json'));
  assert.ok(stretch.some((v, i) => Math.abs(v - want[i]) > 0.1), 'stretch (the default) squashes the image');
  const bad = lumen('predict', '--model', 'bundled:mnist', '--input', file, '--resize', 'zoom');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--resize: expected one of stretch, crop, pad; found 'zoom'/);
});

test('explain --out PNG: the input panel shows the image before preprocessing; the heatmap has a colour bar', () => {
  const dir = tmp();
  const out = path.join(dir, 'x.png');
  const r = lumen('explain', '--model', 'bundled:mnist', '--input', digit, '--method', 'saliency', '--preprocess', 'offset=0.5', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const img = decodePng(readFileSync(out));
  const at = (x: number, y: number): number[] => Array.from(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 3));
  // Grid padding 4, panels 168 px (28 × 6), centred in cells as tall as the heatmap with its bar: the
  // input panel's left column at mid-height is the digit's black background, not 0.5 grey.
  assert.deepEqual(at(6, 4 + 95), [0, 0, 0]);
  const plain = lumen('explain', '--model', 'bundled:mnist', '--input', digit, '--method', 'saliency', '--out', path.join(dir, 'plain.png'));
  assert.equal(plain.status, 0, plain.stderr);
  const heatX = 4 + 168 + 4;
  // The colour bar under the heatmap: its left end is the sequential map's 0 colour, its right end the top colour.
  const barY = 4 + 168 + 3 + 2;
  const left = at(heatX, barY);
  const right = at(heatX + 167, barY);
  assert.notDeepEqual(left, right, `a colour strip under the heatmap: ${left} … ${right}`);
  assert.notDeepEqual(left, [255, 255, 255]);
  const bad = lumen('explain', '--model', 'bundled:mnist', '--input', digit, '--method', 'saliency', '--clip-percentile', '100');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--clip-percentile: expected a percentage in \[0, 100\)/);
});
