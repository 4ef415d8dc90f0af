/**
 * The models `lumen serve` offers: the bundled ones and the `--model` given on the command line,
 * each loaded once on first use. A request can name only these (never a path of its choosing), so
 * the page cannot make the server read files it was not given.
 */
import type { Dataset } from '../core/dataset.js';
import { LumenError } from '../core/errors.js';
import { BUNDLED_MODELS } from '../models/bundled.js';
import { loadDataset } from '../cli/load-dataset.js';
import { loadModelSpec, type LoadedModel } from '../cli/load-model.js';

/** One model of the catalogue as GET /api/models lists it. */
export interface CatalogueEntry {
  readonly id: string;
  readonly source: 'bundled' | 'command line';
}

/** The models a server offers, loaded lazily and kept; `dispose` releases them all. */
export interface ModelCatalogue {
  readonly entries: readonly CatalogueEntry[];
  /** The `--data` file, when one was given (otherwise the bundled models' own held-out rows). */
  readonly data?: string;
  /** The loaded model `id` names (a LumenError('model') for an id not in `entries`). */
  get(id: string): Promise<LoadedModel>;
  /** The rows `--data` names, read for model `id` (or the bundled model's own held-out rows). */
  dataset(id: string): Promise<Dataset>;
  dispose(): void;
}

/** A catalogue of the bundled models plus `extra` (a `--model` spec), reading `--data` from `dataFile` when given. */
export function modelCatalogue(extra?: string, dataFile?: string): ModelCatalogue {
  const entries: CatalogueEntry[] = BUNDLED_MODELS.map((name) => ({ id: `bundled:${name}`, source: 'bundled' as const }));
  if (extra !== undefined && !entries.some((e) => e.id === extra)) entries.push({ id: extra, source: 'command line' });
  const loaded = new Map<string, Promise<LoadedModel>>();
  const datasets = new Map<string, Promise<Dataset>>();
  const get = (id: string): Promise<LoadedModel> => {
    if (typeof id !== 'string' || !entries.some((e) => e.id === id)) {
      return Promise.reject(new LumenError('model', `model ${JSON.stringify(id)}: not offered by this server; expected one of ${entries.map((e) => e.id).join(', ')} (GET /api/models)`));
    }
    let p = loaded.get(id);
    if (!p) {
      p = loadModelSpec(id);
      p.catch(() => loaded.delete(id));
      loaded.set(id, p);
    }
    return p;
  };
  return {
    entries,
    ...(dataFile !== undefined ? { data: dataFile } : {}),
    get,
    dataset(id: string): Promise<Dataset> {
      let p = datasets.get(id);
      if (!p) {
        p = get(id).then((m) => loadDataset(m, dataFile, 'serve'));
        p.catch(() => datasets.delete(id));
        datasets.set(id, p);
      }
      return p;
    },
    dispose(): void {
      for (const p of loaded.values()) p.then((m) => m.dispose(), () => undefined);
      loaded.clear();
      datasets.clear();
    },
  };
}
