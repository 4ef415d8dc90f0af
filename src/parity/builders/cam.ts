/** Parity builders of the CAM family: Captum's LayerGradCam (plain and interpolated) and GuidedGradCam → Lumen calls. */
import type { FixtureEntry } from '../../models/fixture.js';
import type { CaseBuilder, ParityCase } from '../case.js';
import { targetOf } from './gradient.js';

/** The layer a CAM entry names: the entry's `layer`, else its constructor's. */
function camLayer(entry: FixtureEntry): string | undefined {
  if (typeof entry.layer === 'string') return entry.layer;
  const ctor = entry.constructor as unknown;
  const layer = ctor && typeof ctor === 'object' ? (ctor as Record<string, unknown>).layer : undefined;
  return typeof layer === 'string' ? layer : undefined;
}

function gradCamCase(entry: FixtureEntry, kwargs: Readonly<Record<string, unknown>>): ParityCase | null {
  const layer = camLayer(entry);
  const post = entry.postprocess as { interpolate_mode?: unknown } | undefined;
  const mode = post?.interpolate_mode ?? 'none';
  if (!layer || kwargs.attribute_to_layer_input === true || kwargs.attr_dim_summation === false) return null;
  if (mode !== 'none' && mode !== 'nearest' && mode !== 'bilinear') return null;
  return { method: 'grad-cam', options: { target: targetOf(kwargs), layer, relu: kwargs.relu_attributions === true, upsample: mode } };
}

/** Captum's CAM classes (and the arguments Lumen understands) → Lumen methods. */
export const CAM_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'captum.attr.LayerGradCam': gradCamCase,
  'captum.attr.LayerGradCam + LayerAttribution.interpolate': gradCamCase,
  'captum.attr.GuidedGradCam': (entry, kwargs) => {
    const layer = camLayer(entry);
    const mode = kwargs.interpolate_mode ?? 'nearest';
    if (!layer || kwargs.attribute_to_layer_input === true || (mode !== 'nearest' && mode !== 'bilinear')) return null;
    return { method: 'guided-grad-cam', options: { target: targetOf(kwargs), layer, upsample: mode } };
  },
};
