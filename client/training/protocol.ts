// Messages between the extension and the training metrics panel (imported by both sides: types
// and pure helpers only).
import type { ProgressPoint } from '../../core/training/submit';

export type { ProgressPoint };

/** Everything the metrics panel shows: enough to re-render it from scratch (restore, reload). */
export interface MetricsModel {
  backendId: string;
  jobId: string;
  status: string;
  terminal: boolean;
  points: ProgressPoint[];
  error?: string;
}

export type ToMetrics = { type: 'show'; model: MetricsModel } | { type: 'probe'; id: number };
export type FromMetrics = { type: 'ready' } | { type: 'probe'; id: number; state: MetricsRenderedState };

/** What the panel rendered, counted in its DOM. */
export interface MetricsRenderedState {
  jobId: string;
  status: string;
  /** One chart per series, by series name: how many points its line has. */
  series: Record<string, number>;
  charts: number;
  text: string;
}

/** The series to chart, in order: loss, eval_loss, reward, then each `reward/<component>` (only those with values). */
export function chartSeries(points: ProgressPoint[]): string[] {
  const names = new Set<string>();
  for (const p of points) for (const k of Object.keys(p)) if (k.startsWith('reward/') && typeof p[k] === 'number') names.add(k);
  const has = (k: string) => points.some((p) => typeof p[k] === 'number');
  return [...['loss', 'eval_loss', 'reward'].filter(has), ...[...names].sort()];
}

/** How many distinct training steps the progress lines cover. */
export function stepCount(points: ProgressPoint[]): number {
  return new Set(points.map((p) => p.step)).size;
}
