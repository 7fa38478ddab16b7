// The contracts between the dialogue loop, user simulators and agents. Re-exported from
// core/simulate, core/agents and core/dialogue; defined once here.
import type { Backend, Policy, ProfileFields, Scenario, State, Tactic, Target, Turn, Usage, Workspace } from '../generated/schema-types';

export type ResolvedProfile = ProfileFields & { id: string; name: string };

/** What a simulator or agent needs from its surroundings. */
export interface EngineEnv {
  config?: Workspace;
  /** Resolves a secret reference: `env:X` reads process.env; other names come from the editor's SecretStorage. */
  secret: (ref: string) => string | undefined;
  /** Asks a person for the agent's next line (the `human` agent). */
  askHuman?: (prompt: string, signal?: AbortSignal) => Promise<string>;
}

/** The dialogue so far, as both sides see it. */
export interface DialogueView {
  scenario: Scenario;
  profile: ResolvedProfile;
  config?: Workspace;
  seed: number;
  /** Finished turns, oldest first. */
  turns: readonly Turn[];
  userTurns: number;
  agentTurns: number;
  maxTurns: number;
  /** Built-in tactics plus the workspace's. */
  tactics: readonly Tactic[];
  /** Each target's turn index when met, or null. */
  targetsMet: ReadonlyMap<string, number | null>;
  /** Targets the user has raised so far. */
  raised: ReadonlySet<string>;
  /** Per-dialogue memory owned by this participant (fresh for every dialogue). */
  scratch: Record<string, unknown>;
  signal?: AbortSignal;
  /** Streaming text of the turn in progress. */
  onDelta?: (text: string) => void;
}

export interface SimulatorContext extends DialogueView {
  lastAgentText?: string;
  /** Tactic detected in the agent's last turn. */
  tactic?: string;
  /** Events of this turn: `every_turn`, `tactic:<name>`, `target_met:<id>`, `concern_ignored`, `agent_repeats`. */
  events: string[];
  /** State before this turn and after the scenario's transitions for this turn's events. */
  stateBefore: State;
  state: State;
  /** Targets the agent's last turn met. */
  newlyMet: string[];
  /** Decision policies whose condition holds at this turn. */
  policies: Policy[];
}

export interface UserTurnOutput {
  /** The content as written: `<think>…</think><answer>…</answer>`, or the answer alone when `reasoning` carries the rationale. */
  content: string;
  reasoning?: string;
  /** The state after this turn when the simulator decides it (else read from the rationale, else the transitions). */
  state?: State;
  /** Target ids this turn raised (else found from the targets' words). */
  raised?: string[];
  usage?: Usage;
  latencyMs?: number;
  /** What `parseUserOutput(content, reasoning)` gives, when the simulator already knows it (saves a parse). */
  parsed?: { answer: string; rationale: NonNullable<Turn['rationale']> };
}

export interface UserSimulator {
  id: string;
  /** A model simulator's rationale mode (its backend's `rationale`): `off` for a plain user model. Recorded as `simulator_rationale`. */
  readonly rationaleMode?: 'prompt' | 'off';
  next(ctx: SimulatorContext): Promise<UserTurnOutput>;
  /** The same turn, answered at once (a simulator that needs no I/O): the loop calls it instead of `next` and waits for nothing. */
  nextNow?(ctx: SimulatorContext): UserTurnOutput;
}

export interface AgentContext extends DialogueView {
  lastUserText?: string;
  /** Targets the user raised that are not met yet, most important first. */
  openConcerns: Target[];
}

export interface Agent {
  id: string;
  /** `tacticPlan`: a model adversary's plan, given once (recorded as the transcript's `tactic_plan`). */
  next(ctx: AgentContext): Promise<{ text: string; usage?: Usage; tacticPlan?: string[] }>;
  /** The same turn, answered at once (an agent that needs no I/O): the loop calls it instead of `next` and waits for nothing. */
  nextNow?(ctx: AgentContext): { text: string; usage?: Usage; tacticPlan?: string[] };
}

/** Finds a backend by id in `userlm.yaml`, with a message that lists the known ids. */
export function findBackend(id: string, config: Workspace | undefined, role: string): Backend {
  const backends = config?.backends ?? [];
  const b = backends.find((x) => x.id === id);
  if (!b) {
    const known = backends.map((x) => x.id);
    throw new Error(`unknown ${role} '${id}': not a built-in and not a backend in userlm.yaml${known.length ? ` (backends: ${known.join(', ')})` : ' (no backends defined)'}`);
  }
  return b;
}

/** The API key for a backend from its `api_key` reference; undefined when none is configured. */
export function backendKey(backend: Backend, env: EngineEnv): string | undefined {
  if (!backend.api_key) return undefined;
  const key = env.secret(backend.api_key);
  if (!key) throw new Error(`backend '${backend.id}': the API key '${backend.api_key}' is not set`);
  return key;
}
