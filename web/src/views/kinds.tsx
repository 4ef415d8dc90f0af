/**
 * The views of the global Explanation kinds (src/core/explanation.ts): rules as ordered if-then
 * lists, trees as nested splits, PD/ICE/ALE curves, example galleries, concept (TCAV) bars,
 * feature-visualisation images, similarity (CKA) heatmaps, attacks (before/after predictions and
 * perturbation sizes) and fairness tables (metric × group with intervals and disparities).
 */
import * as Plot from '@observablehq/plot';
import type {
  AttackExplanation, ConceptsExplanation, CurveExplanation, ExamplesExplanation, FairnessExplanation,
  ImagesExplanation, RuleCondition, RulesExplanation, SimilarityExplanation, TreeExplanation, TreeNodeRecord,
} from '../../../src/core/explanation.js';
import { heatmap } from '../../../src/render/heatmap.js';
import { RgbaCanvas } from '../canvas.js';
import type { RowSource } from '../dataset-rows.js';
import { fmt } from '../format.js';
import { PlotFigure } from '../plot.js';

function condition(c: RuleCondition): string {
  const v = Array.isArray(c.value) ? `{${c.value.join(', ')}}` : typeof c.value === 'number' ? fmt(c.value) : String(c.value);
  return `${c.feature} ${c.op} ${v}`;
}

export function RulesView(props: { e: RulesExplanation }) {
  const { e } = props;
  return (
    <section class="view rules" data-kind="rules">
      {e.fidelity !== undefined && <p>fidelity to the model: <strong data-metric="fidelity">{fmt(e.fidelity)}</strong></p>}
      <ol class="rule-list">
        {e.rules.map((r, i) => (
          <li class="rule">
            <span class="kw">{i === 0 ? 'if' : 'else if'}</span> {r.conditions.length ? r.conditions.map(condition).join(' and ') : 'always'} <span class="kw">then</span> <strong>{String(r.outcome)}</strong>
            <span class="muted"> — coverage {fmt(r.coverage)}, precision {fmt(r.precision)}{r.support !== undefined ? `, ${r.support} rows` : ''}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function TreeNode(props: { node: TreeNodeRecord; depth: number }) {
  const { node } = props;
  const leaf = !node.left && !node.right;
  const test = node.categories ? `${node.feature} in {${node.categories.join(', ')}}` : `${node.feature} ≤ ${fmt(node.threshold)}`;
  const value = node.value.length === 1 ? fmt(node.value[0]) : `[${node.value.map((v) => fmt(v, 3)).join(', ')}]`;
  return (
    <li class={leaf ? 'leaf' : 'split'} data-depth={props.depth}>
      {leaf ? <span>predict <strong>{value}</strong></span> : <span class="test">{test}</span>}
      <span class="muted"> ({node.samples} rows{leaf ? '' : `, ${value}`})</span>
      {!leaf && (
        <ul>
          {node.left && <li class="branch"><span class="kw">yes</span><ul><TreeNode node={node.left} depth={props.depth + 1} /></ul></li>}
          {node.right && <li class="branch"><span class="kw">no</span><ul><TreeNode node={node.right} depth={props.depth + 1} /></ul></li>}
        </ul>
      )}
    </li>
  );
}

export function TreeView(props: { e: TreeExplanation }) {
  return (
    <section class="view tree" data-kind="tree">
      {props.e.fidelity !== undefined && <p>fidelity to the model: <strong data-metric="fidelity">{fmt(props.e.fidelity)}</strong></p>}
      <ul class="tree-root"><TreeNode node={props.e.root} depth={0} /></ul>
    </section>
  );
}

export function CurveView(props: { e: CurveExplanation }) {
  const { e } = props;
  const points = e.curves.flatMap((c, k) => c.x.map((x, i) => ({ x, y: c.y[i]!, label: c.label, ice: c.example !== undefined, k })));
  const make = (): Element => Plot.plot({
    width: 640, height: 360, grid: true, x: { label: e.xLabel }, y: { label: e.yLabel }, color: { legend: e.curves.filter((c) => c.example === undefined).length > 1 },
    marks: [
      Plot.line(points.filter((p) => p.ice), { x: 'x', y: 'y', z: 'k', stroke: '#999', strokeOpacity: 0.35 }),
      Plot.line(points.filter((p) => !p.ice), { x: 'x', y: 'y', stroke: 'label', strokeWidth: 2.5 }),
    ],
  });
  return (
    <section class="view curve" data-kind="curve">
      <p class="muted" data-curves={e.curves.length}>{e.curves.length} curve(s): {[...new Set(e.curves.filter((c) => c.example === undefined).map((c) => c.label))].join(', ')}{e.curves.some((c) => c.example !== undefined) ? ` and ${e.curves.filter((c) => c.example !== undefined).length} ICE curves` : ''}</p>
      <PlotFigure make={make} deps={[e]} label="curve" />
    </section>
  );
}

/** A gallery: the rows an examples explanation names, grouped by query; with `rows`, each row's thumbnail (images) or fields (tables) and label. */
export function ExamplesView(props: { e: ExamplesExplanation; rows?: RowSource }) {
  const { rows } = props;
  const byQuery = new Map<string, typeof props.e.examples[number][]>();
  for (const x of props.e.examples) {
    const key = x.query === undefined ? 'dataset' : `query ${x.query}`;
    byQuery.set(key, [...(byQuery.get(key) ?? []), x]);
  }
  const beyond = rows ? props.e.examples.filter((x) => x.index >= rows.count).length : 0;
  return (
    <section class="view examples" data-kind="examples" data-rows={rows?.name ?? ''}>
      {rows && beyond > 0 && <p class="error" data-warning="rows">{beyond} row(s) lie beyond the {rows.count} rows of {rows.name}: this gallery was not made on it</p>}
      {[...byQuery].map(([q, xs]) => (
        <div class="gallery-row">
          <h4>{q}</h4>
          <div class="gallery">
            {xs.map((x) => (
              <figure class={`example ${x.role ?? ''}`} data-index={x.index}>
                <div class="example-index">row {x.index}</div>
                {rows && x.index < rows.count && <ExampleRow rows={rows} index={x.index} />}
                <figcaption>{x.role ?? 'example'} · score {fmt(x.score)}</figcaption>
              </figure>
            ))}
          </div>
        </div>
      ))}
    </section>
  );
}

function ExampleRow(props: { rows: RowSource; index: number }) {
  const { rows, index } = props;
  const label = rows.label(index);
  if (rows.image) {
    const [h = 1, w = 1, c = 1] = rows.shape;
    return (
      <>
        <RgbaCanvas image={rgbaOf(rows.image(index), h, w, c)} size={112} label={`row ${index} of ${rows.name}: ${label}`} />
        <div class="example-label">label {label}</div>
      </>
    );
  }
  const fields = rows.fields?.(index) ?? [];
  return (
    <>
      <div class="example-label">label {label}</div>
      <dl class="example-fields">{fields.map((f, j) => <><dt>{rows.columns?.[j] ?? `column ${j}`}</dt><dd>{f}</dd></>)}</dl>
    </>
  );
}

export function ConceptsView(props: { e: ConceptsExplanation }) {
  const scores = props.e.scores.map((s) => ({ ...s, name: `${s.concept}${s.class !== undefined ? ` → ${s.class}` : ''}${s.layer ? ` @ ${s.layer}` : ''}`, significant: s.pValue === undefined || s.pValue < 0.05 }));
  const make = (): Element => Plot.plot({
    marginLeft: 200, marginRight: 110, width: 720, height: 30 * scores.length + 50, x: { label: 'score', domain: [0, Math.max(1, ...scores.map((s) => s.score))], grid: true }, y: { label: null, domain: scores.map((s) => s.name) },
    color: { type: 'categorical', domain: [true, false], range: ['#d6604d', '#bbb'] },
    marks: [Plot.barX(scores, { x: 'score', y: 'name', fill: 'significant' }), Plot.text(scores, { x: 'score', y: 'name', text: (s: { score: number; pValue?: number }) => `${fmt(s.score, 3)}${s.pValue !== undefined ? ` (p ${fmt(s.pValue, 2)})` : ''}`, dx: 4, textAnchor: 'start' })],
  });
  return (
    <section class="view concepts" data-kind="concepts">
      <p class="muted">grey bars: not significant (p ≥ 0.05)</p>
      <PlotFigure make={make} deps={[props.e]} label="concepts" />
    </section>
  );
}

export function ImagesView(props: { e: ImagesExplanation }) {
  return (
    <section class="view images" data-kind="images">
      <div class="gallery">
        {props.e.images.map((im) => {
          const [h, w, c] = im.shape;
          const rgba = c === 1 ? heatmap({ data: im.data, height: h, width: w, channels: 1 }, { sign: 'absolute', colormap: 'Greys_r', scale: 1 }) : rgbaOf(im.data, h, w, c);
          return <figure class="image-card"><RgbaCanvas image={rgba} size={160} label={im.label} /><figcaption>{im.label}</figcaption></figure>;
        })}
      </div>
    </section>
  );
}

function rgbaOf(data: ArrayLike<number>, h: number, w: number, c: number) {
  const out = new Uint8ClampedArray(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) out[p * 4 + k] = Math.round(255 * Math.min(1, Math.max(0, data[p * c + Math.min(k, c - 1)]!)));
    out[p * 4 + 3] = 255;
  }
  return { data: out, width: w, height: h };
}

export function SimilarityView(props: { e: SimilarityExplanation }) {
  const { e } = props;
  const cells = e.rows.flatMap((r, i) => e.columns.map((c, j) => ({ row: r, column: c, value: e.values[i]![j]! })));
  const make = (): Element => Plot.plot({
    marginLeft: 110, marginBottom: 70, width: 120 + 56 * e.columns.length, height: 90 + 44 * e.rows.length, padding: 0,
    x: { label: null, domain: [...e.columns], tickRotate: -35 }, y: { label: null, domain: [...e.rows] }, color: { scheme: 'viridis', domain: [0, 1], legend: true, label: 'similarity' },
    marks: [Plot.cell(cells, { x: 'column', y: 'row', fill: 'value', inset: 0.5 }), Plot.text(cells, { x: 'column', y: 'row', text: (d: { value: number }) => fmt(d.value, 2), fill: (d: { value: number }) => (d.value > 0.6 ? 'black' : 'white') })],
  });
  return <section class="view similarity" data-kind="similarity"><PlotFigure make={make} deps={[e]} label="similarity" /></section>;
}

export function AttackView(props: { e: AttackExplanation }) {
  const { e } = props;
  const flipped = e.predictions.filter((p, i) => p !== e.originalPredictions[i]).length;
  return (
    <section class="view attack" data-kind="attack">
      <p><strong data-metric="flipped">{flipped}</strong> of {e.predictions.length} predictions changed</p>
      <table class="data">
        <thead><tr><th>input</th><th>prediction before</th><th>after</th>{e.norms && <th>perturbation norm</th>}</tr></thead>
        <tbody>
          {e.predictions.map((p, i) => (
            <tr class={p !== e.originalPredictions[i] ? 'changed' : ''}><td>{i}</td><td>{e.originalPredictions[i]}</td><td>{p}</td>{e.norms && <td>{fmt(e.norms[i])}</td>}</tr>
          ))}
        </tbody>
      </table>
      {e.shape.length === 3 && <AttackImages e={e} />}
    </section>
  );
}

function AttackImages(props: { e: AttackExplanation }) {
  const [h, w, c] = props.e.shape as [number, number, number];
  const size = h * w * c;
  return (
    <div class="gallery">
      {props.e.predictions.map((p, i) => (
        <figure class="image-card"><RgbaCanvas image={heatmap({ data: props.e.inputs.slice(i * size, (i + 1) * size), height: h, width: w, channels: c }, { sign: 'absolute', colormap: 'Greys_r', scale: 1, reduce: 'abs-sum' })} size={112} label={`perturbed input ${i}`} /><figcaption>→ {p}</figcaption></figure>
      ))}
    </div>
  );
}

export function FairnessView(props: { e: FairnessExplanation }) {
  const { e } = props;
  return (
    <section class="view fairness" data-kind="fairness">
      <table class="data">
        <thead><tr><th>metric</th>{e.groups.map((g) => <th>{g}{g === e.privileged ? ' (privileged)' : ''}</th>)}</tr></thead>
        <tbody>
          {e.metrics.map((m, i) => (
            <tr><th>{m}</th>{e.groups.map((_, j) => <td>{fmt(e.values[i]![j])}{e.lower && e.upper ? <span class="muted"> [{fmt(e.lower[i]![j], 3)}, {fmt(e.upper[i]![j], 3)}]</span> : null}</td>)}</tr>
          ))}
        </tbody>
      </table>
      {e.disparities && (
        <>
          <h4>disparities{e.convention ? ` (${e.convention} convention)` : ''}</h4>
          <table class="data">
            <thead><tr><th>metric</th><th>{'kind'}</th><th>value</th><th>interval</th></tr></thead>
            <tbody>{e.disparities.map((d) => <tr><td>{d.metric}</td><td>{d.kind}</td><td>{fmt(d.value)}</td><td>{d.lower !== undefined ? `[${fmt(d.lower, 3)}, ${fmt(d.upper, 3)}]` : '—'}</td></tr>)}</tbody>
          </table>
        </>
      )}
    </section>
  );
}
