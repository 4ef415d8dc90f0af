/**
 * The first thing an HTML report shows (html-report.ts): each example with the model's prediction
 * and its explanations side by side — per method a tile of large images (the heatmap beside the
 * input, a blended heat map over the darkened input, as Captum's `visualize_image_attr`
 * `blended_heat_map`), a colour bar with its scale, or an inline SVG chart for tabular rows.
 * Images are data: URIs only; small images are drawn with crisp (pixel-art) upscaling.
 */
import { check } from '../core/errors.js';
import { escapeHtml } from './format.js';

/** One image of a tile: a `data:image/…;base64,` URI shown `width` CSS pixels wide. */
export interface ReportImage {
  readonly src: string;
  readonly alt: string;
  /** Display width in CSS pixels. */
  readonly width: number;
  /** A label under the image ("heatmap", "over the input"). */
  readonly label?: string;
  /** Nearest-neighbour upscaling (default true: small maps stay crisp). */
  readonly pixelated?: boolean;
}

/** A colour bar: the colour strip (a data: URI) and the values at its ends (and middle). */
export interface ReportColorBar {
  readonly src: string;
  readonly low: string;
  readonly middle?: string;
  readonly high: string;
}

/** One method's explanation of one example (or the input itself). */
export interface ReportTile {
  readonly caption: string;
  /** A sub-caption such as "12 ms/example · δ 3e-4". */
  readonly note?: string;
  readonly images?: readonly ReportImage[];
  /** An inline SVG chart instead of (or after) the images (checked by html-report's `inlineSvg`). */
  readonly svg?: string;
  readonly colorBar?: ReportColorBar;
}

/** One example: a title, the model's prediction, the input and one tile per method. */
export interface ReportExample {
  readonly title: string;
  /** "predicted 7 · p = 0.998". */
  readonly prediction?: string;
  readonly tiles: readonly ReportTile[];
}

/** The CSS of example blocks (html-report.ts adds it to its own). */
export const EXAMPLES_CSS = `
.example { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px 18px 18px; margin: 18px 0 26px; }
.example h3 { margin: 0 0 2px; font-size: 17px; }
.example .prediction { margin: 0 0 12px; font-size: 16px; font-weight: 600; color: var(--accent); }
.example .prediction strong { font-size: 17px; }
.tiles { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.tile { margin: 0; display: flex; flex-direction: column; gap: 6px; flex: 0 0 auto; }
.tile .images { display: flex; gap: 8px; }
.tile .image { display: flex; flex-direction: column; align-items: center; gap: 2px; }
.tile .image span { font-size: 12px; color: var(--muted); }
.tile img { display: block; height: auto; border-radius: 3px; }
.tile .caption { font-weight: 600; font-size: 14px; }
.tile .caption .note { display: block; font-weight: 400; color: var(--muted); font-size: 12.5px; font-variant-numeric: tabular-nums; }
.colorbar { display: grid; grid-template-columns: 1fr auto 1fr; font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.colorbar img { grid-column: 1 / 4; width: 100%; height: 10px; image-rendering: auto; border-radius: 2px; }
.colorbar .mid { text-align: center; }
.colorbar .hi { text-align: right; grid-column: 3; }
`;

const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/;

function renderImage(img: ReportImage, where: string): string {
  check(typeof img.src === 'string' && DATA_IMAGE.test(img.src), 'input', () =>
    `renderReport: ${where} image must be a base64 data:image/… URI (the page makes no external requests); found ${JSON.stringify(String(img.src).slice(0, 40))}`);
  check(typeof img.width === 'number' && img.width > 0, 'option', () => `renderReport: ${where} image width must be a positive number; found ${String(img.width)}`);
  const cls = img.pixelated === false ? '' : ' class="pixelated"';
  const label = img.label ? `<span>${escapeHtml(img.label)}</span>` : '';
  return `<div class="image"><img${cls} width="${Math.round(img.width)}" alt="${escapeHtml(img.alt)}" src="${img.src}">${label}</div>`;
}

function renderColorBar(bar: ReportColorBar, where: string): string {
  check(DATA_IMAGE.test(bar.src), 'input', () => `renderReport: ${where} colour bar must be a data:image/… URI`);
  const mid = bar.middle !== undefined ? `<span class="mid">${escapeHtml(bar.middle)}</span>` : '<span class="mid"></span>';
  return `<div class="colorbar"><img alt="colour scale" src="${bar.src}"><span class="lo">${escapeHtml(bar.low)}</span>${mid}<span class="hi">${escapeHtml(bar.high)}</span></div>`;
}

/** Renders example blocks to HTML; `svg` renders (and checks) a tile's inline SVG. */
export function renderExamples(examples: readonly ReportExample[], where: string, svg: (text: string, where: string) => string): string {
  check(Array.isArray(examples), 'input', () => `renderReport: ${where} examples must be an array`);
  return examples
    .map((ex, i) => {
      const w = `${where} example ${i}`;
      check(ex !== null && typeof ex === 'object' && typeof ex.title === 'string' && Array.isArray(ex.tiles), 'input', () => `renderReport: ${w} needs a title and tiles`);
      const tiles = ex.tiles.map((t: ReportTile, j: number) => {
        const tw = `${w} tile ${j}`;
        check(typeof t.caption === 'string', 'input', () => `renderReport: ${tw} needs a caption`);
        const images = t.images?.length ? `<div class="images">${t.images.map((img: ReportImage, k: number) => renderImage(img, `${tw} image ${k}`)).join('')}</div>` : '';
        const chart = t.svg !== undefined ? `<div class="chart">${svg(t.svg, tw)}</div>` : '';
        const bar = t.colorBar ? renderColorBar(t.colorBar, tw) : '';
        const note = t.note ? `<span class="note">${escapeHtml(t.note)}</span>` : '';
        // The tile is as wide as its images, so the colour bar spans them and tiles sit side by side.
        const width = t.images?.length ? t.images.reduce((sum, img) => sum + Math.round(img.width), 0) + 8 * (t.images.length - 1) : 0;
        const style = width > 0 ? ` style="width: ${width + 26}px"` : '';
        return `<figure class="tile"${style}>${images}${chart}${bar}<figcaption class="caption">${escapeHtml(t.caption)}${note}</figcaption></figure>`;
      });
      const prediction = ex.prediction ? `<p class="prediction">${escapeHtml(ex.prediction)}</p>` : '';
      return `<article class="example"><h3>${escapeHtml(ex.title)}</h3>${prediction}<div class="tiles">\n${tiles.join('\n')}\n</div></article>`;
    })
    .join('\n');
}
