/**
 * Parity builders of the token-model fixtures (wave-2 families `text` and `attention`,
 * test/fixtures/wave2/TEXT.md). Their entries name Captum classes with their own conventions
 * (attribution on the embedding layer's output, token sums, per-row Shapley masks), so they have
 * builders of their own, chosen by the fixture's family. Every result key an entry records is
 * compared, one after the other; convergence deltas are checked apart, against their absolute
 * tolerance (1e-5), and fail the entry when off.
 */
import * as tf from '@tensorflow/tfjs';
import { attentionRolloutMatrices } from '../../attribution/attention/attention-rollout.js';
import { pooledTokenRelevance } from '../../attribution/attention/attention-relevance.js';
import { gradientAttentionMatrices } from '../../attribution/attention/gradient-attention.js';
import { LumenError } from '../../core/errors.js';
import { localMethodById } from '../../methods.js';
import { fixtureArray, type Fixture, type FixtureEntry, type FixtureValue } from '../../models/fixture.js';
import { tokenAttribution } from '../../text/token-attribution.js';
import type { CaseBuilder, ParityCase } from '../case.js';

/** Absolute tolerance of recorded convergence deltas (TEXT.md: `atol 1e-5`). */
const DELTA_ATOL = 1e-5;

type Call = Readonly<Record<string, unknown>>;

function callOf(entry: FixtureEntry): Call {
  return (entry.call ?? {}) as Call;
}

function resultOf(entry: FixtureEntry): Readonly<Record<string, FixtureValue>> {
  return (entry.result ?? {}) as Readonly<Record<string, FixtureValue>>;
}

/** The recorded numbers of `keys`, flattened one after the other (null when a key is missing). */
function recorded(entry: FixtureEntry, keys: readonly string[]): number[] | null {
  const result = resultOf(entry);
  if (!keys.every((k) => result[k] !== undefined)) return null;
  return keys.flatMap((k) => Array.from(fixtureArray(result[k]).data));
}

/** The layer a Captum Layer* constructor hooks (`model.embedding` → 'embedding'). */
function hookedLayer(entry: FixtureEntry): string | null {
  const layer = (entry.constructor as unknown as Call | undefined)?.layer;
  const m = typeof layer === 'string' ? /^model\.(.+)$/.exec(layer) : null;
  return m ? m[1] : null;
}

/** Whether Captum's forward function took the embedding output (`model.forward_emb`) rather than ids. */
function onEmbeddings(entry: FixtureEntry): boolean {
  const forward = (entry.constructor as unknown as Call | undefined)?.forward_func;
  return typeof forward === 'string' && forward.includes('forward_emb');
}

/** The embedding layer of a token fixture: the layer its Layer* entries hook, else 'embedding'. */
function embeddingLayer(fixture: Fixture): string {
  for (const e of fixture.json.entries ?? []) {
    const layer = hookedLayer(e);
    if (layer) return layer;
  }
  return 'embedding';
}

function targetOf(call: Call): number[] | undefined {
  return Array.isArray(call.target) ? (call.target as number[]) : undefined;
}

/** Flattened values of tensors, one after the other; disposes them. */
async function flat(tensors: readonly tf.Tensor[]): Promise<number[]> {
  const out: number[] = [];
  for (const t of tensors) out.push(...(await t.data()));
  tf.dispose([...tensors]);
  return out;
}

function checkDelta(entry: FixtureEntry, got: readonly number[] | undefined): void {
  const want = resultOf(entry).convergence_delta;
  if (want === undefined) return;
  const ref = Array.from(fixtureArray(want).data);
  const err = got && got.length === ref.length ? Math.max(...ref.map((v, i) => Math.abs(v - got[i]))) : Infinity;
  if (!(err <= DELTA_ATOL)) throw new LumenError('numeric', `${entry.id}: convergence delta differs from the reference by ${err} (absolute tolerance ${DELTA_ATOL})`);
}

/** A registry method on the embedding layer, compared as [attribution, token sums] (or saliency's token norms). */
function onEmbeddingLayer(method: string, extra: (call: Call) => Readonly<Record<string, unknown>>, norms = false): CaseBuilder {
  return (entry, _kw, fixture) => {
    const keys = norms ? ['attribution', 'token_l1', 'token_l2'] : ['attribution', 'token_attribution'];
    const reference = recorded(entry, keys);
    if (!reference) return null;
    const call = callOf(entry);
    return {
      method,
      reference,
      compute: async () => {
        const layer = hookedLayer(entry) ?? embeddingLayer(fixture);
        const a = await localMethodById(method).run(fixture.model, fixture.inputs, { layer, target: targetOf(call), ...extra(call) });
        try {
          checkDelta(entry, a.meta.delta);
          const tokens = norms ? [tokenAttribution(a.values, 'l1'), tokenAttribution(a.values, 'l2')] : [tokenAttribution(a.values, 'sum')];
          return await flat([a.values.clone(), ...tokens]);
        } finally {
          a.dispose();
        }
      },
    } satisfies ParityCase;
  };
}

/**
 * Token occlusion: Captum ablates each token on the ids (UNK baseline) or on the embedding output
 * (baseline 0.0). The latter equals replacing the id by PAD, whose embedding row is zero — checked
 * here on the model itself — so both run as feature ablation over token positions of the ids.
 */
const tokenOcclusion: CaseBuilder = (entry, _kw, fixture) => {
  const embedded = onEmbeddings(entry);
  const reference = recorded(entry, embedded ? ['attribution', 'token_attribution'] : ['token_attribution']);
  if (!reference) return null;
  const call = callOf(entry);
  const pad = fixtureVocab(fixture).pad;
  const unk = fixtureVocab(fixture).unk;
  if (!embedded && !(typeof call.baselines === 'string' && call.baselines.includes('UNK'))) return null;
  return {
    method: 'feature-ablation',
    reference,
    compute: async () => {
      const layer = embeddingLayer(fixture);
      if (embedded) await checkPadRowZero(fixture, layer, pad);
      const baseline = embedded ? pad : tf.tidy(() => tf.where(tf.equal(fixture.inputs, pad), tf.fill(fixture.inputs.shape, pad), tf.fill(fixture.inputs.shape, unk)));
      try {
        const a = await localMethodById('feature-ablation').run(fixture.model, fixture.inputs, { target: targetOf(call), baseline, featureMask: 'tokens', batchSize: 1 });
        try {
          if (!embedded) return await flat([a.values.clone()]);
          const width = fixture.model.layers.find((l) => l.name === layer)?.outputShape.at(-1) as number;
          return await flat([tf.tidy(() => a.values.expandDims(-1).tile([1, 1, width])), a.values.clone()]);
        } finally {
          a.dispose();
        }
      } finally {
        if (baseline instanceof tf.Tensor) baseline.dispose();
      }
    },
  };
};

/** Exact Shapley values per recorded row, with the row's feature mask (PAD positions one null player). */
const tokenShapley: CaseBuilder = (entry, _kw, fixture) => {
  const reference = recorded(entry, ['token_attribution']);
  const call = callOf(entry);
  const rows = call.rows as number[] | undefined;
  const masks = call.feature_mask as Readonly<Record<string, number[]>> | undefined;
  if (!reference || !Array.isArray(rows) || !masks || call.baselines !== fixtureVocab(fixture).pad) return null;
  return {
    method: 'shapley-values',
    reference,
    compute: async () => {
      const targets = targetOf(call) ?? [];
      const out: number[] = [];
      for (const [i, row] of rows.entries()) {
        const x = fixture.inputs.slice(row, 1);
        const mask = tf.tensor([masks[String(row)]], undefined, 'int32');
        try {
          const a = await localMethodById('shapley-values').run(fixture.model, x, { target: [targets[i]], baseline: 0, featureMask: mask });
          out.push(...(await a.values.data()));
          a.dispose();
        } finally {
          tf.dispose([x, mask]);
        }
      }
      return out;
    },
  };
};

const rollout: CaseBuilder = (entry, _kw, fixture) => {
  const reference = recorded(entry, ['rollout', 'pooled_token_relevance', 'rollout_without_residual']);
  const call = callOf(entry);
  if (!reference || call.head_fusion !== 'mean' || call.discard_ratio !== 0) return null;
  return {
    method: 'attention-rollout',
    reference,
    compute: async () => {
      const withResidual = await attentionRolloutMatrices(fixture.model, fixture.inputs, {});
      const without = await attentionRolloutMatrices(fixture.model, fixture.inputs, { residual: false });
      return flat([withResidual.rollout, pooledTokenRelevance(withResidual.rollout, 'first'), without.rollout]);
    },
  };
};

const chefer: CaseBuilder = (entry, _kw, fixture) => {
  const reference = recorded(entry, ['relevance', 'pooled_token_relevance']);
  if (!reference) return null;
  return {
    method: 'gradient-attention',
    reference,
    compute: async () => {
      const { relevance } = await gradientAttentionMatrices(fixture.model, fixture.inputs, { target: fixture.targets });
      return flat([relevance, pooledTokenRelevance(relevance, 'first')]);
    },
  };
};

/** PAD and UNK ids of a token fixture's vocabulary (0 and 1 unless it says otherwise). */
function fixtureVocab(fixture: Fixture): { pad: number; unk: number } {
  const vocab = (fixture.json.vocab ?? {}) as { pad_id?: number; unk_id?: number };
  return { pad: vocab.pad_id ?? 0, unk: vocab.unk_id ?? 1 };
}

/** Fails the entry unless the PAD token's embedding is all zeros (what makes PAD ids equal a zero embedding baseline). */
async function checkPadRowZero(fixture: Fixture, layer: string, pad: number): Promise<void> {
  const ids = tf.fill([1, fixture.model.inputShape[0]], pad);
  const e = tf.tidy(() => fixture.model.run(ids, { capture: [layer] }).captured[layer].abs().max());
  const most = (await e.data())[0];
  tf.dispose([ids, e]);
  if (most !== 0) throw new LumenError('numeric', `token occlusion on embeddings needs a zero PAD embedding; '${layer}' maps PAD to values up to ${most}`);
}

/** Captum classes and reference functions of the token fixtures → Lumen calls. */
export const TOKEN_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'captum.attr.LayerIntegratedGradients': onEmbeddingLayer('integrated-gradients', (call) => ({
    baseline: 0,
    steps: Number(call.n_steps ?? 50),
    rule: call.method === 'gausslegendre' || call.method === undefined ? 'gauss-legendre' : String(call.method),
  })),
  'captum.attr.LayerGradientXActivation': onEmbeddingLayer('input-x-gradient', () => ({})),
  'captum.attr.Saliency': onEmbeddingLayer('saliency', (call) => ({ mode: call.abs === false ? 'signed' : 'absolute' }), true),
  'captum.attr.FeatureAblation': tokenOcclusion,
  'captum.attr.ShapleyValues': tokenShapley,
  'rollout in gen_text.py (torch)': rollout,
  'chefer in gen_text.py (torch autograd for the gradients)': chefer,
};
