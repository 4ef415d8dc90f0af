/**
 * The dashboard: load a model (bundled, a tfjs folder or an .onnx file) and inputs (bundled
 * samples), pick methods from the registry's catalogue (those made for the model's kind of input)
 * with forms from their option specs, run them in the worker with progress and cancel, or load
 * CLI JSON output files; every result is shown by the view of its Explanation kind, for two
 * audiences (a summary in plain words, the expert view).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Compute, type RunResult } from './client.js';
import { OptionForm, type Fields } from './option-form.js';
import { optionValues } from './option-values.js';
import type { CatalogueEntry, ModelInfo, ModelSource } from './protocol.js';
import { batchOf, loadSamples, type SampleSet } from './samples.js';
import { shownFromJson, type Shown } from './shown.js';
import { ExplanationView } from './views/explanation-view.js';
import { SummaryView } from './views/summary.js';
import { ExportButtons } from './export.js';
import { bundledRowNames, loadRowSource, type RowSource } from './dataset-rows.js';
import { serverInfo, type ServerInfo, type ServerResult } from './server-client.js';
import { ServerPanel } from './server-panel.js';
import { imagesAsSamples } from './own-images.js';

const compute = new Compute();

const DEFAULT_METHODS: Record<string, string[]> = { image: ['saliency', 'integrated-gradients'], tabular: ['integrated-gradients', 'feature-ablation'], text: ['leave-one-out', 'integrated-gradients'] };

/** What a test (or a curious user in the console) can read: the last run's results. */
declare global {
  // eslint-disable-next-line no-var
  var lumen: { results: RunResult[]; model?: ModelInfo; backend?: string; ready: boolean; server?: ServerResult };
}
globalThis.lumen = { results: [], ready: false };

export function App() {
  const [catalogue, setCatalogue] = useState<readonly CatalogueEntry[]>([]);
  const [backend, setBackend] = useState('');
  const [status, setStatus] = useState('starting the compute worker…');
  const [error, setError] = useState('');
  const [model, setModel] = useState<ModelInfo>();
  const [samples, setSamples] = useState<SampleSet[]>([]);
  const [picked, setPicked] = useState<number[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [fields, setFields] = useState<Record<string, Fields>>({});
  const [target, setTarget] = useState<string>('predicted');
  const [card, setCard] = useState(false);
  const [job, setJob] = useState<number>();
  const [progress, setProgress] = useState<{ method: string; done: number; total: number }>();
  const [shown, setShown] = useState<Shown[]>([]);
  const [audience, setAudience] = useState<'summary' | 'expert'>('expert');
  const [layout, setLayout] = useState<'nhwc' | 'nchw'>('nhwc');
  const [rowNames, setRowNames] = useState<string[]>([]);
  const [rows, setRows] = useState<RowSource>();
  const [server, setServer] = useState<ServerInfo>({ server: false });
  const [own, setOwn] = useState<SampleSet>();

  useEffect(() => {
    compute.catalogue().then((c) => {
      setCatalogue(c.methods);
      setBackend(c.backend);
      globalThis.lumen.backend = c.backend;
      globalThis.lumen.ready = true;
      setStatus(`ready — compute runs in this page (tfjs ${c.backend} backend, in a worker); nothing is uploaded`);
    }, (e: Error) => setError(e.message));
    loadSamples().then(setSamples, (e: Error) => setError(e.message));
    bundledRowNames().then(setRowNames, (e: Error) => setError(e.message));
    void serverInfo().then(setServer);
  }, []);

  const sampleSet = own ?? samples.find((s) => s.model === (model?.name === 'mnist.onnx' || model?.name.endsWith('.onnx') ? 'mnist' : model?.name));
  const usable = useMemo(() => catalogue.filter((m) => m.scope === 'local' && model && (m.inputKinds.includes('any') || m.inputKinds.includes(model.kind))), [catalogue, model]);

  const loadModel = async (source: ModelSource, label: string): Promise<void> => {
    setError('');
    setStatus(`loading ${label}…`);
    try {
      const info = await compute.load(source);
      setModel(info);
      setOwn(undefined);
      globalThis.lumen.model = info;
      setChosen((DEFAULT_METHODS[info.kind] ?? []).filter((id) => catalogue.some((m) => m.id === id)));
      // Token ids have no gradient: gradient methods on a text model attribute to its embedding layer.
      // Options are the model's own: a new model starts from the methods' defaults.
      setFields(info.kind === 'text' && info.layers?.includes('embedding') ? { 'integrated-gradients': { layer: 'embedding' } } : {});
      setPicked([0, 1]);
      setStatus(`loaded ${info.name}: input ${info.inputShape.join('×')}${info.classNames ? `, ${info.classNames.length} classes` : ''}`);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const run = async (): Promise<void> => {
    if (!model || !sampleSet || picked.length === 0) return;
    setError('');
    try {
      const runs = chosen.map((id) => {
        const m = catalogue.find((c) => c.id === id)!;
        const f = fields[id] ?? {};
        const opts = optionValues(m.options, f);
        return { id, options: typeof f.layer === 'string' && f.layer ? { ...opts, layer: f.layer } : opts };
      });
      const input = batchOf(sampleSet, picked);
      const results: RunResult[] = [];
      const started = performance.now();
      const t = target === 'predicted' ? 'predicted' : Number(target);
      const { job: id, done } = compute.explain(runs, input, t, card, {
        onProgress: (method, d, total) => setProgress({ method, done: d, total }),
        onResult: (r) => {
          results.push(r);
          globalThis.lumen.results = [...results];
          setShown(resultsToShown(results, input, sampleSet, picked, model));
        },
      });
      setJob(id);
      setStatus('explaining…');
      await done;
      setStatus(`explained ${picked.length} input(s) with ${runs.length} method(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      if ((e as { code?: string }).code === 'aborted') setStatus('cancelled');
      else {
        setError((e as Error).message);
        setStatus('stopped');
      }
    } finally {
      setJob(undefined);
      setProgress(undefined);
    }
  };

  const onOnnx = async (e: Event): Promise<void> => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) await loadModel({ type: 'onnx', name: file.name, bytes: await file.arrayBuffer(), layout }, file.name);
  };
  const onTfjs = async (e: Event): Promise<void> => {
    const files = Array.from((e.target as HTMLInputElement).files ?? []);
    if (files.length) await loadModel({ type: 'tfjs', files }, files.map((f) => f.name).join(', '));
  };
  const onImages = async (e: Event): Promise<void> => {
    const files = Array.from((e.target as HTMLInputElement).files ?? []);
    if (!model || !files.length) return;
    setError('');
    try {
      const set = await imagesAsSamples(files, model.name, model.inputShape);
      setOwn(set);
      setPicked(set.labels.map((_, i) => i));
      setStatus(`${files.length} image(s) as inputs of ${model.name} (${model.inputShape.join('×')}, values in [0, 1])`);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const onJson = async (e: Event): Promise<void> => {
    setError('');
    const files = Array.from((e.target as HTMLInputElement).files ?? []);
    try {
      const loaded: Shown[] = [];
      for (const f of files) loaded.push(...shownFromJson(JSON.parse(await f.text()), f.name));
      setShown(loaded);
      setStatus(`loaded ${loaded.length} explanation(s) from ${files.length} file(s)`);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const onServerResult = async (r: ServerResult, req: { model: string; rows: readonly number[] }): Promise<void> => {
    // The server's rows of bundled:mnist (no --data) are the held-out digits the build carries: show them beside the maps.
    globalThis.lumen.server = r;
    const own = req.model === 'bundled:mnist' && !server.data ? await loadRowSource('bundled:mnist').catch(() => undefined) : undefined;
    const image = own?.image;
    const inputs = image ? { data: req.rows.flatMap((i) => Array.from(image(i))), shape: [req.rows.length, 28, 28, 1] } : undefined;
    setShown([{
      explanation: r.explanation, source: `lumen serve: ${req.model}`, inputs,
      rowLabels: req.rows.map((i) => `row ${i}`), predictions: r.targetNames ? [...r.targetNames] : undefined, ms: r.ms,
    }]);
  };

  const onRows = (name: string): void => {
    setError('');
    if (!name) setRows(undefined);
    else loadRowSource(name).then(setRows, (e: Error) => setError(e.message));
  };

  return (
    <div class="app">
      <header>
        <h1>Lumen</h1>
        <p class="tagline">Explain a neural network in your browser — the model and the data never leave this machine.</p>
        <p class="status" role="status">{status}{backend && ` · backend ${backend}`}</p>
        {error && <p class="error" role="alert">{error}</p>}
      </header>
      <main>
        <aside class="panel">
          <h2>1 · Model</h2>
          <div class="buttons">
            {(['mnist', 'penguins', 'spam', 'mnist-onnx'] as const).map((name) => (
              <button type="button" data-model={name} disabled={!catalogue.length} onClick={() => loadModel({ type: 'bundled', name, base: document.baseURI }, name)}>{name === 'mnist-onnx' ? 'mnist (ONNX)' : name}</button>
            ))}
          </div>
          <label>ONNX file <input type="file" accept=".onnx" name="onnx" disabled={!catalogue.length} onChange={onOnnx} /></label>
          <label>its input layout <select value={layout} onChange={(e) => setLayout((e.target as HTMLSelectElement).value as 'nhwc' | 'nchw')}><option value="nhwc">channels last (tfjs)</option><option value="nchw">channels first (PyTorch)</option></select></label>
          <label>tfjs model folder <input type="file" multiple name="tfjs" accept=".json,.bin" disabled={!catalogue.length} onChange={onTfjs} /></label>
          {model && !sampleSet && model.kind === 'image' && <label>inputs: your images <input type="file" multiple accept="image/*" name="images" onChange={onImages} /></label>}
          {model && sampleSet && (
            <>
              <h2>2 · Inputs</h2>
              {model.kind === 'image' && <label>your images <input type="file" multiple accept="image/*" name="images" onChange={onImages} /></label>}
              <div class="samples">
                {sampleSet.labels.map((l, i) => (
                  <label class="sample"><input type="checkbox" name="sample" value={i} checked={picked.includes(i)} onChange={(e) => setPicked((e.target as HTMLInputElement).checked ? [...picked, i].sort((a, b) => a - b) : picked.filter((p) => p !== i))} /> {l}</label>
                ))}
              </div>
              <h2>3 · Methods</h2>
              <label>target <select name="target" value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
                <option value="predicted">the predicted class</option>
                {(model.classNames ?? []).map((c, i) => <option value={i}>{c}</option>)}
              </select></label>
              <div class="method-list">
                {usable.map((m) => (
                  <label class="method" title={`${m.summary} (${m.paper})`}>
                    <input type="checkbox" name="method" value={m.id} checked={chosen.includes(m.id)} onChange={(e) => setChosen((e.target as HTMLInputElement).checked ? [...chosen, m.id] : chosen.filter((c) => c !== m.id))} /> {m.id}
                  </label>
                ))}
              </div>
              {chosen.map((id) => {
                const m = catalogue.find((c) => c.id === id);
                return m && <OptionForm method={m} fields={fields[id] ?? {}} layers={model.layers} onChange={(f) => setFields({ ...fields, [id]: f })} />;
              })}
              <label><input type="checkbox" name="card" checked={card} onChange={(e) => setCard((e.target as HTMLInputElement).checked)} /> report card (deletion AUC, infidelity, max-sensitivity)</label>
              <div class="buttons">
                <button type="button" id="run" disabled={job !== undefined || !chosen.length || !picked.length} onClick={run}>Explain</button>
                <button type="button" id="cancel" disabled={job === undefined} onClick={() => job !== undefined && compute.cancel(job)}>Cancel</button>
              </div>
              {progress ? <progress max={progress.total} value={progress.done} title={`${progress.method}: ${progress.done} of ${progress.total}`} />
                : job !== undefined && <progress class="running" title="running (progress comes per batch)" />}
            </>
          )}
          {server.server && catalogue.length > 0 && <ServerPanel info={server} catalogue={catalogue} onResult={(r, req) => void onServerResult(r, req)} onStatus={setStatus} onError={setError} />}
          <h2>Or: CLI output</h2>
          <label>explanation .json files <input type="file" multiple accept=".json" name="json" onChange={onJson} /></label>
          <label title="lumen examples --data bundled:… names dataset rows; show them in its galleries">example rows from <select name="rows" value={rows?.name ?? ''} onChange={(e) => onRows((e.target as HTMLSelectElement).value)}>
            <option value="">— (row numbers only)</option>
            {rowNames.map((n) => <option value={n}>{n}</option>)}
          </select></label>
        </aside>
        <section class="results">
          {shown.length > 0 && (
            <div class="audience">
              <label><input type="radio" name="audience" checked={audience === 'summary'} onChange={() => setAudience('summary')} /> summary</label>
              <label><input type="radio" name="audience" checked={audience === 'expert'} onChange={() => setAudience('expert')} /> expert</label>
              <ExportButtons shown={shown} />
            </div>
          )}
          <div id="views">
            {audience === 'summary' ? <SummaryView shown={shown} /> : <ExplanationView shown={shown} rows={rows} compare={(a, b) => compute.compare(a, b)} />}
          </div>
        </section>
      </main>
    </div>
  );
}

function resultsToShown(results: readonly RunResult[], input: { data: number[]; shape: number[] }, set: SampleSet, picked: readonly number[], model: ModelInfo): Shown[] {
  const names = model.classNames;
  return results.map((r) => ({
    explanation: { ...r.explanation, ...(set.featureNames ? { featureNames: set.featureNames } : {}) },
    source: 'this page',
    inputs: input,
    rowLabels: picked.map((i) => set.labels[i]!),
    predictions: r.predictions.map((p) => names?.[p] ?? String(p)),
    classNames: names,
    tokens: set.tokens ? picked.map((i) => set.tokens![i]!) : undefined,
    featureValues: set.kind === 'tabular' ? picked.map((i) => set.data.slice(i * set.shape[0]!, (i + 1) * set.shape[0]!)) : undefined,
    card: r.card,
    ms: r.ms,
  }));
}
