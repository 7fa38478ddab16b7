// Comparing two runs, and listing runs: read from each run's summary.json (or recomputed from
// transcripts.jsonl when the summary is missing, e.g. after a kill).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { METRICS } from '../rewards';
import { DEFAULT_OUT, listRunDirs, readJson, readTranscripts, RUN_JSON, SUMMARY_JSON } from './storage';
import { summarize, type GroupSummary, type Summary } from './summary';
import type { RunJson } from './runner';

export interface Delta { a: number | null; b: number | null; delta: number | null }
export interface GroupComparison { dialogues: { a: number; b: number }; values: Record<string, Delta> }
export interface Comparison {
  a: { run_id: string; dir: string; suite_id: string };
  b: { run_id: string; dir: string; suite_id: string };
  overall: GroupComparison;
  by_scenario: Record<string, GroupComparison>;
  by_split: Record<string, GroupComparison>;
}

export interface RunInfo {
  id: string;
  dir: string;
  suite_id: string;
  status: RunJson['status'];
  started_at: string;
  ended_at: string | null;
  dialogues: number;
  finished: number;
  errors: number;
  passed: number;
  total: number | null;
  pass: boolean | null;
}

/** A run's summary: summary.json, else recomputed from its transcripts and run.json's thresholds. */
export function loadSummary(runDir: string): Summary {
  const dir = resolve(runDir);
  if (existsSync(join(dir, SUMMARY_JSON))) return readJson<Summary>(join(dir, SUMMARY_JSON));
  if (!existsSync(join(dir, RUN_JSON))) throw new Error(`${dir}: not a run directory (no ${RUN_JSON})`);
  const run = readJson<RunJson>(join(dir, RUN_JSON));
  const judgeComponents = run.rewards.components.filter((c) => c.kind === 'judge').map((c) => c.name);
  return summarize({ runId: run.run_id, suiteId: run.suite.id, transcripts: readTranscripts(dir), thresholds: run.suite.thresholds ?? {}, judgeComponents });
}

/** The values compared: total, pass rate, each paper metric, each reward component. */
export function groupValues(g: GroupSummary): Record<string, number | null> {
  const out: Record<string, number | null> = { total: g.total, pass_rate: g.pass_rate };
  for (const m of METRICS) out[m] = g.metrics[m]?.value ?? null;
  for (const [k, v] of Object.entries(g.components)) out[k] = v;
  return out;
}

function compareGroups(a: GroupSummary | undefined, b: GroupSummary | undefined): GroupComparison {
  const va = a ? groupValues(a) : {};
  const vb = b ? groupValues(b) : {};
  const keys = [...new Set([...Object.keys(va), ...Object.keys(vb)])];
  const values: Record<string, Delta> = {};
  for (const k of keys) {
    const x = va[k] ?? null;
    const y = vb[k] ?? null;
    values[k] = { a: x, b: y, delta: x !== null && y !== null ? Math.round((y - x) * 1e6) / 1e6 : null };
  }
  return { dialogues: { a: a?.dialogues ?? 0, b: b?.dialogues ?? 0 }, values };
}

function compareMaps(a: Record<string, GroupSummary>, b: Record<string, GroupSummary>): Record<string, GroupComparison> {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return Object.fromEntries(keys.map((k) => [k, compareGroups(a[k], b[k])]));
}

/** Per scenario, per split and overall: each value in run A, in run B, and B - A. */
export function compareRuns(a: string, b: string): Comparison {
  const sa = loadSummary(a);
  const sb = loadSummary(b);
  return {
    a: { run_id: sa.run_id, dir: resolve(a), suite_id: sa.suite_id },
    b: { run_id: sb.run_id, dir: resolve(b), suite_id: sb.suite_id },
    overall: compareGroups(sa, sb),
    by_scenario: compareMaps(sa.by_scenario, sb.by_scenario),
    by_split: compareMaps(sa.by_split, sb.by_split),
  };
}

/** Runs under `<root>/<outDir>` (default `.userlm/runs`), oldest first. */
export function listRuns(root: string, outDir?: string): RunInfo[] {
  const dir = resolve(root, outDir ?? DEFAULT_OUT);
  return listRunDirs(dir).map((d) => {
    const run = readJson<RunJson>(join(d, RUN_JSON));
    let s: Summary | undefined;
    try { s = loadSummary(d); } catch { s = undefined; }
    return {
      id: run.run_id, dir: d, suite_id: run.suite?.id ?? '', status: run.status, started_at: run.started_at, ended_at: run.ended_at,
      dialogues: run.dialogues, finished: s?.dialogues ?? 0, errors: s?.errors ?? 0, passed: s?.passed ?? 0,
      total: s?.total ?? null, pass: s ? s.pass : null,
    };
  }).sort((x, y) => x.started_at.localeCompare(y.started_at));
}
