// Re-scoring a run (or a transcripts file) with a reward spec and an optional judge, written to a
// new place: `userlm score` and the editor's "Re-score Run With…" call this. The original is never
// edited. Kept out of core/rewards/index.ts (it reads and writes runs); import it by path.
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { RewardSpec, Transcript } from '../generated/schema-types';
import { loadWorkspace } from '../model/load';
import { workspaceSource } from '../datasets';
import { readTranscripts } from '../runs/storage';
import { createRunDir, readJson, writeJsonAtomic, RUN_JSON, SUMMARY_JSON, TRANSCRIPTS } from '../runs/storage';
import { judgeFor, type RunJson } from '../runs/runner';
import { defaultSpec } from '../runs/suite';
import { summarize, type Summary } from '../runs/summary';
import { normalizeComponents } from './spec';
import { loadRewardSpec } from './spec';
import { scoreTranscripts } from './rescore';

export interface RescoreRunOptions {
  /** A run directory (holding transcripts.jsonl) or a transcripts `.jsonl` file. */
  input: string;
  /** The workspace root (scenarios, profiles, userlm.yaml). */
  root: string;
  /** A reward spec file; default: the run's own spec (run.json), else the workspace default. */
  rewardsFile?: string;
  /** Judge backend id for the judge components; default: none (judge components get no value, as in a run without a judge). */
  judgeId?: string;
  /** Write the transcripts to this file instead of a new run directory beside the input. */
  out?: string;
  secret: (ref: string) => string | undefined;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

export interface RescoreRunResult {
  /** The transcripts file written. */
  transcriptsFile: string;
  /** The new run directory (absent with `out`). */
  runDir?: string;
  spec: RewardSpec;
  specSource: string;
  transcripts: Transcript[];
  summary: Summary;
}

/** Where the input's transcripts are; a clear error when there are none. */
export function transcriptsFileOf(input: string): string {
  const p = resolve(input);
  if (!existsSync(p)) throw new Error(`${input}: no such run directory or transcripts file`);
  if (statSync(p).isDirectory()) {
    const f = join(p, TRANSCRIPTS);
    if (!existsSync(f)) throw new Error(`${input}: not a run directory (no ${TRANSCRIPTS} in it)`);
    return f;
  }
  if (!p.endsWith('.jsonl')) throw new Error(`${input}: give a run directory or a transcripts .jsonl file`);
  return p;
}

export async function rescoreRun(opts: RescoreRunOptions): Promise<RescoreRunResult> {
  const file = transcriptsFileOf(opts.input);
  const inputDir = statSync(resolve(opts.input)).isDirectory() ? resolve(opts.input) : undefined;
  const oldRun = inputDir && existsSync(join(inputDir, RUN_JSON)) ? readJson<RunJson>(join(inputDir, RUN_JSON)) : undefined;
  const transcripts = readTranscripts(file, 'strict'); // a bad line is an error naming file and line: nothing is lost silently
  if (!transcripts.length) throw new Error(`${file}: no transcripts to score`);
  const ws = await loadWorkspace(opts.root);
  let spec: RewardSpec;
  let specSource: string;
  if (opts.rewardsFile) { spec = loadRewardSpec(resolve(opts.rewardsFile)); specSource = resolve(opts.rewardsFile); }
  else if (oldRun?.rewards) { spec = oldRun.rewards; specSource = `${oldRun.rewards_source} (from ${join(inputDir!, RUN_JSON)})`; }
  else ({ spec, source: specSource } = defaultSpec(ws));
  if (opts.out && resolve(opts.out) === file) throw new Error(`--out ${opts.out} is the input file: score never edits the original; choose another file`);
  const judge = judgeFor(opts.root, ws.config?.value, spec, opts.judgeId, { config: ws.config?.value, secret: opts.secret });
  const source = workspaceSource(ws);
  const scored = await scoreTranscripts(transcripts, { spec, source, judge, signal: opts.signal, onProgress: opts.onProgress });

  const runIdOf = (t: Transcript) => t.run_id;
  const suiteId = oldRun?.suite?.id ?? 'rescored';
  const thresholds = (oldRun?.suite?.thresholds ?? {}) as Record<string, number>;
  const judgeComponents = normalizeComponents(spec).filter((c) => c.kind === 'judge').map((c) => c.name);
  if (opts.out) {
    const out = resolve(opts.out);
    mkdirSync(dirname(out), { recursive: true });
    writeAtomic(out, toJsonl(scored));
    const summary = summarize({ runId: runIdOf(scored[0]), suiteId, transcripts: scored, thresholds, judgeComponents });
    return { transcriptsFile: out, spec, specSource, transcripts: scored, summary };
  }
  const base = inputDir ? basename(inputDir) : basename(file, '.jsonl');
  const { runId, runDir } = createRunDir(dirname(inputDir ?? file), `${base}-rescored`);
  const withId = scored.map((t) => ({ ...t, run_id: runId }));
  writeAtomic(join(runDir, TRANSCRIPTS), toJsonl(withId));
  const summary = summarize({ runId, suiteId, transcripts: withId, thresholds, judgeComponents });
  writeJsonAtomic(join(runDir, SUMMARY_JSON), summary);
  const now = new Date().toISOString();
  const runJson: RunJson & { rescored_from: string } = {
    ...(oldRun ?? {
      started_at: now, root: opts.root, suite_file: '', suite: { kind: 'suite', id: suiteId, scenarios: [] } as unknown as RunJson['suite'],
      simulator: transcripts[0].simulator, agent: transcripts[0].agent, backends: [], versions: { userlm: '', node: process.version }, resumes: [], judge_errors: 0,
    } as unknown as RunJson),
    run_id: runId, status: 'completed', ended_at: now, rewards: spec, rewards_source: specSource, judge: opts.judgeId ?? null,
    dialogues: withId.length, rescored_from: inputDir ?? file,
  };
  writeJsonAtomic(join(runDir, RUN_JSON), runJson);
  return { transcriptsFile: join(runDir, TRANSCRIPTS), runDir, spec, specSource, transcripts: withId, summary };
}

function toJsonl(ts: readonly Transcript[]): string {
  return ts.map((t) => JSON.stringify(t)).join('\n') + '\n';
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
