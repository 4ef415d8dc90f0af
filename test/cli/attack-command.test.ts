import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readNpy } from '../../src/data/npy.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { decodePng } from '../../src/render/png.js';
import { repoPath } from '../helpers.js';

// The CLI and the in-process recomputations run on the same (default) backend, so their numbers agree.
const cli = (args: string[]) => spawnSync(process.execPath, [repoPath('dist', 'src', 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
const DIGITS = repoPath('examples', 'digits.npy');

interface AttackRecord {
  kind: string;
  method: string;
  shape: number[];
  inputs: number[];
  originalPredictions: number[];
  predictions: number[];
  norms: number[];
  meta: { linf: number[]; l2: number[]; success: boolean[]; successRate: number; classes: number[]; targeted: boolean };
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

/** Checks an attack record against the clean digits and a recomputation of its predictions by the model itself. */
async function checkRecord(e: AttackRecord, bound: { linf?: number }): Promise<void> {
  const clean = readNpy(DIGITS);
  const n = clean.shape[0];
  const per = clean.data.length / n;
  assert.equal(e.kind, 'attack');
  assert.deepEqual(e.shape, [28, 28, 1]);
  assert.equal(e.inputs.length, clean.data.length);
  const { lm, model } = await mnist();
  const before = tf.memory().numTensors;
  const x = tf.tensor(clean.data, clean.shape);
  const adv = tf.tensor(e.inputs, clean.shape);
  assert.deepEqual(e.originalPredictions, await argMax(model, x), 'clean predictions recomputed');
  assert.deepEqual(e.predictions, await argMax(model, adv), 'adversarial predictions recomputed');
  tf.dispose([x, adv]);
  assert.equal(tf.memory().numTensors, before);
  lm.dispose();
  for (let i = 0; i < n; i++) {
    let linf = 0;
    let l2 = 0;
    for (let k = 0; k < per; k++) {
      const v = e.inputs[i * per + k];
      assert.ok(v >= 0 && v <= 1, `input ${i} stays in [0, 1]`);
      const d = v - clean.data[i * per + k];
      linf = Math.max(linf, Math.abs(d));
      l2 += d * d;
    }
    assert.ok(Math.abs(linf - e.meta.linf[i]) < 1e-5, `L∞ of ${i}: ${linf} vs ${e.meta.linf[i]}`);
    assert.ok(Math.abs(Math.sqrt(l2) - e.meta.l2[i]) < 1e-4, `L2 of ${i}`);
    if (bound.linf !== undefined) assert.ok(linf <= bound.linf + 1e-6, `perturbation ${linf} ≤ ε ${bound.linf}`);
  }
  const success = e.predictions.map((p, i) => (e.meta.targeted ? p === e.meta.classes[i] : p !== e.meta.classes[i]));
  assert.deepEqual(e.meta.success, success, 'success recomputed from the predictions');
  assert.equal(e.meta.successRate, success.filter(Boolean).length / n);
}

test('lumen attack --method fgsm|pgd on three bundled digits: the record recomputed (predictions, norms, success), perturbation ≤ ε, the printed table agrees', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-attack-'));
  for (const [method, extra] of [['fgsm', []], ['pgd', ['--steps', '5', '--step-size', '0.04']]] as const) {
    const json = path.join(dir, `${method}.json`);
    const text = cli(['attack', '--model', 'bundled:mnist', '--input', DIGITS, '--method', method, '--eps', '0.15', ...extra, '--out', json]);
    assert.equal(text.status, 0, text.stderr);
    const e = JSON.parse(readFileSync(json, 'utf8')) as AttackRecord;
    assert.equal(e.method, method);
    await checkRecord(e, { linf: 0.15 });
    assert.ok(e.meta.successRate >= 2 / 3, `${method} at ε 0.15 fools most digits: ${e.meta.successRate}`);
    const changed = e.predictions.filter((p, i) => p !== e.originalPredictions[i]).length;
    const ok = e.meta.success.filter(Boolean).length;
    assert.match(text.stdout, new RegExp(`${changed} of 3 predictions changed; success rate ${ok}/3`));
    const rows = text.stdout.split('\n').filter((l) => /^\d+\s+\d+\s+\d+\s/.test(l));
    assert.equal(rows.length, 3);
    rows.forEach((l, i) => assert.deepEqual(l.split(/\s+/).slice(1, 3), [String(e.originalPredictions[i]), String(e.predictions[i])]));
  }
});

test('lumen attack --method cw writes the clean | adversarial | δ grid; a targeted FGSM counts success against the target', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-attack-'));
  const png = path.join(dir, 'cw.png');
  const r = cli(['attack', '--model', 'bundled:mnist', '--input', DIGITS, '--method', 'cw', '--c', '10', '--steps', '60', '--binary-search-steps', '2', '--json', '--out', png]);
  assert.equal(r.status, 0, r.stderr);
  const e = JSON.parse(r.stdout) as AttackRecord;
  assert.equal(e.method, 'carliniWagnerL2');
  await checkRecord(e, {});
  assert.deepEqual(e.norms, e.meta.l2, 'C&W reports L2 sizes');
  const img = decodePng(readFileSync(png));
  assert.ok(img.width >= 3 * 84 && img.height >= 3 * 84, `${img.width}×${img.height}: three rows of three panels`);
  const t = cli(['attack', '--model', 'bundled:mnist', '--input', DIGITS, '--method', 'fgsm', '--eps', '0.3', '--target', '3', '--json']);
  assert.equal(t.status, 0, t.stderr);
  const te = JSON.parse(t.stdout) as AttackRecord;
  assert.equal(te.meta.targeted, true);
  assert.deepEqual(te.meta.classes, [3, 3, 3]);
  await checkRecord(te, { linf: 0.3 });
});

test('lumen attack refuses bad flags with exit code 2 and one line', () => {
  for (const args of [['--method', 'deepfool'], ['--method', 'cw', '--eps', '0.1']]) {
    const r = cli(['attack', '--model', 'bundled:mnist', '--input', DIGITS, ...args]);
    assert.equal(r.status, 2, `${args}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

