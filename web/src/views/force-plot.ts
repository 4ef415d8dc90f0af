/**
 * SHAP's force plot (Lundberg & Lee 2017, "A Unified Approach to Interpreting Model
 * Predictions"; Lundberg et al. 2018, Nat. Biomed. Eng.) drawn with Observable Plot: one bar from
 * the base value to the output f(x) = base + Σ attributions, the features that push the output
 * up (red) stacked to the left of f(x), those that push it down (blue) to its right, the largest
 * next to f(x), each labelled `feature = value` when wide enough to read.
 */
import * as Plot from '@observablehq/plot';
import { fmt } from '../format.js';

/** One feature's stretch of the force bar. */
export interface ForceSegment {
  readonly feature: string;
  readonly value: number;
  readonly featureValue: number;
  readonly x1: number;
  readonly x2: number;
}

/** The segments of one example's force bar, and its output `fx` (base + Σ values). */
export function forceSegments(items: readonly { feature: string; value: number; featureValue: number }[], base: number): { segments: ForceSegment[]; fx: number } {
  const fx = base + items.reduce((s, r) => s + r.value, 0);
  const up = items.filter((r) => r.value > 0).sort((a, b) => b.value - a.value);
  const down = items.filter((r) => r.value < 0).sort((a, b) => a.value - b.value);
  const segments: ForceSegment[] = [];
  let at = fx;
  for (const r of up) { segments.push({ ...r, x1: at - r.value, x2: at }); at -= r.value; }
  at = fx;
  for (const r of down) { segments.push({ ...r, x1: at, x2: at - r.value }); at -= r.value; }
  return { segments, fx };
}

const label = (s: ForceSegment): string => (Number.isNaN(s.featureValue) ? s.feature : `${s.feature} = ${fmt(s.featureValue, 3)}`);

/** The force plot of one example: `base` is the method's base value (SHAP's expected value), or 0. */
export function forcePlot(items: readonly { feature: string; value: number; featureValue: number }[], base: number): Element {
  const { segments, fx } = forceSegments(items, base);
  const lo = Math.min(base, fx, ...segments.map((s) => s.x1));
  const hi = Math.max(base, fx, ...segments.map((s) => s.x2));
  const readable = segments.filter((s) => s.x2 - s.x1 >= 0.08 * (hi - lo || 1));
  const colour = { type: 'categorical' as const, domain: [false, true], range: ['#1e88e5', '#ff0d57'] };
  return Plot.plot({
    width: 760, height: 150, marginTop: 34, marginBottom: 40, x: { label: 'model output', grid: true, domain: [lo - 0.05 * (hi - lo || 1), hi + 0.05 * (hi - lo || 1)] }, y: { axis: null }, color: colour,
    marks: [
      Plot.barX(segments, { x1: 'x1', x2: 'x2', y: () => 'force', fill: (s: ForceSegment) => s.value > 0, stroke: 'white', strokeWidth: 1.5, title: (s: ForceSegment) => `${label(s)}: ${s.value > 0 ? '+' : ''}${fmt(s.value, 3)}` }),
      Plot.text(readable, { x: (s: ForceSegment) => (s.x1 + s.x2) / 2, y: () => 'force', text: (s: ForceSegment) => `${s.value > 0 ? '+' : ''}${fmt(s.value, 3)}`, dy: -10, fill: 'white', fontWeight: 'bold' }),
      Plot.text(readable, { x: (s: ForceSegment) => (s.x1 + s.x2) / 2, y: () => 'force', text: label, dy: 8, fill: 'white', fontSize: 10, lineWidth: 14 }),
      Plot.ruleX([base], { stroke: '#888', strokeDasharray: '4,3' }),
      Plot.text([base], { x: (d: number) => d, frameAnchor: 'top', dy: -22, text: () => `base value ${fmt(base)}`, fill: '#666' }),
      Plot.ruleX([fx], { stroke: '#222', strokeWidth: 2 }),
      Plot.text([fx], { x: (d: number) => d, frameAnchor: 'top', dy: -22, text: () => `f(x) = ${fmt(fx)}`, fontWeight: 'bold' }),
    ],
  });
}
