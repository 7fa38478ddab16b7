// One-line definitions of every reward component and metric: the one table the editor, reports
// and docs/rewards.md show (a test checks that the docs carry the same sentences).
import type { RewardSpec, Transcript } from '../generated/schema-types';
import { normalizeComponents } from './spec';
import { brokeOff, failedGates, gatesOf, GATE_PASS, turnPart } from './score';

export const COMPONENT_DEFINITIONS: Readonly<Record<string, string>> = {
  format: 'The output has a non-empty <think> rationale and a non-empty <answer> reply.',
  sections: 'The rationale declares all five sections: agent intent, concerns, plan, state, tone.',
  rationale_length: 'The rationale is neither too short nor too long (min_tokens..max_tokens).',
  grounding: 'The rationale refers to the active targets or the memory.',
  state_validity: 'The state values claimed in the rationale are in range and move as the transitions say.',
  disclosure: 'The reply never states anything listed under unknown or a reveal: never target.',
  termination: 'The user ends only when the goals are met, the state explains it or an end policy fired, never before min_turns.',
  resistance: 'After a manipulation tactic, no primary target is conceded when the scenario says must_resist.',
  voice: 'The user speaks as the user: no service-agent phrases, offers of help, "as an AI" or narration of "the user".',
  no_leak: 'The spoken reply gives nothing of the rationale away: no tags, section labels or state claims.',
  no_invention: 'The reply states no concrete value (amount, date, time, id, count) the user cannot know; worst when it answers an unknown item.',
  no_copying: 'The reply copies no long verbatim run from target descriptions, done_when, policies or the system prompt (say lines are allowed).',
  no_degenerate: 'The reply is not empty, not a repeat of an earlier user turn, and has nothing after the stop token.',
  plan_reply: 'The reply does what the plan says: accept, refuse, ask, reveal or end.',
  persona_consistency: 'Judge (Pers.): the reply stays true to the profile and sounds like that person speaking.',
  reasoning_quality: 'Judge (CoT): the rationale reads the agent, orders the concerns, plans and updates the state well.',
  strategy: 'Judge (Stra.): the user spots traps, keeps track of state and steers toward the goals.',
  thought_response_alignment: 'Judge (Con.): the reply carries out the plan and tone of the rationale.',
  robotic_tone: 'Judge (Rob., lower is better): how mechanical or assistant-like the reply sounds; scored as 1 - x.',
  role_authenticity: 'Judge (Role): over the whole dialogue, a believable customer who never breaks role.',
  interaction: 'Judge (Int.): over the whole dialogue, the user engages and reacts so the conversation flows.',
  goal_progress: 'Judge (Goal): over the whole dialogue, the user pursued the targets to a sensible end.',
};

export const METRIC_DEFINITIONS: Readonly<Record<string, string>> = {
  Role: 'Role authenticity: the role_authenticity judge, else by rule the mean over user turns of min(voice, no_leak, no_invention).',
  Int: 'Interaction: the interaction judge only.',
  Goal: 'Goal: the goal_progress judge, else by rule the weighted share of targets met (primary 2, secondary 1).',
  Rob: 'Robotic tone (lower is better): the robotic_tone judge only.',
  CoT: 'Reasoning quality: the reasoning_quality judge only.',
  Stra: 'Strategy: the strategy judge only.',
  Pers: 'Persona consistency: the persona_consistency judge only.',
  Con: 'Thought/response alignment: the thought_response_alignment judge, else by rule the mean plan_reply.',
  Res: 'Resistance: by rule, the share of user turns after a tactic that concede nothing.',
};

/**
 * The one-line definition of a reward component or a metric. A spec component's own
 * `description` overrides the built-in text; a custom judge without one shows its rubric.
 */
export function componentDefinition(name: string, spec?: RewardSpec): string {
  const c = spec?.components.find((x) => x.name === name);
  if (c?.description) return c.description;
  const builtIn = COMPONENT_DEFINITIONS[name] ?? METRIC_DEFINITIONS[name];
  if (builtIn) return builtIn;
  if (c?.rubric) return `Judge: ${c.rubric.split('\n')[0]}`;
  return `${name}: not a built-in component`;
}

const f = (x: number) => String(Math.round(x * 1e6) / 1e6);

/** Lines that show how a scored transcript's total was computed, with its actual numbers (docs/rewards.md §5). */
export function explainTotal(t: Transcript, spec: RewardSpec): string[] {
  const comps = normalizeComponents(spec);
  const turnComps = comps.filter((c) => c.level === 'turn');
  const lines: string[] = [];
  const scores: number[] = [];
  for (const turn of t.turns) {
    if (turn.speaker !== 'user') continue;
    const v = turn.rewards ?? {};
    if (turn.score === undefined) { lines.push(`turn ${turn.index}: no score (no component has a value)`); continue; }
    scores.push(turn.score);
    const gates = failedGates(spec, v);
    if (gates.length) { lines.push(`turn ${turn.index}: 0 — gate ${gates.map((g) => `${g} ${f(v[g])} < ${GATE_PASS}`).join(', ')}`); continue; }
    const parts = turnComps.filter((c) => v[c.name] !== undefined).map((c) => `${c.weight}×${f(v[c.name])}`);
    const den = turnComps.filter((c) => v[c.name] !== undefined).reduce((n, c) => n + c.weight, 0);
    lines.push(`turn ${turn.index}: (${parts.join(' + ')}) / ${f(den)} = ${f(turn.score)}`);
  }
  if (brokeOff(t)) {
    lines.push(`no total: the dialogue ${t.end.reason === 'error' ? 'ended with an error' : 'was cancelled'} at turn ${t.end.at_turn}`);
    return lines;
  }
  const g = spec.aggregate?.discount;
  const T = turnPart(scores, g);
  const tw = spec.aggregate?.turn_weight ?? 1;
  if (T !== undefined) lines.push(`T = ${g === undefined ? `mean of ${scores.length} turn scores` : `mean normalised reward-to-go (discount ${g}) of ${scores.length} turn scores`} = ${f(T)}`);
  else lines.push('T: no turn scores');
  const parts: string[] = T !== undefined ? [`${tw}×T`] : [];
  let den = T !== undefined ? tw : 0;
  for (const c of comps.filter((x) => x.level === 'session')) {
    const v = t.rewards.session[c.name];
    if (v === undefined) continue;
    parts.push(`${c.weight}×${c.name} ${f(v)}`);
    den += c.weight;
  }
  const gates = gatesOf(spec);
  if (gates.length) lines.push(`gates: ${gates.join(', ')} (a turn below ${GATE_PASS} on a gate scores 0)`);
  lines.push(`total = (${parts.join(' + ') || 'nothing'}) / ${f(den)} = ${t.rewards.total === undefined ? 'none' : f(t.rewards.total)}`);
  return lines;
}
