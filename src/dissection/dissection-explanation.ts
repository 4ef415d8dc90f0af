import type { ConceptsExplanation } from '../core/explanation.js';
import type { NetworkDissection } from './network-dissection.js';

/** The paper's detector threshold: a unit whose best IoU exceeds it is a detector of that concept (Bau et al. 2017). */
export const DETECTOR_IOU = 0.04;

/**
 * A network dissection (Bau et al. 2017) as a `'concepts'` explanation: one score per unit, its
 * best concept and that IoU, with the layer written `layer:unit` (as feature-visualisation labels
 * are); `meta` keeps the thresholds, the full unit × concept IoU matrix and the detector count.
 */
export function dissectionExplanation(d: NetworkDissection): ConceptsExplanation {
  const detectors = d.units.filter((u) => u.iou > DETECTOR_IOU).length;
  return {
    kind: 'concepts',
    method: 'network-dissection',
    scores: d.units.map((u) => ({ concept: u.concept, score: u.iou, layer: `${d.layer}:${u.unit}` })),
    meta: { layer: d.layer, concepts: [...d.concepts], thresholds: [...d.thresholds], iou: d.iou.map((r) => [...r]), detectorThreshold: DETECTOR_IOU, detectors },
  };
}
