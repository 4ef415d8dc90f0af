import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../../src/engine/backend.js';
import type { LocalMethodInfo } from '../../../src/core/method-info.js';
import { METHODS } from '../../../src/methods.js';
import { fromLayersModel } from '../../../src/models/from-layers-model.js';

/** The JS type of a meta value, with arrays told apart (`features` was a number in one method and an array in another). */
function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** Small options so that every method finishes quickly on 6×6 images. */
const fast: Record<string, Record<string, unknown>> = {
  occlusion: { window: [2, 2], strides: 2 },
  'prediction-difference': { samples: 2, window: 2 },
  'meaningful-perturbation': { steps: 2 },
  rise: { samples: 8 },
  'shapley-values': { superpixels: { algorithm: 'slic', parameter: 4 } },
  'shapley-value-sampling': { samples: 2, superpixels: { algorithm: 'slic', parameter: 4 } },
  'kernel-shap': { samples: 16, superpixels: { algorithm: 'slic', parameter: 4 } },
  lime: { samples: 16, superpixels: { algorithm: 'slic', parameter: 4 } },
  'feature-permutation': {},
};

test('every meta field of the perturbation and surrogate methods has one type across methods', async () => {
  await useBackend();
  const layers = tf.sequential();
  layers.add(tf.layers.flatten({ inputShape: [6, 6, 1] }));
  layers.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }));
  const model = { ...fromLayersModel(layers), outputKind: 'probabilities' as const };
  const x = tf.randomUniform([2, 6, 6, 1], 0, 1, 'float32', 3);
  const seen = new Map<string, { kind: string; method: string }>();
  const methods = METHODS.filter((m): m is LocalMethodInfo => m.scope === 'local' && (m.family === 'perturbation' || m.family === 'surrogate') && m.inputKinds.some((k) => k === 'image' || k === 'any'));
  assert.ok(methods.length >= 8, `perturbation and surrogate methods for images: ${methods.map((m) => m.id)}`);
  for (const m of methods) {
    const a = await m.run(model, x, { target: 0, seed: 1, ...fast[m.id] });
    for (const [key, value] of Object.entries(a.meta)) {
      if (value === undefined) continue;
      const kind = kindOf(value);
      const first = seen.get(key);
      if (first) assert.equal(kind, first.kind, `meta.${key} is a ${kind} in ${m.id} but a ${first.kind} in ${first.method}`);
      else seen.set(key, { kind, method: m.id });
    }
    a.dispose();
  }
  assert.equal(seen.get('features')?.kind, 'array');
  x.dispose();
  layers.dispose();
});
