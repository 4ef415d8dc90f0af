import type { Command } from 'commander';
import { useBackend, type BackendName } from '../engine/backend.js';

/** Starts the backend named by the global `--backend` option (or LUMEN_BACKEND, else wasm). */
export async function withBackend(program: Command): Promise<BackendName> {
  const opts = program.opts<{ backend?: string }>();
  return useBackend(opts.backend ?? process.env.LUMEN_BACKEND);
}
