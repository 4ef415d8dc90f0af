import { datasetFromArrays, type ColumnKind, type Dataset } from '../../src/core/dataset.js';
import type { Model } from '../../src/core/model.js';
import { encodePenguins, loadPenguins, penguinSplit, penguinStandardization, PENGUIN_CLASSES, PENGUIN_FEATURES, PENGUIN_MEASUREMENTS } from '../../src/data/penguins.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';

/** The bundled penguins model, its training rows as a Dataset (what Anchors samples from) and the held-out rows. */
export async function penguinFixture(): Promise<{ model: Model; train: Dataset; trainRows: Float32Array; heldOut: Float32Array; heldOutCount: number; dispose: () => void }> {
  const { model: layers } = await loadBundledModel('penguins');
  const data = loadPenguins();
  const split = penguinSplit(data);
  const stats = penguinStandardization(data, split.train);
  const d = PENGUIN_FEATURES.length;
  const trainRows = encodePenguins(Array.from(split.train, (k) => data.rows[k]), stats);
  const heldOut = encodePenguins(Array.from(split.heldOut, (k) => data.rows[k]), stats);
  const kinds = PENGUIN_FEATURES.map((_, c): ColumnKind => (c < PENGUIN_MEASUREMENTS.length ? 'numeric' : 'categorical'));
  const rows = Array.from({ length: trainRows.length / d }, (_, i) => trainRows.subarray(i * d, (i + 1) * d));
  const train = datasetFromArrays(rows, { featureNames: PENGUIN_FEATURES, classNames: PENGUIN_CLASSES, kinds });
  return { model: fromLayersModel(layers), train, trainRows, heldOut, heldOutCount: heldOut.length / d, dispose: () => layers.dispose() };
}
