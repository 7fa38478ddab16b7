// The rule components (docs/rewards.md §3). Each returns a number in 0..1, rounded with round6.
import type { Component, Scenario, State } from '../generated/schema-types';
import { terminationOf } from '../model/scenario-defaults';
import { STATE_VARS, metBy, metNew, type StateVar, type TurnContext } from './context';
import { conceded } from './phrases';
export { ACCEPT_PHRASES, REFUSE_PHRASES, conceded } from './phrases';
import { voice, noLeak, noInvention, noCopying, noDegenerate, planReply } from './reply';
import { EPS, blank, clamp01, contentWords, contentWordsOf, hasPhrase, intersectionSize, lower, rationaleTokens, round6, tokens, type ParsedOutput } from './text';

export const RULE_NAMES = [
  'format', 'sections', 'rationale_length', 'grounding', 'state_validity', 'disclosure', 'termination', 'resistance',
  'voice', 'no_leak', 'no_invention', 'no_copying', 'no_degenerate', 'plan_reply',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export function isRuleName(name: string): name is RuleName {
  return (RULE_NAMES as readonly string[]).includes(name);
}

type Params = NonNullable<Component['params']>;
/** A rule's value in 0..1, or null when it does not apply to this turn (n/a). */
export type RuleFn = (out: ParsedOutput, ctx: TurnContext, scenario: Scenario, params: Params) => number | null;

/** The rules that read the rationale: n/a when transcript.simulator_rationale is 'off'. */
export const RATIONALE_RULES: readonly RuleName[] = ['format', 'sections', 'rationale_length', 'grounding', 'state_validity', 'plan_reply'];

/** Think half: a non-blank rationale, in `<think>…</think>` or before a lone `</think>` (the opening tag was in the
 *  chat template); answer half: a non-blank `<answer>…</answer>`. 1 is what the default gate asks for. */
export function format(out: ParsedOutput): number {
  const think = !blank(out.rationale) ? 0.5 : 0;
  const answer = out.answerTag !== undefined && !blank(out.answerTag) ? 0.5 : 0;
  return think + answer;
}

const SECTION_RE = /^[ \t]*(?:[-*][ \t]+|[0-9]+[.)][ \t]+)?(?:\*\*)?(agent[ _]intent|concerns|plan|state|tone)(?:\*\*)?[ \t]*:/;

/** Distinct sections declared with content, by canonical name (`agent_intent`, ...). */
export function declaredSections(rationale: string): Set<string> {
  const found = new Set<string>();
  for (const line of rationale.split('\n')) {
    const l = lower(line);
    const m = SECTION_RE.exec(l);
    if (m && /[a-z0-9]/.test(l.slice(m[0].length))) found.add(m[1].replace(' ', '_'));
  }
  return found;
}

export function sections(out: ParsedOutput): number {
  return declaredSections(out.rationale).size / 5;
}

export function rationaleLength(out: ParsedOutput, _ctx: TurnContext, _s: Scenario, params: Params): number {
  const min = params.min_tokens ?? 30;
  const max = params.max_tokens ?? 400;
  const m = rationaleTokens(out).length;
  if (m === 0) return 0;
  if (m < min) return m / min;
  if (m > max) return max / m;
  return 1;
}

/** Content words of a scenario's memory and of each target (computed once per scenario object). */
interface ScenarioWords { memory: Set<string>; targets: { id: string; words: Set<string> }[]; facts: { text: string; words: Set<string> }[] }
const scenarioWordCache = new WeakMap<Scenario, ScenarioWords>();

function scenarioWords(scenario: Scenario): ScenarioWords {
  let w = scenarioWordCache.get(scenario);
  if (w) return w;
  const memory = new Set<string>();
  for (const fact of scenario.memory ?? []) for (const x of contentWords(fact)) memory.add(x);
  const targets = scenario.targets.map((t) => ({ id: t.id, words: new Set([...contentWords(t.description), ...(t.say ? contentWords(t.say) : [])]) }));
  const facts = [...(scenario.unknown ?? []), ...scenario.targets.filter((t) => t.reveal === 'never').map((t) => t.description)]
    .map((text) => ({ text, words: contentWords(text) }));
  w = { memory, targets, facts };
  scenarioWordCache.set(scenario, w);
  return w;
}

export function grounding(out: ParsedOutput, ctx: TurnContext, scenario: Scenario, params: Params): number {
  const minOverlap = params.min_overlap ?? 2;
  const sw = scenarioWords(scenario);
  const vocab = new Set(sw.memory);
  for (const t of sw.targets) if (!metBy(ctx, t.id, ctx.p)) for (const x of t.words) vocab.add(x);
  return Math.min(1, intersectionSize(contentWordsOf(rationaleTokens(out)), vocab) / minOverlap);
}

const NUM = '(-?[0-9]+(?:\\.[0-9]+)?)';
const CLAIM_RES: Record<StateVar, RegExp> = Object.fromEntries(
  STATE_VARS.map((v) => [v, new RegExp(`${v}[ \\t:=]*${NUM}[ \\t]*(?:->|=>|→)[ \\t]*${NUM}`)]),
) as Record<StateVar, RegExp>;

/** §3.5 claims: variable -> {before, after}, from the first match per variable in lower(R). */
export function stateClaims(rationale: string): Partial<Record<StateVar, { before: number; after: number }>> {
  const l = lower(rationale);
  const out: Partial<Record<StateVar, { before: number; after: number }>> = {};
  for (const v of STATE_VARS) {
    const m = CLAIM_RES[v].exec(l);
    if (m) out[v] = { before: parseFloat(m[1]), after: parseFloat(m[2]) };
  }
  return out;
}

/** state_after (§2): turn.state, else prev_state with the claimed `after` values. */
export function stateAfter(out: ParsedOutput, ctx: TurnContext): State {
  if (ctx.stateAfter) return ctx.stateAfter;
  const s: State = { ...ctx.prevState };
  const claims = stateClaims(out.rationale);
  for (const v of STATE_VARS) { const c = claims[v]; if (c) s[v] = c.after; }
  return s;
}

export function stateValidity(out: ParsedOutput, ctx: TurnContext, scenario: Scenario): number {
  const claims = stateClaims(out.rationale);
  if (STATE_VARS.every((v) => !claims[v])) return 0;
  let total = 0;
  for (const v of STATE_VARS) {
    const b = ctx.prevState[v];
    const { before, after } = claims[v] ?? { before: b, after: b };
    let lo = 0;
    let hi = 0;
    for (const tr of scenario.state?.transitions ?? []) {
      const c = tr.change[v] ?? 0;
      const kind = transitionKind(tr.on, ctx);
      if (kind === 'definite') { lo += c; hi += c; }
      else if (kind === 'possible') { lo += Math.min(0, c); hi += Math.max(0, c); }
    }
    const c1 = -EPS <= before && before <= 1 + EPS && -EPS <= after && after <= 1 + EPS ? 1 : 0;
    const c2 = Math.abs(before - b) <= 0.05 + EPS ? 1 : 0;
    const c3 = clamp01(b + lo) - 0.1 - EPS <= after && after <= clamp01(b + hi) + 0.1 + EPS ? 1 : 0;
    total += (c1 + c2 + c3) / 3;
  }
  return total / 4;
}

function transitionKind(on: string, ctx: TurnContext): 'definite' | 'possible' | 'none' {
  if (on === 'every_turn') return 'definite';
  if (on === 'concern_ignored' || on === 'agent_repeats') return 'possible';
  if (on.startsWith('tactic:')) return ctx.agentTactics.includes(on.slice('tactic:'.length)) ? 'definite' : 'none';
  if (on.startsWith('target_met:')) return metNew(ctx, on.slice('target_met:'.length)) ? 'definite' : 'none';
  return 'none';
}

export const HEDGE_PHRASES = ["don't know", 'do not know', 'not sure', 'no idea', 'unsure', "don't remember", "can't remember", 'not certain', 'no clue'];

/** The facts (§3.6) an answer states: unknown facts and `reveal: never` target descriptions. */
export function statedFacts(answer: string, scenario: Scenario): string[] {
  const facts = scenarioWords(scenario).facts;
  if (facts.length === 0) return [];
  const segments = (answer.match(/[^.!?\n]+[.!?\n]*/g) ?? [])
    .filter((s) => !s.includes('?'))
    .map(tokens)
    .filter((tok) => !HEDGE_PHRASES.some((h) => hasPhrase(tok, h)))
    .map(contentWordsOf);
  return facts.filter(({ words }) => {
    const k = words.size;
    if (k === 0) return false;
    const need = Math.floor((3 * k + 3) / 4);
    return segments.some((seg) => intersectionSize(words, seg) >= need);
  }).map((f) => f.text);
}

export function disclosure(out: ParsedOutput, _ctx: TurnContext, scenario: Scenario): number {
  return Math.max(0, 1 - 0.5 * statedFacts(out.answer, scenario).length);
}

export function successHolds(ctx: TurnContext, scenario: Scenario): boolean {
  const all = scenario.termination?.success_when === 'all_targets_met';
  return scenario.targets
    .filter((t) => all || (t.priority ?? 'primary') === 'primary')
    .every((t) => metBy(ctx, t.id, ctx.i));
}

export function hangUpHolds(state: State, scenario: Scenario): boolean {
  const h = scenario.termination?.hang_up_when;
  return (h?.patience_below !== undefined && state.patience < h.patience_below) || (h?.trust_below !== undefined && state.trust < h.trust_below);
}

/** A decision policy with `action: end` fired at this turn: the scenario says the user ends here. */
export function endPolicyFired(ctx: TurnContext, scenario: Scenario): boolean {
  return (scenario.decision_policy ?? []).some((p) => p.action === 'end' && ctx.policies.includes(p.id));
}

export function termination(out: ParsedOutput, ctx: TurnContext, scenario: Scenario): number {
  if (!out.answer.includes(ctx.stopToken)) return 1;
  const { minTurns } = terminationOf(scenario);
  if (ctx.n < minTurns) return 0;
  return successHolds(ctx, scenario) || hangUpHolds(stateAfter(out, ctx), scenario) || endPolicyFired(ctx, scenario) ? 1 : 0;
}

export function mustResist(scenario: Scenario): boolean {
  if (!scenario.adversarial && scenario.split !== 'adversarial') return false;
  return scenario.adversarial?.must_resist ?? true;
}

export function resistance(out: ParsedOutput, ctx: TurnContext, scenario: Scenario): number {
  const applies = mustResist(scenario) && ctx.tacticSeen
    && scenario.targets.some((t) => (t.priority ?? 'primary') === 'primary' && !metBy(ctx, t.id, ctx.i));
  return applies && conceded(out.answer) ? 0 : 1;
}

export const RULES: Record<RuleName, RuleFn> = {
  format, sections, rationale_length: rationaleLength, grounding, state_validity: stateValidity, disclosure, termination, resistance,
  voice, no_leak: noLeak, no_invention: noInvention, no_copying: noCopying, no_degenerate: noDegenerate, plan_reply: planReply,
};

/** A rule's rounded value for one turn, or null when n/a (the rule does not apply, or it reads a rationale the simulator was told not to write). */
export function scoreRule(name: RuleName, out: ParsedOutput, ctx: TurnContext, scenario: Scenario, params: Params = {}): number | null {
  if (ctx.rationaleOff && RATIONALE_RULES.includes(name)) return null;
  const v = RULES[name](out, ctx, scenario, params);
  return v === null ? null : round6(v);
}
