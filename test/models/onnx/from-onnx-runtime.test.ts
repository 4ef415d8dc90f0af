import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromOnnxRuntime } from '../../../src/models/onnx/from-onnx-runtime.js';
import { onnxBytes, type TestGraph } from './build.js';

/** A session whose `run` records the batch of every call. */
async function spySession(graph: TestGraph): Promise<{ session: ort.InferenceSession; calls: number[] }> {
  const session = await ort.InferenceSession.create(onnxBytes(graph));
  const calls: number[] = [];
  const spy = {
    inputNames: session.inputNames, outputNames: session.outputNames, inputMetadata: session.inputMetadata,
    run: (feeds: Record<string, ort.Tensor>) => { calls.push(feeds.x.dims[0]); return session.run(feeds); },
  } as unknown as ort.InferenceSession;
  return { session: spy, calls };
}

const scaled = (batch: number | string): TestGraph => ({
  inputs: [{ name: 'x', shape: [batch, 3] }], outputs: ['y'],
  initializers: [{ name: 'k', dims: [3], data: [1, -2, 0.5] }],
  nodes: [{ op: 'Mul', inputs: ['x', 'k'], outputs: ['y'] }],
});

test('fromOnnxRuntime(session) on a fixed-batch export sends full batches, padding the last', async () => {
  await useBackend();
  const { session, calls } = await spySession(scaled(2));
  const model = await fromOnnxRuntime(session);
  const x = tf.tensor2d([[1, 1, 1], [2, 2, 2], [3, 3, 3]]);
  calls.length = 0;
  const y = await model.predict(x);
  assert.deepEqual(calls, [2, 2], 'rows 0–1, then row 2 with a zero row');
  assert.deepEqual(await y.array(), [[1, -2, 0.5], [2, -4, 1], [3, -6, 1.5]]);
  await assert.rejects(fromOnnxRuntime(session, { batchSize: 4 }), (e: unknown) => e instanceof LumenError && /fixed batch of 2/.test(e.message));
  tf.dispose([x, y]);
});

test('fromOnnxRuntime(session) on a dynamic batch stacks rows into batchSize calls', async () => {
  await useBackend();
  const { session, calls } = await spySession(scaled('N'));
  const model = await fromOnnxRuntime(session, { batchSize: 3 });
  const x = tf.ones([7, 3]);
  calls.length = 0;
  const y = await model.predict(x);
  assert.deepEqual(calls, [3, 3, 1]);
  assert.deepEqual((await y.array() as number[][])[6], [1, -2, 0.5]);
  tf.dispose([x, y]);
});

test('fromOnnxRuntime refuses a graph whose output does not keep the batch as its first axis', async () => {
  await useBackend();
  const { session } = await spySession({ inputs: [{ name: 'x', shape: ['N', 2, 3] }], outputs: ['y'], nodes: [{ op: 'Flatten', inputs: ['x'], outputs: ['y'], attrs: { axis: 2 } }] });
  // Flatten at axis 2 turns [1, 2, 3] into [2, 3]: two output rows for one input row.
  await assert.rejects(fromOnnxRuntime(session), (e: unknown) => e instanceof LumenError && /\[2, 3\] for 1 input rows/.test(e.message));
});

test('fromOnnxRuntime: outputKind (default logits, or as told), outputs, and dispose releases the session only when owned', async () => {
  await useBackend();
  let released = 0;
  const { session } = await spySession(scaled('n'));
  (session as unknown as { release: () => Promise<void> }).release = async () => {
    released++;
  };
  const model = await fromOnnxRuntime(session);
  assert.equal(model.outputKind, 'logits');
  assert.deepEqual(model.outputs, ['y']);
  model.dispose?.();
  assert.equal(released, 0, "a caller's session stays open");
  const owned = await fromOnnxRuntime(session, { owned: true, outputKind: 'probabilities' });
  assert.equal(owned.outputKind, 'probabilities');
  owned.dispose?.();
  assert.equal(released, 1);
  await assert.rejects(fromOnnxRuntime(session, { outputKind: 'scores' as never }), (e: unknown) => e instanceof LumenError && /outputKind must be/.test(e.message));
});
