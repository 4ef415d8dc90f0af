import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useBackend } from '../../src/engine/backend.js';
import { runParity } from '../../src/parity/run-parity.js';
import { repoPath } from '../helpers.js';

interface Entry { id: string; result: { pred: number[]; perturbed?: { value: { data: number[][] } } } }

test('an attack entry fails when a prediction or a perturbed value differs from the reference', async () => {
  await useBackend();
  const json = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'wave2', 'robust_mlp.json'), 'utf8')) as { entries: Entry[] };
  const fgsmEntry = json.entries.find((e) => e.id === 'fgsm') as Entry;
  fgsmEntry.result.pred = fgsmEntry.result.pred.map((p) => (p + 1) % 3);
  const pgdEntry = json.entries.find((e) => e.id === 'pgd_l2') as Entry;
  (pgdEntry.result.perturbed as { value: { data: number[][] } }).value.data[0][0] += 1e-3;
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-robust-'));
  try {
    const file = path.join(dir, 'robust_mlp.json');
    writeFileSync(file, JSON.stringify(json));
    const rows = await runParity([file]);
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    assert.equal(byId.fgsm.status, 'fail');
    assert.match(byId.fgsm.message ?? '', /predictions \[.*\] differ from the reference/);
    assert.equal(byId.pgd_l2.status, 'fail');
    assert.ok((byId.pgd_l2.maxAbsError ?? 0) > (byId.pgd_l2.allowed ?? 1));
    assert.equal(byId.pgd_linf.status, 'pass');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
