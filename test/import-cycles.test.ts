/**
 * No module of the library imports itself through others: a cycle makes load order matter (a
 * module sees another's bindings before they are set) and ties files that should stand alone.
 * Static imports, re-exports and dynamic `import('./…')` count; type-only imports count too in the
 * sources (they are erased from dist/, but a type cycle still ties two files together).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from './helpers.js';

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'";]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function filesOf(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesOf(full, ext);
    return e.name.endsWith(ext) && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Module → the modules it imports by relative path (sources name their imports `.js`). */
export function importGraph(dir: string, ext: '.js' | '.ts'): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of filesOf(dir, ext)) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(IMPORT)].map((m) => path.resolve(path.dirname(file), (m[1] ?? m[2]).replace(/\.js$/, ext)));
    graph.set(file, deps);
  }
  return graph;
}

/** Every cycle found by a depth-first walk (one per back edge), as module paths. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (!graph.has(dep)) continue;
      if (state.get(dep) === 'open') cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

test('importCycles finds a cycle through a dynamic import and none in a chain', () => {
  const a = '/m/a.js';
  const b = '/m/b.js';
  const c = '/m/c.js';
  assert.deepEqual(importCycles(new Map([[a, [b]], [b, [c]], [c, []]])), []);
  assert.deepEqual(importCycles(new Map([[a, [b]], [b, [c]], [c, [a]]])), [[a, b, c, a]]);
});

for (const [dir, ext] of [[repoPath('dist', 'src'), '.js'], [repoPath('src'), '.ts']] as const) {
  test(`no import cycles among the modules of ${path.relative(repoPath(), dir)}/`, () => {
    const graph = importGraph(dir, ext);
    assert.ok(graph.size > 100, `found ${graph.size} modules`);
    const edges = [...graph.values()].reduce((t, d) => t + d.length, 0);
    assert.ok(edges > graph.size, `found ${edges} imports`);
    const cycles = importCycles(graph).map((c) => c.map((f) => path.relative(dir, f)).join(' → '));
    assert.deepEqual(cycles, []);
  });
}
