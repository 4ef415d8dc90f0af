import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionMapPng, attentionMapSvg, attentionMapsPng } from '../../src/render/attention-map.js';
import { lumenError } from './helpers.js';

const tokens = ['[cls]', 'free', '<b>'];
const A = [0.7, 0.2, 0.1, 0, 1, 0, 0.5, 0, 0.5];

test('the SVG has one cell per (query, key), darker for larger weights, values in titles, tokens escaped', () => {
  const svg = attentionMapSvg(A, tokens, { title: 'rollout' });
  const cells = [...svg.matchAll(/<rect class="cell" data-query="(\d)" data-key="(\d)" data-value="([^"]*)"[^>]* fill="#([0-9a-f]{6})"><title>([^<]*)<\/title>/g)];
  assert.equal(cells.length, 9);
  assert.deepEqual(cells.map((c) => Number(c[3])), A);
  const lum = (h: string) => [0, 2, 4].reduce((s, k) => s + parseInt(h.slice(k, k + 2), 16), 0);
  const byValue = cells.map((c) => ({ v: Number(c[3]), l: lum(c[4]!) })).sort((a, b) => a.v - b.v);
  for (let i = 1; i < byValue.length; i++) assert.ok(byValue[i]!.l <= byValue[i - 1]!.l, 'monotone: larger weight, darker cell');
  assert.equal(cells[1]![5], '[cls] → free: 0.2');
  assert.ok(svg.includes('&lt;b&gt;') && !svg.includes('<b>'));
  assert.equal((svg.match(/class="query"/g) ?? []).length, 3);
  assert.equal((svg.match(/class="key"/g) ?? []).length, 3);
});

test('the PNG is the heatmap upscaled by the cell size with labels; several maps share one scale', () => {
  const one = attentionMapPng(A, tokens, { cell: 10 });
  assert.ok(one.width >= 30 && one.height >= 30);
  const two = attentionMapsPng([{ label: 'layer 0', matrix: A }, { label: 'layer 1', matrix: A.map((v) => v / 2) }], tokens, { cell: 10 });
  assert.ok(two.width > one.width);
});

test('bad maps are LumenErrors', () => {
  assert.throws(() => attentionMapSvg([1, 2, 3], tokens), lumenError('shape', /3×3 = 9/));
  assert.throws(() => attentionMapSvg(A.map((v, i) => (i === 4 ? -1 : v)), tokens), lumenError('numeric', /\[1, 1\]/));
  assert.throws(() => attentionMapPng(A, tokens, { colormap: 'RdBu' }), lumenError('option', /sequential/));
});
