import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { useBackend } from '../../src/engine/backend.js';
import { runParity, type ParityRow } from '../../src/parity/run-parity.js';
import { repoPath } from '../helpers.js';
import { parityFixtures, pinnedIds, withoutOnnx } from './parity-fixtures.js';

const fixtures = parityFixtures;

/**
 * Entries no Lumen method implements yet, per fixture: listed here so that each one is expected to
 * be `missing` explicitly (an id missing from a fixture not listed here fails the test).
 * robust_cnn's `cw_l2_torchattacks` stays missing on purpose: torchattacks' CW margin takes the maximum over
 * masked logits (the mask's zeros compete), so with negative logits f and its gradient vanish and
 * the attack stalls — a defect of that library (fixture README, gotcha 6); Lumen implements the
 * paper's margin (`cw_l2_textbook_f`).
 */
const expectedMissing: Record<string, string[]> = {
  robust_cnn: ['cw_l2_torchattacks'],
};
const expectedMissingCount = Object.values(expectedMissing).reduce((n, ids) => n + ids.length, 0);

/**
 * The ids that must pass, per fixture: written from `lumen parity --json` (203 wave-1 ids; wave-2: 19 of examples_tanh_mlp, 7 of global_mlp, 6 of robust_cnn, 5 of robust_mlp,
 * 6 of text_embed, 3 of attention_tiny, 12 of semantics_mlp; the same with both loaders, except the fixtures without an ONNX export). An id that silently turns `missing` — a builder returning null, a swallowed
 * lookup error, a fixture no longer found — fails here; a newly passing id is added to the file.
 */
const pinned = pinnedIds;

/** The rows' ids by fixture and status, sorted, for set comparisons with readable diffs. */
function idsBy(rows: readonly ParityRow[], status: ParityRow['status']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rows.filter((row) => row.status === status)) (out[r.fixture] ??= []).push(r.id);
  for (const ids of Object.values(out)) ids.sort();
  return out;
}

const pinnedCount = Object.values(pinned).reduce((n, ids) => n + ids.length, 0);

const wave2Counts = { attention_tiny: 3, examples_tanh_mlp: 19, global_mlp: 7, robust_cnn: 6, robust_mlp: 5, semantics_mlp: 12, text_embed: 6 };

test('the pinned list holds 261 distinct ids: 203 over the 7 public fixtures, 58 in wave-2', () => {
  assert.equal(pinnedCount, 261);
  assert.deepEqual(Object.keys(pinned).sort(), ['attention_tiny', 'bn_cnn', 'cnn', 'examples_tanh_mlp', 'global_mlp', 'mlp', 'quantus_cnn', 'robust_cnn', 'robust_mlp', 'sat', 'semantics_mlp', 'text_embed', 'zennit_cnn', 'zennit_mlp']);
  for (const [fixture, count] of Object.entries(wave2Counts)) assert.equal(pinned[fixture].length, count, fixture);
  assert.equal(pinnedCount - Object.values(wave2Counts).reduce((a, b) => a + b, 0), 203);
  for (const [fixture, ids] of Object.entries(pinned)) assert.equal(new Set(ids).size, ids.length, `${fixture}: duplicate ids`);
});

for (const load of ['json', 'onnx'] as const) {
  test(`lumen parity (${load} loader): exactly the pinned ids pass, none fails, only the listed ones are missing`, async () => {
    await useBackend();
    const rows = await runParity(fixtures, { load });
    const failed = rows.filter((r) => r.status === 'fail').map((r) => `${r.fixture}/${r.id}: ${r.message ?? `error ${r.maxAbsError} > ${r.allowed}`}`);
    assert.deepEqual(failed, [], 'no failures');
    const noExport = load === 'onnx' ? withoutOnnx : [];
    const missing: Record<string, string[]> = { ...expectedMissing, ...Object.fromEntries(noExport.map((f) => [f, pinned[f]])) };
    const passing = Object.fromEntries(Object.entries(pinned).filter(([f]) => !noExport.includes(f)));
    assert.deepEqual(idsBy(rows, 'missing'), Object.fromEntries(Object.entries(missing).sort()), 'exactly the listed ids are missing');
    assert.deepEqual(idsBy(rows, 'pass'), passing, 'the passing ids are the pinned ones');
    assert.equal(rows.length, pinnedCount + expectedMissingCount);
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
