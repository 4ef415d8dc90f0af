import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalitionFlagOptions } from '../../src/cli/coalition-flags.js';
import { methodById } from '../../src/methods.js';

test('coalitionFlagOptions: --superpixels becomes the method\'s option', () => {
  assert.deepEqual(coalitionFlagOptions(methodById('kernel-shap'), { superpixels: 'slic:30' }), { superpixels: 'slic:30' });
  assert.deepEqual(coalitionFlagOptions(methodById('lime'), { superpixels: 'felzenszwalb' }), { superpixels: 'felzenszwalb' });
  assert.deepEqual(coalitionFlagOptions(methodById('lime'), {}), {});
});

test('coalitionFlagOptions refuses a method without the option and a bad spec', () => {
  assert.throws(() => coalitionFlagOptions(methodById('saliency'), { superpixels: 'slic' }), /--superpixels: saliency has no 'superpixels' option/);
  assert.throws(() => coalitionFlagOptions(methodById('lime'), { superpixels: 'quickshift' }), /expected 'slic'/);
});
