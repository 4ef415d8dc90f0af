/** Text attributions as highlighted tokens: each word's background by its attribution (red for, blue against), PAD omitted. */
import type { AttributionExplanation } from '../../../src/core/explanation.js';
import { colorAt, colormap } from '../../../src/render/colormap.js';
import { fmt } from '../format.js';
import type { Shown } from '../shown.js';

/** One score per token of example `i`: [N, T] as it is, [N, T, E] summed over E. */
export function tokenScores(e: AttributionExplanation, i: number): number[] {
  const t = e.shape[1] ?? 0;
  const per = e.shape.slice(2).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let k = 0; k < t; k++) {
    let s = 0;
    for (let j = 0; j < per; j++) s += e.values[(i * t + k) * per + j]!;
    out.push(s);
  }
  return out;
}

export function TokensView(props: { shown: Shown }) {
  const e = props.shown.explanation as AttributionExplanation;
  const map = colormap('RdBu_r');
  const n = e.shape[0] ?? 0;
  return (
    <section class="view tokens" data-kind="attribution" data-layout="text">
      {Array.from({ length: n }, (_, i) => {
        const scores = tokenScores(e, i);
        const words = props.shown.tokens?.[i] ?? [];
        const scale = Math.max(1e-12, ...scores.map(Math.abs));
        return (
          <div class="token-example">
            <div class="muted">{props.shown.rowLabels?.[i] ?? `example ${i}`}{props.shown.predictions ? ` — predicted ${props.shown.predictions[i]}` : ''} · scale ±{fmt(scale)}</div>
            <p class="token-text">
              {words.map((w, k) => {
                if (w === '') return null;
                const [r, g, b] = colorAt(map, 0.5 + scores[k]! / (2 * scale));
                return <span class="token" data-score={scores[k]} title={`${w}: ${fmt(scores[k]!)}`} style={{ background: `rgb(${r},${g},${b})` }}>{w}</span>;
              })}
            </p>
          </div>
        );
      })}
    </section>
  );
}
