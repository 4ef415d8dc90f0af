import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBackend } from '../../../src/engine/backend.js';
import { runParity } from '../../../src/parity/run-parity.js';
import { repoPath } from '../../helpers.js';

const fixtures = ['mlp', 'cnn', 'sat', 'bn_cnn'].map((n) => repoPath('test', 'fixtures', `${n}.json`));

test('runParity({load: onnx}): every entry that passes with the JSON model passes with the ONNX import', async () => {
  await useBackend();
  const json = await runParity(fixtures);
  const onnx = await runParity(fixtures, { load: 'onnx' });
  const key = (r: { fixture: string; id: string }): string => `${r.fixture}/${r.id}`;
  const onnxStatus = new Map(onnx.map((r) => [key(r), r]));
  const passing = json.filter((r) => r.status === 'pass');
  assert.ok(passing.length > 0);
  for (const r of passing) {
    const o = onnxStatus.get(key(r));
    assert.equal(o?.status, 'pass', `${key(r)}: ${o?.status} ${o?.message ?? ''} (error ${o?.maxAbsError} > ${o?.allowed})`);
  }
  assert.deepEqual(onnx.filter((r) => r.status === 'fail').map(key), []);
});
