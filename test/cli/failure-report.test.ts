import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommanderError } from 'commander';
import { LumenError } from '../../src/core/errors.js';
import { commandAndInput, failureReport } from '../../src/cli/failure-report.js';

const args = ['--backend', 'cpu', 'explain', '--model', 'bundled:mnist', '--input', 'digit.png', '--method', 'saliency'];

test('failureReport: a LumenError is bad input, one line, exit 2', () => {
  const r = failureReport(new LumenError('option', '--seed: expected an integer'), args);
  assert.deepEqual(r, { text: 'lumen: --seed: expected an integer\n', exitCode: 2 });
});

test('failureReport: an unexpected error is one line naming the command and the input, exit 1; --debug adds the stack', () => {
  const e = new TypeError("Cannot read properties of undefined (reading 'dtype')\nsecond line");
  const r = failureReport(e, args);
  assert.equal(r.exitCode, 1);
  assert.equal(r.text, "lumen explain (digit.png): unexpected error: TypeError: Cannot read properties of undefined (reading 'dtype') (run again with --debug for the stack trace)\n");
  const d = failureReport(e, [...args, '--debug']);
  assert.equal(d.exitCode, 1);
  assert.match(d.text, /^lumen explain \(digit\.png\): unexpected error: TypeError: [^\n]*\nTypeError: [\s\S]*\n\s+at /);
  const odd = failureReport(undefined, ['predict']);
  assert.equal(odd.text, 'lumen predict: unexpected error: Error: undefined (run again with --debug for the stack trace)\n');
});

test('failureReport: commander usage errors exit 2 (commander prints them), help exits 0', () => {
  assert.deepEqual(failureReport(new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'x'"), ['x']), { text: '', exitCode: 2 });
  assert.deepEqual(failureReport(new CommanderError(1, 'commander.unknownOption', 'error'), ['predict', '--x']), { text: '', exitCode: 2 });
  assert.deepEqual(failureReport(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), ['--help']), { text: '', exitCode: 0 });
});

test('commandAndInput skips global flags and finds --input, --data or --model', () => {
  assert.deepEqual(commandAndInput(args), { command: 'explain', input: 'digit.png' });
  assert.deepEqual(commandAndInput(['evaluate', '--data=bundled:mnist:4']), { command: 'evaluate', input: 'bundled:mnist:4' });
  assert.deepEqual(commandAndInput(['methods']), { command: 'methods' });
});
