import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { resolveTarget } from '../../src/core/target.js';
import { useBackend } from '../../src/engine/backend.js';
import { linearModel } from '../toy-models.js';

test("resolveTarget('predicted') picks each example's arg-max and leaves no tensor behind", async () => {
  await useBackend();
  const { model } = linearModel([[1, -1], [0, 2], [-1, 0]]);
  const x = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  const before = tf.memory().numTensors;
  const target = await resolveTarget(model, x, 'predicted', 'test');
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(target.classes, [0, 1, 1]);
  x.dispose();
});
