/**
 * Runs bench/torch_reference.py (plain PyTorch on the CPU) as a child process and reads its JSON
 * lines, when the Python interpreter has torch.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One line of torch_reference.py's output. */
export interface TorchResult {
  readonly engine: string;
  readonly model: string;
  readonly workload: string;
  readonly median_ms: number;
  readonly times_ms: number[];
  readonly threads: number;
}

/** The Python script, at bench/torch_reference.py of the repository (run.js sits in dist/bench/). */
export function torchScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.resolve(here, '..', '..', 'bench', 'torch_reference.py'), path.resolve(here, 'torch_reference.py')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`bench: torch_reference.py not found next to ${here}`);
}

/** torch's version if `python` can import it, else null (with the reason). */
export function torchVersion(python: string): { version: string | null; reason?: string } {
  if (!existsSync(python)) return { version: null, reason: `${python} not found` };
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status === 0) return { version: r.stdout.trim() };
  const last = (r.stderr || String(r.error ?? '')).trim().split('\n').pop() ?? '';
  return { version: null, reason: last || `exit ${r.status}` };
}

/** Runs the reference for one model and the given workloads; resolves to one result per workload. */
export function runTorch(python: string, model: string, workloads: readonly string[], reps: number, threads: number): Promise<TorchResult[]> {
  const args = [torchScript(), '--model', model, '--workloads', workloads.join(','), '--reps', String(reps), '--threads', String(threads)];
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`bench: ${python} ${path.basename(args[0])} --model ${model} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      const results = out.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as TorchResult);
      resolve(results);
    });
  });
}
