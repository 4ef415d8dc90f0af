/**
 * Dataset-scale work in the Node process, shown only when the page is served by `lumen serve`:
 * pick one of the server's models, rows of its dataset (`--data`, or a bundled model's own
 * held-out rows) and a registry method with its option form; the job runs on the server (POST
 * /api/explain) with its progress streamed here and stops when cancelled (the request is aborted).
 */
import { useState } from 'preact/hooks';
import { OptionForm, type Fields } from './option-form.js';
import { optionValues } from './option-values.js';
import type { CatalogueEntry } from './protocol.js';
import { explainOnServer, parseRows, type ServerInfo, type ServerResult } from './server-client.js';

/** The input kind of the server's bundled models (others: every local method is offered). */
const BUNDLED_KINDS: Record<string, string> = { 'bundled:mnist': 'image', 'bundled:penguins': 'tabular', 'bundled:groundtruth': 'image', 'bundled:concepts': 'image', 'bundled:spam': 'text', 'bundled:spam-transformer': 'text' };

export interface ServerPanelProps {
  readonly info: ServerInfo;
  readonly catalogue: readonly CatalogueEntry[];
  readonly onResult: (result: ServerResult, request: { model: string; rows: readonly number[] }) => void;
  readonly onStatus: (status: string) => void;
  readonly onError: (message: string) => void;
}

export function ServerPanel(props: ServerPanelProps) {
  const models = props.info.models ?? [];
  const [model, setModel] = useState(models[0] ?? '');
  const [rowsText, setRowsText] = useState('0-7');
  const kind = BUNDLED_KINDS[model];
  const usable = props.catalogue.filter((m) => m.scope === 'local' && (!kind || m.inputKinds.includes('any') || m.inputKinds.includes(kind)));
  const [method, setMethod] = useState('saliency');
  const [fields, setFields] = useState<Fields>({});
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const [controller, setController] = useState<AbortController>();
  const entry = usable.find((m) => m.id === method) ?? usable[0];

  const run = async (): Promise<void> => {
    if (!entry) return;
    props.onError('');
    const abort = new AbortController();
    setController(abort);
    const started = performance.now();
    try {
      const rows = parseRows(rowsText);
      const options = optionValues(entry.options, fields);
      props.onStatus(`explaining ${rows.length} row(s) of ${model} with ${entry.id} on the server…`);
      const result = await explainOnServer({ model, method: entry.id, options: typeof fields.layer === 'string' && fields.layer ? { ...options, layer: fields.layer } : options, target: 'predicted', rows }, (done, total) => setProgress({ done, total }), abort.signal);
      props.onResult(result, { model, rows });
      props.onStatus(`explained ${rows.length} row(s) of ${model} with ${entry.id} in the Node process in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      if (abort.signal.aborted) props.onStatus('cancelled (the server stopped the job)');
      else props.onError((e as Error).message);
    } finally {
      setController(undefined);
      setProgress(undefined);
    }
  };

  return (
    <section class="server-panel">
      <h2>Dataset rows in Node (lumen serve)</h2>
      <p class="muted">Runs in the server's Node process on {props.info.data ? <code>{props.info.data}</code> : 'the bundled models\' own held-out rows'}; only the result comes back.</p>
      <label>model <select name="server-model" value={model} onChange={(e) => { setModel((e.target as HTMLSelectElement).value); setFields({}); }}>{models.map((m) => <option value={m}>{m}</option>)}</select></label>
      <label>rows <input name="server-rows" value={rowsText} onInput={(e) => setRowsText((e.target as HTMLInputElement).value)} placeholder="0-7 or 3, 5, 8" /></label>
      <label>method <select name="server-method" value={entry?.id ?? ''} onChange={(e) => { setMethod((e.target as HTMLSelectElement).value); setFields({}); }}>{usable.map((m) => <option value={m.id}>{m.id}</option>)}</select></label>
      {entry && <OptionForm method={entry} fields={fields} idPrefix="server-" onChange={setFields} />}
      <div class="buttons">
        <button type="button" id="server-run" disabled={controller !== undefined || !entry || !model} onClick={run}>Explain on the server</button>
        <button type="button" id="server-cancel" disabled={controller === undefined} onClick={() => controller?.abort()}>Cancel</button>
      </div>
      {progress && <progress class="server-progress" max={progress.total} value={progress.done} title={`${entry?.id}: ${progress.done} of ${progress.total}`} />}
    </section>
  );
}
