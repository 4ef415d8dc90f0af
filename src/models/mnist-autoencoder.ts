/**
 * The bundled MNIST autoencoder (`models/mnist-autoencoder/`, trained by
 * scripts/train-mnist-autoencoder.ts): a small convolutional autoencoder of digits `[28, 28, 1]` in
 * [0, 1], the autoencoder term of the Contrastive Explanations Method (Dhurandhar et al. 2018;
 * src/counterfactual/contrastive-explanations.ts) on `bundled:mnist`. Node only.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { packageRoot } from './bundled.js';
import { fromLayersModel } from './from-layers-model.js';
import { loadLayersModel } from './model-io.js';

/** `meta.json` of the bundled autoencoder. */
export interface MnistAutoencoderMeta {
  readonly name: 'mnist-autoencoder';
  readonly description: string;
  readonly inputShape: readonly number[];
  readonly codeShape: readonly number[];
  readonly training: { readonly seed: number; readonly heldOutMse: number; readonly [key: string]: unknown };
}

/** Loads the bundled MNIST autoencoder as a differentiable Model (the caller disposes it) with its metadata. */
export async function loadMnistAutoencoder(): Promise<{ autoencoder: Model; meta: MnistAutoencoderMeta }> {
  const dir = path.join(packageRoot(), 'models', 'mnist-autoencoder');
  let meta: MnistAutoencoderMeta;
  try {
    meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as MnistAutoencoderMeta;
  } catch (e) {
    throw new LumenError('file', `loadMnistAutoencoder: expected ${dir}/meta.json (npm run train-mnist-autoencoder writes it); found ${(e as Error).message}`);
  }
  return { autoencoder: fromLayersModel(await loadLayersModel(dir), { owned: true }), meta };
}
