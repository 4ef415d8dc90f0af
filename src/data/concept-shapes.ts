/**
 * Concept shapes: a synthetic RGB image set with pixel-level concept masks, the ground truth of the
 * hidden-semantics family (feature visualisation, TCAV, network dissection). Each 32 × 32 image
 * holds two objects on a grey, noisy background; each object has a shape (circle or square), a
 * colour (red, green or blue) and a texture (stripes, dots or plain). The label is 1 ('striped')
 * exactly when an object is striped; dots, the distractor, are exactly as frequent (one image in
 * two) and drawn independently of the label.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { Rng } from '../core/random.js';

/** Side of a concept-shapes image (pixels; three colour channels). */
export const CONCEPT_SHAPES_SIZE = 32;
/** The planted concepts, each with a pixel mask per image. */
export const SHAPES_CONCEPTS = ['stripes', 'dots', 'circle', 'square', 'red', 'green', 'blue'] as const;
/** One of SHAPES_CONCEPTS. */
export type ShapesConcept = (typeof SHAPES_CONCEPTS)[number];
/** Class names by label: 1 when an object is striped. */
export const CONCEPT_SHAPES_CLASSES = ['unstriped', 'striped'] as const;
/** The concept that decides the label. */
export const SHAPES_DECIDING_CONCEPT: ShapesConcept = 'stripes';
/** The distractor: as frequent as the deciding concept, independent of the label. */
export const SHAPES_DISTRACTOR_CONCEPT: ShapesConcept = 'dots';

const COLOURS: Readonly<Record<'red' | 'green' | 'blue', readonly [number, number, number]>> = {
  red: [0.92, 0.16, 0.12], green: [0.14, 0.82, 0.22], blue: [0.16, 0.3, 0.95],
};
const COLOUR_NAMES = ['red', 'green', 'blue'] as const;

/** Options of `conceptShapes`. */
export interface ConceptShapesOptions {
  /** Seed of every draw (default 0). */
  readonly seed?: number;
  /** Every image contains this concept (for TCAV's concept sets); default: concepts as drawn. */
  readonly containing?: ShapesConcept;
}

/** `count` images, flat NHWC `[count, 32, 32, 3]` in [0, 1], with labels and concept masks. */
export interface ConceptShapesData {
  readonly count: number;
  readonly size: number;
  readonly images: Float32Array;
  /** 1 when the image holds a striped object. */
  readonly labels: Int32Array;
  /** Per concept, `[count, 32, 32]`: 1 on the pixels of objects with that concept. */
  readonly masks: Readonly<Record<ShapesConcept, Uint8Array>>;
}

interface ObjectSpec {
  readonly shape: 'circle' | 'square';
  readonly colour: (typeof COLOUR_NAMES)[number];
  readonly texture: 'stripes' | 'dots' | 'plain';
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
  /** Stripes: 0 horizontal, 1 vertical. */
  readonly orientation: number;
  readonly phase: number;
}

function drawObjects(rng: Rng, containing: ShapesConcept | undefined): [ObjectSpec, ObjectSpec] {
  let hasStripes = rng.uniform() < 0.5;
  let hasDots = rng.uniform() < 0.5;
  if (containing === 'stripes') hasStripes = true;
  if (containing === 'dots') hasDots = true;
  const textures: ObjectSpec['texture'][] = [hasStripes ? 'stripes' : 'plain', hasDots ? 'dots' : 'plain'];
  if (rng.uniform() < 0.5) textures.reverse();
  const leftFirst = rng.uniform() < 0.5;
  const objects = [0, 1].map((k): ObjectSpec => {
    const r = 5 + rng.int(3); // 5…7
    const half = (k === 0) === leftFirst ? 0 : 16;
    return {
      shape: rng.uniform() < 0.5 ? 'circle' : 'square',
      colour: COLOUR_NAMES[rng.int(3)],
      texture: textures[k],
      cx: half + r + rng.int(Math.max(1, 16 - 2 * r)) + 0.5,
      cy: r + 1 + rng.int(CONCEPT_SHAPES_SIZE - 2 * r - 2) + 0.5,
      r, orientation: rng.int(2), phase: rng.int(4),
    };
  }) as [ObjectSpec, ObjectSpec];
  if (containing === 'circle' || containing === 'square') objects[0] = { ...objects[0], shape: containing };
  if (containing === 'red' || containing === 'green' || containing === 'blue') objects[0] = { ...objects[0], colour: containing };
  return objects;
}

function inside(o: ObjectSpec, x: number, y: number): boolean {
  const dx = x + 0.5 - o.cx;
  const dy = y + 0.5 - o.cy;
  return o.shape === 'circle' ? dx * dx + dy * dy <= o.r * o.r : Math.abs(dx) <= o.r - 0.5 && Math.abs(dy) <= o.r - 0.5;
}

/** Whether a pixel of an object is lit by its texture (else it is the dark shade of its colour). */
function lit(o: ObjectSpec, x: number, y: number): boolean {
  if (o.texture === 'plain') return true;
  if (o.texture === 'stripes') return ((o.orientation === 0 ? y : x) + o.phase) % 4 < 2;
  return (x + o.phase) % 4 < 2 && (y + o.phase) % 4 < 2;
}

/**
 * `count` seeded concept-shapes images with labels and masks (see the file comment); the same seed
 * gives the same images everywhere. `containing` forces one concept into every image (on the
 * first-drawn object for shapes and colours), which leaves the other draws as they were.
 */
export function conceptShapes(count: number, options: ConceptShapesOptions = {}): ConceptShapesData {
  check(Number.isInteger(count) && count >= 1, 'option', () => `conceptShapes: count must be a positive integer; found ${count}`);
  const containing = options.containing;
  check(containing === undefined || (SHAPES_CONCEPTS as readonly string[]).includes(containing), 'option', () =>
    `conceptShapes: containing must be one of ${SHAPES_CONCEPTS.join(', ')}; found '${containing}'`);
  const s = CONCEPT_SHAPES_SIZE;
  const rng = new Rng(options.seed ?? 0);
  const images = new Float32Array(count * s * s * 3);
  const labels = new Int32Array(count);
  const masks = Object.fromEntries(SHAPES_CONCEPTS.map((c) => [c, new Uint8Array(count * s * s)])) as Record<ShapesConcept, Uint8Array>;
  for (let n = 0; n < count; n++) {
    const objects = drawObjects(rng, containing);
    labels[n] = objects.some((o) => o.texture === 'stripes') ? 1 : 0;
    const grey = 0.35 + 0.15 * rng.uniform();
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const p = n * s * s + y * s + x;
        const o = objects.find((obj) => inside(obj, x, y));
        const noise = 0.05 * rng.normal();
        let rgb: readonly number[] = [grey, grey, grey];
        if (o) {
          const shade = lit(o, x, y) ? 1 : 0.3;
          rgb = COLOURS[o.colour].map((v) => v * shade);
          masks[o.shape][p] = 1;
          masks[o.colour][p] = 1;
          if (o.texture !== 'plain') masks[o.texture][p] = 1;
        }
        for (let c = 0; c < 3; c++) images[p * 3 + c] = Math.min(1, Math.max(0, rgb[c] + noise));
      }
    }
  }
  return { count, size: s, images, labels, masks };
}

/** The images as a tensor `[count, 32, 32, 3]` (the caller disposes it). */
export function conceptShapesTensor(data: ConceptShapesData): tf.Tensor4D {
  return tf.tensor4d(data.images, [data.count, data.size, data.size, 3]);
}

/** One concept's masks as a float tensor `[count, 32, 32]` (the caller disposes it). */
export function shapesMaskTensor(data: ConceptShapesData, concept: ShapesConcept): tf.Tensor3D {
  return tf.tensor3d(Float32Array.from(data.masks[concept]), [data.count, data.size, data.size]);
}
