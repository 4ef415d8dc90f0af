/**
 * Trains the ground-truth benchmark's model (`bundled:groundtruth`), reproducibly on the wasm
 * backend (Lumen's filter-gradient kernels; seeded initialisers and shuffles):
 *   npm run build && node dist/scripts/train-groundtruth.js      (npm run train-groundtruth)
 * and writes models/groundtruth/{model.json, weights.bin, meta.json}. Outputs are logits.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../src/data/io.js';
import { MNIST_CLASSES, MNIST_SPLIT_SEED } from '../src/data/mnist.js';
import { useBackend } from '../src/engine/backend.js';
import { groundTruthCnn } from '../src/metrics/benchmark/ground-truth-cnn.js';
import { groundTruthData, groundTruthTensor, GROUND_TRUTH_SIZE } from '../src/metrics/benchmark/ground-truth-data.js';
import { bundledModelDir, type BundledMeta } from '../src/models/bundled.js';
import { saveLayersModel } from '../src/models/model-io.js';
import { classifierAccuracy, fitClassifier } from '../src/training/fit-classifier.js';

const SEED = 1337;
/** Seeds of the generated training and held-out images (the held-out set is what `lumen benchmark` uses). */
export const TRAIN_DATA_SEED = 101;
const TRAIN_COUNT = 16000;
const HELD_OUT_COUNT = 2000;
const EPOCHS = 8;
/** The accuracy the script insists on (the committed model: 89.35 %; without the digit 8.65 %, chance 10 %). */
const TARGET = 0.85;

async function main(): Promise<void> {
  const backend = await useBackend('wasm');
  const t0 = performance.now();
  const train = groundTruthData(TRAIN_COUNT, { seed: TRAIN_DATA_SEED, split: 'train' });
  const held = groundTruthData(HELD_OUT_COUNT, { seed: 0, split: 'held-out' });
  const [xTrain, xHeld, xNoRegion, xNoDistractors] = [groundTruthTensor(train), groundTruthTensor(held), groundTruthTensor(held, held.withoutRegion), groundTruthTensor(held, held.withoutDistractors)];
  const model = groundTruthCnn(SEED);
  await fitClassifier(model, xTrain, train.labels, {
    epochs: EPOCHS, batchSize: 64, learningRate: 0.002, seed: SEED,
    onEpoch: (e, loss) => console.log(`groundtruth epoch ${e}/${EPOCHS}: loss ${loss.toFixed(4)}, held-out accuracy ${classifierAccuracy(model, xHeld, held.labels).toFixed(4)}`),
  });
  const acc = classifierAccuracy(model, xHeld, held.labels);
  const noRegion = classifierAccuracy(model, xNoRegion, held.labels);
  const noDistractors = classifierAccuracy(model, xNoDistractors, held.labels);
  const dir = bundledModelDir('groundtruth');
  await saveLayersModel(model, dir);
  const meta: BundledMeta = {
    name: 'groundtruth',
    description: 'CNN of the ground-truth benchmark: a 14×14 MNIST digit at a random place on 32×32 clutter with two distractor shapes; the digit decides the label',
    outputs: 'logits', inputShape: [GROUND_TRUTH_SIZE, GROUND_TRUTH_SIZE, 1], classNames: [...MNIST_CLASSES],
    layers: model.layers.map((l) => l.name),
    training: {
      seed: SEED, splitSeed: MNIST_SPLIT_SEED, trainCount: TRAIN_COUNT, heldOutCount: HELD_OUT_COUNT, epochs: EPOCHS,
      heldOutAccuracy: Number(acc.toFixed(4)), backend,
    },
  };
  await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, ablations: { withoutRegion: Number(noRegion.toFixed(4)), withoutDistractors: Number(noDistractors.toFixed(4)), trainDataSeed: TRAIN_DATA_SEED, heldOutDataSeed: 0 } }, null, 2) + '\n');
  console.log(`groundtruth: held-out accuracy ${(acc * 100).toFixed(2)}%, without the digit ${(noRegion * 100).toFixed(2)}%, without the distractors ${(noDistractors * 100).toFixed(2)}% (${HELD_OUT_COUNT} images), ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}`);
  tf.dispose([xTrain, xHeld, xNoRegion, xNoDistractors]);
  model.dispose();
  if (acc < TARGET) {
    console.error(`groundtruth: accuracy ${acc.toFixed(4)} is below the target ${TARGET}`);
    process.exitCode = 1;
  }
}

await main();
