import path from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { robustnessReport } from '../adversarial/robustness-report.js';
import { LumenError } from '../core/errors.js';
import type { CurveExplanation } from '../core/explanation.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import { writeFileAtomic } from '../data/io.js';
import { curveSection } from '../render/explanation-sections.js';
import { renderReport } from '../render/html-report.js';
import { lineChartPng, lineChartSvg } from '../render/line-chart.js';
import { encodePng } from '../render/png.js';
import { withBackend } from './context.js';
import { loadDataset } from './load-dataset.js';
import { loadModelSpec } from './load-model.js';
import { modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG } from './model-flags.js';
import { parseIntegerFlag, parseNumberFlag } from './parse-number.js';
import { formatTable } from './table.js';

interface RobustnessFlags extends ModelFlags {
  model: string;
  data?: string;
  eps: string;
  attack: string;
  norm: string;
  steps: string;
  count: string;
  batchSize: string;
  iterations: string;
  lower: string;
  upper: string;
  json?: boolean;
  out?: string;
}

const OUT = ['.png', '.svg', '.html', '.json'];

/** Options every batch's report shares. */
interface BatchSettings {
  readonly epsilons: readonly number[];
  readonly attack: 'fgsm' | 'pgd';
  readonly norm: 'linf' | 'l2';
  readonly steps: number;
  readonly iterations: number;
  readonly bounds: readonly [number, number];
}

/**
 * The robustness report over the first `count` rows of `data`, batch by batch (each batch one
 * `robustnessReport`: all ε at once, then the bisection of the minimal ε): accuracies are the
 * pooled share of rows still classified as their label (the dataset's labels, else the clean
 * predictions), minimal ε concatenated in row order.
 */
export async function datasetRobustness(model: Model, data: Dataset, count: number, batchSize: number, s: BatchSettings): Promise<CurveExplanation> {
  const correct = new Array<number>(s.epsilons.length).fill(0);
  const minimal: (number | null)[] = [];
  const labels: number[] = [];
  let seen = 0;
  let label = '';
  for await (const batch of data.batches(batchSize)) {
    const take = Math.min(batch.x.shape[0], count - seen);
    const x = take < batch.x.shape[0] ? tf.tidy(() => batch.x.slice(0, take)) : batch.x;
    try {
      const y = batch.y && batch.y.rank === 1 ? Array.from(await batch.y.data(), Math.round).slice(0, take) : undefined;
      const r = await robustnessReport(model, x, {
        epsilons: s.epsilons, attack: s.attack, norm: s.norm, steps: s.steps, iterations: s.iterations, bounds: s.bounds,
        target: y ?? 'predicted', maxEpsilon: s.iterations > 0 ? Math.max(...s.epsilons) : 0,
      });
      r.curves[0].y.forEach((a, k) => { correct[k] += Math.round(a * take); });
      minimal.push(...((r.meta?.minimalEpsilon as (number | null)[] | undefined) ?? []));
      labels.push(...((r.meta?.labels as number[] | undefined) ?? []));
      label = r.curves[0].label;
    } finally {
      tf.dispose([x, batch.x, ...(batch.y ? [batch.y] : [])]);
    }
    seen += take;
    if (seen >= count) break;
  }
  if (seen === 0) throw new LumenError('input', 'lumen robustness: the dataset has no rows');
  return {
    kind: 'curve',
    method: 'robustness-report',
    xLabel: 'epsilon',
    yLabel: 'accuracy',
    curves: [{ label, x: [...s.epsilons], y: correct.map((c) => c / seen) }],
    meta: { attack: s.attack, norm: s.norm, steps: s.attack === 'pgd' ? s.steps : 1, examples: seen, correct, labels, minimalEpsilon: s.iterations > 0 ? minimal : null, maxEpsilon: Math.max(...s.epsilons) },
  };
}

/** The ε table (accuracy and robust rows per ε) and the minimal-ε summary. */
export function robustnessText(e: CurveExplanation): string {
  const c = e.curves[0];
  const correct = e.meta?.correct as readonly number[];
  const n = e.meta?.examples as number;
  const table = formatTable(['epsilon', 'accuracy', 'robust rows'], c.x.map((x, k) => [String(x), c.y[k].toFixed(4), `${correct[k]}/${n}`]));
  const minimal = e.meta?.minimalEpsilon as readonly (number | null)[] | null;
  if (!minimal) return table;
  const found = minimal.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const median = found.length ? found[Math.floor((found.length - 1) / 2)] : null;
  return `${table}\nminimal epsilon found for ${found.length} of ${n} rows (up to ${String(e.meta?.maxEpsilon)})${median !== null ? `; median ${median.toPrecision(4)}` : ''}`;
}

/**
 * `lumen robustness --model … [--data …] --eps 0,0.05,… [--attack fgsm|pgd] [--out curve.png|.svg|.html|.json] [--json]`:
 * accuracy under attack by ε (Madry et al. 2018's robustness curve) and each row's minimal ε.
 */
export function registerRobustness(program: Command): void {
  program
    .command('robustness')
    .description('accuracy under FGSM/PGD attack by ε over a dataset, and each row\'s minimal ε, as a table and a line chart')
    .requiredOption('--model <spec>', 'bundled:mnist, bundled:penguins, or a model file or directory (needs gradients)')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .option('--data <file>', "the rows (.npy/.json tensor with labels, .csv table); default: a bundled model's own held-out rows")
    .requiredOption('--eps <list>', 'comma-separated ε values, e.g. 0,0.05,0.1,0.2 (0 gives clean accuracy)')
    .option('--attack <name>', 'fgsm or pgd', 'fgsm')
    .option('--norm <linf|l2>', "PGD's ball", 'linf')
    .option('--steps <n>', 'PGD iterations (step 2.5·ε/steps)', '10')
    .option('--count <n>', 'the first n rows of the data', '100')
    .option('--batch-size <n>', 'rows per batch', '32')
    .option('--iterations <n>', 'bisection steps of the minimal ε per row (0: skip it)', '20')
    .option('--lower <lo>', 'lower end of the data range', '0')
    .option('--upper <hi>', 'upper end of the data range', '1')
    .option('--json', 'print the curve record as JSON')
    .option('--out <file>', 'also write the line chart (.png, .svg), an HTML report (.html) or the record (.json)')
    .action(async (flags: RobustnessFlags) => {
      const epsilons = flags.eps.split(',').map((t) => parseNumberFlag('--eps', t, 0));
      if (flags.attack !== 'fgsm' && flags.attack !== 'pgd') throw new LumenError('option', `lumen robustness: --attack must be fgsm or pgd; found '${flags.attack}'`);
      if (flags.norm !== 'linf' && flags.norm !== 'l2') throw new LumenError('option', `lumen robustness: --norm must be linf or l2; found '${flags.norm}'`);
      const ext = flags.out ? path.extname(flags.out).toLowerCase() : undefined;
      if (ext !== undefined && !OUT.includes(ext)) throw new LumenError('option', `lumen robustness: --out must end in ${OUT.join(', ')}; found '${flags.out}'`);
      const settings: BatchSettings = {
        epsilons, attack: flags.attack, norm: flags.norm,
        steps: parseIntegerFlag('--steps', flags.steps, 1),
        iterations: parseIntegerFlag('--iterations', flags.iterations, 0, 60),
        bounds: [parseNumberFlag('--lower', flags.lower), parseNumberFlag('--upper', flags.upper)],
      };
      const count = parseIntegerFlag('--count', flags.count, 1);
      const batchSize = parseIntegerFlag('--batch-size', flags.batchSize, 1);
      await withBackend(program);
      const loaded = await loadModelSpec(flags.model, modelSpecOptions(flags));
      try {
        const data = await loadDataset(loaded, flags.data, 'robustness');
        const e = await datasetRobustness(loaded.model, data, count, batchSize, settings);
        if (flags.out) {
          const chart = { title: `accuracy under ${flags.attack} of ${loaded.spec}`, xLabel: e.xLabel, yLabel: e.yLabel };
          const bytes = ext === '.json' ? `${JSON.stringify(e, null, 2)}\n`
            : ext === '.svg' ? lineChartSvg(e.curves, chart)
              : ext === '.html' ? renderReport({ title: chart.title, sections: [curveSection(e)] })
                : encodePng(lineChartPng(e.curves, chart));
          await writeFileAtomic(flags.out, bytes);
        }
        process.stdout.write(flags.json ? `${JSON.stringify(e)}\n` : `${robustnessText(e)}\n`);
      } finally {
        loaded.dispose();
      }
    });
}
