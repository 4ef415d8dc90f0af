import { useBackend, type BackendName } from '../engine/backend.js';

/**
 * `useBackend` for Node programs: `name`, else the `LUMEN_BACKEND` environment variable, else
 * useBackend's default (tfjs-node when installed, else wasm). Browsers call `useBackend` directly.
 */
export async function useBackendFromEnv(name?: string): Promise<BackendName> {
  return useBackend(name ?? process.env.LUMEN_BACKEND);
}
