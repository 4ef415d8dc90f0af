import type { Command } from 'commander';
import { writeFileAtomic } from '../data/io.js';
import type { Explanation } from '../core/explanation.js';
import { LumenError } from '../core/errors.js';
import { methodById } from '../methods.js';
import { rulesSection, treeSection } from '../render/explanation-sections.js';
import { renderReport } from '../render/html-report.js';
import { rulesText, treeText, type RulesTextOptions } from '../render/rules-text.js';
import { withBackend } from './context.js';
import { featureScales, loadDataset } from './load-dataset.js';
import { loadModelSpec } from './load-model.js';
import { parseMethodOptions } from './method-options.js';
import { modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG } from './model-flags.js';
import { progressBar } from './progress.js';

/** The rules family's entries `lumen rules --method` accepts. */
export const RULES_COMMAND_METHODS = ['pedagogical-rules', 'surrogate-tree', 'distillation', 'deepred'] as const;

/** A one-section HTML report of a rules or tree explanation. */
function rulesReport(e: Explanation, spec: string, scales: RulesTextOptions['featureScales']): string {
  const section = e.kind === 'rules' ? rulesSection(e, { featureScales: scales }) : e.kind === 'tree' ? treeSection(e, { featureScales: scales }) : undefined;
  if (!section) throw new LumenError('option', `lumen rules --out .html: expected a 'rules' or 'tree' explanation; found '${e.kind}'`);
  return renderReport({ title: `${e.method}: ${spec}`, sections: [section] });
}

interface RulesFlags extends ModelFlags {
  model: string;
  data?: string;
  method: string;
  opt: string[];
  seed?: string;
  json?: boolean;
  out?: string;
}

/** `lumen rules --model … [--data …] [--method …] [--json]`: rules or a tree that mimic the model, as if-then text or JSON. */
export function registerRules(program: Command): void {
  program
    .command('rules')
    .description('extract if-then rules (or a decision tree) that mimic a model on a tabular dataset')
    .requiredOption('--model <spec>', 'bundled:penguins, a model file or directory, or onnxruntime:<file.onnx> (black box)')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .option('--data <file>', "the rows to explain the model on (.csv table, .npy/.json tensor); default: a bundled model's own held-out rows")
    .option('--method <id>', `one of ${RULES_COMMAND_METHODS.join(', ')}`, 'pedagogical-rules')
    .option('--opt <name=value>', "a method option (repeatable; see 'lumen methods')", (v: string, acc: string[]) => [...acc, v], [])
    .option('--seed <n>', 'seed of every random draw')
    .option('--json', 'print the explanation record as JSON')
    .option('--out <file>', 'also write the explanation record (.json) or an HTML report of it (.html)')
    .action(async (flags: RulesFlags) => {
      const method = methodById(flags.method);
      if (method.scope !== 'global' || !(RULES_COMMAND_METHODS as readonly string[]).includes(method.id)) {
        throw new LumenError('option', `lumen rules: --method must be one of ${RULES_COMMAND_METHODS.join(', ')}; found '${flags.method}'`);
      }
      const options = parseMethodOptions(method, flags.opt);
      await withBackend(program);
      const loaded = await loadModelSpec(flags.model, modelSpecOptions(flags));
      const bar = progressBar(method.id);
      try {
        const data = await loadDataset(loaded, flags.data, 'rules');
        const e: Explanation = await method.run(loaded.model, data, { ...options, ...(flags.seed ? { seed: Number(flags.seed) } : {}), onProgress: bar.onProgress });
        bar.stop();
        if (flags.out) await writeFileAtomic(flags.out, flags.out.toLowerCase().endsWith('.html') ? rulesReport(e, loaded.spec, featureScales(loaded)) : `${JSON.stringify(e, null, 2)}\n`);
        if (flags.json) process.stdout.write(`${JSON.stringify(e)}\n`);
        else if (e.kind === 'rules') process.stdout.write(`${rulesText(e, { featureScales: featureScales(loaded) })}\n`);
        else if (e.kind === 'tree') process.stdout.write(`${treeText(e, { featureScales: featureScales(loaded) })}\n`);
        else process.stdout.write(`${JSON.stringify(e)}\n`);
      } finally {
        bar.stop();
        loaded.dispose();
      }
    });
}
