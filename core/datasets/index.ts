// Training datasets from runs: SFT (chat JSONL where the simulated user is the assistant) and RL
// (one prompt per simulated-user turn with the context the reward components need).
import { existsSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, extname } from 'node:path';
import type { ProfileFields, Scenario, Transcript, Workspace } from '../generated/schema-types';
import { buildSimulatorPrompt, formatRationale, formatUserOutput, SECTION_KEYS, type SectionKey } from '../rationale';
import { createRng } from '../util/rng';
import { resolveProfile, deepMerge, type WorkspaceValues } from '../model/load';
import { rlContext, type RlContext } from './rl-context';
import { readJsonl } from '../util/jsonl';
import { simulatorMessages } from '../simulate/messages';

export type { RlContext } from './rl-context';

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatMessage { role: ChatRole; content: string }
export interface SftSample { messages: ChatMessage[] }
export interface RlSample { id: string; prompt: ChatMessage[]; context: RlContext }
export type DatasetFormat = 'sft' | 'rl';

export interface ExportOptions {
  format: DatasetFormat;
  /** Keep only dialogues whose `rewards.total` is at least this (rejection sampling). */
  minTotal?: number;
  /** Fraction of samples in the training file (the rest is validation). Default 0.9. */
  split?: number;
  /** Seed of the deterministic shuffle before the split. Default 0. */
  seed?: number;
}

export interface ExportSummary {
  format: DatasetFormat;
  dialogues: number;
  /** Dialogues left out by `minTotal`. */
  rejected: number;
  /** User turns left out because their rationale lacks a section (SFT only). */
  incomplete: number;
  duplicates: number;
  samples: number;
  train: number;
  validation: number;
  /** Rough token count of everything in the files (characters / 4). */
  estimatedTokens: number;
}

export interface ExportResult<T = SftSample | RlSample> {
  train: T[];
  validation: T[];
  summary: ExportSummary;
}

/** The scenario and profile a transcript was played with. */
export type DialogueSource = (t: Transcript) => { scenario: Scenario; profile: ProfileFields; config?: Workspace };

/** A resolver over a loaded workspace: the transcript's profile id wins over the scenario's own profile. */
export function workspaceSource(ws: WorkspaceValues): DialogueSource {
  return (t) => {
    const sc = ws.scenarios.get(t.scenario_id);
    if (!sc) throw new Error(`transcript '${t.dialogue_id}' (run ${t.run_id}) refers to scenario '${t.scenario_id}', which is not in the workspace ${ws.root}`);
    const scenario = sc.value;
    const own = ws.profiles.get(t.profile_id);
    const profile = own ? (deepMerge(own.value, scenario.profile_overrides ?? {}) as ProfileFields) : resolveProfile(ws, scenario);
    return { scenario, profile, config: ws.config?.value };
  };
}

/** The one transcript reader (core/runs): datasets read it in strict mode. */
export { readTranscripts } from '../runs/storage';

/** The dialogue before turn position `k`, as the live simulator sends it (core/simulate/messages). */
export function flippedHistory(t: Transcript, k: number, system: string): ChatMessage[] {
  return simulatorMessages(system, t.turns.slice(0, k));
}

/** The SFT target of a user turn, or undefined when its rationale is missing a section. */
export function sftTarget(turn: Transcript['turns'][number]): string | undefined {
  const sections = turn.rationale?.sections;
  if (!sections || SECTION_KEYS.some((k) => !sections[k]?.trim())) return undefined;
  return formatUserOutput(formatRationale(sections as Record<SectionKey, string>), turn.text);
}

function userPositions(t: Transcript): number[] {
  const out: number[] = [];
  t.turns.forEach((turn, k) => { if (turn.speaker === 'user') out.push(k); });
  return out;
}

export function sftSamples(t: Transcript, source: DialogueSource): { samples: SftSample[]; incomplete: number } {
  const { scenario, profile, config } = source(t);
  const system = buildSimulatorPrompt(profile, scenario, config);
  const samples: SftSample[] = [];
  let incomplete = 0;
  for (const k of userPositions(t)) {
    const target = sftTarget(t.turns[k]);
    if (target === undefined) { incomplete++; continue; }
    samples.push({ messages: [...flippedHistory(t, k, system), { role: 'assistant', content: target }] });
  }
  return { samples, incomplete };
}

/**
 * One RL row per user turn. The prompt carries what the user can know (docs/rewards.md §8): the
 * simulator prompt with the state before this turn ("Your state now") and the dialogue so far; the
 * context carries the reward inputs, ground truth included (tactics, done_when, target status).
 */
export function rlSamples(t: Transcript, source: DialogueSource): RlSample[] {
  const { scenario, profile, config } = source(t);
  return userPositions(t).map((k) => {
    const context = rlContext(t, k, scenario, profile);
    return {
      id: `${t.run_id}/${t.dialogue_id}/${t.turns[k].index}`,
      prompt: flippedHistory(t, k, buildSimulatorPrompt(profile, scenario, config, { stateNow: context.turn.prev_state })),
      context,
    };
  });
}

/** Rough tokens of a text (4 characters a token): for summaries and cost estimates only. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function sampleText(s: SftSample | RlSample): string {
  return 'messages' in s ? s.messages.map((m) => m.content).join('\n') : s.prompt.map((m) => m.content).join('\n');
}

function sampleKey(s: SftSample | RlSample): string {
  const body = 'messages' in s ? s.messages : [s.prompt, s.context.turn_index, s.context.scenario_id];
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** Filters, builds, de-duplicates, shuffles (seeded) and splits the samples of the transcripts. */
export function buildDataset(transcripts: Transcript[], source: DialogueSource, opts: ExportOptions): ExportResult {
  const split = opts.split ?? 0.9;
  if (!(split > 0 && split <= 1)) throw new Error(`split must be in (0, 1], got ${split}`);
  const summary: ExportSummary = { format: opts.format, dialogues: transcripts.length, rejected: 0, incomplete: 0, duplicates: 0, samples: 0, train: 0, validation: 0, estimatedTokens: 0 };
  const seen = new Set<string>();
  const all: (SftSample | RlSample)[] = [];
  for (const t of transcripts) {
    if (opts.minTotal !== undefined && !((t.rewards?.total ?? -Infinity) >= opts.minTotal)) { summary.rejected++; continue; }
    let built: (SftSample | RlSample)[];
    if (opts.format === 'sft') {
      const r = sftSamples(t, source);
      summary.incomplete += r.incomplete;
      built = r.samples;
    } else {
      built = rlSamples(t, source);
    }
    for (const s of built) {
      const key = sampleKey(s);
      if (seen.has(key)) { summary.duplicates++; continue; }
      seen.add(key);
      all.push(s);
    }
  }
  const rng = createRng(opts.seed ?? 0);
  for (let i = all.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  const nTrain = Math.round(all.length * split);
  const train = all.slice(0, nTrain);
  const validation = all.slice(nTrain);
  summary.samples = all.length;
  summary.train = train.length;
  summary.validation = validation.length;
  summary.estimatedTokens = all.reduce((n, s) => n + estimateTokens(sampleText(s)), 0);
  return { train, validation, summary };
}

/** `data/train.jsonl` → `data/train.val.jsonl` (the validation file's path). */
export function validationPath(out: string): string {
  const ext = extname(out);
  return ext ? out.slice(0, -ext.length) + '.val' + ext : out + '.val';
}

export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

/** Writes FILE and FILE.val (each through a temp file and a rename, so a crash never leaves half a file). */
export function writeDataset(out: string, result: ExportResult): { train: string; validation: string } {
  mkdirSync(dirname(out), { recursive: true });
  const val = validationPath(out);
  for (const [path, rows] of [[out, result.train], [val, result.validation]] as const) {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, toJsonl(rows));
    renameSync(tmp, path);
  }
  return { train: out, validation: val };
}
/** A dataset file as an export result: rows checked against the job type, tokens estimated. */
export function readDatasetFile(path: string, type: 'sft' | 'grpo'): ExportResult {
  const key = type === 'sft' ? 'messages' : 'prompt';
  const check = (r: unknown) => (r && typeof r === 'object' && key in r ? undefined : `${type === 'sft' ? 'an SFT' : 'a GRPO'} job needs rows with '${key}' (export the runs as ${type === 'sft' ? 'sft' : 'rl'})`);
  const rows = (p: string) => readJsonl<SftSample | RlSample>(p, { mode: 'strict', check }).rows.map((r) => r.value);
  if (!existsSync(path)) throw new Error(`${path}: no such file`);
  const train = rows(path);
  const val = validationPath(path);
  const validation = existsSync(val) ? rows(val) : [];
  const all = [...train, ...validation];
  const tokens = all.reduce((n, r) => n + estimateTokens(JSON.stringify(r)), 0);
  return { train, validation, summary: { format: type === 'sft' ? 'sft' : 'rl', dialogues: 0, rejected: 0, incomplete: 0, duplicates: 0, samples: all.length, train: train.length, validation: validation.length, estimatedTokens: tokens } };
}

