import { LumenError } from '../core/errors.js';
import { readBytes } from './tensor-data.js';

/**
 * Reads class names from a text file, one per line (`labels.txt` as shipped beside image
 * classifiers; blank lines at the end ignored, a trailing `\r` dropped). An empty file, a blank
 * line between names or a name given twice is a LumenError('file') naming the line.
 */
export function readLabels(file: string): string[] {
  const lines = readBytes(file, 'a text file of class names, one per line').toString('utf8').replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, '').trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new LumenError('file', `${file}: expected class names, one per line; found an empty file`);
  lines.forEach((name, i) => {
    if (name === '') throw new LumenError('file', `${file}: expected a class name on every line; found an empty line ${i + 1}`);
    const first = lines.indexOf(name);
    if (first !== i) throw new LumenError('file', `${file}: expected distinct class names; found '${name}' on lines ${first + 1} and ${i + 1}`);
  });
  return lines;
}
