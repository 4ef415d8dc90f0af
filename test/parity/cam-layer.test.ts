import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useBackend } from '../../src/engine/backend.js';
import { runParity } from '../../src/parity/run-parity.js';
import { repoPath } from '../helpers.js';

/** The CAM and conductance ids of issue 3. */
const ids = /^(gradcam_.*|guided_gradcam_.*|layer_conductance_relu1|neuron_conductance_relu1)$/;

test('every gradcam_*, guided_gradcam_*, layer_conductance_relu1 and neuron_conductance_relu1 id of cnn and mlp matches Captum, and all are pinned', async () => {
  await useBackend();
  const pinned = JSON.parse(readFileSync(repoPath('test', 'parity', 'passing-ids.json'), 'utf8')) as Record<string, string[]>;
  const rows = (await runParity([repoPath('test', 'fixtures', 'cnn.json'), repoPath('test', 'fixtures', 'mlp.json')])).filter((r) => ids.test(r.id));
  const key = (fixture: string, id: string): string => `${fixture}/${id}`;
  const expected = ['cnn', 'mlp'].flatMap((f) => pinned[f].filter((id) => ids.test(id)).map((id) => key(f, id))).sort();
  assert.ok(expected.length >= 11, `${expected.length} pinned CAM and conductance ids`);
  assert.deepEqual(rows.map((r) => key(r.fixture, r.id)).sort(), expected, 'the fixtures list exactly the pinned ids');
  assert.deepEqual(rows.filter((r) => r.status !== 'pass').map((r) => `${key(r.fixture, r.id)}: ${r.status} ${r.message ?? ''}`), []);
});
