/**
 * ONNX backend node tests of supported ops that Lumen does not run, each with the reason. A test
 * belongs here only when the feature it checks is outside what Lumen imports (a dtype tfjs lacks,
 * training-mode behaviour, a rank or output Lumen rejects at load with a LumenError); everything
 * else must pass. `lumen onnx-conformance --verbose` lists them as "excluded" with these reasons.
 */
const threeD = 'Lumen imports 1-D and 2-D convolutions and pools; a 3-D one is a LumenError at load';
const training = 'training-mode behaviour (batch statistics, random dropout); Lumen imports models for inference';
const strings = 'string tensors: tfjs has no string arithmetic and Lumen explains numeric models';
const bfloat16 = 'tfjs has no bfloat16: Lumen reads bfloat16 weights as float32 and does not round to it (the test data also stores the bfloat16 input as uint16 bit patterns)';
const notTensor = 'the input is an ONNX optional / sequence value, not a tensor; Lumen imports tensor graphs only';

/** Excluded node tests (folder name → reason). */
export const ONNX_CONFORMANCE_EXCLUSIONS: Readonly<Record<string, string>> = {
  test_averagepool_3d_default: threeD,
  test_maxpool_3d_default: threeD,
  test_convtranspose_3d: threeD,
  test_batchnorm_epsilon_training_mode: training,
  test_batchnorm_example_training_mode: training,
  test_training_dropout: training,
  test_training_dropout_default: training,
  test_training_dropout_default_mask: training,
  test_training_dropout_mask: training,
  test_training_dropout_zero_ratio: training,
  test_training_dropout_zero_ratio_mask: training,
  test_cast_FLOAT_to_STRING: strings,
  test_cast_STRING_to_FLOAT: strings,
  test_castlike_FLOAT_to_STRING_expanded: strings,
  test_castlike_STRING_to_FLOAT_expanded: strings,
  test_cast_BFLOAT16_to_FLOAT: bfloat16,
  test_cast_FLOAT_to_BFLOAT16: bfloat16,
  test_castlike_BFLOAT16_to_FLOAT_expanded: bfloat16,
  test_castlike_FLOAT_to_BFLOAT16_expanded: bfloat16,
  test_identity_opt: notTensor,
  test_identity_sequence: notTensor,
  test_maxpool_with_argmax_2d_precomputed_pads: 'the Indices output of MaxPool (flat argmax positions) is not imported: it is a LumenError at load; the values output alone passes',
  test_maxpool_with_argmax_2d_precomputed_strides: 'the Indices output of MaxPool (flat argmax positions) is not imported: it is a LumenError at load; the values output alone passes',
  test_resize_tf_crop_and_resize: "coordinate_transformation_mode 'tf_crop_and_resize' (a region of interest and an extrapolation value) is not imported: a LumenError at load",
};
