// A tiny horizontal bar chart in SVG: groups of bars (one per contender), the median as the bar and
// the min–max of the repetitions as a whisker. No dependencies; the output is plain, diffable text.

export interface Bar {
  label: string;
  value: number;
  min?: number;
  max?: number;
  /** Defaults to the contender's colour (by label). */
  color?: string;
}

export interface Chart {
  title: string;
  /** What the axis measures, with its unit, and which way is better. */
  unit: string;
  groups: { label: string; bars: Bar[] }[];
  /** Replaces the default note (median bar, min–max whisker). */
  note?: string;
}

export const COLORS: Record<string, string> = {
  ws: '#7f8c8d',
  'ws-coalesced': '#34495e',
  'ws-tick': '#5d6d7e',
  socketio: '#e67e22',
  'socketio-redis': '#e67e22',
  ghost: '#8e44ad',
  'ghost-redis': '#8e44ad',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function fmt(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  return String(Number(v.toPrecision(3)));
}

export function barChart(chart: Chart): string {
  const width = 760;
  const labelW = 150;
  const valueW = 70;
  const barH = 16;
  const gap = 4;
  const groupGap = 14;
  const top = 44;
  const plotW = width - labelW - valueW - 20;
  const all = chart.groups.flatMap((g) => g.bars.flatMap((b) => [b.value, b.max ?? b.value])).filter(Number.isFinite);
  const scaleMax = Math.max(...all, 1e-9) * 1.02;
  const x = (v: number) => labelW + (Math.max(0, v) / scaleMax) * plotW;
  const rows: string[] = [];
  let y = top;
  for (const g of chart.groups) {
    if (chart.groups.length > 1 || g.label) {
      rows.push(`<text x="8" y="${y + 11}" font-weight="bold">${esc(g.label)}</text>`);
      y += 18;
    }
    for (const b of g.bars) {
      const color = b.color ?? COLORS[b.label] ?? '#2980b9';
      const w = Number.isFinite(b.value) ? x(b.value) - labelW : 0;
      rows.push(`<text x="${labelW - 6}" y="${y + 12}" text-anchor="end">${esc(b.label)}</text>`);
      rows.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color}" rx="2"/>`);
      if (b.min !== undefined && b.max !== undefined && Number.isFinite(b.min) && Number.isFinite(b.max) && b.max > b.min) {
        const cy = y + barH / 2;
        rows.push(`<path d="M${x(b.min).toFixed(1)} ${cy}H${x(b.max).toFixed(1)}M${x(b.min).toFixed(1)} ${cy - 4}v8M${x(b.max).toFixed(1)} ${cy - 4}v8" stroke="#111" stroke-width="1.2" fill="none"/>`);
      }
      const end = Math.max(x(b.value), b.max !== undefined && Number.isFinite(b.max) ? x(b.max) : 0);
      rows.push(`<text x="${(Number.isFinite(end) ? end : labelW) + 5}" y="${y + 12}">${fmt(b.value)}</text>`);
      y += barH + gap;
    }
    y += groupGap;
  }
  const height = y + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12" fill="#222">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${esc(chart.title)}</text>`,
    `<text x="8" y="34" fill="#555">${esc(chart.unit)} — ${esc(chart.note ?? 'bar: median of the repetitions, whisker: min–max')}</text>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}
