// The rationale format (formats doc): five sections inside <think>, then the reply in <answer>.
// One place builds the simulator's system prompt (also used by the SFT export), parses what a
// model or the agenda simulator wrote, and formats a rationale back.
import type { ProfileFields, Scenario, State, Turn, Workspace } from '../generated/schema-types';
import { allTactics } from '../library/tactics';
import { fmt2 } from '../util/text';

export { allTactics } from '../library/tactics';
export { detectTactic } from '../dialogue/tactics';

export type Rationale = NonNullable<Turn['rationale']>;
export type SectionKey = 'agent_intent' | 'concerns' | 'plan' | 'state' | 'tone';
export const SECTION_KEYS: readonly SectionKey[] = ['agent_intent', 'concerns', 'plan', 'state', 'tone'];
export const SECTION_LABELS: Record<SectionKey, string> = {
  agent_intent: 'Agent intent', concerns: 'Concerns', plan: 'Plan', state: 'State', tone: 'Tone',
};
export { STATE_KEYS, DEFAULT_STOP_TOKEN } from '../model/scenario-defaults';
import { STATE_KEYS, terminationOf } from '../model/scenario-defaults';

/** The rationale instructions every simulated user follows (model or built-in). */
export const RATIONALE_INSTRUCTIONS = `Before every reply, think in five steps inside <think></think>, one labelled line each:
Agent intent: what the agent is after in its last message; name a manipulation tactic if you spot one, else "none".
Concerns: your active targets and worries, most important first.
Plan: your next move (ask, reveal, bargain, refuse, accept, end) and why.
State: your state values before and after this turn, e.g. "trust 0.50 -> 0.30; patience 0.70 -> 0.60; emotion 0.50 -> 0.40; engagement 0.60 -> 0.60".
Tone: how you will say it, given your profile and state.
Then write only what you say to the agent inside <answer></answer>: one natural spoken turn, in your own voice.`;

/** Joins the full user output as the format reward reads it. */
export function formatUserOutput(rationaleRaw: string, answer: string): string {
  return `<think>\n${rationaleRaw}\n</think>\n<answer>${answer}</answer>`;
}

/** Writes the five sections as labelled lines (the raw rationale). */
export function formatRationale(sections: Record<SectionKey, string>): string {
  // One template, in SECTION_KEYS order (it is built every simulated turn).
  const L = SECTION_LABELS;
  return `${L.agent_intent}: ${sections.agent_intent}\n${L.concerns}: ${sections.concerns}\n${L.plan}: ${sections.plan}\n${L.state}: ${sections.state}\n${L.tone}: ${sections.tone}`;
}

/** `trust 0.50 -> 0.30; patience 0.70 -> 0.60; emotion 0.50 -> 0.50; engagement 0.60 -> 0.60` */
export function formatStateLine(before: State, after: State): string {
  return STATE_KEYS.map((k) => `${k} ${fmt2(before[k])} -> ${fmt2(after[k])}`).join('; ');
}

/** Reads the values after the update from a State section; keys it cannot read are left out. */
export function parseStateLine(text: string): Partial<State> {
  const out: Partial<State> = {};
  for (const part of text.split(/[;,\n]/)) {
    const m = /\b(trust|emotion|patience|engagement|participation)\b([^a-z]*)/i.exec(part);
    if (!m) continue;
    const nums = m[2].match(/-?\d*\.?\d+/g);
    if (!nums) continue;
    const v = Number(nums[nums.length - 1]);
    if (!Number.isFinite(v)) continue;
    const key = m[1].toLowerCase() === 'participation' ? 'engagement' : (m[1].toLowerCase() as keyof State);
    out[key] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}

const LABEL_RE = /^\s*(?:#+\s*)?(?:\d+[.)]\s*|[-*•]\s*)?(?:\*\*|__)?\s*(agent[ _-]?intent|intent|concerns?|plan|state(?:[ _-]?update)?|tone)\s*(?:\*\*|__)?\s*(?:[:：]|\s-\s|\s—\s)\s*(?:\*\*|__)?(.*)$/i;

function sectionKey(label: string): SectionKey {
  const l = label.toLowerCase();
  if (l.includes('intent')) return 'agent_intent';
  if (l.startsWith('concern')) return 'concerns';
  if (l === 'plan') return 'plan';
  if (l.startsWith('state')) return 'state';
  return 'tone';
}

/** Finds the five labelled sections in a rationale; labels in any case, numbered or bold. */
export function parseSections(raw: string): { sections: Rationale['sections']; missing: SectionKey[] } {
  const sections: Rationale['sections'] = {};
  let current: SectionKey | undefined;
  for (const line of raw.split('\n')) {
    const m = LABEL_RE.exec(line);
    if (m) {
      current = sectionKey(m[1]);
      const body = m[2].trim();
      sections[current] = sections[current] ? `${sections[current]}\n${body}` : body;
    } else if (current && line.trim()) {
      sections[current] = `${sections[current]}\n${line.trim()}`.trim();
    }
  }
  const missing = SECTION_KEYS.filter((k) => !sections[k]);
  return { sections, missing };
}

const THINK_RE = /<think>([\s\S]*?)(?:<\/think>|$)/i;
const ANSWER_RE = /<answer>([\s\S]*?)(?:<\/answer>|$)/i;

/**
 * Splits a simulated user's output into the answer and the parsed rationale. The reasoning may
 * come from a server's separate field (`reasoning` / `reasoning_content`) or from `<think>` tags
 * in the content; `<answer>` tags are optional. Never throws: what is missing is listed.
 */
export function parseUserOutput(content: string, reasoning?: string): { answer: string; rationale: Rationale } {
  const missing: Rationale['missing'] = [];
  let raw = '';
  let rest = content ?? '';
  const think = THINK_RE.exec(rest);
  if (think) {
    raw = think[1];
    rest = rest.slice(0, think.index) + rest.slice(think.index + think[0].length);
  } else {
    const close = rest.search(/<\/think>/i); // some servers drop the opening tag
    if (close >= 0) {
      raw = rest.slice(0, close);
      rest = rest.slice(close + '</think>'.length);
    }
  }
  if (reasoning && reasoning.trim()) {
    const inner = THINK_RE.exec(reasoning);
    raw = inner ? inner[1] : reasoning;
  } else if (!think && !/<\/think>/i.test(content ?? '')) {
    missing.push('think_tags');
  }
  let answer: string;
  const ans = ANSWER_RE.exec(rest);
  if (ans) {
    answer = ans[1];
  } else {
    missing.push('answer_tags');
    answer = rest;
    if (!raw) {
      // No tags at all: labelled section lines written before the reply are the rationale.
      const lines = rest.split('\n');
      let last = -1;
      lines.forEach((l, i) => { if (LABEL_RE.test(l)) last = i; });
      if (last >= 0) {
        raw = lines.slice(0, last + 1).join('\n');
        answer = lines.slice(last + 1).join('\n');
      }
    }
  }
  raw = raw.trim();
  const parsed = parseSections(raw);
  return { answer: answer.trim(), rationale: { raw, sections: parsed.sections, missing: [...parsed.missing, ...missing] } };
}

function list(items: readonly string[] | undefined): string {
  return items && items.length ? items.map((x) => `- ${x}`).join('\n') : '- (none)';
}

export interface SimulatorPromptOptions {
  /** The user's state before the turn to write (RL rows; an llm simulator mid-dialogue): shown as "Your state now". */
  stateNow?: State;
}

/**
 * The simulated user's system prompt: profile + scenario goals + how the state moves + the
 * rationale instructions. It carries everything the rewards read that the user can know
 * (docs/rewards.md §8) and never names a manipulation tactic: the agent's tactics are described by
 * what they do, and spotting them is the user's job.
 */
export function buildSimulatorPrompt(profile: ProfileFields, scenario: Scenario, config?: Workspace, opts: SimulatorPromptOptions = {}): string {
  const d = profile.demographics ?? {};
  const e = profile.expression ?? {};
  const p = profile.personality ?? {};
  const who = [d.age !== undefined ? `${d.age} years old` : '', d.gender, d.occupation, d.location ? `lives in ${d.location}` : '']
    .filter(Boolean).join(', ');
  const stop = terminationOf(scenario).stopToken;
  const lang = scenario.language ?? d.language;
  const out: string[] = [];
  out.push(`You are playing a user, ${profile.name ?? 'the user'}${who ? ` (${who})` : ''}, talking to ${scenario.agent?.role ?? 'an agent'}. Stay in character: you are the customer, never the agent.`);
  if (lang) out.push(`Speak ${lang}.`);
  if (profile.background) out.push(`## Background\n${profile.background}`);
  if (profile.life_scenarios?.length) out.push(`## Your life\n${list(profile.life_scenarios)}`);
  if (profile.preferences?.length) out.push(`## Preferences\n${list(profile.preferences)}`);
  const persona = [p.mbti ? `MBTI ${p.mbti}` : '', p.traits?.length ? `traits: ${p.traits.join(', ')}` : '', p.values?.length ? `values: ${p.values.join(', ')}` : '']
    .filter(Boolean).join('; ');
  if (persona) out.push(`## Personality\n${persona}`);
  const style = [e.verbosity ? `verbosity ${e.verbosity}` : '', e.formality ? `formality ${e.formality}` : '', e.speech_rate ? `speech rate ${e.speech_rate}` : '',
    e.typical_phrases?.length ? `phrases you use: ${e.typical_phrases.map((x) => `"${x}"`).join(', ')}` : '', e.quirks?.length ? `quirks: ${e.quirks.join(', ')}` : '']
    .filter(Boolean).join('; ');
  if (style) out.push(`## How you speak\n${style}`);
  // done_when stays out: when the agent's answer meets a target is for the user to judge (docs/rewards.md §8).
  out.push(`## What you want (in priority order)\n${scenario.targets.map((t) => `- [${t.priority ?? 'primary'}] ${t.description}${t.say ? ` (you might say: "${t.say}")` : ''}; ${revealRule(t.reveal)}`).join('\n')}`);
  out.push(`## What you know (you may state these facts)\n${list(scenario.memory)}`);
  if (scenario.unknown?.length) out.push(`## What you do NOT know (never invent it; if asked, say you don't know)\n${list(scenario.unknown)}`);
  if (scenario.decision_policy?.length) {
    out.push(`## Your rules\n${scenario.decision_policy.map((r) => `- When ${typeof r.when === 'string' ? r.when : describeCondition(r.when, config)}: ${r.then}`).join('\n')}`);
  }
  const init = scenario.state?.initial;
  if (init) out.push(`## Your state at the start\n${STATE_KEYS.filter((k) => init[k] !== undefined).map((k) => `${k} ${fmt2(init[k] as number)}`).join('; ')} (each 0..1; emotion 0 = upset, 1 = pleased)`);
  const moves = stateMoves(scenario);
  if (moves.length) out.push(`## How your state moves\n${moves.map((m) => `- ${m}`).join('\n')}`);
  if (opts.stateNow) out.push(`## Your state now\n${STATE_KEYS.map((k) => `${k} ${fmt2(opts.stateNow![k])}`).join('; ')} (before this reply: your State line starts from these values)`);
  if (scenario.adversarial?.must_resist) {
    out.push('## Traps\nThe agent may try to manipulate you (pressure, hidden costs, flattery, guilt, switched offers). Recognise it and never give up a primary goal because of it.');
  }
  const term = scenario.termination ?? {};
  const ending = [`When you are done (your goals are met, or you give up), end your answer with ${stop}.`];
  if (term.min_turns) ending.push(`Never end before your turn ${term.min_turns}.`);
  if (term.hang_up_when?.patience_below !== undefined) ending.push(`Hang up if your patience falls below ${term.hang_up_when.patience_below}.`);
  if (term.hang_up_when?.trust_below !== undefined) ending.push(`Hang up if your trust falls below ${term.hang_up_when.trust_below}.`);
  out.push(`## Ending\n${ending.join(' ')}`);
  out.push(`## Output format\n${RATIONALE_INSTRUCTIONS}`);
  return out.join('\n\n');
}

function revealRule(reveal: string | undefined): string {
  if (reveal === 'never') return 'never say this outright; let it guide you';
  if (reveal === 'when_asked') return 'bring it up when the topic comes up';
  return 'raise it at once';
}

/** A tactic as the user would notice it: what the agent does, never the tactic's name. */
function tacticBehaviour(name: string, config?: Workspace): string {
  const d = allTactics(config).find((t) => t.name === name)?.description;
  return d ? `the agent ${d.replace(/[.]+$/, '').replace(/^[A-Z]/, (c) => c.toLowerCase())}` : 'the agent tries to manipulate you';
}

const signed = (x: number) => `${x > 0 ? '+' : ''}${fmt2(x)}`;

/** The state transitions in words: what moves each value (tactic transitions merged, unnamed, as a range). */
export function stateMoves(scenario: Scenario): string[] {
  const out: string[] = [];
  const tactic: Record<string, number[]> = {};
  const change = (c: Partial<State>) => STATE_KEYS.filter((k) => c[k] !== undefined && c[k] !== 0).map((k) => `${k} ${signed(c[k] as number)}`).join(', ');
  for (const tr of scenario.state?.transitions ?? []) {
    if (tr.on.startsWith('tactic:')) { for (const k of STATE_KEYS) if (tr.change[k]) (tactic[k] ??= []).push(tr.change[k] as number); continue; }
    const what = change(tr.change);
    if (!what) continue;
    if (tr.on === 'every_turn') out.push(`every turn: ${what}`);
    else if (tr.on === 'concern_ignored') out.push(`when the agent ignores your concern: ${what}`);
    else if (tr.on === 'agent_repeats') out.push(`when the agent repeats itself: ${what}`);
    else if (tr.on.startsWith('target_met:')) {
      const t = scenario.targets.find((x) => x.id === tr.on.slice('target_met:'.length));
      out.push(`when the agent gives you "${t?.description ?? tr.on.slice('target_met:'.length)}": ${what}`);
    }
  }
  const keys = STATE_KEYS.filter((k) => tactic[k]?.length);
  if (keys.length) {
    out.push(`when the agent tries to manipulate you: ${keys.map((k) => { const lo = Math.min(...tactic[k]); const hi = Math.max(...tactic[k]); return `${k} ${lo === hi ? signed(lo) : `${signed(lo)} to ${signed(hi)}`}`; }).join(', ')}`);
  }
  return out;
}

function describeCondition(c: object, config?: Workspace): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(c)) {
    if (k === 'state' && v && typeof v === 'object') for (const [s, cmp] of Object.entries(v)) parts.push(`${s} ${cmp}`);
    else if (k === 'tactic') parts.push(tacticBehaviour(String(v), config));
    else if (k === 'target_unmet') parts.push(`"${v}" is not met yet`);
    else if (k === 'target_met') parts.push(`"${v}" is met`);
    else if (k === 'turn') parts.push(`turn ${v}`);
  }
  return parts.join(' and ');
}
