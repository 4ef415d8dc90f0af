/**
 * The demo's concepts case: the bundled concept-shapes CNN (bundled:concepts; its label is 'striped'
 * exactly when an object is striped, dots an equally frequent distractor) with seeded concept sets
 * drawn by the same generator, so TCAV (Kim et al. 2018) runs with real random sets and the
 * report shows its bars and a linear-CKA matrix (Kornblith et al. 2019) of the model's layers.
 */
import type { Dataset } from '../core/dataset.js';
import { datasetFromTensors } from '../core/dataset.js';
import { conceptShapes, conceptShapesTensor } from '../data/concept-shapes.js';
import { conceptDataset, datasetPool, type DatasetPool } from './concept-sets.js';
import type { GlobalDemoCase } from './demo-global.js';
import { loadModelSpec, type LoadedModel } from './load-model.js';

/** The global methods the demo runs on the concepts case (the others run on the MNIST CNN). */
export const CONCEPTS_DEMO_METHODS: readonly string[] = ['tcav', 'linear-cka'];

/** The concepts TCAV tests in the demo: the deciding concept, the distractor and two unrelated ones, and a random set as a control. */
export const CONCEPTS_DEMO_SETS: readonly string[] = ['stripes', 'dots', 'circle', 'red', 'random'];

/** Images per concept set (the random pool and the class data get 4×, as `lumen tcav` does). */
const COUNT = 50;

/** The concepts case and what frees it. */
export interface ConceptsDemo {
  readonly case: GlobalDemoCase;
  readonly title: string;
  readonly text: string;
  dispose(): void;
}

/**
 * Loads bundled:concepts and draws its datasets (seeds fixed: concept set k from seed 101 + k, the
 * random pool from 1, the class data from 2, as `lumen tcav --seed 0` draws them). TCAV runs at
 * relu2 for class 1 ('striped').
 */
export async function conceptsDemo(): Promise<ConceptsDemo> {
  const loaded: LoadedModel = await loadModelSpec('bundled:concepts');
  const pool: DatasetPool = datasetPool();
  try {
    const shape = loaded.model.inputShape;
    const sets = CONCEPTS_DEMO_SETS.map((name, k) => {
      const d = conceptDataset(`shapes:${name}`, shape, COUNT, 101 + k, pool, 'demo');
      return { name: name === 'random' ? 'random images' : name, data: d.data };
    });
    const random = conceptDataset('shapes:random', shape, 4 * COUNT, 1, pool, 'demo').data;
    const data: Dataset = conceptDataset('shapes:random', shape, 4 * COUNT, 2, pool, 'demo').data;
    const shown = conceptShapes(4, { seed: 3 });
    const examplesX = conceptShapesTensor(shown);
    pool.tensors.push(examplesX);
    const query = examplesX.slice(0, 1);
    pool.tensors.push(query);
    return {
      case: {
        name: 'concepts',
        kind: 'image',
        model: loaded.model,
        layer: 'relu2',
        lastLayer: 'logits',
        data,
        examples: datasetFromTensors(examplesX),
        query,
        concepts: { sets, random, class: 1 },
      },
      title: 'Concept shapes (bundled CNN with planted concepts)',
      text: `bundled:concepts labels an image 'striped' exactly when one of its two objects is striped; dots are as frequent and do not decide the label. TCAV asks, at relu2, how often the 'striped' logit rises along each concept's activation vector (${COUNT} images per concept, 10 runs against random sets of the same generator, a t-test against random-vs-random runs, Holm-corrected). Stripes should be significant and high; circle, red and a set of random images not significant. Dots come out significant and LOW here: a CAV learnt from 'containing dots' vs random images on the flattened relu2 map is a poor estimate of how dots move the activations (src/concepts/README.md), while the model, intervened on, raises the 'striped' logit a little when dots are added. Linear CKA compares every pair of the model's layers on ${data.size} images.`,
      dispose: () => {
        pool.dispose();
        loaded.dispose();
      },
    };
  } catch (e) {
    pool.dispose();
    loaded.dispose();
    throw e;
  }
}
