/**
 * bundled:spam-decoder against the PyTorch numbers scripts/train-text-decoder.py wrote into its
 * meta.json (float64 on the trained weights): the ONNX import's logits, greedy generation, and the
 * generation attributions (feature ablation over words; layer IG on the embeddings, 50
 * Gauss–Legendre steps, as Captum's LLMGradientAttribution).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { greedyGenerate } from '../../src/attribution/generation/greedy-generate.js';
import { llmAttribution } from '../../src/attribution/generation/llm-attribution.js';
import { llmGradientAttribution } from '../../src/attribution/generation/llm-gradient-attribution.js';
import { useBackend } from '../../src/engine/backend.js';
import { bundledModelDir, loadBundledOnnx, loadBundledVocabulary } from '../../src/models/bundled.js';
import { encodeText } from '../../src/text/vocabulary.js';

interface Reference {
  prompts: string[];
  probeIds: number[];
  generation: { prompt: number[]; generated: number[]; words: string[] }[];
  logits: { ids: number[]; probe: number[][]; logSumExp: number[] }[];
  featureAblation: number[][][];
  layerIntegratedGradients: number[][][];
}

function close(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs PyTorch ${b}`);
}

test('bundled:spam-decoder: the committed ONNX file is the one meta.json names; its import reproduces PyTorch logits, greedy continuations and the generation attributions', async () => {
  await useBackend();
  const { model, meta } = await loadBundledOnnx('spam-decoder');
  const ref = meta.reference as unknown as Reference;
  try {
    const bytes = readFileSync(path.join(bundledModelDir('spam-decoder'), meta.file ?? ''));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), meta.sha256);
    const kinds = new Set(model.layers.map((l) => l.kind));
    for (const op of ['MatMul', 'Softmax', 'Erf', 'Gather', 'Where']) assert.ok(kinds.has(op), `the import runs ${op}`);
    assert.deepEqual([...model.outputShape], meta.outputShape);
    const vocabulary = await loadBundledVocabulary('spam-decoder');
    assert.ok(vocabulary && vocabulary.tokens.length === meta.outputShape![1]);
    // the prompts through Lumen's tokenizer are the ids PyTorch used
    ref.prompts.forEach((text, i) => {
      const enc = encodeText(vocabulary, text, meta.inputShape[0]!);
      assert.deepEqual(Array.from(enc.ids.slice(0, enc.length)), ref.generation[i]!.prompt);
    });
    // logits: probe ids at every position, and every row's log-sum-exp (all V logits)
    const x = tf.tensor2d(ref.logits.map((r) => r.ids));
    const out = await model.predict(x);
    const lse = (await tf.tidy(() => tf.logSumExp(out, -1)).array()) as number[][];
    const all = (await out.array()) as number[][][];
    tf.dispose([x, out]);
    ref.logits.forEach((r, i) => r.logSumExp.forEach((v, t) => {
      close(lse[i]![t]!, v, 1e-4, `log-sum-exp [${i}, ${t}]`);
      r.probe[t]!.forEach((p, j) => close(all[i]![t]![ref.probeIds[j]!]!, p, 1e-4, `logit [${i}, ${t}, ${ref.probeIds[j]}]`));
    }));
    const prompts = ref.generation.map((g) => g.prompt);
    const generated = await greedyGenerate(model, prompts, { maxNewTokens: ref.generation[0]!.generated.length, suppressIds: [0, 1] });
    assert.deepEqual(generated, ref.generation.map((g) => g.generated));
    const before = tf.memory().numTensors;
    for (let i = 0; i < prompts.length; i++) {
      const fa = await llmAttribution(model, prompts[i]!, generated[i]!);
      fa.tokenAttribution.forEach((row, k) => row.forEach((v, j) => close(v, ref.featureAblation[i]![k]![j]!, 1e-4, `feature ablation ${i} [${k}][${j}]`)));
    }
    // layer IG per step is independent of the later steps: the first two generated tokens of the second prompt
    const ig = await llmGradientAttribution(model, prompts[1]!, generated[1]!.slice(0, 2), { layer: meta.embeddingLayer!, steps: 50 });
    ig.tokenAttribution.forEach((row, k) => row.forEach((v, j) => close(v, ref.layerIntegratedGradients[1]![k]![j]!, 2e-4, `layer IG [${k}][${j}]`)));
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  } finally {
    model.dispose();
  }
});
