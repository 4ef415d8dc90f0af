/**
 * The `'fairness'` kind rendered: a text table (metric × group, with bootstrap intervals when the
 * explanation has them, then the disparities), a bar chart of the disparities as SVG or PNG
 * (bar-chart.ts; intervals in the labels), and an HTML report section.
 */
import type { FairnessExplanation } from '../core/explanation.js';
import { barChartPng, barChartSvg } from './bar-chart.js';
import { formatNumber } from './format.js';
import type { ReportSection } from './html-report.js';
import type { RgbaBuffer } from './image.js';

function num(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? '—' : formatNumber(v, 3);
}

function cell(e: FairnessExplanation, i: number, j: number): string {
  const v = num(e.values[i][j]);
  return e.lower && e.upper ? `${v} [${num(e.lower[i][j])}, ${num(e.upper[i][j])}]` : v;
}

function disparityLabel(d: NonNullable<FairnessExplanation['disparities']>[number]): string {
  return d.lower !== undefined ? `${num(d.value)} [${num(d.lower)}, ${num(d.upper)}]` : num(d.value);
}

function conventionText(e: FairnessExplanation): string {
  return e.convention === 'aif360' ? `AIF360 convention: unprivileged − privileged ('${e.privileged}')` : 'Fairlearn convention: max − min (ratios min / max) over groups';
}

/** The table as aligned plain text: one row per metric, one column per group, then the disparities. */
export function fairnessText(e: FairnessExplanation): string {
  const rows = [['metric', ...e.groups], ...e.metrics.map((m, i) => [m, ...e.groups.map((_, j) => cell(e, i, j))])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd();
  const out = rows.map(line);
  if (e.disparities?.length) {
    out.push('', `Disparities (${conventionText(e)}):`);
    const w = Math.max(...e.disparities.map((d) => d.metric.length));
    for (const d of e.disparities) out.push(`  ${d.metric.padEnd(w)}  ${disparityLabel(d)}`);
  }
  return out.join('\n');
}

function bars(e: FairnessExplanation): { names: string[]; values: number[] } {
  const ds = (e.disparities ?? []).filter((d) => !Number.isNaN(d.value) && d.value !== null);
  // ratios are shown as 1 − ratio so every bar reads "0 = parity"
  return {
    names: ds.map((d) => (d.kind === 'ratio' ? `1 − ${d.metric}` : d.metric)),
    values: ds.map((d) => (d.kind === 'ratio' ? 1 - d.value : d.value)),
  };
}

/** The disparities as a signed bar chart (SVG); ratios drawn as 1 − ratio, so 0 is parity for every bar. */
export function fairnessSvg(e: FairnessExplanation, title = `Disparities (${e.method})`): string {
  const b = bars(e);
  return barChartSvg(b.names, b.values, { title });
}

/** The same chart as an RGBA image (for a PNG). */
export function fairnessPng(e: FairnessExplanation, title = `Disparities (${e.method})`): RgbaBuffer {
  const b = bars(e);
  return barChartPng(b.names, b.values, { title });
}

/** A `'fairness'` explanation as a report section: the metric × group table and the disparity chart. */
export function fairnessSection(e: FairnessExplanation, options: { readonly title?: string } = {}): ReportSection {
  const interval = e.meta?.bootstrap ? ' Brackets: bootstrap percentile intervals.' : '';
  return {
    title: options.title ?? `Group fairness (${e.method})`,
    text: `${conventionText(e)}.${interval}`,
    table: {
      columns: ['metric', ...e.groups],
      rows: [
        ...e.metrics.map((m, i) => [m, ...e.groups.map((_, j) => cell(e, i, j))]),
        ...(e.disparities ?? []).map((d) => [d.metric, disparityLabel(d), ...e.groups.slice(1).map(() => '')]),
      ],
    },
    ...(e.disparities?.length ? { figures: [{ svg: fairnessSvg(e), caption: 'disparities', note: 'ratios as 1 − ratio; 0 is parity' }] } : {}),
  };
}
