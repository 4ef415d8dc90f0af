/**
 * Export of what the views show: SVG (canvases as inline PNG images, Plot figures as nested SVG,
 * titles as text), PNG (that SVG drawn on a canvas) and a self-contained HTML file (the views'
 * markup with canvases replaced by inline images and the page's CSS inlined; no script, no network).
 */
import type { Shown } from './shown.js';

function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** The views as one SVG document: every canvas and Plot figure of `root`, in reading order, with their labels. */
export function viewsSvg(root: Element): string {
  const parts: string[] = [];
  let y = 10;
  let width = 200;
  const items = root.querySelectorAll('canvas, .plot > svg, .plot > figure svg, h3.view-title');
  items.forEach((el) => {
    if (el instanceof HTMLCanvasElement) {
      const w = el.clientWidth || el.width;
      const h = el.clientHeight || el.height;
      parts.push(`<image x="10" y="${y}" width="${w}" height="${h}" href="${el.toDataURL('image/png')}" style="image-rendering:pixelated"><title>${escape(el.getAttribute('aria-label') ?? '')}</title></image>`);
      y += h + 6;
      width = Math.max(width, w + 20);
    } else if (el instanceof SVGSVGElement) {
      const w = Number(el.getAttribute('width')) || el.clientWidth;
      const h = Number(el.getAttribute('height')) || el.clientHeight;
      const copy = el.cloneNode(true) as SVGSVGElement;
      copy.setAttribute('x', '10');
      copy.setAttribute('y', String(y));
      parts.push(new XMLSerializer().serializeToString(copy));
      y += h + 10;
      width = Math.max(width, w + 20);
    } else {
      y += 18;
      parts.push(`<text x="10" y="${y}" font-family="sans-serif" font-size="15" font-weight="bold">${escape(el.textContent ?? '')}</text>`);
      y += 8;
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${y + 10}" viewBox="0 0 ${width} ${y + 10}"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>`;
}

/** The SVG drawn on a canvas, as PNG bytes. */
export async function svgToPng(svg: string): Promise<Blob> {
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((resolve, reject) => { img.onload = () => resolve(); img.onerror = () => reject(new Error('the SVG export could not be drawn')); img.src = url; });
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext('2d')!.drawImage(img, 0, 0);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A self-contained HTML file of the views: markup, inlined images and CSS; nothing to fetch, nothing to run. */
export function viewsHtml(root: Element, title: string): string {
  const copy = root.cloneNode(true) as Element;
  const canvases = root.querySelectorAll('canvas');
  copy.querySelectorAll('canvas').forEach((c, i) => {
    const src = canvases[i]!;
    const img = document.createElement('img');
    img.src = src.toDataURL('image/png');
    img.alt = src.getAttribute('aria-label') ?? '';
    img.setAttribute('style', src.getAttribute('style') ?? '');
    img.className = src.className;
    c.replaceWith(img);
  });
  copy.querySelectorAll('input, select, button, .controls').forEach((el) => el.remove());
  let css = '';
  for (const sheet of Array.from(document.styleSheets)) {
    try { css += Array.from(sheet.cssRules).map((r) => r.cssText).join('\n'); } catch { /* a foreign sheet: skipped */ }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"><title>${escape(title)}</title><style>${css}</style></head><body><h1>${escape(title)}</h1>${copy.innerHTML}</body></html>`;
}

export function ExportButtons(props: { shown: readonly Shown[] }) {
  const root = (): Element => document.getElementById('views')!;
  const title = `Lumen — ${[...new Set(props.shown.map((s) => s.explanation.method))].join(', ')}`;
  return (
    <span class="export">
      export
      <button type="button" data-export="svg" onClick={() => download('lumen.svg', new Blob([viewsSvg(root())], { type: 'image/svg+xml' }))}>SVG</button>
      <button type="button" data-export="png" onClick={async () => download('lumen.png', await svgToPng(viewsSvg(root())))}>PNG</button>
      <button type="button" data-export="html" onClick={() => download('lumen.html', new Blob([viewsHtml(root(), title)], { type: 'text/html' }))}>HTML</button>
      <button type="button" data-export="json" onClick={() => download('lumen.json', new Blob([JSON.stringify(props.shown.map((s) => s.explanation))], { type: 'application/json' }))}>JSON</button>
    </span>
  );
}
