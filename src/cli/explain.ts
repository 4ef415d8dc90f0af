import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import type { Attribution } from '../core/attribution.js';
import { LumenError } from '../core/errors.js';
import type { MethodOptions } from '../core/method-info.js';
import { encodeNpy } from '../data/npy.js';
import { readInput, writeFileAtomic } from '../data/io.js';
import { METHODS, type MethodInfo } from '../methods.js';
import { reportCard, type ReportCard } from '../metrics/report-card.js';
import { grid } from '../render/grid.js';
import { encodePng } from '../render/png.js';
import { withBackend } from './context.js';
import { attributionFigures, DEFAULT_CLIP_PERCENT, type ExampleFigure } from './figures.js';
import { coalitionFlagOptions } from './coalition-flags.js';
import { loadModelInput, type ModelInput } from './load-input.js';
import { embeddingLayerOf, tokenHighlights, useColour } from './token-summary.js';
import { tokenFigure } from './token-figures.js';
import { modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG, ENGINE_FLAG } from './model-flags.js';
import { loadModelSpec, type LoadedModel } from './load-model.js';
import { explainableMethod, parseMethodOptions, parseTarget } from './method-options.js';
import { optionValues } from './option-values.js';
import { isDecimalText, parseIntegerFlag } from './parse-number.js';
import { addInputFlags, inputOptions, withLabels, type InputFlags } from './input-flags.js';
import { checkSampleBudget, featureCount } from './sample-budget.js';
import { progressBar } from './progress.js';
import { runExplainJob, type ExplainJobFlags } from './explain-job.js';
import { addJobFlags } from './job-flags.js';
import { formatTable } from './table.js';

interface ExplainFlags extends InputFlags, ModelFlags, Omit<ExplainJobFlags, 'model' | 'method' | 'opt' | 'out' | 'seed' | 'batchSize' | 'target' | 'layer' | 'outputKind' | 'outputNode'> {
  model: string;
  input?: string;
  method: string;
  target?: string;
  layer?: string;
  opt: string[];
  seed?: string;
  batchSize?: string;
  features?: string;
  samples?: string;
  out?: string;
  json?: boolean;
  superpixels?: string;
  score?: boolean;
  clipPercentile?: string;
}

/** `--clip-percentile`: a decimal number in [0, 100). */
function parseClipPercent(text: string): number {
  const v = Number(text);
  if (!isDecimalText(text) || v < 0 || v >= 100) throw new LumenError('option', `--clip-percentile: expected a percentage in [0, 100) (Captum's outlier_perc, e.g. 2); found '${text}'`);
  return v;
}

const OUT_EXTENSIONS = ['.png', '.json', '.npy', '.svg', '.html'];

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseIntegerFlag(flag, text, flag === '--seed' ? 0 : 1);
}

/** One score per token position: an embedding attribution [N, L, E] summed over E, or [N, L] as it is. */
async function tokenScores(values: tf.Tensor): Promise<number[][]> {
  const scores = tf.tidy(() => (values.rank === 3 ? tf.sum(values, -1) : values.reshape([values.shape[0], -1])));
  const out = (await scores.array()) as number[][];
  scores.dispose();
  return out;
}

/** The JSON form of an attribution: what `--out x.json` and `--json` write. */
export async function attributionJson(attribution: Attribution, loaded: LoadedModel, input: ModelInput, inputFile: string): Promise<Record<string, unknown>> {
  const { delta, warnings, layer, modelCalls } = attribution.meta;
  return {
    method: attribution.method,
    model: loaded.spec,
    input: inputFile,
    target: attribution.target,
    targetNames: attribution.target && loaded.classNames ? attribution.target.map((t) => loaded.classNames?.[t] ?? String(t)) : null,
    shape: attribution.values.shape,
    ...(input.featureNames ? { featureNames: input.featureNames } : {}),
    ...(input.tokens ? { tokens: input.tokens } : {}),
    data: Array.from(await attribution.values.data()),
    meta: { delta, warnings, layer, modelCalls, ...surrogateFacts(attribution) },
  };
}

/** The facts coalition methods report (src/attribution/surrogate/surrogate-meta.ts, LIME's fit), where present. */
function surrogateFacts(attribution: Attribution): Record<string, unknown> {
  const keys = ['featureNames', 'featureValues', 'baseValue', 'fullValue', 'r2', 'intercept', 'localPrediction', 'exact'];
  return Object.fromEntries(keys.filter((k) => attribution.meta[k] !== undefined).map((k) => [k, attribution.meta[k]]));
}

/** The picture `--out x.png` writes: a row per example (input, heatmap, overlay) or stacked bar charts. */
export function explanationPng(figures: readonly ExampleFigure[], targets: readonly string[]): Uint8Array {
  if (figures[0]?.bars) return encodePng(grid(figures.map((f) => f.bars?.png).filter((p) => p !== undefined), { cols: 1 }));
  const images = figures.flatMap((f) => [f.input, f.heat, f.blend]).filter((p) => p !== undefined);
  const labels = figures.flatMap((_, i) => [`input ${i}`, `target ${targets[i] ?? ''}`, 'overlay']);
  return encodePng(grid(images, { cols: 3, labels }));
}

/** `lumen explain`: one method on one input file, printed and optionally written as PNG/JSON/NPY/SVG. */
export function registerExplain(program: Command): void {
  addInputFlags(addJobFlags(program
    .command('explain')
    .description('explain a model\'s outputs on an input file with one method')
    .requiredOption('--model <spec>', 'bundled:mnist, bundled:penguins, a model file or directory, or onnxruntime:<file.onnx> (black box)')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .option(...ENGINE_FLAG)
    .option('--input <file>', 'a .png/.jpg image, a .npy or .json tensor, or a .csv table (or --data for a dataset)')
    .requiredOption('--method <id>', 'a method id (see lumen methods)')
    .option('--target <class>', "class index, comma-separated indices per example, or 'predicted'", 'predicted')
    .option('--layer <name>', 'attribute to this layer (methods with a layer option)')
    .option('--opt <name=value>', "a method option, e.g. --opt steps=64 (repeatable; see lumen methods --json)", collect, [])
    .option('--seed <n>', 'seed of every random draw')
    .option('--batch-size <n>', 'rows per model call')
    .option('--features <mask>', "features removed together (perturbation methods): a mask file (.npy/.json of integer ids, broadcast over one example), patch:HxW, tokens or scalars")
    .option('--samples <n>', 'samples (random masks, permutations, coalitions, imputations …) of methods that take them')
    .option('--out <file>', `write the explanation (${OUT_EXTENSIONS.join(', ')}); with --data, the results folder`)
    .option('--resume', '--data: skip the shards already finished in --out (a rerun after a kill or a crash)')
    .option('--shard <k/n>', '--data: run only shards k−1, k−1+n, k−1+2n … (one of n slices)')
    .option('--json', 'print the attribution as JSON instead of a summary')
    .option('--clip-percentile <p>', `heatmaps: percent of the attribution mass treated as outliers and clipped (Captum's outlier_perc; default ${DEFAULT_CLIP_PERCENT}; 0 scales by the maximum)`)
    .option('--superpixels <spec>', "image inputs: features are superpixels, slic[:n] or felzenszwalb[:scale] (surrogate methods)")
    .option('--score', 'add a report card of this explanation: deletion AUC, infidelity, max-sensitivity (printed and in the JSON output)')))
    .action(async (flags: ExplainFlags) => {
      if (flags.data !== undefined) return runExplainJob(program, { ...flags });
      if (flags.resume || flags.shard !== undefined || flags.shardSize !== undefined) throw new LumenError('option', '--resume, --shard and --shard-size: dataset jobs only (give --data)');
      if (flags.input === undefined) throw new LumenError('option', '--input: expected an input file (or --data <dataset> for a dataset job)');
      const inputFile = flags.input;
      const method = explainableMethod(flags.method);
      const ext = flags.out ? path.extname(flags.out).toLowerCase() : '';
      if (flags.out && !OUT_EXTENSIONS.includes(ext)) {
        throw new LumenError('option', `--out ${flags.out}: expected a file ending in ${OUT_EXTENSIONS.join(', ')}; found '${ext || 'no extension'}'`);
      }
      if (flags.layer && method.layer === 'none') throw new LumenError('option', `--layer: ${method.id} does not take a layer`);
      if (!flags.layer && method.layer === 'required') throw new LumenError('option', `--layer: ${method.id} needs a layer (one of the model's layers; see lumen predict)`);
      const clipPercent = flags.clipPercentile === undefined ? DEFAULT_CLIP_PERCENT : parseClipPercent(flags.clipPercentile);
      const mask = flags.features !== undefined ? methodOption(method, 'featureMask', '--features', featureMaskFlag(flags.features)) : undefined;
      const parsed: MethodOptions = {
        ...parseMethodOptions(method, flags.opt),
        ...coalitionFlagOptions(method, flags),
        ...(flags.layer ? { layer: flags.layer } : {}),
        ...(flags.seed !== undefined ? { seed: positiveInt('--seed', flags.seed) } : {}),
        ...(flags.batchSize !== undefined ? { batchSize: positiveInt('--batch-size', flags.batchSize) } : {}),
        ...(flags.samples !== undefined ? { samples: methodOption(method, 'samples', '--samples', positiveInt('--samples', flags.samples)) } : {}),
      };
      // Checked before the backend starts: text masks and superpixel specs parse (optionValues), input flags are valid.
      optionValues(method, { ...parsed, ...(typeof mask === 'string' ? { featureMask: mask } : {}) });
      const inputOpts = inputOptions(flags);
      const specOptions = modelSpecOptions(flags);
      await withBackend(program);
      const loaded = withLabels(await loadModelSpec(flags.model, specOptions), flags.labels);
      const input = loadModelInput(loaded, inputFile, inputOpts);
      // Token models: gradient methods explain the embedding layer's output (ids have no gradient).
      const textLayer = loaded.kind === 'text' && !flags.layer && method.layer === 'optional' && method.needsGradients ? (loaded.embeddingLayer ?? embeddingLayerOf(loaded.model)) : undefined;
      // The mask becomes a tensor only once the backend runs (tfjs would otherwise start its cpu backend and print its banner).
      const options: MethodOptions = optionValues(method, {
        ...parsed,
        ...(textLayer ? { layer: textLayer } : {}),
        target: parseTarget(flags.target, loaded.classNames),
        ...(mask === undefined ? {} : { featureMask: typeof mask === 'string' ? mask : tf.tensor(mask.data, mask.shape) }),
      });
      for (const w of input.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
      const examples = input.batch.shape[0];
      try {
        checkOutputSize(ext, flags.out ?? '', examples);
        if (typeof options.samples === 'number') {
          const features = featureCount(loaded.model.inputShape, { features: typeof mask === 'string' ? mask : undefined, mask: typeof mask === 'object' ? mask.data : undefined, superpixels: flags.superpixels });
          checkSampleBudget({ method: method.id, samples: options.samples, examples, features, gridSize: typeof options.gridSize === 'number' ? options.gridSize : undefined });
        }
      } catch (e) {
        if (options.featureMask instanceof tf.Tensor) options.featureMask.dispose();
        input.batch.dispose();
        loaded.dispose();
        throw e;
      }
      const bar = progressBar(method.id);
      let attribution: Attribution | undefined;
      try {
        const start = performance.now();
        // Surrogate methods keep tabular column names in meta.featureNames.
        const names = input.featureNames && method.family === 'surrogate' ? { featureNames: input.featureNames } : {};
        attribution = await method.run(loaded.model, input.batch, { ...options, ...names, onProgress: bar.onProgress });
        bar.stop();
        for (const w of attribution.meta.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
        const ms = performance.now() - start;
        const targets = (attribution.target ?? []).map((t) => loaded.classNames?.[t] ?? String(t));
        const card = flags.score ? await reportCard(loaded.model, input.batch, attribution, method, { explainOptions: options, seed: options.seed, batchSize: options.batchSize }) : undefined;
        const json = flags.json || ext === '.json' ? { ...(await attributionJson(attribution, loaded, input, inputFile)), ...(card ? { score: reportCardJson(card) } : {}) } : undefined;
        if (flags.out) {
          if (card && ext !== '.json') await writeFileAtomic(`${flags.out.slice(0, -ext.length)}.score.json`, `${JSON.stringify(reportCardJson(card), null, 2)}\n`);
          if (ext === '.json') await writeFileAtomic(flags.out, `${JSON.stringify(json)}\n`);
          else if (ext === '.npy') await writeFileAtomic(flags.out, encodeNpy(Float32Array.from(await attribution.values.data()), attribution.values.shape));
          else if (input.tokens) {
            await writeFileAtomic(flags.out, tokenFigure(ext, await tokenScores(attribution.values), input.tokens, targets, `${method.title} (${loaded.spec})`));
          } else if (ext === '.html') {
            throw new LumenError('option', `--out ${flags.out}: HTML output is for text models (token highlights); write a .png or .svg, or use lumen report`);
          } else {
            const figures = await attributionFigures(attribution, input, method.title, { clipPercent });
            if (ext === '.svg') {
              const svg = figures.map((f) => f.bars?.svg).filter((s) => s !== undefined);
              if (svg.length === 0) throw new LumenError('option', `--out ${flags.out}: SVG output is for tabular attributions (bar charts); write a .png for images`);
              await writeFileAtomic(flags.out, svg.join('\n'));
            } else {
              await writeFileAtomic(flags.out, explanationPng(figures, targets));
            }
          }
        }
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(json)}\n`);
          return;
        }
        process.stdout.write(await summary(attribution, input, targets, ms));
        if (input.tokens) process.stdout.write(tokenHighlights(await tokenScores(attribution.values), input.tokens, useColour(process.stdout, process.env)));
        if (card) process.stdout.write(reportCardText(card));
        if (flags.out) process.stdout.write(`wrote ${flags.out}${card && ext !== '.json' ? ` and ${flags.out.slice(0, -ext.length)}.score.json` : ''}\n`);
      } finally {
        bar.stop();
        attribution?.dispose();
        if (options.featureMask instanceof tf.Tensor) options.featureMask.dispose();
        input.batch.dispose();
        loaded.dispose();
      }
    });
}

/** The most examples one `--out` picture (.png/.svg) shows: a row each, so larger batches are refused before any work. */
export const MAX_FIGURE_EXAMPLES = 256;

/** Refuses a picture of more than MAX_FIGURE_EXAMPLES rows (20,000 penguin rows would need gigabytes), naming the limit. */
function checkOutputSize(ext: string, out: string, examples: number): void {
  if ((ext === '.png' || ext === '.svg' || ext === '.html') && examples > MAX_FIGURE_EXAMPLES) {
    throw new LumenError('option', `--out ${out}: a picture shows at most ${MAX_FIGURE_EXAMPLES} examples (one row each); found ${examples} — write .json or .npy, or split the input`);
  }
}

/** A flag's value for a method option, checked to be one the method takes. */
function methodOption<T>(method: MethodInfo, name: string, flag: string, value: T): T {
  if (!method.options.some((o) => o.name === name)) {
    const takers = METHODS.filter((m) => m.options.some((o) => o.name === name)).map((m) => m.id);
    throw new LumenError('option', `${flag}: ${method.id} does not take ${name === 'featureMask' ? 'feature masks' : name}; methods that do: ${takers.join(', ')}`);
  }
  return value;
}

/** A `--features` mask file, read (and checked) before the backend starts; made a tensor after. */
interface MaskFile {
  readonly data: Float32Array;
  readonly shape: number[];
}

/** `--features`: 'scalars', 'tokens', 'patch:HxW', or a .npy/.json file of integer group ids. */
function featureMaskFlag(text: string): string | MaskFile {
  if (text === 'scalars' || text === 'tokens' || text.startsWith('patch:')) return text;
  const ext = path.extname(text).toLowerCase();
  if (ext !== '.npy' && ext !== '.json') throw new LumenError('option', `--features: expected a .npy or .json mask of integer ids, patch:HxW, tokens or scalars; found '${text}'`);
  const mask = readInput(text);
  if (mask.kind !== 'tensor') throw new LumenError('option', `--features ${text}: expected a tensor of integer ids`);
  return { data: mask.data, shape: mask.shape };
}

/** The report card as JSON: per metric, its direction, mean and per-example scores. */
export function reportCardJson(card: ReportCard): Record<string, { direction: string; aggregate: number; scores: readonly number[] }> {
  const entry = (r: ReportCard['deletion']) => ({ direction: r.direction, aggregate: r.aggregate, scores: r.scores });
  return { deletion: entry(card.deletion), infidelity: entry(card.infidelity), maxSensitivity: entry(card.maxSensitivity) };
}

/** The report card as a table: a row per example and the mean. */
function reportCardText(card: ReportCard): string {
  const cols = [card.deletion, card.infidelity, card.maxSensitivity];
  const f = (v: number): string => (Number.isFinite(v) ? v.toPrecision(4) : 'n/a');
  const rows = card.deletion.scores.map((_, i) => [String(i), ...cols.map((c) => f(c.scores[i]))]);
  rows.push(['mean', ...cols.map((c) => f(c.aggregate))]);
  return `report card (lower is better for all three)\n${formatTable(['example', 'deletion AUC', 'infidelity', 'max-sensitivity'], rows)}\n`;
}

async function summary(attribution: Attribution, input: ModelInput, targets: readonly string[], ms: number): Promise<string> {
  const n = attribution.values.shape[0];
  const lines = [`${attribution.method}: ${n} example${n === 1 ? '' : 's'} in ${ms.toFixed(0)} ms; attribution shape [${attribution.values.shape}]`];
  const delta = attribution.meta.delta;
  const flat = tf.tidy(() => attribution.values.reshape([n, -1]));
  const data = await flat.data();
  const per = flat.shape[1] as number;
  flat.dispose();
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const row = data.subarray(i * per, (i + 1) * per);
    let sum = 0;
    let top = 0;
    for (let k = 0; k < per; k++) {
      sum += row[k];
      if (Math.abs(row[k]) > Math.abs(row[top])) top = k;
    }
    const topName = input.featureNames?.[top] ?? `#${top}`;
    rows.push([String(i), targets[i] ?? '–', sum.toPrecision(4), `${topName} (${row[top].toPrecision(3)})`, delta ? delta[i].toExponential(2) : '–']);
  }
  lines.push(formatTable(['example', 'target', 'sum', 'largest |attribution|', 'completeness δ'], rows));
  return `${lines.join('\n')}\n`;
}
