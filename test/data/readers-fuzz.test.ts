/**
 * Fuzz test of the CLI's input readers: seeded random truncations and byte flips of valid PNG,
 * JPEG, .npy, JSON (tensor and table), CSV, ONNX and tfjs model JSON files, read in-process with
 * the functions the CLI calls. Every case must end in a result or a LumenError — never another
 * exception — within a per-case time limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { readInput } from '../../src/data/io.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadModelFile } from '../../src/models/load-model-file.js';
import { loadOnnxBytes } from '../../src/models/onnx/load-onnx.js';
import { repoPath } from '../helpers.js';

const SEED = 20261201;
const CASE_MS = 2000;

/** A mutated copy of `bytes`: truncated, 1–4 bytes flipped, or both (chosen by the seeded `rng`). */
function mutate(bytes: Uint8Array, rng: Rng): { bytes: Uint8Array; how: string } {
  const kind = rng.int(3);
  let out = Uint8Array.from(bytes);
  const how: string[] = [];
  if (kind !== 1) {
    const at = rng.int(out.length);
    out = out.subarray(0, at);
    how.push(`truncated to ${at}`);
  }
  if (kind !== 0 && out.length > 0) {
    const flips = 1 + rng.int(4);
    for (let k = 0; k < flips; k++) {
      const at = rng.int(out.length);
      const bit = 1 << rng.int(8);
      out[at] ^= bit;
      how.push(`byte ${at} ^ ${bit}`);
    }
  }
  return { bytes: out, how: how.join(', ') };
}

/** Runs `cases` mutations of `base` through `read`; collects anything that is not a result or a LumenError, or too slow. */
async function fuzz(name: string, base: Uint8Array, cases: number, read: (bytes: Uint8Array, k: number) => unknown): Promise<{ errors: number; results: number }> {
  const rng = new Rng(SEED + name.length * 7919);
  let errors = 0;
  let results = 0;
  const bad: string[] = [];
  for (let k = 0; k < cases; k++) {
    const { bytes, how } = mutate(base, rng);
    const t0 = performance.now();
    try {
      await read(bytes, k);
      results++;
    } catch (e) {
      if (e instanceof LumenError) errors++;
      else bad.push(`${name} case ${k} (${how}): ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
    const ms = performance.now() - t0;
    if (ms > CASE_MS) bad.push(`${name} case ${k} (${how}): took ${ms.toFixed(0)} ms (limit ${CASE_MS})`);
  }
  assert.deepEqual(bad, [], `${name}: every case ends in a result or a LumenError`);
  process.stdout.write(`# ${name}: ${errors} LumenErrors, ${results} results\n`);
  assert.ok(errors > 0, `${name}: some mutations are caught as LumenErrors (${errors} errors, ${results} results)`);
  return { errors, results };
}

const dir = mkdtempSync(path.join(tmpdir(), 'lumen-fuzz-'));

/** Writes the mutated bytes to `name` in the fuzz folder and reads them with readInput, as `lumen predict --input` does. */
function viaFile(ext: string, options: Parameters<typeof readInput>[1] = {}) {
  return (bytes: Uint8Array, k: number): unknown => {
    const file = path.join(dir, `case-${k}${ext}`);
    writeFileSync(file, bytes);
    return readInput(file, options);
  };
}

test('fuzz: PNG and JPEG images', { timeout: 120_000 }, async () => {
  // A small pixel limit keeps flipped IHDR sizes from allocating much; the check is the one the CLI runs.
  await fuzz('png', readFileSync(repoPath('examples', 'digit-7.png')), 50, viaFile('.png', { maxPixels: 1e6 }));
  const rgba = Buffer.alloc(16 * 16 * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37) % 256;
  await fuzz('jpeg', jpeg.encode({ data: rgba, width: 16, height: 16 }, 90).data, 50, viaFile('.jpg', { maxPixels: 1e6 }));
});

test('fuzz: .npy, JSON tensors and tables, CSV', { timeout: 120_000 }, async () => {
  await fuzz('npy', readFileSync(repoPath('examples', 'digits.npy')), 50, viaFile('.npy'));
  const tensor = Buffer.from(JSON.stringify({ shape: [2, 3], data: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]] }));
  await fuzz('json-tensor', tensor, 40, viaFile('.json'));
  const table = Buffer.from(JSON.stringify([{ a: 1, b: 'x', c: null }, { a: 2.5, b: 'y', c: 3 }]));
  await fuzz('json-table', table, 30, viaFile('.json'));
  const csv = readFileSync(repoPath('examples', 'penguins.csv')).subarray(0, 600);
  await fuzz('csv', csv, 50, viaFile('.csv'));
});

test('fuzz: ONNX models and tfjs model JSON', { timeout: 240_000 }, async () => {
  await useBackend();
  await fuzz('onnx', readFileSync(repoPath('test', 'fixtures', 'mlp.onnx')), 50, (bytes) => loadOnnxBytes(bytes).dispose?.());
  const modelDir = repoPath('models', 'mnist');
  const modelJson = readFileSync(path.join(modelDir, 'model.json'));
  await fuzz('tfjs-model-json', modelJson, 40, async (bytes, k) => {
    const folder = path.join(dir, `model-${k}`);
    mkdirSync(folder);
    copyFileSync(path.join(modelDir, 'weights.bin'), path.join(folder, 'weights.bin'));
    writeFileSync(path.join(folder, 'model.json'), bytes);
    const model = await loadModelFile(folder);
    model.dispose();
  });
});
