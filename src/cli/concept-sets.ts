import { existsSync, statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { datasetFromTensors } from '../core/dataset.js';
import { LumenError } from '../core/errors.js';
import { conceptShapes, conceptShapesTensor, SHAPES_CONCEPTS, type ShapesConcept } from '../data/concept-shapes.js';
import { datasetFromImageFolder } from '../data/dataset-files.js';

/** Tensors made for a command's datasets, freed together. */
export interface DatasetPool {
  readonly tensors: tf.Tensor[];
  dispose(): void;
}

/** An empty pool. */
export function datasetPool(): DatasetPool {
  const tensors: tf.Tensor[] = [];
  return { tensors, dispose: () => tf.dispose(tensors) };
}

/**
 * A dataset named on the command line: `shapes:CONCEPT` (concept-shapes images that all contain
 * CONCEPT, one of stripes, dots, circle, square, red, green, blue), `shapes:random` (concept-shapes
 * images as drawn, with labels) or a folder of images (resized to the model's input size).
 */
export function conceptDataset(spec: string, inputShape: readonly number[], count: number, seed: number, pool: DatasetPool, flag: string): { name: string; data: Dataset } {
  if (spec.startsWith('shapes:')) {
    const name = spec.slice('shapes:'.length);
    if (inputShape.join('x') !== '32x32x3') throw new LumenError('shape', `${flag} ${spec}: concept-shapes images are [32, 32, 3]; the model takes [${inputShape}]`);
    if (name !== 'random' && !(SHAPES_CONCEPTS as readonly string[]).includes(name)) throw new LumenError('option', `${flag}: expected shapes:random or shapes: one of ${SHAPES_CONCEPTS.join(', ')}; found '${spec}'`);
    const d = conceptShapes(count, { seed, ...(name === 'random' ? {} : { containing: name as ShapesConcept }) });
    const x = conceptShapesTensor(d);
    const y = tf.tensor1d(d.labels, 'int32');
    pool.tensors.push(x, y);
    return { name, data: datasetFromTensors(x, y, { classNames: ['unstriped', 'striped'] }) };
  }
  if (!existsSync(spec) || !statSync(spec).isDirectory()) throw new LumenError('input', `${flag} ${spec}: expected a folder of images or shapes:CONCEPT; found ${existsSync(spec) ? 'a file' : 'no such folder'}`);
  if (inputShape.length !== 3) throw new LumenError('shape', `${flag} ${spec}: a folder of images needs a model of images [H, W, C]; it takes [${inputShape}]`);
  const data = datasetFromImageFolder(spec, { size: [inputShape[0], inputShape[1]], grayscale: inputShape[2] === 1 });
  return { name: spec.replace(/\/+$/, '').split('/').pop() ?? spec, data };
}
