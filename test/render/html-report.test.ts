import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChartSvg } from '../../src/render/bar-chart.js';
import { escapeHtml, formatNumber } from '../../src/render/format.js';
import { renderReport } from '../../src/render/html-report.js';
import { createRgba } from '../../src/render/image.js';
import { pngDataUri } from '../../src/render/png.js';
import { lumenError } from './helpers.js';

const uri = pngDataUri(createRgba(4, 4, [200, 30, 30]));

function sample(): string {
  return renderReport({
    title: 'Lumen <report> & more',
    intro: 'Attributions for a small CNN. See https://example.org for details.\n\nSecond paragraph.',
    sections: [
      {
        title: 'Timing',
        text: 'Per-method cost.',
        table: { columns: ['method', 'ms', 'δ'], rows: [['saliency', 12.345678, 1e-4], ['IG <fast>', 1234, null]] },
      },
      {
        title: 'Maps',
        figures: [
          { image: uri, caption: '<script>alert(1)</script>', note: '12.3 ms · δ = 1e-4' },
          { svg: barChartSvg(['a', 'b'], [1, -2]), caption: 'tabular' },
        ],
      },
    ],
    footer: 'lumen "test"',
  });
}

test('the page is a complete HTML document with the title, intro, table and figures', () => {
  const html = sample();
  assert.match(html, /^<!doctype html>\n<html lang="en">/);
  assert.match(html, /<meta charset="utf-8">/);
  assert.ok(html.includes('<title>Lumen &lt;report&gt; &amp; more</title>'));
  assert.equal((html.match(/<p class="intro">/g) ?? []).length, 2);
  assert.ok(html.includes('<th scope="col">δ</th>'));
  assert.ok(html.includes('<td class="num">12.35</td>'));
  assert.ok(html.includes('<td class="num">1e-4</td>'));
  assert.ok(html.includes('<td class="num">1,234</td>'));
  assert.ok(html.includes('<td>IG &lt;fast&gt;</td>'));
  assert.ok(html.includes(`src="${uri}"`));
  assert.ok(html.includes('12.3 ms · δ = 1e-4'));
  assert.ok(html.includes('<svg width='), 'inline SVG without xmlns');
  assert.ok(html.includes('lumen &quot;test&quot;'));
});

test('captions are escaped: no script element and no raw tags from text', () => {
  const html = sample();
  assert.ok(!/<script/i.test(html));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
});

test('no external requests: http(s) URLs appear only in text, never in attributes or CSS', () => {
  const html = sample();
  const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]*/g)].map((m) => m[0]);
  assert.deepEqual(urls, ['https://example.org'], 'the only URL is the one in the intro text');
  assert.ok(html.includes('<p class="intro">Attributions for a small CNN. See https://example.org for details.</p>'));
  assert.ok(!/(?:src|href)\s*=\s*["']?https?:/i.test(html));
  assert.ok(!/url\(\s*["']?https?:/i.test(html));
  assert.ok(!/@import/i.test(html));
  assert.ok(!/<link\b/i.test(html));
});

test('non-data images, unsafe SVGs and ragged tables are rejected', () => {
  const base = { title: 't', sections: [] as never[] };
  const fig = (f: object) => renderReport({ ...base, sections: [{ title: 's', figures: [f as never] }] });
  assert.throws(() => fig({ image: 'https://x.org/a.png', caption: 'c' }), lumenError('input', /data:image/));
  assert.throws(() => fig({ svg: '<svg><script>1</script></svg>', caption: 'c' }), lumenError('input', /may not script or load/));
  assert.throws(() => fig({ svg: '<svg><image href="http://x/y.png"/></svg>', caption: 'c' }), lumenError('input', /may not script or load/));
  assert.throws(() => fig({ svg: '<svg onload="x()"></svg>', caption: 'c' }), lumenError('input', /may not script or load/));
  assert.throws(() => fig({ svg: '<div></div>', caption: 'c' }), lumenError('input', /one <svg>/));
  assert.throws(() => fig({ caption: 'c' }), lumenError('input', /exactly one of image/));
  assert.throws(
    () => renderReport({ ...base, sections: [{ title: 's', table: { columns: ['a', 'b'], rows: [[1]] } }] }),
    lumenError('shape', /row 0 has 1 cells; expected 2/),
  );
});

test('escapeHtml and formatNumber', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(formatNumber(0), '0');
  assert.equal(formatNumber(12345), '12,345');
  assert.equal(formatNumber(0.123456), '0.1235');
  assert.equal(formatNumber(1e-4), '1e-4');
  assert.equal(formatNumber(-2.5e-7), '-2.5e-7');
  assert.equal(formatNumber(12.3), '12.3');
  assert.equal(formatNumber(NaN), 'NaN');
});
