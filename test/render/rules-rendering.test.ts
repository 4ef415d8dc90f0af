import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CurveExplanation, RulesExplanation, TreeExplanation } from '../../src/core/explanation.js';
import { LumenError } from '../../src/core/errors.js';
import { curveSection, rulesSection, treeSection } from '../../src/render/explanation-sections.js';
import { renderReport } from '../../src/render/html-report.js';
import { layoutLineChart, lineChartPng, lineChartSvg } from '../../src/render/line-chart.js';
import { conditionText, rulesText, treeText } from '../../src/render/rules-text.js';
import { treeDiagramSvg } from '../../src/render/tree-diagram.js';
import { repoPath } from '../helpers.js';

const rules: RulesExplanation = {
  kind: 'rules',
  method: 'pedagogical-rules',
  fidelity: 0.97,
  rules: [
    { conditions: [{ feature: 'Flipper Length (mm)', op: '>', value: 0.5 }, { feature: 'Island=Dream', op: '==', value: 0 }], outcome: 'Gentoo', coverage: 0.4, precision: 1, support: 40 },
    { conditions: [{ feature: 'x <b>', op: 'in', value: [1, 3] }], outcome: 'Adelie', coverage: 0.6, precision: 0.95, support: 1 },
  ],
};

test('rulesText writes if-then lines with units, de-standardised thresholds and one-hot columns as words', () => {
  const text = rulesText(rules, { featureScales: { 'Flipper Length (mm)': { scale: 14, offset: 200 } } });
  assert.match(text, /^2 rules \(pedagogical-rules; fidelity to the model 97% on held-out rows\):/);
  assert.match(text, /1\. if Flipper Length > 207 mm and Island is not Dream then Gentoo {3}\(coverage 40%, precision 100%, 40 rows\)/);
  assert.match(text, /2\. if x <b> in \{1, 3\} then Adelie .*1 row\)/);
  assert.equal(conditionText({ feature: 'Island=Dream', op: '==', value: 1 }), 'Island is Dream');
  assert.equal(conditionText({ feature: 'Body Mass (g)', op: '<=', value: 4000.123456 }), 'Body Mass <= 4000 g');
});

const tree: TreeExplanation = {
  kind: 'tree',
  method: 'surrogate-tree',
  fidelity: 1,
  root: { feature: 'a', threshold: 0.5, value: [0.5, 0.5], samples: 10, left: { value: [1, 0], samples: 5 }, right: { value: [0.2, 0.8], samples: 5 } },
  meta: { classNames: ['no', 'yes'], depth: 1, leaves: 2 },
};

test('treeText and treeDiagramSvg show each split and leaf', () => {
  assert.equal(treeText(tree), 'decision tree (surrogate-tree, fidelity to the model 100% on held-out rows):\nif a <= 0.5:\n  → no (5 rows; 100% / 0%)\nelse:\n  → yes (5 rows; 20% / 80%)');
  const svg = treeDiagramSvg(tree.root, ['no', 'yes']);
  assert.equal(svg.match(/class="split"/g)?.length, 1);
  assert.equal(svg.match(/class="leaf"/g)?.length, 2);
  assert.equal(svg.match(/class="edge"/g)?.length, 2);
  assert.match(svg, /a &lt;= 0\.5/);
});

const curve: CurveExplanation = {
  kind: 'curve',
  method: 'partial-dependence',
  xLabel: 'x',
  yLabel: 'partial dependence',
  curves: [
    { label: 'PD yes', x: [0, 1, 2], y: [0, 1, 4] },
    { label: 'ICE yes', x: [0, 1, 2], y: [1, 1, 1], example: 0 },
  ],
};

test('lineChart: curves rise with y, ICE is drawn under the average, one rug tick per data value', () => {
  const L = layoutLineChart(curve.curves, { rug: [0.5, 1.5, 3] });
  assert.equal(L.paths[0].series.example, 0, 'ICE first');
  const pd = L.paths[1].points;
  assert.ok(pd[0][1] > pd[1][1] && pd[1][1] > pd[2][1], 'larger y is higher on the page');
  assert.equal(L.xRange[1], 3, 'the rug widens the x range');
  assert.equal(L.rug.length, 3);
  const svg = lineChartSvg(curve.curves, { rug: [0.5, 1.5, 3], title: 'a <title>' });
  assert.equal(svg.match(/class="rug"/g)?.length, 3);
  assert.equal(svg.match(/class="ice"/g)?.length, 1);
  assert.match(svg, /a &lt;title&gt;/);
  const png = lineChartPng(curve.curves, { rug: [0.5] });
  assert.equal(png.data.length, 640 * 400 * 4);
  assert.throws(() => lineChartSvg([{ label: 'bad', x: [0, 1], y: [0] }]), (e) => e instanceof LumenError && /2 x and 1 y values/.test(e.message));
  assert.throws(() => lineChartSvg([]), LumenError);
});

test('report sections render rules, tree and curve explanations into a self-contained page', () => {
  const html = renderReport({ title: 't', sections: [rulesSection(rules), treeSection(tree), curveSection(curve, { rug: [1] })] });
  assert.match(html, /<td>Flipper Length &gt; 0\.5 mm and Island is not Dream<\/td>/);
  assert.match(html, /Fidelity to the model on held-out rows: 97\.0%/);
  assert.equal(html.match(/<svg/g)?.length, 2);
  assert.doesNotMatch(html, /<script/);
});

test('lumen pdp writes a PNG, an SVG with a rug per data row, and refuses another extension', () => {
  const cli = repoPath('dist', 'src', 'cli', 'main.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-pdp-'));
  execFileSync('node', [cli, 'pdp', '--model', 'bundled:penguins', '--feature', 'Flipper Length (mm)', '--kind', 'both', '--out', path.join(dir, 'pd.png')]);
  assert.deepEqual([...readFileSync(path.join(dir, 'pd.png')).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  execFileSync('node', [cli, 'pdp', '--model', 'bundled:penguins', '--feature', '2', '--method', 'ale', '--target', 'Gentoo', '--out', path.join(dir, 'ale.svg')]);
  const svg = readFileSync(path.join(dir, 'ale.svg'), 'utf8');
  assert.equal(svg.match(/class="rug"/g)?.length, 67, 'the 67 bundled held-out penguins');
  assert.match(svg, /Flipper Length \(mm\)/);
  const json = JSON.parse(execFileSync('node', [cli, 'pdp', '--model', 'bundled:penguins', '--feature', '0', '--json'], { encoding: 'utf8' })) as CurveExplanation;
  assert.equal(json.kind, 'curve');
  assert.equal(json.curves.length, 3, 'one PD curve per species');
  assert.throws(() => execFileSync('node', [cli, 'pdp', '--model', 'bundled:penguins', '--feature', '0', '--out', path.join(dir, 'x.gif')], { stdio: 'pipe' }), /--out must end in/);
});
