// A small hand-drawn SVG time series: the last N values as a line, the newest value beside it.

interface Props {
  label: string;
  values: number[];
  unit?: string;
}

/** A labelled sparkline; the SVG carries the label for screen readers. */
export function Sparkline({ label, values, unit = "" }: Props) {
  const w = 160;
  const h = 36;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`).join(" ");
  const last = values.at(-1) ?? 0;
  return (
    <figure class="spark">
      <figcaption>{label}</figcaption>
      <div class="spark-row">
        <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={`${label}: ${format(last)}${unit}, peak ${format(max)}${unit}`}>
          <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.5" />
        </svg>
        <strong class="spark-value">
          {format(last)}
          {unit}
        </strong>
      </div>
    </figure>
  );
}

function format(v: number): string {
  return v >= 100 ? Math.round(v).toLocaleString("en") : v.toFixed(v === Math.round(v) ? 0 : 1);
}
