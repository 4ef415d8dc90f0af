import type { Model } from '../core/model.js';

/** The embedding layer of a token model (the first layer of kind Embedding), if it has one. */
export function embeddingLayerOf(model: Model): string | undefined {
  return model.layers.find((l) => /embedding/i.test(l.kind))?.name;
}

/** Whether token highlights use ANSI colours: stdout is a terminal and NO_COLOR is unset. */
export function useColour(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/**
 * The text of each example with every word's score: one score per position (`scores[n]`, the sum
 * over the embedding axis for embedding attributions), PAD positions left out. With `colour`,
 * words are shown on a diverging background (red for positive, blue for negative, stronger for
 * larger |score| relative to the example's largest); without it, as `word[+0.123]`. Then the five
 * words of largest |score|. `labels` name the rows (default `example n`).
 */
export function tokenHighlights(scores: readonly (readonly number[])[], tokens: readonly (readonly string[])[], colour: boolean, labels?: readonly string[]): string {
  const lines: string[] = [];
  scores.forEach((row, n) => {
    const words = tokens[n] ?? [];
    const kept = words.map((w, t) => ({ w, t, s: row[t] ?? 0 })).filter((x) => x.w !== '');
    const most = Math.max(1e-12, ...kept.map((x) => Math.abs(x.s)));
    const shown = kept.map(({ w, s }) => (colour ? ansi(w, s / most) : `${w}[${s >= 0 ? '+' : ''}${s.toPrecision(3)}]`));
    lines.push(`${labels?.[n] ?? `example ${n}`}: ${shown.join(' ')}`);
    const top = [...kept].sort((a, b) => Math.abs(b.s) - Math.abs(a.s)).slice(0, 5);
    lines.push(`  top words: ${top.map(({ w, s }) => `${w} (${s >= 0 ? '+' : ''}${s.toPrecision(3)})`).join(', ')}`);
  });
  return `${lines.join('\n')}\n`;
}

/** A word on a 256-colour background: reds for positive shares, blues for negative, five steps. */
function ansi(word: string, share: number): string {
  const step = Math.min(4, Math.floor(Math.abs(share) * 5));
  if (step === 0) return word;
  const reds = [224, 217, 210, 203, 196];
  const blues = [189, 153, 117, 75, 33];
  const bg = (share > 0 ? reds : blues)[step];
  return `\u001b[48;5;${bg}m\u001b[30m${word}\u001b[0m`;
}
