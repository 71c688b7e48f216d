// A small SVG bar chart of the results, written by hand (no browser, no chart library).

/** One horizontal bar. */
export interface Bar {
  label: string;
  value: number;
  group: string;
}

/** One panel: a title, a unit and its bars. */
export interface Panel {
  title: string;
  unit: string;
  bars: Bar[];
}

const COLORS: Record<string, string> = { ladder: "#9aa5b1", statehouse: "#f38020", peer: "#3b82f6", cold: "#f38020", other: "#64748b" };
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Renders panels stacked vertically into one SVG document. */
export function renderSvg(title: string, subtitle: string, panels: Panel[]): string {
  const width = 900;
  const labelW = 330;
  const barH = 16;
  const gap = 5;
  let y = 58;
  const parts: string[] = [];
  for (const p of panels) {
    parts.push(`<text x="12" y="${y}" font-size="14" font-weight="bold">${esc(p.title)}</text>`);
    y += 10;
    const max = Math.max(1e-9, ...p.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)));
    for (const b of p.bars) {
      const w = Number.isFinite(b.value) ? Math.max(1, ((width - labelW - 110) * b.value) / max) : 0;
      y += barH + gap;
      parts.push(
        `<text x="${labelW - 8}" y="${y - 4}" font-size="11" text-anchor="end">${esc(b.label)}</text>`,
        `<rect x="${labelW}" y="${y - barH}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[b.group] ?? COLORS.other}"/>`,
        `<text x="${labelW + w + 6}" y="${y - 4}" font-size="11">${Number.isFinite(b.value) ? fmt(b.value) : "n/a"} ${esc(p.unit)}</text>`,
      );
    }
    y += 30;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="22" font-size="17" font-weight="bold">${esc(title)}</text>`,
    `<text x="12" y="40" font-size="11" fill="#475569">${esc(subtitle)}</text>`,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}

function fmt(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
