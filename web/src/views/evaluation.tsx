/**
 * An evaluation ranking (`lumen evaluate --json`, src/metrics/evaluate-methods.ts): metric × method
 * with each aggregate, its rank (1 = best under the metric's direction) and the best cell marked,
 * the mean rank per method, and the verdicts in words.
 */
import { fmt } from '../format.js';
import type { EvaluationRecord } from '../shown.js';

export function EvaluationView(props: { e: EvaluationRecord }) {
  const ev = props.e.evaluation;
  const meanRank = ev.methods.map((m) => {
    const ranks = ev.metrics.map((row) => row.results.find((r) => r.method === m)?.rank).filter((r): r is number => typeof r === 'number');
    return ranks.length ? ranks.reduce((a, b) => a + b, 0) / ranks.length : NaN;
  });
  return (
    <section class="view evaluation" data-kind="evaluation">
      <p class="muted">{ev.model} · {ev.examples} examples · rank 1 is best (↑ higher is better, ↓ lower is better)</p>
      <table class="data ranking">
        <thead><tr><th>metric</th>{ev.methods.map((m) => <th>{m}</th>)}</tr></thead>
        <tbody>
          {ev.metrics.map((row) => (
            <tr data-metric={row.id}>
              <th title={row.category}>{row.title} {row.direction === 'higher' ? '↑' : '↓'}</th>
              {ev.methods.map((m) => {
                const r = row.results.find((x) => x.method === m);
                return <td class={r?.rank === 1 ? 'best' : ''} data-rank={r?.rank}>{r ? <>{fmt(r.aggregate)} <span class="muted">#{r.rank}</span></> : '—'}</td>;
              })}
            </tr>
          ))}
          <tr class="mean-rank"><th>mean rank</th>{meanRank.map((r) => <td>{fmt(r, 3)}</td>)}</tr>
        </tbody>
      </table>
      {Object.keys(ev.verdicts).length > 0 && <ul class="verdicts">{Object.entries(ev.verdicts).map(([k, v]) => <li><strong>{k}</strong>: {v}</li>)}</ul>}
    </section>
  );
}
