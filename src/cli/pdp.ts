import path from 'node:path';
import type { Command } from 'commander';
import type { CurveExplanation, CurveRecord } from '../core/explanation.js';
import { LumenError } from '../core/errors.js';
import { writeFileAtomic } from '../data/io.js';
import { tabularRows, tableColumn, featureIndices } from '../global/tabular-rows.js';
import { methodById } from '../methods.js';
import { curveSection } from '../render/explanation-sections.js';
import { renderReport } from '../render/html-report.js';
import { lineChartPng, lineChartSvg } from '../render/line-chart.js';
import { encodePng } from '../render/png.js';
import type { FeatureScale } from '../render/rules-text.js';
import { withBackend } from './context.js';
import { featureScales, loadDataset } from './load-dataset.js';
import { loadModelSpec } from './load-model.js';
import { parseTarget } from './method-options.js';
import { modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG } from './model-flags.js';
import { parseIntegerFlag } from './parse-number.js';
import { progressBar } from './progress.js';

interface PdpFlags extends ModelFlags {
  model: string;
  data?: string;
  feature: string[];
  method: 'pd' | 'ale';
  kind: 'average' | 'individual' | 'both';
  gridResolution?: string;
  target?: string;
  out?: string;
  json?: boolean;
}

/** A feature given as an index or a name. */
function featureOf(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** Curves with x shown in the feature's own units (a standardised column de-standardised). */
function scaled(curves: readonly CurveRecord[], scale: FeatureScale | undefined): CurveRecord[] {
  return scale ? curves.map((c) => ({ ...c, x: c.x.map((v) => v * scale.scale + scale.offset) })) : [...curves];
}

/** `lumen pdp --model … --feature f [--feature g] [--method pd|ale] [--kind …] [--out f.png|.svg|.json] [--json]`. */
export function registerPdp(program: Command): void {
  program
    .command('pdp')
    .description('partial dependence / ICE or ALE curves of a model over a tabular dataset, as a line chart with a rug (PNG/SVG) or JSON')
    .requiredOption('--model <spec>', 'bundled:penguins, a model file or directory, or onnxruntime:<file.onnx> (black box)')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .option('--data <file>', "the rows (.csv table, .npy/.json tensor); default: a bundled model's own held-out rows")
    .requiredOption('--feature <name>', 'a feature (name or index); twice for a two-feature PD', (v: string, acc: string[]) => [...acc, v], [])
    .option('--method <pd|ale>', "'pd' (partial dependence / ICE) or 'ale'", 'pd')
    .option('--kind <kind>', 'PD only: average, individual (ICE) or both', 'average')
    .option('--grid-resolution <n>', 'PD only: grid points per feature (default 100)')
    .option('--target <class>', 'the output (index or class name) to plot; default all')
    .option('--out <file>', 'write the chart (.png or .svg), an HTML report (.html) or the explanation record (.json)')
    .option('--json', 'print the explanation record as JSON')
    .action(async (flags: PdpFlags) => {
      if (flags.method !== 'pd' && flags.method !== 'ale') throw new LumenError('option', `lumen pdp: --method must be 'pd' or 'ale'; found '${flags.method}'`);
      const ext = flags.out ? path.extname(flags.out).toLowerCase() : undefined;
      if (ext !== undefined && !['.png', '.svg', '.json', '.html'].includes(ext)) throw new LumenError('option', `lumen pdp: --out must end in .png, .svg, .html or .json; found '${flags.out}'`);
      if (!flags.out && !flags.json) throw new LumenError('option', 'lumen pdp: give --out <file.png|.svg|.json> or --json');
      await withBackend(program);
      const loaded = await loadModelSpec(flags.model, modelSpecOptions(flags));
      const bar = progressBar(flags.method);
      try {
        const data = await loadDataset(loaded, flags.data, 'pdp');
        const features = flags.feature.map(featureOf);
        const target = flags.target === undefined ? undefined : parseTarget(flags.target, loaded.classNames ?? data.classNames);
        if (target !== undefined && typeof target !== 'number') throw new LumenError('option', `lumen pdp: --target must be one output (an index or a class name); found '${flags.target}'`);
        const method = methodById(flags.method === 'pd' ? 'partial-dependence' : 'ale');
        if (method.scope !== 'global') throw new LumenError('method', `lumen pdp: '${method.id}' is not a global method`);
        const options = {
          features,
          ...(flags.method === 'pd' ? { kind: flags.kind, ...(flags.gridResolution ? { gridResolution: parseIntegerFlag('--grid-resolution', flags.gridResolution, 2) } : {}) } : {}),
          ...(target !== undefined ? { target } : {}),
          onProgress: bar.onProgress,
        };
        const e = (await method.run(loaded.model, data, options)) as CurveExplanation;
        bar.stop();
        if (flags.json) process.stdout.write(`${JSON.stringify(e)}\n`);
        if (!flags.out) return;
        if (ext === '.json') {
          await writeFileAtomic(flags.out, `${JSON.stringify(e, null, 2)}\n`);
          return;
        }
        const table = await tabularRows(data, 'lumen pdp', 4096);
        const xFeature = featureIndices([features[features.length - 1]], data, 'lumen pdp')[0];
        const xName = data.featureNames?.[xFeature] ?? `feature ${xFeature}`;
        const scale = featureScales(loaded)[xName];
        const rug = Array.from(tableColumn(table, xFeature), (v) => (scale ? v * scale.scale + scale.offset : v));
        const chart = { title: `${e.method} of ${loaded.spec}`, xLabel: xName, yLabel: e.yLabel, rug };
        const curves = scaled(e.curves.filter((c) => c.feature === undefined || c.feature === xName), scale);
        if (ext === '.html') await writeFileAtomic(flags.out, renderReport({ title: chart.title, sections: [curveSection({ ...e, curves }, { rug })] }));
        else await writeFileAtomic(flags.out, ext === '.svg' ? lineChartSvg(curves, chart) : encodePng(lineChartPng(curves, chart)));
      } finally {
        bar.stop();
        loaded.dispose();
      }
    });
}
