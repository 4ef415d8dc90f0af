/** The sample inputs the build bundles (web/bundled-assets.ts writes samples.json), fetched once. */
export interface SampleSet {
  readonly model: string;
  readonly kind: 'image' | 'tabular' | 'text';
  readonly shape: readonly number[];
  readonly labels: readonly string[];
  readonly data: readonly number[];
  readonly featureNames?: readonly string[];
  readonly tokens?: readonly (readonly string[])[];
}

let cache: Promise<SampleSet[]> | undefined;

export function loadSamples(): Promise<SampleSet[]> {
  cache ??= fetch(new URL('samples.json', document.baseURI)).then((r) => {
    if (!r.ok) throw new Error(`samples.json: HTTP ${r.status}`);
    return r.json() as Promise<SampleSet[]>;
  });
  return cache;
}

/** The rows `picked` of a sample set as one batch `[k, ...shape]`. */
export function batchOf(set: SampleSet, picked: readonly number[]): { data: number[]; shape: number[] } {
  const size = set.shape.reduce((a, b) => a * b, 1);
  return { data: picked.flatMap((i) => set.data.slice(i * size, (i + 1) * size)), shape: [picked.length, ...set.shape] };
}
