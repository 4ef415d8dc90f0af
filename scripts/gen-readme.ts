/**
 * Regenerates the method table of README.md from the registry (src/methods.ts), between the
 * markers `<!-- methods:start -->` and `<!-- methods:end -->`. Run with `npm run readme`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { methodTable } from '../src/method-table.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = path.join(root, 'README.md');
const text = readFileSync(file, 'utf8');
const start = '<!-- methods:start -->';
const end = '<!-- methods:end -->';
const i = text.indexOf(start);
const j = text.indexOf(end);
if (i < 0 || j < i) throw new Error(`README.md has no ${start} … ${end} section`);
writeFileSync(file, `${text.slice(0, i + start.length)}\n${methodTable()}\n${text.slice(j)}`);
process.stdout.write('README.md: method table regenerated from src/methods.ts\n');
