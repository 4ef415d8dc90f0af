import type { Command } from 'commander';
import { LumenError } from '../core/errors.js';
import { RESIZE_MODES, type ResizeMode } from '../data/fit-image.js';
import { readLabels } from '../data/labels.js';
import type { InputOptions } from './load-input.js';
import type { LoadedModel } from './load-model.js';
import { parsePreprocess } from './preprocess.js';

/** The flags `addInputFlags` adds, as commander gives them. */
export interface InputFlags {
  readonly preprocess?: string;
  readonly resize?: string;
  readonly labels?: string;
}

/** Adds `--preprocess`, `--resize` and `--labels` (what image models as they ship need) to a command. */
export function addInputFlags(command: Command): Command {
  return command
    .option('--preprocess <spec>', 'image inputs, per channel, pixels p in 0–255: (p·scale + offset − mean)/std, e.g. scale=1/127.5,offset=-1 or mean=0.485,0.456,0.406,std=0.229,0.224,0.225 (default: p/255)')
    .option('--resize <mode>', `how PNG/JPEG inputs reach the model's size: ${RESIZE_MODES.join(', ')} (default stretch)`)
    .option('--labels <file>', 'class names, one per line (shown in the output; accepted by --target)');
}

/** `--preprocess` and `--resize` as loadModelInput's options (checked before any work). */
export function inputOptions(flags: InputFlags): InputOptions {
  if (flags.resize !== undefined && !(RESIZE_MODES as readonly string[]).includes(flags.resize)) {
    throw new LumenError('option', `--resize: expected one of ${RESIZE_MODES.join(', ')}; found '${flags.resize}'`);
  }
  return {
    ...(flags.preprocess !== undefined ? { preprocess: parsePreprocess(flags.preprocess) } : {}),
    ...(flags.resize !== undefined ? { resize: flags.resize as ResizeMode } : {}),
  };
}

/** The class names of `--labels`, checked against the model's number of outputs; else the model's own. */
export function withLabels(loaded: LoadedModel, file: string | undefined): LoadedModel {
  if (file === undefined) return loaded;
  const names = readLabels(file);
  const outputs = loaded.model.outputShape[loaded.model.outputShape.length - 1];
  if (loaded.model.outputShape.length !== 1 || names.length !== outputs) {
    throw new LumenError('input', `--labels ${file}: expected ${loaded.model.outputShape.length === 1 ? outputs : `one name per output of shape [${loaded.model.outputShape}]`} class names for ${loaded.spec}; found ${names.length}`);
  }
  return { ...loaded, classNames: names, dispose: () => loaded.dispose() };
}
