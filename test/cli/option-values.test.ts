import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { parseMethodOptions } from '../../src/cli/method-options.js';
import { featureMaskOf, optionValues, sizesOf } from '../../src/cli/option-values.js';
import { LumenError } from '../../src/core/errors.js';
import { localMethodById } from '../../src/methods.js';

test('sizesOf reads 4x4, 3×3×1, 2,2 and 4; anything else is undefined', () => {
  assert.deepEqual(sizesOf('4x4'), [4, 4]);
  assert.deepEqual(sizesOf('3×3×1'), [3, 3, 1]);
  assert.deepEqual(sizesOf('2, 2'), [2, 2]);
  assert.deepEqual(sizesOf('4'), [4]);
  for (const bad of ['', '0x4', '4x', '-1', '1.5', '0x10', 'auto']) assert.equal(sizesOf(bad), undefined, bad);
});

test("--opt window=4x4 --opt strides=2 reach occlusion as [4, 4] and 2 (one stride: every axis); malformed sizes name the option", () => {
  const occlusion = localMethodById('occlusion');
  const parsed = parseMethodOptions(occlusion, ['window=4x4', 'strides=2']);
  assert.deepEqual(parsed, { window: [4, 4], strides: [2] });
  assert.deepEqual(optionValues(occlusion, parsed), { window: [4, 4], strides: 2 });
  assert.deepEqual(optionValues(occlusion, parseMethodOptions(occlusion, ['strides=2x1'])), { strides: [2, 1] });
  assert.deepEqual(optionValues(occlusion, {}), {}, 'no window given: the function chooses it');
  assert.throws(() => parseMethodOptions(occlusion, ['window=4xx']), (e: unknown) => e instanceof LumenError && /--opt window=4xx: occlusion's option 'window' expects positive integer sizes such as 4x4; found '4xx'/.test(e.message));
});

test("featureMaskOf: 'patch:HxW' becomes {patch: [H, W]}, 'scalars' and 'tokens' and tensors pass, other text is a LumenError", () => {
  assert.deepEqual(featureMaskOf('patch:7x7'), { patch: [7, 7] });
  assert.equal(featureMaskOf('scalars'), 'scalars');
  assert.equal(featureMaskOf('tokens'), 'tokens');
  const mask = tf.zeros([2, 2], 'int32');
  assert.equal(featureMaskOf(mask), mask);
  mask.dispose();
  assert.throws(() => featureMaskOf('patch:0x3'), /featureMask: expected sizes such as 4x4; found '0x3'/);
  assert.throws(() => featureMaskOf('columns'), (e: unknown) => e instanceof LumenError && /expected 'scalars', 'tokens', 'patch:HxW' or a mask file; found 'columns'/.test(e.message));
  const ablation = localMethodById('feature-ablation');
  assert.deepEqual(optionValues(ablation, { featureMask: 'patch:4x2', target: 1 }), { featureMask: { patch: [4, 2] }, target: 1 });
});

test("superpixels text becomes a SuperpixelSpec for the methods that take it, and only for them", () => {
  const lime = localMethodById('lime');
  assert.deepEqual(optionValues(lime, { superpixels: 'slic:30' }), { superpixels: { algorithm: 'slic', parameter: 30 } });
  assert.deepEqual(optionValues(lime, { superpixels: 'felzenszwalb' }), { superpixels: { algorithm: 'felzenszwalb' } });
  assert.throws(() => optionValues(lime, { superpixels: 'watershed' }), /expected 'slic'/);
  const saliency = localMethodById('saliency');
  assert.deepEqual(optionValues(saliency, { mode: 'signed', featureMask: 'patch:2x2' }), { mode: 'signed', featureMask: 'patch:2x2' }, 'options a method does not take are left alone');
});
