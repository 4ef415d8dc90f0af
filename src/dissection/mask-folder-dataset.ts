/**
 * Images with pixel-level concept masks from a folder, as a ConceptMaskDataset for network
 * dissection (Bau et al. 2017) and Net2Vec (Fong & Vedaldi 2018) on data other than the bundled
 * concept shapes. The layout (Broden's pixel-level part, one folder per concept):
 *
 *     DIR/images/NAME.png|jpg              the images, in name order
 *     DIR/masks/CONCEPT/NAME.png|jpg       CONCEPT's mask of image NAME (grey level ≥ 0.5: present)
 *
 * Concepts are the folders under `masks/`, in name order; an image without a mask file in a
 * concept's folder has none of that concept. Images and masks are resized (bilinear) to `size`, the
 * masks then binarised at 0.5. Read one batch at a time.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { readImage } from '../data/image.js';
import type { ConceptMaskDataset } from './network-dissection.js';

const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** Options of `maskFolderDataset`. */
export interface MaskFolderOptions {
  /** `[height, width]` every image and mask is resized to (the model's input size). */
  readonly size: readonly [number, number];
  /** Read the images as one grey channel (a model of grey images); masks are always grey. */
  readonly grayscale?: boolean;
}

const stem = (file: string): string => file.replace(/\.[^.]+$/, '');

/** The images of `dir/images` with the masks of `dir/masks/<concept>` (see the file comment). */
export function maskFolderDataset(dir: string, options: MaskFolderOptions): ConceptMaskDataset {
  const fn = 'maskFolderDataset';
  const imagesDir = path.join(dir, 'images');
  const masksDir = path.join(dir, 'masks');
  check(existsSync(imagesDir) && statSync(imagesDir).isDirectory() && existsSync(masksDir) && statSync(masksDir).isDirectory(), 'input', () =>
    `${fn}: ${dir} must hold images/ (the images) and masks/<concept>/ (one mask per image and concept, same base name); found ${existsSync(dir) ? readdirSync(dir).join(', ') || 'an empty folder' : 'no such folder'}`);
  const [h, w] = options.size;
  check(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0, 'option', () => `${fn}: size must be two positive integers; found [${options.size}]`);
  const files = readdirSync(imagesDir).sort().filter((f) => IMAGE_FILE.test(f));
  check(files.length > 0, 'input', () => `${fn}: ${imagesDir} holds no PNG or JPEG images`);
  const byStem = new Map(files.map((f, i) => [stem(f), i]));
  check(byStem.size === files.length, 'input', () => `${fn}: ${imagesDir} holds two images with the same base name (e.g. a.png and a.jpg)`);
  const concepts = readdirSync(masksDir).sort().filter((c) => statSync(path.join(masksDir, c)).isDirectory());
  check(concepts.length > 0, 'input', () => `${fn}: ${masksDir} holds no concept folders`);
  // maskFile[c][i]: concept c's mask of image i, or undefined (the concept is absent from it).
  const maskFile = concepts.map((c) => {
    const out: (string | undefined)[] = new Array(files.length).fill(undefined);
    for (const f of readdirSync(path.join(masksDir, c)).sort().filter((m) => IMAGE_FILE.test(m))) {
      const i = byStem.get(stem(f));
      check(i !== undefined, 'input', () => `${fn}: ${path.join(masksDir, c, f)} has no image ${stem(f)}.* in ${imagesDir}`);
      out[i] = path.join(masksDir, c, f);
    }
    return out;
  });
  check(maskFile.some((m) => m.some((f) => f !== undefined)), 'input', () => `${fn}: the concept folders of ${masksDir} hold no masks`);
  const ch = options.grayscale ? 1 : 3;
  const nc = concepts.length;
  return {
    size: files.length,
    concepts,
    async *batches(batchSize: number) {
      check(Number.isInteger(batchSize) && batchSize > 0, 'option', () => `${fn}: batchSize must be a positive integer; found ${batchSize}`);
      for (let start = 0; start < files.length; start += batchSize) {
        const n = Math.min(batchSize, files.length - start);
        const x = new Float32Array(n * h * w * ch);
        const masks = new Float32Array(n * h * w * nc);
        for (let k = 0; k < n; k++) {
          const i = start + k;
          x.set(readImage(path.join(imagesDir, files[i]), { size: [h, w], grayscale: options.grayscale }).data, k * h * w * ch);
          maskFile.forEach((perImage, c) => {
            const file = perImage[i];
            if (file === undefined) return;
            const m = readImage(file, { size: [h, w], grayscale: true }).data;
            for (let p = 0; p < h * w; p++) masks[(k * h * w + p) * nc + c] = m[p] >= 0.5 ? 1 : 0;
          });
        }
        yield { x: tf.tensor4d(x, [n, h, w, ch]), masks: tf.tensor4d(masks, [n, h, w, nc]) };
      }
    },
  };
}
