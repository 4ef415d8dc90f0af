/** What `lumen attack` prints and writes: the per-example table, the success rate, and the files of `--out`. */
import path from 'node:path';
import { LumenError } from '../core/errors.js';
import type { AttackExplanation } from '../core/explanation.js';
import { attackFigure } from '../render/attack-figure.js';
import { renderReport } from '../render/html-report.js';
import { encodePng, pngDataUri } from '../render/png.js';
import { formatTable } from './table.js';

/** The extensions `lumen attack --out` writes. */
export const ATTACK_OUT_EXTENSIONS = ['.png', '.html', '.json'] as const;

/** The number of examples whose prediction the attack changed, and the attack's success rate (its own criterion). */
export function attackCounts(e: AttackExplanation): { changed: number; succeeded: number; total: number } {
  const success = (e.meta?.success as readonly boolean[] | undefined) ?? [];
  return {
    changed: e.predictions.filter((p, i) => p !== e.originalPredictions[i]).length,
    succeeded: success.filter(Boolean).length,
    total: e.predictions.length,
  };
}

/** One row per example (prediction before → after, L∞ and L2 sizes, success) and the summary lines. */
export function attackText(e: AttackExplanation, classNames?: readonly string[]): string {
  const name = (k: number): string => classNames?.[k] ?? String(k);
  const linf = (e.meta?.linf as readonly number[] | undefined) ?? [];
  const l2 = (e.meta?.l2 as readonly number[] | undefined) ?? [];
  const success = (e.meta?.success as readonly boolean[] | undefined) ?? [];
  const rows = e.predictions.map((p, i) => [String(i), name(e.originalPredictions[i]), name(p), (linf[i] ?? NaN).toFixed(4), (l2[i] ?? NaN).toFixed(4), success[i] ? 'yes' : 'no']);
  const c = attackCounts(e);
  const pct = (k: number): string => (c.total ? ((100 * k) / c.total).toFixed(1) : '0.0');
  return [
    formatTable(['example', 'before', 'after', 'L∞', 'L2', 'success'], rows),
    `${c.changed} of ${c.total} predictions changed; success rate ${c.succeeded}/${c.total} (${pct(c.succeeded)} %)`,
  ].join('\n');
}

/** The bytes `--out` writes: the record (.json), the clean | adversarial | δ grid (.png), or an HTML report with it. */
export function attackOutput(e: AttackExplanation, clean: ArrayLike<number>, file: string, title: string, classNames?: readonly string[]): string | Uint8Array {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return `${JSON.stringify(e, null, 2)}\n`;
  if (e.shape.length !== 3) throw new LumenError('option', `lumen attack: a figure (${ext}) needs an image model; inputs of shape [${e.shape}] — use --out <file.json> or --json`);
  const figure = attackFigure(e, clean, classNames ? { classNames } : {});
  if (ext === '.png') return encodePng(figure);
  const c = attackCounts(e);
  return renderReport({
    title,
    sections: [{
      title: e.method,
      text: `${c.changed} of ${c.total} predictions changed; success rate ${c.succeeded}/${c.total}.`,
      figures: [{ image: pngDataUri(figure), caption: 'clean | adversarial | perturbation (prediction before -> after)', width: Math.min(figure.width, 720) }],
    }],
  });
}
