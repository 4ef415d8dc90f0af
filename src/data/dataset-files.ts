/**
 * Datasets (src/core/dataset.ts) from files and the bundled sets: the Node-side builders. The pure
 * ones (from tensors and arrays) are in core.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { checkDatasetBatchSize, datasetFromArrays, type ColumnKind, type Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';
import { readImage, type ImageOptions } from './image.js';
import { readInput } from './io.js';
import { loadMnist, mnistSplit, MNIST_CLASSES, MNIST_PIXELS, MNIST_SIZE } from './mnist.js';
import { encodePenguins, loadPenguins, penguinSplit, penguinStandardization, PENGUIN_CLASSES, PENGUIN_FEATURES, PENGUIN_MEASUREMENTS } from './penguins.js';

/** Options of `datasetFromFile`. */
export interface DatasetFileOptions {
  /** Tables: the column holding each row's class (its values, in order of first appearance, are the class names). */
  readonly labelColumn?: string;
}

/**
 * A Dataset from one file: a `.npy` or `.json` tensor `[N, ...]` (rows along the first axis), or a
 * `.csv` / JSON table (numeric columns are 'numeric'; text columns 'categorical', each value
 * its index in order of first appearance). Empty cells are a LumenError naming row and column.
 */
export function datasetFromFile(file: string, options: DatasetFileOptions = {}): Dataset {
  const input = readInput(file);
  if (input.kind === 'tensor') {
    check(input.shape.length >= 2, 'input', () => `${file}: expected a batch of rows [N, ...]; found shape [${input.shape}]`);
    check(options.labelColumn === undefined, 'option', () => `${file}: labelColumn names a table column; the file holds a tensor`);
    const per = input.data.length / input.shape[0];
    const rows = Array.from({ length: input.shape[0] }, (_, i) => input.data.subarray(i * per, (i + 1) * per));
    return datasetFromArrays(rows, { inputShape: input.shape.slice(1) });
  }
  check(input.kind === 'table', 'input', () => `${file}: expected a tensor or a table; found an image (use datasetFromImageFolder)`);
  const labelAt = options.labelColumn === undefined ? -1 : input.names.indexOf(options.labelColumn);
  check(options.labelColumn === undefined || labelAt >= 0, 'input', () => `${file}: expected a column '${options.labelColumn}'; found ${input.names.join(', ')}`);
  const columns = input.names.map((_, c) => c).filter((c) => c !== labelAt);
  const categories = input.names.map(() => new Map<string, number>());
  const code = (c: number, r: number): number => {
    const cell = input.rows[r][c];
    if (cell === null || cell === undefined) throw new LumenError('input', `${file}: row ${r + 1}, column '${input.names[c]}': expected a value; found an empty cell`);
    if (typeof cell === 'number') return cell;
    const seen = categories[c];
    if (!seen.has(cell)) seen.set(cell, seen.size);
    return seen.get(cell) as number;
  };
  const rows = input.rows.map((_, r) => columns.map((c) => code(c, r)));
  const labels = labelAt >= 0 ? input.rows.map((_, r) => code(labelAt, r)) : undefined;
  const kinds: ColumnKind[] = columns.map((c) => (categories[c].size > 0 ? 'categorical' : 'numeric'));
  const classNames = labelAt >= 0 && categories[labelAt].size > 0 ? [...categories[labelAt].keys()] : undefined;
  return datasetFromArrays(rows, { featureNames: columns.map((c) => input.names[c]), kinds, ...(labels ? { labels } : {}), ...(classNames ? { classNames } : {}) });
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;

/**
 * A Dataset of the images in a folder, in name order, read one batch at a time. A folder of class
 * folders (`cats/…`, `dogs/…`) labels each image by its folder, classes in name order (torchvision's
 * ImageFolder). Every image must come out the same shape: give `size` to resize them.
 */
export function datasetFromImageFolder(dir: string, options: ImageOptions = {}): Dataset {
  const entries = readdirSync(dir).sort();
  const classes = entries.filter((e) => statSync(path.join(dir, e)).isDirectory());
  const files: { file: string; label?: number }[] = classes.length > 0
    ? classes.flatMap((c, k) => readdirSync(path.join(dir, c)).sort().filter((f) => IMAGE_FILE.test(f)).map((f) => ({ file: path.join(dir, c, f), label: k })))
    : entries.filter((f) => IMAGE_FILE.test(f)).map((f) => ({ file: path.join(dir, f) }));
  check(files.length > 0, 'input', () => `${dir}: expected PNG or JPEG images (or folders of them); found none`);
  const first = readImage(files[0].file, options).shape;
  return {
    size: files.length,
    inputShape: first,
    ...(classes.length > 0 ? { classNames: classes } : {}),
    async *batches(batchSize: number) {
      checkDatasetBatchSize(batchSize);
      for (let start = 0; start < files.length; start += batchSize) {
        const chunk = files.slice(start, start + batchSize);
        const per = first[0] * first[1] * first[2];
        const data = new Float32Array(chunk.length * per);
        chunk.forEach(({ file }, i) => {
          const image = readImage(file, options);
          check(image.shape.join() === first.join(), 'input', () => `${file}: expected an image [${first}] like the first; found [${image.shape}] (give size to resize)`);
          data.set(image.data, i * per);
        });
        const index = chunk.map((_, i) => start + i);
        const y = classes.length > 0 ? { y: tf.tensor1d(chunk.map((f) => f.label ?? 0), 'int32') } : {};
        yield { x: tf.tensor(data, [chunk.length, ...first]), ...y, index };
      }
    },
  };
}

/**
 * The bundled held-out sets as Datasets: `'mnist'` (2,000 digits `[28, 28, 1]`) or `'penguins'`
 * (67 rows of the bundled model's 9 features, standardised with the training split's statistics);
 * `count` keeps the first rows. Labels and class names included.
 */
export function bundledDataset(name: 'mnist' | 'penguins', count?: number): Dataset {
  if (name === 'mnist') {
    const data = loadMnist();
    const held = Array.from(mnistSplit(data).heldOut.slice(0, count));
    const rows = held.map((k) => data.images.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS));
    return datasetFromArrays(rows, { inputShape: [MNIST_SIZE, MNIST_SIZE, 1], labels: held.map((k) => data.labels[k]), classNames: MNIST_CLASSES });
  }
  const data = loadPenguins();
  const split = penguinSplit(data);
  const held = Array.from(split.heldOut.slice(0, count));
  const encoded = encodePenguins(held.map((k) => data.rows[k]), penguinStandardization(data, split.train));
  const per = PENGUIN_FEATURES.length;
  const rows = held.map((_, i) => encoded.subarray(i * per, (i + 1) * per));
  const kinds = PENGUIN_FEATURES.map((_, c): ColumnKind => (c < PENGUIN_MEASUREMENTS.length ? 'numeric' : 'categorical'));
  return datasetFromArrays(rows, { labels: held.map((k) => data.labels[k]), classNames: PENGUIN_CLASSES, featureNames: PENGUIN_FEATURES, kinds });
}
