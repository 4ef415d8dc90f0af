import type { CurveExplanation, CurveRecord } from '../core/explanation.js';
import type { PartialDependence } from './partial-dependence.js';

/**
 * Partial dependence as a `'curve'` explanation: per output one average curve (label `PD …`) and,
 * when computed, one ICE curve per row (label `ICE …`, `example` its row). For two features, one
 * curve per grid value of the first over the grid of the second. `meta` keeps the grids.
 */
export function partialDependenceExplanation(pd: PartialDependence, classNames?: readonly string[]): CurveExplanation {
  const outputName = (k: number): string => classNames?.[k] ?? `output ${k}`;
  const two = pd.grid.length === 2;
  const x = pd.grid[pd.grid.length - 1];
  const outer = two ? pd.grid[0] : [NaN];
  const inner = x.length;
  const G = outer.length * inner;
  const curves: CurveRecord[] = [];
  const suffix = (o: number): string => (two ? `, ${pd.featureNames[0]} = ${outer[o]}` : '');
  pd.outputs.forEach((output, k) => {
    for (let o = 0; o < outer.length; o++) {
      if (pd.average) curves.push({ label: `PD ${outputName(output)}${suffix(o)}`, feature: pd.featureNames[pd.featureNames.length - 1], x, y: pd.average.slice(k * G + o * inner, k * G + (o + 1) * inner) });
      if (pd.individual) {
        for (let i = 0; i < pd.rows; i++) {
          const base = (k * pd.rows + i) * G + o * inner;
          curves.push({ label: `ICE ${outputName(output)}${suffix(o)}`, feature: pd.featureNames[pd.featureNames.length - 1], example: i, x, y: pd.individual.slice(base, base + inner) });
        }
      }
    }
  });
  return {
    kind: 'curve',
    method: 'partial-dependence',
    xLabel: pd.featureNames[pd.featureNames.length - 1],
    yLabel: 'partial dependence',
    curves,
    meta: { features: [...pd.featureNames], grid: pd.grid.map((g) => [...g]), outputs: [...pd.outputs], modelCalls: pd.calls },
  };
}
