// Eval runs and previews. runSuite: a suite's dialogues with a concurrency limit (backend calls
// also go through each backend's shared limiter), each finished dialogue scored and appended to
// transcripts.jsonl at once, run.json and summary.json written atomically, resume that skips
// finished dialogues. previewDialogue: one scored dialogue with streaming events.
import { existsSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Backend, Scenario, Transcript, Turn, Workspace } from '../generated/schema-types';
import { loadWorkspace, loadYamlFile, resolveProfile } from '../model/load';
import { runDialogue, type DialogueEvent } from '../dialogue';
import { findBackend, backendKey, type EngineEnv, type ResolvedProfile } from '../dialogue/types';
import { createSimulator } from '../simulate';
import { createAgent, modelTacticJudge } from '../agents';
import { createJudge, normalizeComponents, routeJudges, scoreTranscript, scoreUserTurn, turnScore, type Judge } from '../rewards';
import { resolveSuite, defaultSpec, selectDialogues, type DialogueSelection, type PlannedDialogue, type ResolvedSuite } from './suite';
import { lockRunDir, type RunLock } from './lock';
import { isUntrustedError } from '../trust';
import { DEFAULT_AGENT, DEFAULT_SIMULATOR } from '../files';
import { TranscriptWriter, createRunDir, readJson, readTranscriptLines, repairTornTail, writeJsonAtomic, DEFAULT_OUT, RUN_JSON, SUMMARY_JSON, TRANSCRIPTS } from './storage';
import { summarize, type Summary } from './summary';

declare const __USERLM_VERSION__: string | undefined;
export const USERLM_VERSION = typeof __USERLM_VERSION__ === 'string' ? __USERLM_VERSION__ : '0.1.0';

export interface Progress { done: number; failed: number; total: number; inFlight: number; ratePerMin: number; etaSeconds: number | null }

export interface RunSuiteOptions {
  root: string;
  suiteFile: string;
  concurrency?: number;
  /** Where run directories go (default: the suite's `out`, else `.userlm/runs` under the root). */
  outDir?: string;
  /** Continue this run directory: finished dialogues are skipped. */
  resumeDir?: string;
  /** Run only these dialogues (a glob over dialogue and scenario ids, then the first N). */
  select?: DialogueSelection;
  /** What this run is, shown to another process that finds its run directory in use (default `an eval run`). */
  owner?: string;
  secret: (ref: string) => string | undefined;
  signal?: AbortSignal;
  onProgress?(p: Progress): void;
  /** Called once the run directory exists (before any dialogue). */
  onStart?(info: { runId: string; runDir: string; total: number; skipped: number }): void;
}

export interface RunJson {
  run_id: string;
  status: 'running' | 'completed' | 'cancelled' | 'failed';
  started_at: string;
  ended_at: string | null;
  root: string;
  suite_file: string;
  suite: ResolvedSuite['suite'];
  rewards: ResolvedSuite['spec'];
  rewards_source: string;
  simulator: string;
  agent: string | null;
  judge: string | null;
  /** Backends the run uses, as configured (secret references only, never secret values). */
  backends: Backend[];
  versions: { userlm: string; node: string };
  dialogues: number;
  resumes: string[];
  judge_errors: number;
  /** The selection of the latest start or resume (`--only`, `--limit`), when one was given. */
  selection?: DialogueSelection;
  error?: string;
}

/** The agent of a dialogue: the suite's, else the scenario's default, else the workspace default, else scripted. */
function agentFor(r: ResolvedSuite, d: PlannedDialogue): string {
  return r.suite.agent ?? d.scenario.agent?.default ?? r.config?.defaults?.agent ?? DEFAULT_AGENT;
}

/** A judge that never throws for backend failures: a failed call is "no value" and is counted. */
function tolerantJudge(j: Judge, onError: (e: Error) => void): Judge {
  return {
    async score(component, prompt, signal) {
      try { return await j.score(component, prompt, signal); } catch (e) {
        if (signal?.aborted) throw e;
        onError(e as Error);
        return { score: Number.NaN, raw: '' };
      }
    },
  };
}

/** The judge for a spec: `judgeId` for every judge component, a component's own `judge:` where set. */
export function judgeFor(root: string, config: Workspace | undefined, spec: ResolvedSuite['spec'], judgeId: string | undefined, env: EngineEnv): Judge | undefined {
  const cacheDir = join(root, '.userlm', 'judge-cache');
  const cache = new Map<string, Judge>();
  const make = (id: string) => {
    let j = cache.get(id);
    if (!j) { const b = findBackend(id, config, 'judge'); j = createJudge(b, backendKey(b, env), cacheDir); cache.set(id, j); }
    return j;
  };
  const byComponent = new Map<string, Judge>();
  for (const c of normalizeComponents(spec)) if (c.kind === 'judge' && c.judge) byComponent.set(c.name, make(c.judge));
  return routeJudges(byComponent, judgeId ? make(judgeId) : undefined);
}

function usedBackends(config: Workspace | undefined, ids: (string | null | undefined)[]): Backend[] {
  const want = new Set(ids.filter((x): x is string => !!x));
  return (config?.backends ?? []).filter((b) => want.has(b.id)).map((b) => ({ ...b }));
}

function errorTranscript(d: PlannedDialogue, runId: string, simulator: string, agent: string, message: string): Transcript {
  return {
    run_id: runId, dialogue_id: d.id, scenario_id: d.scenario.id, profile_id: d.profile.id, seed: d.seed, simulator, agent,
    ...(d.scenario.split ? { split: d.scenario.split } : {}),
    started_at: new Date().toISOString(), turns: [], end: { reason: 'error', at_turn: 0, detail: 'the dialogue could not run' },
    rewards: { turn_mean: {}, session: {} }, // no total until scored; none for a cancelled or errored dialogue
    metrics: {},
    error: message,
  };
}

export async function runSuite(opts: RunSuiteOptions): Promise<{ runDir: string; summary: Summary }> {
  const root = resolve(opts.root);
  const resolved = await resolveSuite(root, opts.suiteFile);
  const selection = opts.select && (opts.select.only !== undefined || opts.select.limit !== undefined) ? opts.select : undefined;
  const r: ResolvedSuite = selection ? { ...resolved, dialogues: selectDialogues(resolved.dialogues, selection) } : resolved;
  const env: EngineEnv = { config: r.config, secret: opts.secret };
  // One signal for every dialogue and backend call of the run (many listeners at once is expected).
  const ctrl = new AbortController();
  setMaxListeners(0, ctrl.signal);
  if (opts.signal?.aborted) ctrl.abort();
  opts.signal?.addEventListener('abort', () => ctrl.abort(), { once: true });
  const signal = ctrl.signal;
  const concurrency = Math.max(1, opts.concurrency ?? r.concurrency);

  // Backends, keys and agents are checked before the run directory exists: a missing key or an
  // unknown backend fails here, leaving nothing behind.
  let judgeErrors = 0;
  let lastJudgeError: string | undefined;
  const judge = (() => {
    const j = judgeFor(root, r.config, r.spec, r.suite.judge, env);
    return j && tolerantJudge(j, (e) => { judgeErrors++; lastJudgeError = e.message; });
  })();
  if (r.dialogues.some((d) => agentFor(r, d) === 'human')) throw new Error(`${r.suiteFile}: the 'human' agent cannot play in an eval; set the suite's agent to scripted, adversarial or a backend id`);
  const simulator = createSimulator(r.simulator, env);
  const agents = new Map<string, ReturnType<typeof createAgent>>();
  for (const d of r.dialogues) { const id = agentFor(r, d); if (!agents.has(id)) agents.set(id, createAgent(id, env)); }
  const agentOf = (id: string) => agents.get(id)!;
  // With a judge backend, tactics a model agent uses are judged by the model (cue phrases stay the fallback).
  const tacticJudges = new Map([...agents].map(([id, a]) => [id, modelTacticJudge(a, r.suite.judge, env)]));

  let runId: string;
  let runDir: string;
  let runJson: RunJson;
  let lock: RunLock;
  const owner = opts.owner ?? 'an eval run';
  const done = new Set<string>();
  /** Every transcript in transcripts.jsonl: those found on resume, then each one appended. */
  const finishedTranscripts: Transcript[] = [];
  if (opts.resumeDir) {
    runDir = resolve(opts.resumeDir);
    if (!existsSync(join(runDir, RUN_JSON))) throw new Error(`${runDir}: not a run directory (no ${RUN_JSON})`);
    lock = lockRunDir(runDir, owner);
    try {
      runJson = readJson<RunJson>(join(runDir, RUN_JSON));
      if (runJson.suite?.id !== r.suite.id) throw new Error(`${runDir}: this run is of suite '${runJson.suite?.id}', not '${r.suite.id}' (${r.suiteFile})`);
      runId = runJson.run_id;
      repairTornTail(join(runDir, TRANSCRIPTS));
      for (const t of readTranscriptLines(runDir).transcripts) {
        if (done.has(t.dialogue_id)) continue;
        done.add(t.dialogue_id);
        finishedTranscripts.push(t);
      }
    } catch (e) {
      lock.release();
      throw e;
    }
    delete runJson.selection; // the selection of this resume, if any, replaces the last one
    runJson = { ...runJson, status: 'running', ended_at: null, resumes: [...(runJson.resumes ?? []), new Date().toISOString()], ...(selection ? { selection } : {}) };
  } else {
    const outDir = opts.outDir ? resolve(opts.outDir) : resolve(root, r.suite.out ?? DEFAULT_OUT);
    ({ runId, runDir } = createRunDir(outDir, r.suite.id));
    lock = lockRunDir(runDir, owner);
    const agentIds = [...agents.keys()];
    runJson = {
      run_id: runId, status: 'running', started_at: new Date().toISOString(), ended_at: null,
      root, suite_file: relative(root, r.suiteFile), suite: r.suite, rewards: r.spec, rewards_source: isAbsolute(r.specSource) ? relative(root, r.specSource) : r.specSource,
      simulator: r.simulator, agent: agentIds.length === 1 ? agentIds[0] : (r.suite.agent ?? null), judge: r.suite.judge ?? null,
      backends: usedBackends(r.config, [r.simulator, ...agentIds, r.suite.judge, ...normalizeComponents(r.spec).map((c) => c.judge)]),
      versions: { userlm: USERLM_VERSION, node: process.version }, dialogues: r.dialogues.length, resumes: [], judge_errors: 0,
      ...(selection ? { selection } : {}),
    };
  }
  // From here the run directory is ours: released however the run ends.
  try {
    writeJsonAtomic(join(runDir, RUN_JSON), runJson);
    const todo = r.dialogues.filter((d) => !done.has(d.id));
    opts.onStart?.({ runId, runDir, total: r.dialogues.length, skipped: r.dialogues.length - todo.length });

    const total = r.dialogues.length;
    let finished = total - todo.length;
    let finishedNow = 0;
    let failed = 0;
    let inFlight = 0;
    const started = Date.now();
    const progress = () => {
      if (!opts.onProgress) return;
      const minutes = (Date.now() - started) / 60000;
      const rate = minutes > 0 ? finishedNow / minutes : 0;
      opts.onProgress({ done: finished, failed, total, inFlight, ratePerMin: rate, etaSeconds: rate > 0 ? ((total - finished) / rate) * 60 : null });
    };
    progress();

    const writer = new TranscriptWriter(runDir);
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !signal.aborted) {
        const d = todo[next++];
        inFlight++;
        const agentId = agentFor(r, d);
        let t: Transcript;
        try {
          t = await runDialogue({
            scenario: d.scenario, profile: d.profile, config: r.config, simulator, agent: agentOf(agentId),
            seed: d.seed, runId, dialogueId: d.id, signal, tacticJudge: tacticJudges.get(agentId),
          });
          // Rule rewards for every finished dialogue; no judge calls for one that broke off with an error.
          if (t.end.reason !== 'cancelled') t = await scoreTranscript(t, { scenario: d.scenario, profile: d.profile, spec: r.spec, judge: t.end.reason === 'error' ? undefined : judge, signal });
        } catch (e) {
          // A key refused for an untrusted workspace stops the whole run: no dialogue may send it.
          if (isUntrustedError(e)) throw e;
          t = signal.aborted ? { ...errorTranscript(d, runId, simulator.id, agentId, ''), end: { reason: 'cancelled', at_turn: 0 } } : errorTranscript(d, runId, simulator.id, agentId, (e as Error).message);
        }
        inFlight--;
        if (t.end.reason === 'cancelled') continue; // in flight at Ctrl-C: not finished, so a resume runs it again
        writer.append(t);
        finishedTranscripts.push(t);
        finished++;
        finishedNow++;
        if (t.end.reason === 'error') failed++;
        progress();
        // Built-in simulators never wait on I/O: yield so progress, cancel and other callers get the event loop.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    };
    // A worker that throws stops the others (abort), and the writer closes only once all have stopped.
    const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, () => worker().catch((e) => { ctrl.abort(); throw e; })));
    writer.close();
    const runError = (settled.find((x) => x.status === 'rejected') as PromiseRejectedResult | undefined)?.reason as Error | undefined;

    const all = finishedTranscripts;
    const judgeComponents = normalizeComponents(r.spec).filter((c) => c.kind === 'judge').map((c) => c.name);
    const summary = summarize({ runId, suiteId: r.suite.id, transcripts: all, thresholds: r.thresholds, judgeComponents });
    writeJsonAtomic(join(runDir, SUMMARY_JSON), summary);
    const complete = new Set(all.map((t) => t.dialogue_id));
    const status: RunJson['status'] = runError ? 'failed' : r.dialogues.every((d) => complete.has(d.id)) ? 'completed' : 'cancelled';
    writeJsonAtomic(join(runDir, RUN_JSON), {
      ...runJson, status, ended_at: new Date().toISOString(), judge_errors: (runJson.judge_errors ?? 0) + judgeErrors,
      ...(runError ? { error: runError.message } : lastJudgeError ? { error: `judge: ${lastJudgeError}` } : {}),
    });
    if (runError) throw runError;
    return { runDir, summary };
  } finally {
    lock.release();
  }
}

// ---- previews -----------------------------------------------------------------------------

export type PreviewEvent = DialogueEvent | { type: 'rewards'; turnIndex: number; rewards: Record<string, number>; score: number };

export interface PreviewOptions {
  root: string;
  scenarioFile: string;
  profileId?: string;
  simulator?: string;
  agent?: string;
  /** Judge backend id for the judge components (default: none, rule rewards only). */
  judge?: string;
  seed?: number;
  turns?: number;
  secret: (ref: string) => string | undefined;
  askHuman?: (prompt: string, signal?: AbortSignal) => Promise<string>;
  signal?: AbortSignal;
  onEvent?(e: PreviewEvent): void;
}

/** Targets met so far, from the agent turns' `targets_met` (the engine fills transcript.targets at the end). */
function targetsSoFar(turns: readonly Turn[], ids: string[]): Transcript['targets'] {
  const met = new Map<string, number>();
  for (const t of turns) if (t.speaker === 'agent') for (const id of t.targets_met ?? []) if (!met.has(id)) met.set(id, t.index);
  return ids.map((id) => ({ id, met_at: met.get(id) ?? null }));
}

export async function previewDialogue(opts: PreviewOptions): Promise<Transcript> {
  const root = resolve(opts.root);
  const ws = await loadWorkspace(root);
  const file = resolve(opts.scenarioFile);
  const loaded = loadYamlFile(file);
  if (loaded.kind !== 'scenario') throw new Error(`${file}: not a scenario (kind: ${String(loaded.kind)})`);
  const scenario = loaded.value as Scenario;
  let profile: ResolvedProfile;
  if (opts.profileId) {
    const p = ws.profiles.get(opts.profileId);
    if (!p) throw new Error(`profile '${opts.profileId}' is not in the workspace (known: ${[...ws.profiles.keys()].sort().join(', ') || 'none'})`);
    profile = { ...p.value, id: opts.profileId, name: p.value.name ?? opts.profileId };
  } else profile = resolveProfile(ws, scenario);
  const config = ws.config?.value;
  const env: EngineEnv = { config, secret: opts.secret, askHuman: opts.askHuman };
  const { spec } = defaultSpec(ws);
  const judge = opts.judge ? judgeFor(root, config, spec, opts.judge, env) : undefined;
  const simulator = createSimulator(opts.simulator ?? config?.defaults?.simulator ?? DEFAULT_SIMULATOR, env);
  const agent = createAgent(opts.agent ?? scenario.agent?.default ?? config?.defaults?.agent ?? DEFAULT_AGENT, env);
  const targetIds = scenario.targets.map((t) => t.id);
  const turns: Turn[] = [];
  const ruleSpec = { ...spec, components: spec.components.filter((c) => c.kind === 'rule') } as typeof spec;
  const onEvent = (e: DialogueEvent) => {
    opts.onEvent?.(e);
    if (e.type !== 'turn') return;
    turns.push(e.turn);
    if (e.turn.speaker !== 'user' || !opts.onEvent) return;
    // Streaming preview of the rule rewards (judges score the finished dialogue).
    const partial: Transcript = {
      run_id: 'preview', dialogue_id: 'preview', scenario_id: scenario.id, profile_id: profile.id, seed: opts.seed ?? 1,
      simulator: simulator.id, agent: agent.id, turns, end: { reason: 'max_turns', at_turn: e.turn.index }, targets: targetsSoFar(turns, targetIds),
      rewards: { turn_mean: {}, session: {}, total: 0 }, metrics: {},
    };
    void scoreUserTurn(e.turn.index, partial, { scenario, profile, spec: ruleSpec }).then((rewards) => {
      opts.onEvent?.({ type: 'rewards', turnIndex: e.turn.index, rewards, score: turnScore(ruleSpec, rewards) ?? 0 });
    });
  };
  const t = await runDialogue({
    scenario, profile, config, simulator, agent, seed: opts.seed ?? 1, maxTurns: opts.turns,
    runId: 'preview', signal: opts.signal, onEvent, tacticJudge: modelTacticJudge(agent, opts.judge, env),
  });
  return scoreTranscript(t, { scenario, profile, spec, judge, signal: opts.signal });
}
