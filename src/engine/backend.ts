import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../core/errors.js';

/** Backends Lumen can run on. `tensorflow` needs the optional @tensorflow/tfjs-node package. */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow' | 'webgl' | 'webgpu';

const known: readonly BackendName[] = ['wasm', 'cpu', 'tensorflow', 'webgl', 'webgpu'];

async function registerWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
}

/**
 * Loads the optional @tensorflow/tfjs-node package, which registers the `tensorflow` backend; false
 * when it is not installed (always in browsers). The name is not a literal, so bundlers leave it out.
 */
async function registerTensorflow(): Promise<boolean> {
  try {
    const name = '@tensorflow/tfjs-node';
    await import(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Chooses and initialises the tfjs backend: `name`, else `tensorflow` when the optional
 * @tensorflow/tfjs-node is installed, else `wasm` (with `cpu` as fallback when wasm cannot start).
 * Returns the backend in use. (The CLI and `useBackendFromEnv` of `lumen/node` read `LUMEN_BACKEND`.)
 */
export async function useBackend(name?: string): Promise<BackendName> {
  const wanted = (name ?? ((await registerTensorflow()) ? 'tensorflow' : 'wasm')).toLowerCase();
  if (!known.includes(wanted as BackendName)) {
    throw new LumenError('backend', `useBackend: backend must be one of ${known.join(', ')}; found '${wanted}'`);
  }
  const chosen = wanted as BackendName;
  const { installKernels } = await import('./kernels/index.js');
  if (tf.getBackend() === chosen) {
    installKernels();
    return chosen;
  }
  if (chosen === 'wasm') await registerWasm();
  if (chosen === 'tensorflow' && !(await registerTensorflow())) {
    throw new LumenError('backend', "useBackend: backend 'tensorflow' needs @tensorflow/tfjs-node installed; it is not");
  }
  installKernels();
  const ok = await tf.setBackend(chosen).catch(() => false);
  if (!ok) {
    if (chosen === 'wasm') {
      await tf.setBackend('cpu');
      return 'cpu';
    }
    throw new LumenError('backend', `useBackend: backend '${chosen}' could not be initialised`);
  }
  await tf.ready();
  return chosen;
}
