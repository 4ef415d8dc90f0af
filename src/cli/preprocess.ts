import { LumenError } from '../core/errors.js';

/**
 * Per-channel preprocessing of image inputs (`--preprocess`). Pixels p are taken in 0–255 (as
 * Keras and PIL see them) and become `(p · scale + offset − mean) / std`, per channel; `scale`
 * defaults to 1/255, `offset` and `mean` to 0, `std` to 1. So `scale=1/127.5,offset=-1` is Keras'
 * MobileNet preprocessing (p/127.5 − 1), `mean=0.485,0.456,0.406,std=0.229,0.224,0.225` is
 * torchvision's ImageNet normalisation ((p/255 − mean)/std), and no flag leaves images in [0, 1].
 */
export interface Preprocess {
  readonly scale: readonly number[];
  readonly offset: readonly number[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

const KEYS = ['scale', 'offset', 'mean', 'std'] as const;
type Key = (typeof KEYS)[number];
const DEFAULTS: Record<Key, number> = { scale: 1 / 255, offset: 0, mean: 0, std: 1 };
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseValue(text: string, key: string, spec: string): number {
  const parts = text.trim().split('/');
  const ok = parts.length <= 2 && parts.every((p) => NUMBER.test(p.trim()));
  const v = ok ? parts.map(Number).reduce((a, b) => a / b) : Number.NaN;
  if (!Number.isFinite(v)) throw new LumenError('option', `--preprocess ${spec}: expected ${key} to be a number or a fraction like 1/127.5; found '${text}'`);
  if (key === 'std' && v <= 0) throw new LumenError('option', `--preprocess ${spec}: expected std > 0; found ${text}`);
  return v;
}

/**
 * Parses `--preprocess`: `key=v[,v…]` groups for scale, offset, mean and std, one value for every
 * channel or one per channel (`mean=0.485,0.456,0.406,std=0.229,0.224,0.225`); values may be
 * fractions (`1/127.5`). Anything else is a LumenError naming what is accepted.
 */
export function parsePreprocess(spec: string): Preprocess {
  const values: Partial<Record<Key, number[]>> = {};
  let key: Key | undefined;
  for (const token of spec.split(',')) {
    const eq = token.indexOf('=');
    if (eq >= 0) {
      const name = token.slice(0, eq).trim();
      if (!(KEYS as readonly string[]).includes(name)) throw new LumenError('option', `--preprocess ${spec}: expected keys ${KEYS.join(', ')}; found '${name}'`);
      key = name as Key;
      if (values[key]) throw new LumenError('option', `--preprocess ${spec}: expected each key once; found '${key}' twice`);
      values[key] = [parseValue(token.slice(eq + 1), key, spec)];
    } else {
      if (!key) throw new LumenError('option', `--preprocess ${spec}: expected key=value (keys ${KEYS.join(', ')}); found '${token}'`);
      values[key]!.push(parseValue(token, key, spec));
    }
  }
  const out = Object.fromEntries(KEYS.map((k) => [k, values[k] ?? [DEFAULTS[k]]])) as Record<Key, number[]>;
  return out;
}

/**
 * Applies `pre` to images `[N, H, W, C]` (flat, channels last) holding values in [0, 1]: returns
 * a new array; a key with several values must have one per channel.
 */
export function applyPreprocess(data: Float32Array, channels: number, pre: Preprocess, source: string): Float32Array {
  for (const k of KEYS) {
    const n = pre[k].length;
    if (n !== 1 && n !== channels) throw new LumenError('option', `--preprocess: expected ${k} to have 1 or ${channels} values (one per channel of the model's input); found ${n} for ${source}`);
  }
  const at = (v: readonly number[], c: number): number => (v.length === 1 ? v[0] : v[c]);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = i % channels;
    out[i] = (255 * data[i] * at(pre.scale, c) + at(pre.offset, c) - at(pre.mean, c)) / at(pre.std, c);
  }
  return out;
}
