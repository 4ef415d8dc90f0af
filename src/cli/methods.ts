import type { Command } from 'commander';
import type { MethodInfo } from '../core/method-info.js';
import { METHODS } from '../methods.js';
import { formatTable } from './table.js';

/** The registry as `lumen methods --json` prints it: every entry's metadata, without its call. */
export function methodsJson(methods: readonly MethodInfo[] = METHODS): Omit<MethodInfo, 'run'>[] {
  return methods.map(({ run: _run, ...info }) => info);
}

/** The registry as `lumen methods` prints it: a row per entry, local and global. */
export function methodsText(methods: readonly MethodInfo[] = METHODS): string {
  const rows = methods.map((m) => [m.id, m.family, m.scope, m.needsGradients ? 'yes' : 'no', m.layer, m.summary]);
  return formatTable(['id', 'family', 'scope', 'gradients', 'layer', 'what it computes'], rows);
}

/** `lumen methods [--json]`: the registry, as a table. */
export function registerMethods(program: Command): void {
  program
    .command('methods')
    .description('list the methods Lumen implements')
    .option('--json', 'print the registry as JSON')
    .action((opts: { json?: boolean }) => {
      process.stdout.write(opts.json ? `${JSON.stringify(methodsJson(), null, 2)}\n` : `${methodsText()}\n`);
    });
}
