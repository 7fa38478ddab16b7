// Plain aligned text tables (first column left, the rest right-aligned).
import { visibleLength } from './style';

export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => visibleLength(r[c] ?? ''))));
  const pad = (s: string, c: number) => {
    const gap = ' '.repeat(Math.max(0, widths[c] - visibleLength(s)));
    return c === 0 ? s + gap : gap + s;
  };
  const line = (r: string[]) => r.map((s, c) => pad(s ?? '', c)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

export function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined ? '-' : v.toFixed(digits);
}

export function signed(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return '-';
  const s = v.toFixed(digits);
  return v > 0 ? `+${s}` : s;
}
