import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { readInput, writeFileAtomic, writeFileAtomicSync } from '../../src/data/io.js';
import { encodeNpy } from '../../src/data/npy.js';
import { lumenError, tempDir } from './helpers.js';

test('readInput picks the reader from the extension', () => {
  const dir = tempDir();
  const png = new PNG({ width: 2, height: 2 });
  png.data.fill(255);
  writeFileSync(path.join(dir, 'a.PNG'), PNG.sync.write(png));
  writeFileSync(path.join(dir, 'b.npy'), encodeNpy(new Float32Array([1, 2]), [2]));
  writeFileSync(path.join(dir, 'c.json'), '[[1, 2]]');
  writeFileSync(path.join(dir, 'd.csv'), 'f1,f2\n1,2\n');
  const a = readInput(path.join(dir, 'a.PNG'), { grayscale: true, size: [4, 4] });
  assert.equal(a.kind, 'image');
  assert.deepEqual(a.kind === 'image' && a.shape, [4, 4, 1]);
  const b = readInput(path.join(dir, 'b.npy'));
  assert.deepEqual(b.kind === 'tensor' && b.shape, [2]);
  const c = readInput(path.join(dir, 'c.json'));
  assert.deepEqual(c.kind === 'tensor' && c.shape, [1, 2]);
  const d = readInput(path.join(dir, 'd.csv'));
  assert.deepEqual(d.kind === 'table' && d.names, ['f1', 'f2']);
  assert.throws(() => readInput(path.join(dir, 'e.txt')), lumenError('file', /e\.txt: expected an input file ending in \.png, \.jpg, \.jpeg, \.npy, \.json, \.csv; found '\.txt'/));
});

test('writeFileAtomic writes the whole file, creates the directory and leaves no temporary file', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'out', 'attr.json');
  await writeFileAtomic(file, '{"a": 1}');
  assert.equal(readFileSync(file, 'utf8'), '{"a": 1}');
  await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(file)], [1, 2, 3]);
  writeFileAtomicSync(file, 'x');
  assert.equal(readFileSync(file, 'utf8'), 'x');
  assert.deepEqual(readdirSync(path.join(dir, 'out')), ['attr.json']);
  await assert.rejects(writeFileAtomic(path.join(file, 'inside-a-file.json'), 'x'), lumenError('file', /cannot write .*inside-a-file\.json/));
});
