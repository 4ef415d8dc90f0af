/**
 * `ResizeBilinearGrad` and `ResizeNearestNeighborGrad` as the exact adjoints of tfjs's forward
 * resizes (same source-index arithmetic, incl. alignCorners and halfPixelCenters). They replace
 * the cpu backend's kernels, which are wrong in tfjs 4.22: the bilinear one returns
 * [N, W, H, C] (shape error unless H = W) and ignores halfPixelCenters; the nearest-neighbour one
 * reads dy at the image's batch offset (wrong for batch > 1) and ignores halfPixelCenters. The
 * wasm backend's kernels ignore halfPixelCenters too, so they are replaced there as well.
 * JS loops over typed arrays, O(dy.size).
 */
import * as tf from '@tensorflow/tfjs';
import { allocateOutput, readView, type AnyBackend } from './util.js';

interface ResizeAttrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

function ratios(images: tf.TensorInfo, dy: tf.TensorInfo, alignCorners: boolean): [number, number] {
  const [, h, w] = images.shape;
  const [, oh, ow] = dy.shape;
  const rh = (alignCorners && oh > 1 ? h - 1 : h) / (alignCorners && oh > 1 ? oh - 1 : oh);
  const rw = (alignCorners && ow > 1 ? w - 1 : w) / (alignCorners && ow > 1 ? ow - 1 : ow);
  return [rh, rw];
}

export function resizeBilinearGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: AnyBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeAttrs;
  const [n, h, w, c] = images.shape;
  const [, oh, ow] = dy.shape;
  const [rh, rw] = ratios(images, dy, alignCorners);
  const out = allocateOutput(backend, [n, h, w, c], 'float32');
  const dx = out.values;
  dx.fill(0);
  const g = readView(backend, dy);
  const top = new Int32Array(oh), bot = new Int32Array(oh), fr = new Float64Array(oh);
  for (let r = 0; r < oh; ++r) {
    const s = halfPixelCenters ? rh * (r + 0.5) - 0.5 : rh * r;
    top[r] = Math.max(0, Math.floor(s));
    bot[r] = Math.min(h - 1, Math.ceil(s));
    fr[r] = s - top[r];
  }
  const left = new Int32Array(ow), right = new Int32Array(ow), fc = new Float64Array(ow);
  for (let q = 0; q < ow; ++q) {
    const s = halfPixelCenters ? rw * (q + 0.5) - 0.5 : rw * q;
    left[q] = Math.max(0, Math.floor(s));
    right[q] = Math.min(w - 1, Math.ceil(s));
    fc[q] = s - left[q];
  }
  let k = 0;
  for (let b = 0; b < n; ++b) {
    for (let r = 0; r < oh; ++r) {
      const t = (b * h + top[r]) * w;
      const bo = (b * h + bot[r]) * w;
      const rf = fr[r];
      for (let q = 0; q < ow; ++q) {
        const cf = fc[q];
        const tl = (t + left[q]) * c, tr = (t + right[q]) * c, bl = (bo + left[q]) * c, br = (bo + right[q]) * c;
        const wtl = (1 - rf) * (1 - cf), wtr = (1 - rf) * cf, wbl = rf * (1 - cf), wbr = rf * cf;
        for (let d = 0; d < c; ++d, ++k) {
          const v = g[k];
          dx[tl + d] += v * wtl;
          dx[tr + d] += v * wtr;
          dx[bl + d] += v * wbl;
          dx[br + d] += v * wbr;
        }
      }
    }
  }
  return out.commit();
}

export function resizeNearestNeighborGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: AnyBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeAttrs;
  const [n, h, w, c] = images.shape;
  const [, oh, ow] = dy.shape;
  const [rh, rw] = ratios(images, dy, alignCorners);
  const src = (s: number, size: number) => {
    const i = Math.min(size - 1, alignCorners ? Math.round(s) : Math.floor(s));
    return halfPixelCenters ? Math.max(0, i) : i;
  };
  const rows = Int32Array.from({ length: oh }, (_, r) => src(halfPixelCenters ? rh * (r + 0.5) : rh * r, h));
  const cols = Int32Array.from({ length: ow }, (_, q) => src(halfPixelCenters ? rw * (q + 0.5) : rw * q, w));
  const out = allocateOutput(backend, [n, h, w, c], 'float32');
  const dx = out.values;
  dx.fill(0);
  const g = readView(backend, dy);
  let k = 0;
  for (let b = 0; b < n; ++b) {
    for (let r = 0; r < oh; ++r) {
      const rowBase = (b * h + rows[r]) * w;
      for (let q = 0; q < ow; ++q) {
        const base = (rowBase + cols[q]) * c;
        for (let d = 0; d < c; ++d, ++k) dx[base + d] += g[k];
      }
    }
  }
  return out.commit();
}

export const resizeBilinearGradKernel = { kernelName: 'ResizeBilinearGrad', kernelFunc: resizeBilinearGrad } as const;
export const resizeNearestNeighborGradKernel = { kernelName: 'ResizeNearestNeighborGrad', kernelFunc: resizeNearestNeighborGrad } as const;
