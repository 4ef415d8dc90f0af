import { LumenError } from '../core/errors.js';
import type { JobSpec } from '../jobs/job-spec.js';
import type { PreparedJob } from '../jobs/run-worker.js';
import { loadDatasetSpec } from './dataset-spec.js';
import { loadModelSpec } from './load-model.js';
import { explainableMethod, parseMethodOptions, parseTarget } from './method-options.js';
import { modelSpecOptions } from './model-flags.js';
import { optionValues } from './option-values.js';

/**
 * Builds what a process needs to run a job's shards from its spec: loads the model and the dataset
 * by name, looks the method up and types its options as `lumen explain` does.
 */
export async function prepareJob(spec: JobSpec): Promise<PreparedJob> {
  const method = explainableMethod(spec.method);
  const options = optionValues(method, { ...parseMethodOptions(method, spec.options), ...(spec.layer ? { layer: spec.layer } : {}) });
  const loaded = await loadModelSpec(spec.model, modelSpecOptions({ outputKind: spec.outputKind, outputNode: spec.outputNode }));
  try {
    const dataset = loadDatasetSpec(spec.data, loaded.model.inputShape, spec.labelColumn ? { labelColumn: spec.labelColumn } : {});
    if (dataset.inputShape.join() !== loaded.model.inputShape.join()) {
      throw new LumenError('input', `--data ${spec.data}: rows of shape [${dataset.inputShape}]; the model takes [${loaded.model.inputShape}]`);
    }
    const target = spec.target === 'label' ? 'label' : parseTarget(spec.target, loaded.classNames);
    return { model: loaded.model, dataset, method, options, target, seed: spec.seed, batchSize: spec.batchSize, dispose: () => loaded.dispose() };
  } catch (e) {
    loaded.dispose();
    throw e;
  }
}
