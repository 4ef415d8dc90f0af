import { existsSync, statSync } from 'node:fs';
import type { Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';
import { bundledDataset, datasetFromFile, datasetFromImageFolder } from '../data/dataset-files.js';

/** What `--data` may name, for messages. */
export const DATASET_SPECS = 'bundled:mnist[:N], bundled:penguins[:N], a folder of images (or of class folders), a .csv/.json table or a .npy/.json tensor [N, ...]';

/**
 * The Dataset `--data` names: a bundled held-out set (its first N rows), a folder of PNG/JPEG
 * images (resized to the model's `[H, W]`, grey when it takes one channel), or a table/tensor file.
 */
export function loadDatasetSpec(spec: string, modelInputShape: readonly number[], options: { readonly labelColumn?: string } = {}): Dataset {
  const m = /^bundled:(mnist|penguins)(?::(\d+))?$/.exec(spec);
  if (m) {
    const n = m[2] === undefined ? undefined : Number(m[2]);
    check(n === undefined || n >= 1, 'option', () => `--data ${spec}: N must be at least 1; found ${n}`);
    return bundledDataset(m[1] as 'mnist' | 'penguins', n);
  }
  if (spec.startsWith('bundled:')) throw new LumenError('option', `--data ${spec}: expected ${DATASET_SPECS}`);
  if (!existsSync(spec)) throw new LumenError('file', `--data ${spec}: no such file or folder; expected ${DATASET_SPECS}`);
  if (statSync(spec).isDirectory()) {
    const [h, w, c] = modelInputShape;
    check(modelInputShape.length === 3, 'input', () => `--data ${spec}: a folder of images needs an image model [H, W, C]; the model takes [${modelInputShape}]`);
    return datasetFromImageFolder(spec, { size: [h, w], grayscale: c === 1 });
  }
  return datasetFromFile(spec, options);
}
