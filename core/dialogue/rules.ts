// The scenario's rules, evaluated: initial state, transitions, targets met by agent turns,
// decision-policy conditions, hang-up and success conditions. Compiled once per scenario.
import type { Policy, ProfileFields, Scenario, State, Target, Tactic } from '../generated/schema-types';
import { clamp01, contentStems, hasPhrase, humanize, overlap } from '../util/text';
import { STATE_KEYS } from '../model/scenario-defaults';

export interface CompiledTarget {
  target: Target;
  /** Lowercased cue phrases (the target's `cues`). */
  cues: string[];
  /** Content-word stems of description, say and cues, for loose matching. */
  stems: Set<string>;
  /** Content-word stems of how the user puts it (description and say). */
  userStems: Set<string>;
}

export interface CompiledScenario {
  targets: CompiledTarget[];
  policyStems: Map<string, Set<string>>;
  /** Memo: target ids an agent text touches. */
  touches: Map<string, ReadonlySet<string>>;
  primary: Target[];
}

const cache = new WeakMap<Scenario, CompiledScenario>();

export function compileScenario(scenario: Scenario): CompiledScenario {
  let c = cache.get(scenario);
  if (!c) {
    c = {
      targets: scenario.targets.map((t) => ({
        target: t,
        cues: (t.cues ?? []).map((x) => x.toLowerCase()).filter(Boolean),
        stems: contentStems(`${t.description} ${t.say ?? ''} ${(t.cues ?? []).join(' ')}`),
        userStems: contentStems(`${t.description} ${t.say ?? ''}`),
      })),
      policyStems: new Map((scenario.decision_policy ?? []).filter((p) => typeof p.when === 'string').map((p) => [p.id, whenStems(p.when as string)])),
      touches: new Map(),
      primary: scenario.targets.filter((t) => (t.priority ?? 'primary') === 'primary'),
    };
    cache.set(scenario, c);
  }
  return c;
}

const WHEN_NOISE = new Set(['agent', 'user', 'custo', 'calle', 'asks', 'says', 'menti', 'talks', 'raise', 'bring']);
function whenStems(when: string): Set<string> {
  return new Set([...contentStems(when)].filter((x) => !WHEN_NOISE.has(x)));
}

export { initialState } from '../model/scenario-defaults';

/** Applies every transition whose event occurred, in the scenario's order, clamping to 0..1. */
export function applyTransitions(scenario: Scenario, state: State, events: readonly string[]): State {
  const out = { ...state };
  const transitions = scenario.state?.transitions;
  if (!transitions) return out;
  for (const tr of transitions) {
    if (!events.includes(tr.on)) continue;
    for (const k of STATE_KEYS) {
      const d = tr.change[k];
      if (typeof d === 'number') out[k] = clamp01(out[k] + d);
    }
  }
  return out;
}

/**
 * Whether a text touches a target: one of its cue phrases occurs, or (a target without cues)
 * at least two of its content words do.
 */
export function touchesTarget(lowerText: string, stems: ReadonlySet<string>, t: CompiledTarget): boolean {
  if (t.cues.length) {
    for (const cue of t.cues) if (hasPhrase(lowerText, cue)) return true;
    return false;
  }
  return overlap(stems, t.stems) >= Math.min(2, t.stems.size);
}

/** The ids of the targets a text touches (memoised per scenario: scripted lines repeat across dialogues). */
export function targetsTouched(c: CompiledScenario, text: string): ReadonlySet<string> {
  let hit = c.touches.get(text);
  if (!hit) {
    const lower = text.toLowerCase();
    const stems = contentStems(text);
    hit = new Set(c.targets.filter((t) => touchesTarget(lower, stems, t)).map((t) => t.target.id));
    if (c.touches.size >= 1000) c.touches.clear();
    c.touches.set(text, hit);
  }
  return hit;
}

/** The ids of the targets a user's text raises: it shares two content words with the target's description or `say`. */
export function targetsRaised(c: CompiledScenario, text: string): string[] {
  const stems = contentStems(text);
  return c.targets.filter((t) => t.userStems.size > 0 && overlap(stems, t.userStems) >= Math.min(2, t.userStems.size)).map((t) => t.target.id);
}

/** `< 0.3`, `>= 6`, `== 1`, or a bare number (equality). Unreadable comparisons never hold. */
const comparisons = new Map<string, [string | undefined, number] | null>();

export function compare(value: number, cmp: string | number): boolean {
  if (typeof cmp === 'number') return value === cmp;
  let parsed = comparisons.get(cmp);
  if (parsed === undefined) {
    const m = /^\s*(<=|>=|==|!=|<|>|=)?\s*(-?\d*\.?\d+)\s*$/.exec(cmp);
    parsed = m ? [m[1], Number(m[2])] : null;
    if (comparisons.size < 1000) comparisons.set(cmp, parsed);
  }
  if (!parsed) return false;
  const x = parsed[1];
  switch (parsed[0]) {
    case '<': return value < x;
    case '<=': return value <= x;
    case '>': return value > x;
    case '>=': return value >= x;
    case '!=': return value !== x;
    default: return Math.abs(value - x) < 1e-9;
  }
}

export interface PolicyInputs {
  state: State;
  tactic?: string;
  targetsMet: ReadonlyMap<string, number | null>;
  /** 1-based number of the user turn being decided. */
  userTurn: number;
  lastAgentStems: ReadonlySet<string>;
  tactics: readonly Tactic[];
}

const LOW_HIGH = /\b(trust|emotion|patience|engagement)\b[^.;]*?\b(low|high|drops?|falls?|runs? out|rises?)\b/i;
const MANIPULATION = /\b(pressur|manipulat|trick|push|tactic|rush|urgen|deadline|scare|threat)/i;

/** Whether a text `when` holds, matched loosely: tactic mentions, state words, or shared content words with the agent's turn. */
function textConditionHolds(p: Policy, stems: ReadonlySet<string> | undefined, inp: PolicyInputs): boolean {
  const when = p.when as string;
  const lw = when.toLowerCase();
  if (inp.tactic) {
    if (MANIPULATION.test(lw) || lw.includes(humanize(inp.tactic)) || lw.includes(inp.tactic)) return true;
  }
  const m = LOW_HIGH.exec(when);
  if (m) {
    const v = inp.state[m[1].toLowerCase() as keyof State];
    return /low|drop|fall|out/i.test(m[2]) ? v < 0.35 : v > 0.7;
  }
  if (MANIPULATION.test(lw)) return false;
  return stems !== undefined && stems.size > 0 && overlap(stems, inp.lastAgentStems) >= Math.min(2, Math.ceil(stems.size / 2));
}

/** The decision policies whose condition holds now (structured: every part; text: loosely). */
export function firedPolicies(scenario: Scenario, inp: PolicyInputs): Policy[] {
  const policies = scenario.decision_policy;
  if (!policies?.length) return [];
  const compiled = compileScenario(scenario);
  const out: Policy[] = [];
  for (const p of policies) {
    let holds: boolean;
    if (typeof p.when === 'string') {
      holds = textConditionHolds(p, compiled.policyStems.get(p.id), inp);
    } else {
      const c = p.when;
      holds = true;
      if (c.tactic !== undefined) holds &&= inp.tactic === c.tactic || (c.tactic === 'any' && inp.tactic !== undefined);
      if (c.state) for (const k of STATE_KEYS) if (c.state[k] !== undefined) holds &&= compare(inp.state[k], c.state[k] as string);
      if (c.target_unmet !== undefined) holds &&= (inp.targetsMet.get(c.target_unmet) ?? null) === null;
      if (c.target_met !== undefined) holds &&= (inp.targetsMet.get(c.target_met) ?? null) !== null;
      if (c.turn !== undefined) holds &&= compare(inp.userTurn, c.turn);
      holds &&= Object.keys(c).length > 0;
    }
    if (holds) out.push(p);
  }
  return out;
}

/** Why the user hangs up now (e.g. `patience 0.10 below 0.20`), or undefined. */
export function hangUpReason(scenario: Scenario, state: State): string | undefined {
  const h = scenario.termination?.hang_up_when;
  if (!h) return undefined;
  if (h.patience_below !== undefined && state.patience < h.patience_below) return `patience ${state.patience.toFixed(2)} below ${h.patience_below}`;
  if (h.trust_below !== undefined && state.trust < h.trust_below) return `trust ${state.trust.toFixed(2)} below ${h.trust_below}`;
  return undefined;
}

/** Whether the success condition holds (`success_when`, or all primary targets when `orDefault`). */
export function successHolds(scenario: Scenario, targetsMet: ReadonlyMap<string, number | null>, orDefault = false): boolean {
  const rule = scenario.termination?.success_when ?? (orDefault ? 'all_primary_targets_met' : undefined);
  if (!rule) return false;
  const c = compileScenario(scenario);
  const relevant = rule === 'all_targets_met' ? scenario.targets : c.primary;
  if (!relevant.length) return false;
  for (const t of relevant) if ((targetsMet.get(t.id) ?? null) === null) return false;
  return true;
}
