/**
 * Vite build of the Lumen dashboard: `npm run build:web` writes the static app to dist/web/
 * (index.html + hashed assets, relative paths so it runs from any folder or under `lumen serve`).
 * Run `npm run build` (tsc) first: the bundled-assets plugin reads the sample data with the
 * compiled library (dist/src/data/…).
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { bundledAssets } from './bundled-assets.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.resolve(here, '..', 'src');

/**
 * The two Node-only library files and their browser twins (what package.json's `browser` field
 * says for dist/; the app imports src/ directly, so the same mapping is made here).
 */
function browserTwins(): Plugin {
  const twins: Record<string, string> = {
    [path.join(src, 'models', 'read-model-bytes')]: path.join(src, 'models', 'read-model-bytes-browser.ts'),
    [path.join(src, 'engine', 'ort', 'node-runtime')]: path.join(src, 'engine', 'ort', 'node-runtime-browser.ts'),
  };
  return {
    name: 'lumen-browser-twins',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.')) return null;
      const target = path.resolve(path.dirname(importer), source).replace(/\.(js|ts)$/, '');
      return twins[target] ?? null;
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  plugins: [browserTwins(), bundledAssets(path.resolve(here, '..'))],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  worker: { format: 'es', plugins: () => [browserTwins()] },
  build: {
    outDir: path.resolve(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: path.join(here, 'index.html'), element: path.join(here, 'src', 'element.tsx') },
      output: { entryFileNames: (chunk) => (chunk.name === 'element' ? 'lumen-explanation.js' : 'assets/[name]-[hash].js') },
    },
  },
});
