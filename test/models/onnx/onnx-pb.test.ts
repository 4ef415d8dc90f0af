import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { onnxDecoderSource } from '../../../scripts/onnx-decoder-source.js';
import { repoPath } from '../../helpers.js';

test('src/models/onnx/onnx-pb.js and .d.ts are what onnx-proto.ts generates (run `npm run onnx-decoder` after editing it)', () => {
  const { js, dts } = onnxDecoderSource(repoPath());
  assert.equal(readFileSync(repoPath('src', 'models', 'onnx', 'onnx-pb.js'), 'utf8'), js);
  assert.equal(readFileSync(repoPath('src', 'models', 'onnx', 'onnx-pb.d.ts'), 'utf8'), dts);
});

test('the generated ONNX decoder builds no code at run time (works under a CSP without unsafe-eval)', () => {
  const js = readFileSync(repoPath('src', 'models', 'onnx', 'onnx-pb.js'), 'utf8');
  assert.doesNotMatch(js, /\bFunction\s*\(|\beval\s*\(/);
  assert.match(js, /from "protobufjs\/minimal\.js"/);
});
