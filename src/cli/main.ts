#!/usr/bin/env node
import { Command } from 'commander';
import { failureReport } from './failure-report.js';
import { registerMethods } from './methods.js';
import { registerParity } from './parity.js';
import { registerPredict } from './predict.js';
import { registerExplain } from './explain.js';
import { registerDemo } from './demo.js';
import { registerOnnxConformance } from './onnx-conformance.js';
import { registerEvaluate } from './evaluate.js';
import { registerBenchmark } from './benchmark.js';
import { registerRules } from './rules.js';
import { registerPdp } from './pdp.js';
import { registerAnchors } from './anchors.js';
import { registerCounterfactual } from './counterfactual.js';
import { registerExamples } from './examples.js';
import { registerQueue } from './queue.js';
import { registerWorker } from './worker.js';
import { registerFairness } from './fairness.js';
import { registerVisualize } from './visualize.js';
import { registerDissect } from './dissect.js';
import { registerAttack } from './attack.js';
import { registerRobustness } from './robustness.js';
import { registerServe } from './serve.js';
import { registerTcav } from './tcav.js';
import { registerSimilarity } from './similarity.js';
import { registerGenerateExplain } from './generate-explain.js';

const program = new Command();
program
  .name('lumen')
  .description('Lumen: explain neural networks — attributions with Captum parity, on TensorFlow.js and ONNX models')
  .option('--backend <name>', 'tfjs backend: wasm (default), cpu, or tensorflow when @tensorflow/tfjs-node is installed')
  .option('--debug', 'print the stack trace of an unexpected error')
  .exitOverride();

// `lumen predict --json | head`: a closed pipe ends the output quietly instead of crashing with EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

registerMethods(program);
registerPredict(program);
registerExplain(program);
registerGenerateExplain(program);
registerParity(program);
registerDemo(program);
registerOnnxConformance(program);
registerEvaluate(program);
registerBenchmark(program);
registerRules(program);
registerPdp(program);
registerAnchors(program);
registerCounterfactual(program);
registerExamples(program);
registerQueue(program);
registerWorker(program);
registerFairness(program);
registerVisualize(program);
registerDissect(program);
registerAttack(program);
registerRobustness(program);
registerServe(program);
registerTcav(program);
registerSimilarity(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const report = failureReport(e, process.argv.slice(2));
  if (report.text) process.stderr.write(report.text);
  process.exitCode = report.exitCode;
}
