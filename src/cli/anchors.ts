import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { check } from '../core/errors.js';
import type { RulesExplanation } from '../core/explanation.js';
import { writeFileAtomic } from '../data/io.js';
import { anchorImage } from '../local-rules/anchor-image.js';
import { anchorTabular } from '../local-rules/anchor-tabular.js';
import { anchorText } from '../local-rules/anchor-text.js';
import { datasetRows } from '../local-rules/dataset-rows.js';
import { anchorBackground, anchorRows } from '../local-rules/registry.js';
import { methodById } from '../methods.js';
import { anchorFigure } from '../render/anchor-figure.js';
import { encodePng } from '../render/png.js';
import { ruleText } from './anchors-format.js';
import { withBackend } from './context.js';
import { dataFlag } from './data-flag.js';
import { displayScale } from './figures.js';
import { addInputFlags, inputOptions, withLabels, type InputFlags } from './input-flags.js';
import { loadModelInput } from './load-input.js';
import { loadModelSpec } from './load-model.js';
import { parseMethodOptions } from './method-options.js';
import { modelSpecOptions, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG, type ModelFlags } from './model-flags.js';
import { parseIntegerFlag } from './parse-number.js';
import { progressBar } from './progress.js';

interface AnchorsFlags extends InputFlags, ModelFlags {
  model: string;
  data?: string;
  input?: string;
  rows?: string;
  unkToken?: string;
  seed?: string;
  opt: string[];
  out?: string;
  json?: boolean;
}

/**
 * `lumen anchors --model … [--data …] [--rows 0,3 | --input file]`: Anchors for tabular rows,
 * images (superpixels; `--out anchor.png` draws them) or token sequences (`--unk-token`), printed
 * as if-then rules with the data's feature names and units, or as JSON.
 */
export function registerAnchors(program: Command): void {
  addInputFlags(program
    .command('anchors')
    .description('Anchors: if-then rules that hold the model\'s prediction for a row, image or token sequence (Ribeiro et al. 2018)')
    .requiredOption('--model <spec>', 'bundled:penguins, bundled:mnist, a model file or directory, or onnxruntime:<file.onnx>')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .option('--data <spec>', 'rows perturbations are drawn from (tabular) / to explain: bundled:penguins, bundled:mnist or a .csv/.json/.npy file (default: a bundled model\'s own data)')
    .option('--rows <list>', 'indices of the --data rows to explain (default 0)')
    .option('--input <file>', 'explain these inputs instead of --data rows')
    .option('--unk-token <id>', 'token models: the UNK id replaced tokens become')
    .option('--seed <n>', 'seed of the sampling (default 42)')
    .option('--opt <name=value>', 'an option of the anchors method (lumen methods --json lists them)', (v: string, p: string[]) => [...p, v], [])
    .option('--out <file>', 'write the explanation as .json, or a .png figure of image anchors')
    .option('--json', 'print the explanation as JSON'))
    .action(async (opts: AnchorsFlags) => {
      await withBackend(program);
      const loaded = withLabels(await loadModelSpec(opts.model, modelSpecOptions(opts)), opts.labels);
      const bar = progressBar('anchors');
      try {
        const kind = opts.unkToken !== undefined ? 'text' : loaded.kind === 'image' ? 'image' : 'tabular';
        check(kind !== 'tabular' || loaded.kind === 'tabular', 'option', () => `lumen anchors: ${loaded.spec} takes [${loaded.model.inputShape}]: not a table row or an image; give --unk-token for a token model`);
        check(!opts.out || /\.(json|png)$/i.test(opts.out), 'option', () => `--out: expected a .json or .png file; found '${opts.out}'`);
        check(!opts.out?.toLowerCase().endsWith('.png') || kind === 'image', 'option', () => '--out .png draws image anchors; this model is not an image model (use .json)');
        const method = methodById(`anchors-${kind}`);
        const parsed = parseMethodOptions(method, opts.opt);
        const options = { ...parsed, onProgress: bar.onProgress, ...(opts.seed !== undefined ? { seed: parseIntegerFlag('--seed', opts.seed) } : {}) };
        const data = kind === 'tabular' || opts.input === undefined ? dataFlag(opts.data, loaded, 'anchors') : undefined;
        const x = opts.input !== undefined
          ? loadModelInput(loaded, opts.input, inputOptions(opts)).batch
          : await datasetRows(data as NonNullable<typeof data>, anchorRows({ rows: opts.rows ?? parsed.rows ?? 0 }, 'lumen anchors'), 'lumen anchors');
        let e: RulesExplanation;
        try {
          if (kind === 'tabular') e = await anchorTabular(loaded.model, data as NonNullable<typeof data>, x, options);
          else if (kind === 'image') {
            const background = anchorBackground(parsed.background);
            e = await anchorImage(loaded.model, x, { ...options, ...(background !== undefined ? { background } : {}) });
          }
          else e = await anchorText(loaded.model, x, { ...options, unkToken: parseIntegerFlag('--unk-token', opts.unkToken ?? '') });
        } finally {
          bar.stop();
        }
        const pixels = kind === 'image' ? await x.data() : undefined;
        tf.dispose(x);
        const named = loaded.classNames ? { ...e, rules: e.rules.map((r) => ({ ...r, outcome: typeof r.outcome === 'number' ? loaded.classNames?.[r.outcome] ?? r.outcome : r.outcome })) } : e;
        if (opts.out?.toLowerCase().endsWith('.png') && pixels) {
          const [h, w, c] = loaded.model.inputShape;
          const per = h * w * c;
          const segments = named.meta?.segments as number[][];
          const anchors = named.meta?.anchors as { features: number[] }[];
          const items = named.rules.map((r, i) => ({
            image: { data: pixels.subarray(i * per, (i + 1) * per), height: h, width: w, channels: c },
            segments: segments[i], kept: anchors[i].features, label: `anchor: ${r.outcome} p=${r.precision.toFixed(2)}`,
          }));
          writeFileAtomic(opts.out, encodePng(anchorFigure(items, displayScale(w))));
        } else if (opts.out) writeFileAtomic(opts.out, `${JSON.stringify(named)}\n`);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(named)}\n`);
          return;
        }
        const rows = opts.input !== undefined ? named.rules.map((_, i) => String(i)) : anchorRows({ rows: opts.rows ?? parsed.rows ?? 0 }, 'lumen anchors').map(String);
        const anchors = named.meta?.anchors as { satisfied: boolean; samples: number; modelCalls: number }[];
        named.rules.forEach((r, i) => {
          const a = anchors[i];
          process.stdout.write(`${opts.input !== undefined ? 'input' : 'row'} ${rows[i]}: ${ruleText(r, loaded.standardization)}${a.satisfied ? '' : '  [below the threshold: the most precise candidate]'}  — ${a.samples} samples, ${a.modelCalls} model calls\n`);
        });
        if (opts.out) process.stdout.write(`wrote ${opts.out}\n`);
      } finally {
        loaded.dispose();
      }
    });
}
