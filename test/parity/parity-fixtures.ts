import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from '../helpers.js';

/** The wave-1 fixtures (test/fixtures/*.json) and the wave-2 ones (test/fixtures/wave2/*.json). */
export const parityFixtures: readonly string[] = ['', 'wave2'].flatMap((dir) => {
  const folder = repoPath('test', 'fixtures', ...(dir ? [dir] : []));
  return readdirSync(folder).filter((f) => f.endsWith('.json')).map((f) => path.join(folder, f));
});

/**
 * Fixtures without an ONNX export beside them: through the ONNX loader their ids are all `missing`.
 * examples_tanh_mlp's TanhMLP was not exported (its entries run on the model built from the
 * fixture's checkpoints; loadOnnx's parameters are tested in test/examples/); text_embed neither.
 */
export const withoutOnnx: readonly string[] = ['examples_tanh_mlp', 'text_embed'];

/** The ids that must pass, per fixture (test/parity/passing-ids.json). */
export const pinnedIds = JSON.parse(readFileSync(repoPath('test', 'parity', 'passing-ids.json'), 'utf8')) as Record<string, string[]>;
