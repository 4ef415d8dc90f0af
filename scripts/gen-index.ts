/** Regenerates src/index.ts (`lumen`) and src/node.ts (`lumen/node`) from the files of src/ (`npm run index`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { indexSource, nodeIndexSource } from './index-source.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = path.join(root, 'src');
writeFileSync(path.join(src, 'index.ts'), indexSource(src));
writeFileSync(path.join(src, 'node.ts'), nodeIndexSource(src));
process.stdout.write('src/index.ts and src/node.ts regenerated\n');
