/**
 * One small explanation of each global kind (src/core/explanation.ts), written by hand with known
 * values, for the dashboard's view tests: each view must show these labels and numbers.
 */
import type {
  AttackExplanation, AttributionExplanation, ConceptsExplanation, CurveExplanation, ExamplesExplanation, FairnessExplanation,
  ImagesExplanation, RulesExplanation, SimilarityExplanation, TreeExplanation,
} from '../../src/core/explanation.js';

export const RULES: RulesExplanation = {
  kind: 'rules', method: 'pedagogical-rules', fidelity: 0.9375,
  rules: [
    { conditions: [{ feature: 'Flipper Length (mm)', op: '>', value: 206.5 }], outcome: 'Gentoo', coverage: 0.36, precision: 0.98, support: 96 },
    { conditions: [{ feature: 'Beak Length (mm)', op: '<=', value: 43.25 }], outcome: 'Adelie', coverage: 0.44, precision: 0.95 },
    { conditions: [], outcome: 'Chinstrap', coverage: 0.2, precision: 0.81 },
  ],
};

export const TREE: TreeExplanation = {
  kind: 'tree', method: 'surrogate-tree', fidelity: 0.97,
  root: {
    feature: 'Flipper Length (mm)', threshold: 206.5, value: [0.44, 0.2, 0.36], samples: 266,
    left: { feature: 'Beak Length (mm)', threshold: 43.25, value: [0.69, 0.31, 0], samples: 170, left: { value: [0.96, 0.04, 0], samples: 118 }, right: { value: [0.06, 0.94, 0], samples: 52 } },
    right: { value: [0.01, 0.01, 0.98], samples: 96 },
  },
};

export const CURVE: CurveExplanation = {
  kind: 'curve', method: 'partial-dependence', xLabel: 'Flipper Length (mm)', yLabel: 'P(Gentoo)',
  curves: [
    { label: 'PD Gentoo', x: [-2, -1, 0, 1, 2], y: [0.02, 0.05, 0.3, 0.8, 0.95], feature: 'Flipper Length (mm)' },
    { label: 'ICE 0', x: [-2, -1, 0, 1, 2], y: [0.01, 0.02, 0.2, 0.7, 0.9], example: 0 },
    { label: 'ICE 1', x: [-2, -1, 0, 1, 2], y: [0.03, 0.08, 0.4, 0.9, 0.99], example: 1 },
  ],
};

export const EXAMPLES: ExamplesExplanation = {
  kind: 'examples', method: 'tracin',
  examples: [
    { index: 412, score: 3.25, query: 0, role: 'proponent' },
    { index: 97, score: 2.5, query: 0, role: 'proponent' },
    { index: 1503, score: -1.75, query: 0, role: 'opponent' },
  ],
};

export const CONCEPTS: ConceptsExplanation = {
  kind: 'concepts', method: 'tcav',
  scores: [
    { concept: 'dots', score: 0.91, class: 'dotted', layer: 'conv3', pValue: 0.001 },
    { concept: 'stripes', score: 0.48, class: 'dotted', layer: 'conv3', pValue: 0.62 },
  ],
};

/** Two 4×4 grey images: a left-to-right ramp and a checkerboard. */
export const IMAGES: ImagesExplanation = {
  kind: 'images', method: 'feature-visualization',
  images: [
    { label: 'conv1 channel 0', shape: [4, 4, 1], data: Array.from({ length: 16 }, (_, i) => (i % 4) / 3) },
    { label: 'conv1 channel 1', shape: [4, 4, 1], data: Array.from({ length: 16 }, (_, i) => ((i % 4) + Math.floor(i / 4)) % 2) },
  ],
};

export const SIMILARITY: SimilarityExplanation = {
  kind: 'similarity', method: 'linear-cka', rows: ['conv1', 'conv2', 'dense1'], columns: ['conv1', 'conv2', 'dense1'],
  values: [[1, 0.71, 0.32], [0.71, 1, 0.55], [0.32, 0.55, 1]],
};

/** Two 2×2×1 inputs: the first attack flips its prediction (3 → 8), the second does not. */
export const ATTACK: AttackExplanation = {
  kind: 'attack', method: 'pgd', shape: [2, 2, 1], inputs: [0, 0.5, 1, 0.25, 0.1, 0.2, 0.3, 0.4],
  originalPredictions: [3, 7], predictions: [8, 7], norms: [0.03125, 0.0275],
};

export const FAIRNESS: FairnessExplanation = {
  kind: 'fairness', method: 'group-fairness', metrics: ['selection rate', 'true positive rate'], groups: ['FEMALE', 'MALE'],
  values: [[0.42, 0.58], [0.88, 0.91]], lower: [[0.35, 0.5], [0.8, 0.85]], upper: [[0.49, 0.66], [0.95, 0.97]],
  disparities: [{ metric: 'selection rate', value: 0.16, kind: 'difference', lower: 0.05, upper: 0.27 }], convention: 'fairlearn',
};

/** A tabular attribution of two penguins (9 features, SHAP-like with a base value). */
export const TABULAR: AttributionExplanation = {
  kind: 'attribution', method: 'kernel-shap', shape: [2, 3], target: [2, 0], featureNames: ['Beak Length (mm)', 'Flipper Length (mm)', 'Island=Biscoe'],
  values: [0.5, 2.25, -0.75, -1.5, -0.25, 0.125], meta: { baseValue: [1, 0.5] },
};

/** `lumen explain --json` output for a 2-token text (its own format: values under `data`, `tokens`). */
export const TEXT_CLI = {
  method: 'integrated-gradients', model: 'bundled:spam', input: 'mail.txt', target: [1], targetNames: ['spam'], shape: [1, 3],
  tokens: [['free', 'money', 'now']], data: [0.8, 1.6, -0.4], meta: { delta: [0.001] },
};

/** `lumen evaluate --json` output (src/metrics/evaluate-methods.ts Evaluation) for two methods and two metrics. */
export const EVALUATION = {
  model: 'bundled:mnist', examples: 8, methods: ['saliency', 'integrated-gradients'],
  metrics: [
    { id: 'deletion', title: 'Deletion AUC', category: 'faithfulness', direction: 'lower', results: [
      { method: 'saliency', aggregate: 0.31, scores: [], rank: 2, modelCalls: 10, seconds: 0.5 },
      { method: 'integrated-gradients', aggregate: 0.12, scores: [], rank: 1, modelCalls: 10, seconds: 0.9 },
    ] },
    { id: 'sparseness', title: 'Sparseness', category: 'complexity', direction: 'higher', results: [
      { method: 'saliency', aggregate: 0.58, scores: [], rank: 1, modelCalls: 0, seconds: 0.1 },
      { method: 'integrated-gradients', aggregate: 0.44, scores: [], rank: 2, modelCalls: 0, seconds: 0.1 },
    ] },
  ],
  verdicts: { saliency: 'sparse but unfaithful', 'integrated-gradients': 'the most faithful' },
};
