import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Modules of src/ that are not part of the public API: folders (every file below them) and single
 * files, relative to src/. Everything else is public: the methods and their registries, the core
 * contracts, the model adapters, the metrics, the data readers, the render helpers.
 */
const INTERNAL: readonly string[] = [
  'index.ts', 'node.ts', 'cli/', 'server/', 'parity/', 'method-table.ts', 'data/packages.ts',
  // engine: kernels, gradient patches and tape plumbing behind useBackend
  'engine/kernels/', 'engine/gradients/', 'engine/input-gradients-only.ts', 'engine/release-tape.ts', 'engine/vjp.ts',
  // the onnxruntime engine behind withEngine / the adapters' `engine` option
  'engine/ort/rules/', 'engine/ort/backward.ts', 'engine/ort/emitter.ts', 'engine/ort/encode-onnx.ts', 'engine/ort/layers-to-onnx.ts',
  'engine/ort/onnx-to-ort.ts', 'engine/ort/ort-graph.ts', 'engine/ort/ort-executor.ts', 'engine/ort/node-runtime.ts', 'engine/ort/node-runtime-browser.ts', 'engine/ort/fold-affine.ts',
  // models: the graph IR, the ONNX op tables and decoder behind loadOnnx, the conformance runner
  'models/graph.ts', 'models/graph-model-rules.ts', 'models/rule-engine.ts', 'models/layer-parts.ts', 'models/read-model-bytes.ts', 'models/read-model-bytes-browser.ts',
  'models/onnx/ops/', 'models/onnx/conformance.ts', 'models/onnx/conformance-exclusions.ts', 'models/onnx/decode.ts',
  'models/onnx/onnx-proto.ts', 'models/onnx/parts.ts', 'models/onnx/program.ts', 'models/onnx/values.ts',
  // the shared machinery of the method families
  'attribution/cam/feature-maps.ts', 'attribution/attention/attention-layers.ts', 'attribution/attention/attention-relevance.ts', 'models/fixture-tokens.ts',
  'attribution/perturbation/perturbation-batcher.ts', 'attribution/perturbation/sliding-windows.ts', 'attribution/perturbation/conditional-gaussian.ts',
  'attribution/propagation/deep-lift-pairs.ts', 'attribution/propagation/relu-rules.ts', 'attribution/propagation/lrp/basic-rule.ts', 'attribution/propagation/lrp/stabilize.ts',
  'attribution/surrogate/coalition-evaluator.ts', 'attribution/surrogate/coalition-sampler.ts', 'attribution/surrogate/score-rows.ts',
  'attribution/surrogate/surrogate-meta.ts', 'attribution/surrogate/tabular-statistics.ts', 'attribution/surrogate/weighted-linear-fit.ts',
  'metrics/shared.ts', 'metrics/complexity-common.ts', 'metrics/localisation-common.ts',
  'render/font.ts',
];

/** Packages that only run in Node (besides Node's built-in modules). */
const NODE_PACKAGES: readonly string[] = ['pngjs', 'onnxruntime-node', 'cli-progress', 'commander', '@tensorflow/tfjs-node', 'parquet-wasm', 'bullmq', 'ioredis'];

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Node's globals that browsers lack, as used in code (comments are stripped before the test). */
const NODE_GLOBALS = /\b(?:process\s*\.|Buffer\s*[.(<]|setImmediate\s*\(|__dirname\b|__filename\b|require\s*\()/;

function usesNodeGlobals(text: string): boolean {
  return NODE_GLOBALS.test(text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1'));
}

function isInternal(rel: string): boolean {
  return INTERNAL.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p));
}

/** The modules a source file imports at run time (`import type` is erased; dynamic imports with a literal count). */
function runtimeImports(text: string): string[] {
  const specs: string[] = [];
  const re = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) specs.push(m[1] ?? m[2]);
  return specs;
}

function isNodePackage(spec: string): boolean {
  return BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]) || NODE_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`));
}

/** src/-relative files that package.json's `browser` field replaces in browser bundles (their substitutes are browser-safe). */
function browserSwapped(srcDir: string): Set<string> {
  const pkg = path.join(srcDir, '..', 'package.json');
  const map = existsSync(pkg) ? ((JSON.parse(readFileSync(pkg, 'utf8')) as { browser?: Record<string, string> }).browser ?? {}) : {};
  return new Set(Object.keys(map).map((k) => k.replace(/^\.\/dist\/src\//, '').replace(/\.js$/, '.ts')));
}

/**
 * Which modules of src/ need Node: those using Node's globals (`process`, `Buffer`, `setImmediate`,
 * `require` …) or importing a Node built-in or a Node-only package, directly or through other modules of src/ (a module the `browser` field swaps out does not count).
 */
export function nodeOnlyModules(srcDir: string, files: readonly string[]): Set<string> {
  const swapped = browserSwapped(srcDir);
  const memo = new Map<string, boolean>();
  const visit = (rel: string): boolean => {
    const known = memo.get(rel);
    if (known !== undefined) return known;
    memo.set(rel, false); // cycles: decided by the other edges
    let node = false;
    const text = readFileSync(path.join(srcDir, rel), 'utf8');
    if (!swapped.has(rel)) {
      node = usesNodeGlobals(text);
      for (const spec of node ? [] : runtimeImports(text)) {
        if (spec.startsWith('.')) {
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec)).replace(/\.js$/, '.ts');
          if (existsSync(path.join(srcDir, target)) && visit(target)) node = true;
        } else if (isNodePackage(spec)) {
          node = true;
        }
        if (node) break;
      }
    }
    memo.set(rel, node);
    return node;
  };
  return new Set(files.filter(visit));
}

function sourceFiles(srcDir: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(srcDir, full).split(path.sep).join('/');
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(rel);
    }
  };
  walk(srcDir);
  return files;
}

/** The public modules of src/, split into those that run anywhere and those that need Node. */
export function publicModules(srcDir: string): { browser: string[]; node: string[] } {
  const files = sourceFiles(srcDir).filter((f) => !isInternal(f));
  const nodeOnly = nodeOnlyModules(srcDir, files);
  return { browser: files.filter((f) => !nodeOnly.has(f)), node: files.filter((f) => nodeOnly.has(f)) };
}

const reExport = (f: string): string => `export * from './${f.replace(/\.ts$/, '.js')}';`;

/**
 * The text of src/index.ts (the package entry, `lumen`): a re-export of every public module that
 * runs in browsers as well as in Node.
 */
export function indexSource(srcDir: string): string {
  return `// Generated by \`npm run index\` (scripts/gen-index.ts): the public modules of src/ that run anywhere.\n${publicModules(srcDir).browser.map(reExport).join('\n')}\n`;
}

/**
 * The text of src/node.ts (`lumen/node`): the package entry plus the public modules that need Node
 * (file loaders and writers, bundled models and datasets, onnxruntime-node, the environment).
 */
export function nodeIndexSource(srcDir: string): string {
  const lines = ["export * from './index.js';", ...publicModules(srcDir).node.map(reExport)];
  return `// Generated by \`npm run index\` (scripts/gen-index.ts): lumen's entry plus its public modules that need Node.\n${lines.join('\n')}\n`;
}
