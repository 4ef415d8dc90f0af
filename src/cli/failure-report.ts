import { CommanderError } from 'commander';
import { LumenError } from '../core/errors.js';

/** What the `lumen` command prints on stderr for an error, and the exit status it ends with. */
export interface FailureReport {
  /** Text for stderr ('' when commander has already printed its own message). */
  readonly text: string;
  /** 0 after help or version, 2 for bad input (a LumenError, an unknown command or flag), 1 for anything else. */
  readonly exitCode: number;
}

const INPUT_FLAGS = ['--input', '--data', '--model'];

/** The command (first word that is not a flag or a global flag's value) and the input file named in `args` (argv without node and the script). */
export function commandAndInput(args: readonly string[]): { command: string; input?: string } {
  let command = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--backend') i++;
    else if (!a.startsWith('-')) {
      command = a;
      break;
    }
  }
  for (const flag of INPUT_FLAGS) {
    const at = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (at >= 0) return { command, input: args[at].includes('=') ? args[at].slice(flag.length + 1) : args[at + 1] };
  }
  return { command };
}

/**
 * Turns whatever a command threw into one line and an exit status: a LumenError is bad input
 * (exit 2); commander's own usage errors (unknown command or flag, missing option) are already
 * printed by commander (exit 2; help and version exit 0); anything else is an unexpected error,
 * one line naming the command and its input (exit 1), with the stack only under `--debug`.
 */
export function failureReport(e: unknown, args: readonly string[], debug = args.includes('--debug')): FailureReport {
  if (e instanceof CommanderError) {
    const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version' || e.exitCode === 0;
    return { text: '', exitCode: ok ? 0 : 2 };
  }
  if (e instanceof LumenError) return { text: `lumen: ${e.message}\n`, exitCode: 2 };
  const { command, input } = commandAndInput(args);
  const err = e instanceof Error ? e : new Error(String(e));
  const what = `${err.name}: ${(err.message || '(no message)').split('\n')[0]}`;
  const where = `lumen${command ? ` ${command}` : ''}${input ? ` (${input})` : ''}`;
  const hint = debug ? `\n${err.stack ?? ''}` : ' (run again with --debug for the stack trace)';
  return { text: `${where}: unexpected error: ${what}${hint}\n`, exitCode: 1 };
}
