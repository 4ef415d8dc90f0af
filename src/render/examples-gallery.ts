/**
 * Galleries of an `'examples'` explanation (nearest neighbours, proponents and opponents,
 * prototypes and criticisms): image rows as one PNG-ready RGBA picture — each query first, then
 * its examples with their dataset index, label and score (the role in the query's caption) — and, for the HTML report, a
 * section with a table of the examples (tabular rows as columns) and the gallery as a figure.
 */
import { check } from '../core/errors.js';
import type { ExampleRecord, ExamplesExplanation } from '../core/explanation.js';
import { formatNumber } from './format.js';
import { grid } from './grid.js';
import type { ReportCell, ReportSection } from './html-report.js';
import { checkFloatImage, createRgba, upscaleNearest, type FloatImage, type RgbaBuffer } from './image.js';

/** What a gallery needs about the dataset rows: their pixels (images) or cells (tables), and labels. */
export interface GalleryRows {
  /** The image of dataset row `index` (values in [0, 1]). */
  readonly image?: (index: number) => FloatImage;
  /** The image of query `q` (the explained row). */
  readonly queryImage?: (query: number) => FloatImage;
  /** The label shown for dataset row `index`. */
  readonly label?: (index: number) => string;
  /** Tabular rows: column names and the cells of dataset row `index`. */
  readonly columns?: readonly string[];
  readonly cells?: (index: number) => readonly ReportCell[];
  /** Integer pixel scale of the images (default 3). */
  readonly scale?: number;
}

/** An image with values in [0, 1] (1 or 3 channels) as RGBA. */
export function floatImageToRgba(img: FloatImage): RgbaBuffer {
  const c = checkFloatImage(img, 'floatImageToRgba');
  check(c === 1 || c === 3 || c === 4, 'shape', () => `floatImageToRgba: expected 1, 3 or 4 channels; found ${c}`);
  const out = createRgba(img.width, img.height);
  for (let p = 0; p < img.width * img.height; p++) {
    for (let k = 0; k < 3; k++) out.data[p * 4 + k] = Math.round(255 * Math.min(1, Math.max(0, img.data[p * c + (c === 1 ? 0 : k)])));
  }
  return out;
}

/** The examples of each query (dataset-wide choices, such as prototypes, under query −1), in order. */
function byQuery(e: ExamplesExplanation): Map<number, ExampleRecord[]> {
  const groups = new Map<number, ExampleRecord[]>();
  for (const r of e.examples) {
    const q = r.query ?? -1;
    groups.set(q, [...(groups.get(q) ?? []), r]);
  }
  return groups;
}

function caption(r: ExampleRecord, rows: GalleryRows): string {
  const label = rows.label ? ` ${rows.label(r.index)}` : '';
  return `#${r.index}${label} ${formatNumber(r.score, 2)}`;
}

/**
 * The gallery of an examples explanation as one RGBA image: a row per query (its image first,
 * labelled 'query N', then its examples), prototypes and criticisms in rows of their own, each
 * example labelled with its role, index, label and score.
 */
export function examplesGallery(e: ExamplesExplanation, rows: GalleryRows): RgbaBuffer {
  check(e.examples.length > 0, 'input', () => 'examplesGallery: the explanation has no examples');
  check(typeof rows.image === 'function', 'option', () => 'examplesGallery: images of the dataset rows are needed (rows.image); tabular rows go to examplesSection as a table');
  const scale = rows.scale ?? 3;
  const picture = (img: FloatImage): RgbaBuffer => upscaleNearest(floatImageToRgba(img), scale);
  const lines: { images: RgbaBuffer[]; labels: string[] }[] = [];
  for (const [q, list] of byQuery(e)) {
    if (q < 0) {
      for (const role of [...new Set(list.map((r) => r.role ?? 'row'))]) {
        const own = list.filter((r) => (r.role ?? 'row') === role);
        lines.push({ images: own.map((r) => picture((rows.image as NonNullable<GalleryRows['image']>)(r.index))), labels: own.map((r, i) => (i === 0 ? `${role}s: ` : '') + caption(r, rows)) });
      }
      continue;
    }
    for (const role of [...new Set(list.map((r) => r.role ?? 'row'))]) {
      const own = list.filter((r) => (r.role ?? 'row') === role);
      const head = rows.queryImage ? [picture(rows.queryImage(q))] : [];
      lines.push({
        images: [...head, ...own.map((r) => picture((rows.image as NonNullable<GalleryRows['image']>)(r.index)))],
        labels: [...(head.length ? [`q${q} ${role}s`] : []), ...own.map((r) => caption(r, rows))],
      });
    }
  }
  const cols = Math.max(...lines.map((l) => l.images.length));
  const blank = createRgba(lines[0].images[0].width, lines[0].images[0].height);
  const images: RgbaBuffer[] = [];
  const labels: string[] = [];
  for (const l of lines) {
    for (let i = 0; i < cols; i++) {
      images.push(l.images[i] ?? blank);
      labels.push(l.labels[i] ?? '');
    }
  }
  return grid(images, { cols, labels, padding: 6 });
}

/**
 * An examples explanation as a report section: a table (query, role, dataset row, label, score,
 * and the row's own cells for tabular data) and, when given, the gallery image as a figure.
 */
export function examplesSection(e: ExamplesExplanation, rows: GalleryRows & { readonly title?: string; readonly galleryUri?: string } = {}): ReportSection {
  const columns = ['query', 'role', 'row', ...(rows.label ? ['label'] : []), 'score', ...(rows.columns ?? [])];
  const table = e.examples.map((r) => [
    r.query === undefined ? '–' : r.query, r.role ?? '', r.index, ...(rows.label ? [rows.label(r.index)] : []), r.score, ...(rows.cells ? rows.cells(r.index) : []),
  ] as ReportCell[]);
  const sign = typeof e.meta?.sign === 'string' ? ` Sign: ${e.meta.sign}.` : '';
  return {
    title: rows.title ?? `Training examples (${e.method})`,
    text: `${e.examples.length} examples.${sign}`,
    table: { columns, rows: table },
    ...(rows.galleryUri ? { figures: [{ image: rows.galleryUri, caption: e.method, note: 'each query, then its examples (role, dataset row, label, score)' }] } : {}),
  };
}
