import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPreprocess, parsePreprocess } from '../../src/cli/preprocess.js';
import { lumenError } from '../render/helpers.js';

test('parsePreprocess: Keras MobileNet (scale=1/127.5,offset=-1) and torchvision ImageNet (mean/std per channel)', () => {
  const keras = parsePreprocess('scale=1/127.5,offset=-1');
  assert.deepEqual(keras, { scale: [1 / 127.5], offset: [-1], mean: [0], std: [1] });
  const torch = parsePreprocess('mean=0.485,0.456,0.406,std=0.229,0.224,0.225');
  assert.deepEqual(torch, { scale: [1 / 255], offset: [0], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
});

test('applyPreprocess maps [0, 1] pixels to (p·scale + offset − mean)/std per channel, p in 0–255', () => {
  const rgb = new Float32Array([0, 0.5, 1, 1, 0, 0.25]);
  const keras = applyPreprocess(rgb, 3, parsePreprocess('scale=1/127.5,offset=-1'), 'x');
  [-1, 0, 1, 1, -1, -0.5].forEach((v, i) => assert.ok(Math.abs(keras[i] - v) < 1e-6, `${i}: ${keras[i]} vs ${v}`));
  const torch = applyPreprocess(rgb, 3, parsePreprocess('mean=0.485,0.456,0.406,std=0.229,0.224,0.225'), 'x');
  const want = [(0 - 0.485) / 0.229, (0.5 - 0.456) / 0.224, (1 - 0.406) / 0.225, (1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0.25 - 0.406) / 0.225];
  want.forEach((v, i) => assert.ok(Math.abs(torch[i] - v) < 1e-5, `${i}: ${torch[i]} vs ${v}`));
});

test('parsePreprocess and applyPreprocess refuse unknown keys, bad numbers, std ≤ 0 and a wrong channel count', () => {
  assert.throws(() => parsePreprocess('gain=2'), lumenError('option', /expected keys scale, offset, mean, std; found 'gain'/));
  assert.throws(() => parsePreprocess('scale=0x10'), lumenError('option', /expected scale to be a number or a fraction like 1\/127\.5; found '0x10'/));
  assert.throws(() => parsePreprocess('std=0'), lumenError('option', /expected std > 0/));
  assert.throws(() => parsePreprocess('0.5'), lumenError('option', /expected key=value/));
  assert.throws(() => parsePreprocess('mean=1,mean=2'), lumenError('option', /each key once/));
  assert.throws(() => applyPreprocess(new Float32Array(1), 1, parsePreprocess('mean=0.1,0.2,0.3'), 'digit.png'), lumenError('option', /mean to have 1 or 1 values .*; found 3 for digit\.png/));
});
