import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutTokenHighlight, tokenHighlightHtml, tokenHighlightPage, tokenHighlightPng, tokenHighlightSvg } from '../../src/render/token-highlight.js';
import { lumenError, pixel } from './helpers.js';

const row = { tokens: ['win', 'a', '<free>', 'prize', '', ''], values: [0.8, -0.1, 0.4, -0.6, 0, 0], label: 'example 0 & spam' };

interface Rect { index: number; value: number; fill: [number, number, number]; title: string }
function rects(svg: string): Rect[] {
  return [...svg.matchAll(/<rect class="token" data-index="(\d+)" data-value="([^"]*)"[^>]* fill="#([0-9a-f]{6})"><title>([^<]*)<\/title><\/rect>/g)].map((m) => ({
    index: Number(m[1]), value: Number(m[2]), fill: [0, 2, 4].map((k) => parseInt(m[3]!.slice(k, k + 2), 16)) as [number, number, number], title: m[4]!,
  }));
}

test('the SVG has one token <rect> and one <text> per non-PAD token, values in titles, escaped text', () => {
  const svg = tokenHighlightSvg([row], { title: 'IG <embedding>' });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const rs = rects(svg);
  assert.equal(rs.length, 4);
  assert.deepEqual(rs.map((r) => r.index), [0, 1, 2, 3]);
  assert.deepEqual(rs.map((r) => r.value), [0.8, -0.1, 0.4, -0.6]);
  assert.equal((svg.match(/<text class="token-text"/g) ?? []).length, 4);
  assert.ok(svg.includes('>&lt;free&gt;</text>'));
  assert.ok(!svg.includes('<free>'));
  assert.equal(rs[0]!.title, 'win: +0.8');
  assert.equal(rs[3]!.title, 'prize: -0.6');
  assert.ok(svg.includes('IG &lt;embedding&gt;'));
  assert.ok(svg.includes('example 0 &amp; spam'));
  assert.ok((svg.match(/class="colorbar"/g) ?? []).length > 8);
  assert.ok(svg.includes('>-0.8</text>') && svg.includes('>0.8</text>'), 'colour bar labelled ±max|value|');
});

test('colours are sign-correct and grow with |value|: red > 0, blue < 0, the largest is the strongest', () => {
  const rs = rects(tokenHighlightSvg([row]));
  const [win, a, free, prize] = rs;
  for (const r of [win!, free!]) assert.ok(r.fill[0] > r.fill[2], `positive ${r.title} is red: ${r.fill}`);
  for (const r of [a!, prize!]) assert.ok(r.fill[2] > r.fill[0], `negative ${r.title} is blue: ${r.fill}`);
  const strength = (r: Rect) => 765 - r.fill[0] - r.fill[1] - r.fill[2];
  assert.ok(strength(win!) > strength(free!), 'larger positive is more saturated');
  assert.ok(strength(prize!) > strength(a!), 'larger negative is more saturated');
  const zero = rects(tokenHighlightSvg([{ tokens: ['x', 'y'], values: [0, 1] }]))[0]!;
  assert.ok(Math.max(...zero.fill) - Math.min(...zero.fill) < 16, `0 is (near) white: ${zero.fill}`);
});

test('lines wrap inside the width and rows share one scale unless told', () => {
  const tokens = Array.from({ length: 60 }, (_, i) => `word${i}`);
  const L = layoutTokenHighlight([{ tokens, values: tokens.map((_, i) => i - 30) }, { tokens: ['a'], values: [1] }], { width: 300 });
  const boxes = L.rows[0]!.boxes;
  assert.ok(new Set(boxes.map((b) => b.y)).size > 3, 'several lines');
  for (const b of boxes) assert.ok(b.x + b.width <= 300 - 8 + 1e-9, `box ${b.index} inside the width`);
  assert.equal(L.scale, 30);
  assert.ok(Math.abs(L.rows[1]!.boxes[0]!.share - 1 / 30) < 1e-12, 'the second row on the first row\'s scale');
  assert.ok(L.rows[1]!.boxes[0]!.y > boxes[boxes.length - 1]!.y, 'rows stack');
  const fixed = layoutTokenHighlight([{ tokens: ['a', 'b'], values: [2, -0.5] }], { scale: 1 });
  assert.deepEqual(fixed.rows[0]!.boxes.map((b) => b.share), [1, -0.5], 'clipped at the fixed scale');
});

test('the HTML has a span per token with its colour, the value on hover and escaped text; the page is self-contained', () => {
  const html = tokenHighlightHtml([row]);
  const spans = [...html.matchAll(/<span class="token" data-index="(\d+)" data-value="([^"]*)" style="background:#([0-9a-f]{6});[^"]*" title="([^"]*)">([^<]*)<\/span>/g)];
  assert.equal(spans.length, 4);
  assert.deepEqual(spans.map((m) => m[4]), ['win: +0.8', 'a: -0.1', '&lt;free&gt;: +0.4', 'prize: -0.6']);
  assert.deepEqual(spans.map((m) => m[5]), ['win', 'a', '&lt;free&gt;', 'prize']);
  const red = spans[0]![3]!;
  assert.ok(parseInt(red.slice(0, 2), 16) > parseInt(red.slice(4, 6), 16));
  const page = tokenHighlightPage([{ tokens: ['"quoted"', "it's"], values: [1, -1] }], { title: 'A & B' });
  assert.match(page, /^<!doctype html>/);
  assert.ok(page.includes('<title>A &amp; B</title>'));
  assert.ok(page.includes('&quot;quoted&quot;') && page.includes('it&#39;s'));
  assert.doesNotMatch(page, /<script|src=|href=/);
});

test('the PNG colours each token box by its sign and carries a colour bar', () => {
  const img = tokenHighlightPng([{ tokens: ['good', 'bad'], values: [1, -1] }]);
  const L = layoutTokenHighlight([{ tokens: ['good', 'bad'], values: [1, -1] }], {}, 6, 15);
  const [g, b] = L.rows[0]!.boxes;
  const pg = pixel(img, g!.x + 1, g!.y + 1);
  const pb = pixel(img, b!.x + 1, b!.y + 1);
  assert.ok(pg[0] > pg[2] + 60, `positive box red: ${pg}`);
  assert.ok(pb[2] > pb[0] + 60, `negative box blue: ${pb}`);
  assert.ok(img.height > L.barY, 'room for the colour bar');
  const bar = pixel(img, 9, L.barY + 2);
  assert.ok(bar[2] > bar[0], `the bar starts blue (−scale): ${bar}`);
});

test('bad input is a LumenError naming the problem', () => {
  assert.throws(() => tokenHighlightSvg([]), lumenError('input', /non-empty/));
  assert.throws(() => tokenHighlightSvg([{ tokens: ['a', 'b'], values: [1] }]), lumenError('shape', /2 tokens but 1 values/));
  assert.throws(() => tokenHighlightSvg([{ tokens: ['a'], values: [NaN] }]), lumenError('numeric', /token 0 \("a"\)/));
  assert.throws(() => tokenHighlightSvg([row], { colormap: 'viridis' }), lumenError('option', /diverging/));
  assert.throws(() => tokenHighlightSvg([row], { scale: 0 }), lumenError('option', /scale/));
});
