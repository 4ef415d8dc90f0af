/**
 * Regenerates the ONNX protobuf decoder `src/models/onnx/onnx-pb.js` and its types `onnx-pb.d.ts`
 * (`npm run onnx-decoder`) from the schema in src/models/onnx/onnx-proto.ts, with protobufjs-cli's
 * pbjs (static module on protobufjs/minimal: decode only) and pbts. The generated code builds no
 * function at run time, so the ONNX importer works under a Content-Security-Policy without
 * 'unsafe-eval'. `npm run build` copies the .js beside the compiled decode.js.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onnxDecoderSource } from './onnx-decoder-source.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = path.join(root, 'src', 'models', 'onnx', 'onnx-pb');
const { js, dts } = onnxDecoderSource(root);
writeFileSync(`${out}.js`, js);
writeFileSync(`${out}.d.ts`, dts);
process.stdout.write('src/models/onnx/onnx-pb.js and onnx-pb.d.ts regenerated\n');
