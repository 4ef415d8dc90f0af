/** An RGBA buffer (src/render/image.ts) drawn on a canvas, scaled up without smoothing to `size` CSS pixels. */
import { useEffect, useRef } from 'preact/hooks';
import type { RgbaBuffer } from '../../src/render/image.js';

export function RgbaCanvas(props: { image: RgbaBuffer; size: number; label: string; onClick?: () => void; selected?: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    canvas.width = props.image.width;
    canvas.height = props.image.height;
    const ctx = canvas.getContext('2d');
    ctx?.putImageData(new ImageData(new Uint8ClampedArray(props.image.data), props.image.width, props.image.height), 0, 0);
  }, [props.image]);
  const h = Math.round((props.size * props.image.height) / props.image.width);
  return (
    <canvas
      ref={ref} role="img" aria-label={props.label} title={props.label}
      class={`pixelated${props.selected ? ' selected' : ''}`}
      style={{ width: `${props.size}px`, height: `${h}px` }}
      onClick={props.onClick}
    />
  );
}
