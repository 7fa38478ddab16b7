// The turn context (docs/rewards.md §2): everything a turn rule needs besides the output itself.
// Computed from the transcript and the scenario; the RL dataset stores the same fields per prompt.
import type { ProfileFields, Scenario, State, Transcript } from '../generated/schema-types';
import { parseOutput, type ParsedOutput } from './text';

import { STATE_KEYS, initialState, DEFAULT_STOP_TOKEN, type StateKey } from '../model/scenario-defaults';
export { DEFAULT_STATE, DEFAULT_STOP_TOKEN, initialState } from '../model/scenario-defaults';
export const STATE_VARS = STATE_KEYS;
export type StateVar = StateKey;

export interface TurnContext {
  /** The user turn's index in transcript.turns. */
  i: number;
  /** 1-based number of this user turn. */
  n: number;
  /** Index of the previous user turn, or -1. */
  p: number;
  prevState: State;
  /** turn.state when present; otherwise filled from the rationale's claims by the scorer. */
  stateAfter?: State;
  /** Target id -> turn index it was met at (null: not met). */
  metAt: Map<string, number | null>;
  agentTactics: string[];
  tacticSeen: boolean;
  /** Decision policies that fired at this turn (turn.policies). */
  policies: string[];
  stopToken: string;
  /** Text of every earlier turn (agent and user), in order: what the user has seen and said. */
  earlier: { speaker: 'agent' | 'user'; text: string }[];
  /** The profile the user plays (its values are facts the user may state). */
  profile?: ProfileFields;
  /** transcript.simulator_rationale === 'off': the components that read the rationale are n/a. */
  rationaleOff: boolean;
}

export function userTurnIndices(t: Transcript): number[] {
  const out: number[] = [];
  t.turns.forEach((turn, k) => { if (turn.speaker === 'user') out.push(k); });
  return out;
}

/** The context of the user turn at position `k` of `t.turns` (k is a position, `turn.index` is i). */
export function turnContext(t: Transcript, k: number, scenario: Scenario, profile?: ProfileFields): TurnContext {
  const turn = t.turns[k];
  const i = turn.index;
  let n = 0;
  let p = -1;
  let prevState: State | undefined;
  const agentTactics: string[] = [];
  let tacticSeen = false;
  for (let j = 0; j < k; j++) {
    const u = t.turns[j];
    if (u.speaker === 'user') {
      n++;
      p = u.index;
      if (u.state) prevState = u.state;
    }
  }
  for (let j = 0; j < k; j++) {
    const u = t.turns[j];
    if (u.speaker !== 'agent' || !u.tactic) continue;
    tacticSeen = true;
    if (u.index > p && u.index < i) agentTactics.push(u.tactic);
  }
  const metAt = new Map<string, number | null>();
  for (const target of t.targets ?? []) metAt.set(target.id, target.met_at ?? null);
  return {
    i, n: n + 1, p,
    prevState: prevState ?? initialState(scenario, profile),
    stateAfter: turn.state,
    metAt, agentTactics, tacticSeen, policies: turn.policies ?? [],
    stopToken: scenario.termination?.stop_token ?? DEFAULT_STOP_TOKEN,
    earlier: t.turns.slice(0, k).map((u) => ({ speaker: u.speaker, text: u.text })),
    profile,
    rationaleOff: t.simulator_rationale === 'off',
  };
}

export function metBy(ctx: TurnContext, id: string, upTo: number): boolean {
  const m = ctx.metAt.get(id);
  return m !== undefined && m !== null && m <= upTo;
}

export function metNew(ctx: TurnContext, id: string): boolean {
  const m = ctx.metAt.get(id);
  return m !== undefined && m !== null && m > ctx.p && m <= ctx.i;
}

/** The output a user turn is scored on: `output`, else `text`. */
export function parseTurn(t: Transcript, k: number): ParsedOutput {
  const turn = t.turns[k];
  return parseOutput(turn.output ?? turn.text);
}
