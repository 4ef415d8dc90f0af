import path from 'node:path';
import type { Command } from 'commander';
import { LumenError } from '../core/errors.js';
import { packageRoot } from '../models/bundled.js';
import { modelCatalogue } from '../server/model-catalogue.js';
import { startServer } from '../server/serve-app.js';
import { withBackend } from './context.js';
import { isDecimalText, parseIntegerFlag } from './parse-number.js';

interface ServeFlags {
  model?: string;
  data?: string;
  port: string;
  hostCheck: boolean;
  maxUploadMb: string;
  webRoot?: string;
}

/** `lumen serve`: the browser app and the JSON API on 127.0.0.1 with an access token (src/server/). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the browser app and a JSON API on 127.0.0.1 (random access token in the printed URL)')
    .option('--model <spec>', 'a model to offer beside the bundled ones (as lumen explain --model)')
    .option('--data <file>', 'a dataset whose rows POST /api/explain can name ({dataset: {rows}})')
    .option('--port <n>', 'port on 127.0.0.1 (0: a free one)', '8765')
    .option('--no-host-check', 'do not check the Host header (DNS-rebinding defence; on by default)')
    .option('--max-upload-mb <n>', 'largest request body in MiB', '64')
    .option('--web-root <dir>', 'the built app (default: dist/web of the package, from npm run build:web)')
    .action(async (flags: ServeFlags) => {
      const port = parseIntegerFlag('--port', flags.port, 0, 65535);
      const mb = Number(flags.maxUploadMb);
      if (!isDecimalText(flags.maxUploadMb) || !(mb > 0)) throw new LumenError('option', `--max-upload-mb: expected a positive number of MiB; found '${flags.maxUploadMb}'`);
      await withBackend(program);
      const catalogue = modelCatalogue(flags.model, flags.data);
      if (flags.model !== undefined) {
        try {
          await catalogue.get(flags.model);
          if (flags.data !== undefined) await catalogue.dataset(flags.model);
        } catch (e) {
          catalogue.dispose();
          throw e;
        }
      }
      const server = await startServer({
        catalogue,
        webRoot: flags.webRoot ?? path.join(packageRoot(), 'dist', 'web'),
        port,
        maxUploadBytes: Math.floor(mb * 2 ** 20),
        hostCheck: flags.hostCheck,
      });
      process.stdout.write(`Lumen is serving on 127.0.0.1 only. Open:\n\n    ${server.url}\n\n(Ctrl-C stops it.)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.stdout.write('\nlumen serve: stopping\n');
          void server.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
