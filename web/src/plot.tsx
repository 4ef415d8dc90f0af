/** An Observable Plot figure as a Preact element: `make` builds the SVG; it is rebuilt when `deps` change. */
import { useEffect, useRef } from 'preact/hooks';

export function PlotFigure(props: { make: () => Element; deps: readonly unknown[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const figure = props.make();
    el.replaceChildren(figure);
    return () => figure.remove();
  }, props.deps as unknown[]);
  return <div class="plot" ref={ref} data-figure={props.label} />;
}
