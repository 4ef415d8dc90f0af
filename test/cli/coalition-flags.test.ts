import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalitionFlagOptions } from '../../src/cli/coalition-flags.js';
import { methodById } from '../../src/methods.js';

test('coalitionFlagOptions: --superpixels and --samples become the method\'s options', () => {
  assert.deepEqual(coalitionFlagOptions(methodById('kernel-shap'), { superpixels: 'slic:30', samples: '500' }), { superpixels: 'slic:30', samples: 500 });
  assert.deepEqual(coalitionFlagOptions(methodById('lime'), { superpixels: 'felzenszwalb' }), { superpixels: 'felzenszwalb' });
  assert.deepEqual(coalitionFlagOptions(methodById('lime'), {}), {});
});

test('coalitionFlagOptions refuses a method without the option, a bad spec and a bad count', () => {
  assert.throws(() => coalitionFlagOptions(methodById('saliency'), { superpixels: 'slic' }), /--superpixels: saliency has no 'superpixels' option/);
  assert.throws(() => coalitionFlagOptions(methodById('saliency'), { samples: '3' }), /--samples: saliency has no 'samples' option/);
  assert.throws(() => coalitionFlagOptions(methodById('lime'), { superpixels: 'quickshift' }), /expected 'slic'/);
  assert.throws(() => coalitionFlagOptions(methodById('kernel-shap'), { samples: '0' }), /--samples: expected a positive integer; found '0'/);
  assert.throws(() => coalitionFlagOptions(methodById('kernel-shap'), { samples: 'many' }), /positive integer/);
});
