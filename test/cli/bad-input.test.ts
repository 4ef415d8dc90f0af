import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { readImage } from '../../src/data/image.js';
import { encodeNpy } from '../../src/data/npy.js';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const example = (name: string): string => repoPath('examples', name);
const mlp = repoPath('test', 'fixtures', 'mlp.json');

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'lumen-bad-'));
}

/** The contract of every bad input: exit 2, exactly one line on stderr matching `message`, and nothing new in `dir`. */
function refused(r: ReturnType<typeof lumen>, message: RegExp, dir?: string, before: readonly string[] = []): void {
  assert.equal(r.status, 2, `exit 2; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr, message);
  if (dir) assert.deepEqual(readdirSync(dir).sort(), [...before].sort(), 'nothing written');
}

/** A PNG whose IHDR claims width × height (valid CRC), followed by an empty IDAT and IEND: tiny on disk. */
function claimedPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(0)), chunk('IEND', Buffer.alloc(0))]);
}

test('occlusion with strides larger than its window is refused (no NaN, no RangeError), nothing written', () => {
  const dir = tmp();
  for (const strides of ['8', '10']) {
    const r = lumen('explain', '--model', 'bundled:mnist', '--input', example('digit-7.png'), '--method', 'occlusion', '--opt', 'window=4x4', '--opt', `strides=${strides}`, '--out', path.join(dir, 'o.npy'));
    refused(r, new RegExp(`stride ${strides} on axis 0 must be at most the window size 4`), dir);
  }
});

test('a CSV for a model without feature names: an empty or text cell names its row and column (never a dropped column)', () => {
  const dir = tmp();
  const empty = path.join(dir, 'empty.csv');
  writeFileSync(empty, 'a,b,c,d,e,f\n1,2,3,4,5,6\n1,2,,4,5,6\n');
  refused(lumen('predict', '--model', mlp, '--input', empty), /empty\.csv: expected a number in row 2, column 'c'; found an empty cell/);
  const text = path.join(dir, 'text.csv');
  writeFileSync(text, 'a,b,c,d,e,f\n1,2,3,4,x,6\n');
  refused(lumen('predict', '--model', mlp, '--input', text), /text\.csv: expected a number in row 1, column 'e'; found 'x'/);
  const good = path.join(dir, 'good.csv');
  writeFileSync(good, 'a,b,c,d,e,f\n1,2,3,4,5,6\n0,0,0,0,0,0\n');
  const ok = lumen('predict', '--model', mlp, '--input', good, '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual((JSON.parse(ok.stdout) as { shape: number[] }).shape, [2, 3]);
});

test('--samples 1000000000 for LIME, RISE, KernelSHAP and Shapley value sampling is refused against the memory budget', () => {
  const dir = tmp();
  for (const method of ['lime', 'rise', 'kernel-shap', 'shapley-value-sampling']) {
    const r = lumen('explain', '--model', 'bundled:mnist', '--input', example('digit-7.png'), '--method', method, '--samples', '1000000000', '--out', path.join(dir, 'x.json'));
    refused(r, new RegExp(`--samples 1000000000: ${method} keeps \\d+ bytes per sample.*expected at most [\\d,]+ samples \\(memory budget 512 MiB\\)`), dir);
  }
});

test('lumen predict: NaN or Infinity in the input is refused, also with --json (never exit 0 with nulls)', () => {
  const dir = tmp();
  const data = new Float32Array(28 * 28);
  data[5] = Number.POSITIVE_INFINITY;
  const file = path.join(dir, 'inf.npy');
  writeFileSync(file, encodeNpy(data, [1, 28, 28, 1]));
  for (const json of [[], ['--json']]) {
    const r = lumen('predict', '--model', 'bundled:mnist', '--input', file, ...json);
    refused(r, /inf\.npy: expected finite numbers; the input contains Infinity in example 0 at flat index 5/);
    assert.equal(r.stdout, '');
  }
});

test('evaluate --out and benchmark --out where nothing can be written: one line, exit 2, no temporary file left', () => {
  const dir = tmp();
  writeFileSync(path.join(dir, 'file'), 'x');
  const target = path.join(dir, 'file', 'report');
  refused(lumen('evaluate', '--model', 'bundled:mnist', '--data', 'bundled:mnist:2', '--methods', 'saliency', '--out', target), /--out .*report: expected a directory Lumen can write to/, dir, ['file']);
  refused(lumen('benchmark', '--n', '1', '--methods', 'saliency', '--out', target), /--out .*report: expected a directory Lumen can write to/, dir, ['file']);
});

test('a 20000×20000 PNG is refused from its header before decoding; JPEG inputs have the same limit', () => {
  const dir = tmp();
  const big = path.join(dir, 'big.png');
  writeFileSync(big, claimedPng(20000, 20000));
  const r = lumen('predict', '--model', 'bundled:mnist', '--input', big);
  refused(r, /big\.png: expected an image of at most 40,000,000 pixels; found 20000×20000 = 400,000,000 pixels/);
});

test('a picture of a large batch is refused naming the limit, before the method runs', () => {
  const dir = tmp();
  const batch = path.join(dir, 'batch.npy');
  writeFileSync(batch, encodeNpy(new Float32Array(300 * 28 * 28), [300, 28, 28, 1]));
  const r = lumen('explain', '--model', 'bundled:mnist', '--input', batch, '--method', 'saliency', '--out', path.join(dir, 'x.png'));
  refused(r, /--out .*x\.png: a picture shows at most 256 examples \(one row each\); found 300/, dir, ['batch.npy']);
});

test('numbers are validated strictly: --seed abc / 1.5, steps=0x10, noiseLevel=-1, --target 0x1; demo --methods foo fails', () => {
  const dir = tmp();
  const evaluate = (seed: string) => lumen('evaluate', '--model', 'bundled:mnist', '--data', 'bundled:mnist:2', '--methods', 'saliency', '--metrics', 'sparseness', '--seed', seed);
  refused(evaluate('abc'), /--seed: expected a non-negative integer \(decimal digits\); found 'abc'/);
  refused(evaluate('1.5'), /--seed: expected a non-negative integer \(decimal digits\); found '1\.5'/);
  const explain = (...args: string[]) => lumen('explain', '--model', 'bundled:mnist', '--input', example('digit-7.png'), ...args);
  refused(explain('--method', 'integrated-gradients', '--opt', 'steps=0x10'), /option 'steps' expects an integer \(decimal digits\); found '0x10'/);
  refused(explain('--method', 'smoothgrad', '--opt', 'noiseLevel=-1'), /noiseLevel must be a finite number ≥ 0; found -1/);
  refused(explain('--method', 'smoothgrad', '--opt', 'noiseLevel=0x1'), /expects a decimal number; found '0x1'/);
  refused(explain('--method', 'saliency', '--target', '0x1'), /--target: expected a class index/);
  refused(explain('--method', 'saliency', '--seed', '1e3'), /--seed: expected a non-negative integer/);
  refused(lumen('demo', '--methods', 'foo', '--out', path.join(dir, 'demo')), /unknown method 'foo'/, dir);
});

test('unknown commands and flags exit 2; --help exits 0', () => {
  const cmd = lumen('frobnicate');
  assert.equal(cmd.status, 2, cmd.stderr);
  assert.match(cmd.stderr, /unknown command 'frobnicate'/);
  const flag = lumen('predict', '--model', 'bundled:mnist', '--input', example('digit-7.png'), '--bogus');
  assert.equal(flag.status, 2, flag.stderr);
  assert.match(flag.stderr, /unknown option '--bogus'/);
  assert.equal(lumen('--help').status, 0);
});

test('--features FILE does not print the tfjs backend banner', () => {
  const dir = tmp();
  const mask = path.join(dir, 'mask.npy');
  const ids = Float32Array.from({ length: 28 * 28 }, (_, i) => (Math.floor(i / 28) < 14 ? 0 : 1));
  writeFileSync(mask, encodeNpy(ids, [28, 28, 1]));
  const r = lumen('explain', '--model', 'bundled:mnist', '--input', example('digit-7.png'), '--method', 'feature-ablation', '--features', mask);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /looks like you are running TensorFlow\.js in Node\.js/);
});

test('deeply nested JSON, a bad --filter regexp: one clear line, exit 2', () => {
  const dir = tmp();
  const deep = path.join(dir, 'deep.json');
  writeFileSync(deep, `${'['.repeat(5000)}1${']'.repeat(5000)}`);
  refused(lumen('predict', '--model', 'bundled:mnist', '--input', deep), /deep\.json: expected .* nested at most 64 levels deep; found 5000 levels/);
  refused(lumen('onnx-conformance', '--filter', '(['), /--filter: expected a regular expression; found '\(\['/);
});

test('predict --json | head: a closed pipe ends quietly (no EPIPE crash)', async () => {
  const dir = tmp();
  const many = path.join(dir, 'many.npy');
  writeFileSync(many, encodeNpy(new Float32Array(2000 * 28 * 28), [2000, 28, 28, 1]));
  const child = spawn('node', [cli, 'predict', '--model', 'bundled:mnist', '--input', many], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.doesNotMatch(stderr, /EPIPE|Error/, stderr);
  assert.equal(code, 0);
});

test('integer .npy images (0–255) are scaled to [0, 1] with a warning, and predict like the float image', () => {
  const dir = tmp();
  const png = lumen('predict', '--model', 'bundled:mnist', '--input', example('digit-7.png'), '--json');
  assert.equal(png.status, 0, png.stderr);
  const image = readImage(example('digit-7.png'), { grayscale: true });
  assert.deepEqual(image.shape, [28, 28, 1]);
  const pixels = Uint8Array.from(image.data, (v) => Math.round(255 * v));
  // A version 1.0 header for '|u1' (encodeNpy writes float32 only).
  let header = "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 28, 28, 1), }";
  header = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 11, ' ') + '\n';
  const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  head.writeUInt16LE(header.length, 8);
  const file = path.join(dir, 'digit.npy');
  writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(pixels)]));
  const r = lumen('predict', '--model', 'bundled:mnist', '--input', file, '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: .*digit\.npy: integer pixel values \(dtype \|u1, 0–255\) scaled to \[0, 1\] by 1\/255/);
  const a = (JSON.parse(r.stdout) as { data: number[] }).data;
  const b = (JSON.parse(png.stdout) as { data: number[] }).data;
  assert.equal(a.indexOf(Math.max(...a)), 7);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 0.05, `output ${i}: ${v} vs ${b[i]} (only 8-bit rounding differs)`));
});

test('a signal during a write removes the temporary file', async () => {
  const dir = tmp();
  const script = path.join(dir, 'write.mjs');
  const io = repoPath('dist', 'src', 'data', 'io.js');
  writeFileSync(script, `import { writeFileAtomic } from ${JSON.stringify(io)};
const data = new Uint8Array(256 * 1024 * 1024);
const p = writeFileAtomic(${JSON.stringify(path.join(dir, 'out.bin'))}, data);
setImmediate(() => process.kill(process.pid, 'SIGTERM'));
await p;
`);
  const r = spawnSync('node', [script], { encoding: 'utf8' });
  assert.equal(r.signal === 'SIGTERM' || r.status === 143, true, `terminated by SIGTERM; status ${r.status} signal ${r.signal}`);
  assert.deepEqual(readdirSync(dir), ['write.mjs'], 'neither the output nor its temporary file');
});
