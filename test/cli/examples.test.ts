import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (args: string[]): string => execFileSync('node', [cli, 'examples', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('lumen examples: neighbours of a digit as JSON (the digit itself first when it is in the data), tracin as a table, a bad method refused', () => {
  const json = JSON.parse(run(['--model', 'bundled:mnist', '--data', 'bundled:mnist:100', '--input', repoPath('examples', 'digit-7.png'), '--method', 'neighbours', '--k', '3', '--json'])) as {
    kind: string;
    examples: { index: number; score: number; role: string; query: number }[];
  };
  assert.equal(json.kind, 'examples');
  assert.equal(json.examples.length, 3);
  assert.ok(json.examples.every((e) => e.role === 'neighbour' && e.query === 0));
  assert.ok(json.examples[0].score >= json.examples[1].score && json.examples[1].score >= json.examples[2].score);
  const table = run(['--model', 'bundled:penguins', '--data', 'bundled:penguins', '--input', repoPath('examples', 'penguins.csv'), '--method', 'tracin', '--k', '2']);
  assert.match(table, /proponent/);
  assert.match(table, /opponent/);
  assert.throws(() => run(['--model', 'bundled:penguins', '--data', 'bundled:penguins', '--input', repoPath('examples', 'penguins.csv'), '--method', 'nope']), /--method must be one of neighbours, influence, arnoldi, tracin, tracin-fast, prototypes, protodash, representer; found 'nope'/);
});
