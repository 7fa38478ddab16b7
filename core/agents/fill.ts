// Agent lines derived from a scenario: SOP steps spoken by the agent, lines that address the
// user's open concerns (the scenario's own script lines when one covers the concern), and tactic
// lines with {product}/{price}/{company} filled in.
import type { Scenario, Tactic, Target } from '../generated/schema-types';
import type { Rng } from '../util/rng';
import { contentStems, hasPhrase, lowerFirst, overlap, secondPerson, sentence, stripStop, upperFirst } from '../util/text';
import { phraseTarget, toAgent } from '../simulate/target-phrasing';

interface ScenarioLines {
  sop: { text: string; imperative: boolean }[];
  /** Script lines that address each target (they use one of its cues; without cues, two of its words). */
  answers: Map<string, string[]>;
  /** The SOP step that talks about each target (two of its words), when one does. */
  steps: Map<string, { text: string; imperative: boolean }>;
  slots: Record<string, string>;
}
const cache = new WeakMap<Scenario, ScenarioLines>();

/** Placeholders for tactic lines, read from the scenario (with neutral fallbacks). */
export function scenarioSlots(scenario: Scenario): Record<string, string> {
  return linesOf(scenario).slots;
}

const PRODUCT = /\b((?:[A-Z][\w+&'-]*[ \t]+){0,3}(?:plan|package|bundle|policy|card|loan|subscription|membership|upgrade|cover|coverage|protection|service|account|contract))\b/g;

/** What the agent sells: a named product ("Premium Guardian package") when the agent's text has one, else a generic noun. */
function productName(agentText: string): string | undefined {
  const found = [...agentText.matchAll(PRODUCT)].map((m) => m[1].split(/[ \t]+/).filter((w, i) => i > 0 || !IMPERATIVE.test(w)).join(' '));
  return found.find((p) => /[A-Z]/.test(p)) ?? found[0];
}

function linesOf(scenario: Scenario): ScenarioLines {
  let c = cache.get(scenario);
  if (!c) {
    const a = scenario.agent ?? {};
    const text = [a.sop, ...(a.script ?? []), ...(scenario.memory ?? []), ...scenario.targets.map((t) => t.description)].join(' \n ');
    const price = [...text.matchAll(/[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:\/|per |a )\s?(?:month|mo|year|yr|week))?/gi)].map((m) => m[0]).find((p) => !/^\D+0(?:\.0+)?$/.test(p));
    const company = /\b(?:at|from|for|with|of)[ \t]+((?:[A-Z][\w&'-]*)(?:[ \t]+[A-Z][\w&'-]*)*)/.exec(`${a.role ?? ''}\n${a.sop ?? ''}`)?.[1];
    const agentText = [a.sop, a.opening, ...(a.script ?? [])].join('\n');
    const named = productName(agentText);
    const answers = new Map<string, string[]>();
    const sop = sopSteps(a.sop ?? '');
    const steps = new Map<string, { text: string; imperative: boolean }>();
    for (const t of scenario.targets) {
      const cues = (t.cues ?? []).map((x) => x.toLowerCase());
      const covers = (line: string) => (cues.length ? cues.some((cue) => hasPhrase(line.toLowerCase(), cue)) : talksAbout(line, t));
      answers.set(t.id, (a.script ?? []).filter(covers));
      const step = sop.find((x) => covers(x.text));
      if (step) steps.set(t.id, step);
    }
    c = {
      sop,
      answers,
      steps,
      slots: { price: price ?? 'this price', company: company ?? 'us', product: named ? named.replace(/^(?:the|our|a)\s+/i, '') : 'plan' },
    };
    cache.set(scenario, c);
  }
  return c;
}

const IMPERATIVE = /^(?:greet|introduce|confirm|verify|check|explain|offer|ask|tell|pitch|answer|close|listen|book|schedule|get|give|send|note|mention|thank|apologi[sz]e|state|describe|find|make|present|propose|review|collect|record|escalate|transfer|end|keep|stay|remind|inform|quote|discuss|set|arrange|follow|identify|acknowledge|let|try|use|avoid|never|always|do|don't|be|stress|emphasi[sz]e|highlight|recommend|suggest|provide|request|capture|secure|push|upsell|handle|resolve|process|issue|waive|apply)\b/i;

/** SOP text → steps the agent can speak, with internal notes (parentheses) removed and the customer addressed as "you". */
function sopSteps(sop: string): { text: string; imperative: boolean }[] {
  return sop
    .split(/\n+|(?<=[.!?])\s+/)
    .map((s) => s.replace(/^\s*(?:\d+[.)]|[-*•])\s*/, '').replace(/\s*\([^)]*\)/g, '').trim())
    .filter((s) => s.length > 8)
    .map((s) => {
      const text = secondPerson(stripStop(s)).replace(/\b(?:customers|callers|clients)\b/gi, 'customers like you');
      return { text, imperative: IMPERATIVE.test(text) };
    });
}

/** Whether a line talks about a target without cues: two of its words (description, `done_when`). */
function talksAbout(line: string, t: Target): boolean {
  const want = phraseTarget(t).cueStems;
  return overlap(contentStems(line), want) >= Math.min(2, want.size);
}

const STEP_LEADS = ['Next, I need to {step}.', 'Let me {step}.', 'As a next step, I\'ll {step}.', 'Okay, so I\'m going to {step}.', 'Now I\'d like to {step}.'];
const CONCERN_LINES = [
  'About {topic}: {cue}, and I can confirm that for you.',
  'Right, {topic}. I\'ve checked: {cue}.',
  'On {topic}, here\'s where we are: {cue}.',
];
const GENERIC = ['Is there anything else I can help you with today?', 'Does that answer your question?', 'Let me know how you would like to proceed.', 'Is there something specific you want me to look into?'];

/** An SOP step as the agent says it. */
function stepLine(step: { text: string; imperative: boolean }, rng: Rng): string {
  return step.imperative ? sentence(rng.pick(STEP_LEADS).replace('{step}', lowerFirst(step.text))) : sentence(upperFirst(step.text));
}

/**
 * A line that addresses an open target: a script line that covers it, else the SOP step that
 * talks about it, else a line with its cue words, else one derived from the target (never its
 * description pasted in).
 */
function addressLine(lines: ScenarioLines, top: Target, rng: Rng, said: ReadonlySet<string>): string {
  const fresh = (lines.answers.get(top.id) ?? []).filter((l) => !said.has(l));
  if (fresh.length) return fresh[0];
  const step = lines.steps.get(top.id);
  if (step) {
    const l = stepLine(step, rng);
    if (!said.has(l)) return l;
  }
  const p = phraseTarget(top);
  if (top.cues?.length) {
    const cue = top.cues[rng.int(top.cues.length)];
    const topic = p.topic && !p.limit ? toAgent(p.topic) : 'that';
    return sentence(upperFirst(rng.pick(CONCERN_LINES).replace('{cue}', cue).replace('{topic}', topic)));
  }
  const own = p.agent.filter((l) => !said.has(l));
  return rng.pick(own.length ? own : p.agent);
}

/**
 * A plausible agent line: with probability `addressRate` one that addresses the top open concern
 * (see `addressLine`), otherwise the next SOP step.
 * `said` holds the agent's earlier lines, which are not repeated when there is another choice.
 */
export function sopLine(scenario: Scenario, rng: Rng, turn: number, concerns: readonly Target[], addressRate = 0.8, said: ReadonlySet<string> = new Set()): string {
  const lines = linesOf(scenario);
  const top = concerns[0];
  if (top && rng.chance(addressRate)) return addressLine(lines, top, rng, said);
  const steps = lines.sop;
  if (steps.length && turn < steps.length * 2) return stepLine(steps[turn % steps.length], rng);
  return rng.pick(GENERIC);
}

/** An example line of a tactic with the scenario's placeholders filled. */
export function tacticLine(scenario: Scenario, tactic: Tactic, rng: Rng): string | undefined {
  const examples = tactic.examples ?? [];
  if (!examples.length) return undefined;
  const slots = linesOf(scenario).slots;
  return rng.pick(examples).replace(/\{(\w+)\}/g, (m, k: string) => slots[k] ?? m);
}
