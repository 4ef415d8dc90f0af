import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { check } from '../core/errors.js';
import type { AttackExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { contrastiveExplanation } from '../counterfactual/contrastive-explanations.js';
import { diverseCounterfactuals } from '../counterfactual/diverse-counterfactuals.js';
import { prototypeCounterfactual } from '../counterfactual/prototype-counterfactual.js';
import { counterfactualTarget, datasetRange, immutableColumns } from '../counterfactual/registry.js';
import { wachterCounterfactual } from '../counterfactual/wachter-counterfactual.js';
import { writeFileAtomic } from '../data/io.js';
import { datasetRows } from '../local-rules/dataset-rows.js';
import { anchorRows } from '../local-rules/registry.js';
import { methodById } from '../methods.js';
import { loadMnistAutoencoder } from '../models/mnist-autoencoder.js';
import { writePng } from '../render/png.js';
import { imagesGrid } from '../render/images-grid.js';
import { withBackend } from './context.js';
import { contrastiveText, counterfactualText } from './counterfactual-format.js';
import { dataFlag } from './data-flag.js';
import { addInputFlags, inputOptions, withLabels, type InputFlags } from './input-flags.js';
import { loadModelInput } from './load-input.js';
import { loadModelSpec } from './load-model.js';
import { parseMethodOptions } from './method-options.js';
import { modelSpecOptions, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG, type ModelFlags } from './model-flags.js';
import { parseIntegerFlag } from './parse-number.js';

interface CounterfactualFlags extends InputFlags, ModelFlags {
  model: string;
  data?: string;
  input?: string;
  rows?: string;
  method: string;
  target?: string;
  immutable?: string;
  seed?: string;
  mode?: string;
  autoencoder?: string;
  opt: string[];
  out?: string;
  json?: boolean;
}

/** `--method` names: the registry ids and their short forms. */
const METHOD_IDS: Readonly<Record<string, string>> = {
  wachter: 'wachter-counterfactual', 'wachter-counterfactual': 'wachter-counterfactual', dice: 'dice',
  proto: 'prototype-counterfactual', 'prototype-counterfactual': 'prototype-counterfactual', cem: 'cem',
};

/** `--autoencoder`: bundled:mnist-autoencoder or a model file/directory (the caller disposes it). */
async function loadAutoencoder(spec: string, flags: ModelFlags): Promise<{ model: Model; dispose: () => void }> {
  if (spec === 'bundled:mnist-autoencoder') {
    const { autoencoder } = await loadMnistAutoencoder();
    return { model: autoencoder, dispose: () => autoencoder.dispose?.() };
  }
  const loaded = await loadModelSpec(spec, modelSpecOptions({ ...flags, outputKind: undefined, outputNode: undefined }));
  return { model: loaded.model, dispose: () => loaded.dispose() };
}

/** Input images of a CEM explanation beside their pertinent negatives / positives, as one PNG grid. */
function writeContrastivePng(file: string, e: AttackExplanation, x: Float32Array, classNames?: readonly string[]): void {
  const shape = e.shape as readonly number[];
  check(shape.length === 3, 'option', () => `--out ${file}: a PNG needs image inputs [h, w, c]; these are [${shape}]`);
  const per = shape.reduce((a, b) => a * b, 1);
  const name = (k: number): string => classNames?.[k] ?? String(k);
  const images = e.predictions.flatMap((p, i) => [
    { label: `input ${name(e.originalPredictions[i])}`, shape: shape as [number, number, number], data: Array.from(x.subarray(i * per, (i + 1) * per)) },
    { label: `${e.meta?.mode === 'pp' ? 'PP' : 'PN'} ${name(p)}`, shape: shape as [number, number, number], data: e.inputs.slice(i * per, (i + 1) * per) },
  ]);
  writePng(file, imagesGrid({ kind: 'images', method: e.method, images }, { cols: 2 }));
}

/** The `--target` of a counterfactual: 'other', a class index or a class name of the model. */
function targetFlag(text: string | undefined, classNames?: readonly string[]): number | 'other' | undefined {
  if (text === undefined) return undefined;
  const named = classNames?.indexOf(text.trim()) ?? -1;
  if (named >= 0) return named;
  const names = classNames ? `, a class name (${classNames.join(', ')})` : '';
  check(text === 'other' || /^\d+$/.test(text.trim()), 'option', () => `--target: expected a class index${names} or 'other'; found '${text}'`);
  return counterfactualTarget(text, '--target');
}

/**
 * `lumen counterfactual --model … [--data …] [--rows 0,3 | --input file] [--method wachter|dice|proto|cem]`:
 * the smallest change to tabular rows that gives the target class (Wachter et al. 2018), a
 * diverse set of them (DiCE, Mothilal et al. 2020) or one guided by class prototypes (Van Looveren
 * & Klaise 2021), printed as before → after tables of the changed features in the data's units;
 * or CEM's pertinent negatives / positives (Dhurandhar et al. 2018) of any input, optionally with
 * an autoencoder (`--autoencoder bundled:mnist-autoencoder`), as text, JSON or a PNG.
 */
export function registerCounterfactual(program: Command): void {
  addInputFlags(program
    .command('counterfactual')
    .description('Counterfactuals: the smallest change to a table row that flips the model\'s class (Wachter et al. 2018; DiCE, Mothilal et al. 2020)')
    .requiredOption('--model <spec>', 'bundled:penguins, a model file or directory, or onnxruntime:<file.onnx>')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .option('--data <spec>', 'the rows MAD scales and ranges come from (and --rows index): bundled:penguins or a .csv/.json/.npy file (default: a bundled model\'s own data)')
    .option('--rows <list>', 'indices of the --data rows to explain (default 0)')
    .option('--input <file>', 'explain these rows instead of --data rows')
    .option('--method <name>', 'wachter (one closest counterfactual), dice (a diverse set), proto (guided by class prototypes) or cem (pertinent negatives / positives, any input)', 'wachter')
    .option('--mode <pn|pp>', 'cem: pertinent negative (default) or pertinent positive')
    .option('--autoencoder <spec>', 'cem / proto: the autoencoder of the γ term, bundled:mnist-autoencoder or a model file (γ: --opt gamma=…, default 100 with an autoencoder)')
    .option('--target <class>', "the class to reach: an index, a class name, or 'other' (the most probable other class; default)")
    .option('--immutable <list>', 'columns never changed: indices or feature names (Island: all its one-hot columns), comma-separated')
    .option('--seed <n>', 'seed of DiCE\'s starting points (default 42)')
    .option('--opt <name=value>', 'an option of the method (lumen methods --json lists them)', (v: string, p: string[]) => [...p, v], [])
    .option('--out <file>', 'write the explanation as .json (cem on images: or a .png of inputs beside their PN/PP)')
    .option('--json', 'print the explanation as JSON'))
    .action(async (opts: CounterfactualFlags) => {
      const id = METHOD_IDS[opts.method];
      check(id !== undefined, 'option', () => `--method: expected wachter, dice, proto or cem; found '${opts.method}'`);
      check(!opts.out || /\.json$/i.test(opts.out) || (id === 'cem' && /\.png$/i.test(opts.out)), 'option', () => `--out: expected a .json file${id === 'cem' ? ' or a .png' : ''}; found '${opts.out}'`);
      check(opts.mode === undefined || (id === 'cem' && (opts.mode === 'pn' || opts.mode === 'pp')), 'option', () => `--mode: expected pn or pp with --method cem; found '${opts.mode}'`);
      check(opts.autoencoder === undefined || id === 'cem' || id === 'prototype-counterfactual', 'option', () => `--autoencoder: only --method cem or proto take an autoencoder`);
      await withBackend(program);
      const loaded = withLabels(await loadModelSpec(opts.model, modelSpecOptions(opts)), opts.labels);
      try {
        check(loaded.kind === 'tabular' || id === 'cem', 'option', () => `lumen counterfactual: ${loaded.spec} takes [${loaded.model.inputShape}]: not a table row (only --method cem explains other inputs)`);
        const parsed = parseMethodOptions(methodById(id), opts.opt);
        const fn = 'lumen counterfactual';
        const data = dataFlag(opts.data, loaded, 'counterfactual');
        const options = {
          ...parsed,
          target: opts.target !== undefined ? targetFlag(opts.target, loaded.classNames) : counterfactualTarget(parsed.target, fn),
          immutable: immutableColumns(opts.immutable ?? parsed.immutable, fn, data.featureNames),
          ...(opts.seed !== undefined ? { seed: parseIntegerFlag('--seed', opts.seed) } : {}),
        };
        const rowIndices = opts.input === undefined ? anchorRows({ rows: opts.rows ?? parsed.rows ?? 0 }, fn) : undefined;
        const x = rowIndices ? await datasetRows(data, rowIndices, fn) : loadModelInput(loaded, opts.input as string, inputOptions(opts)).batch;
        let e: AttackExplanation;
        const ae = opts.autoencoder !== undefined ? await loadAutoencoder(opts.autoencoder, opts) : undefined;
        const withAe = ae ? { autoencoder: ae.model, gamma: typeof parsed.gamma === 'number' ? parsed.gamma : 100 } : {};
        const xValues = Float32Array.from(x.dataSync());
        try {
          if (id === 'cem') {
            const range = typeof parsed.lower === 'number' && typeof parsed.upper === 'number' ? [parsed.lower, parsed.upper] : await datasetRange(data);
            const featureRange = [typeof parsed.lower === 'number' ? parsed.lower : range[0], typeof parsed.upper === 'number' ? parsed.upper : range[1]] as const;
            e = await contrastiveExplanation(loaded.model, x, { ...parsed, ...withAe, mode: (opts.mode ?? parsed.mode ?? 'pn') as 'pn' | 'pp', featureRange });
          } else if (id === 'prototype-counterfactual') e = await prototypeCounterfactual(loaded.model, data, x, { ...options, ...withAe });
          else e = id === 'dice' ? await diverseCounterfactuals(loaded.model, data, x, options) : await wachterCounterfactual(loaded.model, data, x, options);
        } finally {
          tf.dispose(x);
          ae?.dispose();
        }
        if (opts.out && /\.png$/i.test(opts.out)) writeContrastivePng(opts.out, e, xValues, loaded.classNames);
        else if (opts.out) writeFileAtomic(opts.out, `${JSON.stringify(e)}\n`);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(e)}\n`);
          return;
        }
        const labels = rowIndices ? rowIndices.map((r) => `row ${r}`) : e.originalPredictions.map((_, i) => `input ${i}`);
        process.stdout.write(id === 'cem' ? contrastiveText(e, labels, loaded.classNames) : counterfactualText(e, labels, loaded.classNames, loaded.standardization));
        if (opts.out) process.stdout.write(`wrote ${opts.out}\n`);
      } finally {
        loaded.dispose();
      }
    });
}
