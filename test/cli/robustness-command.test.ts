import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fgsm } from '../../src/adversarial/fgsm.js';
import { bundledDataset } from '../../src/data/dataset-files.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { decodePng } from '../../src/render/png.js';
import { repoPath } from '../helpers.js';

// The CLI and the in-process recomputation run on the same (default) backend.
const cli = (args: string[]) => spawnSync(process.execPath, [repoPath('dist', 'src', 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 120_000 });

interface CurveRecord {
  kind: string;
  curves: { label: string; x: number[]; y: number[] }[];
  meta: { examples: number; correct: number[]; labels: number[]; minimalEpsilon: (number | null)[] | null; maxEpsilon: number };
}

async function mnist() {
  await useBackend();
  const { model: lm } = await loadBundledModel('mnist');
  return { lm, model: fromLayersModel(lm) };
}

async function argMax(model: Awaited<ReturnType<typeof mnist>>['model'], x: tf.Tensor): Promise<number[]> {
  const out = await model.predict(x);
  const best = out.argMax(1);
  const r = Array.from(await best.data());
  tf.dispose([out, best]);
  return r;
}

test('lumen robustness on 8 held-out digits: accuracy falls monotonically with ε, ε = 0 is clean accuracy, FGSM at ε recomputed; PNG and SVG charts', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-robust-'));
  const eps = [0, 0.05, 0.1, 0.2, 0.3];
  const r = cli(['robustness', '--model', 'bundled:mnist', '--eps', eps.join(','), '--count', '8', '--batch-size', '5', '--iterations', '10', '--json', '--out', path.join(dir, 'c.png')]);
  assert.equal(r.status, 0, r.stderr);
  const e = JSON.parse(r.stdout) as CurveRecord;
  assert.equal(e.kind, 'curve');
  const c = e.curves[0];
  assert.deepEqual(c.x, eps);
  assert.equal(e.meta.examples, 8);
  for (let k = 1; k < c.y.length; k++) assert.ok(c.y[k] <= c.y[k - 1], `accuracy monotone in ε: ${c.y}`);
  assert.ok(c.y[c.y.length - 1] < c.y[0], 'the attack lowers accuracy');
  // Recompute: the first 8 held-out digits, their labels, clean accuracy and FGSM accuracy at ε = 0.1 in this process.
  const data = bundledDataset('mnist', 8);
  const { lm, model } = await mnist();
  const before = tf.memory().numTensors;
  const it = data.batches(8)[Symbol.asyncIterator]();
  const batch = (await it.next()).value as { x: tf.Tensor; y: tf.Tensor };
  const labels = Array.from(await batch.y.data(), Math.round);
  assert.deepEqual(e.meta.labels, labels);
  const clean = await argMax(model, batch.x);
  assert.equal(c.y[0], clean.filter((p, i) => p === labels[i]).length / 8);
  const a = await fgsm(model, batch.x, { epsilon: 0.1, bounds: [0, 1], target: labels });
  assert.equal(c.y[2], a.predictions.filter((p, i) => p === labels[i]).length / 8, 'accuracy at ε 0.1 recomputed');
  assert.equal(e.meta.correct[2], a.predictions.filter((p, i) => p === labels[i]).length);
  a.dispose();
  tf.dispose([batch.x, batch.y]);
  assert.equal(tf.memory().numTensors, before);
  lm.dispose();
  // Minimal ε: a row fooled at some curve ε has a minimal ε ≤ that ε (up to the bisection bracket); none above maxEpsilon.
  const minimal = e.meta.minimalEpsilon as (number | null)[];
  assert.equal(minimal.length, 8);
  minimal.forEach((m) => assert.ok(m === null || (m > 0 && m <= 0.3)));
  const png = decodePng(readFileSync(path.join(dir, 'c.png')));
  assert.ok(png.width > 300 && png.height > 200);
  const s = cli(['robustness', '--model', 'bundled:mnist', '--eps', '0,0.1', '--count', '4', '--attack', 'pgd', '--steps', '3', '--iterations', '0', '--out', path.join(dir, 'c.svg')]);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /epsilon\s+accuracy\s+robust rows/);
  assert.match(s.stdout, /^0\s+1\.0000\s+4\/4$/m);
  assert.match(readFileSync(path.join(dir, 'c.svg'), 'utf8'), /<path class="curve" data-label="accuracy under pgd \(linf\)"/);
});

test('lumen robustness refuses bad flags with exit code 2 and one line', () => {
  for (const args of [['--eps', '0,-0.1'], ['--eps', '0.1', '--attack', 'cw'], ['--eps', '0.1', '--out', 'c.gif']]) {
    const r = cli(['robustness', '--model', 'bundled:mnist', ...args]);
    assert.equal(r.status, 2, `${args}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
