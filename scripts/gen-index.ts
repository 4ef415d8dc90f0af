/** Regenerates src/index.ts from the files of src/ (`npm run index`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { indexSource } from './index-source.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
writeFileSync(path.join(root, 'src', 'index.ts'), indexSource(path.join(root, 'src')));
process.stdout.write('src/index.ts regenerated\n');
