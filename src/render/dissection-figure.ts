/** Figures of a network dissection (Bau et al. 2017): each unit's best-concept IoU as bars, as SVG or PNG, and a report section. */
import type { ConceptsExplanation } from '../core/explanation.js';
import { barChartPng, barChartSvg } from './bar-chart.js';
import type { ReportSection } from './html-report.js';
import type { RgbaBuffer } from './image.js';

function bars(e: ConceptsExplanation): { names: string[]; values: number[]; title: string } {
  const thr = typeof e.meta?.detectorThreshold === 'number' ? e.meta.detectorThreshold : 0.04;
  return { names: e.scores.map((s) => `${s.layer ?? ''} ${s.concept}`), values: e.scores.map((s) => s.score), title: `best-concept IoU per unit (detector: IoU > ${thr})` };
}

/** The units' best-concept IoUs as an SVG bar chart, largest first. */
export function dissectionSvg(e: ConceptsExplanation): string {
  const b = bars(e);
  return barChartSvg(b.names, b.values, { title: b.title, sort: 'value' });
}

/** The same chart as an RGBA image (for `.png` outputs). */
export function dissectionPng(e: ConceptsExplanation): RgbaBuffer {
  const b = bars(e);
  return barChartPng(b.names, b.values, { title: b.title, sort: 'value' });
}

/** A report section: the unit table (unit, best concept, IoU, detector or not) and the bar chart. */
export function dissectionSection(e: ConceptsExplanation, title = e.method): ReportSection {
  const thr = typeof e.meta?.detectorThreshold === 'number' ? e.meta.detectorThreshold : 0.04;
  return {
    title,
    text: `${e.scores.filter((s) => s.score > thr).length} of ${e.scores.length} units are detectors (best-concept IoU > ${thr}).`,
    table: { columns: ['unit', 'best concept', 'IoU', 'detector'], rows: e.scores.map((s) => [s.layer ?? '–', s.concept, s.score, s.score > thr ? 'yes' : 'no']) },
    figures: [{ svg: dissectionSvg(e), caption: 'best-concept IoU per unit' }],
  };
}
