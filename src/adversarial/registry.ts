/**
 * Registry entries of the adversarial family (read by src/methods.ts): scope 'global', since an
 * attack is run over a Dataset (batch by batch) and returns one Explanation of kind 'attack'.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import type { AttackExplanation } from '../core/explanation.js';
import type { GlobalMethodInfo, MethodOptions, OptionSpec } from '../core/method-info.js';
import type { Model } from '../core/model.js';
import { attackExplanation, type AttackResult } from './attack-result.js';
import { carliniWagnerL2, type CarliniWagnerL2Options } from './carlini-wagner-l2.js';
import { fgsm, type FgsmOptions } from './fgsm.js';
import { pgd, type PgdOptions } from './pgd.js';

const shared: readonly OptionSpec[] = [
  { name: 'lower', type: 'number', default: 0, doc: 'lower end of the data range (bounds[0])' },
  { name: 'upper', type: 'number', default: 1, doc: 'upper end of the data range (bounds[1])' },
  { name: 'targeted', type: 'boolean', default: false, doc: 'push towards target instead of away from the label' },
];

type Attack = (model: Model, x: tf.Tensor, options: MethodOptions & { bounds: readonly [number, number]; target: 'predicted' | number | number[] }) => Promise<AttackResult>;

/**
 * Runs `attack` over every batch of `data`: untargeted attacks move away from the dataset's labels
 * (`y`) when it has them, else from the model's predictions; a given `target` wins. One record.
 */
async function overDataset(id: string, attack: Attack, model: Model, data: Dataset, options: MethodOptions = {}): Promise<AttackExplanation> {
  const bounds: readonly [number, number] = Array.isArray(options.bounds)
    ? [Number(options.bounds[0]), Number(options.bounds[1])]
    : [typeof options.lower === 'number' ? options.lower : 0, typeof options.upper === 'number' ? options.upper : 1];
  const parts: AttackExplanation[] = [];
  for await (const batch of data.batches(options.batchSize ?? 32)) {
    try {
      const labels = batch.y && batch.y.rank === 1 ? Array.from(await batch.y.data(), Math.round) : undefined;
      const target = (options.target as number | number[] | undefined) ?? labels ?? 'predicted';
      const result = await attack(model, batch.x, { ...options, bounds, target });
      try {
        parts.push(await attackExplanation(result));
      } finally {
        result.dispose();
      }
    } finally {
      tf.dispose([batch.x, ...(batch.y ? [batch.y] : [])]);
    }
  }
  const metaList = (key: string): unknown[] => parts.flatMap((p) => (p.meta?.[key] as unknown[] | undefined) ?? []);
  return {
    kind: 'attack',
    method: id,
    shape: parts[0]?.shape ?? [...data.inputShape],
    inputs: parts.flatMap((p) => p.inputs),
    originalPredictions: parts.flatMap((p) => p.originalPredictions),
    predictions: parts.flatMap((p) => p.predictions),
    norms: parts.flatMap((p) => p.norms ?? []),
    meta: { ...(parts[0]?.meta ?? {}), success: metaList('success') as boolean[], linf: metaList('linf') as number[], l2: metaList('l2') as number[], classes: metaList('classes') as number[] },
  };
}

function attackEntry(entry: Pick<GlobalMethodInfo, 'id' | 'title' | 'paper' | 'summary' | 'options'>, attack: Attack): GlobalMethodInfo {
  return {
    family: 'adversarial', scope: 'global', needsGradients: true, layer: 'none', completeness: false, inputKinds: ['image', 'tabular'], ...entry,
    options: [...entry.options, ...shared],
    run: (model, data, options) => overDataset(entry.id, attack, model, data, options),
  };
}

/** The adversarial family's methods, in the order the README lists them. */
export const ADVERSARIAL_METHODS: readonly GlobalMethodInfo[] = [
  attackEntry({
    id: 'fgsm',
    title: 'FGSM',
    paper: 'Goodfellow et al., Explaining and Harnessing Adversarial Examples, 2015',
    summary: 'one signed-gradient step of size ε on the cross-entropy, clamped to the data range (captum.robust.FGSM)',
    options: [{ name: 'epsilon', type: 'number', default: 0.03125, doc: 'step size ε' }],
  }, (m, x, o) => fgsm(m, x, o as FgsmOptions)),
  attackEntry({
    id: 'pgd',
    title: 'PGD',
    paper: 'Madry et al., Towards Deep Learning Models Resistant to Adversarial Attacks, 2018',
    summary: 'signed-gradient steps projected onto an L∞ or L2 ball, then clamped (captum.robust.PGD)',
    options: [
      { name: 'norm', type: 'enum', values: ['linf', 'l2'], default: 'linf', doc: 'the ball' },
      { name: 'radius', type: 'number', default: 0.03125, doc: 'radius of the ball' },
      { name: 'stepSize', type: 'number', default: 0.0078125, doc: 'sign step per iteration (default radius / 4)' },
      { name: 'steps', type: 'integer', default: 10, doc: 'iterations' },
      { name: 'randomStart', type: 'boolean', default: false, doc: 'start at a seeded random point of the ball' },
    ],
  }, (m, x, o) => pgd(m, x, o as PgdOptions)),
  attackEntry({
    id: 'carlini-wagner-l2',
    title: 'Carlini–Wagner L2',
    paper: 'Carlini & Wagner, Towards Evaluating the Robustness of Neural Networks, 2017',
    summary: 'Adam in tanh space on ‖δ‖² + c·max(Z_t − max_{i≠t} Z_i, −κ), binary search over c',
    options: [
      { name: 'c', type: 'number', default: 1, doc: 'initial weight of the margin term' },
      { name: 'kappa', type: 'number', default: 0, doc: 'confidence κ' },
      { name: 'steps', type: 'integer', default: 100, doc: 'Adam steps per c' },
      { name: 'learningRate', type: 'number', default: 0.01, doc: "Adam's learning rate" },
      { name: 'binarySearchSteps', type: 'integer', default: 1, doc: 'values of c tried' },
      { name: 'abortEarly', type: 'boolean', default: true, doc: 'stop when the cost rises between checks' },
    ],
  }, (m, x, o) => carliniWagnerL2(m, x, o as CarliniWagnerL2Options)),
];
