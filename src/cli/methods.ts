import type { Command } from 'commander';
import { METHODS } from '../methods.js';
import { formatTable } from './table.js';

/** `lumen methods [--json]`: the registry, as a table. */
export function registerMethods(program: Command): void {
  program
    .command('methods')
    .description('list the methods Lumen implements')
    .option('--json', 'print the registry as JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        const plain = METHODS.map(({ run: _run, ...info }) => info);
        process.stdout.write(`${JSON.stringify(plain, null, 2)}\n`);
        return;
      }
      const rows = METHODS.map((m) => [m.id, m.family, m.needsGradients ? 'yes' : 'no', m.layer, m.summary]);
      process.stdout.write(`${formatTable(['id', 'family', 'gradients', 'layer', 'what it computes'], rows)}\n`);
    });
}
