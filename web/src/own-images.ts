/**
 * A user's own images as model inputs: each file is decoded by the browser (no colour-space
 * conversion), resized to the model's input height × width when it differs (the browser's
 * high-quality resampling), and scaled to [0, 1] per channel — grey (the mean of R, G, B) for
 * one-channel models. Nothing leaves the page.
 */
import type { SampleSet } from './samples.js';

/** The image files as a sample set for a model taking `[H, W, C]` inputs (C = 1 or 3). */
export async function imagesAsSamples(files: readonly File[], model: string, shape: readonly number[]): Promise<SampleSet> {
  const [h, w, c] = shape;
  if (shape.length !== 3 || !h || !w || (c !== 1 && c !== 3)) throw new Error(`images need a model taking [height, width, 1 or 3] inputs; this one takes [${shape.join(', ')}]`);
  const data: number[] = [];
  for (const file of files) {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
    } catch {
      throw new Error(`${file.name}: not an image the browser can decode`);
    }
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    const px = ctx.getImageData(0, 0, w, h).data;
    for (let p = 0; p < w * h; p++) {
      if (c === 1) data.push((px[4 * p]! + px[4 * p + 1]! + px[4 * p + 2]!) / (3 * 255));
      else for (let k = 0; k < 3; k++) data.push(px[4 * p + k]! / 255);
    }
  }
  return { model, kind: 'image', shape: [h, w, c], labels: files.map((f) => f.name), data };
}
