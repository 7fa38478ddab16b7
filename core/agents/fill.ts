// Agent lines derived from a scenario: SOP steps spoken by the agent, lines that address the
// user's open concerns, and tactic lines with {product}/{price}/{company} filled in.
import type { Scenario, Tactic, Target } from '../generated/schema-types';
import type { Rng } from '../util/rng';
import { lowerFirst, sentence, stripStop } from '../util/text';

interface ScenarioLines { sop: string[]; slots: Record<string, string> }
const cache = new WeakMap<Scenario, ScenarioLines>();

/** Placeholders for tactic lines, read from the scenario (with neutral fallbacks). */
export function scenarioSlots(scenario: Scenario): Record<string, string> {
  return linesOf(scenario).slots;
}

function linesOf(scenario: Scenario): ScenarioLines {
  let c = cache.get(scenario);
  if (!c) {
    const text = [scenario.agent?.sop, ...(scenario.agent?.script ?? []), ...(scenario.memory ?? []), ...scenario.targets.map((t) => t.description)].join(' \n ');
    const price = /[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:\/|per |a )\s?(?:month|mo|year|yr|week))?/i.exec(text)?.[0];
    const roleText = `${scenario.agent?.role ?? ''}\n${scenario.agent?.sop ?? ''}`;
    const company = /\b(?:at|from|for|with|of)[ \t]+((?:[A-Z][\w&'-]*)(?:[ \t]+[A-Z][\w&'-]*)*)/.exec(roleText)?.[1];
    const product = scenario.title ? lowerFirst(scenario.title) : scenario.domain ? `${scenario.domain} plan` : 'plan';
    c = {
      sop: sopSteps(scenario.agent?.sop ?? ''),
      slots: { price: price ?? 'this price', company: company ?? 'us', product: product.replace(/^the /i, '') },
    };
    cache.set(scenario, c);
  }
  return c;
}

/** SOP text → lines the agent could say: one per step, third person turned to second. */
function sopSteps(sop: string): string[] {
  return sop
    .split(/\n+|(?<=[.!?])\s+/)
    .map((s) => s.replace(/^\s*(?:\d+[.)]|[-*•])\s*/, '').trim())
    .filter((s) => s.length > 8)
    .map((s) => stripStop(s)
      .replace(/\bthe customer's\b/gi, 'your').replace(/\bthe caller's\b/gi, 'your').replace(/\bthe user's\b/gi, 'your')
      .replace(/\b(?:the )?(?:customer|caller|user|client)s?\b/gi, 'you'));
}

const STEP_LEADS = ['Next, I need to {step}.', 'Let me {step}.', 'As a next step, I\'ll {step}.', 'Okay, so I\'m going to {step}.', 'Part of the process: I {step}.'];
const CONCERN_LINES = [
  'I hear you on {desc}. Regarding {cue}, I can confirm we can sort that out for you.',
  'About {cue}: I\'ve checked, and yes, that is something we can do.',
  'Understood. On {cue}, here is what I can offer: we take care of it today.',
  'Good question about {cue}. Let me confirm that it\'s covered.',
];
const GENERIC = ['Is there anything else I can help you with today?', 'Does that answer your question?', 'Let me know how you would like to proceed.', 'Is there something specific you want me to look into?'];

/** A plausible agent line from the SOP, or one that addresses the top open concern (using its cue words). */
export function sopLine(scenario: Scenario, rng: Rng, turn: number, concerns: readonly Target[], addressRate = 0.8): string {
  const top = concerns[0];
  if (top && rng.chance(addressRate)) {
    const cue = top.cues?.length ? top.cues[rng.int(top.cues.length)] : lowerFirst(stripStop(top.description));
    return rng.pick(CONCERN_LINES).replace('{cue}', cue).replace('{desc}', lowerFirst(stripStop(top.description)));
  }
  const steps = linesOf(scenario).sop;
  if (steps.length && turn < steps.length * 2) {
    const step = steps[turn % steps.length];
    return sentence(rng.pick(STEP_LEADS).replace('{step}', lowerFirst(step)));
  }
  return rng.pick(GENERIC);
}

/** An example line of a tactic with the scenario's placeholders filled. */
export function tacticLine(scenario: Scenario, tactic: Tactic, rng: Rng): string | undefined {
  const examples = tactic.examples ?? [];
  if (!examples.length) return undefined;
  const slots = linesOf(scenario).slots;
  return rng.pick(examples).replace(/\{(\w+)\}/g, (m, k: string) => slots[k] ?? m);
}
