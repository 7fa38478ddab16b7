// summary.json: per run, per scenario and per split — dialogues, errors, pass/fail by thresholds,
// mean total, mean of every reward component and the paper metrics.
import type { Transcript } from '../generated/schema-types';
import { METRICS, metricOf, round6, type Metric, type MetricValue } from '../rewards';
export { metricOf } from '../rewards';

export interface GroupSummary {
  dialogues: number;
  /** Dialogues that ended with a backend error (`end.reason: error`): counted as failed. */
  errors: number;
  passed: number;
  /** Dialogues (without error) that missed a threshold. */
  failed_thresholds: number;
  pass_rate: number | null;
  /** Mean `rewards.total` over the dialogues that have one (errored or cancelled ones have none). */
  total: number | null;
  /** Mean of each component (turn_mean and session values) over dialogues that have it. */
  components: Record<string, number>;
  /** Mean of each metric over dialogues, with its source: judge values where any dialogue has one, else rule values, else {null, null} ("no judge"). */
  metrics: Record<Metric, MetricValue>;
  end_reasons: Record<string, number>;
  user_turns: number | null;
}

export interface Summary extends GroupSummary {
  run_id: string;
  suite_id: string;
  thresholds: Record<string, number>;
  by_scenario: Record<string, GroupSummary>;
  by_split: Record<string, GroupSummary>;
  /** Spec judge components that got no value in any dialogue ("no judge"). */
  no_judge: string[];
  /** Dialogues that failed, with the thresholds they missed (or `error`). First 100. */
  failures: { dialogue_id: string; failed: string[] }[];
  /** No error and every dialogue passed every threshold. */
  pass: boolean;
}

/** The thresholds a dialogue misses (`Rob` is an upper bound; a missing value misses). */
export function missedThresholds(t: Transcript, thresholds: Record<string, number>): string[] {
  if (t.end.reason === 'error') return ['error'];
  const missed: string[] = [];
  for (const [key, bound] of Object.entries(thresholds)) {
    const v = thresholdValue(t, key);
    if (v === null || (key === 'Rob' ? v > bound + 1e-12 : v < bound - 1e-12)) missed.push(`${key}${v === null ? ' (no value)' : ` ${fmt(v)} ${key === 'Rob' ? '>' : '<'} ${bound}`}`);
  }
  return missed;
}

function thresholdValue(t: Transcript, key: string): number | null {
  if (key === 'total') return t.rewards.total ?? null;
  if ((METRICS as readonly string[]).includes(key)) return metricOf(t, key).value;
  return t.rewards.turn_mean[key] ?? t.rewards.session[key] ?? null;
}

const fmt = (v: number) => String(round6(v));

function meanOf(xs: number[]): number | null {
  if (!xs.length) return null;
  let s = 0;
  for (const x of xs) s += x;
  return round6(s / xs.length);
}

function groupMetric(v: { rule: number[]; judge: number[] } | undefined): MetricValue {
  if (v?.judge.length) return { value: meanOf(v.judge), source: 'judge' };
  if (v?.rule.length) return { value: meanOf(v.rule), source: 'rule' };
  return { value: null, source: null };
}

export function summarizeGroup(ts: Transcript[], thresholds: Record<string, number>): GroupSummary {
  const ok = ts.filter((t) => t.end.reason !== 'error');
  const passed = ok.filter((t) => missedThresholds(t, thresholds).length === 0).length;
  const components: Record<string, number[]> = {};
  const metricVals: Record<string, { rule: number[]; judge: number[] }> = {};
  const endReasons: Record<string, number> = {};
  for (const t of ts) endReasons[t.end.reason] = (endReasons[t.end.reason] ?? 0) + 1;
  for (const t of ok) {
    for (const [k, v] of [...Object.entries(t.rewards.turn_mean), ...Object.entries(t.rewards.session)]) (components[k] ??= []).push(v);
    for (const m of METRICS) { const v = metricOf(t, m); if (v.value !== null && v.source) (metricVals[m] ??= { rule: [], judge: [] })[v.source].push(v.value); }
  }
  return {
    dialogues: ts.length,
    errors: ts.length - ok.length,
    passed,
    failed_thresholds: ok.length - passed,
    pass_rate: ts.length ? round6(passed / ts.length) : null,
    total: meanOf(ok.map((t) => t.rewards.total).filter((x): x is number => typeof x === 'number')),
    components: Object.fromEntries(Object.entries(components).map(([k, v]) => [k, meanOf(v)!])),
    metrics: Object.fromEntries(METRICS.map((m) => [m, groupMetric(metricVals[m])])) as Record<Metric, MetricValue>,
    end_reasons: endReasons,
    user_turns: meanOf(ts.map((t) => t.turns.filter((u) => u.speaker === 'user').length)),
  };
}

export function summarize(opts: { runId: string; suiteId: string; transcripts: Transcript[]; thresholds: Record<string, number>; judgeComponents: string[] }): Summary {
  const { transcripts: ts, thresholds } = opts;
  const group = <K extends string>(key: (t: Transcript) => K) => {
    const m = new Map<K, Transcript[]>();
    for (const t of ts) { const k = key(t); const a = m.get(k) ?? []; a.push(t); m.set(k, a); }
    return Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, summarizeGroup(v, thresholds)]));
  };
  const all = summarizeGroup(ts, thresholds);
  const failures = ts
    .map((t) => ({ dialogue_id: t.dialogue_id, failed: missedThresholds(t, thresholds) }))
    .filter((f) => f.failed.length > 0);
  const judged = new Set(ts.flatMap((t) => [...Object.keys(t.rewards.turn_mean), ...Object.keys(t.rewards.session)]));
  return {
    run_id: opts.runId, suite_id: opts.suiteId, thresholds, ...all,
    by_scenario: group((t) => t.scenario_id),
    by_split: group((t) => t.split ?? 'standard'),
    no_judge: opts.judgeComponents.filter((c) => !judged.has(c)),
    failures: failures.slice(0, 100),
    pass: all.errors === 0 && all.failed_thresholds === 0,
  };
}
