import type { Command } from 'commander';
import { LumenError } from '../core/errors.js';
import { runParity, type ParityRow } from '../parity/run-parity.js';
import { formatTable } from './table.js';
import { withBackend } from './context.js';
import { ENGINE_FLAG, engineFlag } from './model-flags.js';

/** `lumen parity <fixture.json …> [--json] [--strict]`: Lumen against the reference fixtures. */
export function registerParity(program: Command): void {
  program
    .command('parity')
    .description("run every method and metric a reference fixture lists and compare with Captum's, Zennit's and Quantus' numbers")
    .argument('<fixtures...>', 'fixture JSON files (see test/fixtures/README.md)')
    .option('--json', 'print a JSON array of {fixture, id, status, maxAbsError, allowed}')
    .option('--strict', 'also fail when an id is missing (not implemented yet)')
    .option('--load <kind>', "where the model comes from: json (the fixture's weights) or onnx (the .onnx file beside it, through Lumen's importer)", 'json')
    .option(...ENGINE_FLAG)
    .action(async (paths: string[], opts: { json?: boolean; strict?: boolean; load?: string; engine?: string }) => {
      await withBackend(program);
      if (opts.load !== 'json' && opts.load !== 'onnx') throw new LumenError('option', `--load: expected json or onnx; found '${opts.load}'`);
      const rows = await runParity(paths, { load: opts.load, engine: engineFlag(opts.engine) });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatTable(['fixture', 'id', 'max abs error', 'allowed', 'status'], rows.map(cells))}\n`);
        const count = (s: ParityRow['status']): number => rows.filter((r) => r.status === s).length;
        process.stdout.write(`${count('pass')} passed, ${count('fail')} failed, ${count('missing')} missing\n`);
      }
      const failed = rows.some((r) => r.status === 'fail') || (opts.strict && rows.some((r) => r.status === 'missing'));
      if (failed) process.exitCode = 1;
    });
}

function cells(r: ParityRow): string[] {
  const num = (v: number | null): string => (v === null ? '–' : v.toExponential(2));
  return [r.fixture, r.id, num(r.maxAbsError), num(r.allowed), r.message ? `${r.status} (${r.message})` : r.status];
}
