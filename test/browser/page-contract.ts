/** What the headless-Chromium test page computes and reports (shared by page.ts and chromium.test.ts). */

/** The options both sides run saliency and IG with. */
export const PAGE_OPTIONS = { target: [3, 7], steps: 16 } as const;

/** The page's numbers, as plain arrays (they cross the page boundary as JSON). */
export interface PageNumbers {
  readonly backend: string;
  readonly saliency: number[];
  readonly integratedGradients: number[];
  readonly onnxOutput: number[];
}

/** `globalThis.lumenResult` once the page is done: its numbers and what the page saw, or the error it hit. */
export type PageResult =
  | (PageNumbers & { readonly tensorsLeft: number; readonly violations: string[]; readonly evalRefused: boolean })
  | { readonly error: string };
