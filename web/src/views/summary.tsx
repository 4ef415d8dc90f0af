/**
 * The summary for the person who acts on a decision (seed 001's first audience): per input, the
 * prediction, the top evidence in plain words, and how far to trust it — the completeness gap the
 * method reports, whether the methods agree (overlap of their top-10 % features), and the report
 * card when it was computed.
 */
import type { AttributionExplanation } from '../../../src/core/explanation.js';
import { mapTopKIntersection } from '../../../src/adversarial/fragility/map-top-k-intersection.js';
import { fmt } from '../format.js';
import type { Shown } from '../shown.js';
import { attributionLayout } from './explanation-view.js';
import { tokenScores } from './tokens.js';

function exampleMap(e: AttributionExplanation, i: number, layout: string): number[] {
  if (layout === 'text') return tokenScores(e, i);
  const n = e.shape[0] ?? 1;
  const size = e.values.length / n;
  const c = layout === 'image' ? (e.shape[3] ?? 1) : 1;
  const out: number[] = [];
  for (let p = 0; p < size / c; p++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += e.values[i * size + p * c + k]!;
    out.push(s);
  }
  return out;
}

/** Where the strongest 10 % of an image map sit, in words ("upper left", "centre" …). */
export function whereInImage(map: readonly number[], h: number, w: number): string {
  const k = Math.max(1, Math.round(map.length / 10));
  const top = map.map((v, p) => [Math.abs(v), p] as const).sort((a, b) => b[0] - a[0]).slice(0, k);
  let y = 0, x = 0, total = 0;
  for (const [v, p] of top) { y += v * Math.floor(p / w); x += v * (p % w); total += v; }
  if (total === 0) return 'nowhere (the map is all zeros)';
  const [cy, cx] = [y / total / (h - 1), x / total / (w - 1)];
  const v = cy < 0.38 ? 'upper' : cy > 0.62 ? 'lower' : '';
  const hz = cx < 0.38 ? 'left' : cx > 0.62 ? 'right' : '';
  return v || hz ? `the ${[v, hz].filter(Boolean).join(' ')} part` : 'the centre';
}

function evidence(s: Shown, i: number): string {
  const e = s.explanation as AttributionExplanation;
  const layout = attributionLayout(s);
  const map = exampleMap(e, i, layout);
  if (layout === 'image') {
    const positive = map.filter((v) => v > 0).reduce((a, b) => a + b, 0);
    const all = map.reduce((a, b) => a + Math.abs(b), 0);
    return `the pixels that matter most are in ${whereInImage(map, e.shape[1] ?? 1, e.shape[2] ?? 1)} of the image; ${all > 0 ? Math.round((100 * positive) / all) : 0} % of the evidence speaks for the class`;
  }
  const names = layout === 'text' ? (s.tokens?.[i] ?? []) : (e.featureNames ?? []);
  const top = map.map((v, j) => ({ v, name: names[j] || `feature ${j}` })).filter((t) => t.name !== '').sort((a, b) => Math.abs(b.v) - Math.abs(a.v)).slice(0, 3);
  return top.map((t) => `${layout === 'text' ? `“${t.name}”` : t.name} ${t.v > 0 ? 'speaks for' : 'speaks against'} it`).join(', ');
}

function trust(group: readonly Shown[], i: number): string[] {
  const out: string[] = [];
  const first = group[0]!;
  const delta = (first.explanation.meta?.delta as number[] | undefined)?.[i];
  if (typeof delta === 'number') out.push(`${first.explanation.method} accounts for the output up to a gap of ${fmt(Math.abs(delta))} (completeness; smaller is better)`);
  if (group.length >= 2) {
    const layout = attributionLayout(first);
    const a = exampleMap(first.explanation as AttributionExplanation, i, layout).map(Math.abs);
    const b = exampleMap(group[1]!.explanation as AttributionExplanation, i, layout).map(Math.abs);
    const overlap = mapTopKIntersection(a, b, Math.max(1, Math.round(a.length / 10)));
    out.push(`${first.explanation.method} and ${group[1]!.explanation.method} share ${Math.round(overlap * 100)} % of their top-10 % features — ${overlap >= 0.5 ? 'they broadly agree' : 'they disagree: read the evidence with care'}`);
  }
  if (first.card) out.push(`deletion AUC ${fmt(first.card.deletion[i])}, infidelity ${fmt(first.card.infidelity[i])}, max-sensitivity ${fmt(first.card.maxSensitivity[i])} (lower is better for each)`);
  return out;
}

export function SummaryView(props: { shown: readonly Shown[] }) {
  const attributions = props.shown.filter((s) => s.explanation.kind === 'attribution');
  const others = props.shown.filter((s) => s.explanation.kind !== 'attribution');
  const n = attributions[0] ? ((attributions[0].explanation as AttributionExplanation).shape[0] ?? 0) : 0;
  return (
    <section class="view summary" data-view="summary">
      {Array.from({ length: n }, (_, i) => {
        const s = attributions[0]!;
        return (
          <article class="summary-card">
            <h3>{s.rowLabels?.[i] ?? `example ${i}`}</h3>
            <p class="prediction">The model predicts <strong>{s.predictions?.[i] ?? '—'}</strong>.</p>
            <p class="evidence">Evidence ({s.explanation.method}): {evidence(s, i)}.</p>
            <ul class="trust">{trust(attributions, i).map((t) => <li>{t}</li>)}</ul>
          </article>
        );
      })}
      {others.map((s) => <p class="summary-line">{summaryLine(s.explanation)}</p>)}
    </section>
  );
}

function summaryLine(e: Shown['explanation']): string {
  switch (e.kind) {
    case 'evaluation': { const v = Object.entries(e.evaluation.verdicts)[0]; return `Evaluation of ${e.evaluation.methods.length} methods on ${e.evaluation.examples} examples with ${e.evaluation.metrics.length} metrics${v ? `: ${v[0]} — ${v[1]}` : ''}.`; }
    case 'rules': return `${e.method}: ${e.rules.length} rules${e.fidelity !== undefined ? ` that agree with the model on ${Math.round(e.fidelity * 100)} % of rows` : ''}.`;
    case 'tree': return `${e.method}: a decision tree${e.fidelity !== undefined ? ` that agrees with the model on ${Math.round(e.fidelity * 100)} % of rows` : ''}.`;
    case 'curve': return `${e.method}: how ${e.yLabel} changes with ${e.xLabel} (${e.curves.length} curves).`;
    case 'examples': return `${e.method}: ${e.examples.length} dataset rows that explain the predictions.`;
    case 'concepts': { const top = [...e.scores].sort((a, b) => b.score - a.score)[0]; return `${e.method}: ${top ? `the concept “${top.concept}” matters most (score ${fmt(top.score, 3)})` : 'no concept scores'}.`; }
    case 'images': return `${e.method}: ${e.images.length} images of what units respond to.`;
    case 'similarity': return `${e.method}: how similar ${e.rows.length} × ${e.columns.length} representations are.`;
    case 'attack': return `${e.method}: ${e.predictions.filter((p, i) => p !== e.originalPredictions[i]).length} of ${e.predictions.length} predictions change under a small perturbation.`;
    case 'fairness': return `${e.method}: ${e.metrics.length} metrics compared across ${e.groups.length} groups.`;
    default: return '';
  }
}
