/** The metric registry: every metric once, with what it needs, read by `lumen evaluate` and the parity builders. */
import type * as tf from '@tensorflow/tfjs';
import { LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { aopc } from './aopc.js';
import { attributionLocalisation } from './attribution-localisation.js';
import { avgSensitivity } from './avg-sensitivity.js';
import { complexity } from './complexity.js';
import { completeness } from './completeness.js';
import { continuity } from './continuity.js';
import { deletion } from './deletion.js';
import { effectiveComplexity } from './effective-complexity.js';
import { faithfulnessCorrelation } from './faithfulness-correlation.js';
import { faithfulnessEstimate } from './faithfulness-estimate.js';
import { focus } from './focus.js';
import { infidelity } from './infidelity.js';
import { inputInvariance } from './input-invariance.js';
import { insertion } from './insertion.js';
import { irof } from './irof.js';
import { localLipschitz } from './local-lipschitz.js';
import { localisationAuc } from './localisation-auc.js';
import { maxSensitivity } from './max-sensitivity.js';
import { modelParameterRandomisation, type ParameterRandomizer } from './model-parameter-randomisation.js';
import { monotonicityArya } from './monotonicity-arya.js';
import { monotonicityNguyen } from './monotonicity-nguyen.js';
import { nonSensitivity } from './non-sensitivity.js';
import { pixelFlipping } from './pixel-flipping.js';
import { pointingGame } from './pointing-game.js';
import { randomLogit } from './random-logit.js';
import { regionPerturbation } from './region-perturbation.js';
import { relativeInputStability } from './relative-input-stability.js';
import { relativeOutputStability } from './relative-output-stability.js';
import { relativeRepresentationStability } from './relative-representation-stability.js';
import { relevanceMassAccuracy } from './relevance-mass-accuracy.js';
import { relevanceRankAccuracy } from './relevance-rank-accuracy.js';
import type { AttributionSource, MetricDirection, MetricOptions, MetricResult } from './result.js';
import { road } from './road.js';
import { selectivity } from './selectivity.js';
import { sensitivityN } from './sensitivity-n.js';
import { sparseness } from './sparseness.js';
import { sufficiency } from './sufficiency.js';
import { topKIntersection } from './top-k-intersection.js';
import { dataRandomisation } from './data-randomisation.js';
import { kar } from './kar.js';
import { roar } from './roar.js';
import type { TrainingSet } from './retraining.js';

/** The six categories of Quantus (Hedström et al., JMLR 2023). */
export type MetricCategory = 'faithfulness' | 'robustness' | 'randomisation' | 'localisation' | 'complexity' | 'axiomatic';

/** What a metric needs besides the model and inputs. */
export type MetricNeed = 'attributions' | 'method' | 'masks' | 'randomizer' | 'quadrants' | 'training';

/** Options as the registry passes them: the shared base plus each metric's own, by name. */
export type MetricRunOptions = MetricOptions & {
  readonly masks?: tf.Tensor;
  readonly randomizer?: ParameterRandomizer;
  readonly quadrants?: readonly (readonly number[])[];
  /** For 'training' metrics: the architecture to retrain, its training set, and the inputs' labels. */
  readonly layersModel?: tf.LayersModel;
  readonly train?: TrainingSet;
  readonly labels?: ArrayLike<number>;
  readonly [key: string]: unknown;
};

/** A metric's metadata and entry point. */
export interface MetricInfo {
  readonly id: string;
  readonly title: string;
  readonly category: MetricCategory;
  readonly direction: MetricDirection;
  /** 'attributions': scores given attributions (or a method run once); 'method': re-runs the method. */
  readonly needs: readonly MetricNeed[];
  readonly paper: string;
  run(model: Model, input: tf.Tensor, subject: AttributionSource, options?: MetricRunOptions): Promise<MetricResult>;
}

type Run<S> = (model: Model, input: tf.Tensor, subject: S, options: never) => Promise<MetricResult>;

function entry<S extends AttributionSource>(
  id: string, title: string, category: MetricCategory, direction: MetricDirection, needs: readonly MetricNeed[], paper: string, fn: Run<S>,
): MetricInfo {
  const method = needs.includes('method');
  return {
    id, title, category, direction, needs, paper,
    run(model, input, subject, options = {}) {
      if (method && subject instanceof Object && 'values' in subject) {
        throw new LumenError('option', `${id}: re-runs the explanation method, so it needs a method (or registry id), not attributions`);
      }
      return (fn as unknown as (m: Model, x: tf.Tensor, s: AttributionSource, o: MetricRunOptions) => Promise<MetricResult>)(model, input, subject, options);
    },
  };
}

const A: readonly MetricNeed[] = ['attributions'];
const M: readonly MetricNeed[] = ['method'];
const L: readonly MetricNeed[] = ['attributions', 'masks'];

/** Every metric Lumen implements, by category. */
export const METRICS: readonly MetricInfo[] = [
  entry('pixel-flipping', 'Pixel flipping (AUC)', 'faithfulness', 'lower', A, 'Bach et al., PLoS ONE 2015', pixelFlipping),
  entry('region-perturbation', 'Region perturbation (AOPC, MoRF)', 'faithfulness', 'higher', A, 'Samek et al., IEEE TNNLS 2017', regionPerturbation),
  entry('selectivity', 'Selectivity (AUC)', 'faithfulness', 'lower', A, 'Montavon et al., DSP 2018', selectivity),
  entry('aopc', 'AOPC, MoRF − LeRF', 'faithfulness', 'higher', A, 'Samek et al., IEEE TNNLS 2017', aopc),
  entry('deletion', 'Deletion (AUC)', 'faithfulness', 'lower', A, 'Petsiuk et al., RISE, BMVC 2018', deletion),
  entry('insertion', 'Insertion (AUC)', 'faithfulness', 'higher', A, 'Petsiuk et al., RISE, BMVC 2018', insertion),
  entry('sensitivity-n', 'Sensitivity-n', 'faithfulness', 'higher', A, 'Ancona et al., ICLR 2018', sensitivityN),
  entry('faithfulness-correlation', 'Faithfulness correlation', 'faithfulness', 'higher', A, 'Bhatt et al., IJCAI 2020', faithfulnessCorrelation),
  entry('faithfulness-estimate', 'Faithfulness estimate', 'faithfulness', 'higher', A, 'Alvarez-Melis & Jaakkola, NeurIPS 2018', faithfulnessEstimate),
  entry('monotonicity-arya', 'Monotonicity (Arya)', 'faithfulness', 'higher', A, 'Arya et al., 2019', monotonicityArya),
  entry('monotonicity-nguyen', 'Monotonicity correlation (Nguyen)', 'faithfulness', 'higher', A, 'Nguyen & Martínez, 2020', monotonicityNguyen),
  entry('infidelity', 'Infidelity', 'faithfulness', 'lower', A, 'Yeh et al., NeurIPS 2019', infidelity),
  entry('irof', 'IROF', 'faithfulness', 'higher', A, 'Rieger & Hansen, 2020', irof),
  entry('road', 'ROAD (MoRF accuracy)', 'faithfulness', 'lower', A, 'Rong et al., ICML 2022', road),
  entry('sufficiency', 'Sufficiency', 'faithfulness', 'higher', A, 'Dasgupta et al., ICML 2022', sufficiency),
  entry('max-sensitivity', 'Max-sensitivity', 'robustness', 'lower', M, 'Yeh et al., NeurIPS 2019', maxSensitivity),
  entry('avg-sensitivity', 'Average sensitivity', 'robustness', 'lower', M, 'Yeh et al., NeurIPS 2019', avgSensitivity),
  entry('local-lipschitz', 'Local Lipschitz estimate', 'robustness', 'lower', M, 'Alvarez-Melis & Jaakkola, 2018', localLipschitz),
  entry('continuity', 'Continuity', 'robustness', 'lower', M, 'Montavon et al., DSP 2018', continuity),
  entry('relative-input-stability', 'Relative input stability', 'robustness', 'lower', M, 'Agarwal et al., 2022', relativeInputStability),
  entry('relative-output-stability', 'Relative output stability', 'robustness', 'lower', M, 'Agarwal et al., 2022', relativeOutputStability),
  entry('relative-representation-stability', 'Relative representation stability', 'robustness', 'lower', M, 'Agarwal et al., 2022', relativeRepresentationStability),
  entry('model-parameter-randomisation', 'Model parameter randomisation', 'randomisation', 'lower', ['method', 'randomizer'], 'Adebayo et al., NeurIPS 2018', modelParameterRandomisation),
  entry('random-logit', 'Random logit', 'randomisation', 'lower', M, 'Sixt et al., ICML 2020', randomLogit),
  entry('pointing-game', 'Pointing game', 'localisation', 'higher', L, 'Zhang et al., ECCV 2016', pointingGame),
  entry('attribution-localisation', 'Attribution localisation', 'localisation', 'higher', L, 'Kohlbrenner et al., IJCNN 2020', attributionLocalisation),
  entry('top-k-intersection', 'Top-k intersection', 'localisation', 'higher', L, 'Theiner et al., WACV 2022', topKIntersection),
  entry('relevance-mass-accuracy', 'Relevance mass accuracy', 'localisation', 'higher', L, 'Arras et al., 2022', relevanceMassAccuracy),
  entry('relevance-rank-accuracy', 'Relevance rank accuracy', 'localisation', 'higher', L, 'Arras et al., 2022', relevanceRankAccuracy),
  entry('localisation-auc', 'Localisation AUC', 'localisation', 'higher', L, 'Fawcett 2006', localisationAuc),
  entry('focus', 'Focus', 'localisation', 'higher', ['attributions', 'quadrants'], 'Arias-Duart et al., FUZZ-IEEE 2022', focus),
  entry('sparseness', 'Sparseness (Gini)', 'complexity', 'higher', A, 'Chalasani et al., ICML 2020', sparseness),
  entry('complexity', 'Complexity (entropy)', 'complexity', 'lower', A, 'Bhatt et al., IJCAI 2020', complexity),
  entry('effective-complexity', 'Effective complexity', 'complexity', 'lower', A, 'Nguyen & Martínez, 2020', effectiveComplexity),
  entry('completeness', 'Completeness gap', 'axiomatic', 'lower', A, 'Sundararajan et al., ICML 2017', completeness),
  entry('non-sensitivity', 'Non-sensitivity', 'axiomatic', 'lower', A, 'Nguyen & Martínez, 2020', nonSensitivity),
  entry('input-invariance', 'Input invariance', 'axiomatic', 'lower', M, 'Kindermans et al., 2019', inputInvariance),
  entry('roar', 'ROAR (mean accuracy, top pixels removed)', 'faithfulness', 'lower', ['attributions', 'training'], 'Hooker et al., NeurIPS 2019', roar),
  entry('kar', 'KAR (mean accuracy, top pixels kept)', 'faithfulness', 'higher', ['attributions', 'training'], 'Hooker et al., NeurIPS 2019', kar),
  entry('data-randomisation', 'Data randomisation', 'randomisation', 'lower', ['method', 'training'], 'Adebayo et al., NeurIPS 2018', dataRandomisation),
];

/** The metric registered under `id`; an unknown id is a LumenError listing the known ones. */
export function metricById(id: string): MetricInfo {
  const found = METRICS.find((m) => m.id === id);
  if (!found) throw new LumenError('option', `unknown metric '${id}'; Lumen implements ${METRICS.map((m) => m.id).join(', ')}`);
  return found;
}

