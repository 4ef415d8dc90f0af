import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeNpy } from '../../src/data/npy.js';
import { decodePng } from '../../src/render/png.js';
import { repoPath, testNeedingPackage } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const example = (name: string): string => repoPath('examples', name);

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'lumen-cli-'));
}

test('lumen predict --json prints {shape, data} and the bundled CNN reads the example digits right', () => {
  const r = lumen('predict', '--model', 'bundled:mnist', '--input', example('digits.npy'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { shape: number[]; data: number[] };
  assert.deepEqual(out.shape, [3, 10]);
  const argmax = [0, 1, 2].map((i) => {
    const row = out.data.slice(10 * i, 10 * i + 10);
    return row.indexOf(Math.max(...row));
  });
  assert.deepEqual(argmax, [7, 2, 4]);
  const png = lumen('predict', '--model', 'bundled:mnist', '--input', example('digit-7.png'));
  assert.equal(png.status, 0, png.stderr);
  assert.match(png.stdout, /^0\s+7\s/m);
});

test('lumen predict reads a penguin CSV by column names', () => {
  const r = lumen('predict', '--model', 'bundled:penguins', '--input', example('penguins.csv'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { shape: number[] };
  assert.deepEqual(out.shape, [6, 3]);
});

test('lumen explain writes a PNG grid and a JSON attribution whose IG sums match its completeness delta', () => {
  const dir = tmp();
  const png = path.join(dir, 'ig.png');
  const r = lumen('explain', '--model', 'bundled:mnist', '--input', example('digits.npy'), '--method', 'integrated-gradients', '--out', png);
  assert.equal(r.status, 0, r.stderr);
  const img = decodePng(readFileSync(png));
  assert.ok(img.width > 3 * 28 && img.height > 3 * 28, `a 3×3 grid of upscaled images; found ${img.width}×${img.height}`);
  const json = path.join(dir, 'ig.json');
  const j = lumen('explain', '--model', 'bundled:penguins', '--input', example('penguins.csv'), '--method', 'integrated-gradients', '--opt', 'steps=64', '--target', '0', '--out', json);
  assert.equal(j.status, 0, j.stderr);
  const out = JSON.parse(readFileSync(json, 'utf8')) as { shape: number[]; data: number[]; featureNames: string[]; target: number[]; meta: { delta: number[] } };
  assert.deepEqual(out.shape, [6, 9]);
  assert.equal(out.featureNames[0], 'Beak Length (mm)');
  assert.deepEqual(out.target, [0, 0, 0, 0, 0, 0]);
  assert.equal(out.meta.delta.length, 6);
  assert.ok(out.meta.delta.every((d) => Math.abs(d) < 0.1), `IG with 64 Gauss–Legendre steps is nearly complete; deltas ${out.meta.delta}`);
});

test('lumen explain: user mistakes exit 2 with a one-line message and no stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['--method', 'no-such-method'], /unknown method 'no-such-method'/],
    [['--method', 'saliency', '--opt', 'mode=loud'], /expects one of absolute, signed, squared; found 'loud'/],
    [['--method', 'saliency', '--opt', 'nope=1'], /saliency has the options mode; found 'nope'/],
    [['--method', 'saliency', '--target', '12'], /target 12 is out of range/],
    [['--method', 'saliency', '--layer', 'conv9'], /unknown layer 'conv9'/],
    [['--method', 'layer-activation'], /needs a layer/],
    [['--method', 'saliency', '--out', 'x.gif'], /expected a file ending in/],
  ];
  for (const [args, message] of cases) {
    const r = lumen('explain', '--model', 'bundled:mnist', '--input', example('digit-7.png'), ...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const wrongInput = lumen('explain', '--model', 'bundled:mnist', '--input', example('penguins.csv'), '--method', 'saliency');
  assert.equal(wrongInput.status, 2);
  assert.match(wrongInput.stderr, /cannot be the input of bundled:mnist/);
});

test('lumen predict: missing and corrupt models and inputs exit 2 naming the file', () => {
  const dir = tmp();
  const missing = lumen('predict', '--model', path.join(dir, 'nothing'), '--input', example('digit-7.png'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such file/);
  const corrupt = path.join(dir, 'model');
  mkdirSync(corrupt);
  writeFileSync(path.join(corrupt, 'model.json'), '{"modelTopology": ');
  const bad = lumen('predict', '--model', corrupt, '--input', example('digit-7.png'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /model\.json: expected valid JSON/);
  const badPng = path.join(dir, 'bad.png');
  writeFileSync(badPng, 'not a png');
  const r = lumen('predict', '--model', 'bundled:mnist', '--input', badPng);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.png/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('lumen explain never leaves a half-written output file', () => {
  const dir = tmp();
  const blocker = path.join(dir, 'file');
  writeFileSync(blocker, 'x');
  const r = lumen('explain', '--model', 'bundled:mnist', '--input', example('digit-7.png'), '--method', 'saliency', '--out', path.join(blocker, 'out.png'));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /cannot write/);
  assert.deepEqual(readdirSync(dir), ['file']);
});

test('lumen demo writes a self-contained index.html and one PNG per dataset and method', () => {
  const dir = tmp();
  const r = lumen('demo', '--out', dir, '--methods', 'saliency,integrated-gradients,layer-activation,grad-cam');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /integrated-gradients\s+[\d.]+\s+\d/);
  assert.match(r.stdout, /penguins\s+grad-cam\s+–\s+–\s+skipped: needs image inputs; penguins is tabular/, 'a method that does not apply is listed with a note');
  assert.ok(!existsSync(path.join(dir, 'penguins-grad-cam.png')));
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  assert.ok(html.includes('data:image/png;base64,'), 'images are inline');
  assert.doesNotMatch(html, /<(img|script|link)[^>]+(src|href)="(https?:|\/\/|[^d#])/, 'no external resources');
  for (const d of ['mnist', 'mnist-onnx', 'penguins']) {
    for (const m of ['saliency', 'integrated-gradients', 'layer-activation']) assert.ok(existsSync(path.join(dir, `${d}-${m}.png`)), `${d}-${m}.png`);
  }
  assert.match(html, /exported from PyTorch to ONNX/, 'the demo includes the ONNX model');
});

test('lumen predict and explain take an .onnx model (the bundled CNN exported to ONNX): its digits, and IG that is complete', () => {
  const onnx = repoPath('models', 'mnist-onnx', 'mnist.onnx');
  const r = lumen('predict', '--model', onnx, '--input', example('digits.npy'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { shape: number[]; data: number[] };
  assert.deepEqual(out.shape, [3, 10]);
  assert.deepEqual([0, 1, 2].map((i) => out.data.slice(10 * i, 10 * i + 10)).map((row) => row.indexOf(Math.max(...row))), [7, 2, 4]);
  const json = path.join(tmp(), 'ig.json');
  const e = lumen('explain', '--model', onnx, '--input', example('digits.npy'), '--method', 'integrated-gradients', '--opt', 'steps=64', '--out', json);
  assert.equal(e.status, 0, e.stderr);
  const ig = JSON.parse(readFileSync(json, 'utf8')) as { shape: number[]; target: number[]; data: number[]; meta: { delta: number[] } };
  assert.deepEqual(ig.shape, [3, 28, 28, 1]);
  assert.deepEqual(ig.target, [7, 2, 4]);
  const sums = [0, 1, 2].map((i) => ig.data.slice(784 * i, 784 * (i + 1)).reduce((a, b) => a + b, 0));
  // Gradients through the imported graph are right only if IG's sum approaches f(x) − f(0).
  ig.meta.delta.forEach((d, i) => assert.ok(Math.abs(d) < 0.05 * Math.abs(sums[i]), `example ${i}: delta ${d} vs sum ${sums[i]}`));
});

testNeedingPackage('lumen onnx-conformance --json runs ONNX node tests when libonnx-testdata is installed', existsSync('/usr/include/onnx/backend/test/data/node'), 'libonnx-testdata is not installed (apt-get install libonnx-testdata)', () => {
  const r = lumen('onnx-conformance', '/usr/include/onnx/backend/test/data/node', '--filter', '^test_(relu|elu|acos)$', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { passed: number; failed: number; unsupported: number; results: { test: string; status: string }[] };
  assert.deepEqual(out.results.map((x) => [x.test, x.status]), [['test_acos', 'unsupported'], ['test_elu', 'passed'], ['test_relu', 'passed']]);
  assert.deepEqual([out.passed, out.failed, out.unsupported], [2, 0, 1]);
});

test('lumen explain: NaN in the input, a gradient method on a black box and a corrupt ONNX file exit 2 with one line', () => {
  const dir = tmp();
  const nan = new Float32Array(28 * 28);
  nan[100] = Number.NaN;
  const nanFile = path.join(dir, 'nan.npy');
  writeFileSync(nanFile, encodeNpy(nan, [1, 28, 28, 1]));
  const corrupt = path.join(dir, 'bad.onnx');
  writeFileSync(corrupt, 'not a protobuf at all');
  const cases: [string[], RegExp][] = [
    [['--model', 'bundled:mnist', '--input', nanFile], /input contains NaN/],
    [['--model', `onnxruntime:${repoPath('models', 'mnist-onnx', 'mnist.onnx')}`, '--input', example('digit-7.png')], /needs gradients, but model 'mnist' is a black box/],
    [['--model', corrupt, '--input', example('digit-7.png')], /bad\.onnx: expected an ONNX ModelProto/],
    [['--model', `onnxruntime:${corrupt}`, '--input', example('digit-7.png')], /onnxruntime cannot open .*bad\.onnx/],
    [['--model', 'bundled:mnist', '--input', example('digits.npy'), '--target', '1,2'], /target has 2 entries; expected one per example/],
  ];
  for (const [args, message] of cases) {
    const r = lumen('explain', ...args, '--method', 'saliency');
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('lumen predict runs an ONNX file as a black box through onnxruntime: the bundled CNN’s classes', () => {
  const r = lumen('predict', '--model', `onnxruntime:${repoPath('models', 'mnist-onnx', 'mnist.onnx')}`, '--input', example('digits.npy'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const direct = lumen('predict', '--model', 'bundled:mnist', '--input', example('digits.npy'), '--json');
  const a = JSON.parse(r.stdout) as { shape: number[]; data: number[] };
  const b = JSON.parse(direct.stdout) as { shape: number[]; data: number[] };
  assert.deepEqual(a.shape, b.shape);
  assert.ok(a.data.every((v, i) => Math.abs(v - b.data[i]) < 1e-4), 'same outputs as the tfjs model');
});
