import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { useBackend } from '../../src/engine/backend.js';
import { runParity, type ParityRow } from '../../src/parity/run-parity.js';
import { repoPath } from '../helpers.js';

const fixtures = readdirSync(repoPath('test', 'fixtures')).filter((f) => f.endsWith('.json')).map((f) => repoPath('test', 'fixtures', f));
/** Wave-2 fixtures (test/fixtures/wave2/) that `lumen parity` runs; their ids are pinned in the same file. */
const wave2 = ['robust_mlp', 'robust_cnn'].map((f) => repoPath('test', 'fixtures', 'wave2', `${f}.json`));
/**
 * Wave-2 entries left unimplemented on purpose. `cw_l2_torchattacks`: torchattacks' CW margin takes
 * the maximum over masked logits (the zeros of the mask compete), so with negative logits f and its
 * gradient vanish and the attack stalls — a defect of that library (fixture README, gotcha 6);
 * Lumen implements the paper's margin (`cw_l2_textbook_f`).
 */
const expectedMissing: Record<string, string[]> = { robust_cnn: ['cw_l2_torchattacks'] };

/**
 * The ids that must pass, per fixture: written once from `lumen parity --json` (203 ids, the same
 * with both loaders). An id that silently turns `missing` — a builder returning null, a swallowed
 * lookup error, a fixture no longer found — fails here; a newly passing id is added to the file.
 */
const allPinned = JSON.parse(readFileSync(repoPath('test', 'parity', 'passing-ids.json'), 'utf8')) as Record<string, string[]>;
const wave2Names = ['robust_cnn', 'robust_mlp'];
const pinned = Object.fromEntries(Object.entries(allPinned).filter(([k]) => !wave2Names.includes(k)));
const pinnedWave2 = Object.fromEntries(Object.entries(allPinned).filter(([k]) => wave2Names.includes(k)));

/** The rows' ids by fixture and status, sorted, for set comparisons with readable diffs. */
function idsBy(rows: readonly ParityRow[], status: ParityRow['status']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rows.filter((row) => row.status === status)) (out[r.fixture] ??= []).push(r.id);
  for (const ids of Object.values(out)) ids.sort();
  return out;
}

const pinnedCount = Object.values(pinned).reduce((n, ids) => n + ids.length, 0);

test('the pinned list holds 203 distinct ids over the 7 public fixtures', () => {
  assert.equal(pinnedCount, 203);
  assert.deepEqual(Object.keys(pinned).sort(), ['bn_cnn', 'cnn', 'mlp', 'quantus_cnn', 'sat', 'zennit_cnn', 'zennit_mlp']);
  for (const [fixture, ids] of Object.entries(pinned)) assert.equal(new Set(ids).size, ids.length, `${fixture}: duplicate ids`);
});

for (const load of ['json', 'onnx'] as const) {
  test(`lumen parity (${load} loader) on the wave-2 robust fixtures: the pinned attacks pass, only the expected entries are missing`, async () => {
    await useBackend();
    const rows = await runParity(wave2, { load });
    const failed = rows.filter((r) => r.status === 'fail').map((r) => `${r.fixture}/${r.id}: ${r.message ?? `error ${r.maxAbsError} > ${r.allowed}`}`);
    assert.deepEqual(failed, [], 'no failures');
    assert.deepEqual(idsBy(rows, 'pass'), pinnedWave2);
    assert.deepEqual(idsBy(rows, 'missing'), expectedMissing);
    assert.equal(Object.values(pinnedWave2).flat().length, 11);
  });

  test(`lumen parity (${load} loader): exactly the pinned ids pass, none fails, none is missing`, async () => {
    await useBackend();
    const rows = await runParity(fixtures, { load });
    const failed = rows.filter((r) => r.status === 'fail').map((r) => `${r.fixture}/${r.id}: ${r.message ?? `error ${r.maxAbsError} > ${r.allowed}`}`);
    assert.deepEqual(failed, [], 'no failures');
    assert.deepEqual(idsBy(rows, 'missing'), {}, 'no missing ids');
    assert.deepEqual(idsBy(rows, 'pass'), pinned, 'the passing ids are the pinned ones');
    assert.equal(rows.length, pinnedCount);
  });
}

test('lumen parity --json prints one row per id, and --strict fails exactly when an id is missing', () => {
  const cli = repoPath('dist', 'src', 'cli', 'main.js');
  const mlp = repoPath('test', 'fixtures', 'mlp.json');
  const out = execFileSync('node', [cli, 'parity', '--json', mlp], { encoding: 'utf8' });
  const rows = JSON.parse(out) as { fixture: string; id: string; status: string; maxAbsError: number | null; allowed: number | null }[];
  assert.deepEqual(rows.map((r) => r.id).sort(), pinned.mlp);
  assert.ok(rows.every((r) => r.fixture === 'mlp' && r.status === 'pass' && r.maxAbsError !== null && r.allowed !== null && r.maxAbsError <= r.allowed));
  const run = (args: string[]): number => {
    try {
      execFileSync('node', [cli, 'parity', ...args], { stdio: 'pipe', encoding: 'utf8' });
      return 0;
    } catch (e) {
      return (e as { status?: number }).status ?? -1;
    }
  };
  assert.equal(run(['--strict', mlp]), 0, 'nothing is missing from mlp');
  // The same fixture with one entry no builder knows: reported missing, which only --strict fails.
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-parity-'));
  try {
    const json = JSON.parse(readFileSync(mlp, 'utf8')) as { methods: { id: string; captum_class?: string }[] };
    json.methods.push({ ...json.methods[0], id: 'no_such_method', captum_class: 'captum.attr.NoSuchMethod' });
    const file = path.join(dir, 'mlp.json');
    writeFileSync(file, JSON.stringify(json));
    const missing = (JSON.parse(execFileSync('node', [cli, 'parity', '--json', file], { encoding: 'utf8' })) as { id: string; status: string }[]).filter((r) => r.status === 'missing');
    assert.deepEqual(missing.map((r) => r.id), ['no_such_method']);
    assert.equal(run([file]), 0, 'a missing id alone does not fail without --strict');
    assert.equal(run(['--strict', file]), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
