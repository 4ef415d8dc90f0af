/**
 * The expert view: every shown explanation by the view of its kind. Image attributions of several
 * methods on the same inputs are gathered into one grid (methods × inputs); tabular and text
 * attributions get SHAP-style plots and highlighted tokens.
 */
import type { AttributionExplanation } from '../../../src/core/explanation.js';
import type { RowSource } from '../dataset-rows.js';
import type { Shown } from '../shown.js';
import { AttributionGrid } from './attribution-grid.js';
import { TabularView } from './tabular.js';
import { TokensView } from './tokens.js';
import { EvaluationView } from './evaluation.js';
import { AttackView, ConceptsView, CurveView, ExamplesView, FairnessView, ImagesView, RulesView, SimilarityView, TreeView } from './kinds.js';

/** How an attribution is drawn: a map per example (rank ≥ 3), per-feature bars (rank 2) or tokens. */
export function attributionLayout(s: Shown): 'image' | 'tabular' | 'text' {
  const e = s.explanation as AttributionExplanation;
  if (s.tokens) return 'text';
  return e.shape.length >= 3 ? 'image' : 'tabular';
}

function single(s: Shown, key: number, rows?: RowSource) {
  const e = s.explanation;
  switch (e.kind) {
    case 'evaluation': return <EvaluationView key={key} e={e} />;
    case 'attribution': {
      const layout = attributionLayout(s);
      if (layout === 'text') return <TokensView key={key} shown={s} />;
      if (layout === 'tabular') return <TabularView key={key} shown={s} />;
      return <AttributionGrid key={key} columns={[{ explanation: e, card: s.card, ms: s.ms }]} inputs={s.inputs} rowLabels={s.rowLabels ?? defaultLabels(e)} predictions={s.predictions} />;
    }
    case 'rules': return <RulesView key={key} e={e} />;
    case 'tree': return <TreeView key={key} e={e} />;
    case 'curve': return <CurveView key={key} e={e} />;
    case 'examples': return <ExamplesView key={key} e={e} rows={rows} />;
    case 'concepts': return <ConceptsView key={key} e={e} />;
    case 'images': return <ImagesView key={key} e={e} />;
    case 'similarity': return <SimilarityView key={key} e={e} />;
    case 'attack': return <AttackView key={key} e={e} />;
    case 'fairness': return <FairnessView key={key} e={e} />;
  }
}

function defaultLabels(e: AttributionExplanation): string[] {
  return Array.from({ length: e.shape[0] ?? 0 }, (_, i) => `example ${i}${e.target ? ` (target ${e.target[i]})` : ''}`);
}

export function ExplanationView(props: { shown: readonly Shown[]; rows?: RowSource; compare?: (a: readonly number[], b: readonly number[]) => Promise<{ spearman: number; topK: number }> }) {
  const images = props.shown.filter((s) => s.explanation.kind === 'attribution' && attributionLayout(s) === 'image' && s.source === 'this page');
  const rest = props.shown.filter((s) => !images.includes(s));
  const first = images[0];
  return (
    <>
      {first && (
        <AttributionGrid
          columns={images.map((s) => ({ explanation: s.explanation as AttributionExplanation, card: s.card, ms: s.ms }))}
          inputs={first.inputs} rowLabels={first.rowLabels ?? []} predictions={first.predictions} compare={props.compare}
        />
      )}
      {rest.map((s, i) => (
        <div class="shown" data-source={s.source}>
          <h3 class="view-title">{s.explanation.method} <span class="muted">({s.explanation.kind}, {s.source})</span></h3>
          {single(s, i, props.rows)}
        </div>
      ))}
    </>
  );
}
