/**
 * Registry entries of the Anchors methods (read by src/methods.ts): scope 'global', since an
 * anchor is explained against a Dataset (the rows perturbations are drawn from, or the images and
 * sequences to explain) and the result is one `'rules'` Explanation, one rule per explained row.
 */
import { check } from '../core/errors.js';
import type { GlobalMethodInfo, MethodOptions, OptionSpec } from '../core/method-info.js';
import { anchorImage, type AnchorImageOptions } from './anchor-image.js';
import { anchorTabular, type AnchorTabularOptions } from './anchor-tabular.js';
import { anchorText, type AnchorTextOptions } from './anchor-text.js';
import { datasetRows } from './dataset-rows.js';

const search: readonly OptionSpec[] = [
  { name: 'rows', type: 'string', default: '0', doc: 'dataset rows to explain (indices, comma-separated)' },
  { name: 'threshold', type: 'number', default: 0.95, doc: 'precision an anchor must reach' },
  { name: 'delta', type: 'number', default: 0.1, doc: "confidence δ of the bandit's bounds" },
  { name: 'tau', type: 'number', default: 0.15, doc: "tolerance τ (KL-LUCB's ε)" },
  { name: 'epsilonStop', type: 'number', default: 0.05, doc: "margin of each kept candidate's verification (alibi anchor_beam's epsilon_stop)" },
  { name: 'samplesPerPull', type: 'integer', default: 100, doc: 'samples per pull of an arm (alibi batch_size)' },
  { name: 'coverageSamples', type: 'integer', default: 10000, doc: 'samples coverage is measured on' },
  { name: 'beamSize', type: 'integer', default: 1, doc: 'candidates kept per anchor size' },
  { name: 'maxAnchorSize', type: 'integer', doc: 'most features in an anchor (default all)' },
  { name: 'stopOnFirst', type: 'boolean', default: false, doc: 'stop at the first anchor meeting the threshold' },
];

/** The `rows` option as indices: a number, a list, or comma-separated text (default row 0). */
export function anchorRows(options: MethodOptions, fn: string): number[] {
  const r = options.rows ?? 0;
  const list = typeof r === 'string' ? r.split(',').map((s) => Number(s.trim())) : Array.isArray(r) ? r.map(Number) : [Number(r)];
  check(list.every((v) => Number.isInteger(v) && v >= 0), 'option', () => `${fn}: rows must be row indices ≥ 0 (e.g. '0,3'); found ${JSON.stringify(r)}`);
  return list;
}

/** The `background` option of image anchors from the registry or the CLI: 'segment-mean' or a number (text accepted). */
export function anchorBackground(value: unknown): 'segment-mean' | number | undefined {
  if (value === undefined || value === 'segment-mean') return value;
  const v = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  check(Number.isFinite(v), 'option', () => `anchorImage: background must be 'segment-mean' or a number; found ${JSON.stringify(value)}`);
  return v;
}

const base = { family: 'rules', scope: 'global', needsGradients: false, layer: 'none', completeness: false, paper: 'Ribeiro et al., Anchors: High-Precision Model-Agnostic Explanations, 2018' } as const;

/** Anchors for tabular rows, images and token sequences. */
export const ANCHOR_METHODS: readonly GlobalMethodInfo[] = [
  {
    ...base,
    id: 'anchors-tabular',
    title: 'Anchors (tabular)',
    inputKinds: ['tabular'],
    summary: "quartile-bin and category conditions that hold the model's prediction with high precision (KL-LUCB beam search)",
    options: search,
    async run(model, data, options = {}) {
      const rows = await datasetRows(data, anchorRows(options, 'anchorTabular'), 'anchorTabular');
      try {
        return await anchorTabular(model, data, rows, options as AnchorTabularOptions);
      } finally {
        rows.dispose();
      }
    },
  },
  {
    ...base,
    id: 'anchors-image',
    title: 'Anchors (image)',
    inputKinds: ['image'],
    summary: "superpixels that, kept while others are switched off at random, hold the model's prediction",
    options: [...search,
      { name: 'superpixels', type: 'string', default: 'slic:10', doc: 'segmentation: slic[:n] or felzenszwalb[:scale]' },
      { name: 'keepProbability', type: 'number', default: 0.5, doc: 'probability an unanchored superpixel is kept' },
      { name: 'background', type: 'string', default: 'segment-mean', doc: "what a switched-off superpixel shows: 'segment-mean' or a number" }],
    async run(model, data, options = {}) {
      const images = await datasetRows(data, anchorRows(options, 'anchorImage'), 'anchorImage');
      try {
        const background = anchorBackground(options.background);
        return await anchorImage(model, images, { ...(options as AnchorImageOptions), ...(background !== undefined ? { background } : {}) });
      } finally {
        images.dispose();
      }
    },
  },
  {
    ...base,
    id: 'anchors-text',
    title: 'Anchors (text)',
    inputKinds: ['text'],
    summary: "tokens that, kept while others become UNK at random, hold the model's prediction",
    options: [...search,
      { name: 'unkToken', type: 'integer', doc: 'the id a replaced token becomes (required)' },
      { name: 'padToken', type: 'integer', doc: 'padding id, never a feature' },
      { name: 'replaceProbability', type: 'number', default: 0.5, doc: 'probability an unanchored token is replaced' }],
    async run(model, data, options = {}) {
      const fn = 'anchorText';
      check(typeof options.unkToken === 'number', 'option', () => `${fn}: the unkToken option (the UNK id) is required; found ${String(options.unkToken)}`);
      const tokens = await datasetRows(data, anchorRows(options, fn), fn);
      try {
        return await anchorText(model, tokens, options as unknown as AnchorTextOptions);
      } finally {
        tokens.dispose();
      }
    },
  },
];
