import type { Command } from 'commander';
import { writeFileAtomic } from '../data/io.js';
import { LumenError } from '../core/errors.js';
import type { Explanation, FairnessExplanation } from '../core/explanation.js';
import { fairnessReport } from '../fairness/fairness-report.js';
import type { FairnessConvention } from '../fairness/disparities.js';
import { fairnessPng, fairnessSection, fairnessSvg, fairnessText } from '../render/fairness-table.js';
import { explanationSection } from '../render/explanation-section.js';
import { renderReport } from '../render/html-report.js';
import { encodePng } from '../render/png.js';
import { withBackend } from './context.js';
import { fairnessAnalyses } from './fairness-analyses.js';
import { loadDataset } from './load-dataset.js';
import { loadModelSpec } from './load-model.js';
import { modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG } from './model-flags.js';

interface FairnessFlags extends ModelFlags {
  model: string;
  data?: string;
  sensitive: string;
  privileged?: string;
  convention: string;
  positive?: string;
  threshold?: string;
  bootstrap: string;
  confidence: string;
  seed?: string;
  json?: boolean;
  out?: string;
  postprocess?: string;
  explainDisparity?: string;
  attributionDifference?: string;
}

function integer(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min) throw new LumenError('option', `lumen fairness: ${flag} must be an integer ≥ ${min}; found '${v}'`);
  return n;
}

function fraction(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new LumenError('option', `lumen fairness: ${flag} must be a number in [0, 1]; found '${v}'`);
  return n;
}

/** What `--out` writes: JSON (an array with the analyses), an HTML report, or the disparity chart as SVG or PNG. */
function outputBytes(e: FairnessExplanation, extra: readonly Explanation[], file: string, spec: string): string | Uint8Array {
  const ext = file.toLowerCase().slice(file.lastIndexOf('.'));
  if (ext === '.json') return `${JSON.stringify(extra.length > 0 ? [e, ...extra] : e, null, 2)}\n`;
  if (ext === '.html') return renderReport({ title: `Group fairness: ${spec}`, sections: [fairnessSection(e), ...extra.map((x) => explanationSection(x, { title: x.method }))] });
  if (ext === '.svg') return fairnessSvg(e);
  if (ext === '.png') return encodePng(fairnessPng(e));
  throw new LumenError('option', `lumen fairness: --out must end in .json, .html, .svg or .png; found '${file}'`);
}

/** `lumen fairness --model … --sensitive … [--privileged …] [--convention …] [--bootstrap N --seed S]`: the group fairness table. */
export function registerFairness(program: Command): void {
  program
    .command('fairness')
    .description("group fairness of a classifier's decisions across a sensitive attribute, with bootstrap intervals")
    .requiredOption('--model <spec>', 'bundled:penguins, a model file or directory, or onnxruntime:<file.onnx> (black box)')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .option('--data <file>', "the rows (.csv table, .npy/.json tensor with labels); default: a bundled model's own held-out rows")
    .requiredOption('--sensitive <name>', "the sensitive attribute: a feature name or index, or a one-hot prefix ('Sex' for Sex=…)")
    .option('--privileged <group>', "the privileged group (required by --convention aif360)")
    .option('--convention <name>', 'fairlearn (max − min over groups) or aif360 (unprivileged − privileged)', 'fairlearn')
    .option('--positive <class>', 'the favourable class (index or name); default 1 for a two-class model')
    .option('--threshold <p>', 'decide positive when P(positive) ≥ p (default: argmax)')
    .option('--bootstrap <n>', 'bootstrap resamples of the confidence intervals (0: none)', '0')
    .option('--confidence <c>', 'confidence level of the intervals', '0.95')
    .option('--seed <n>', 'seed of the bootstrap')
    .option('--postprocess <constraint>', 'also fit group thresholds (Hardt et al. 2016) under equalised-odds, equal-opportunity or demographic-parity: the accuracy–disparity curve and the exact rules')
    .option('--explain-disparity <metric>', "also the Shapley values of a disparity over the features, e.g. 'demographic parity difference'")
    .option('--attribution-difference <method>', 'also the mean attribution of a local method (e.g. kernel-shap) per group and its gap')
    .option('--json', 'print the explanation record as JSON (one line per record with the analyses)')
    .option('--out <file>', 'also write the record (.json), an HTML report (.html) or the disparity chart (.svg, .png)')
    .action(async (flags: FairnessFlags) => {
      if (flags.convention !== 'fairlearn' && flags.convention !== 'aif360') throw new LumenError('option', `lumen fairness: --convention must be fairlearn or aif360; found '${flags.convention}'`);
      const convention: FairnessConvention = flags.convention;
      if (flags.convention === 'aif360' && flags.privileged === undefined) throw new LumenError('option', 'lumen fairness: --convention aif360 needs --privileged <group>');
      const bootstrap = integer(flags.bootstrap, '--bootstrap', 0);
      const confidence = fraction(flags.confidence, '--confidence');
      const seed = flags.seed === undefined ? undefined : integer(flags.seed, '--seed', 0);
      const threshold = flags.threshold === undefined ? undefined : fraction(flags.threshold, '--threshold');
      const positiveClass = flags.positive === undefined ? undefined : /^\d+$/.test(flags.positive) ? Number(flags.positive) : flags.positive;
      const sensitive = /^\d+$/.test(flags.sensitive) ? Number(flags.sensitive) : flags.sensitive;
      await withBackend(program);
      const loaded = await loadModelSpec(flags.model, modelSpecOptions(flags));
      try {
        const data = await loadDataset(loaded, flags.data, 'fairness');
        const groupOptions = {
          sensitive,
          convention,
          bootstrap,
          confidence,
          ...(flags.privileged !== undefined ? { privileged: flags.privileged } : {}),
          ...(positiveClass !== undefined ? { positiveClass } : {}),
          ...(threshold !== undefined ? { threshold } : {}),
          ...(seed !== undefined ? { seed } : {}),
        };
        const e = await fairnessReport(loaded.model, data, groupOptions);
        const extra = await fairnessAnalyses(loaded.model, data, flags, groupOptions);
        if (flags.out) await writeFileAtomic(flags.out, outputBytes(e, extra.map((x) => x.explanation), flags.out, loaded.spec));
        const records = [e, ...extra.map((x) => x.explanation)];
        process.stdout.write(flags.json ? records.map((r) => `${JSON.stringify(r)}\n`).join('') : `${[fairnessText(e), ...extra.map((x) => x.text)].join('\n\n')}\n`);
      } finally {
        loaded.dispose();
      }
    });
}
