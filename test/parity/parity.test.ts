import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { useBackend } from '../../src/engine/backend.js';
import { runParity } from '../../src/parity/run-parity.js';
import { repoPath } from '../helpers.js';

const fixtures = readdirSync(repoPath('test', 'fixtures')).filter((f) => f.endsWith('.json')).map((f) => repoPath('test', 'fixtures', f));

/** The gradient-family ids this release must pass (issue 2). */
const gradientFamily = /^(saliency_abs|saliency_signed|input_x_gradient|ig_riemann_trapezoid|ig_gausslegendre|ig_riemann_trapezoid_custom_baseline|layer_ig_fc1_.*|layer_activation_.*)$/;

test('every implemented method matches Captum on every public fixture, and no gradient-family id is missing', async () => {
  await useBackend();
  const rows = await runParity(fixtures);
  const failed = rows.filter((r) => r.status === 'fail');
  assert.deepEqual(failed, [], 'no failures');
  const missing = rows.filter((r) => gradientFamily.test(r.id) && r.status !== 'pass');
  assert.deepEqual(missing, []);
  // Guards against a loader that silently finds no fixtures or no ids.
  assert.ok(rows.filter((r) => gradientFamily.test(r.id)).length >= 20, 'the fixtures list at least 20 gradient-family ids');
});

test('lumen parity --json prints one row per id, and --strict fails exactly when an id is missing', () => {
  const cli = repoPath('dist', 'src', 'cli', 'main.js');
  const out = execFileSync('node', [cli, 'parity', '--json', repoPath('test', 'fixtures', 'mlp.json')], { encoding: 'utf8' });
  const rows = JSON.parse(out) as { fixture: string; id: string; status: string; maxAbsError: number | null; allowed: number | null }[];
  assert.ok(rows.some((r) => r.id === 'ig_gausslegendre' && r.status === 'pass' && (r.maxAbsError ?? 1) <= (r.allowed ?? 0)));
  assert.ok(rows.every((r) => r.fixture === 'mlp'));
  const strict = (): string => execFileSync('node', [cli, 'parity', '--strict', repoPath('test', 'fixtures', 'mlp.json')], { stdio: 'pipe', encoding: 'utf8' });
  if (rows.some((r) => r.status === 'missing')) assert.throws(strict, (e: { status?: number }) => e.status === 1);
  else assert.doesNotThrow(strict);
});
