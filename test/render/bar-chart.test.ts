import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChartPng, barChartSvg, layoutBarChart } from '../../src/render/bar-chart.js';
import { lumenError, pixel } from './helpers.js';

const names = ['age', 'income', 'hours <per> week', 'zero'];
const values = [0.5, -1.25, 2, 0];

interface Bar { cls: string; feature: string; value: number; x: number; width: number }
function bars(svg: string): Bar[] {
  return [...svg.matchAll(/<rect class="bar (pos|neg)" data-feature="([^"]*)" data-value="([^"]*)" x="([^"]*)" y="[^"]*" width="([^"]*)"/g)].map((m) => ({
    cls: m[1]!, feature: m[2]!, value: Number(m[3]), x: Number(m[4]), width: Number(m[5]),
  }));
}

test('the SVG has every feature name (escaped), value labels, a title and a zero axis', () => {
  const svg = barChartSvg(names, values, { title: 'Tabular <IG>' });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>$/);
  for (const n of ['age', 'income', 'hours &lt;per&gt; week', 'zero']) assert.ok(svg.includes(`>${n}</text>`), n);
  assert.ok(!svg.includes('<per>'));
  assert.ok(svg.includes('Tabular &lt;IG&gt;'));
  for (const label of ['0.5', '-1.25', '>2<', '>0<']) assert.ok(svg.includes(label), label);
  assert.match(svg, /<line class="axis"/);
});

test('positive bars grow right of the axis in red, negative bars left in blue, lengths ∝ |value|', () => {
  const svg = barChartSvg(names, values);
  const axis = Number(/<line class="axis" x1="([^"]*)"/.exec(svg)![1]);
  const bs = bars(svg);
  assert.deepEqual(bs.map((b) => b.feature), ['age', 'income', 'hours &lt;per&gt; week', 'zero']);
  for (const b of bs) {
    if (b.value > 0) {
      assert.equal(b.cls, 'pos');
      assert.ok(Math.abs(b.x - axis) < 0.01, `${b.feature} starts at the axis`);
    } else if (b.value < 0) {
      assert.equal(b.cls, 'neg');
      assert.ok(Math.abs(b.x + b.width - axis) < 0.01, `${b.feature} ends at the axis`);
    } else assert.equal(b.width, 0);
  }
  const [age, income, hours] = bs;
  assert.ok(Math.abs(hours!.width / age!.width - 4) < 0.01);
  assert.ok(Math.abs(income!.width / age!.width - 2.5) < 0.01);
  assert.ok(svg.includes('fill="#d6604d"') && svg.includes('fill="#4393c3"'));
});

test('sorting by |value| and keeping the top features', () => {
  assert.deepEqual(bars(barChartSvg(names, values, { sort: 'abs' })).map((b) => b.value), [2, -1.25, 0.5, 0]);
  assert.deepEqual(bars(barChartSvg(names, values, { sort: 'value' })).map((b) => b.value), [2, 0.5, 0, -1.25]);
  assert.deepEqual(bars(barChartSvg(names, values, { maxFeatures: 2 })).map((b) => b.value), [-1.25, 2]);
});

test('all-positive charts put the axis on the left', () => {
  const L = layoutBarChart(['a', 'b'], [1, 3]);
  assert.ok(L.bars.every((b) => Math.abs(b.x - L.axisX) < 1e-9));
  assert.ok(L.axisX < L.width / 3);
});

test('the PNG version draws red bars right of the axis and blue bars left', () => {
  const img = barChartPng(names, values, { title: 'Tabular IG' });
  const L = layoutBarChart(names, values, { title: 'Tabular IG', barHeight: 14 }, 6);
  assert.equal(img.width, L.width);
  const hours = L.bars[2]!;
  const [r, g, b] = pixel(img, Math.round(hours.x + hours.width / 2), Math.round(hours.y + hours.height / 2));
  assert.ok(r > b && r > g, `red: ${[r, g, b]}`);
  const income = L.bars[1]!;
  assert.ok(income.x + income.width <= L.axisX + 1e-9);
  const [r2, , b2] = pixel(img, Math.round(income.x + income.width / 2), Math.round(income.y + income.height / 2));
  assert.ok(b2 > r2, 'blue');
});

test('bad inputs are LumenErrors', () => {
  assert.throws(() => barChartSvg(['a', 'b'], [1]), lumenError('shape', /2 names for 1 values/));
  assert.throws(() => barChartSvg(['a'], [NaN]), lumenError('numeric', /feature "a" \(index 0\) is NaN/));
  assert.throws(() => barChartSvg([], []), lumenError('input', /no features/));
  assert.throws(() => barChartSvg(['a'], [1], { positiveColor: 'red' }), lumenError('option', /#rrggbb/));
  assert.throws(() => barChartSvg(['a'], [1], { sort: 'name' as never }), lumenError('option', /sort/));
});
