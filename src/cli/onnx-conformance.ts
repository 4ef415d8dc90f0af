import type { Command } from 'commander';
import { LumenError } from '../core/errors.js';
import { ONNX_NODE_TEST_DIR, runOnnxConformance } from '../models/onnx/conformance.js';
import { withBackend } from './context.js';

/** `--filter`: a JavaScript regular expression, or a LumenError quoting the syntax error. */
function filterRegExp(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (e) {
    throw new LumenError('option', `--filter: expected a regular expression; found '${text}' (${(e as Error).message})`);
  }
}

/** `lumen onnx-conformance [dir] [--json] [--filter re]`: ONNX's backend node tests through Lumen's importer. */
export function registerOnnxConformance(program: Command): void {
  program
    .command('onnx-conformance')
    .description("run ONNX's backend node tests (libonnx-testdata) for every op Lumen's ONNX importer supports")
    .argument('[dir]', 'folder of node tests', ONNX_NODE_TEST_DIR)
    .option('--json', 'print {passed, failed, unsupported, excluded, results} as JSON')
    .option('--filter <regexp>', 'only tests whose name matches')
    .option('--verbose', 'also list excluded tests with their reasons')
    .action(async (dir: string, opts: { json?: boolean; filter?: string; verbose?: boolean }) => {
      const filter = opts.filter === undefined ? undefined : filterRegExp(opts.filter);
      await withBackend(program);
      const report = runOnnxConformance(dir, { filter });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        for (const r of report.results) {
          if (r.status === 'failed' || (opts.verbose && r.status === 'excluded')) process.stdout.write(`${r.status} ${r.test} [${r.ops.join(', ')}]: ${r.message}\n`);
        }
        process.stdout.write(`${report.passed} passed, ${report.failed} failed, ${report.unsupported} unsupported (ops Lumen does not import), ${report.excluded} excluded\n`);
      }
      if (report.failed > 0) process.exitCode = 1;
    });
}
