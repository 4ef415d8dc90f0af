/**
 * Lumen's benchmark: the workloads of bench/torch_reference.py on Lumen, side by side with
 * PyTorch (run as a child process when /usr/bin/python3 has torch), plus memory checks.
 *
 *   npm run build && npm run bench -- [--json] [--models mnist,mobilenet96]
 *     [--workloads fwd32,grad32,ig50,ig50d,occ200b32,lrp32,deeplift32] [--reps N] [--no-torch] [--no-memory]
 *     [--backend wasm|cpu] [--torch-threads 2] [--python /usr/bin/python3] [--ig-steps 50,1000]
 *     [--memory-ig224] [--profile]
 *
 * See bench/README.md.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/engine/backend.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import { buildModel, forwardMacs, SPECS, type BenchModelName } from './models.js';
import { DEFAULT_MEMORY_BUDGET, defaultMemoryCases, measureMemory, runMemoryChild, runTorchMemory, type MemoryCase, type MemoryResult, type TorchMemory } from './memory.js';
import { runTorch, torchScript, torchVersion, type TorchResult } from './torch.js';
import { makeWorkloads, median, timeWorkload, TORCH_WORKLOAD, WORKLOADS, type WorkloadName } from './workloads.js';
import { recordLoad, TorchServer, type LoadRecord } from './interleaved.js';
import { ENGINES, type Engine } from '../src/engine/ort/with-engine.js';

const BENCH_MODELS: readonly BenchModelName[] = ['mnist', 'mobilenet96'];
/** Repetitions when --reps is not given: enough for a median, and the default run stays < ~5 min. */
const DEFAULT_REPS: Readonly<Record<string, number>> = { mnist: 5, mobilenet96: 3 };
/** The issue's target: IG-50 on mnist within this factor of PyTorch's time. */
const IG_TARGET_RATIO = 5;

interface Args {
  json: boolean;
  models: BenchModelName[];
  workloads: WorkloadName[];
  reps: number | null;
  torch: boolean;
  memory: boolean;
  backend: string;
  torchThreads: number;
  python: string;
  igSteps: number[];
  ig224: boolean;
  profile: boolean;
  child: string | null;
  /** Which executor runs Lumen's model (issue 16): onnxruntime by default. */
  engine: Engine;
  /** Lumen and PyTorch take turns rep by rep (one PyTorch process per model); --sequential for the old order. */
  interleave: boolean;
  rest: Map<string, string>;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    json: false,
    models: [...BENCH_MODELS],
    workloads: [...WORKLOADS],
    reps: null,
    torch: true,
    memory: true,
    backend: process.env.LUMEN_BACKEND ?? 'wasm',
    torchThreads: 2,
    python: '/usr/bin/python3',
    igSteps: [50, 1000],
    ig224: false,
    profile: false,
    child: null,
    engine: 'onnxruntime',
    interleave: true,
    rest: new Map(),
  };
  const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
  const positive = (flag: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer; found '${v}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--json': a.json = true; break;
      case '--no-torch': a.torch = false; break;
      case '--no-memory': a.memory = false; break;
      case '--profile': a.profile = true; break;
      case '--sequential': a.interleave = false; break;
      case '--engine': {
        const e = value();
        if (!(ENGINES as readonly string[]).includes(e)) fail(`--engine: expected ${ENGINES.join(', ')}; found '${e}'`);
        a.engine = e as Engine;
        break;
      }
      case '--memory-ig224': a.ig224 = true; break;
      case '--models': {
        const ms = list(value());
        for (const m of ms) if (!(m in SPECS)) fail(`--models: unknown model '${m}'; known: ${Object.keys(SPECS).join(', ')}`);
        a.models = ms as BenchModelName[];
        break;
      }
      case '--workloads': {
        const ws = list(value());
        for (const w of ws) if (!(WORKLOADS as readonly string[]).includes(w)) fail(`--workloads: unknown workload '${w}'; known: ${WORKLOADS.join(', ')}`);
        a.workloads = ws as WorkloadName[];
        break;
      }
      case '--reps': a.reps = positive(flag, value()); break;
      case '--backend': a.backend = value(); break;
      case '--torch-threads': a.torchThreads = positive(flag, value()); break;
      case '--python': a.python = value(); break;
      case '--ig-steps': a.igSteps = list(value()).map((s) => positive(flag, s)); break;
      case '--child': a.child = value(); break;
      case '--model': case '--method': case '--steps': case '--n': a.rest.set(flag.slice(2), value()); break;
      case '--help': case '-h':
        process.stdout.write(`${usage()}\n`);
        process.exit(0);
        break;
      default: fail(`unknown option '${flag}'\n${usage()}`);
    }
  }
  return a;
}

function usage(): string {
  return [
    'usage: node dist/bench/run.js [--json] [--models mnist,mobilenet96] [--workloads fwd32,grad32,ig50,ig50d,occ200b32,lrp32,deeplift32]',
    '         [--reps N] [--no-torch] [--no-memory] [--backend wasm|cpu] [--torch-threads 2]',
    '         [--engine onnxruntime|tfjs|auto] [--sequential]',
    '         [--python /usr/bin/python3] [--ig-steps 50,1000] [--memory-ig224] [--profile]',
  ].join('\n');
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

/** Progress goes to stderr, so that --json leaves stdout to the JSON object. */
function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

interface Row {
  model: string;
  workload: WorkloadName;
  lumenMs: number;
  torchMs: number | null;
  ratio: number | null;
  /** Lumen's timed repetitions (ms). */
  times: number[];
  torchTimes: number[] | null;
  reps: number;
  /** tf.memory().numTensors growth across the timed repetitions (0 = no leak). */
  tensorGrowth: number;
  /** Load of the machine while this model was measured (interleaved runs); invalid rows are not figures. */
  load?: LoadRecord;
  /** Top kernels by time in one run (--profile). */
  profile?: { kernel: string; ms: number; calls: number }[];
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
const fmtMs = (v: number | null) => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const fmtRatio = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)}×`);
const mb = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v / 2 ** 20).toFixed(0)} MB`);

async function profileOnce(fn: () => Promise<unknown>): Promise<{ kernel: string; ms: number; calls: number }[]> {
  const info = await tf.profile(async () => {
    await fn();
  });
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    if (k.name.endsWith('__op')) continue; // op scopes (e.g. fusedConv2d__op) wrap the kernels they run
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs) || 0;
    e.calls++;
    byKernel.set(k.name, e);
  }
  return [...byKernel.entries()].map(([kernel, e]) => ({ kernel, ...e })).sort((p, q) => q.ms - p.ms).slice(0, 8);
}

async function benchModel(name: BenchModelName, args: Args, torchOk: boolean): Promise<Row[]> {
  const reps = args.reps ?? DEFAULT_REPS[name] ?? 5;
  const layers = buildModel(name);
  const model = fromLayersModel(layers, { engine: args.engine });
  const spec = SPECS[name];
  if (torchOk && args.interleave) return interleavedModel(name, args, layers, model, reps);
  log(`· ${name}: ${(forwardMacs(layers) / 1e6).toFixed(1)} M multiply-adds per example; ${reps} reps after 1 warm-up`);
  const w = makeWorkloads(model, spec);
  const rows: Row[] = [];
  try {
    for (const workload of args.workloads) {
      const t = await timeWorkload(w.run[workload], reps);
      log(`  lumen   ${workload.padEnd(10)} ${fmtMs(t.medianMs).padStart(8)} ms  [${t.times.map((x) => x.toFixed(0)).join(', ')}]${t.tensorGrowth ? `  (tensors +${t.tensorGrowth}!)` : ''}`);
      const row: Row = { model: name, workload, lumenMs: round(t.medianMs, 2), torchMs: null, ratio: null, times: t.times.map((x) => round(x, 2)), torchTimes: null, reps, tensorGrowth: t.tensorGrowth };
      if (args.profile) row.profile = await profileOnce(w.run[workload]);
      rows.push(row);
    }
  } finally {
    w.dispose();
    layers.dispose();
  }
  if (torchOk) {
    log(`  pytorch ${name} (${args.torchThreads} threads)…`);
    let results: TorchResult[] = [];
    try {
      results = await runTorch(args.python, name, [...new Set(args.workloads.map((w) => TORCH_WORKLOAD[w]))], reps, args.torchThreads);
    } catch (e) {
      log(`  pytorch failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const r of results) {
      log(`  pytorch ${r.workload.padEnd(10)} ${fmtMs(r.median_ms).padStart(8)} ms  [${r.times_ms.map((x) => x.toFixed(0)).join(', ')}]`);
      for (const row of rows.filter((x) => TORCH_WORKLOAD[x.workload] === r.workload)) {
        row.torchMs = r.median_ms;
        row.torchTimes = r.times_ms;
        row.ratio = round(row.lumenMs / r.median_ms, 3);
      }
    }
  }
  return rows;
}

/** benchModel with Lumen and PyTorch taking turns: warm-up of each, then rep i of Lumen, rep i of PyTorch, … */
async function interleavedModel(name: BenchModelName, args: Args, layers: { dispose(): void }, model: Parameters<typeof makeWorkloads>[0], reps: number): Promise<Row[]> {
  const w = makeWorkloads(model, SPECS[name]);
  const rows: Row[] = [];
  log(`  interleaved with PyTorch (${args.torchThreads} threads), engine ${args.engine}`);
  const torch = await TorchServer.start(args.python, name, args.torchThreads);
  try {
    for (const workload of args.workloads) {
      const load = recordLoad(() => torch.pid);
      const fn = w.run[workload];
      await fn();
      await torch.run(TORCH_WORKLOAD[workload]);
      const before = tf.memory().numTensors;
      const times: number[] = [];
      const torchTimes: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        await fn();
        times.push(performance.now() - t0);
        torchTimes.push(await torch.run(TORCH_WORKLOAD[workload]));
      }
      const record = load.stop();
      const lumenMs = median(times);
      const torchMs = median(torchTimes);
      log(`  ${workload.padEnd(10)} lumen ${fmtMs(lumenMs).padStart(8)} ms  pytorch ${fmtMs(torchMs).padStart(8)} ms  foreign ${record.foreignCores ?? '?'} cores${record.valid ? '' : '  INVALID'}`);
      rows.push({
        model: name, workload, lumenMs: round(lumenMs, 2), torchMs: round(torchMs, 2), ratio: round(lumenMs / torchMs, 3),
        times: times.map((x) => round(x, 2)), torchTimes: torchTimes.map((x) => round(x, 2)), reps, tensorGrowth: tf.memory().numTensors - before, load: record,
      });
    }
  } finally {
    await torch.stop();
    w.dispose();
    model.dispose?.();
    layers.dispose();
  }
  return rows;
}

function table(rows: readonly Row[]): string {
  const head = ['model', 'workload', 'Lumen ms', 'PyTorch ms', 'Lumen/PyTorch', 'reps', 'foreign cores'];
  const body = rows.map((r) => [r.model, r.workload, fmtMs(r.lumenMs), fmtMs(r.torchMs), fmtRatio(r.ratio), String(r.reps),
    r.load ? `${r.load.foreignCores ?? '?'}${r.load.valid ? '' : ' INVALID'}` : '—']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function memoryReport(results: readonly MemoryResult[]): string {
  const out: string[] = [];
  const label = (r: MemoryResult) => (r.method === 'ig' ? `${r.model} IG-${r.steps}` : `${r.model} gradient ×${r.n}`);
  for (const r of results) {
    if (!r.ok) {
      out.push(`  ${label(r).padEnd(24)} FAILED: ${r.error}`);
      continue;
    }
    const heap = r.wasmHeapAfter !== undefined && r.wasmHeapBefore !== undefined
      ? `wasm heap ${mb(r.wasmHeapBefore)} → ${mb(r.wasmHeapAfter)} (+${mb(r.wasmHeapAfter - r.wasmHeapBefore)}, limit ${mb(r.wasmHeapMax)})`
      : 'wasm heap n/a';
    out.push(`  ${label(r).padEnd(24)} ${fmtMs(r.ms ?? null).padStart(7)} ms  ${String(r.rows).padStart(4)} rows in ${r.modelCalls} call${r.modelCalls === 1 ? '' : 's'} (budget batch ${r.batchSize})  peak tensors ${mb(r.peakTensorBytes).padStart(7)}  RSS ${mb(r.rssBefore)} → peak ${mb(r.rssPeak)}  ${heap}${r.leakedTensors ? `  leaked ${r.leakedTensors} tensors!` : ''}`);
  }
  const ig = results.filter((r) => r.model === 'mnist' && r.method === 'ig' && r.ok);
  const small = ig.find((r) => r.steps === 50);
  for (const big of ig.filter((r) => (r.steps ?? 0) > 50)) {
    if (!small) break;
    const ratio = (big.peakTensorBytes ?? 0) / Math.max(1, small.peakTensorBytes ?? 1);
    const heapBig = (big.wasmHeapAfter ?? 0) - (big.wasmHeapBefore ?? 0);
    const heapSmall = (small.wasmHeapAfter ?? 0) - (small.wasmHeapBefore ?? 0);
    const within = (big.peakTensorBytes ?? Infinity) <= DEFAULT_MEMORY_BUDGET;
    const pass = (big.peakTensorBytes ?? Infinity) <= (small.peakTensorBytes ?? 0) && heapBig <= heapSmall;
    out.push(`  (a) IG-${big.steps} vs IG-50 on mnist: peak tensor bytes ${ratio.toFixed(2)}×, wasm heap growth ${mb(heapBig)} vs ${mb(heapSmall)}` +
      ` → ${pass ? 'PASS (not more than IG-50)' : 'FAIL (more than IG-50)'}; bounded by the ${mb(DEFAULT_MEMORY_BUDGET)} budget: ${within ? 'yes' : 'NO'}` +
      ` (${big.modelCalls} calls of ≤ ${big.batchSize} rows vs ${small.modelCalls} of ≤ ${small.batchSize})`);
  }
  // RSS: the whole process (model, runtimes, onnxruntime's arenas). Growth above the RSS after building the model; 2 % + 4 MiB of slack for the allocator's noise.
  const growth = (t: { rssBefore?: number; rssPeak?: number } | undefined): number | undefined => (t?.rssPeak !== undefined && t.rssBefore !== undefined ? Math.max(0, t.rssPeak - t.rssBefore) : undefined);
  const noMore = (a: number, b: number): boolean => a <= b * 1.02 + 4 * 2 ** 20;
  for (const r of ig) {
    const t = r.torch?.sameBatches;
    if (!t) continue;
    const one = r.torch?.oneBatch;
    const torchLine = (m: TorchMemory | undefined, what: string): string => (m?.ok ? `${what} RSS ${mb(m.rssBefore)} → peak ${mb(m.rssPeak)} (+${mb(growth(m))}, ${fmtMs(m.ms ?? null)} ms)` : `${what} FAILED ${m?.error ?? ''}`);
    out.push(`  PyTorch IG-${r.steps}: ${torchLine(t, `batches of ${t.batch}`)}; ${torchLine(one, 'one batch')}`);
    if (t.ok && t.rssPeak !== undefined && r.rssPeak !== undefined) {
      out.push(`  (a′) IG-${r.steps} peak RSS: Lumen ${mb(r.rssPeak)} (+${mb(growth(r))}) vs PyTorch in the same batches ${mb(t.rssPeak)} (+${mb(growth(t))}) → ${noMore(r.rssPeak, t.rssPeak) ? 'PASS (not higher)' : 'FAIL (higher)'}`);
    }
  }
  for (const big of ig.filter((r) => (r.steps ?? 0) > 50)) {
    if (!small || small.rssPeak === undefined || big.rssPeak === undefined) break;
    out.push(`  (a″) peak RSS IG-${big.steps} ${mb(big.rssPeak)} vs IG-50 ${mb(small.rssPeak)} → ${noMore(big.rssPeak, small.rssPeak) ? 'PASS (not higher)' : 'FAIL (higher)'}`);
  }
  for (const r of results.filter((x) => x.model === 'mobilenet224')) {
    out.push(`  (b) ${label(r)} at 224×224: ${r.ok
      ? `completed in ${fmtMs(r.ms ?? null)} ms, wasm heap ${mb(r.wasmHeapAfter)} of ${mb(r.wasmHeapMax)} → PASS; peak tensors ${mb(r.peakTensorBytes)} (${(r.peakTensorBytes ?? 0) <= DEFAULT_MEMORY_BUDGET ? 'within' : 'over'} the ${mb(DEFAULT_MEMORY_BUDGET)} budget)`
      : 'FAILED'}`);
  }
  return out.join('\n');
}

async function child(args: Args): Promise<void> {
  if (args.child !== 'memory') fail(`unknown child '${args.child}'`);
  const model = args.rest.get('model') as BenchModelName;
  const method = args.rest.get('method') as 'ig' | 'grad';
  const c: MemoryCase = { model, method, engine: args.engine, steps: Number(args.rest.get('steps') ?? 0) || undefined, n: Number(args.rest.get('n') ?? 0) || undefined };
  const r = await measureMemory(c, args.backend);
  process.stdout.write(`${JSON.stringify({ memory: r })}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) return child(args);
  const backend = await useBackend(args.backend);
  const wasmThreads = backend === 'wasm' ? await wasmThreadCount() : null;
  const torch = args.torch ? torchVersion(args.python) : { version: null, reason: '--no-torch' };
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    backend,
    wasmThreads,
    tfjs: tf.version.tfjs,
    torch: torch.version,
    torchThreads: torch.version ? args.torchThreads : null,
    loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))),
    engine: args.engine,
    interleaved: args.interleave,
  };
  log(`Lumen bench: ${backend}${wasmThreads !== null ? ` (${wasmThreads} thread${wasmThreads === 1 ? '' : 's'})` : ''}, node ${process.version}, ${machine.cpus} CPUs (${machine.cpuModel}), load ${machine.loadAverage.join(' ')}`);
  log(torch.version ? `PyTorch ${torch.version} via ${args.python}, ${args.torchThreads} threads` : `PyTorch: not run (${torch.reason})`);

  const tensorsAtStart = tf.memory().numTensors;
  const rows: Row[] = [];
  for (const name of args.models) rows.push(...(await benchModel(name, args, torch.version !== null)));
  const tensorsLeft = tf.memory().numTensors - tensorsAtStart;

  let memory: MemoryResult[] = [];
  if (args.memory) {
    log('· memory checks (each in a fresh process)…');
    const script = fileURLToPath(import.meta.url);
    for (const c of defaultMemoryCases(args.igSteps, args.ig224, args.engine)) {
      let r = runMemoryChild(script, c, backend);
      log(`  ${c.model} ${c.method}${c.steps ? `-${c.steps}` : ''}${c.n ? ` ×${c.n}` : ''} (${c.engine}): ${r.ok ? `${fmtMs(r.ms ?? null)} ms, peak tensors ${mb(r.peakTensorBytes)}, peak RSS ${mb(r.rssPeak)}` : `FAILED ${r.error}`}`);
      if (torch.version && r.ok && c.method === 'ig' && c.model === 'mnist' && c.steps) {
        // PyTorch's IG of the same rows: in Lumen's batches (the same work), and all in one batch (what a plain script does).
        const sameBatches = runTorchMemory(args.python, torchScript(), c.model, c.steps, r.batchSize ?? c.steps, args.torchThreads);
        const oneBatch = runTorchMemory(args.python, torchScript(), c.model, c.steps, 0, args.torchThreads);
        r = { ...r, torch: { sameBatches, oneBatch } };
        log(`    PyTorch: batches of ${r.batchSize} peak RSS ${mb(sameBatches.rssPeak)}, one batch ${mb(oneBatch.rssPeak)}`);
      }
      memory.push(r);
    }
  }

  const targetOf = (workload: WorkloadName) => {
    const row = rows.find((r) => r.model === 'mnist' && r.workload === workload);
    return row?.ratio != null ? { igMnistRatio: row.ratio, limit: IG_TARGET_RATIO, pass: row.ratio <= IG_TARGET_RATIO } : null;
  };
  const target = targetOf('ig50');
  const targetDefault = targetOf('ig50d');

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ machine, results: rows, memory, targets: { ig50Mnist: target, ig50dMnist: targetDefault }, leakedTensors: tensorsLeft }, null, 2)}\n`);
    return;
  }
  const out = [
    '',
    `Lumen (${backend}${wasmThreads !== null ? `, ${wasmThreads} thread${wasmThreads === 1 ? '' : 's'}` : ''}) vs PyTorch ${torch.version ?? '(not run)'} (CPU, ${args.torchThreads} threads); medians of the reps after a warm-up; engine ${args.engine}${args.interleave ? ', interleaved' : ''}`,
    table(rows),
  ];
  const invalid = rows.filter((r) => r.load && !r.load.valid);
  if (rows.some((r) => r.load)) out.push(invalid.length ? `INVALID: ${invalid.length} row(s) ran while other processes used more than 0.2 core (foreign cores column); rerun on an idle machine before reporting them.` : 'All interleaved rows valid (foreign load ≤ 0.2 core).');
  if (target || targetDefault) out.push('');
  if (target) out.push(`Target IG-50 on mnist ≤ ${IG_TARGET_RATIO}× PyTorch: ${target.igMnistRatio.toFixed(2)}× → ${target.pass ? 'PASS' : 'FAIL'}`);
  if (targetDefault) out.push(`Target IG-50 on mnist ≤ ${IG_TARGET_RATIO}× PyTorch, default batch size (ig50d): ${targetDefault.igMnistRatio.toFixed(2)}× → ${targetDefault.pass ? 'PASS' : 'FAIL'}`);
  const growth = rows.filter((r) => r.tensorGrowth !== 0);
  out.push(growth.length || tensorsLeft
    ? `Tensor leak: ${growth.map((r) => `${r.model}/${r.workload} +${r.tensorGrowth}`).join(', ')}${tensorsLeft ? ` (${tensorsLeft} left at the end)` : ''}`
    : 'Tensors: no growth across repetitions.');
  if (args.profile) {
    out.push('', 'Top kernels (one profiled run; ms summed over calls):');
    for (const r of rows) {
      out.push(`  ${r.model}/${r.workload}: ${(r.profile ?? []).map((k) => `${k.kernel} ${k.ms.toFixed(0)} (${k.calls})`).join(', ')}`);
    }
  }
  if (memory.length) out.push('', 'Memory (fresh process each; default batch size from the memory budget):', memoryReport(memory));
  process.stdout.write(`${out.join('\n')}\n`);
}

/** XNNPACK threads of the wasm backend (1 in Node: tfjs 4.22 disables wasm threads there). */
async function wasmThreadCount(): Promise<number | null> {
  try {
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { getThreadsCount?: () => number };
    return wasm.getThreadsCount ? wasm.getThreadsCount() : null;
  } catch {
    return null;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
