/**
 * The bundled MNIST decoder (`models/mnist-decoder/`, trained by scripts/train-mnist-decoder.ts):
 * a VAE's decoder from codes `[8]` ~ N(0, I) to digits `[28, 28, 1]` in [0, 1], the generator of
 * code-space feature visualisation (src/featureviz/generator-param.ts) on `bundled:mnist`. Node only.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { packageRoot } from './bundled.js';
import { fromLayersModel } from './from-layers-model.js';
import { loadLayersModel } from './model-io.js';

/** `meta.json` of the bundled decoder. */
export interface MnistDecoderMeta {
  readonly name: 'mnist-decoder';
  readonly description: string;
  readonly codeSize: number;
  readonly outputShape: readonly number[];
}

/** Loads the bundled MNIST decoder as a differentiable Model (the caller disposes it) with its metadata. */
export async function loadMnistDecoder(): Promise<{ decoder: Model; meta: MnistDecoderMeta }> {
  const dir = path.join(packageRoot(), 'models', 'mnist-decoder');
  let meta: MnistDecoderMeta;
  try {
    meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as MnistDecoderMeta;
  } catch (e) {
    throw new LumenError('file', `loadMnistDecoder: expected ${dir}/meta.json (npm run train-mnist-decoder writes it); found ${(e as Error).message}`);
  }
  return { decoder: fromLayersModel(await loadLayersModel(dir), { owned: true }), meta };
}
