import type { Command } from 'commander';
import { LumenError } from '../core/errors.js';
import { isDecimalText, parseIntegerFlag } from './parse-number.js';
import type { ConceptsExplanation } from '../core/explanation.js';
import { writeFileAtomic } from '../data/io.js';
import { dissectionExplanation } from '../dissection/dissection-explanation.js';
import { maskFolderDataset } from '../dissection/mask-folder-dataset.js';
import { networkDissection, type ConceptMaskDataset } from '../dissection/network-dissection.js';
import { shapesMaskDataset } from '../dissection/shapes-mask-dataset.js';
import { defaultSpatialLayer } from '../featureviz/default-layer.js';
import { dissectionPng, dissectionSection } from '../render/dissection-figure.js';
import { renderReport } from '../render/html-report.js';
import { encodePng } from '../render/png.js';
import { withBackend } from './context.js';
import { loadModelSpec } from './load-model.js';
import { formatTable } from './table.js';

interface DissectFlags {
  model: string;
  layer?: string;
  data: string;
  count: string;
  seed: string;
  quantile: string;
  json?: boolean;
  out?: string;
}


/** The unit table as the terminal shows it: unit, best concept, IoU, detector. */
export function dissectionTable(e: ConceptsExplanation): string {
  const thr = typeof e.meta?.detectorThreshold === 'number' ? e.meta.detectorThreshold : 0.04;
  return formatTable(['unit', 'best concept', 'IoU', 'detector'], e.scores.map((s) => [s.layer ?? '–', s.concept, s.score.toFixed(4), s.score > thr ? 'yes' : 'no']));
}

/** `lumen dissect`: network dissection (Bau et al. 2017) of a layer over images with concept masks, as a table, JSON, PNG or HTML. */
export function registerDissect(program: Command): void {
  program
    .command('dissect')
    .description('network dissection: each unit of a layer labelled by the concept whose masks its top-0.5 % activations match best (IoU)')
    .requiredOption('--model <spec>', 'bundled:concepts, or a model file or directory whose layers can be captured')
    .option('--layer <name>', 'the layer to dissect (default the last non-pooling layer with maps [H, W, C])')
    .option('--data <spec>', 'images with pixel-level concept masks: bundled:concept-shapes, or a folder DIR with DIR/images/NAME.png and DIR/masks/CONCEPT/NAME.png', 'bundled:concept-shapes')
    .option('--count <n>', 'images of bundled:concept-shapes', '200')
    .option('--seed <n>', 'seed of bundled:concept-shapes', '0')
    .option('--quantile <q>', "share of a unit's activations above its threshold (the paper's 0.005)", '0.005')
    .option('--json', 'print the concepts explanation as JSON')
    .option('--out <file>', 'write the explanation (.json), a bar chart (.png) or a report (.html)')
    .action(async (flags: DissectFlags) => {
      if (flags.data.startsWith('bundled:') && flags.data !== 'bundled:concept-shapes') throw new LumenError('option', `lumen dissect: --data must be bundled:concept-shapes (the bundled images with concept masks) or a folder of images and masks; found '${flags.data}'`);
      if (flags.out && !/\.(json|png|html)$/i.test(flags.out)) throw new LumenError('option', `lumen dissect: --out must end in .json, .png or .html; found '${flags.out}'`);
      const count = parseIntegerFlag('--count', flags.count, 1);
      const seed = parseIntegerFlag('--seed', flags.seed, 0);
      const quantile = Number(flags.quantile);
      if (!isDecimalText(flags.quantile) || !(quantile > 0 && quantile < 1)) throw new LumenError('option', `lumen dissect: --quantile must be in (0, 1); found '${flags.quantile}'`);
      await withBackend(program);
      const loaded = await loadModelSpec(flags.model);
      try {
        const m = loaded.model;
        let data: ConceptMaskDataset;
        if (flags.data === 'bundled:concept-shapes') {
          if (m.inputShape.join('x') !== '32x32x3') throw new LumenError('shape', `lumen dissect: bundled:concept-shapes images are [32, 32, 3]; ${loaded.spec} takes [${m.inputShape}]`);
          data = shapesMaskDataset(count, seed);
        } else {
          const [h, w, c] = m.inputShape;
          if (m.inputShape.length !== 3 || ![1, 3].includes(c)) throw new LumenError('shape', `lumen dissect --data ${flags.data}: a folder of images needs a model of images [H, W, 1 or 3]; ${loaded.spec} takes [${m.inputShape}]`);
          data = maskFolderDataset(flags.data, { size: [h, w], grayscale: c === 1 });
        }
        const layer = flags.layer ?? defaultSpatialLayer(m, 'lumen dissect');
        const e = dissectionExplanation(await networkDissection(m, data, layer, { quantile }));
        if (flags.out) {
          const lower = flags.out.toLowerCase();
          const body = lower.endsWith('.png')
            ? encodePng(dissectionPng(e))
            : lower.endsWith('.html')
              ? renderReport({ title: `network dissection: ${loaded.spec}, ${layer}`, sections: [dissectionSection(e, `Network dissection · ${layer} · ${data.size} images`)] })
              : `${JSON.stringify(e)}\n`;
          await writeFileAtomic(flags.out, body);
        }
        if (flags.json) process.stdout.write(`${JSON.stringify(e)}\n`);
        else process.stdout.write(`${dissectionTable(e)}\n${e.meta?.detectors} of ${e.scores.length} units are detectors (IoU > 0.04)${flags.out ? ` → ${flags.out}` : ''}\n`);
      } finally {
        loaded.dispose();
      }
    });
}
