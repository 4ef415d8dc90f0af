import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { disposeCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { LumenError, check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { ExamplesExplanation } from '../core/explanation.js';
import { bundledDataset, datasetFromFile } from '../data/dataset-files.js';
import { datasetRowRecords } from '../examples/dataset-rows.js';
import { methodById } from '../methods.js';
import { withBackend } from './context.js';
import { runExamplesJobFlags, type ExamplesJobFlags } from './examples-job.js';
import { addInputFlags, inputOptions, withLabels, type InputFlags } from './input-flags.js';
import { loadModelInput } from './load-input.js';
import { modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG } from './model-flags.js';
import { loadModelSpec } from './load-model.js';
import { loadCheckpointFiles } from '../models/checkpoint-files.js';
import { parseIntegerFlag } from './parse-number.js';
import { formatTable } from './table.js';
import { writeFileAtomic } from '../data/io.js';
import { encodePng, pngDataUri } from '../render/png.js';
import { examplesGallery, examplesSection } from '../render/examples-gallery.js';
import { renderReport } from '../render/html-report.js';
import type { FloatImage } from '../render/image.js';

/** `--method` names and the registry entries they run. */
const METHOD_IDS: Readonly<Record<string, string>> = {
  neighbours: 'nearest-neighbours',
  influence: 'influence-function',
  arnoldi: 'arnoldi-influence',
  tracin: 'tracin',
  'tracin-fast': 'tracin-fast',
  prototypes: 'mmd-critic',
  protodash: 'protodash',
  representer: 'representer-points',
};

/** `--data`: bundled:mnist[:N], bundled:penguins[:N], or a .npy/.json/.csv file (tables: --label-column). */
export function loadExamplesData(spec: string, labelColumn?: string): Dataset {
  const m = /^bundled:(mnist|penguins)(?::(\d+))?$/.exec(spec);
  if (m) return bundledDataset(m[1] as 'mnist' | 'penguins', m[2] ? Number(m[2]) : undefined);
  if (spec.startsWith('bundled:')) throw new LumenError('option', `--data ${spec}: expected bundled:mnist[:N] or bundled:penguins[:N]`);
  return datasetFromFile(spec, labelColumn ? { labelColumn } : {});
}

interface ExamplesFlags extends InputFlags, ModelFlags, Omit<ExamplesJobFlags, 'queries' | keyof ModelFlags> {
  readonly model: string;
  readonly data: string;
  readonly input?: string;
  readonly queries?: string;
  readonly method: string;
  readonly layer?: string;
  readonly k?: string;
  readonly metric?: string;
  readonly index?: string;
  readonly checkpoints?: string;
  readonly layers?: string;
  readonly labelColumn?: string;
  readonly json?: boolean;
  readonly out?: string;
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
    .option('--input <file>', 'the rows to explain (ignored by --method prototypes); or --queries for a dataset job')
    .option('--queries <dataset>', 'explain every row of a dataset as a job written by shard to --out <folder> (neighbours, influence, arnoldi, tracin, tracin-fast): bundled:mnist[:N], a folder of images, a .csv/.json table or .npy tensor')
    .option('--method <name>', `one of ${Object.keys(METHOD_IDS).join(', ')}`, 'neighbours')
    .option('--layer <name>', "neighbours/prototypes: the layer compared ('input': the raw rows); tracin-fast: the final dense layer")
    .option('--k <n>', 'examples per input row', '5')
    .option('--layers <names>', 'influence/tracin: comma-separated layers whose parameters are used (default: all dense layers)')
    .option('--metric <name>', 'neighbours: cosine, l2 or dot', 'cosine')
    .option('--index <name>', 'neighbours: exact, hnsw (approximate HNSW graph; cosine or l2) or auto (hnsw above 100,000 rows)', 'auto')
    .option('--checkpoints <path>', 'tracin/tracin-fast: training checkpoints — a JSON list [{"path", "learningRate"}] or a folder of model folders/files (with checkpoints.json for learning rates); default: the model as it is')
    .option('--label-column <name>', 'a .csv table: the column with the labels')
    .option('--json', 'print the examples explanation as JSON')
    .option('--out <file>', 'write the explanation: .json, a gallery .png (image models) or an .html report (galleries, tables); with --queries, the job folder')
    .option('--opt <name=value>', '--queries: a method option (repeatable), e.g. solver=cg, hessianReg=0.01, projectionDim=20', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--target <which>', "--queries: the class whose loss is used, 'label' (default when the queries have labels) or 'predicted'")
    .option('--self-influence', '--queries: also write each query row\'s self-influence')
    .option('--seed <n>', '--queries: seed of the job (TracIn projection, Arnoldi start, LiSSA draws per shard)')
    .option('--batch-size <n>', '--queries: rows per model call, queries and training rows (default 32)')
    .option('--shard-size <n>', '--queries: queries per shard, a multiple of the batch size (default 256)')
    .option('--shard <k/n>', '--queries: run only shards k-1 mod n')
    .option('--resume', '--queries: skip finished shards of the job in --out')
    .option('--redis <url>', '--queries: enqueue the shards on BullMQ for lumen worker instead of running them here')
    .option('--queue <name>', '--queries --redis: the BullMQ queue name'))
    .action(async (opts: ExamplesFlags) => {
      const id = METHOD_IDS[opts.method];
      check(id !== undefined, 'option', () => `--method must be one of ${Object.keys(METHOD_IDS).join(', ')}; found '${opts.method}'`);
      if (opts.queries !== undefined) {
        check(opts.input === undefined, 'option', () => '--input and --queries: give one (--queries runs a dataset job)');
        await runExamplesJobFlags(program, { ...opts, queries: opts.queries }, id);
        return;
      }
      check(opts.input !== undefined, 'option', () => '--input <file>: the rows to explain (or --queries <dataset> for a dataset job)');
      const input = opts.input;
      const k = parseIntegerFlag('--k', opts.k ?? '5', 1);
      check(!opts.out || /\.(json|png|html)$/i.test(opts.out), 'option', () => `--out: expected a .json, .png or .html file; found '${opts.out}'`);
      await withBackend(program);
      const loaded = withLabels(await loadModelSpec(opts.model, modelSpecOptions(opts)), opts.labels);
      check(!opts.out?.toLowerCase().endsWith('.png') || isImageModel(loaded), 'option', () => '--out .png draws image galleries; this model does not take images (use .html or .json)');
      const data = loadExamplesData(opts.data, opts.labelColumn);
      const { batch } = loadModelInput(loaded, input, inputOptions(opts));
      let checkpoints: Checkpoint[] = [];
      try {
        if (opts.checkpoints !== undefined) {
          check(id === 'tracin' || id === 'tracin-fast', 'option', () => `--checkpoints: only --method tracin or tracin-fast takes checkpoints; found --method ${opts.method}`);
          checkpoints = await loadCheckpointFiles(loaded.model, opts.checkpoints, modelSpecOptions(opts));
        }
        const method = methodById(id);
        if (method.scope !== 'global') throw new LumenError('method', `'${id}' is not an example-based method`);
        const layer = opts.layer ?? (id === 'nearest-neighbours' ? loaded.model.layers.at(-2)?.name ?? 'input' : undefined);
        // Per-example gradients exist for dense layers: by default those (a CNN's classifier head).
        const params = loaded.model.parameters ?? [];
        const dense = [...new Set(params.filter((p) => p.role === 'kernel' || p.role === 'kernel-out-in').map((p) => p.layer))];
        const layers = opts.layers ?? (params.some((p) => p.role === 'other') && dense.length ? dense.join(',') : undefined);
        if (!opts.layers && layers && (id === 'tracin' || id === 'influence-function' || id === 'arnoldi-influence')) process.stderr.write(`note: using the parameters of the dense layers ${layers} (--layers to choose)\n`);
        const explanation = (await method.run(loaded.model, data, { input: batch, k, metric: opts.metric, index: opts.index, ...(checkpoints.length ? { checkpoints } : {}), ...(layer ? { layer } : {}), ...(layers ? { layers } : {}), onProgress: ({ done, total }) => process.stderr.write(`\r${done}/${total}`) })) as ExamplesExplanation;
        process.stderr.write('\n');
        if (opts.out) await writeExamplesOut(opts.out, explanation, loaded, data, batch);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(explanation)}\n`);
          return;
        }
        const rows = explanation.examples.map((e) => [e.query === undefined ? '–' : String(e.query), e.role ?? '', String(e.index), e.score.toPrecision(5)]);
        process.stdout.write(`${formatTable(['input row', 'role', 'training row', 'score'], rows)}\n`);
      } finally {
        checkpoints.forEach(disposeCheckpoint);
        tf.dispose(batch);
        loaded.dispose();
      }
    });
}

/** Whether the loaded model takes images [H, W, C] (galleries of pictures); otherwise rows are tables. */
function isImageModel(loaded: Awaited<ReturnType<typeof loadModelSpec>>): boolean {
  return loaded.kind === 'image' && loaded.model.inputShape.length === 3;
}

/** `--out`: the explanation as JSON, its gallery as PNG (image models), or an HTML report with the gallery or a table. */
async function writeExamplesOut(out: string, e: ExamplesExplanation, loaded: Awaited<ReturnType<typeof loadModelSpec>>, data: Dataset, queries: tf.Tensor): Promise<void> {
  if (out.toLowerCase().endsWith('.json')) {
    await writeFileAtomic(out, `${JSON.stringify(e)}\n`);
    return;
  }
  const rows = await datasetRowRecords(data, e.examples.map((r) => r.index));
  const label = (i: number): string => {
    const y = rows.get(i)?.y;
    return y === undefined ? '' : String(loaded.classNames?.[y] ?? y);
  };
  const shape = loaded.model.inputShape;
  const isImage = isImageModel(loaded);
  let galleryUri: string | undefined;
  const tableRows: { columns?: string[]; cells?: (i: number) => number[] } = {};
  if (isImage) {
    const [h, w, c] = shape as [number, number, number];
    const q = await queries.data();
    const per = h * w * c;
    const image = (i: number): FloatImage => ({ data: rows.get(i)?.x ?? new Float32Array(per), height: h, width: w, channels: c });
    const queryImage = (t: number): FloatImage => ({ data: q.subarray(t * per, (t + 1) * per), height: h, width: w, channels: c });
    const picture = examplesGallery(e, { image, queryImage, label, scale: w <= 32 ? 3 : 1 });
    if (out.toLowerCase().endsWith('.png')) {
      await writeFileAtomic(out, encodePng(picture));
      return;
    }
    galleryUri = pngDataUri(picture);
  } else {
    const width = rows.values().next().value?.x.length ?? 0;
    tableRows.columns = data.featureNames?.slice(0, width) as string[] | undefined ?? Array.from({ length: width }, (_, f) => `x${f}`);
    tableRows.cells = (i) => Array.from(rows.get(i)?.x ?? []);
  }
  const section = examplesSection(e, { label, ...tableRows, ...(galleryUri ? { galleryUri } : {}) });
  await writeFileAtomic(out, renderReport({ title: `Lumen: examples (${e.method})`, sections: [section] }));
}
