import type { Command } from 'commander';
import { tcav } from '../concepts/tcav.js';
import { tcavExplanation } from '../concepts/tcav-explanation.js';
import type { ConceptsExplanation } from '../core/explanation.js';
import { LumenError } from '../core/errors.js';
import { writeFileAtomic } from '../data/io.js';
import { encodePng } from '../render/png.js';
import { significanceStars, tcavPng, tcavSvg } from '../render/tcav-figure.js';
import { conceptDataset, datasetPool } from './concept-sets.js';
import { withBackend } from './context.js';
import { loadModelSpec } from './load-model.js';
import { isDecimalText, parseIntegerFlag } from './parse-number.js';
import { formatTable } from './table.js';

interface TcavFlags {
  model: string; layer: string; concept: string[]; random: string; data: string; class: string;
  runs: string; count: string; classifier: string; correction: string; alpha: string; seed: string;
  json?: boolean; out?: string;
}

/** The TCAV table as the terminal shows it: concept, score ± std, magnitude, CAV accuracy, p, significance. */
export function tcavTable(e: ConceptsExplanation): string {
  const m = e.meta ?? {};
  const col = (k: string, i: number): number => (Array.isArray(m[k]) ? Number((m[k] as number[])[i]) : NaN);
  const rows = e.scores.map((s, i) => [s.concept, `${s.score.toFixed(3)} ± ${col('std', i).toFixed(3)}`, col('magnitude', i).toFixed(3), col('cavAccuracy', i).toFixed(3), (s.pValue ?? NaN).toExponential(2), significanceStars(s.pValue) || 'no']);
  rows.push(['(random)', `${Number(m.randomMean).toFixed(3)} ± ${Number(m.randomStd).toFixed(3)}`, '', Number(m.randomCavAccuracy).toFixed(3), '', '']);
  return formatTable(['concept', 'TCAV score', 'magnitude', 'CAV accuracy', `p (${m.correction})`, 'significant'], rows);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `lumen tcav`: TCAV (Kim et al. 2018) of concepts for a class at a layer, as a table, JSON, PNG or SVG. */
export function registerTcav(program: Command): void {
  program
    .command('tcav')
    .description('TCAV: how much each concept steers a class at a layer, tested against random-vs-random runs')
    .requiredOption('--model <spec>', 'bundled:concepts, or a model file or directory whose layers can be differentiated')
    .requiredOption('--layer <name>', "the layer of the CAVs ('input' for the input)")
    .requiredOption('--concept <spec>', 'a folder of concept images, or shapes:CONCEPT (concept-shapes images containing it); repeat for several', collect, [])
    .option('--random <spec>', 'the random pool: a folder of images or shapes:random', 'shapes:random')
    .option('--data <spec>', "the class's examples: a folder of images or shapes:random (labelled; other classes are left out)", 'shapes:random')
    .option('--class <k>', 'the class whose logit is differentiated', '1')
    .option('--runs <n>', 'runs against different random sets', '10')
    .option('--count <n>', 'images per shapes: set (the random pool and the data get 4×)', '50')
    .option('--classifier <name>', 'logistic or svm', 'logistic')
    .option('--correction <name>', 'none, bonferroni or holm', 'none')
    .option('--alpha <a>', 'significance level', '0.05')
    .option('--seed <n>', 'seed of the generated sets, the random draws and the splits', '0')
    .option('--json', 'print the concepts explanation as JSON')
    .option('--out <file>', 'write the explanation (.json) or a bar chart with error bars (.png, .svg)')
    .action(async (flags: TcavFlags) => {
      const what = 'lumen tcav';
      if (flags.out && !/\.(json|png|svg)$/i.test(flags.out)) throw new LumenError('option', `${what}: --out must end in .json, .png or .svg; found '${flags.out}'`);
      if (!['logistic', 'svm'].includes(flags.classifier)) throw new LumenError('option', `${what}: --classifier must be logistic or svm; found '${flags.classifier}'`);
      if (!['none', 'bonferroni', 'holm'].includes(flags.correction)) throw new LumenError('option', `${what}: --correction must be none, bonferroni or holm; found '${flags.correction}'`);
      const alpha = Number(flags.alpha);
      if (!isDecimalText(flags.alpha) || !(alpha > 0 && alpha < 1)) throw new LumenError('option', `${what}: --alpha must be in (0, 1); found '${flags.alpha}'`);
      const runs = parseIntegerFlag('--runs', flags.runs, 2);
      const count = parseIntegerFlag('--count', flags.count, 2);
      const seed = parseIntegerFlag('--seed', flags.seed, 0);
      const cls = parseIntegerFlag('--class', flags.class, 0);
      await withBackend(program);
      const loaded = await loadModelSpec(flags.model);
      const pool = datasetPool();
      try {
        const shape = loaded.model.inputShape;
        const concepts = flags.concept.map((c, i) => conceptDataset(c, shape, count, seed + 101 + i, pool, '--concept'));
        const random = conceptDataset(flags.random, shape, 4 * count, seed + 1, pool, '--random').data;
        const data = conceptDataset(flags.data, shape, 4 * count, seed + 2, pool, '--data').data;
        const r = await tcav(loaded.model, data, { layer: flags.layer, class: cls, concepts, random, runs, classifier: flags.classifier as 'logistic' | 'svm', correction: flags.correction as 'none', alpha, seed });
        const e = tcavExplanation(r, loaded.classNames?.[cls]);
        if (flags.out) {
          const lower = flags.out.toLowerCase();
          await writeFileAtomic(flags.out, lower.endsWith('.png') ? encodePng(tcavPng(e)) : lower.endsWith('.svg') ? tcavSvg(e) : `${JSON.stringify(e)}\n`);
        }
        if (flags.json) process.stdout.write(`${JSON.stringify(e)}\n`);
        else process.stdout.write(`${tcavTable(e)}\nclass ${e.scores[0]?.class} at ${r.layer}: ${r.classExamples} examples, ${r.runs} runs, random sets of ${r.randomSetSize}, ${r.classifier} CAVs${flags.out ? ` → ${flags.out}` : ''}\n`);
      } finally {
        pool.dispose();
        loaded.dispose();
      }
    });
}
