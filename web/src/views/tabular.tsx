/**
 * Tabular attributions `[N, F]` as SHAP's plots, drawn with Observable Plot: bar (one example's
 * features by |attribution|), waterfall (from the base value to the output, feature by feature),
 * force (SHAP's: evidence for stacked left of f(x), against to its right; force-plot.ts) and beeswarm (every
 * example, a dot per feature, coloured by the feature's value).
 */
import * as Plot from '@observablehq/plot';
import { useState } from 'preact/hooks';
import type { AttributionExplanation } from '../../../src/core/explanation.js';
import { fmt } from '../format.js';
import { PlotFigure } from '../plot.js';
import { forcePlot } from './force-plot.js';
import type { Shown } from '../shown.js';

type Chart = 'bar' | 'waterfall' | 'force' | 'beeswarm';

interface Row { readonly feature: string; readonly value: number; readonly example: number; readonly featureValue: number }

function rows(e: AttributionExplanation, values?: readonly (readonly number[])[]): Row[] {
  const n = e.shape[0] ?? 0;
  const f = e.values.length / Math.max(1, n);
  const names = e.featureNames ?? Array.from({ length: f }, (_, j) => `feature ${j}`);
  const out: Row[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) out.push({ feature: names[j] ?? `feature ${j}`, value: e.values[i * f + j]!, example: i, featureValue: values?.[i]?.[j] ?? NaN });
  return out;
}

/** The base value of example `i`: `meta.baseValue` (SHAP's expected value) when the method reports one, else 0. */
export function baseValue(e: AttributionExplanation, i: number): number {
  const b = e.meta?.baseValue;
  if (typeof b === 'number') return b;
  if (Array.isArray(b) && typeof b[i] === 'number') return b[i] as number;
  return 0;
}

export function TabularView(props: { shown: Shown }) {
  const e = props.shown.explanation as AttributionExplanation;
  const [chart, setChart] = useState<Chart>('bar');
  const [example, setExample] = useState(0);
  const all = rows(e, props.shown.featureValues);
  const mine = all.filter((r) => r.example === example).sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const base = baseValue(e, example);
  const label = props.shown.rowLabels?.[example] ?? `example ${example}`;
  const make = (): Element => {
    if (chart === 'bar') {
      return Plot.plot({
        marginLeft: 150, width: 640, height: 28 * mine.length + 40, x: { label: 'attribution', grid: true }, y: { label: null, domain: mine.map((r) => r.feature) },
        color: { type: 'categorical', domain: [false, true], range: ['#2166ac', '#b2182b'] },
        marks: [Plot.barX(mine, { x: 'value', y: 'feature', fill: (r: Row) => r.value > 0 }), Plot.text(mine, { x: 'value', y: 'feature', text: (r: Row) => fmt(r.value, 3), dx: 4, textAnchor: 'start' }), Plot.ruleX([0])],
      });
    }
    if (chart === 'force') return forcePlot(mine, base);
    if (chart === 'waterfall') {
      let at = base;
      const steps = mine.map((r) => { const s = { ...r, x1: at, x2: at + r.value }; at += r.value; return s; });
      return Plot.plot({
        marginLeft: 150, width: 640, height: 28 * steps.length + 60, x: { label: `output (base ${fmt(base)} → ${fmt(at)})`, grid: true }, y: { label: null, domain: steps.map((r) => r.feature) },
        color: { type: 'categorical', domain: [false, true], range: ['#2166ac', '#b2182b'] },
        marks: [Plot.barX(steps, { x1: 'x1', x2: 'x2', y: 'feature', fill: (r: Row) => r.value > 0 }), Plot.text(steps, { x: 'x2', y: 'feature', text: (r: Row) => `${r.value > 0 ? '+' : ''}${fmt(r.value, 3)}`, dx: 4, textAnchor: 'start' }), Plot.ruleX([base], { stroke: '#888' }), Plot.ruleX([at], { stroke: '#222' })],
      });
    }
    return Plot.plot({
      marginLeft: 150, width: 640, height: 40 * new Set(all.map((r) => r.feature)).size + 60, x: { label: 'attribution', grid: true },
      fy: { label: null }, color: { scheme: 'RdBu', reverse: true, legend: true, label: 'feature value' },
      marks: [Plot.dot(all, Plot.dodgeY('middle', { x: 'value', fy: 'feature', fill: (r: Row) => (Number.isNaN(r.featureValue) ? 0 : r.featureValue), r: 3.5 })), Plot.ruleX([0], { stroke: '#aaa' })],
    });
  };
  const n = e.shape[0] ?? 0;
  return (
    <section class="view tabular" data-kind="attribution" data-layout="tabular">
      <div class="controls">
        {(['bar', 'waterfall', 'force', 'beeswarm'] as const).map((c) => <button type="button" data-chart={c} class={chart === c ? 'on' : ''} onClick={() => setChart(c)}>{c}</button>)}
        {chart !== 'beeswarm' && n > 1 && <label>example <select value={example} onChange={(ev) => setExample(Number((ev.target as HTMLSelectElement).value))}>{Array.from({ length: n }, (_, i) => <option value={i}>{props.shown.rowLabels?.[i] ?? `example ${i}`}</option>)}</select></label>}
      </div>
      <p class="muted">{chart === 'beeswarm' ? `${n} example(s), ${e.method}` : `${label}${props.shown.predictions ? ` — predicted ${props.shown.predictions[example]}` : ''}; ${e.method}`}</p>
      <PlotFigure make={make} deps={[e, chart, example]} label={`tabular-${chart}`} />
    </section>
  );
}
