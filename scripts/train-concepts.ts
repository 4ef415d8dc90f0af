/**
 * Trains the concept-shapes model (`bundled:concepts`, src/data/concept-shapes.ts), reproducibly on
 * the wasm backend (Lumen's filter-gradient kernels; seeded initialisers and shuffles):
 *   npm run build && node dist/scripts/train-concepts.js      (npm run train-concepts)
 * and writes models/concepts/{model.json, weights.bin, meta.json}. Outputs are logits.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { conceptShapes, conceptShapesTensor, CONCEPT_SHAPES_CLASSES, CONCEPT_SHAPES_SIZE, type ConceptShapesData } from '../src/data/concept-shapes.js';
import { conceptShapesCnn } from '../src/data/concept-shapes-cnn.js';
import { writeFileAtomic } from '../src/data/io.js';
import { useBackend } from '../src/engine/backend.js';
import { bundledModelDir, type BundledMeta } from '../src/models/bundled.js';
import { saveLayersModel } from '../src/models/model-io.js';
import { classifierAccuracy, fitClassifier, predictedClasses } from '../src/training/fit-classifier.js';

const SEED = 1337;
/** Seeds of the generated training and held-out images. */
export const CONCEPTS_TRAIN_SEED = 1;
export const CONCEPTS_HELD_OUT_SEED = 2;
const TRAIN_COUNT = 4000;
const HELD_OUT_COUNT = 1000;
const EPOCHS = 6;
/** The accuracy the script insists on. */
const TARGET = 0.95;

/** Accuracy on the held-out images with (`dots` = 1) or without (0) a dotted object. */
function accuracyBy(data: ConceptShapesData, predicted: Int32Array, dots: 0 | 1): number {
  const s = data.size * data.size;
  let ok = 0;
  let n = 0;
  for (let i = 0; i < data.count; i++) {
    const has = data.masks.dots.subarray(i * s, (i + 1) * s).some((v) => v === 1) ? 1 : 0;
    if (has !== dots) continue;
    n++;
    if (predicted[i] === data.labels[i]) ok++;
  }
  return ok / n;
}

async function main(): Promise<void> {
  const backend = await useBackend('wasm');
  const t0 = performance.now();
  const train = conceptShapes(TRAIN_COUNT, { seed: CONCEPTS_TRAIN_SEED });
  const held = conceptShapes(HELD_OUT_COUNT, { seed: CONCEPTS_HELD_OUT_SEED });
  const [xTrain, xHeld] = [conceptShapesTensor(train), conceptShapesTensor(held)];
  const model = conceptShapesCnn(SEED);
  await fitClassifier(model, xTrain, train.labels, {
    epochs: EPOCHS, batchSize: 32, learningRate: 0.005, seed: SEED,
    onEpoch: (e, loss) => console.log(`concepts epoch ${e}/${EPOCHS}: loss ${loss.toFixed(4)}, held-out accuracy ${classifierAccuracy(model, xHeld, held.labels).toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`),
  });
  const acc = classifierAccuracy(model, xHeld, held.labels);
  const predicted = predictedClasses(model, xHeld);
  const [withDots, withoutDots] = [accuracyBy(held, predicted, 1), accuracyBy(held, predicted, 0)];
  const dir = bundledModelDir('concepts');
  await saveLayersModel(model, dir);
  const meta: BundledMeta = {
    name: 'concepts',
    description: 'CNN of the concept-shapes ground truth: two objects (circle/square, red/green/blue, stripes/dots/plain) on 32×32 grey noise; label 1 (striped) exactly when an object is striped; dots are an equally frequent distractor',
    outputs: 'logits', inputShape: [CONCEPT_SHAPES_SIZE, CONCEPT_SHAPES_SIZE, 3], classNames: [...CONCEPT_SHAPES_CLASSES],
    layers: model.layers.map((l) => l.name),
    training: {
      seed: SEED, splitSeed: CONCEPTS_HELD_OUT_SEED, trainCount: TRAIN_COUNT, heldOutCount: HELD_OUT_COUNT, epochs: EPOCHS,
      heldOutAccuracy: Number(acc.toFixed(4)), backend,
    },
  };
  const extra = { trainDataSeed: CONCEPTS_TRAIN_SEED, heldOutDataSeed: CONCEPTS_HELD_OUT_SEED, accuracyWithDots: Number(withDots.toFixed(4)), accuracyWithoutDots: Number(withoutDots.toFixed(4)) };
  await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, ground: extra }, null, 2) + '\n');
  console.log(`concepts: held-out accuracy ${(acc * 100).toFixed(2)}% (with dots ${(withDots * 100).toFixed(2)}%, without ${(withoutDots * 100).toFixed(2)}%; ${HELD_OUT_COUNT} images), ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}`);
  tf.dispose([xTrain, xHeld]);
  model.dispose();
  if (acc < TARGET) {
    console.error(`concepts: accuracy ${acc.toFixed(4)} is below the target ${TARGET}`);
    process.exitCode = 1;
  }
}

await main();
