import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { bundledDataset } from '../../src/data/dataset-files.js';
import { PENGUIN_FEATURES } from '../../src/data/penguins.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { decodePng } from '../../src/render/png.js';
import { repoPath } from '../helpers.js';

const cli = (args: string[]) => spawnSync(process.execPath, [repoPath('dist', 'src', 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 120_000 });

interface FairnessRecord {
  kind: string;
  metrics: string[];
  groups: string[];
  values: number[][];
  lower?: number[][];
  upper?: number[][];
  convention: string;
  privileged?: string;
  disparities: { metric: string; value: number | null; kind: string; lower?: number; upper?: number }[];
  meta: { rows: number; positiveClass: string; modelCalls: number };
}

/** The bundled penguin model's decisions for Chinstrap (class 1) on its held-out rows, grouped by the Sex one-hot columns, counted here. */
async function recount(): Promise<{ FEMALE: number[]; MALE: number[] }> {
  await useBackend();
  const { model: lm } = await loadBundledModel('penguins');
  const model = fromLayersModel(lm);
  const data = bundledDataset('penguins');
  const female = PENGUIN_FEATURES.indexOf('Sex=FEMALE');
  const male = PENGUIN_FEATURES.indexOf('Sex=MALE');
  assert.ok(female >= 0 && male >= 0, `${PENGUIN_FEATURES}`);
  // [n, selected, tp, fp, fn, tn] per group
  const counts = { FEMALE: [0, 0, 0, 0, 0, 0], MALE: [0, 0, 0, 0, 0, 0] };
  for await (const b of data.batches(1000)) {
    const out = await model.predict(b.x);
    const pred = Array.from(await out.argMax(1).data());
    const x = await b.x.array() as number[][];
    const y = Array.from(await (b.y as tf.Tensor).data());
    pred.forEach((p, i) => {
      const g = x[i][female] === 1 ? counts.FEMALE : x[i][male] === 1 ? counts.MALE : undefined;
      assert.ok(g, `row ${i} has a sex`);
      const s = p === 1;
      const pos = y[i] === 1;
      g[0]++;
      if (s) g[1]++;
      g[s && pos ? 2 : s ? 3 : pos ? 4 : 5]++;
    });
    tf.dispose([out, b.x, ...(b.y ? [b.y] : [])]);
  }
  lm.dispose();
  return counts;
}

const value = (e: FairnessRecord, metric: string, group: string): number => e.values[e.metrics.indexOf(metric)][e.groups.indexOf(group)];
const disparity = (e: FairnessRecord, metric: string): number | null => {
  const d = e.disparities.find((x) => x.metric === metric);
  assert.ok(d, `${metric} reported`);
  return d.value;
};

test('lumen fairness --json on bundled penguins (sex, Chinstrap favourable): the table and the Fairlearn disparities equal a recount of the model\'s decisions', async () => {
  const r = cli(['fairness', '--model', 'bundled:penguins', '--sensitive', 'Sex', '--positive', 'Chinstrap', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const e = JSON.parse(r.stdout) as FairnessRecord;
  assert.equal(e.kind, 'fairness');
  assert.deepEqual(e.groups, ['FEMALE', 'MALE']);
  assert.equal(e.convention, 'fairlearn');
  assert.equal(e.meta.positiveClass, 'Chinstrap');
  assert.equal(e.meta.modelCalls, 1, 'one batched model call');
  const c = await recount();
  assert.equal(e.meta.rows, c.FEMALE[0] + c.MALE[0]);
  const rate = (g: number[]) => ({ sel: g[1] / g[0], tpr: g[2] / (g[2] + g[4]), fpr: g[3] / (g[3] + g[5]), acc: (g[2] + g[5]) / g[0] });
  for (const name of ['FEMALE', 'MALE'] as const) {
    const g = c[name];
    assert.equal(value(e, 'count', name), g[0]);
    for (const [m, k] of [['TP', 2], ['FP', 3], ['FN', 4], ['TN', 5]] as const) assert.equal(value(e, m, name), g[k], `${m} of ${name}`);
    assert.ok(Math.abs(value(e, 'selection rate', name) - rate(g).sel) < 1e-12);
    assert.ok(Math.abs(value(e, 'true positive rate', name) - rate(g).tpr) < 1e-12);
    assert.ok(Math.abs(value(e, 'accuracy', name) - rate(g).acc) < 1e-12);
  }
  const f = rate(c.FEMALE);
  const m = rate(c.MALE);
  assert.ok(Math.abs((disparity(e, 'demographic parity difference') as number) - Math.abs(f.sel - m.sel)) < 1e-12);
  assert.ok(Math.abs((disparity(e, 'demographic parity ratio') as number) - Math.min(f.sel, m.sel) / Math.max(f.sel, m.sel)) < 1e-12);
  assert.ok(Math.abs((disparity(e, 'equal opportunity difference') as number) - Math.abs(f.tpr - m.tpr)) < 1e-12);
  assert.ok(Math.abs((disparity(e, 'equalised odds difference') as number) - Math.max(Math.abs(f.tpr - m.tpr), Math.abs(f.fpr - m.fpr))) < 1e-12);
  assert.ok((disparity(e, 'equal opportunity difference') as number) > 0, 'the model misses Chinstraps of one sex more often than of the other');
});

test('lumen fairness --convention aif360 signs unprivileged − privileged; seeded bootstrap intervals repeat; PNG and HTML outputs; bad flags exit 2', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-fairness-'));
  const base = ['fairness', '--model', 'bundled:penguins', '--sensitive', 'Sex', '--positive', 'Chinstrap'];
  const a = cli([...base, '--convention', 'aif360', '--privileged', 'MALE', '--bootstrap', '40', '--seed', '7', '--json', '--out', path.join(dir, 'f.png')]);
  assert.equal(a.status, 0, a.stderr);
  const e = JSON.parse(a.stdout) as FairnessRecord;
  assert.equal(e.convention, 'aif360');
  assert.equal(e.privileged, 'MALE');
  const sel = (g: string) => value(e, 'selection rate', g);
  assert.ok(Math.abs((disparity(e, 'demographic parity difference') as number) - (sel('FEMALE') - sel('MALE'))) < 1e-12, 'signed: unprivileged − privileged');
  assert.ok(Math.abs((disparity(e, 'disparate impact') as number) - sel('FEMALE') / sel('MALE')) < 1e-12);
  assert.ok(e.lower && e.upper, 'bootstrap bounds');
  e.lower.forEach((row, i) => row.forEach((lo, j) => assert.ok(lo <= e.upper![i][j], `${e.metrics[i]} ${e.groups[j]}: ${lo} ≤ ${e.upper![i][j]}`)));
  assert.ok(e.lower[e.metrics.indexOf('count')][0] < e.values[e.metrics.indexOf('count')][0], 'resampled group sizes vary');
  const png = decodePng(readFileSync(path.join(dir, 'f.png')));
  assert.ok(png.width > 200 && png.height > 100);
  const again = cli([...base, '--convention', 'aif360', '--privileged', 'MALE', '--bootstrap', '40', '--seed', '7', '--out', path.join(dir, 'f.json')]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'f.json'), 'utf8')), e, 'same seed, same intervals');
  assert.match(again.stdout, /^metric\s+FEMALE\s+MALE/m);
  assert.match(again.stdout, /demographic parity difference\s+-?[\d.]+ \[/);
  const html = cli([...base, '--out', path.join(dir, 'f.html')]);
  assert.equal(html.status, 0, html.stderr);
  assert.match(readFileSync(path.join(dir, 'f.html'), 'utf8'), /<svg[\s\S]*demographic parity/);
  for (const args of [['--convention', 'aif360']]) {
    const bad = cli([...base, ...args]);
    assert.equal(bad.status, 2, `${args}: ${bad.stderr}`);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  }
  const three = cli(['fairness', '--model', 'bundled:penguins', '--sensitive', 'Sex']);
  assert.equal(three.status, 2);
  assert.match(three.stderr, /3 classes: give positiveClass/);
});

test('lumen fairness --postprocess --explain-disparity --attribution-difference prints and writes every record', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-fairness-extra-'));
  const out = path.join(dir, 'all.json');
  const r = cli(['fairness', '--model', 'bundled:penguins', '--sensitive', 'Sex', '--positive', 'Chinstrap', '--postprocess', 'equal-opportunity', '--explain-disparity', 'demographic parity difference', '--attribution-difference', 'input-x-gradient', '--seed', '1', '--json', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; method: string; meta?: Record<string, unknown>; values?: number[] });
  assert.deepEqual(lines.map((l) => [l.kind, l.method]), [['fairness', 'group-fairness'], ['curve', 'threshold-optimizer'], ['attribution', 'disparity-shapley'], ['fairness', 'attribution-difference']]);
  const shap = lines[2];
  const sum = (shap.values ?? []).reduce((a, b) => a + b, 0);
  const dp = (lines[0] as unknown as FairnessRecord).disparities.find((d) => d.metric === 'demographic parity difference')!.value as number;
  assert.ok(Math.abs(sum - dp) < 1e-6, `the Shapley values add up to the table's demographic parity difference: ${sum} vs ${dp}`);
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as unknown[]).length, 4);
  const text = cli(['fairness', '--model', 'bundled:penguins', '--sensitive', 'Sex', '--positive', 'Chinstrap', '--postprocess', 'equalised-odds']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /Threshold post-processing \(Hardt et al\. 2016\), equalised-odds/);
  assert.match(text.stdout, /FEMALE: .*\[score ≥/);
  const bad = cli(['fairness', '--model', 'bundled:penguins', '--sensitive', 'Sex', '--positive', 'Chinstrap', '--postprocess', 'parity']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--postprocess must be one of/);
});
