/**
 * Image attributions side by side: one row per input, one column per method, large heatmaps on a
 * shared scale per method (so rows compare), the field's colour maps, signed or absolute values,
 * outlier clipping (Captum's `outlier_perc`), heatmap beside the input or blended over a darkened
 * copy (Captum's `blended_heat_map`) with an opacity slider, a colour bar per method, the report
 * card under each map, and click-to-compare (two maps → Spearman rank correlation and top-10 %
 * overlap, computed in the worker with the library's fragility measures).
 */
import { useMemo, useState } from 'preact/hooks';
import type { AttributionExplanation } from '../../../src/core/explanation.js';
import { colorBar } from '../../../src/render/color-bar.js';
import { colormapNames, symmetricScale, magnitudeScale } from '../../../src/render/colormap.js';
import { heatmap, reduceChannels, type SignMode } from '../../../src/render/heatmap.js';
import { overlay } from '../../../src/render/overlay.js';
import type { FloatImage, RgbaBuffer } from '../../../src/render/image.js';
import { RgbaCanvas } from '../canvas.js';
import type { CardScores } from '../protocol.js';
import { fmt } from '../format.js';

/** One method's attribution with what the page knows about it. */
export interface GridColumn {
  readonly explanation: AttributionExplanation;
  readonly card?: CardScores;
  readonly ms?: number;
}

export interface GridProps {
  readonly columns: readonly GridColumn[];
  /** The inputs `[N, H, W, C]` flattened, when the page has them (CLI files carry none). */
  readonly inputs?: { readonly data: readonly number[]; readonly shape: readonly number[] };
  readonly rowLabels: readonly string[];
  readonly predictions?: readonly string[];
  readonly compare?: (a: readonly number[], b: readonly number[]) => Promise<{ spearman: number; topK: number }>;
}

interface Settings { colormap: string; sign: SignMode; clip: number; mode: 'beside' | 'overlay'; alpha: number; size: number }

function imageOf(values: readonly number[], shape: readonly number[], n: number): FloatImage {
  const [h, w, c] = [shape[1] ?? 1, shape[2] ?? 1, shape[3] ?? 1];
  const size = h * w * c;
  return { data: values.slice(n * size, (n + 1) * size), height: h, width: w, channels: c };
}

function columnScale(e: AttributionExplanation, s: Settings): number {
  const n = e.shape[0] ?? 1;
  const maps: number[] = [];
  for (let i = 0; i < n; i++) maps.push(...reduceChannels(imageOf(e.values, e.shape, i)));
  const opts = s.clip > 0 ? { outlierPerc: s.clip } : {};
  return s.sign === 'all' ? symmetricScale(maps, opts) : magnitudeScale(maps.map(Math.abs), opts);
}

export function AttributionGrid(props: GridProps) {
  const [s, set] = useState<Settings>({ colormap: 'RdBu_r', sign: 'all', clip: 2, mode: 'beside', alpha: 0.6, size: 196 });
  const [picked, setPicked] = useState<{ col: number; row: number }[]>([]);
  const [comparison, setComparison] = useState<string>('');
  const maps = s.sign === 'all' ? colormapNames('diverging').flatMap((n) => [`${n}_r`, n]) : colormapNames('sequential').flatMap((n) => [n, `${n}_r`]);
  const colormap = maps.includes(s.colormap) ? s.colormap : maps.includes('RdBu_r') ? 'RdBu_r' : 'inferno';
  const scales = useMemo(() => props.columns.map((c) => columnScale(c.explanation, s)), [props.columns, s.sign, s.clip]);
  const n = props.columns[0]?.explanation.shape[0] ?? 0;

  const cell = (col: number, row: number): RgbaBuffer => {
    const e = props.columns[col]!.explanation;
    const map = imageOf(e.values, e.shape, row);
    const opts = { sign: s.sign, colormap, scale: scales[col] };
    if (s.mode === 'overlay' && props.inputs) return overlay(imageOf(props.inputs.data, props.inputs.shape, row), map, { ...opts, style: 'blended_heat_map', alpha: s.alpha });
    return heatmap(map, opts);
  };

  const pick = (col: number, row: number): void => {
    const next = [...picked, { col, row }].slice(-2);
    setPicked(next);
    if (next.length === 2 && props.compare) {
      const [a, b] = next.map((p) => Array.from(reduceChannels(imageOf(props.columns[p.col]!.explanation.values, props.columns[p.col]!.explanation.shape, p.row))));
      const name = (p: { col: number; row: number }) => `${props.columns[p.col]!.explanation.method} on ${props.rowLabels[p.row]}`;
      void props.compare(a!, b!).then((r) => setComparison(`${name(next[0]!)} vs ${name(next[1]!)}: Spearman ρ = ${fmt(r.spearman)}, top-10 % overlap = ${fmt(r.topK)}`));
    } else setComparison('click a second map to compare');
  };

  return (
    <section class="view attribution-grid" data-kind="attribution">
      <div class="controls">
        <label>values <select value={s.sign} onChange={(e) => set({ ...s, sign: (e.target as HTMLSelectElement).value as SignMode })}>
          <option value="all">signed</option><option value="absolute">absolute</option><option value="positive">positive</option><option value="negative">negative</option>
        </select></label>
        <label>colour map <select value={colormap} onChange={(e) => set({ ...s, colormap: (e.target as HTMLSelectElement).value })}>
          {maps.map((m) => <option value={m}>{m}</option>)}
        </select></label>
        <label>clip outliers (%) <input type="number" min="0" max="20" step="0.5" value={s.clip} onChange={(e) => set({ ...s, clip: Number((e.target as HTMLInputElement).value) })} /></label>
        <label>show <select value={s.mode} onChange={(e) => set({ ...s, mode: (e.target as HTMLSelectElement).value as Settings['mode'] })}>
          <option value="beside">heatmap beside the input</option>{props.inputs && <option value="overlay">overlay on a darkened input</option>}
        </select></label>
        {s.mode === 'overlay' && <label>opacity <input type="range" min="0" max="1" step="0.05" value={s.alpha} onInput={(e) => set({ ...s, alpha: Number((e.target as HTMLInputElement).value) })} /></label>}
        <label>size <input type="range" min="96" max="336" step="28" value={s.size} onInput={(e) => set({ ...s, size: Number((e.target as HTMLInputElement).value) })} /></label>
      </div>
      <table class="grid">
        <thead>
          <tr>
            <th>input</th>
            {props.columns.map((c, j) => (
              <th class="method-head">
                <div class="method-name">{c.explanation.method}</div>
                {c.ms !== undefined && <div class="muted">{fmt(c.ms / 1000)} s</div>}
                <ColourBar colormap={colormap} sign={s.sign} scale={scales[j] ?? 0} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: n }, (_, i) => (
            <tr>
              <th class="row-head">
                {props.inputs && s.mode === 'beside' && <RgbaCanvas image={heatmap(imageOf(props.inputs.data, props.inputs.shape, i), { sign: 'absolute', colormap: 'Greys_r', scale: 1 })} size={s.size} label={`input ${props.rowLabels[i]}`} />}
                <div>{props.rowLabels[i]}</div>
                {props.predictions && <div class="muted">predicted {props.predictions[i]}</div>}
              </th>
              {props.columns.map((c, j) => (
                <td>
                  <RgbaCanvas image={cell(j, i)} size={s.size} label={`${c.explanation.method} on ${props.rowLabels[i]}`}
                    selected={picked.some((p) => p.col === j && p.row === i)} onClick={() => pick(j, i)} />
                  {c.card && <ReportCard card={c.card} row={i} />}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {comparison && <p class="comparison">{comparison}</p>}
    </section>
  );
}

function ColourBar(props: { colormap: string; sign: SignMode; scale: number }) {
  const bar = colorBar(props.colormap, props.sign, props.scale, { width: 168 });
  return (
    <div class="colour-bar" data-scale={props.scale}>
      <RgbaCanvas image={bar} size={168} label={`colour bar ${props.colormap}, ${props.sign === 'all' ? `${fmt(-props.scale)} to ` : '0 to '}${fmt(props.scale)}`} />
    </div>
  );
}

/** The report card of one map: three scores, lower is better for each. */
function ReportCard(props: { card: CardScores; row: number }) {
  const r = props.row;
  return (
    <dl class="report-card" title="lower is better for all three">
      <dt>deletion AUC</dt><dd data-metric="deletion">{fmt(props.card.deletion[r] ?? NaN)}</dd>
      <dt>infidelity</dt><dd data-metric="infidelity">{fmt(props.card.infidelity[r] ?? NaN)}</dd>
      <dt>max-sensitivity</dt><dd data-metric="max-sensitivity">{fmt(props.card.maxSensitivity[r] ?? NaN)}</dd>
    </dl>
  );
}
