import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../../src/engine/backend.js';
import { ONNX_CONFORMANCE_EXCLUSIONS } from '../../../src/models/onnx/conformance-exclusions.js';
import { ONNX_NODE_TEST_DIR, runOnnxConformance } from '../../../src/models/onnx/conformance.js';
import { onnxOpSupported } from '../../../src/models/onnx/ops/registry.js';
import { testNeedingPackage } from '../../helpers.js';

// ONNX's own backend node tests (Debian: apt-get install libonnx-testdata; .ci/run installs it).
const present = existsSync(ONNX_NODE_TEST_DIR);

testNeedingPackage("runOnnxConformance: every ONNX node test of every supported op passes or is a documented exclusion", present, `${ONNX_NODE_TEST_DIR} is missing (apt-get install libonnx-testdata)`, async () => {
  await useBackend();
  const before = tf.memory().numTensors;
  const report = runOnnxConformance(ONNX_NODE_TEST_DIR);
  const failures = report.results.filter((r) => r.status === 'failed').map((r) => `${r.test}: ${r.message}`);
  assert.deepEqual(failures, []);
  assert.ok(report.passed >= 350, `expected at least 350 passing tests; found ${report.passed}`);
  // A test counts as unsupported only for an op Lumen does not import — never for its opset alone.
  const skippedOfSupportedOps = report.results.filter((r) => r.status === 'unsupported' && r.ops.every((op) => onnxOpSupported(op))).map((r) => `${r.test} (${r.message})`);
  assert.deepEqual(skippedOfSupportedOps, []);
  const excluded = new Set(report.results.filter((r) => r.status === 'excluded').map((r) => r.test));
  for (const name of Object.keys(ONNX_CONFORMANCE_EXCLUSIONS)) assert.ok(excluded.has(name), `exclusion '${name}' matches a test of a supported op`);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});
