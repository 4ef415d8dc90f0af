import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { attackExplanation, type AttackResult } from '../adversarial/attack-result.js';
import { carliniWagnerL2 } from '../adversarial/carlini-wagner-l2.js';
import { DEFAULT_EPSILON, fgsm } from '../adversarial/fgsm.js';
import { pgd } from '../adversarial/pgd.js';
import { LumenError } from '../core/errors.js';
import type { AttackExplanation } from '../core/explanation.js';
import { writeFileAtomic } from '../data/io.js';
import { ATTACK_OUT_EXTENSIONS, attackOutput, attackText } from './attack-format.js';
import { withBackend } from './context.js';
import { addInputFlags, inputOptions, withLabels, type InputFlags } from './input-flags.js';
import { loadModelInput } from './load-input.js';
import { loadModelSpec } from './load-model.js';
import { parseTarget } from './method-options.js';
import { ENGINE_FLAG, modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG } from './model-flags.js';
import { parseIntegerFlag, parseNumberFlag } from './parse-number.js';
import path from 'node:path';

interface AttackFlags extends ModelFlags, InputFlags {
  model: string;
  input: string;
  method: string;
  eps?: string;
  norm: string;
  steps?: string;
  stepSize?: string;
  randomStart?: boolean;
  seed?: string;
  target?: string;
  label?: string;
  lower: string;
  upper: string;
  c?: string;
  kappa?: string;
  binarySearchSteps?: string;
  learningRate?: string;
  json?: boolean;
  out?: string;
}

const METHODS = ['fgsm', 'pgd', 'cw'] as const;

/** The classes of `--target`/`--label` (one, or one per example). */
function classesFlag(flag: string, text: string, classNames: readonly string[] | undefined): number | number[] {
  const t = parseTarget(text, classNames);
  if (typeof t === 'number' || Array.isArray(t)) return t as number | number[];
  throw new LumenError('option', `${flag}: expected a class index or name, or one per example; found '${text}'`);
}

/** Runs the chosen attack with the checked flags (the caller disposes the result). */
async function runAttack(flags: AttackFlags, model: Parameters<typeof fgsm>[0], x: tf.Tensor, classNames: readonly string[] | undefined): Promise<AttackResult> {
  const bounds = [parseNumberFlag('--lower', flags.lower), parseNumberFlag('--upper', flags.upper)] as const;
  const targeted = flags.target !== undefined;
  if (targeted && flags.label !== undefined) throw new LumenError('option', 'lumen attack: give --target (a targeted attack) or --label (the true classes of an untargeted one), not both');
  const target: 'predicted' | number | number[] = targeted ? classesFlag('--target', flags.target as string, classNames) : flags.label !== undefined ? classesFlag('--label', flags.label, classNames) : 'predicted';
  const base = { bounds, targeted, target };
  const eps = flags.eps === undefined ? undefined : parseNumberFlag('--eps', flags.eps, 0);
  const steps = flags.steps === undefined ? undefined : parseIntegerFlag('--steps', flags.steps, 1);
  if (flags.method === 'fgsm') return fgsm(model, x, { ...base, epsilon: eps ?? DEFAULT_EPSILON });
  if (flags.method === 'pgd') {
    if (flags.norm !== 'linf' && flags.norm !== 'l2') throw new LumenError('option', `lumen attack: --norm must be linf or l2; found '${flags.norm}'`);
    const radius = eps ?? DEFAULT_EPSILON;
    return pgd(model, x, {
      ...base, norm: flags.norm, radius, steps: steps ?? 10,
      stepSize: flags.stepSize === undefined ? radius / 4 : parseNumberFlag('--step-size', flags.stepSize, 0),
      randomStart: flags.randomStart ?? false,
      ...(flags.seed !== undefined ? { seed: parseIntegerFlag('--seed', flags.seed) } : {}),
    });
  }
  if (eps !== undefined) throw new LumenError('option', 'lumen attack: --method cw finds the smallest L2 perturbation itself and takes no --eps (use --c, --kappa, --steps, --binary-search-steps)');
  return carliniWagnerL2(model, x, {
    ...base,
    steps: steps ?? 100,
    ...(flags.c !== undefined ? { c: parseNumberFlag('--c', flags.c, 0) } : {}),
    ...(flags.kappa !== undefined ? { kappa: parseNumberFlag('--kappa', flags.kappa, 0) } : {}),
    ...(flags.binarySearchSteps !== undefined ? { binarySearchSteps: parseIntegerFlag('--binary-search-steps', flags.binarySearchSteps, 1) } : {}),
    ...(flags.learningRate !== undefined ? { learningRate: parseNumberFlag('--learning-rate', flags.learningRate, 0) } : {}),
  });
}

/**
 * `lumen attack --model … --input … --method fgsm|pgd|cw [--eps ε] [--out fig.png|.html|.json] [--json]`:
 * adversarial examples of the inputs (FGSM, Goodfellow et al. 2015; PGD, Madry et al. 2018;
 * Carlini & Wagner L2, 2017), every example in one batch, with predictions before → after, the
 * perturbations' L∞ and L2 sizes and the success rate; the figure is a clean | adversarial | δ grid.
 */
export function registerAttack(program: Command): void {
  addInputFlags(program
    .command('attack')
    .description('adversarial examples (FGSM, PGD, Carlini–Wagner L2) of the inputs: predictions before → after, perturbation sizes, success rate, a figure')
    .requiredOption('--model <spec>', 'bundled:mnist, bundled:penguins, a model file or directory (needs gradients)')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .option(...ENGINE_FLAG)
    .requiredOption('--input <file>', 'a .png/.jpg image, a .npy or .json tensor (one example or a batch), or a .csv table')
    .option('--method <name>', `the attack: ${METHODS.join(', ')}`, 'fgsm')
    .option('--eps <ε>', `FGSM's step / PGD's radius (default ${DEFAULT_EPSILON}); C&W takes none`)
    .option('--norm <linf|l2>', "PGD's ball", 'linf')
    .option('--steps <n>', 'PGD iterations (default 10) or C&W Adam steps per c (default 100)')
    .option('--step-size <s>', "PGD's sign step (default ε / 4)")
    .option('--random-start', 'PGD: start at a random point of the ball (seeded by --seed)')
    .option('--seed <n>', 'seed of the random start')
    .option('--target <class>', 'a targeted attack towards this class (index or name; or one per example, comma-separated)')
    .option('--label <class>', 'an untargeted attack away from these true classes (default: the model\'s predictions)')
    .option('--lower <lo>', 'lower end of the data range (the perturbed inputs are clamped into it)', '0')
    .option('--upper <hi>', 'upper end of the data range', '1')
    .option('--c <c>', "C&W: initial weight of the margin term (default 1)")
    .option('--kappa <κ>', "C&W: confidence (default 0)")
    .option('--binary-search-steps <n>', 'C&W: values of c tried (default 1)')
    .option('--learning-rate <r>', "C&W: Adam's learning rate (default 0.01)")
    .option('--json', 'print the attack record (kind "attack") as JSON')
    .option('--out <file>', `also write the clean | adversarial | perturbation grid (.png), an HTML report (.html) or the record (.json)`))
    .action(async (flags: AttackFlags) => {
      if (!(METHODS as readonly string[]).includes(flags.method)) throw new LumenError('option', `lumen attack: --method must be one of ${METHODS.join(', ')}; found '${flags.method}'`);
      if (flags.out && !(ATTACK_OUT_EXTENSIONS as readonly string[]).includes(path.extname(flags.out).toLowerCase())) {
        throw new LumenError('option', `lumen attack: --out must end in ${ATTACK_OUT_EXTENSIONS.join(', ')}; found '${flags.out}'`);
      }
      const inputOpts = inputOptions(flags);
      await withBackend(program);
      const loaded = withLabels(await loadModelSpec(flags.model, modelSpecOptions(flags)), flags.labels);
      try {
        const { batch, warnings } = loadModelInput(loaded, flags.input, inputOpts);
        for (const w of warnings ?? []) process.stderr.write(`warning: ${w}\n`);
        let e: AttackExplanation;
        let clean: Float32Array;
        try {
          clean = (await batch.data()) as Float32Array;
          const result = await runAttack(flags, loaded.model, batch, loaded.classNames);
          try {
            e = await attackExplanation(result);
          } finally {
            result.dispose();
          }
        } finally {
          batch.dispose();
        }
        const success = e.meta?.success as readonly boolean[];
        e = { ...e, meta: { ...e.meta, successRate: success.filter(Boolean).length / success.length, input: flags.input } };
        if (flags.out) await writeFileAtomic(flags.out, attackOutput(e, clean, flags.out, `${e.method} on ${loaded.spec}`, loaded.classNames));
        process.stdout.write(flags.json ? `${JSON.stringify(e)}\n` : `${attackText(e, loaded.classNames)}\n`);
      } finally {
        loaded.dispose();
      }
    });
}
