import { datasetFromArrays, type ColumnKind, type Dataset } from '../core/dataset.js';
import { LumenError } from '../core/errors.js';
import { bundledDataset, datasetFromFile } from '../data/dataset-files.js';
import { PENGUIN_MEASUREMENTS } from '../data/penguins.js';
import type { FeatureScale } from '../render/rules-text.js';
import { loadModelInput } from './load-input.js';
import type { LoadedModel } from './load-model.js';

/**
 * The Dataset a global command explains (`--data`): a bundled model's own held-out rows when no
 * file is given; for a bundled model, a file read as `lumen predict` reads it (a penguin CSV is
 * encoded and standardised); otherwise `datasetFromFile` (a .csv / JSON table, .npy or .json tensor).
 */
export async function loadDataset(loaded: LoadedModel, file: string | undefined, command: string): Promise<Dataset> {
  if (file === undefined) {
    if (loaded.bundled === 'penguins' || loaded.bundled === 'mnist') return bundledDataset(loaded.bundled);
    throw new LumenError('option', `lumen ${command}: --data is required for ${loaded.spec} (only bundled models bring their own data)`);
  }
  if (!loaded.bundled) return datasetFromFile(file);
  const { batch } = loadModelInput(loaded, file);
  try {
    const per = batch.size / batch.shape[0];
    const flat = await batch.data();
    const rows = Array.from({ length: batch.shape[0] }, (_, i) => flat.subarray(i * per, (i + 1) * per));
    const names = loaded.featureNames;
    const kinds = names?.map((_, c): ColumnKind => (c < PENGUIN_MEASUREMENTS.length ? 'numeric' : 'categorical'));
    return datasetFromArrays(rows, { inputShape: batch.shape.slice(1), ...(names && loaded.bundled === 'penguins' ? { featureNames: names, kinds } : {}), ...(loaded.classNames ? { classNames: loaded.classNames } : {}) });
  } finally {
    batch.dispose();
  }
}

/** The scales that show a bundled model's standardised columns in their own units (penguins: mean + std × value). */
export function featureScales(loaded: LoadedModel): Record<string, FeatureScale> {
  const s = loaded.standardization;
  if (!s) return {};
  return Object.fromEntries(s.features.map((f, i) => [f, { scale: s.std[i], offset: s.mean[i] }]));
}
