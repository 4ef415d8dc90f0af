import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBackend } from '../../src/engine/backend.js';
import { METHODS } from '../../src/methods.js';
import { runParity } from '../../src/parity/run-parity.js';
import { repoPath } from '../helpers.js';

/** The CAM and conductance ids of issue 3 (guided Grad-CAM needs the propagation family's guided backprop). */
const ids = /^(gradcam_.*|guided_gradcam_.*|layer_conductance_relu1|neuron_conductance_relu1)$/;

test('every gradcam_*, guided_gradcam_*, layer_conductance_relu1 and neuron_conductance_relu1 id matches Captum', async () => {
  await useBackend();
  const rows = (await runParity([repoPath('test', 'fixtures', 'cnn.json'), repoPath('test', 'fixtures', 'mlp.json')])).filter((r) => ids.test(r.id));
  assert.ok(rows.length >= 11, `found ${rows.length} ids`);
  const guided = METHODS.some((m) => m.id === 'guided-backprop');
  const notPassing = rows.filter((r) => r.status !== 'pass' && (guided || !r.id.startsWith('guided_gradcam_')));
  assert.deepEqual(notPassing, []);
});
