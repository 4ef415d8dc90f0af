import path from 'node:path';
import type { Command } from 'commander';
import { check } from '../core/errors.js';
import { ensureWritableDir, writeFileAtomic } from '../data/io.js';
import { parseIntegerFlag } from './parse-number.js';
import { groundTruthData, type GroundTruthData } from '../metrics/benchmark/ground-truth-data.js';
import { benchmarkApplies, GROUND_TRUTH_METRICS, groundTruthBenchmark, type GroundTruthBenchmarkResult } from '../metrics/benchmark/ground-truth-benchmark.js';
import { METHODS } from '../methods.js';
import { barChartSvg } from '../render/bar-chart.js';
import { renderReport, type ReportFigure, type ReportSection } from '../render/html-report.js';
import { upscaleNearest } from '../render/image.js';
import { pngDataUri } from '../render/png.js';
import { withBackend } from './context.js';
import { heatmapPanel, imageToRgba } from './figures.js';
import { loadModelSpec } from './load-model.js';
import { formatTable } from './table.js';

/** Images whose maps the HTML report shows per method. */
const SHOWN = 4;

const fmt = (v: number): string => (Number.isFinite(v) ? v.toPrecision(3) : 'n/a');

/** The HTML report of a ground-truth benchmark: accuracies, ranking table, bar charts, example maps. */
export function benchmarkReport(r: GroundTruthBenchmarkResult, data: GroundTruthData, model: string): string {
  const s = data.size;
  const scale = 4;
  const img = (arr: ArrayLike<number>, i: number) => upscaleNearest(imageToRgba({ data: Array.prototype.slice.call(arr, i * s * s, (i + 1) * s * s) as number[], width: s, height: s }), scale);
  const shown = Math.min(SHOWN, data.count);
  const sections: ReportSection[] = [
    {
      title: 'What the model uses',
      text: `Accuracy on the ${r.examples} images: ${fmt(r.accuracy.images)}; with the digit removed (chance is 0.1): ${fmt(r.accuracy.withoutRegion)}; with the distractors removed: ${fmt(r.accuracy.withoutDistractors)}. The digit's box is the evidence the model really uses; a faithful method puts its relevance there, not on the distractor shapes.`,
    },
    {
      title: 'Ranking',
      text: 'Mean score over the images and rank per metric (1 = best). The last row is the share of relevance on the distractors (lower is better). Attributions are scored by magnitude.',
      table: {
        columns: ['metric', 'better', ...r.methods],
        rows: r.metrics.map((m) => [m.title, m.direction, ...r.methods.map((id) => {
          const x = m.results.find((t) => t.method === id);
          return x ? `${fmt(x.aggregate)} (#${x.rank})` : '–';
        })]).concat([['mean rank', 'lower', ...r.methods.map((id) => r.meanRank[id].toFixed(2))]]),
      },
    },
    {
      title: 'Scores per metric',
      figures: r.metrics.map((m) => ({
        svg: barChartSvg(m.results.map((t) => t.method), m.results.map((t) => (Number.isFinite(t.aggregate) ? t.aggregate : 0)), { title: m.title }),
        caption: m.title, note: `${m.direction} is better`,
      })),
    },
    {
      title: 'Examples',
      text: 'Each image, the mask of its digit (the evidence) and each method\'s map of the true label.',
      figures: Array.from({ length: shown }, (_, i): ReportFigure[] => [
        { image: pngDataUri(img(data.images, i)), caption: `image ${i}: label ${data.labels[i]}`, pixelated: true },
        { image: pngDataUri(img(data.regions, i)), caption: `image ${i}: evidence`, pixelated: true },
        ...r.methods.filter((id) => r.maps[id]).map((id) => ({
          image: pngDataUri(heatmapPanel({ data: r.maps[id][i], width: s, height: s }, 'all', scale).panel), caption: `image ${i}: ${id}`, pixelated: true,
        })),
      ]).flat(),
    },
  ];
  if (r.skipped.length) sections.push({ title: 'Skipped', table: { columns: ['method', 'reason'], rows: r.skipped.map((k) => [k.method, k.reason]) } });
  return renderReport({ title: 'Lumen ground-truth benchmark', intro: `Model ${model}; ${r.examples} generated images (a digit on clutter with distractor shapes).`, sections });
}

/**
 * The demo's section on the ground-truth benchmark: `bundled:groundtruth` on `count` images with
 * the applicable methods (only `methods` when given), as a ranking table.
 */
export async function benchmarkDemoSection(count = 16, methods?: readonly string[]): Promise<ReportSection> {
  const loaded = await loadModelSpec('bundled:groundtruth');
  try {
    const ids = METHODS.filter((m) => benchmarkApplies(m) && (!methods || methods.includes(m.id))).map((m) => m.id);
    const data = groundTruthData(count, { seed: 0 });
    const r = await groundTruthBenchmark(loaded.model, data, { methods: ids, seed: 0 });
    const order = [...r.methods].sort((a, b) => r.meanRank[a] - r.meanRank[b]);
    return {
      title: 'Ground truth: which method finds the evidence the model uses',
      text: `bundled:groundtruth on ${count} generated images (an MNIST digit decides the label; two distractor shapes do not). Accuracy ${fmt(r.accuracy.images)}, without the digit ${fmt(r.accuracy.withoutRegion)} (chance 0.1). Localisation metrics against the digit's box; the last column is the share of relevance on the distractors (lower is better). \`lumen benchmark --out dir\` gives the full report.`,
      table: {
        columns: ['method', 'mean rank', ...r.metrics.map((m) => m.id)],
        rows: order.map((id) => [id, r.meanRank[id].toFixed(2), ...r.metrics.map((m) => fmt(m.results.find((t) => t.method === id)?.aggregate ?? NaN))]),
      },
    };
  } finally {
    loaded.dispose();
  }
}

/** `lumen benchmark [--model bundled:groundtruth] [--n 16] [--methods …] [--metrics …] [--json] [--out dir]`. */
export function registerBenchmark(program: Command): void {
  program
    .command('benchmark')
    .description('ground-truth benchmark: which attribution method finds the evidence the model really uses (localisation metrics on generated images)')
    .option('--model <spec>', 'a model of [32,32,1] images trained on the benchmark', 'bundled:groundtruth')
    .option('--n <count>', 'generated held-out images (every method on each: about 2 min for 16 on 2 cores)', '16')
    .option('--methods <ids>', 'comma-separated method ids (default: every local image method that needs no layer)')
    .option('--metrics <ids>', `comma-separated localisation metric ids (default ${GROUND_TRUTH_METRICS.join(',')})`)
    .option('--seed <n>', 'seed of the images and of every random draw', '0')
    .option('--json', 'print every score as JSON')
    .option('--out <dir>', 'write index.html and benchmark.json there')
    .action(async (opts: { model: string; n: string; methods?: string; metrics?: string; seed: string; json?: boolean; out?: string }) => {
      const n = parseIntegerFlag('--n', opts.n, 1, 2000);
      const seed = parseIntegerFlag('--seed', opts.seed);
      if (opts.out) ensureWritableDir(opts.out, '--out');
      await withBackend(program);
      const loaded = await loadModelSpec(opts.model);
      try {
        const split = (t: string): string[] => t.split(',').map((u) => u.trim()).filter(Boolean);
        const data = groundTruthData(n, { seed });
        const log = opts.json ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
        const r = await groundTruthBenchmark(loaded.model, data, {
          methods: opts.methods ? split(opts.methods) : undefined, metrics: opts.metrics ? split(opts.metrics) : undefined, seed, log, keepMaps: opts.out ? SHOWN : 0,
        });
        const { maps: _maps, ...scores } = r;
        if (opts.out) {
          await writeFileAtomic(path.join(opts.out, 'benchmark.json'), `${JSON.stringify({ model: opts.model, ...scores }, null, 2)}\n`);
          await writeFileAtomic(path.join(opts.out, 'index.html'), benchmarkReport(r, data, opts.model));
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ model: opts.model, ...scores }, null, 2)}\n`);
          return;
        }
        process.stdout.write(`accuracy ${fmt(r.accuracy.images)}; without the digit ${fmt(r.accuracy.withoutRegion)}; without the distractors ${fmt(r.accuracy.withoutDistractors)} (${r.examples} images)\n\n`);
        const rows = r.metrics.map((m) => [m.id, m.direction, ...r.methods.map((id) => {
          const x = m.results.find((t) => t.method === id);
          return x ? `${fmt(x.aggregate)} #${x.rank}` : '–';
        })]);
        process.stdout.write(`${formatTable(['metric', 'better', ...r.methods], rows)}\n\n`);
        const order = [...r.methods].sort((a, b) => r.meanRank[a] - r.meanRank[b]);
        for (const id of order) process.stdout.write(`${id}: mean rank ${r.meanRank[id].toFixed(2)} of ${r.methods.length}\n`);
        for (const k of r.skipped) process.stdout.write(`skipped ${k.method}: ${k.reason}\n`);
        if (opts.out) process.stdout.write(`\nreport: ${path.join(opts.out, 'index.html')}\n`);
      } finally {
        loaded.dispose();
      }
    });
}
