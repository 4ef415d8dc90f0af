/**
 * An Observable Plot figure as a Preact element: `make` builds the SVG; it is rebuilt when `deps` change.
 * The figure is swapped in a layout effect (before the browser paints), and `data-figure` names the figure
 * the element holds now, set in the same effect, so a reader never sees a new label over an old chart.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';

export function PlotFigure(props: { make: () => Element; deps: readonly unknown[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const figure = props.make();
    el.replaceChildren(figure);
    el.dataset.figure = props.label;
    return () => figure.remove();
  }, [...(props.deps as unknown[]), props.label]);
  return <div class="plot" ref={ref} />;
}
