/**
 * Deletion and insertion by tokens on the bundled text CNN (bundled:spam): the input is ids, the
 * baseline 'zeros' is the PAD sequence, so deleting a token is replacing its id by PAD. Occlusion's
 * ranking must beat its own reverse (deletion lower, insertion higher): a check that fails when the
 * metric does not follow the token ranking.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { occlusion } from '../../src/attribution/perturbation/occlusion.js';
import { makeAttribution } from '../../src/core/attribution.js';
import { useBackend } from '../../src/engine/backend.js';
import { deletion } from '../../src/metrics/deletion.js';
import { insertion } from '../../src/metrics/insertion.js';
import { loadBundledModel, loadBundledVocabulary } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { encodeText } from '../../src/text/vocabulary.js';

test('deletion and insertion by tokens on bundled:spam: occlusion ranks tokens better than its reverse', async () => {
  await useBackend();
  const { model: layers } = await loadBundledModel('spam');
  const model = fromLayersModel(layers);
  const vocabulary = await loadBundledVocabulary('spam');
  assert.ok(vocabulary);
  const texts = ['Congratulations! You have won a free prize, click here to claim your money now', 'Hi Bob, the meeting about the kernel patch moved to Tuesday'];
  const target = [1, 0];
  const x = tf.tensor2d(texts.map((t) => Array.from(encodeText(vocabulary, t, 120).ids)));
  const before = tf.memory().numTensors;
  const occ = await occlusion(model, x, { target, window: [1], strides: 1 });
  const reversed = makeAttribution('reversed', tf.neg(occ.values), target);
  const options = { target, steps: 16 };
  const [d, dr, ins, insr] = [await deletion(model, x, occ, options), await deletion(model, x, reversed, options), await insertion(model, x, occ, options), await insertion(model, x, reversed, options)];
  for (let i = 0; i < texts.length; i++) {
    assert.ok(d.scores[i]! < dr.scores[i]!, `text ${i}: deletion ${d.scores[i]} should be below the reverse ranking's ${dr.scores[i]}`);
    assert.ok(ins.scores[i]! > insr.scores[i]!, `text ${i}: insertion ${ins.scores[i]} should be above the reverse ranking's ${insr.scores[i]}`);
  }
  tf.dispose([occ.values, reversed.values]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  x.dispose();
  layers.dispose();
});
