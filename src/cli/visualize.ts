import type { Command } from 'commander';
import { LumenError } from '../core/errors.js';
import { parseIntegerFlag } from './parse-number.js';
import type { ImagesExplanation } from '../core/explanation.js';
import { writeFileAtomic } from '../data/io.js';
import { featureVisualization } from '../featureviz/feature-visualization.js';
import { featureVisualizationImages } from '../featureviz/feature-visualization-images.js';
import { firstLayerFilters } from '../featureviz/first-layer-filters.js';
import { classObjective } from '../featureviz/objective.js';
import { visualizeChannels } from '../featureviz/visualize-channels.js';
import { loadMnistDecoder } from '../models/mnist-decoder.js';
import { renderReport } from '../render/html-report.js';
import { imagesGrid, imagesSection } from '../render/images-grid.js';
import { encodePng } from '../render/png.js';
import { withBackend } from './context.js';
import { loadModelSpec } from './load-model.js';
import { progressBar } from './progress.js';

interface VisualizeFlags {
  model: string;
  layer?: string;
  channels?: string;
  class?: string;
  filters?: boolean;
  generator?: string;
  steps: string;
  param: string;
  seed: string;
  json?: boolean;
  out?: string;
}


/** `lumen visualize`: feature visualisations (every channel of a layer, a class) or first-layer filters, as JSON, PNG or HTML. */
export function registerVisualize(program: Command): void {
  program
    .command('visualize')
    .description('feature visualisation: images that maximise every channel of a layer or a class logit, or the first-layer filters')
    .requiredOption('--model <spec>', 'bundled:mnist, bundled:concepts, a model file or directory (differentiable)')
    .option('--layer <name>', 'visualise every channel of this layer (one image per channel, one batch)')
    .option('--channels <list>', 'only these channels of --layer (comma-separated)')
    .option('--class <k>', 'visualise class k (its logit)')
    .option('--filters', 'show the first convolution\'s filters instead')
    .option('--generator <spec>', 'optimise in a generator\'s code space: bundled:mnist-decoder')
    .option('--steps <n>', 'Adam steps (Lucid: 512)', '512')
    .option('--param <basis>', 'fourier (Lucid) or pixels', 'fourier')
    .option('--seed <n>', 'seed of the initial image and the transforms', '0')
    .option('--json', 'print the images explanation as JSON')
    .option('--out <file>', 'write the explanation (.json), a grid (.png) or a report (.html)')
    .action(async (flags: VisualizeFlags) => {
      const modes = [flags.layer !== undefined, flags.class !== undefined, flags.filters === true].filter(Boolean).length;
      if (modes !== 1) throw new LumenError('option', 'lumen visualize: give exactly one of --layer, --class, --filters');
      if (flags.param !== 'fourier' && flags.param !== 'pixels') throw new LumenError('option', `lumen visualize: --param must be fourier or pixels; found '${flags.param}'`);
      if (flags.generator !== undefined && flags.generator !== 'bundled:mnist-decoder') throw new LumenError('option', `lumen visualize: --generator must be bundled:mnist-decoder; found '${flags.generator}'`);
      if (flags.out && !/\.(json|png|html)$/i.test(flags.out)) throw new LumenError('option', `lumen visualize: --out must end in .json, .png or .html; found '${flags.out}'`);
      const steps = parseIntegerFlag('--steps', flags.steps);
      const seed = parseIntegerFlag('--seed', flags.seed);
      const channels = flags.channels?.split(',').map((c) => parseIntegerFlag('--channels', c.trim()));
      const cls = flags.class !== undefined ? parseIntegerFlag('--class', flags.class) : undefined;
      await withBackend(program);
      const loaded = await loadModelSpec(flags.model);
      const gen = flags.generator ? await loadMnistDecoder() : undefined;
      const bar = progressBar('visualize');
      try {
        const common = { steps, seed, param: { basis: flags.param as 'fourier' | 'pixels' }, onProgress: bar.onProgress, ...(gen ? { generator: { decoder: gen.decoder } } : {}) };
        let e: ImagesExplanation;
        if (flags.filters) e = await firstLayerFilters(loaded.model);
        else if (flags.layer !== undefined) e = await visualizeChannels(loaded.model, flags.layer, { ...common, ...(channels ? { channels } : {}) });
        else {
          const r = await featureVisualization(loaded.model, classObjective(cls as number), common);
          try { e = await featureVisualizationImages(r, [`class ${cls}`]); } finally { r.dispose(); }
        }
        bar.stop();
        if (flags.out) {
          const lower = flags.out.toLowerCase();
          const body = lower.endsWith('.png') ? encodePng(imagesGrid(e)) : lower.endsWith('.html') ? renderReport({ title: `${e.method}: ${loaded.spec}`, sections: [imagesSection(e)] }) : `${JSON.stringify(e)}\n`;
          await writeFileAtomic(flags.out, body);
        }
        if (flags.json) process.stdout.write(`${JSON.stringify(e)}\n`);
        else process.stdout.write(`${e.method}: ${e.images.length} images (${e.images.map((i) => i.label).join(', ')})${flags.out ? ` → ${flags.out}` : ''}\n`);
      } finally {
        bar.stop();
        gen?.decoder.dispose?.();
        loaded.dispose();
      }
    });
}
