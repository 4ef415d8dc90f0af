import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';

const POOLING = /pool/i;

/**
 * The layer a hidden-semantics method uses when none is given: the last layer with spatial maps
 * `[H, W, C]` that is not a pooling layer (the deepest convolutional features: `relu2` of the
 * bundled MNIST CNN, `relu3` of the concept-shapes CNN).
 */
export function defaultSpatialLayer(model: Model, fn: string): string {
  const spatial = model.layers.filter((l) => l.outputShape.length === 3 && !POOLING.test(l.kind));
  check(spatial.length > 0, 'layer', () => `${fn}: expected a layer with maps [H, W, C]; the model has ${model.layers.map((l) => `${l.name} [${l.outputShape}]`).join(', ') || 'no layers'}`);
  return spatial[spatial.length - 1].name;
}
