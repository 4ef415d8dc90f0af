/** Registry entries of the class-activation-map family (read by src/methods.ts). */
import type { LocalMethodInfo, OptionSpec } from '../../core/method-info.js';
import { classActivationMap, type ClassActivationMapOptions } from './class-activation-map.js';
import { CAM_UPSAMPLE_MODES } from './feature-maps.js';
import { gradCam, type GradCamOptions } from './grad-cam.js';
import { gradCamPlusPlus, type GradCamPlusPlusOptions } from './grad-cam-plus-plus.js';
import { guidedGradCam, type GuidedGradCamOptions } from './guided-grad-cam.js';
import { layerCam, type LayerCamOptions } from './layer-cam.js';
import { scoreCam, type ScoreCamOptions } from './score-cam.js';

const upsampleOption: OptionSpec = {
  name: 'upsample',
  type: 'enum',
  values: CAM_UPSAMPLE_MODES,
  default: 'bilinear',
  doc: "resize the map to the input ('none' keeps the layer's resolution)",
};

/** The fields every CAM entry shares; each entry states only what is its own. */
function camEntry(entry: Omit<LocalMethodInfo, 'family' | 'scope' | 'needsGradients' | 'layer' | 'inputKinds' | 'completeness'> & Partial<Pick<LocalMethodInfo, 'needsGradients'>>): LocalMethodInfo {
  return { family: 'cam', scope: 'local', needsGradients: true, layer: 'optional', inputKinds: ['image'], completeness: false, ...entry };
}

/** The CAM family's methods, in the order the README lists them. */
export const CAM_METHODS: readonly LocalMethodInfo[] = [
  camEntry({
    id: 'cam',
    title: 'CAM',
    paper: 'Zhou et al., Learning Deep Features for Discriminative Localization, 2016',
    summary: 'feature maps before global average pooling weighted by the class weights of the dense layer after it',
    options: [upsampleOption],
    run: (m, x, o) => classActivationMap(m, x, o as ClassActivationMapOptions),
  }),
  camEntry({
    id: 'grad-cam',
    title: 'Grad-CAM',
    paper: 'Selvaraju et al., Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization, 2017',
    summary: 'feature maps weighted by their spatially averaged gradients, ReLU, resized to the input',
    options: [{ name: 'relu', type: 'boolean', default: true, doc: 'keep only positive evidence' }, upsampleOption],
    run: (m, x, o) => gradCam(m, x, o as GradCamOptions),
  }),
  camEntry({
    id: 'grad-cam-plus-plus',
    title: 'Grad-CAM++',
    paper: 'Chattopadhyay et al., Grad-CAM++: Improved Visual Explanations for Deep Convolutional Networks, 2018',
    summary: 'Grad-CAM with per-location weights α from higher-order gradients, for several instances of a class',
    options: [upsampleOption],
    run: (m, x, o) => gradCamPlusPlus(m, x, o as GradCamPlusPlusOptions),
  }),
  camEntry({
    id: 'guided-grad-cam',
    title: 'Guided Grad-CAM',
    paper: 'Selvaraju et al., Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization, 2017',
    summary: 'guided backpropagation times the upsampled Grad-CAM: fine-grained and class-discriminative',
    options: [{ name: 'upsample', type: 'enum', values: ['nearest', 'bilinear'], default: 'nearest', doc: 'how the Grad-CAM is resized to the input' }],
    run: (m, x, o) => guidedGradCam(m, x, o as GuidedGradCamOptions),
  }),
  camEntry({
    id: 'score-cam',
    title: 'Score-CAM',
    needsGradients: false,
    paper: 'Wang et al., Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks, 2020',
    summary: 'feature maps weighted by the softmax of the target score on the input masked by each map: forward passes and captured activations, no gradients (models that expose layers, differentiable or not)',
    options: [upsampleOption],
    run: (m, x, o) => scoreCam(m, x, o as ScoreCamOptions),
  }),
  camEntry({
    id: 'layer-cam',
    title: 'Layer-CAM',
    paper: 'Jiang et al., LayerCAM: Exploring Hierarchical Class Activation Maps for Localization, 2021',
    summary: 'feature maps weighted location by location by their positive gradients, ReLU',
    options: [upsampleOption],
    run: (m, x, o) => layerCam(m, x, o as LayerCamOptions),
  }),
];
