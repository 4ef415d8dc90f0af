/**
 * Report sections (html-report.ts) for the global explanation kinds: `'rules'` as a table (one
 * row per rule: its if-then text, outcome, coverage, precision, support), `'tree'` as a diagram
 * (tree-diagram.ts), `'curve'` as a line chart with an optional rug (line-chart.ts). Pass the
 * data's feature scales to show thresholds in its own units. Other kinds have their own renderers.
 */
import type { CurveExplanation, RulesExplanation, TreeExplanation } from '../core/explanation.js';
import type { ReportSection } from './html-report.js';
import { lineChartSvg } from './line-chart.js';
import { conditionText, type RulesTextOptions } from './rules-text.js';
import { treeDiagramSvg } from './tree-diagram.js';

function fidelityText(f: number | undefined): string {
  return f === undefined ? '' : ` Fidelity to the model on held-out rows: ${(100 * f).toFixed(1)}%.`;
}

/** A `'rules'` explanation as a report section with a table of its rules, in order. */
export function rulesSection(e: RulesExplanation, options: RulesTextOptions & { readonly title?: string } = {}): ReportSection {
  return {
    title: options.title ?? `Rules (${e.method})`,
    text: `${e.rules.length} rules; the first that applies decides.${fidelityText(e.fidelity)}`,
    table: {
      columns: ['#', 'if', 'then', 'coverage', 'precision', 'support'],
      rows: e.rules.map((r, i) => [i + 1, r.conditions.length ? r.conditions.map((c) => conditionText(c, options)).join(' and ') : 'always', String(r.outcome), r.coverage, r.precision, r.support ?? null]),
    },
  };
}

/** A `'tree'` explanation as a report section with its diagram. */
export function treeSection(e: TreeExplanation, options: RulesTextOptions & { readonly title?: string } = {}): ReportSection {
  const classNames = (e.meta?.classNames as readonly string[] | undefined) ?? [];
  return {
    title: options.title ?? `Decision tree (${e.method})`,
    text: `Left branches hold the test, right branches its negation.${fidelityText(e.fidelity)}`,
    figures: [{ svg: treeDiagramSvg(e.root, classNames, options), caption: e.method, note: `depth ${String(e.meta?.depth ?? '?')}, ${String(e.meta?.leaves ?? '?')} leaves` }],
  };
}

/** A `'curve'` explanation as a report section with its line chart (rug: the data's x values). */
export function curveSection(e: CurveExplanation, options: { readonly title?: string; readonly rug?: readonly number[] } = {}): ReportSection {
  return {
    title: options.title ?? `${e.yLabel} (${e.method})`,
    figures: [{ svg: lineChartSvg(e.curves, { xLabel: e.xLabel, yLabel: e.yLabel, ...(options.rug ? { rug: options.rug } : {}) }), caption: e.xLabel, note: `${e.curves.length} curves` }],
  };
}
