import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { LumenError, check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { ExamplesExplanation } from '../core/explanation.js';
import { bundledDataset, datasetFromFile } from '../data/dataset-files.js';
import { methodById } from '../methods.js';
import { withBackend } from './context.js';
import { addInputFlags, inputOptions, withLabels, type InputFlags } from './input-flags.js';
import { loadModelInput } from './load-input.js';
import { modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG } from './model-flags.js';
import { loadModelSpec } from './load-model.js';
import { parseIntegerFlag } from './parse-number.js';
import { formatTable } from './table.js';

/** `--method` names and the registry entries they run. */
const METHOD_IDS: Readonly<Record<string, string>> = {
  neighbours: 'nearest-neighbours',
  influence: 'influence-function',
  arnoldi: 'arnoldi-influence',
  tracin: 'tracin',
  'tracin-fast': 'tracin-fast',
  prototypes: 'mmd-critic',
};

/** `--data`: bundled:mnist[:N], bundled:penguins[:N], or a .npy/.json/.csv file (tables: --label-column). */
export function loadExamplesData(spec: string, labelColumn?: string): Dataset {
  const m = /^bundled:(mnist|penguins)(?::(\d+))?$/.exec(spec);
  if (m) return bundledDataset(m[1] as 'mnist' | 'penguins', m[2] ? Number(m[2]) : undefined);
  if (spec.startsWith('bundled:')) throw new LumenError('option', `--data ${spec}: expected bundled:mnist[:N] or bundled:penguins[:N]`);
  return datasetFromFile(spec, labelColumn ? { labelColumn } : {});
}

interface ExamplesFlags extends InputFlags, ModelFlags {
  readonly model: string;
  readonly data: string;
  readonly input: string;
  readonly method: string;
  readonly layer?: string;
  readonly k?: string;
  readonly metric?: string;
  readonly layers?: string;
  readonly labelColumn?: string;
  readonly json?: boolean;
}

/** `lumen examples --model … --data … --input … [--method …]`: the training examples behind each input row. */
export function registerExamples(program: Command): void {
  addInputFlags(program
    .command('examples')
    .description('explain inputs by training examples: nearest neighbours, influence functions, TracIn proponents/opponents, MMD-critic prototypes')
    .requiredOption('--model <spec>', 'bundled:mnist, bundled:penguins, a model file or directory')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .requiredOption('--data <spec>', 'the training rows: bundled:mnist[:N], bundled:penguins[:N], or a .npy/.json/.csv file (with labels for influence and TracIn)')
    .requiredOption('--input <file>', 'the rows to explain (ignored by --method prototypes)')
    .option('--method <name>', `one of ${Object.keys(METHOD_IDS).join(', ')}`, 'neighbours')
    .option('--layer <name>', "neighbours/prototypes: the layer compared ('input': the raw rows); tracin-fast: the final dense layer")
    .option('--k <n>', 'examples per input row', '5')
    .option('--layers <names>', 'influence/tracin: comma-separated layers whose parameters are used (default: all dense layers)')
    .option('--metric <name>', 'neighbours: cosine, l2 or dot', 'cosine')
    .option('--label-column <name>', 'a .csv table: the column with the labels')
    .option('--json', 'print the examples explanation as JSON'))
    .action(async (opts: ExamplesFlags) => {
      const id = METHOD_IDS[opts.method];
      check(id !== undefined, 'option', () => `--method must be one of ${Object.keys(METHOD_IDS).join(', ')}; found '${opts.method}'`);
      const k = parseIntegerFlag('--k', opts.k ?? '5', 1);
      await withBackend(program);
      const loaded = withLabels(await loadModelSpec(opts.model, modelSpecOptions(opts)), opts.labels);
      const data = loadExamplesData(opts.data, opts.labelColumn);
      const { batch } = loadModelInput(loaded, opts.input, inputOptions(opts));
      try {
        const method = methodById(id);
        if (method.scope !== 'global') throw new LumenError('method', `'${id}' is not an example-based method`);
        const layer = opts.layer ?? (id === 'nearest-neighbours' ? loaded.model.layers.at(-2)?.name ?? 'input' : undefined);
        // Per-example gradients exist for dense layers: by default those (a CNN's classifier head).
        const params = loaded.model.parameters ?? [];
        const dense = [...new Set(params.filter((p) => p.role === 'kernel' || p.role === 'kernel-out-in').map((p) => p.layer))];
        const layers = opts.layers ?? (params.some((p) => p.role === 'other') && dense.length ? dense.join(',') : undefined);
        if (!opts.layers && layers && (id === 'tracin' || id === 'influence-function' || id === 'arnoldi-influence')) process.stderr.write(`note: using the parameters of the dense layers ${layers} (--layers to choose)\n`);
        const explanation = (await method.run(loaded.model, data, { input: batch, k, metric: opts.metric, ...(layer ? { layer } : {}), ...(layers ? { layers } : {}), onProgress: ({ done, total }) => process.stderr.write(`\r${done}/${total}`) })) as ExamplesExplanation;
        process.stderr.write('\n');
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(explanation)}\n`);
          return;
        }
        const rows = explanation.examples.map((e) => [e.query === undefined ? '–' : String(e.query), e.role ?? '', String(e.index), e.score.toPrecision(5)]);
        process.stdout.write(`${formatTable(['input row', 'role', 'training row', 'score'], rows)}\n`);
      } finally {
        tf.dispose(batch);
        loaded.dispose();
      }
    });
}
