import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../../src/engine/backend.js';
import { ONNX_CONFORMANCE_EXCLUSIONS } from '../../../src/models/onnx/conformance-exclusions.js';
import { ONNX_NODE_TEST_DIR, runOnnxConformance } from '../../../src/models/onnx/conformance.js';

// ONNX's own backend node tests (Debian: apt-get install libonnx-testdata; .ci/run installs it).
const present = existsSync(ONNX_NODE_TEST_DIR);

test("runOnnxConformance: every ONNX node test of every supported op passes or is a documented exclusion", { skip: present ? false : `${ONNX_NODE_TEST_DIR} is missing (apt-get install libonnx-testdata)` }, async () => {
  await useBackend();
  const before = tf.memory().numTensors;
  const report = runOnnxConformance(ONNX_NODE_TEST_DIR);
  const failures = report.results.filter((r) => r.status === 'failed').map((r) => `${r.test}: ${r.message}`);
  assert.deepEqual(failures, []);
  assert.ok(report.passed >= 300, `expected at least 300 passing tests; found ${report.passed}`);
  const excluded = new Set(report.results.filter((r) => r.status === 'excluded').map((r) => r.test));
  for (const name of Object.keys(ONNX_CONFORMANCE_EXCLUSIONS)) assert.ok(excluded.has(name), `exclusion '${name}' matches a test of a supported op`);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});
