/**
 * `<lumen-explanation>`: the views as a web component for any page or notebook. Give it an
 * explanation (or a list) as the `explanation` property, as JSON in the element's text, or a URL in
 * `src` (fetched from the same origin); it renders the view of each one's kind. Built as its own
 * module (dist/web/lumen-explanation.js) that loads no tfjs.
 */
import { render } from 'preact';
import { shownFromJson } from './shown.js';
import { ExplanationView } from './views/explanation-view.js';
import { SummaryView } from './views/summary.js';
import './styles.css';

export class LumenExplanation extends HTMLElement {
  static observedAttributes = ['src', 'view'];
  private value: unknown;

  /** The explanation record(s) shown (src/core/explanation.ts Explanation, or `lumen explain --json` output). */
  set explanation(value: unknown) {
    this.value = value;
    this.update();
  }
  get explanation(): unknown {
    return this.value;
  }

  connectedCallback(): void {
    if (this.value === undefined && !this.getAttribute('src') && this.textContent?.trim()) {
      try { this.value = JSON.parse(this.textContent); } catch (e) { this.fail(e as Error); return; }
      this.textContent = '';
    }
    this.update();
  }

  attributeChangedCallback(name: string): void {
    if (name === 'src') void this.fetchSource();
    else this.update();
  }

  private async fetchSource(): Promise<void> {
    const src = this.getAttribute('src');
    if (!src) return;
    try {
      const res = await fetch(src);
      if (!res.ok) throw new Error(`${src}: HTTP ${res.status}`);
      this.explanation = await res.json();
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private fail(e: Error): void {
    render(<p class="error" role="alert">{e.message}</p>, this);
  }

  private update(): void {
    if (!this.isConnected || this.value === undefined) return;
    try {
      const shown = shownFromJson(this.value, this.getAttribute('src') ?? 'lumen-explanation');
      render(this.getAttribute('view') === 'summary' ? <SummaryView shown={shown} /> : <ExplanationView shown={shown} />, this);
    } catch (e) {
      this.fail(e as Error);
    }
  }
}

if (!customElements.get('lumen-explanation')) customElements.define('lumen-explanation', LumenExplanation);
