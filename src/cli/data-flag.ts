import type { Dataset } from '../core/dataset.js';
import { LumenError } from '../core/errors.js';
import { bundledDataset, datasetFromFile } from '../data/dataset-files.js';
import type { LoadedModel } from './load-model.js';

/**
 * `--data` of the local-rules and counterfactual commands: `bundled:penguins` / `bundled:mnist`
 * (the held-out rows), a `.csv`/`.json`/`.npy` file, or — when absent — a bundled model's own data.
 */
export function dataFlag(spec: string | undefined, loaded: LoadedModel, command: string): Dataset {
  const name = spec ?? (loaded.bundled ? `bundled:${loaded.bundled}` : undefined);
  if (name === undefined) throw new LumenError('option', `lumen ${command}: --data is required for ${loaded.spec} (only bundled models bring their own data); expected bundled:penguins, bundled:mnist or a .csv/.json/.npy file`);
  if (name === 'bundled:penguins' || name === 'bundled:mnist') return bundledDataset(name.slice('bundled:'.length) as 'penguins' | 'mnist');
  if (name.startsWith('bundled:')) throw new LumenError('option', `--data ${name}: expected bundled:penguins or bundled:mnist`);
  return datasetFromFile(name);
}
