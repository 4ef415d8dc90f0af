import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { check } from '../core/errors.js';
import { outputKindOf } from '../core/model.js';
import { withBackend } from './context.js';
import { addInputFlags, inputOptions, withLabels, type InputFlags } from './input-flags.js';
import { loadModelInput } from './load-input.js';
import { modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG, ENGINE_FLAG } from './model-flags.js';
import { loadModelSpec } from './load-model.js';
import { formatTable } from './table.js';

/** `lumen predict --model … --input … [--json]`: the model's outputs for an input file. */
export function registerPredict(program: Command): void {
  addInputFlags(program
    .command('predict')
    .description("print a model's outputs for an input file")
    .requiredOption('--model <spec>', 'bundled:mnist, bundled:penguins, a model file or directory, or onnxruntime:<file.onnx> (black box)')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .option(...ENGINE_FLAG)
    .requiredOption('--input <file>', 'a .png/.jpg image, a .npy or .json tensor, or a .csv table')
    .option('--json', 'print {shape, data} as JSON'))
    .action(async (opts: { model: string; input: string; json?: boolean } & InputFlags & ModelFlags) => {
      const inputOpts = inputOptions(opts);
      const specOptions = modelSpecOptions(opts);
      await withBackend(program);
      const loaded = withLabels(await loadModelSpec(opts.model, specOptions), opts.labels);
      try {
        const { batch, warnings } = loadModelInput(loaded, opts.input, inputOpts);
        for (const w of warnings ?? []) process.stderr.write(`warning: ${w}\n`);
        const out = await loaded.model.predict(batch);
        const data = Array.from(await out.data());
        const shape = out.shape;
        tf.dispose([batch, out]);
        const bad = data.findIndex((v) => !Number.isFinite(v));
        check(bad < 0, 'numeric', () => `lumen predict: ${loaded.spec} gave a non-finite output (${data[bad]}) for example ${Math.floor(bad / (data.length / shape[0]))} of ${opts.input}; nothing printed`);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ shape, data })}\n`);
          return;
        }
        const n = shape[0];
        const per = data.length / n;
        const names = loaded.classNames ?? Array.from({ length: per }, (_, k) => String(k));
        // A model that ends in softmax/sigmoid already outputs probabilities: never softmax them again.
        const probabilities = outputKindOf(loaded.model) === 'probabilities';
        const probs = (row: number[]): number[] => {
          if (probabilities) return row;
          const m = Math.max(...row);
          const e = row.map((v) => Math.exp(v - m));
          const s = e.reduce((a, b) => a + b, 0);
          return e.map((v) => v / s);
        };
        const rows: string[][] = [];
        for (let i = 0; i < n; i++) {
          const row = data.slice(i * per, (i + 1) * per);
          const best = row.indexOf(Math.max(...row));
          const shown = per > 1 || probabilities;
          const p = shown ? probs(row)[best] : Number.NaN;
          rows.push([String(i), names[best] ?? String(best), shown ? p.toFixed(4) : '–', row.map((v) => v.toPrecision(4)).join(' ')]);
        }
        process.stdout.write(`${formatTable(['example', 'predicted', probabilities ? 'probability' : 'softmax', 'outputs'], rows)}\n`);
      } finally {
        loaded.dispose();
      }
    });
}
