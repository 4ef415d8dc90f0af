/**
 * The order of the HTML reports of `lumen demo` and `lumen explain --report`: first what a person
 * wants to see — each example with the model's prediction and its explanations side by side
 * (report-tiles.ts) — then the table of timings and completeness, then the methods skipped, with
 * their reasons.
 */
import type { ReportSection } from '../render/html-report.js';
import type { ReportExample, ReportTile } from '../render/report-examples.js';

/** One method's run on one dataset: its status, timing and completeness, and its tiles per example. */
export interface MethodRun {
  readonly dataset: string;
  readonly method: string;
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly msPerExample: number | null;
  /** Max |Σ attribution − (f(x) − f(baseline))| over the examples, where the method reports it. */
  readonly completenessError: number | null;
  readonly note?: string;
  /** One tile per example (ok runs). */
  readonly tiles?: readonly ReportTile[];
}

/** A dataset's examples as the report shows them. */
export interface ReportCase {
  readonly title: string;
  readonly text?: string;
  /** One title per example ("digit 7", "penguin 2 (Adelie)"). */
  readonly exampleTitles: readonly string[];
  /** The model's prediction per example. */
  readonly predictions: readonly string[];
  /** The input per example as a tile (image inputs), shown before the methods. */
  readonly inputs: readonly (ReportTile | undefined)[];
  readonly runs: readonly MethodRun[];
  /** Show at most this many examples (default all). */
  readonly maxExamples?: number;
}

/** One section per case: each example with its prediction, its input and one tile per method that ran. */
export function examplesSection(c: ReportCase): ReportSection {
  const count = Math.min(c.exampleTitles.length, c.maxExamples ?? Infinity);
  const ok = c.runs.filter((r) => r.status === 'ok' && r.tiles);
  const examples: ReportExample[] = Array.from({ length: count }, (_, i) => ({
    title: c.exampleTitles[i],
    ...(c.predictions[i] ? { prediction: c.predictions[i] } : {}),
    tiles: [...(c.inputs[i] ? [c.inputs[i]!] : []), ...ok.flatMap((r) => (r.tiles![i] ? [r.tiles![i]] : []))],
  }));
  const shown = count < c.exampleTitles.length ? ` The first ${count} of ${c.exampleTitles.length} examples are shown; the PNGs beside this page hold them all.` : '';
  return { title: c.title, text: `${c.text ?? ''}${shown}`.trim(), examples };
}

function cellNote(r: Pick<MethodRun, 'note'>): string {
  return r.note ?? '';
}

/** The table of timings and completeness of every run that finished. */
export function timingsSection(runs: readonly MethodRun[]): ReportSection {
  const ok = runs.filter((r) => r.status === 'ok');
  return {
    title: 'Timings and completeness',
    text: 'Milliseconds per example on this machine (batched model calls), and the completeness error max |Σ attribution − (f(x) − f(baseline))| of the methods that should sum to the output difference.',
    table: {
      columns: ['dataset', 'method', 'ms / example', 'completeness error', 'note'],
      rows: ok.map((r) => [r.dataset, r.method, r.msPerExample === null ? null : Number(r.msPerExample.toFixed(1)), r.completenessError === null ? null : Number(r.completenessError.toPrecision(2)), cellNote(r)]),
    },
  };
}

/** The runs that did not finish — skipped (the method does not apply) or failed (a bug) — with their reasons. */
export function skippedSection(runs: readonly MethodRun[]): ReportSection | undefined {
  const rest = runs.filter((r) => r.status !== 'ok');
  if (!rest.length) return undefined;
  return {
    title: 'Skipped methods',
    text: 'Methods not shown above, and why: skipped when the method does not apply to the model or its inputs, failed when it raised an unexpected error (a bug).',
    table: { columns: ['dataset', 'method', 'status', 'reason'], rows: rest.map((r) => [r.dataset, r.method, r.status, r.note ?? '']) },
  };
}
