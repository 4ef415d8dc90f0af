/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), read and written without NumPy: C order
 * only; float32/float64, signed and unsigned integers and bool, either byte order, become float32.
 */
import { check, LumenError } from '../core/errors.js';
import { describeBytes, readBytes, sizeOf, type TensorData } from './tensor-data.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Kind = 'f' | 'i' | 'u' | 'b';
const SUPPORTED: Record<string, number[]> = { f: [4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };
const SUPPORTED_TEXT = 'float32/float64, int8…int64, uint8…uint64 or bool (descr like <f4, <f8, <i4, |u1)';

export interface NpyData extends TensorData {
  /** The file's dtype descriptor, e.g. `<f4`. */
  readonly dtype: string;
}

/** Parses `.npy` bytes; `source` (the file name) is named in error messages. */
export function parseNpy(bytes: Uint8Array, source = 'npy'): NpyData {
  const fail = (expected: string, found: string): never => {
    throw new LumenError('file', `${source}: expected ${expected}; found ${found}`);
  };
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) fail('a .npy file (magic \\x93NUMPY)', describeBytes(bytes));
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major !== 1 && major !== 2 && major !== 3) fail('.npy format version 1, 2 or 3', `version ${major}.${bytes[7]}`);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail('a complete .npy header', describeBytes(bytes));
  const headerLen = lenBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (bytes.length < start + headerLen) fail(`a header of ${headerLen} bytes`, `a file of ${bytes.length} bytes`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail("a header dict with 'descr', 'fortran_order' and 'shape'", `'${header.trim()}'`);
  }
  if (fortran === 'True') fail('C order (fortran_order: False)', 'fortran_order: True; save with np.ascontiguousarray(x)');
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr!);
  if (!m || !SUPPORTED[m[2]].includes(Number(m[3]))) fail(`dtype ${SUPPORTED_TEXT}`, `'${descr}'`);
  const [, order, kind, sizeText] = m!;
  const itemSize = Number(sizeText);
  const little = order !== '>';
  const dims = shapeText!.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = dims.map((s) => (/^\d+L?$/.test(s) ? parseInt(s, 10) : NaN));
  if (shape.some((d) => !Number.isFinite(d))) fail('a shape tuple of non-negative integers', `(${shapeText})`);

  const count = sizeOf(shape);
  const dataStart = start + headerLen;
  const available = bytes.length - dataStart;
  if (available !== count * itemSize) {
    fail(`${count * itemSize} bytes of data for shape (${shape.join(', ')}) and dtype ${descr}`, `${available} bytes`);
  }
  const data = new Float32Array(count);
  const read = reader(kind as Kind, itemSize, view, little);
  for (let i = 0; i < count; i++) data[i] = read(dataStart + i * itemSize);
  return { data, shape, dtype: descr! };
}

function reader(kind: Kind, size: number, v: DataView, le: boolean): (at: number) => number {
  switch (`${kind}${size}`) {
    case 'f4': return (at) => v.getFloat32(at, le);
    case 'f8': return (at) => v.getFloat64(at, le);
    case 'i1': return (at) => v.getInt8(at);
    case 'i2': return (at) => v.getInt16(at, le);
    case 'i4': return (at) => v.getInt32(at, le);
    case 'i8': return (at) => Number(v.getBigInt64(at, le));
    case 'u1': return (at) => v.getUint8(at);
    case 'u2': return (at) => v.getUint16(at, le);
    case 'u4': return (at) => v.getUint32(at, le);
    case 'u8': return (at) => Number(v.getBigUint64(at, le));
    default: return (at) => (v.getUint8(at) ? 1 : 0); // b1
  }
}

/** Reads a `.npy` file. */
export function readNpy(file: string): NpyData {
  return parseNpy(readBytes(file, 'a .npy file'), file);
}

/** Encodes float32 data of the given shape as `.npy` (version 1.0, `<f4`, C order). */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  check(sizeOf(shape) === data.length, 'shape',
    () => `encodeNpy: shape [${shape.join(', ')}] holds ${sizeOf(shape)} values; found ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  for (let i = 0; i < data.length; i++) view.setFloat32(total + 4 * i, data[i], true);
  return out;
}
