// Pure helpers of the training metrics panel (imported by both sides). Its message types live with
// the other webview protocols in client/protocol.ts and are re-exported here.
import type { ProgressPoint } from '../protocol';

export type { FromMetrics, MetricsModel, MetricsRenderedState, ProgressPoint, ToMetrics } from '../protocol';

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
