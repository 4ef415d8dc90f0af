/**
 * Parity builders of the semantics fixture (google/svcca, scikit-learn's LogisticRegression and
 * Kornblith et al.'s CKA on an MLP's recorded layer activations). The reference calls take the
 * recorded `activations` as their input, so the cases do too: the numbers compared are the
 * similarity functions' own, independent of the loader (the capture of those activations from the
 * model is tested apart, test/concepts/). Probe coefficients are checked against the recorded exact
 * optimum at 1e-4 before the accuracies are compared exactly.
 */
import { LumenError } from '../../core/errors.js';
import { activationMatrix, type ActivationMatrix } from '../../concepts/activation-matrix.js';
import { canonicalCorrelations } from '../../concepts/cca.js';
import { linearCkaMatrix } from '../../concepts/linear-cka.js';
import { accuracy, fitLogisticRegression, predictClasses } from '../../concepts/logistic-regression.js';
import { svcca } from '../../concepts/svcca.js';
import { fixtureArray, type FixtureEntry, type FixtureValue } from '../../models/fixture.js';
import type { Fixture } from '../../models/fixture.js';
import type { ParityCase } from '../case.js';
import { checkClose } from './check-close.js';

function layerOf(fx: Fixture, layer: string, heldout = false): ActivationMatrix {
  const table = fx.json[heldout ? 'activations_heldout' : 'activations'] as Readonly<Record<string, FixtureValue>> | undefined;
  const v = table?.[layer];
  if (!v) throw new LumenError('file', `semantics fixture: no recorded activations for layer '${layer}'`);
  const a = fixtureArray(v);
  return activationMatrix(Float64Array.from(a.data), [a.shape[0], a.shape[1]]);
}

const flat = (v: FixtureValue): number[] => Array.from(fixtureArray(v).data);

interface CcaRecord { readonly cca_coefficients: FixtureValue; readonly mean?: number; readonly svcca_mean?: number }

/** The case of one semantics entry, chosen by its id's prefix, or null. */
export function conceptsCase(entry: FixtureEntry, fx: Fixture): ParityCase | null {
  const id = entry.id;
  const result = entry.result as Record<string, unknown> | undefined;
  if (!result) return null;
  if (id.startsWith('linear_cka')) {
    const names = result.layers as string[];
    return { method: 'linear-cka', reference: flat(result.cka as FixtureValue), compute: async () => linearCkaMatrix(names.map((n) => layerOf(fx, n))).flat() };
  }
  if (id.startsWith('svcca_') || id.startsWith('cca_')) {
    const [a, b] = entry.layers as [string, string];
    const r = result as unknown as CcaRecord;
    const isSvcca = id.startsWith('svcca_');
    const mean = isSvcca ? r.svcca_mean : r.mean;
    if (typeof mean !== 'number') return null;
    return {
      method: isSvcca ? 'svcca' : 'cca',
      reference: [...flat(r.cca_coefficients), mean],
      compute: async () => {
        const out = isSvcca
          ? svcca(layerOf(fx, a), layerOf(fx, b), { keepDims: entry.keep_dims as number, epsilon: 1e-10 })
          : canonicalCorrelations(layerOf(fx, a), layerOf(fx, b), { epsilon: 1e-10 });
        return [...out.coefficients, out.mean];
      },
    };
  }
  if (id.startsWith('linear_probe_')) {
    const layer = id.slice('linear_probe_'.length);
    const ctor = entry['constructor'] as unknown as Readonly<Record<string, unknown>>;
    const exact = entry.exact_optimum as { coef: FixtureValue; intercept: FixtureValue } | undefined;
    const teacher = fx.json.teacher as { y: number[]; y_heldout: number[] } | undefined;
    if (!exact || !teacher || ctor.penalty !== 'l2' || ctor.fit_intercept !== true) return null;
    return {
      method: 'linear-probe',
      reference: [result.train_accuracy as number, result.heldout_accuracy as number, ...(result.heldout_pred as number[])],
      compute: async () => {
        const train = layerOf(fx, layer);
        const held = layerOf(fx, layer, true);
        const probe = fitLogisticRegression(train, teacher.y, { C: ctor.C as number, tolerance: 1e-12 });
        checkClose(`${id} coef and intercept vs the exact optimum`, [...probe.coef.flat(), ...probe.intercept], [...flat(exact.coef), ...flat(exact.intercept)], 1e-4);
        const got = [accuracy(probe, train, teacher.y), accuracy(probe, held, teacher.y_heldout), ...predictClasses(probe, held)];
        // Accuracies and predictions are discrete: exact, whatever the entry's coefficient tolerance.
        checkClose(`${id} accuracies and held-out predictions`, got, [result.train_accuracy as number, result.heldout_accuracy as number, ...(result.heldout_pred as number[])], 0);
        return got;
      },
    };
  }
  return null;
}
