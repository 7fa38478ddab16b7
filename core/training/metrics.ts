// The reward components of a job over its steps, as text for a terminal (`userlm train metrics`).
import type { ProgressPoint } from './submit';

const SPARK = '▁▂▃▄▅▆▇█';

/** A one-line chart of the values (lowest ▁, highest █; a gap for a step without a value). */
export function sparkline(values: (number | undefined)[]): string {
  const xs = values.filter((v): v is number => v !== undefined);
  if (!xs.length) return '';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return values.map((v) => (v === undefined ? ' ' : SPARK[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (SPARK.length - 1)) : 3])).join('');
}

/** The metrics to show: loss, reward, then every `reward/<component>` (turn/…, session/… for multi-turn), then eval ones. */
export function metricNames(points: ProgressPoint[]): string[] {
  const names = new Set<string>();
  for (const p of points) for (const k of Object.keys(p)) if (k === 'loss' || k === 'reward' || k.startsWith('reward/') || k.startsWith('eval_reward')) names.add(k);
  const rank = (k: string) => (k === 'loss' ? 0 : k === 'reward' ? 1 : k.startsWith('reward/') ? 2 : 3);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * A summary per metric (first, last, min, max and a sparkline over the steps), then a table with
 * one row per step. Empty text when the log has no progress lines yet.
 */
export function formatMetrics(points: ProgressPoint[], opts: { maxRows?: number } = {}): string {
  const steps = points.filter((p) => metricNames([p]).length);
  if (!steps.length) return '';
  const names = metricNames(steps);
  const f = (v: number | undefined) => (v === undefined ? '-' : Math.abs(v) >= 1000 ? v.toExponential(2) : v.toFixed(4));
  const width = Math.max(6, ...names.map((n) => n.length));
  const lines = [`${'metric'.padEnd(width)}  ${'first'.padStart(9)} ${'last'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}  over steps ${steps[0].step}..${steps[steps.length - 1].step}`];
  for (const n of names) {
    const vs = steps.map((p) => p[n]);
    const xs = vs.filter((v): v is number => v !== undefined);
    if (!xs.length) continue;
    lines.push(`${n.padEnd(width)}  ${f(xs[0]).padStart(9)} ${f(xs[xs.length - 1]).padStart(9)} ${f(Math.min(...xs)).padStart(9)} ${f(Math.max(...xs)).padStart(9)}  ${sparkline(vs)}`);
  }
  const rows = steps.slice(-(opts.maxRows ?? 50));
  lines.push('', ['step', ...names].join('\t'));
  for (const p of rows) lines.push([String(p.step), ...names.map((n) => f(p[n]))].join('\t'));
  return lines.join('\n');
}
