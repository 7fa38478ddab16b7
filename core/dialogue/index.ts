// The dialogue loop: agent and simulated user take turns; each user turn carries a parsed
// rationale and the state after it; agent turns are checked for tactics; the dialogue ends on
// the stop token, hang_up_when, success_when or max_turns, and says why. Backend failures end
// the dialogue with reason `error`; an abort ends it with `cancelled`. Never throws.
import type { Policy, Scenario, State, Target, Transcript, Turn, Usage, Workspace } from '../generated/schema-types';
import { allTactics } from '../library/tactics';
import { terminationOf } from '../model/scenario-defaults';
import { parseStateLine, parseUserOutput, STATE_KEYS } from '../rationale/index';
import { contentStems, jaccardAtLeast } from '../util/text';
import { detectTactic } from './tactics';
import { foldLine } from '../backends/chat/errors';
import type { TacticJudge } from './tactic-judge';
import { applyTransitions, compileScenario, firedPolicies, hangUpReason, initialState, successHolds, targetsMetBy, targetsRaised, endTokenIn } from './rules';
import type { Agent, AgentContext, ResolvedProfile, SimulatorContext, UserSimulator, UserTurnOutput } from './types';

export * from './types';
export { createTacticJudge, parseTacticVerdict, tacticJudgePrompt, type TacticJudge } from './tactic-judge';
export { compare, firedPolicies, hangUpReason, successHolds, initialState, applyTransitions } from './rules';

export type DialogueEvent =
  | { type: 'turn'; turn: Turn }
  | { type: 'delta'; speaker: 'agent' | 'user'; text: string }
  | { type: 'end'; end: Transcript['end'] };

export interface DialogueOptions {
  scenario: Scenario;
  profile: ResolvedProfile;
  config?: Workspace;
  simulator: UserSimulator;
  agent: Agent;
  seed: number;
  maxTurns?: number;
  runId?: string;
  dialogueId?: string;
  signal?: AbortSignal;
  onEvent?: (e: DialogueEvent) => void;
  /** Optional model judge, asked about agent turns in which no tactic cue phrase matched. */
  tacticJudge?: TacticJudge;
}

export { DEFAULT_MAX_TURNS } from '../model/scenario-defaults';

/** Thrown inside the loop to end it; carries the end record. */
class End {
  constructor(readonly reason: Transcript['end']['reason'], readonly detail: string, readonly error?: string) {}
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return !!signal?.aborted || (e instanceof Error && (e.name === 'AbortError' || e.name === 'APIUserAbortError'));
}

let isoMs = -1;
let isoText = '';
/** `new Date().toISOString()`, formatted once per millisecond (the text has millisecond resolution; bulk runs start several dialogues per millisecond). */
function nowIso(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

export async function runDialogue(opts: DialogueOptions): Promise<Transcript> {
  const { scenario, profile, config, simulator, agent, seed, signal, onEvent } = opts;
  const term = terminationOf(scenario);
  const maxTurns = opts.maxTurns ?? term.maxTurns;
  const { minTurns, stopToken } = term;
  const tactics = allTactics(config);
  const compiled = compileScenario(scenario);
  const turns: Turn[] = [];
  const targetsMet = new Map<string, number | null>(scenario.targets.map((t) => [t.id, null]));
  const raised = new Set<string>();
  const policyTurns = new Map<string, number[]>();
  const usage: Usage = {};
  let usageSeen = false;
  let state: State = initialState(scenario, profile);
  let userTurns = 0;
  let agentTurns = 0;
  let lastConcerns: string[] = [];
  const simScratch: Record<string, unknown> = {};
  const agentScratch: Record<string, unknown> = {};
  /** Earlier agent turns (text and content stems), for `agent_repeats`. */
  const agentSaid: { text: string; stems: ReadonlySet<string> }[] = [];
  /** The agent says what it said before: the same text, or 80% of the same content words. */
  const repeats = (text: string, stems: ReadonlySet<string>): boolean => {
    for (const prev of agentSaid) {
      if (prev.text === text) return true;
      const small = Math.min(prev.stems.size, stems.size);
      const big = Math.max(prev.stems.size, stems.size);
      if (small >= 0.8 * big && jaccardAtLeast(prev.stems, stems, 0.8)) return true;
    }
    return false;
  };

  const transcript: Transcript = {
    run_id: opts.runId ?? 'preview',
    dialogue_id: opts.dialogueId ?? `${scenario.id}:${profile.id}:${seed}`,
    scenario_id: scenario.id,
    profile_id: profile.id,
    seed,
    simulator: simulator.id,
    agent: agent.id,
    ...(scenario.split ? { split: scenario.split } : {}),
    ...(simulator.rationaleMode ? { simulator_rationale: simulator.rationaleMode } : {}),
    started_at: nowIso(),
    turns,
    end: { reason: 'max_turns', at_turn: 0 },
    rewards: { turn_mean: {}, session: {} }, // no total until scored; none for a cancelled or errored dialogue
    metrics: {},
  };

  const userDelta = onEvent ? (text: string) => onEvent({ type: 'delta', speaker: 'user', text }) : undefined;
  const agentDelta = onEvent ? (text: string) => onEvent({ type: 'delta', speaker: 'agent', text }) : undefined;
  const addUsage = (u?: Usage) => {
    if (!u) return;
    usageSeen = true;
    for (const k of ['prompt_tokens', 'completion_tokens', 'reasoning_tokens'] as const) if (u[k] !== undefined) usage[k] = (usage[k] ?? 0) + (u[k] as number);
  };
  const push = (turn: Turn) => {
    turns.push(turn);
    onEvent?.({ type: 'turn', turn });
  };
  const checkAbort = () => {
    if (signal?.aborted) throw new End('cancelled', 'cancelled by the user');
  };

  /** The agent's turn; synchronous (no promise) when the agent answers at once (`nextNow`) and no model judge is asked. */
  const agentTurn = (): Promise<void> | void => {
    checkAbort();
    const started = performance.now();
    if (agentTurns === 0 && userTurns === 0 && scenario.agent?.opening) return agentAnswered(scenario.agent.opening, undefined, started);
    const openConcerns = scenario.targets.filter((t) => raised.has(t.id) && targetsMet.get(t.id) === null);
    const ctx: AgentContext = {
      scenario, profile, config, seed, turns, userTurns, agentTurns, maxTurns, tactics, targetsMet, raised, scratch: agentScratch, signal, onDelta: agentDelta,
      lastUserText: lastText('user'), openConcerns,
    };
    if (agent.nextNow) {
      let said: AgentSaid;
      try {
        said = readAgentSaid(agent.nextNow(ctx));
      } catch (e) {
        throw agentFailed(e);
      }
      return agentAnswered(said.text, said, started);
    }
    let pending;
    try {
      pending = agent.next(ctx);
    } catch (e) {
      throw agentFailed(e);
    }
    return Promise.resolve(pending).then(readAgentSaid).then((said) => agentAnswered(said.text, said, started), (e) => { throw agentFailed(e); });
  };
  type AgentSaid = Awaited<ReturnType<Agent['next']>>;
  /** What the agent returned, read where a malformed answer counts as the agent's failure. */
  const readAgentSaid = (said: AgentSaid): AgentSaid => {
    const { text, usage, tacticPlan } = said;
    return { text, usage, tacticPlan };
  };
  const agentFailed = (e: unknown): End => (isAbort(e, signal) ? new End('cancelled', 'cancelled by the user') : new End('error', `agent '${agent.id}' failed`, `agent '${agent.id}': ${(e as Error).message}`));

  const agentAnswered = (text: string, said: AgentSaid | undefined, started: number): Promise<void> | void => {
    if (said?.tacticPlan) transcript.tactic_plan = said.tacticPlan;
    const turn: Turn = { index: turns.length, speaker: 'agent', text, latency_ms: Math.round(performance.now() - started) };
    const tactic = detectTactic(text, tactics);
    if (!tactic && opts.tacticJudge) {
      const judgeFailed = (e: unknown): End => (isAbort(e, signal) ? new End('cancelled', 'cancelled by the user') : new End('error', 'tactic judge failed', `tactic judge: ${(e as Error).message}`));
      let judged;
      try {
        judged = opts.tacticJudge(text, tactics, signal);
      } catch (e) {
        throw judgeFailed(e);
      }
      return Promise.resolve(judged).then((found) => agentDone(turn, found, said?.usage), (e) => { throw judgeFailed(e); });
    }
    agentDone(turn, tactic, said?.usage);
  };

  const agentDone = (turn: Turn, tactic: string | undefined, u: Usage | undefined): void => {
    const { text } = turn;
    if (tactic) turn.tactic = tactic;
    const touched = targetsMetBy(compiled, text);
    const met = touched.size ? compiled.targets.filter((t) => targetsMet.get(t.target.id) === null && touched.has(t.target.id)).map((t) => t.target.id) : [];
    if (met.length) {
      turn.targets_met = met;
      for (const id of met) targetsMet.set(id, turn.index);
    }
    if (u) { turn.usage = u; addUsage(u); }
    agentTurns++;
    push(turn);
  };

  const lastText = (speaker: 'agent' | 'user'): string | undefined => {
    for (let i = turns.length - 1; i >= 0; i--) if (turns[i].speaker === speaker) return turns[i].text;
    return undefined;
  };

  /** The user's turn; synchronous (no promise) when the simulator answers at once (`nextNow`). */
  const userTurn = (): Promise<void> | void => {
    checkAbort();
    const last = turns.length ? turns[turns.length - 1] : undefined;
    const agentLast = last?.speaker === 'agent' ? last : undefined;
    const events = ['every_turn'];
    const newlyMet: string[] = agentLast?.targets_met ?? [];
    let agentStems: Set<string> = new Set();
    if (agentLast) {
      agentStems = contentStems(agentLast.text);
      if (agentLast.tactic) events.push(`tactic:${agentLast.tactic}`);
      for (const id of newlyMet) events.push(`target_met:${id}`);
      if (lastConcerns.length && !lastConcerns.some((id) => newlyMet.includes(id) || targetsMet.get(id) !== null)) events.push('concern_ignored');
      if (repeats(agentLast.text, agentStems)) events.push('agent_repeats');
      agentSaid.push({ text: agentLast.text, stems: agentStems });
    }
    const stateBefore = state;
    const afterTransitions = applyTransitions(scenario, state, events);
    const policies = firedPolicies(scenario, { state: afterTransitions, tactic: agentLast?.tactic, targetsMet, userTurn: userTurns + 1, lastAgentStems: agentStems, tactics });
    const ctx: SimulatorContext = {
      scenario, profile, config, seed, turns, userTurns, agentTurns, maxTurns, tactics, targetsMet, raised, scratch: simScratch, signal, onDelta: userDelta,
      lastAgentText: agentLast?.text, tactic: agentLast?.tactic, events,
      stateBefore, state: afterTransitions, newlyMet, policies,
    };
    const started = performance.now();
    if (simulator.nextNow) {
      let out: UserTurnOutput;
      try {
        out = simulator.nextNow(ctx);
      } catch (e) {
        throw simulatorFailed(e);
      }
      return userSaid(out, afterTransitions, policies, started);
    }
    let pending;
    try {
      pending = simulator.next(ctx);
    } catch (e) {
      throw simulatorFailed(e);
    }
    return Promise.resolve(pending).then((out) => userSaid(out, afterTransitions, policies, started), (e) => { throw simulatorFailed(e); });
  };
  const simulatorFailed = (e: unknown): End => (isAbort(e, signal) ? new End('cancelled', 'cancelled by the user') : new End('error', `simulator '${simulator.id}' failed`, `simulator '${simulator.id}': ${(e as Error).message}`));

  /** The user's turn, once the simulator has answered: state, policies, raised targets, and whether the dialogue ends. */
  const userSaid = (out: UserTurnOutput, afterTransitions: State, policies: Policy[], started: number): void => {
    const { answer, rationale } = out.parsed ?? parseUserOutput(out.content, out.reasoning);
    const next: State = out.state ? { ...out.state } : { ...afterTransitions };
    if (!out.state && rationale.sections.state) {
      const fromRationale = parseStateLine(rationale.sections.state);
      for (const k of STATE_KEYS) if (fromRationale[k] !== undefined) next[k] = fromRationale[k] as number;
    }
    state = next;
    const index = turns.length;
    const turn: Turn = {
      index, speaker: 'user', text: answer, rationale, state: next,
      latency_ms: out.latencyMs ?? Math.round(performance.now() - started),
      output: out.reasoning ? `<think>\n${out.reasoning.trim()}\n</think>\n${out.content.trim()}` : out.content,
    };
    if (policies.length) {
      turn.policies = policies.map((p) => p.id);
      for (const p of policies) {
        const list = policyTurns.get(p.id) ?? [];
        list.push(index);
        policyTurns.set(p.id, list);
      }
    }
    if (out.usage) { turn.usage = out.usage; addUsage(out.usage); }
    lastConcerns = out.raised ?? concernsIn(answer, compiled.targets.filter((t) => targetsMet.get(t.target.id) === null).map((t) => t.target));
    for (const id of lastConcerns) raised.add(id);
    lastConcerns = lastConcerns.filter((id) => targetsMet.get(id) === null);
    userTurns++;
    push(turn);

    const hang = userTurns >= minTurns ? hangUpReason(scenario, state) : undefined;
    const other = endTokenIn(scenario, answer);
    if (other) throw new End(other.reason, other.reason === 'transfer' ? `the user was handed to a human (${other.token})` : `the conversation left what the scenario covers (${other.token})`);
    if (answer.includes(stopToken)) {
      if (hang) throw new End('hang_up', `the user hung up: ${hang}`);
      const ok = successHolds(scenario, targetsMet, true);
      throw new End('stop', ok ? 'the user ended the dialogue: their goals were met' : `the user ended the dialogue (${stopToken}) before their goals were met`);
    }
    if (hang) throw new End('hang_up', `the user hung up: ${hang}`);
    if (userTurns >= minTurns && successHolds(scenario, targetsMet)) throw new End('stop', `success: ${scenario.termination?.success_when?.replace(/_/g, ' ')}`);
    if (userTurns >= maxTurns) throw new End('max_turns', `reached max_turns (${maxTurns} user turns)`);
  };

  /** Open targets a model user's turn raised, found from the words of each target's description and `say`. */
  const concernsIn = (text: string, open: Target[]): string[] => {
    const said = targetsRaised(compiled, text);
    return open.filter((t) => said.includes(t.id)).map((t) => t.id);
  };

  try {
    if (scenario.agent?.opening) await agentTurn();
    // A turn that answered at once returns nothing to wait for.
    for (;;) {
      const user = userTurn();
      if (user) await user;
      const agentDid = agentTurn();
      if (agentDid) await agentDid;
    }
  } catch (e) {
    const end = e instanceof End ? e : isAbort(e, signal) ? new End('cancelled', 'cancelled by the user') : new End('error', 'internal error', `engine: ${(e as Error)?.message ?? String(e)}`);
    // An error is at the turn that failed (turn 0 when the user speaks first and fails); any other end at the last turn.
    transcript.end = { reason: end.reason, at_turn: end.reason === 'error' ? turns.length : Math.max(0, turns.length - 1), detail: end.detail };
    if (end.error) transcript.error = foldLine(end.error);
  }
  transcript.targets = scenario.targets.map((t) => ({ id: t.id, met_at: targetsMet.get(t.id) ?? null }));
  transcript.policies = [...policyTurns].map(([id, list]) => ({ id, turns: list }));
  if (usageSeen) transcript.usage = usage;
  onEvent?.({ type: 'end', end: transcript.end });
  return transcript;
}
