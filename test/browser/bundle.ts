import { builtinModules } from 'node:module';
import * as esbuild from 'esbuild';

/** What bundling an entry for the browser gave: the code, esbuild's errors, and the Node built-ins it reached. */
export interface BrowserBundle {
  readonly code: string;
  readonly errors: readonly string[];
  /** `<specifier> (imported by <file>)` for each Node built-in module an input imports. */
  readonly nodeImports: readonly string[];
  /** The bundled input files (node_modules paths included). */
  readonly inputs: readonly string[];
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Bundles `entry` with esbuild for `platform: 'browser'` (package.json `browser` fields honoured,
 * as Vite and webpack do). A plugin records every import of a Node built-in that esbuild's browser
 * resolution does not map away, so a leak is named even where esbuild would only warn.
 */
export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  const nodeImports: string[] = [];
  const spy: esbuild.Plugin = {
    name: 'node-builtins',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (!builtins.has(args.path) || args.pluginData === 'spy') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'spy' });
        // A package's `browser` field may map the built-in to false (an empty module): that is browser-safe.
        if (resolved.errors.length === 0) return undefined;
        nodeImports.push(`${args.path} (imported by ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
  try {
    const result = await esbuild.build({
      entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true,
      logLevel: 'silent', plugins: [spy],
    });
    return { code: result.outputFiles[0].text, errors: [], nodeImports, inputs: Object.keys(result.metafile.inputs) };
  } catch (e) {
    const errors = ((e as esbuild.BuildFailure).errors ?? []).map((m) => `${m.text}${m.location ? ` (${m.location.file})` : ''}`);
    return { code: '', errors: errors.length ? errors : [(e as Error).message], nodeImports, inputs: [] };
  }
}
