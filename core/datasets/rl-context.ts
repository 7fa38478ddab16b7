// The context stored with each RL prompt: the turn context of docs/rewards.md §2 and the parts of
// the scenario and profile the reward components (rules and judge prompts) read. The Python
// trainer (trainer/rewards/) scores a sampled completion against exactly these fields.
import type { ProfileFields, Scenario, State, Transcript } from '../generated/schema-types';
import { turnContext } from '../rewards/context';
import { terminationOf } from '../model/scenario-defaults';
import { mustResist } from '../rewards/rules';

export interface RlTurnContext {
  i: number;
  n: number;
  p: number;
  prev_state: State;
  met_at: Record<string, number | null>;
  agent_tactics: string[];
  tactic_seen: boolean;
  stop_token: string;
  /** Decision policies that fired at this turn in the source dialogue. */
  policies: string[];
  /** The dialogue so far (what the prompt shows), for rules that read earlier turns when a grader has no prompt. */
  earlier: { speaker: 'agent' | 'user'; text: string }[];
}

export interface RlContext {
  run_id: string;
  dialogue_id: string;
  scenario_id: string;
  profile_id: string;
  /** Index of the simulated-user turn to generate. */
  turn_index: number;
  /** Tactic of the agent turn just before (null: none detected). */
  tactic: string | null;
  min_turns: number;
  must_resist: boolean;
  turn: RlTurnContext;
  /** The scenario fields the rewards read: targets (with reveal rules), memory, unknown, state, termination, adversarial. */
  scenario: Pick<Scenario, 'id' | 'title' | 'split' | 'agent' | 'targets' | 'memory' | 'unknown' | 'state' | 'termination' | 'adversarial' | 'decision_policy'>;
  /** The profile fields the judge prompt and the no_invention rule read (what the simulator prompt shows). */
  profile: Pick<ProfileFields, 'name' | 'demographics' | 'background' | 'life_scenarios' | 'preferences' | 'personality' | 'expression'>;
}

function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

export function rlContext(t: Transcript, k: number, scenario: Scenario, profile: ProfileFields): RlContext {
  const ctx = turnContext(t, k, scenario, profile);
  const prev = t.turns[k - 1];
  const metAt: Record<string, number | null> = {};
  for (const [id, at] of ctx.metAt) metAt[id] = at;
  return {
    run_id: t.run_id,
    dialogue_id: t.dialogue_id,
    scenario_id: t.scenario_id,
    profile_id: t.profile_id,
    turn_index: ctx.i,
    tactic: prev && prev.speaker === 'agent' && prev.tactic ? prev.tactic : null,
    min_turns: terminationOf(scenario).minTurns,
    must_resist: mustResist(scenario),
    turn: {
      i: ctx.i, n: ctx.n, p: ctx.p, prev_state: ctx.prevState, met_at: metAt,
      agent_tactics: ctx.agentTactics, tactic_seen: ctx.tacticSeen, stop_token: ctx.stopToken, policies: ctx.policies, earlier: ctx.earlier,
    },
    scenario: pick(scenario, ['id', 'title', 'split', 'agent', 'targets', 'memory', 'unknown', 'state', 'termination', 'adversarial', 'decision_policy'] as const),
    profile: pick(profile as ProfileFields & { name?: string }, ['name', 'demographics', 'background', 'life_scenarios', 'preferences', 'personality', 'expression'] as const),
  };
}
