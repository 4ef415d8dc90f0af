import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/random.js';
import { useBackend } from '../../../src/engine/backend.js';
import { decodeOnnxTensor } from '../../../src/models/onnx/decode.js';
import { loadOnnx, loadOnnxBytes } from '../../../src/models/onnx/load-onnx.js';
import { repoPath } from '../../helpers.js';
import { encodeModelProto, onnxBytes, type TestGraph } from './build.js';

/** Loading `bytes` either works (and the model then runs) or is a LumenError — never another error. */
function loadsOrLumenError(bytes: Uint8Array, what: string): 'loaded' | 'rejected' {
  let model;
  try {
    model = loadOnnxBytes(bytes);
  } catch (e) {
    assert.ok(e instanceof LumenError, `${what}: expected a LumenError; got ${(e as Error)?.stack ?? String(e)}`);
    return 'rejected';
  }
  model.dispose();
  return 'loaded';
}

const relu: TestGraph = { inputs: [{ name: 'x', shape: ['N', 4] }], outputs: ['y'], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] };

test('loadOnnx: random bytes (seeded fuzz) are LumenErrors', async () => {
  await useBackend();
  const rng = new Rng(2024);
  for (let i = 0; i < 300; i++) {
    const bytes = Uint8Array.from({ length: 1 + rng.int(400) }, () => rng.int(256));
    assert.equal(loadsOrLumenError(bytes, `random #${i}`), 'rejected');
  }
});

test('loadOnnx: every truncation of a real model is a LumenError', async () => {
  await useBackend();
  const bytes = readFileSync(repoPath('test', 'fixtures', 'cnn.onnx'));
  for (let n = 0; n < bytes.length; n += 7) assert.equal(loadsOrLumenError(bytes.subarray(0, n), `first ${n} bytes`), 'rejected');
});

test('loadOnnx: byte flips of a real model load or are LumenErrors (seeded fuzz)', async () => {
  await useBackend();
  const original = readFileSync(repoPath('test', 'fixtures', 'cnn.onnx'));
  const rng = new Rng(99);
  const start = tf.memory().numTensors;
  for (let i = 0; i < 150; i++) {
    const bytes = Uint8Array.from(original);
    for (let k = 0; k < 1 + rng.int(4); k++) bytes[rng.int(bytes.length)] = rng.int(256);
    loadsOrLumenError(bytes, `flip #${i}`);
  }
  assert.equal(tf.memory().numTensors, start, 'rejected files leave no tensors behind');
});

test('loadOnnx: absurd dimensions and huge declared sizes are refused before allocating', async () => {
  await useBackend();
  const graph = (dims: number[], data: Record<string, unknown>): Uint8Array => encodeModelProto({
    ir_version: 8,
    opset_import: [{ version: 13 }],
    graph: {
      node: [{ op_type: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializer: [{ name: 'w', dims, data_type: 1, ...data }],
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: 4 }] } } } }],
      output: [{ name: 'y' }],
    },
  });
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['2^60 elements', graph([2 ** 30, 2 ** 30], { raw_data: new Uint8Array(16) }), /elements/],
    ['negative dimension', graph([-4], { raw_data: new Uint8Array(16) }), /non-negative/],
    ['raw_data shorter than the shape', graph([1000], { raw_data: new Uint8Array(16) }), /needs 4000 bytes/],
    ['float_data count mismatch', graph([4, 4], { float_data: [1, 2, 3] }), /16 elements/],
    ['rank 40', graph(Array(40).fill(1), { float_data: [1] }), /rank/],
    ['external data', graph([4], { data_location: 1, external_data: [{ key: 'location', value: '/etc/passwd' }] }), /external/],
  ];
  for (const [what, bytes, message] of cases) {
    const t0 = Date.now();
    assert.throws(() => loadOnnxBytes(bytes), (e: unknown) => e instanceof LumenError && message.test(e.message), what);
    assert.ok(Date.now() - t0 < 1000, `${what}: refused quickly`);
  }
});

test('loadOnnx: shapes computed from the file (ConstantOfShape, Expand, Reshape, Range) are bounded', async () => {
  await useBackend();
  const shapeGraph = (op: string, inputs: string[], ints: number[], extraInit: TestGraph['initializers'] = []): Uint8Array => onnxBytes({
    inputs: [{ name: 'x', shape: [1, 4] }],
    outputs: ['y'],
    initializers: [{ name: 's', dims: [ints.length], data: ints, type: 'int64' }, ...extraInit],
    nodes: [{ op, inputs, outputs: ['t'] }, { op: 'Add', inputs: ['x', 't'], outputs: ['y'] }],
  });
  const huge = [100000, 100000, 100000];
  for (const bytes of [
    shapeGraph('ConstantOfShape', ['s'], huge),
    shapeGraph('Expand', ['x', 's'], huge),
    shapeGraph('Reshape', ['x', 's'], [3, 7]),
    shapeGraph('Tile', ['x', 's'], [1e9, 1e9]),
  ]) {
    assert.throws(() => loadOnnxBytes(bytes), LumenError);
  }
  const range = onnxBytes({
    inputs: [{ name: 'x', shape: [1, 4] }], outputs: ['y'],
    initializers: [{ name: 'a', dims: [], data: [0] }, { name: 'b', dims: [], data: [1e12] }, { name: 'd', dims: [], data: [1] }],
    nodes: [{ op: 'Range', inputs: ['a', 'b', 'd'], outputs: ['r'] }, { op: 'Add', inputs: ['x', 'r'], outputs: ['y'] }],
  });
  assert.throws(() => loadOnnxBytes(range), LumenError);
});

test('loadOnnx: structural problems are LumenErrors naming what was expected', async () => {
  await useBackend();
  assert.throws(() => loadOnnxBytes(new Uint8Array(0)), /empty file/);
  assert.throws(() => loadOnnxBytes(onnxBytes({ ...relu, opset: 3 })), /operator sets 7/);
  assert.throws(() => loadOnnxBytes(onnxBytes({ ...relu, nodes: [{ op: 'Relu', inputs: ['nowhere'], outputs: ['y'] }] })), /topological order/);
  assert.throws(() => loadOnnxBytes(onnxBytes({ ...relu, inputs: [{ name: 'x', shape: ['N', 'F'] }] })), /symbolic dimensions/);
  assert.throws(() => loadOnnxBytes(onnxBytes({ ...relu, inputs: [{ name: 'x', shape: [1, 100000, 100000] }] })), /limit/);
  assert.throws(() => loadOnnxBytes(onnxBytes({ ...relu, inputs: [{ name: 'x', shape: ['N', 4] }, { name: 'z', shape: ['N', 4] }] })), /one input/);
  assert.throws(() => loadOnnxBytes(onnxBytes(relu, { ir_version: 0 })), /IR version/);
  await assert.rejects(loadOnnx(repoPath('test', 'fixtures', 'no-such.onnx')), /no such file/);
  assert.throws(() => decodeOnnxTensor(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), LumenError);
  const model = loadOnnxBytes(onnxBytes(relu));
  await assert.rejects(model.predict(tf.zeros([2, 5])), /expected input \[N, 4\]/);
  model.dispose();
});

/**
 * Protobuf wire bytes of messages nested in `fields` (outermost first), the innermost empty: each
 * level is a tag and a length, built inside out in linear time.
 */
function nestedEmpty(fields: readonly number[]): Uint8Array {
  const headers: number[][] = [];
  let length = 0;
  for (let f = fields.length - 1; f >= 0; f--) {
    const head = [(fields[f] << 3) | 2];
    for (let n = length; ; n = Math.floor(n / 128)) {
      head.push(n >= 128 ? (n % 128) | 128 : n);
      if (n < 128) break;
    }
    headers.push(head);
    length += head.length;
  }
  return Uint8Array.from(headers.reverse().flat());
}

test('loadOnnx: subgraphs nested 20,000 deep are a LumenError, not a stack overflow', async () => {
  await useBackend();
  // ModelProto.graph (7) → GraphProto.node (1) → NodeProto.attribute (5) → AttributeProto.g (6) → node → …
  const bytes = nestedEmpty([7, ...Array.from({ length: 20_000 }, () => [1, 5, 6]).flat()]);
  const t0 = Date.now();
  assert.throws(() => loadOnnxBytes(bytes), (e: unknown) => e instanceof LumenError && /nesting too deep/.test(e.message));
  assert.ok(Date.now() - t0 < 5000, `refused in ${Date.now() - t0} ms`);
});

test('loadOnnx: a graph of 100,000 unsupported nodes is refused in linear time, listing a few', async () => {
  await useBackend();
  const n = 100_000;
  const nodes = Array.from({ length: n }, (_, i) => ({ op: 'Bogus', inputs: [i === 0 ? 'x' : `v${i - 1}`], outputs: [i === n - 1 ? 'y' : `v${i}`] }));
  const bytes = onnxBytes({ inputs: [{ name: 'x', shape: ['N', 4] }], outputs: ['y'], nodes });
  const t0 = Date.now();
  assert.throws(() => loadOnnxBytes(bytes), (e: unknown) => e instanceof LumenError && /Bogus \(nodes n0, n1, .* and 99992 more\)/.test(e.message));
  assert.ok(Date.now() - t0 < 5000, `refused in ${Date.now() - t0} ms`);
});

test('loadOnnx: many initializers whose declared sizes add up beyond the limit are refused', async () => {
  await useBackend();
  // Each declares 2^27 floats backed by no data: every one is checked against the bytes present.
  const initializers = Array.from({ length: 64 }, (_, i) => ({ name: `w${i}`, dims: [2 ** 27], data_type: 1, raw_data: new Uint8Array(4) }));
  const bytes = encodeModelProto({
    ir_version: 8, opset_import: [{ version: 13 }],
    graph: {
      node: [{ op_type: 'Relu', input: ['x'], output: ['y'] }], initializer: initializers,
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: 4 }] } } } }],
      output: [{ name: 'y' }],
    },
  });
  const t0 = Date.now();
  assert.throws(() => loadOnnxBytes(bytes), (e: unknown) => e instanceof LumenError && /needs \d+ bytes/.test(e.message));
  assert.ok(Date.now() - t0 < 1000);
});
