// Re-scoring finished transcripts (docs/rewards.md §7): everything derived from the turns is computed
// again — each user turn's text and rationale from its raw `output`, target status from the agent
// turns, rewards, turn scores, totals and metrics. Used by `userlm score` and the editor's
// "Re-score Run With…" (through rescoreRun in ./rescore-run).
import type { ProfileFields, RewardSpec, Scenario, Transcript, Turn } from '../generated/schema-types';
import { parseUserOutput } from '../rationale';
import type { Judge } from './judge';
import { scoreTranscript } from './score';

/** The scenario and profile a transcript was played with; throws (with what is missing) when unknown. */
export type TranscriptSource = (t: Transcript) => { scenario: Scenario; profile: ProfileFields };

export interface ScoreTranscriptsOptions {
  spec: RewardSpec;
  source: TranscriptSource;
  judge?: Judge;
  signal?: AbortSignal;
  /** Called after each transcript is scored (done, total). */
  onProgress?(done: number, total: number): void;
}

/** A user turn re-derived from its raw output (the source of truth): text and rationale. A turn without `output` keeps its text. */
export function reparseUserTurn(turn: Turn): Turn {
  if (turn.speaker !== 'user' || turn.output === undefined) return { ...turn };
  const { answer, rationale } = parseUserOutput(turn.output);
  return { ...turn, text: answer, rationale };
}

/** transcript.targets from the agent turns' `targets_met` (the first turn each target was met at); unchanged when no turn records any. */
export function targetStatus(t: Transcript, scenario: Scenario): Transcript['targets'] {
  if (!t.turns.some((u) => u.targets_met?.length)) return t.targets;
  const met = new Map<string, number>();
  for (const u of t.turns) for (const id of u.targets_met ?? []) if (!met.has(id)) met.set(id, u.index);
  return scenario.targets.map((x) => ({ id: x.id, met_at: met.get(x.id) ?? null }));
}

/** Re-derives and re-scores every transcript; never changes the inputs. Throws on the first transcript whose source is unknown, naming it. */
export async function scoreTranscripts(transcripts: readonly Transcript[], opts: ScoreTranscriptsOptions): Promise<Transcript[]> {
  const out: Transcript[] = [];
  for (const t of transcripts) {
    const { scenario, profile } = opts.source(t);
    const fresh: Transcript = { ...t, turns: t.turns.map(reparseUserTurn) };
    fresh.targets = targetStatus(fresh, scenario);
    // A dialogue that broke off with an error gets no judge calls, as in a run.
    const judge = t.end.reason === 'error' ? undefined : opts.judge;
    out.push(await scoreTranscript(fresh, { scenario, profile, spec: opts.spec, judge, signal: opts.signal }));
    opts.onProgress?.(out.length, transcripts.length);
  }
  return out;
}
