/**
 * Interleaved timing (issue 16): Lumen and PyTorch take turns rep by rep (Lumen, PyTorch, Lumen,
 * …) so that load drifting during a run hits both alike, PyTorch answering from one long-lived
 * `torch_reference.py --serve` process. The CPU time every other process used meanwhile
 * (/proc/stat minus this process and the PyTorch child) is recorded; a run whose foreign load
 * exceeds 0.2 core is marked invalid.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { torchScript } from './torch.js';

/** Foreign load above which a run is invalid (cores). */
export const MAX_FOREIGN_CORES = 0.2;

/** A PyTorch process that runs one rep of a workload per request. */
export class TorchServer {
  private readonly lines: AsyncIterator<string>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /** Starts the script for one model and waits until it is ready. */
  static async start(python: string, model: string, threads: number): Promise<TorchServer> {
    const child = spawn(python, [torchScript(), '--model', model, '--threads', String(threads), '--serve']);
    child.stderr.resume();
    const server = new TorchServer(child);
    await server.next();
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** One timed rep of `workload` in PyTorch (ms, as the script measured it). */
  async run(workload: string): Promise<number> {
    this.child.stdin.write(`${workload}\n`);
    return (await this.next() as { ms: number }).ms;
  }

  async stop(): Promise<void> {
    this.child.stdin.end('\n');
    await new Promise((resolve) => this.child.once('close', resolve));
  }

  private async next(): Promise<unknown> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error('bench: torch_reference.py --serve ended early');
    return JSON.parse(value) as unknown;
  }
}

/** CPU seconds of the whole machine (busy time from /proc/stat), or null off Linux. */
function machineBusySeconds(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = cpu;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
  } catch {
    return null;
  }
}

/** CPU seconds a process used (utime + stime from /proc/PID/stat), 0 when it is gone. */
function processSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** What a measured span of the run cost the rest of the machine. */
export interface LoadRecord {
  readonly wallSeconds: number;
  readonly loadAverageBefore: number[];
  readonly loadAverageAfter: number[];
  /** CPU seconds used by processes other than this one and the PyTorch child; null off Linux. */
  readonly foreignCpuSeconds: number | null;
  /** foreignCpuSeconds / wallSeconds. */
  readonly foreignCores: number | null;
  /** false when foreign load exceeded MAX_FOREIGN_CORES (the figures must not be reported). */
  readonly valid: boolean;
}

/** Starts recording the machine's load; `stop()` returns the record. `childPid`: the PyTorch process. */
export function recordLoad(childPid: () => number): { stop(): LoadRecord } {
  const t0 = performance.now();
  const busy0 = machineBusySeconds();
  const own0 = process.cpuUsage();
  const child0 = processSeconds(childPid());
  const load0 = os.loadavg();
  return {
    stop() {
      const wallSeconds = (performance.now() - t0) / 1000;
      const busy1 = machineBusySeconds();
      const own = process.cpuUsage(own0);
      const ownSeconds = (own.user + own.system) / 1e6;
      const childSeconds = processSeconds(childPid()) - child0;
      const foreign = busy0 === null || busy1 === null ? null : Math.max(busy1 - busy0 - ownSeconds - childSeconds, 0);
      const foreignCores = foreign === null ? null : foreign / wallSeconds;
      const round = (v: number): number => Number(v.toFixed(3));
      return {
        wallSeconds: round(wallSeconds),
        loadAverageBefore: load0.map(round),
        loadAverageAfter: os.loadavg().map(round),
        foreignCpuSeconds: foreign === null ? null : round(foreign),
        foreignCores: foreignCores === null ? null : round(foreignCores),
        valid: foreignCores !== null && foreignCores <= MAX_FOREIGN_CORES,
      };
    },
  };
}
