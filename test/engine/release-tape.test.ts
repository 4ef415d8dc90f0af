import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { releaseTapeOnThrow } from '../../src/engine/release-tape.js';

test('releaseTapeOnThrow: a gradient whose backward pass throws leaves no saved tensors behind, and the next gradient works', async () => {
  await useBackend();
  const x = tf.tensor1d([1, 2, 3]);
  const failing = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const a = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([a]);
    return {
      value: tf.square(a),
      gradFunc: (): tf.Tensor[] => {
        throw new Error('rule failed');
      },
    };
  }) as (a: tf.Tensor) => tf.Tensor;
  const before = tf.memory().numTensors;
  assert.throws(() => releaseTapeOnThrow(() => tf.grad((a: tf.Tensor) => tf.sum(tf.exp(failing(a))))(x)), /rule failed/);
  assert.equal(tf.memory().numTensors, before, 'saved activations released');
  const g = tf.grad((a: tf.Tensor) => tf.sum(tf.square(a)))(x);
  assert.deepEqual(Array.from(await g.data()), [2, 4, 6]);
  tf.dispose([g, x]);
});
