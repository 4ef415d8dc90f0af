import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ONNX_OP_VERSIONS, onnxOpVersion } from '../../../../src/models/onnx/ops/op-versions.js';
import { ONNX_OPS } from '../../../../src/models/onnx/ops/registry.js';

test('ONNX_OP_VERSIONS lists every imported op, and only those, with increasing versions', () => {
  assert.deepEqual(Object.keys(ONNX_OP_VERSIONS).sort(), Object.keys(ONNX_OPS).sort());
  for (const [op, versions] of Object.entries(ONNX_OP_VERSIONS)) {
    assert.ok(versions.length > 0 && versions.every((v, i) => Number.isInteger(v) && v >= 1 && (i === 0 || v > versions[i - 1])), op);
  }
});

test('onnxOpVersion(op, opset) is the latest definition at or before the opset', () => {
  assert.equal(onnxOpVersion('Softmax', 12), 11);
  assert.equal(onnxOpVersion('Softmax', 13), 13);
  assert.equal(onnxOpVersion('Elu', 6), 6);
  assert.equal(onnxOpVersion('Elu', 18), 6);
  assert.equal(onnxOpVersion('Add', 6), 6);
  assert.equal(onnxOpVersion('Add', 7), 7);
  assert.equal(onnxOpVersion('Range', 10), null, 'Range exists from opset 11');
  assert.equal(onnxOpVersion('NoSuchOp', 13), null);
});
