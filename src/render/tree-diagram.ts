/**
 * A decision tree (`'tree'` explanation's root) as a self-contained SVG diagram: leaves side by
 * side in order, each split centred over its children, split tests on the nodes (text from
 * rules-text.ts), leaves coloured by their class.
 */
import type { TreeNodeRecord } from '../core/explanation.js';
import { escapeHtml } from './format.js';
import { conditionText, type RulesTextOptions } from './rules-text.js';

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const NODE_W = 150;
const NODE_H = 40;
const LEVEL_H = 70;

/** The SVG of a tree: `<g class="split|leaf">` per node, `<line class="edge">` per edge. */
export function treeDiagramSvg(root: TreeNodeRecord, classNames: readonly string[] = [], options: RulesTextOptions = {}): string {
  const placed: { n: TreeNodeRecord; x: number; depth: number }[] = [];
  const edges: [number, number, number, number][] = [];
  let leaves = 0;
  let maxDepth = 0;
  const place = (n: TreeNodeRecord, depth: number): number => {
    maxDepth = Math.max(maxDepth, depth);
    let x: number;
    if (n.left && n.right) {
      const a = place(n.left, depth + 1);
      const b = place(n.right, depth + 1);
      x = (a + b) / 2;
      for (const c of [a, b]) edges.push([x, depth, c, depth + 1]);
    } else x = leaves++ * (NODE_W + 10) + NODE_W / 2 + 10;
    placed.push({ n, x, depth });
    return x;
  };
  place(root, 0);
  const width = leaves * (NODE_W + 10) + 10;
  const height = (maxDepth + 1) * LEVEL_H + 10;
  const y = (d: number): number => 10 + d * LEVEL_H;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="system-ui, sans-serif" font-size="11">`, '<rect width="100%" height="100%" fill="#ffffff"/>'];
  for (const [x1, d1, x2, d2] of edges) out.push(`<line class="edge" x1="${x1}" y1="${y(d1) + NODE_H}" x2="${x2}" y2="${y(d2)}" stroke="#888"/>`);
  for (const { n, x, depth } of placed) {
    const top = y(depth);
    const best = n.value.indexOf(Math.max(...n.value));
    const split = n.left && n.right && n.feature !== undefined;
    const label = split
      ? conditionText(n.categories ? { feature: n.feature as string, op: 'in', value: n.categories } : { feature: n.feature as string, op: '<=', value: n.threshold ?? 0 }, options)
      : `${classNames[best] ?? best} (${Math.round(100 * n.value[best])}%)`;
    const fill = split ? '#f4f4f4' : PALETTE[best % PALETTE.length];
    out.push(`<g class="${split ? 'split' : 'leaf'}"><rect x="${x - NODE_W / 2}" y="${top}" width="${NODE_W}" height="${NODE_H}" rx="4" fill="${fill}" fill-opacity="${split ? 1 : 0.35}" stroke="#666"/><text x="${x}" y="${top + 16}" text-anchor="middle" fill="#222">${escapeHtml(label)}</text><text x="${x}" y="${top + 31}" text-anchor="middle" fill="#555">${n.samples} rows</text></g>`);
  }
  out.push('</svg>');
  return out.join('\n');
}
