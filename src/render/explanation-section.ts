/**
 * One report section for any Explanation, dispatched on its `kind` (DESIGN.md: a new method needs a
 * new renderer only when it brings a new kind). Rules, trees, curves, examples, images and
 * fairness use their own renderers; TCAV concepts are bars with error bars and significance marks
 * over their table (other concept scores a table), similarity matrices (CKA, CCA, SVCCA) a heatmap
 * over their table; attacks on images a grid of the perturbed inputs labelled with the predictions
 * before -> after, other attacks a table (counterfactuals: a table of their changes before → after).
 */
import type { AttackExplanation, Explanation, ImageRecord } from '../core/explanation.js';
import { curveSection, rulesSection, treeSection } from './explanation-sections.js';
import { grid } from './grid.js';
import type { ReportFigure, ReportSection } from './html-report.js';
import { examplesSection } from './examples-gallery.js';
import { fairnessSection } from './fairness-table.js';
import { imageRecordRgba, imagesSection } from './images-grid.js';
import { pngDataUri } from './png.js';
import type { RulesTextOptions } from './rules-text.js';
import { similaritySvg, tcavSvg } from './tcav-figure.js';

/** Options of explanationSection: a title, feature scales for rules and trees, and a rug for curves. */
export interface ExplanationSectionOptions extends RulesTextOptions {
  readonly title?: string;
  readonly rug?: readonly number[];
}

function gridFigure(images: readonly ImageRecord[], caption: string): ReportFigure {
  const cols = Math.min(images.length, 8);
  const picture = grid(images.map(imageRecordRgba), { cols, labels: images.map((i) => i.label) });
  return { image: pngDataUri(picture), caption, width: Math.min(picture.width, 720) };
}

/** The perturbed inputs of an attack on images ([H, W, C] each), labelled with the predictions before -> after. */
function attackImages(e: AttackExplanation): ImageRecord[] | undefined {
  if (e.shape.length !== 3 || ![1, 3, 4].includes(e.shape[2])) return undefined;
  const per = e.shape[0] * e.shape[1] * e.shape[2];
  const shape = [e.shape[0], e.shape[1], e.shape[2]] as const;
  const count = Math.min(e.predictions.length, 16);
  return Array.from({ length: count }, (_, i) => ({ label: `${e.originalPredictions[i]} -> ${e.predictions[i]}`, shape, data: e.inputs.slice(i * per, (i + 1) * per) }));
}

/**
 * A counterfactual (an attack record with `meta.changes`, src/counterfactual/): per counterfactual
 * its class before → after, its distance and the changed features before → after, on the data's
 * own scale where `featureScales` are given.
 */
function counterfactualSection(e: AttackExplanation, title: string, options: RulesTextOptions): ReportSection {
  const changes = e.meta?.changes as unknown as readonly (readonly { feature: string; before: number; after: number }[])[];
  const shown = (feature: string, v: number): string => {
    const s = options.featureScales?.[feature];
    return String(Number((s ? v * s.scale + s.offset : v).toPrecision(options.digits ?? 4)));
  };
  const reached = e.predictions.filter((p, i) => p !== e.originalPredictions[i]).length;
  return {
    title,
    text: `${reached} of ${e.predictions.length} counterfactuals change the model's class.`,
    table: {
      columns: ['counterfactual', 'class', 'counterfactual class', 'distance (MAD-L1)', 'changes'],
      rows: e.predictions.slice(0, 40).map((p, i) => [i, e.originalPredictions[i], p, e.norms?.[i] ?? null,
        changes[i].map((c) => `${c.feature} ${shown(c.feature, c.before)} → ${shown(c.feature, c.after)}`).join('; ') || '–']),
    },
  };
}

/** A report section that shows `e` as its kind is shown: a figure where the kind has one, else a table. */
export function explanationSection(e: Explanation, options: ExplanationSectionOptions = {}): ReportSection {
  const title = options.title ?? e.method;
  switch (e.kind) {
    case 'rules':
      return rulesSection(e, options);
    case 'tree':
      return treeSection(e, options);
    case 'curve':
      return curveSection(e, options);
    case 'attribution':
      // One value per named feature (a dataset-level attribution, e.g. Shapley values of a disparity): a table.
      if (e.shape.length === 1 && e.featureNames) {
        const names = e.featureNames;
        const order = e.values.map((v, i) => i).sort((a, b) => Math.abs(e.values[b]) - Math.abs(e.values[a]));
        return { title, table: { columns: ['feature', 'value'], rows: order.map((i) => [names[i], e.values[i]]) } };
      }
      return { title, table: { columns: ['shape', 'targets', 'max |value|'], rows: [[e.shape.join('×'), e.target ? e.target.join(', ') : 'function', e.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0)]] } };
    case 'examples':
      return examplesSection(e, { title });
    case 'concepts':
      return {
        title,
        // TCAV's explanation carries the runs' spread (meta.std): its scores are shown as bars too.
        ...(e.method === 'tcav' && Array.isArray(e.meta?.std)
          ? { figures: [{ svg: tcavSvg(e), caption: `TCAV scores (mean ± 1 std over ${String(e.meta?.runs ?? '')} runs); dashed: random-vs-random mean; * p < 0.05, ** p < 0.01, *** p < 0.001 (${String(e.meta?.correction ?? 'none')} correction)` }] }
          : {}),
        table: { columns: ['concept', 'class', 'layer', 'score', 'p-value'], rows: e.scores.map((s) => [s.concept, s.class === undefined ? '–' : String(s.class), s.layer ?? '–', s.score, s.pValue ?? null]) },
      };
    case 'images':
      return imagesSection(e, { title });
    case 'similarity':
      return {
        title,
        ...(e.rows.length && e.columns.length ? { figures: [{ svg: similaritySvg(e), caption: `${e.method}: layer × layer similarity (viridis, 0 … 1)` }] } : {}),
        table: { columns: ['', ...e.columns], rows: e.rows.map((r, i) => [r, ...e.values[i]]) },
      };
    case 'attack': {
      if (e.meta?.changes !== undefined) return counterfactualSection(e, title, options);
      const images = attackImages(e);
      const changed = e.predictions.filter((p, i) => p !== e.originalPredictions[i]).length;
      const mode = e.meta?.mode;
      const text = mode === 'pn' ? `pertinent negatives (CEM): ${changed} of ${e.predictions.length} change the model's class.`
        : mode === 'pp' ? `pertinent positives (CEM): ${e.predictions.length - changed} of ${e.predictions.length} keep the model's class on their own.`
          : `${changed} of ${e.predictions.length} predictions changed by the attack.`;
      return {
        title,
        text,
        ...(images
          ? { figures: [gridFigure(images, 'adversarial inputs: prediction before -> after')] }
          : { table: { columns: ['input', 'prediction', 'after attack', 'perturbation norm'], rows: e.predictions.slice(0, 40).map((p, i) => [i, e.originalPredictions[i], p, e.norms?.[i] ?? null]) } }),
      };
    }
    case 'fairness':
      return fairnessSection(e, { title });
  }
}
