import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { check } from '../core/errors.js';
import type { AttackExplanation } from '../core/explanation.js';
import { diverseCounterfactuals } from '../counterfactual/diverse-counterfactuals.js';
import { counterfactualTarget, immutableColumns } from '../counterfactual/registry.js';
import { wachterCounterfactual } from '../counterfactual/wachter-counterfactual.js';
import { writeFileAtomic } from '../data/io.js';
import { datasetRows } from '../local-rules/dataset-rows.js';
import { anchorRows } from '../local-rules/registry.js';
import { methodById } from '../methods.js';
import { withBackend } from './context.js';
import { counterfactualText } from './counterfactual-format.js';
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
  opt: string[];
  out?: string;
  json?: boolean;
}

/** `--method` names: the registry ids and their short forms. */
const METHOD_IDS: Readonly<Record<string, string>> = { wachter: 'wachter-counterfactual', 'wachter-counterfactual': 'wachter-counterfactual', dice: 'dice' };

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
 * `lumen counterfactual --model … [--data …] [--rows 0,3 | --input file] [--method wachter|dice]`:
 * the smallest change to tabular rows that gives the target class (Wachter et al. 2018) or a
 * diverse set of them (DiCE, Mothilal et al. 2020), printed as before → after tables of the
 * changed features in the data's units, or as JSON.
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
    .option('--method <name>', 'wachter (one closest counterfactual) or dice (a diverse set)', 'wachter')
    .option('--target <class>', "the class to reach: an index, a class name, or 'other' (the most probable other class; default)")
    .option('--immutable <list>', 'columns never changed: indices or feature names (Island: all its one-hot columns), comma-separated')
    .option('--seed <n>', 'seed of DiCE\'s starting points (default 42)')
    .option('--opt <name=value>', 'an option of the method (lumen methods --json lists them)', (v: string, p: string[]) => [...p, v], [])
    .option('--out <file>', 'write the explanation as .json')
    .option('--json', 'print the explanation as JSON'))
    .action(async (opts: CounterfactualFlags) => {
      const id = METHOD_IDS[opts.method];
      check(id !== undefined, 'option', () => `--method: expected wachter or dice; found '${opts.method}'`);
      check(!opts.out || /\.json$/i.test(opts.out), 'option', () => `--out: expected a .json file; found '${opts.out}'`);
      await withBackend(program);
      const loaded = withLabels(await loadModelSpec(opts.model, modelSpecOptions(opts)), opts.labels);
      try {
        check(loaded.kind === 'tabular', 'option', () => `lumen counterfactual: ${loaded.spec} takes [${loaded.model.inputShape}]: not a table row (counterfactuals here are tabular)`);
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
        try {
          e = id === 'dice' ? await diverseCounterfactuals(loaded.model, data, x, options) : await wachterCounterfactual(loaded.model, data, x, options);
        } finally {
          tf.dispose(x);
        }
        if (opts.out) writeFileAtomic(opts.out, `${JSON.stringify(e)}\n`);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(e)}\n`);
          return;
        }
        const labels = rowIndices ? rowIndices.map((r) => `row ${r}`) : e.originalPredictions.map((_, i) => `input ${i}`);
        process.stdout.write(counterfactualText(e, labels, loaded.classNames, loaded.standardization));
        if (opts.out) process.stdout.write(`wrote ${opts.out}\n`);
      } finally {
        loaded.dispose();
      }
    });
}
