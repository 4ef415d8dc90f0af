import type { Command } from 'commander';
import type { ActivationMatrix } from '../concepts/activation-matrix.js';
import { canonicalCorrelations } from '../concepts/cca.js';
import { layerActivations, datasetLabels } from '../concepts/layer-activations.js';
import { linearCka } from '../concepts/linear-cka.js';
import { linearProbes } from '../concepts/linear-probe.js';
import { layerNames } from '../concepts/registry.js';
import { svcca } from '../concepts/svcca.js';
import type { Dataset } from '../core/dataset.js';
import type { ConceptsExplanation, SimilarityExplanation } from '../core/explanation.js';
import { LumenError } from '../core/errors.js';
import { writeFileAtomic } from '../data/io.js';
import { barChartPng, barChartSvg } from '../render/bar-chart.js';
import { encodePng } from '../render/png.js';
import { similarityPng, similaritySvg } from '../render/tcav-figure.js';
import { conceptDataset, datasetPool, type DatasetPool } from './concept-sets.js';
import { withBackend } from './context.js';
import { loadDataset } from './load-dataset.js';
import { loadModelSpec, type LoadedModel } from './load-model.js';
import { parseIntegerFlag } from './parse-number.js';
import { formatTable } from './table.js';

interface CommonFlags { model: string; data?: string; layers?: string; count: string; seed: string; json?: boolean; out?: string }

async function commandData(loaded: LoadedModel, flags: CommonFlags, pool: DatasetPool, command: string): Promise<Dataset> {
  const count = parseIntegerFlag('--count', flags.count, 2);
  const seed = parseIntegerFlag('--seed', flags.seed, 0);
  const spec = flags.data ?? (loaded.bundled === 'concepts' ? 'shapes:random' : undefined);
  if (spec?.startsWith('shapes:')) return conceptDataset(spec, loaded.model.inputShape, count, seed, pool, '--data').data;
  return loadDataset(loaded, spec, command);
}

async function writeOut(out: string | undefined, json: string, png: () => Uint8Array, svg: () => string, command: string): Promise<void> {
  if (!out) return;
  const lower = out.toLowerCase();
  if (!/\.(json|png|svg)$/.test(lower)) throw new LumenError('option', `lumen ${command}: --out must end in .json, .png or .svg; found '${out}'`);
  await writeFileAtomic(out, lower.endsWith('.png') ? png() : lower.endsWith('.svg') ? svg() : json);
}

/** The similarity matrix as a text table (rows × columns, 3 decimals). */
export function similarityTable(e: SimilarityExplanation): string {
  return formatTable(['', ...e.columns], e.values.map((row, i) => [e.rows[i], ...row.map((v) => v.toFixed(3))]));
}

/** `lumen similarity` (CKA, SVCCA, CCA between a model's layers or two models' layers) and `lumen probe` (linear probes per layer). */
export function registerSimilarity(program: Command): void {
  const common = (c: Command): Command => c
    .requiredOption('--model <spec>', 'a bundled model, a model file or directory whose layers can be captured')
    .option('--data <spec>', 'the rows: a data file (as lumen explain reads it), shapes:random for bundled:concepts; default the bundled model\'s own rows')
    .option('--layers <list>', "comma-separated layers ('input' for the rows; default every layer)")
    .option('--count <n>', 'images of a shapes: dataset', '300')
    .option('--seed <n>', 'seed of a generated dataset (and of the probe split)', '0')
    .option('--json', 'print the explanation as JSON')
    .option('--out <file>', 'write the explanation (.json) or its figure (.png, .svg)');
  common(program.command('similarity').description('representation similarity (linear CKA, SVCCA or CCA) of every pair of layers, of one model or of two'))
    .option('--model2 <spec>', 'a second model: rows are the first model\'s layers, columns the second\'s')
    .option('--layers2 <list>', "the second model's layers (default every layer)")
    .option('--method <name>', 'linear-cka, svcca or cca', 'linear-cka')
    .option('--keep-dims <n>', 'SVCCA: singular directions kept per layer', '10')
    .action(async (flags: CommonFlags & { model2?: string; layers2?: string; method: string; keepDims: string }) => {
      if (!['linear-cka', 'svcca', 'cca'].includes(flags.method)) throw new LumenError('option', `lumen similarity: --method must be linear-cka, svcca or cca; found '${flags.method}'`);
      const keep = parseIntegerFlag('--keep-dims', flags.keepDims, 1);
      await withBackend(program);
      const loaded = await loadModelSpec(flags.model);
      const second = flags.model2 ? await loadModelSpec(flags.model2) : null;
      const pool = datasetPool();
      try {
        const data = await commandData(loaded, flags, pool, 'similarity');
        const rows = layerNames(loaded.model, flags.layers);
        const a = await layerActivations(loaded.model, data, rows, { what: 'lumen similarity' });
        const columns = second ? layerNames(second.model, flags.layers2) : rows;
        const b = second ? await layerActivations(second.model, data, columns, { what: 'lumen similarity (--model2)' }) : a;
        const f = (x: ActivationMatrix, y: ActivationMatrix): number => flags.method === 'linear-cka'
          ? linearCka(x, y)
          : flags.method === 'cca' ? canonicalCorrelations(x, y).mean : svcca(x, y, { keepDims: [Math.min(keep, x.cols), Math.min(keep, y.cols)] }).mean;
        const values = rows.map((r) => columns.map((c) => f(a[r], b[c])));
        const e: SimilarityExplanation = { kind: 'similarity', method: flags.method, rows: second ? rows.map((r) => `${loaded.spec}:${r}`) : rows, columns: second ? columns.map((c) => `${second.spec}:${c}`) : columns, values, meta: { rows: data.size } };
        await writeOut(flags.out, `${JSON.stringify(e)}\n`, () => encodePng(similarityPng(e)), () => similaritySvg(e), 'similarity');
        process.stdout.write(flags.json ? `${JSON.stringify(e)}\n` : `${similarityTable(e)}\n${flags.method} over ${data.size} rows${flags.out ? ` → ${flags.out}` : ''}\n`);
      } finally {
        pool.dispose();
        loaded.dispose();
        second?.dispose();
      }
    });
  common(program.command('probe').description('linear probes: a logistic regression per layer predicting the labels, held-out accuracy by depth'))
    .option('--C <c>', 'inverse L2 strength (scikit-learn\'s C)', '1')
    .action(async (flags: CommonFlags & { C: string }) => {
      const C = Number(flags.C);
      if (!(C > 0)) throw new LumenError('option', `lumen probe: --C must be a positive number; found '${flags.C}'`);
      await withBackend(program);
      const loaded = await loadModelSpec(flags.model);
      const pool = datasetPool();
      try {
        const data = await commandData(loaded, flags, pool, 'probe');
        const names = layerNames(loaded.model, flags.layers);
        const acts = await layerActivations(loaded.model, data, names, { what: 'lumen probe' });
        const labels = await datasetLabels(data, 'lumen probe');
        const probes = linearProbes(names, names.map((n) => acts[n]), labels, { C, seed: parseIntegerFlag('--seed', flags.seed, 0) });
        const e: ConceptsExplanation = { kind: 'concepts', method: 'linear-probe', scores: probes.map((p) => ({ concept: 'labels', layer: p.layer, score: p.heldoutAccuracy })), meta: { trainAccuracy: probes.map((p) => p.trainAccuracy), heldoutRows: probes[0]?.heldoutRows ?? 0 } };
        const title = 'held-out probe accuracy by layer';
        await writeOut(flags.out, `${JSON.stringify(e)}\n`, () => encodePng(barChartPng(names, e.scores.map((s) => s.score), { title })), () => barChartSvg(names, e.scores.map((s) => s.score), { title }), 'probe');
        const table = formatTable(['layer', 'units', 'train accuracy', 'held-out accuracy'], probes.map((p) => [p.layer, String(acts[p.layer].cols), p.trainAccuracy.toFixed(3), p.heldoutAccuracy.toFixed(3)]));
        process.stdout.write(flags.json ? `${JSON.stringify(e)}\n` : `${table}\n${probes[0]?.heldoutRows ?? 0} held-out rows${flags.out ? ` → ${flags.out}` : ''}\n`);
      } finally {
        pool.dispose();
        loaded.dispose();
      }
    });
}
