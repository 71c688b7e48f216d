// Prometheus' text exposition format (version 0.0.4): HELP and TYPE lines, samples, escaping.
import type { SeriesSpec } from "./series.js";

/** The Content-Type of the text format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One sample: its labels (in the order given) and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its spec and samples. A family with no samples still gets HELP and TYPE. */
export interface MetricFamily {
  spec: SeriesSpec;
  samples: Sample[];
}

/** Escapes a HELP text: backslash and newline. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A sample value as the format writes it (integers without a fraction, NaN and infinities by name). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** Renders families in the order given, each with its HELP and TYPE lines, ending with a newline. */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const { spec, samples } of families) {
    lines.push(`# HELP ${spec.name} ${escapeHelp(spec.help)}`, `# TYPE ${spec.name} ${spec.type}`);
    for (const s of samples) {
      const pairs = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
      lines.push(`${spec.name}${pairs.length === 0 ? "" : `{${pairs.join(",")}}`} ${formatValue(s.value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
