#!/usr/bin/env node
import { Command } from 'commander';
import { LumenError } from '../core/errors.js';
import { registerMethods } from './methods.js';
import { registerParity } from './parity.js';
import { registerPredict } from './predict.js';
import { registerExplain } from './explain.js';
import { registerDemo } from './demo.js';
import { registerOnnxConformance } from './onnx-conformance.js';
import { registerEvaluate } from './evaluate.js';
import { registerBenchmark } from './benchmark.js';

const program = new Command();
program
  .name('lumen')
  .description('Lumen: explain neural networks — attributions with Captum parity, on TensorFlow.js and ONNX models')
  .option('--backend <name>', 'tfjs backend: wasm (default), cpu, or tensorflow when @tensorflow/tfjs-node is installed');

registerMethods(program);
registerPredict(program);
registerExplain(program);
registerParity(program);
registerDemo(program);
registerOnnxConformance(program);
registerEvaluate(program);
registerBenchmark(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof LumenError) {
    process.stderr.write(`lumen: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
