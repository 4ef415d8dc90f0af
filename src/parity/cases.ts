import { methodById } from '../methods.js';
import type { Fixture, FixtureEntry } from '../models/fixture.js';
import { GRADIENT_BUILDERS } from './builders/gradient.js';
import { CAM_BUILDERS } from './builders/cam.js';
import { LAYER_BUILDERS } from './builders/layer.js';
import { PROPAGATION_BUILDERS } from './builders/propagation.js';
import { METRIC_BUILDERS } from './builders/metrics.js';
import { PERTURBATION_BUILDERS } from './builders/perturbation.js';
import { SURROGATE_BUILDERS } from './builders/surrogate.js';
import { LRP_BUILDERS } from './builders/lrp.js';
import { ADVERSARIAL_BUILDERS } from './builders/adversarial.js';
import { GLOBAL_BUILDERS } from './builders/global.js';
import { TOKEN_BUILDERS } from './builders/tokens.js';
import { RULES_BUILDERS } from './builders/rules.js';
import { EXAMPLES_BUILDERS } from './builders/examples.js';
import { conceptsCase } from './builders/concepts.js';
import { METRICS } from '../metrics/registry.js';
import { entryKey, type CaseBuilder, type ParityCase } from './case.js';

export type { CaseBuilder, ParityCase } from './case.js';

/** Every family's builders (one file each in `builders/`), keyed by Captum/Quantus class, `zennit`, or a wave-2 function/class. */
const builders: Readonly<Record<string, CaseBuilder>> = {
  ...GRADIENT_BUILDERS,
  ...PROPAGATION_BUILDERS,
  ...CAM_BUILDERS,
  ...LAYER_BUILDERS,
  ...METRIC_BUILDERS,
  ...PERTURBATION_BUILDERS,
  ...SURROGATE_BUILDERS,
  ...LRP_BUILDERS,
  ...ADVERSARIAL_BUILDERS,
  ...GLOBAL_BUILDERS,
  ...RULES_BUILDERS,
  ...EXAMPLES_BUILDERS,
};

/**
 * Builders of fixture families whose entries reuse library class names with conventions of their
 * own (token models: attribution on the embedding output, token sums); their entries use only these.
 */
const familyBuilders: Readonly<Record<string, Readonly<Record<string, CaseBuilder>>>> = {
  text: TOKEN_BUILDERS,
  attention: TOKEN_BUILDERS,
  semantics: { semantics: (entry, _kw, fixture) => conceptsCase(entry, fixture) },
};

/** The Lumen call that reproduces `entry`, or null when Lumen does not implement it yet. */
export function parityCase(entry: FixtureEntry, fixture: Fixture): ParityCase | null {
  // The semantics fixture's entries name no library class: its builder chooses by id.
  const key = fixture.json.family === 'semantics' ? 'semantics' : entryKey(entry);
  const table = familyBuilders[String(fixture.json.family)] ?? builders;
  const builder = key ? table[key] : undefined;
  if (!builder) return null;
  const found = builder(entry, entry.attribute_kwargs ?? {}, fixture);
  if (!found) return null;
  try {
    // A metric case names a registered metric; a method case a registered method.
    if (!('compute' in found && METRICS.some((m) => m.id === found.method))) methodById(found.method);
  } catch {
    return null;
  }
  return found;
}
