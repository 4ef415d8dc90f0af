import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { greedyGenerate } from '../attribution/generation/greedy-generate.js';
import { llmAttribution, type LlmPerturbationMethod } from '../attribution/generation/llm-attribution.js';
import { llmGradientAttribution } from '../attribution/generation/llm-gradient-attribution.js';
import type { GenerationAttribution, GenerationMethod } from '../attribution/generation/generation-attribution.js';
import { check, LumenError } from '../core/errors.js';
import { ensureWritableDir, writeFileAtomic } from '../data/io.js';
import { textSegments, type SegmentUnit } from '../text/segments.js';
import { encodeText, PAD_ID, UNK_ID, type Vocabulary } from '../text/vocabulary.js';
import { withBackend } from './context.js';
import { generationFigure, generationJson, generationSummary } from './generation-format.js';
import { loadModelSpec } from './load-model.js';
import { parseIntegerFlag } from './parse-number.js';
import { useColour } from './token-summary.js';

const METHODS: readonly GenerationMethod[] = ['feature-ablation', 'shapley-values', 'shapley-value-sampling', 'layer-integrated-gradients'];

interface Flags {
  model: string;
  input: string;
  method: string;
  tokens: string;
  continuation?: string;
  segments: string;
  baseline: string;
  samples?: string;
  steps?: string;
  seed?: string;
  layer?: string;
  vocab?: string;
  json?: boolean;
  out?: string;
}

/** A word list (`["<pad>", "<unk>", …]`, the word of every id) from `--vocab`. */
function readVocabulary(file: string): Vocabulary {
  check(existsSync(file), 'file', () => `--vocab ${file}: expected a JSON list of words (the word of every id); found no such file`);
  let tokens: unknown;
  try {
    tokens = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LumenError('file', `--vocab ${file}: expected a JSON list of words; found invalid JSON (${(e as Error).message})`);
  }
  check(Array.isArray(tokens) && tokens.every((t) => typeof t === 'string'), 'file', () => `--vocab ${file}: expected a JSON list of words; found ${typeof tokens}`);
  return { tokens: tokens as string[] };
}

/** The prompt text: a `.txt` file's contents, or the argument itself. */
function promptText(input: string): string {
  return existsSync(input) && path.extname(input).toLowerCase() === '.txt' ? readFileSync(input, 'utf8') : input;
}

/**
 * `lumen generate-explain --model bundled:spam-decoder --input "click here to" [--method …]`:
 * greedy generation from a causal language model, then the attribution of every generated token
 * (and of the whole continuation) to the prompt's words or sentences (src/attribution/generation/).
 */
export function registerGenerateExplain(program: Command): void {
  program
    .command('generate-explain')
    .description("generate a continuation with a causal language model and explain each generated token by the prompt's words or sentences")
    .requiredOption('--model <spec>', 'a causal LM: bundled:spam-decoder, or an .onnx/tfjs model with input [T] ids and output [T, V] (with --vocab)')
    .requiredOption('--input <text>', 'the prompt: text, or a .txt file')
    .option('--method <id>', `${METHODS.join(' | ')}`, 'feature-ablation')
    .option('--tokens <n>', 'tokens to generate greedily', '6')
    .option('--continuation <text>', 'explain this continuation instead of generating one (teacher forcing)')
    .option('--segments <unit>', 'players: words | sentences', 'words')
    .option('--baseline <id>', 'an absent word becomes pad | unk (perturbation methods)', 'pad')
    .option('--samples <n>', 'permutations of shapley-value-sampling (default 25)')
    .option('--steps <n>', 'integration steps of layer-integrated-gradients (default 50)')
    .option('--seed <n>', 'seed of shapley-value-sampling')
    .option('--layer <name>', 'the embedding layer for layer-integrated-gradients (default: the model\'s)')
    .option('--vocab <file>', 'a JSON list of words (the word of every id) for models that bring none')
    .option('--json', 'print the attribution as JSON')
    .option('--out <file>', 'write .json, or the highlighted prompt as .html, .svg or .png')
    .action(async (flags: Flags) => {
      const method = flags.method as GenerationMethod;
      check(METHODS.includes(method), 'option', () => `--method: expected one of ${METHODS.join(', ')}; found '${flags.method}'`);
      check(flags.segments === 'words' || flags.segments === 'sentences', 'option', () => `--segments: expected words or sentences; found '${flags.segments}'`);
      check(flags.baseline === 'pad' || flags.baseline === 'unk', 'option', () => `--baseline: expected pad or unk; found '${flags.baseline}'`);
      const count = parseIntegerFlag('--tokens', flags.tokens, 1);
      const samples = flags.samples === undefined ? undefined : parseIntegerFlag('--samples', flags.samples, 1);
      const steps = flags.steps === undefined ? undefined : parseIntegerFlag('--steps', flags.steps, 1);
      const seed = flags.seed === undefined ? undefined : parseIntegerFlag('--seed', flags.seed);
      const ext = flags.out ? path.extname(flags.out).toLowerCase() : '';
      check(!flags.out || ['.json', '.html', '.svg', '.png'].includes(ext), 'option', () => `--out: expected a .json, .html, .svg or .png file; found '${flags.out}'`);
      if (flags.out) ensureWritableDir(path.dirname(path.resolve(flags.out)), '--out');
      await withBackend(program);
      const loaded = await loadModelSpec(flags.model);
      try {
        const vocabulary = flags.vocab ? readVocabulary(flags.vocab) : loaded.vocabulary;
        check(vocabulary, 'option', () => `--model ${flags.model}: brings no vocabulary; give one with --vocab words.json`);
        const length = loaded.model.inputShape[0] ?? 0;
        const { words, segments } = textSegments(promptText(flags.input), flags.segments as SegmentUnit);
        check(words.length > 0, 'input', () => `--input: the prompt has no words the model reads (letters, digits, apostrophes)`);
        check(words.length < length, 'input', () => `--input: the prompt has ${words.length} words; the model reads ${length} positions, so at most ${length - 1}`);
        const prompt = Array.from(encodeText(vocabulary, words, length).ids.slice(0, words.length));
        let generated: number[];
        if (flags.continuation !== undefined) {
          const cont = textSegments(flags.continuation).words;
          check(cont.length > 0, 'input', () => `--continuation: expected at least one word`);
          generated = Array.from(encodeText(vocabulary, cont, length).ids.slice(0, cont.length));
        } else {
          generated = (await greedyGenerate(loaded.model, [prompt], { maxNewTokens: Math.min(count, length - prompt.length), suppressIds: [PAD_ID, UNK_ID] }))[0]!;
        }
        let result: GenerationAttribution;
        if (method === 'layer-integrated-gradients') {
          const layer = flags.layer ?? loaded.embeddingLayer;
          check(layer, 'option', () => `--layer: ${flags.model} names no embedding layer; give one (layers: ${loaded.model.layers.slice(0, 8).map((l) => l.name).join(', ')}, …)`);
          result = await llmGradientAttribution(loaded.model, prompt, generated, { layer, segments, ...(steps ? { steps } : {}) });
        } else {
          result = await llmAttribution(loaded.model, prompt, generated, {
            method: method as LlmPerturbationMethod, segments, baselineId: flags.baseline === 'unk' ? UNK_ID : PAD_ID,
            ...(samples ? { samples } : {}), ...(seed !== undefined ? { seed } : {}),
          });
        }
        const worded = { result, promptWords: words, generatedWords: generated.map((id) => vocabulary.tokens[id] ?? String(id)) };
        if (flags.json) process.stdout.write(`${JSON.stringify(generationJson(worded))}\n`);
        else process.stdout.write(generationSummary(worded, useColour(process.stdout, process.env)));
        if (flags.out) {
          const data = ext === '.json' ? `${JSON.stringify(generationJson(worded), null, 1)}\n` : generationFigure(ext, worded, `${method} · ${loaded.spec}`);
          await writeFileAtomic(flags.out, data);
          if (!flags.json) process.stdout.write(`wrote ${flags.out}\n`);
        }
      } finally {
        loaded.dispose();
      }
    });
}
