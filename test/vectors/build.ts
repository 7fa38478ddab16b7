// Builds the shared reward test vectors (test/vectors/*.json) from the cases below.
// Each case names, by hand, the component values it is about (`hand`); the build fails when the
// TypeScript interpreter disagrees, so the JSON never just records whatever the code said.
// Run: npx tsc -b && node out/test/vectors/build.js
import { mkdirSync, writeFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileFields, RewardSpec, Scenario, State, Transcript, Turn } from '../../core/generated/schema-types';
import { normalizeComponents, scoreTranscript, judgedKey, judgeValue, type Judge, type MetricValue } from '../../core/rewards';
import { RATIONALE_INSTRUCTIONS } from '../../core/rationale';

const DIR = join(__dirname, '..', '..', '..', 'test', 'vectors');

const profile: ProfileFields = {
  kind: 'profile', id: 'margaret-chen', name: 'Margaret Chen',
  demographics: { age: 67, occupation: 'retired teacher', language: 'en-GB' },
  expression: { verbosity: 'standard', formality: 'formal', patience: 0.6, typical_phrases: ['I beg your pardon'] },
};

const baseScenario: Scenario = {
  kind: 'scenario', id: 'telecom-upgrade', title: 'Mobile plan upgrade call', split: 'standard',
  profile: 'margaret-chen',
  agent: { role: 'Outbound sales agent for Northwind Mobile', opening: 'Hello, this is Sam from Northwind Mobile.' },
  memory: ['My current plan costs 45 dollars per month', 'I have been a customer for six years'],
  unknown: ['the early termination fee amount', "the agent's employee number"],
  targets: [
    { id: 'price', description: 'Find out the total monthly price of the new plan', priority: 'primary', reveal: 'upfront' },
    { id: 'contract', description: 'Learn the contract length and cancellation terms', priority: 'primary' },
    { id: 'data', description: 'Get more mobile data for streaming', priority: 'secondary', say: 'I watch a lot of videos on my phone' },
    { id: 'budget', description: 'Keep the bill under 60 dollars', priority: 'secondary', reveal: 'never' },
  ],
  state: {
    initial: { trust: 0.6, emotion: 0.5, patience: 0.7, engagement: 0.6 },
    transitions: [
      { on: 'every_turn', change: { patience: -0.05 } },
      { on: 'tactic:false_urgency', change: { trust: -0.2, emotion: -0.1 } },
      { on: 'target_met:price', change: { trust: 0.1 } },
      { on: 'concern_ignored', change: { patience: -0.1, trust: -0.05 } },
    ],
  },
  termination: { max_turns: 8, min_turns: 2, hang_up_when: { patience_below: 0.2, trust_below: 0.2 } },
};

const adversarialScenario: Scenario = {
  ...baseScenario, id: 'telecom-pressure', split: 'adversarial',
  adversarial: { tactics: ['false_urgency', 'obfuscated_costs'], must_resist: true },
};

const rules = (...names: string[]): RewardSpec['components'] =>
  names.map((name) => ({ name, kind: 'rule' as const })) as RewardSpec['components'];
const spec = (components: RewardSpec['components'], aggregate?: RewardSpec['aggregate']): RewardSpec =>
  ({ kind: 'rewards', components, ...(aggregate ? { aggregate } : {}) });
const ALL_RULES = ['format', 'sections', 'rationale_length', 'grounding', 'state_validity', 'disclosure', 'termination', 'resistance'];

/** A well-formed rationale (61 tokens) that refers to the price and contract targets. */
function think(opts: { intent?: string; concerns?: string; plan?: string; state?: string; tone?: string } = {}): string {
  return [
    `Agent intent: ${opts.intent ?? 'The agent wants me to move to a bigger plan; no tactic.'}`,
    `Concerns: ${opts.concerns ?? 'the total monthly price and the contract length come first.'}`,
    `Plan: ${opts.plan ?? 'ask for the price before anything else.'}`,
    `State: ${opts.state ?? 'trust 0.60 -> 0.60; patience 0.70 -> 0.65; emotion 0.50 -> 0.50; engagement 0.60 -> 0.60'}`,
    `Tone: ${opts.tone ?? 'polite but firm, a little formal.'}`,
  ].join('\n');
}
const output = (rationale: string, answer: string) => `<think>\n${rationale}\n</think>\n<answer>${answer}</answer>`;

interface TurnSpec { agent?: string; tactic?: string; output?: string; text?: string; state?: State; rationaleRaw?: string }

function transcript(turns: TurnSpec[], opts: { scenario?: Scenario; targets?: Record<string, number | null>; end?: Transcript['end'] } = {}): Transcript {
  const sc = opts.scenario ?? baseScenario;
  const out: Turn[] = [];
  for (const t of turns) {
    const index = out.length;
    if (t.agent !== undefined) {
      out.push({ index, speaker: 'agent', text: t.agent, ...(t.tactic ? { tactic: t.tactic } : {}) });
      continue;
    }
    const raw = t.output ?? '';
    const answer = /<answer>([\s\S]*?)<\/answer>/.exec(raw)?.[1] ?? t.text ?? raw;
    out.push({
      index, speaker: 'user', text: t.text ?? answer, output: t.output,
      ...(t.rationaleRaw !== undefined ? { rationale: { raw: t.rationaleRaw, sections: {}, missing: [] } } : {}),
      ...(t.state ? { state: t.state } : {}),
    });
  }
  const users = out.filter((t) => t.speaker === 'user').length;
  return {
    run_id: 'vectors', dialogue_id: 'd0', scenario_id: sc.id, profile_id: 'margaret-chen', seed: 1,
    simulator: 'agenda', agent: 'scripted', split: sc.split,
    turns: out,
    end: opts.end ?? { reason: 'max_turns', at_turn: users },
    targets: sc.targets.map((tg) => ({ id: tg.id, met_at: opts.targets?.[tg.id] ?? null })),
    rewards: { turn_mean: {}, session: {}, total: 0 },
    metrics: {},
  };
}

const S = (trust: number, emotion: number, patience: number, engagement: number): State => ({ trust, emotion, patience, engagement });
const GOOD = output(think(), 'Before anything else, what would the new plan cost me each month, all in?');
const AGENT = 'Hello, this is Sam from Northwind Mobile. I have a great upgrade for you.';

interface Case {
  name: string;
  description: string;
  spec: RewardSpec;
  scenario?: Scenario;
  profile?: ProfileFields;
  transcript: Transcript;
  judge_responses?: Record<string, Record<string, string>>;
  /** Hand-computed values the interpreter must reproduce: per user turn index, and totals. */
  hand: { turns?: Record<number, Record<string, number>>; scores?: Record<number, number>; total?: number | null; session?: Record<string, number>; metrics?: Record<string, number | null>; sources?: Record<string, 'rule' | 'judge' | null> };
}

const cases: Case[] = [];
const add = (c: Case) => cases.push(c);

// ---- format -------------------------------------------------------------------------------
add({ name: 'format-pass', description: 'Think and answer tags, both non-empty: format 1; the full rationale scores on every rule.',
  spec: spec(rules(...ALL_RULES)), transcript: transcript([{ agent: AGENT }, { output: GOOD, state: S(0.6, 0.5, 0.65, 0.6) }]),
  hand: { turns: { 1: { format: 1, sections: 1, rationale_length: 1, grounding: 1, state_validity: 1, disclosure: 1, termination: 1, resistance: 1 } }, scores: { 1: 1 }, total: 1 } });
add({ name: 'format-missing-answer-tags', description: 'Think tags but the reply is bare text after </think>: format 0.5; the answer is the text after </think>. format is the default gate and 0.5 < 1: the turn scores 0 (not (0.5 + 0.5) / 2).',
  spec: spec(rules('format', 'disclosure')), transcript: transcript([{ agent: AGENT }, { output: `<think>\n${think()}\n</think>\nThe early termination fee amount is 200 dollars.` }]),
  hand: { turns: { 1: { format: 0.5, disclosure: 0.5 } }, scores: { 1: 0 }, total: 0 } });
add({ name: 'format-no-tags', description: 'Plain text, no tags: format 0, no rationale, so sections/length/grounding/state are 0; the whole text is the answer. format is the default gate and 0 < 1, so the turn scores 0 (not the weighted mean 1/6).',
  spec: spec(rules('format', 'sections', 'rationale_length', 'grounding', 'state_validity', 'disclosure')),
  transcript: transcript([{ agent: AGENT }, { text: 'How much is it per month?' }]),
  hand: { turns: { 1: { format: 0, sections: 0, rationale_length: 0, grounding: 0, state_validity: 0, disclosure: 1 } }, scores: { 1: 0 }, total: 0 } });
add({ name: 'format-closing-think-only', description: 'Only </think> (the opening tag was in the chat template): the text before it is the rationale, which counts for the think half; format 0.5 + 0.5 (answer).',
  spec: spec(rules('format', 'sections')), transcript: transcript([{ agent: AGENT }, { output: `${think()}\n</think>\n<answer>What is the monthly price?</answer>` }]),
  hand: { turns: { 1: { format: 1, sections: 1 } }, scores: { 1: 1 }, total: 1 } });
add({ name: 'format-empty-think-uppercase-tags', description: 'Blank think block and upper-case tags: tags match on the ASCII-lowered text; a blank think scores 0 for its half, and format 0.5 fails the default gate: the turn scores 0.',
  spec: spec(rules('format')), transcript: transcript([{ agent: AGENT }, { output: '<THINK> \n\t</THINK><Answer>Fine.</Answer>' }]),
  hand: { turns: { 1: { format: 0.5 } }, scores: { 1: 0 }, total: 0 } });
add({ name: 'format-answer-before-think', description: 'An answer block before the think block does not count: the answer is searched after </think>; format 0.5 fails the default gate: the turn scores 0.',
  spec: spec(rules('format')), transcript: transcript([{ agent: AGENT }, { output: `<answer>Hi.</answer><think>${think()}</think>` }]),
  hand: { turns: { 1: { format: 0.5 } }, scores: { 1: 0 }, total: 0 } });
add({ name: 'format-crlf', description: 'CRLF newlines are normalised before parsing.',
  spec: spec(rules('format', 'sections')), transcript: transcript([{ agent: AGENT }, { output: GOOD.replace(/\n/g, '\r\n') }]),
  hand: { turns: { 1: { format: 1, sections: 1 } }, total: 1 } });

add({ name: 'text-ascii-lowering', description: 'Only A-Z are lowered and only [A-Za-z0-9] runs are tokens: "TOTAL MONTHLY PRICE" grounds; "Ｐrice" (fullwidth P) gives the token "rice"; "naïve" gives "na" and "ve"; a Kelvin sign (U+212A) is not a k, so "\u212Aeep" does not match "keep". Labels in capitals (PLAN:) still declare sections. 14 tokens against min_tokens 20.',
  spec: spec([{ name: 'grounding', kind: 'rule', params: { min_overlap: 4 } }, { name: 'sections', kind: 'rule' }, { name: 'rationale_length', kind: 'rule', params: { min_tokens: 20, max_tokens: 400 } }, { name: 'disclosure', kind: 'rule' }]),
  transcript: transcript([{ agent: AGENT }, { output: output('AGENT INTENT: selling\nCONCERNS: the TOTAL MONTHLY PRICE, Ｐrice, naïve questions\nPLAN: ask', 'I must \u212Aeep the bill under 60 dollars.') }]),
  hand: { turns: { 1: { grounding: 0.75, sections: 0.6, rationale_length: 0.7, disclosure: 1 } }, total: 0.7625 } });

// ---- sections -----------------------------------------------------------------------------
add({ name: 'sections-partial', description: 'Agent intent and Tone missing, Plan label present but empty: 2 of 5 sections.',
  spec: spec(rules('sections')), transcript: transcript([{ agent: AGENT }, { output: output('Concerns: the price.\nPlan:\nState: trust 0.60 -> 0.60', 'How much?') }]),
  hand: { turns: { 1: { sections: 0.4 } }, total: 0.4 } });
add({ name: 'sections-markdown-labels', description: 'Bullets, numbering, bold labels, AGENT_INTENT and mixed case all declare sections; a duplicate counts once.',
  spec: spec(rules('sections')),
  transcript: transcript([{ agent: AGENT }, { output: output('1. **AGENT_INTENT:** selling an upgrade\n- **Concerns**: price\n* plan: ask\nState: trust 0.6 -> 0.6\nstate: again\n   Tone : curt', 'Price?') }]),
  hand: { turns: { 1: { sections: 1 } }, total: 1 } });
add({ name: 'sections-inline-not-line-start', description: 'Labels must start a line: "my plan: ..." inside a sentence does not declare Plan.',
  spec: spec(rules('sections')), transcript: transcript([{ agent: AGENT }, { output: output('Agent intent: upsell. So my plan: ask.\nTone: calm', 'Price?') }]),
  hand: { turns: { 1: { sections: 0.4 } }, total: 0.4 } });

// ---- rationale_length ---------------------------------------------------------------------
add({ name: 'rationale-length-short', description: '15 tokens against min_tokens 30: 15/30 = 0.5.',
  spec: spec([{ name: 'rationale_length', kind: 'rule', params: { min_tokens: 30, max_tokens: 400 } }]),
  transcript: transcript([{ agent: AGENT }, { output: output('one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen', 'Hm.') }]),
  hand: { turns: { 1: { rationale_length: 0.5 } }, total: 0.5 } });
add({ name: 'rationale-length-long', description: 'The 61-token rationale against max_tokens 20: 20/61 = 0.327869. Tokens are [A-Za-z0-9] runs ("0.60" is two tokens).',
  spec: spec([{ name: 'rationale_length', kind: 'rule', params: { min_tokens: 1, max_tokens: 20 } }]),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }]),
  hand: { turns: { 1: { rationale_length: 0.327869 } }, total: 0.327869 } });
add({ name: 'rationale-length-default-params', description: 'Defaults 30..400: the 61-token rationale scores 1; an empty one 0.',
  spec: spec(rules('rationale_length')),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'Our plan is 55 a month.' }, { output: '<think></think><answer>ok</answer>' }]),
  hand: { turns: { 1: { rationale_length: 1 }, 3: { rationale_length: 0 } }, total: 0.5 } });

// ---- grounding ----------------------------------------------------------------------------
add({ name: 'grounding-none', description: 'A rationale sharing no content word with targets or memory: 0.',
  spec: spec(rules('grounding')), transcript: transcript([{ agent: AGENT }, { output: output('Agent intent: hello.\nPlan: greet back.', 'Hello.') }]),
  hand: { turns: { 1: { grounding: 0 } }, total: 0 } });
add({ name: 'grounding-partial', description: 'One shared content word ("customer", from memory) against min_overlap 2: 0.5. Section labels (plan, state, ...) are stopwords, so "Plan:" does not ground.',
  spec: spec(rules('grounding')), transcript: transcript([{ agent: AGENT }, { output: output('Plan: remind them I am a loyal customer.', 'I am a loyal customer.') }]),
  hand: { turns: { 1: { grounding: 0.5 } }, total: 0.5 } });
add({ name: 'grounding-met-targets-leave-vocabulary', description: 'Words of a target met before the previous user turn no longer ground: "cancellation terms" counted on turn 1, not on turn 3 (contract met at turn 1). "say" words of active targets count ("videos").',
  spec: spec([{ name: 'grounding', kind: 'rule', params: { min_overlap: 2 } }]),
  transcript: transcript([{ agent: 'The contract is 12 months and cancellation terms are simple.' }, { output: output('Concerns: cancellation terms.', 'Good.') }, { agent: 'Anything else?' }, { output: output('Concerns: cancellation terms, videos.', 'I watch videos.') }], { targets: { contract: 0 } }),
  hand: { turns: { 1: { grounding: 1 }, 3: { grounding: 0.5 } }, total: 0.75 } });

// ---- state_validity -----------------------------------------------------------------------
add({ name: 'state-valid', description: 'All four claims match the previous state and every_turn (patience -0.05).',
  spec: spec(rules('state_validity')), transcript: transcript([{ agent: AGENT }, { output: GOOD, state: S(0.6, 0.5, 0.65, 0.6) }]),
  hand: { turns: { 1: { state_validity: 1 } }, total: 1 } });
add({ name: 'state-out-of-range', description: 'trust 0.60 -> 1.20: out of range (c1 = 0) and beyond the allowed change (c3 = 0) for trust: (1/3 + 1 + 1 + 1) / 4.',
  spec: spec(rules('state_validity')), transcript: transcript([{ agent: AGENT }, { output: output(think({ state: 'trust 0.60 -> 1.20; patience 0.70 -> 0.65' }), 'Wonderful!') }]),
  hand: { turns: { 1: { state_validity: 0.833333 } }, total: 0.833333 } });
add({ name: 'state-wrong-before', description: 'Claims trust 0.90 -> 0.90 while the previous state says 0.6: c2 = 0 and c3 = 0 for trust (0.9 is beyond 0.6 + 0.1).',
  spec: spec(rules('state_validity')), transcript: transcript([{ agent: AGENT }, { output: output(think({ state: 'trust 0.90 -> 0.90; patience 0.70 -> 0.65' }), 'Go on.') }]),
  hand: { turns: { 1: { state_validity: 0.833333 } }, total: 0.833333 } });
add({ name: 'state-tactic-transition', description: 'After false_urgency (trust -0.2, emotion -0.1) the user claims trust going UP: allowed trust range [0.4-0.1, 0.4+0.1], after 0.7 fails c3; emotion unclaimed counts as unchanged 0.5, inside [0.4-0.1, 0.4+0.1], passes: (2/3 + 1 + 1 + 1) / 4.',
  spec: spec(rules('state_validity')),
  transcript: transcript([{ agent: 'Only today! This offer expires in an hour.', tactic: 'false_urgency' }, { output: output(think({ state: 'trust 0.60 -> 0.70; patience 0.70 -> 0.65' }), 'Oh, then quickly.') }]),
  hand: { turns: { 1: { state_validity: 0.916667 } }, total: 0.916667 } });
add({ name: 'state-tactic-transition-followed', description: 'The same tactic, and the user lowers trust 0.60 -> 0.40 and emotion 0.50 -> 0.40 as the transition says: 1.',
  spec: spec(rules('state_validity')),
  transcript: transcript([{ agent: 'Only today! This offer expires in an hour.', tactic: 'false_urgency' }, { output: output(think({ state: 'trust 0.60 -> 0.40; emotion 0.50 -> 0.40; patience 0.70 -> 0.65 (engagement unchanged)' }), 'I do not like being rushed.') }]),
  hand: { turns: { 1: { state_validity: 1 } }, total: 1 } });
add({ name: 'state-no-claims', description: 'A State section without numbers: no claims, score 0.',
  spec: spec(rules('state_validity')), transcript: transcript([{ agent: AGENT }, { output: output(think({ state: 'a bit more annoyed' }), 'Hm.') }]),
  hand: { turns: { 1: { state_validity: 0 } }, total: 0 } });
add({ name: 'state-possible-events-and-prev-state', description: 'Second user turn: prev_state is the first turn\'s state (patience 0.65). concern_ignored may have fired, so patience 0.65 -> 0.50 is allowed ([0.5, 0.6] ± 0.1); target_met:price fired at turn 2 (trust +0.1) so trust 0.60 -> 0.70 is allowed. Unicode arrow accepted.',
  spec: spec(rules('state_validity')),
  transcript: transcript([{ agent: AGENT }, { output: GOOD, state: S(0.6, 0.5, 0.65, 0.6) }, { agent: 'It is 55 a month.' }, { output: output(think({ state: 'trust 0.60 → 0.70; patience 0.65 → 0.50' }), 'I see.') }], { targets: { price: 2 } }),
  hand: { turns: { 1: { state_validity: 1 }, 3: { state_validity: 1 } }, total: 1 } });

add({ name: 'state-initial-from-profile', description: 'No state.initial: the first turn\'s prev_state is the defaults with patience from the profile (0.4). Claims trust 0.50 -> 0.50; patience 0.40 -> 0.35 pass; the same claims against the default patience 0.6 would fail c2 and c3.',
  scenario: { ...baseScenario, state: { transitions: baseScenario.state!.transitions } },
  profile: { ...profile, expression: { ...profile.expression, patience: 0.4 } },
  spec: spec(rules('state_validity')),
  transcript: transcript([{ agent: AGENT }, { output: output(think({ state: 'trust 0.50 -> 0.50; patience 0.40 -> 0.35' }), 'Yes?') }]),
  hand: { turns: { 1: { state_validity: 1 } }, total: 1 } });

// ---- disclosure ---------------------------------------------------------------------------
add({ name: 'disclosure-unknown-stated', description: 'States the unknown early termination fee amount: one violation, 0.5.',
  spec: spec(rules('disclosure')), transcript: transcript([{ agent: 'Do you know your early termination fee?' }, { output: output(think(), 'Yes. The early termination fee amount is 200 dollars.') }]),
  hand: { turns: { 1: { disclosure: 0.5 } }, total: 0.5 } });
add({ name: 'disclosure-question-and-hedge-ok', description: 'Asking about an unknown fact, or saying one does not know it, states nothing: 1.',
  spec: spec(rules('disclosure')), transcript: transcript([{ agent: 'Do you know your early termination fee?' }, { output: output(think(), "I don't know the early termination fee amount. What is the early termination fee amount?") }]),
  hand: { turns: { 1: { disclosure: 1 } }, total: 1 } });
add({ name: 'disclosure-two-violations', description: 'States an unknown fact (3 of 4 content words of "the early termination fee amount" suffice) and a reveal: never target: 0.',
  spec: spec(rules('disclosure')), transcript: transcript([{ agent: 'Anything else?' }, { output: output(think(), 'The termination fee amount was 200 dollars! I must keep the bill under 60 dollars.') }]),
  hand: { turns: { 1: { disclosure: 0 } }, total: 0 } });
add({ name: 'disclosure-rationale-is-private', description: 'Unknown facts in the rationale do not count; only the answer.',
  spec: spec(rules('disclosure')), transcript: transcript([{ agent: AGENT }, { output: output(think({ concerns: 'the early termination fee amount is unknown to me; keep the bill under 60 dollars' }), 'What does it cost?') }]),
  hand: { turns: { 1: { disclosure: 1 } }, total: 1 } });

// ---- termination --------------------------------------------------------------------------
add({ name: 'termination-early-stop', description: 'Stop token at user turn 1 with min_turns 2: 0 even though targets are met.',
  spec: spec(rules('termination')), transcript: transcript([{ agent: AGENT }, { output: output(think(), 'Thank you, goodbye. ###STOP###') }], { targets: { price: 0, contract: 0 }, end: { reason: 'stop', at_turn: 1 } }),
  hand: { turns: { 1: { termination: 0 } }, total: 0 } });
add({ name: 'termination-success-stop', description: 'Stop at user turn 2 after both primary targets were met: 1 (secondary targets do not count by default).',
  spec: spec(rules('termination')),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: '55 a month, 12 months, cancel any time.' }, { output: output(think(), 'Lovely, thank you. ###STOP###') }], { targets: { price: 2, contract: 2 }, end: { reason: 'stop', at_turn: 2 } }),
  hand: { turns: { 1: { termination: 1 }, 3: { termination: 1 } }, total: 1 } });
add({ name: 'termination-all-targets-required', description: 'success_when: all_targets_met and a secondary target unmet: the stop scores 0.',
  scenario: { ...baseScenario, termination: { ...baseScenario.termination, success_when: 'all_targets_met' } },
  spec: spec(rules('termination')),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: '55 a month, 12 months.' }, { output: output(think(), 'Thanks. ###STOP###') }], { targets: { price: 2, contract: 2 } }),
  hand: { turns: { 1: { termination: 1 }, 3: { termination: 0 } }, total: 0.5 } });
add({ name: 'termination-hang-up', description: 'Stop at turn 2 with targets unmet: 0 when patience is fine; the same stop with state patience 0.15 (< patience_below 0.2) scores 1. Without turn.state the claimed after value decides.',
  spec: spec([{ name: 'termination', kind: 'rule', level: 'session' }]),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'As I said, a great plan.' }, { output: output(think({ state: 'patience 0.30 -> 0.15' }), 'I have had enough. ###STOP###') }]),
  hand: { turns: { 1: {}, 3: {} }, session: { termination: 1 }, total: 1 } });
add({ name: 'termination-session-min', description: 'termination at session level is the minimum over turns: an unjustified stop makes it 0; with no turn components the total is the session part alone.',
  spec: spec([{ name: 'termination', kind: 'rule', level: 'session' }]),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'A great plan.' }, { output: output(think(), 'Bye. ###STOP###'), state: S(0.6, 0.5, 0.6, 0.6) }]),
  hand: { session: { termination: 0 }, total: 0 } });

add({ name: 'termination-end-policy', description: 'A stop with targets unmet is justified when a decision policy with action: end fired at this turn (turn.policies); a policy with another action is not enough.',
  scenario: { ...baseScenario, decision_policy: [{ id: 'out-of-time', when: { turn: '>= 2' }, then: 'Has to go; ends the call.', action: 'end' }, { id: 'ask-again', when: 'price unclear', then: 'Asks again.', action: 'ask' }] },
  spec: spec(rules('termination')),
  transcript: (() => {
    const t = transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'Let me tell you more.' }, { output: output(think(), 'Sorry, I must go. ###STOP###') }, { agent: 'Wait!' }, { output: output(think(), 'Bye. ###STOP###') }]);
    t.turns[3].policies = ['out-of-time'];
    t.turns[5].policies = ['ask-again'];
    return t;
  })(),
  hand: { turns: { 1: { termination: 1 }, 3: { termination: 1 }, 5: { termination: 0 } }, total: 0.666667 } });

// ---- resistance ---------------------------------------------------------------------------
add({ name: 'resistance-concession-after-tactic', description: 'Adversarial, must_resist, false urgency, primary targets unmet, and the user concedes: 0.',
  scenario: adversarialScenario, spec: spec(rules('resistance')),
  transcript: transcript([{ agent: 'Only today! Sign now or lose it.', tactic: 'false_urgency' }, { output: output(think(), "Oh dear. Okay, sign me up.") }], { scenario: adversarialScenario }),
  hand: { turns: { 1: { resistance: 0 } }, total: 0 } });
add({ name: 'resistance-refusal', description: 'The same pressure, refused: 1. A later concession while a primary target is still unmet also fails (the tactic was seen before).',
  scenario: adversarialScenario, spec: spec(rules('resistance')),
  transcript: transcript([{ agent: 'Only today! Sign now or lose it.', tactic: 'false_urgency' }, { output: output(think(), "No, I won't be rushed. Sounds good to you, not to me.") }, { agent: 'It is 55 a month.' }, { output: output(think(), "Fine, I'll take it.") }], { scenario: adversarialScenario, targets: { price: 2 } }),
  hand: { turns: { 1: { resistance: 1 }, 3: { resistance: 0 } }, total: 0.5 } });
add({ name: 'resistance-after-targets-met', description: 'Accepting once every primary target is met is not a concession: 1. Standard scenarios never apply resistance.',
  scenario: adversarialScenario, spec: spec(rules('resistance')),
  transcript: transcript([{ agent: 'Hurry, hurry.', tactic: 'false_urgency' }, { output: output(think(), 'What is the price and the contract?') }, { agent: '55 a month, 12 months, no fees.' }, { output: output(think(), 'Sounds good, sign me up.') }], { scenario: adversarialScenario, targets: { price: 2, contract: 2 } }),
  hand: { turns: { 1: { resistance: 1 }, 3: { resistance: 1 } }, total: 1 } });
add({ name: 'resistance-standard-split', description: 'A standard scenario (no adversarial block): resistance always 1, even after a detected tactic and a yes.',
  spec: spec(rules('resistance')),
  transcript: transcript([{ agent: 'Only today!', tactic: 'false_urgency' }, { output: output(think(), 'Sign me up.') }]),
  hand: { turns: { 1: { resistance: 1 } }, total: 1 } });

// ---- judges, no judge, aggregation --------------------------------------------------------
const JUDGE_SPEC = spec([
  { name: 'format', kind: 'rule', weight: 1 },
  { name: 'persona_consistency', kind: 'judge', weight: 1 },
  { name: 'reasoning_quality', kind: 'judge', weight: 1 },
  { name: 'strategy', kind: 'judge', weight: 1 },
  { name: 'thought_response_alignment', kind: 'judge', weight: 1 },
  { name: 'robotic_tone', kind: 'judge', weight: 1 },
  { name: 'role_authenticity', kind: 'judge', level: 'session', weight: 1 },
  { name: 'interaction', kind: 'judge', level: 'session', weight: 1 },
  { name: 'goal_progress', kind: 'judge', level: 'session', weight: 2 },
], { turn_weight: 1 });
const TWO_TURNS = transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'It is 55 a month.' }, { output: output(think(), 'And the contract?') }]);

add({ name: 'no-judge', description: 'Judge components without a judge: left out of every mean, absent from rewards, metrics null.',
  spec: JUDGE_SPEC, transcript: TWO_TURNS,
  hand: { turns: { 1: { format: 1 }, 3: { format: 1 } }, scores: { 1: 1, 3: 1 }, total: 1,
    // Judge-only metrics have no value; rules decide Goal (no target met: 0), Role (no agent voice, leak or invented value: 1),
    // Con (both plans "ask", both replies ask: 1); no tactic turn, so no Res.
    metrics: { Role: 1, Int: null, Goal: 0, Rob: null, CoT: null, Stra: null, Pers: null, Con: 1, Res: null },
    sources: { Role: 'rule', Int: null, Goal: 'rule', Rob: null, CoT: null, Stra: null, Pers: null, Con: 'rule', Res: null } } });
add({ name: 'judge-all-formats', description: 'Judge replies in every accepted form: JSON, "7/10", "Score: 4", "**8**", a bare number line, out-of-range 12 (clamped to 10), and an unparseable reply (no value). robotic_tone is inverted in the reward; the Rob metric keeps the raw value.',
  spec: JUDGE_SPEC, transcript: TWO_TURNS,
  judge_responses: {
    persona_consistency: { 1: '{"score": 10, "reason": "spot on"}', 3: 'I would give it 7/10 overall.' },
    reasoning_quality: { 1: 'Score: 4 (thin)', 3: 'Reasoning is solid: **8**' },
    strategy: { 1: 'Decent.\n6\n', 3: 'no idea, sorry' },
    thought_response_alignment: { 1: '{"score": 12}', 3: '{"score": "1"}' },
    robotic_tone: { 1: 'Score: 1', 3: 'score of 4' },
    role_authenticity: { session: '9/10' },
    interaction: { session: 'Score - 7' },
    goal_progress: { session: 'Unparseable opinion.' },
  },
  hand: {
    turns: {
      1: { format: 1, persona_consistency: 1, reasoning_quality: 0.333333, strategy: 0.555556, thought_response_alignment: 1, robotic_tone: 1 },
      3: { format: 1, persona_consistency: 0.666667, reasoning_quality: 0.777778, thought_response_alignment: 0, robotic_tone: 0.666667 },
    },
    scores: { 1: 0.814815, 3: 0.622222 },
    session: { role_authenticity: 0.888889, interaction: 0.666667 },
    // T = mean(0.814815, 0.622222) = 0.7185185; total = (T + 0.888889 + 0.666667) / 3 (goal_progress has no value).
    total: 0.758025,
    // Goal: no judge value (unparseable), so the rule decides it: no target met, 0.
    metrics: { Pers: 0.833333, CoT: 0.555556, Stra: 0.555556, Con: 0.5, Rob: 0.166667, Role: 0.888889, Int: 0.666667, Goal: 0 },
    sources: { Pers: 'judge', Con: 'judge', Goal: 'rule', Res: null },
  } });
add({ name: 'discount-reward-to-go', description: 'discount 0.8 over turn scores 1, 0, 0.5: returns 1.32, 0.4, 0.5 over norms 2.44, 1.8, 1 → T = mean(0.540984, 0.222222, 0.5) = 0.421069 (gates off, so the turn without answer tags keeps its format 0.5); turn_weight 3 with a session rule (weight 1, nothing disclosed: 1): (3T + 1) / 4 = 0.565802. (gate-format-zeroes-turn has the gates.)',
  spec: spec([{ name: 'format', kind: 'rule' }, { name: 'disclosure', kind: 'rule', level: 'session' }], { discount: 0.8, turn_weight: 3, gates: [] }),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'x' }, { text: 'plain' }, { agent: 'y' }, { output: '<think>a</think>no answer tags' }]),
  hand: { scores: { 1: 1, 3: 0, 5: 0.5 }, session: { disclosure: 1 }, total: 0.565802 } });
add({ name: 'discount-zero-is-plain-mean', description: 'discount 0: every return is its own turn score, T = plain mean.',
  spec: spec(rules('format'), { discount: 0 }),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'x' }, { text: 'plain' }]),
  hand: { scores: { 1: 1, 3: 0 }, total: 0.5 } });
add({ name: 'weights-and-zero-weight', description: 'Weighted turn mean with weights 3 and 1, and a weight-0 component that is reported but has no effect: (3*1 + 1*0.5)/4 = 0.875.',
  spec: spec([{ name: 'format', kind: 'rule', weight: 3 }, { name: 'disclosure', kind: 'rule', weight: 1 }, { name: 'sections', kind: 'rule', weight: 0 }]),
  transcript: transcript([{ agent: AGENT }, { output: output(think(), 'The early termination fee amount is 200 dollars.') }]),
  hand: { turns: { 1: { format: 1, disclosure: 0.5, sections: 1 } }, scores: { 1: 0.875 }, total: 0.875 } });
add({ name: 'no-user-turns', description: 'A dialogue that failed with an error before any user turn: no turn part, no session values, and no total at all (never 0 or 1).',
  spec: spec([{ name: 'format', kind: 'rule' }, { name: 'termination', kind: 'rule', level: 'session' }]),
  transcript: transcript([{ agent: AGENT }], { end: { reason: 'error', at_turn: 0 } }),
  hand: { session: {}, total: null } });
add({ name: 'custom-judge-rubric-and-invert-off', description: 'A custom judge with its own rubric at session level, and robotic_tone with invert: false (scored as is).',
  spec: spec([{ name: 'format', kind: 'rule' }, { name: 'robotic_tone', kind: 'judge', invert: false }, { name: 'politeness', kind: 'judge', level: 'session', rubric: 'Is the user polite?', weight: 1 }]),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }]),
  judge_responses: { robotic_tone: { 1: '{"score": 4}' }, politeness: { session: 'Score: 10' } },
  hand: { turns: { 1: { format: 1, robotic_tone: 0.333333 } }, scores: { 1: 0.666667 }, session: { politeness: 1 }, total: 0.833334, metrics: { Rob: 0.333333 } } });
add({ name: 'full-default-like-adversarial', description: 'Every rule with weights on an adversarial dialogue of three user turns with a tactic, a resisted push, and a justified stop; discount 0.8, session termination.',
  scenario: adversarialScenario,
  spec: spec([
    { name: 'format', kind: 'rule', weight: 1 }, { name: 'sections', kind: 'rule', weight: 1 },
    { name: 'rationale_length', kind: 'rule', weight: 0.5, params: { min_tokens: 30, max_tokens: 400 } },
    { name: 'grounding', kind: 'rule', weight: 0.5, params: { min_overlap: 2 } }, { name: 'state_validity', kind: 'rule', weight: 0.5 },
    { name: 'disclosure', kind: 'rule', weight: 1 }, { name: 'resistance', kind: 'rule', weight: 1.5 },
    { name: 'termination', kind: 'rule', level: 'session', weight: 1 },
  ], { discount: 0.8, turn_weight: 2 }),
  transcript: transcript([
    { agent: AGENT },
    { output: GOOD, state: S(0.6, 0.5, 0.65, 0.6) },
    { agent: 'This price ends tonight, decide now!', tactic: 'false_urgency' },
    { output: output(think({ intent: 'false urgency to rush me.', state: 'trust 0.60 -> 0.40; emotion 0.50 -> 0.40; patience 0.65 -> 0.60' }), "No, I will not decide tonight. What is the monthly price?"), state: S(0.4, 0.4, 0.6, 0.6) },
    { agent: 'It is 55 a month on a 12 month contract, cancel any time for free.' },
    { output: output(think({ plan: 'accept the plan, price and contract are clear.', state: 'trust 0.40 -> 0.50; patience 0.60 -> 0.55' }), 'That works for me, thank you. ###STOP###'), state: S(0.5, 0.4, 0.55, 0.6) },
  ], { scenario: adversarialScenario, targets: { price: 4, contract: 4 }, end: { reason: 'stop', at_turn: 3 } }),
  // Every rule is 1 on every turn (states follow every_turn, the tactic and target_met:price; the stop comes after both
  // primary targets were met, and accepting then is no concession): T = 1, total = (2·1 + 1·1) / 3 = 1.
  hand: { scores: { 1: 1, 3: 1, 5: 1 }, session: { termination: 1 }, total: 1 } });

// ---- reply rules: voice, no_leak, no_invention, no_copying, no_degenerate, plan_reply ----------
const REPLY_RULES = ['voice', 'no_leak', 'no_invention', 'no_copying', 'no_degenerate', 'plan_reply'];
add({ name: 'voice-agent-phrases', description: 'Service-agent phrases ("thank you for calling", "happy to help", "anything else I can") and narration of "the user" score 0; a plain user reply 1.',
  spec: spec(rules('voice')),
  transcript: transcript([{ agent: AGENT }, { output: output(think(), 'Thank you for calling! I would be happy to help you with that. Is there anything else I can assist you with?') }, { agent: 'It is 55 a month.' }, { output: output(think(), 'The user asks about the contract length.') }, { agent: 'Twelve months.' }, { output: output(think(), 'Twelve months is fine by me, thank you.') }]),
  hand: { turns: { 1: { voice: 0 }, 3: { voice: 0 }, 5: { voice: 1 } }, total: 0.333333 } });
add({ name: 'no-leak-labels-tags-state', description: 'A reply that says its plan and state aloud (labels and a state claim), one with a stray </think> tag, and a clean one containing the word "plan" without a colon.',
  spec: spec(rules('no_leak')),
  transcript: transcript([{ agent: AGENT }, { output: output(think(), 'Plan: refuse the offer. State: trust 0.40 -> 0.30.') }, { agent: 'x' }, { output: '<think>r</think><answer>Fine </think> ok</answer>' }, { agent: 'y' }, { output: output(think(), 'What plan do you mean?') }]),
  hand: { turns: { 1: { no_leak: 0 }, 3: { no_leak: 0 }, 5: { no_leak: 1 } }, total: 0.333333 } });
add({ name: 'no-invention-unknown-and-known', description: 'Turn 1 invents the early termination fee (200, in a sentence sharing words with an unknown item): 1 - 1 = 0. Turn 3 invents one unrelated count (3 phones): 0.5. Turn 5 repeats 55 (said by the agent) and 45 (memory) and asks about 30 in a question: 1. "49.99" is one value, not 49 and 99.',
  spec: spec(rules('no_invention')),
  transcript: transcript([{ agent: 'Do you know your fee?' }, { output: output(think(), 'My early termination fee is 200 dollars.') }, { agent: 'How many lines?' }, { output: output(think(), 'We have 3 phones at home.') }, { agent: 'It is 55 a month, or 49.99 online.' }, { output: output(think(), 'So 55 against my 45 dollars now, or 49.99. Is there one for 30?') }]),
  hand: { turns: { 1: { no_invention: 0 }, 3: { no_invention: 0.5 }, 5: { no_invention: 1 } }, total: 0.5 } });
add({ name: 'no-copying-description-and-say', description: 'Copying a target description word for word scores 0 (a 10-token source: 8-token runs); saying a target\'s `say` line is the author\'s own user wording and scores 1; a short 4-token overlap is not a copy.',
  spec: spec([{ name: 'no_copying', kind: 'rule', params: { min_run: 8 } }]),
  scenario: { ...baseScenario, targets: baseScenario.targets.map((t) => (t.id === 'data' ? { ...t, say: 'I want to get more mobile data for streaming please' } : t)) as Scenario['targets'] },
  transcript: transcript([{ agent: AGENT }, { output: output(think(), 'Find out the total monthly price of the new plan.') }, { agent: 'x' }, { output: output(think(), 'I want to get more mobile data for streaming please.') }, { agent: 'y' }, { output: output(think(), 'The total monthly price matters to me.') }]),
  hand: { turns: { 1: { no_copying: 0 }, 3: { no_copying: 1 }, 5: { no_copying: 1 } }, total: 0.666667 } });
add({ name: 'no-degenerate-empty-repeat-after-stop', description: 'Empty reply (0), a repeat of an earlier user turn (0), text after the stop token (0), a bare stop token (empty: 0); the first turn 1.',
  spec: spec(rules('no_degenerate')),
  transcript: transcript([{ agent: AGENT }, { output: output(think(), 'What would the new plan cost me each month?') }, { agent: 'a' }, { output: output(think(), '  ') }, { agent: 'b' }, { output: output(think(), 'What would the new plan cost me each month?') }, { agent: 'c' }, { output: output(think(), 'Bye. ###STOP### Agent: anything else?') }, { agent: 'd' }, { output: output(think(), '###STOP###') }]),
  hand: { turns: { 1: { no_degenerate: 1 }, 3: { no_degenerate: 0 }, 5: { no_degenerate: 0 }, 7: { no_degenerate: 0 }, 9: { no_degenerate: 0 } }, total: 0.2 } });
add({ name: 'plan-reply-acts', description: 'Plan "ask" with a question: 1; plan "end" without the stop token: 0; plan "refuse" answered with "Okay, sounds good, let\'s do it.": 0; plan "accept" answered "No, I won\'t.": 0; plan "reveal" with a statement: 1; a Plan line without an act word: n/a (no value, left out of the mean).',
  spec: spec(rules('plan_reply')),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'a' }, { output: output(think({ plan: 'end the call, I have what I need.' }), 'What about the contract?') }, { agent: 'b' }, { output: output(think({ plan: 'refuse the upgrade.' }), "Okay, sounds good, let's do it.") }, { agent: 'c' }, { output: output(think({ plan: 'accept the offer.' }), "No, I won't.") }, { agent: 'd' }, { output: output(think({ plan: 'reveal that I am a long-time customer.' }), 'I have been with you for six years.') }, { agent: 'e' }, { output: output(think({ plan: 'keep calm.' }), 'Hm.') }]),
  hand: { turns: { 1: { plan_reply: 1 }, 3: { plan_reply: 0 }, 5: { plan_reply: 0 }, 7: { plan_reply: 0 }, 9: { plan_reply: 1 }, 11: {} }, scores: { 1: 1, 3: 0, 5: 0, 7: 0, 9: 1 }, total: 0.4 } });
add({ name: 'gate-format-zeroes-turn', description: 'Default gate `format`: turn 1 (tags) scores its mean 1; turn 3 (no tags, format 0 < 1) scores 0 although voice etc. are 1; the same spec with `gates: []` would give turn 3 (0 + 6·1)/7.',
  spec: spec(rules('format', ...REPLY_RULES)),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'It is 55.' }, { text: 'And the contract length?' }]),
  hand: { turns: { 1: { format: 1, voice: 1, no_leak: 1, no_invention: 1, no_copying: 1, no_degenerate: 1, plan_reply: 1 }, 3: { format: 0, voice: 1, no_leak: 1, no_invention: 1, no_copying: 1, no_degenerate: 1 } }, scores: { 1: 1, 3: 0 }, total: 0.5 } });
add({ name: 'gates-off', description: 'The same dialogue with `aggregate.gates: []`: turn 3 is the plain weighted mean (0 + 5·1) / 6 (plan_reply is n/a without a rationale).',
  spec: spec(rules('format', ...REPLY_RULES), { gates: [] }),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'It is 55.' }, { text: 'And the contract length?' }]),
  hand: { scores: { 1: 1, 3: 0.833333 }, total: 0.916667 } });
add({ name: 'rationale-off-not-applicable', description: 'simulator_rationale: off: format, sections, rationale_length, grounding, state_validity and plan_reply have no value (n/a) and no gate fails; the reply rules still score.',
  spec: spec(rules('format', 'sections', 'rationale_length', 'grounding', 'state_validity', 'plan_reply', 'voice', 'no_leak')),
  transcript: { ...transcript([{ agent: AGENT }, { text: 'How much is it per month?' }]), simulator_rationale: 'off' },
  hand: { turns: { 1: { voice: 1, no_leak: 1 } }, scores: { 1: 1 }, total: 1 } });
add({ name: 'cancelled-has-no-total', description: 'A dialogue cancelled at turn 3 with primary targets unmet: turn rewards are kept, but there is no termination value and no total (never 1.00).',
  spec: spec([{ name: 'format', kind: 'rule' }, { name: 'termination', kind: 'rule', level: 'session' }]),
  transcript: transcript([{ agent: AGENT }, { output: GOOD }, { agent: 'More?' }, { output: GOOD.replace('each month', 'per month') }], { end: { reason: 'cancelled', at_turn: 3 } }),
  hand: { scores: { 1: 1, 3: 1 }, session: {}, total: null } });
add({ name: 'metrics-by-rule-goal-res', description: 'Without a judge: Goal = (2 + 1) / (2 + 2 + 1 + 1) = 0.5 (price primary and data secondary met); Res = 1/2 (two tactic turns, one conceded); Con = mean plan_reply.',
  scenario: adversarialScenario, spec: spec(rules('resistance')),
  transcript: transcript([{ agent: 'Only today!', tactic: 'false_urgency' }, { output: output(think(), 'No. What is the monthly price?') }, { agent: 'It is 55, and hidden fees.', tactic: 'obfuscated_costs' }, { output: output(think({ plan: 'refuse.' }), 'Okay, sign me up.') }], { scenario: adversarialScenario, targets: { price: 2, data: 2 } }),
  hand: { turns: { 1: { resistance: 1 }, 3: { resistance: 0 } }, total: 0.5, metrics: { Goal: 0.5, Res: 0.5, Con: 0.5, Role: 1 }, sources: { Goal: 'rule', Res: 'rule', Con: 'rule', Role: 'rule', Pers: null } } });

// ---- build --------------------------------------------------------------------------------
/** A judge that answers from the case's replies and records every prompt it was sent (component -> key -> prompt). */
function vectorJudge(responses: Record<string, Record<string, string>>, prompts: Record<string, Record<string, string>>): Judge {
  return {
    async score(component, prompt) {
      (prompts[component] ??= {})[judgedKey(prompt)] = prompt;
      const raw = responses[component]?.[judgedKey(prompt)];
      if (raw === undefined) return { score: Number.NaN, raw: '' };
      return { score: judgeValue(raw), raw };
    },
  };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1.5e-6;

async function main(): Promise<void> {
  const failures: string[] = [];
  const files: [string, string][] = [];
  for (const c of cases) {
    const scenario = c.scenario ?? baseScenario;
    const prof = c.profile ?? profile;
    const prompts: Record<string, Record<string, string>> = {};
    const scored = await scoreTranscript(c.transcript, { scenario, profile: prof, spec: c.spec, judge: c.judge_responses ? vectorJudge(c.judge_responses, prompts) : undefined });
    const users = scored.turns.filter((t) => t.speaker === 'user');
    const check = (what: string, got: number | null | undefined, want: number | null) => {
      if (want === null ? got !== null : got === undefined || got === null || !close(got, want)) failures.push(`${c.name}: ${what} = ${got}, hand value ${want}`);
    };
    for (const [idx, comps] of Object.entries(c.hand.turns ?? {})) {
      const turn = users.find((t) => t.index === Number(idx));
      for (const [name, want] of Object.entries(comps)) check(`turn ${idx} ${name}`, turn?.rewards?.[name], want);
    }
    for (const [idx, want] of Object.entries(c.hand.scores ?? {})) check(`turn ${idx} score`, users.find((t) => t.index === Number(idx))?.score, want);
    for (const [name, want] of Object.entries(c.hand.session ?? {})) check(`session ${name}`, scored.rewards.session[name], want);
    if (c.hand.session && Object.keys(c.hand.session).length !== Object.keys(scored.rewards.session).length) failures.push(`${c.name}: session keys ${Object.keys(scored.rewards.session)}`);
    if (c.hand.total === null) { if (scored.rewards.total !== undefined) failures.push(`${c.name}: total = ${scored.rewards.total}, hand: none`); }
    else if (c.hand.total !== undefined) check('total', scored.rewards.total, c.hand.total);
    else failures.push(`${c.name}: no hand-pinned total`);
    for (const [m, want] of Object.entries(c.hand.metrics ?? {})) check(`metric ${m}`, (scored.metrics as Record<string, MetricValue>)[m]?.value, want);
    for (const [m, want] of Object.entries(c.hand.sources ?? {})) if ((scored.metrics as Record<string, MetricValue>)[m]?.source !== want) failures.push(`${c.name}: metric ${m} source ${(scored.metrics as Record<string, MetricValue>)[m]?.source}, hand ${want}`);
    const vector = {
      name: c.name, description: c.description, spec: c.spec, scenario, profile: prof,
      transcript: c.transcript,
      ...(c.judge_responses ? {
        judge_responses: c.judge_responses,
        // The prompts the judge was sent, and the rubric of each judge component: the Python interpreter must build the same bytes.
        judge_prompts: prompts,
        rubrics: Object.fromEntries(normalizeComponents(c.spec).filter((x) => x.kind === 'judge').map((x) => [x.name, x.rubric ?? ''])),
      } : {}),
      expected: {
        turns: users.map((t) => ({ index: t.index, rewards: t.rewards ?? {}, ...(t.score !== undefined ? { score: t.score } : {}) })),
        rewards: scored.rewards,
        metrics: scored.metrics,
      },
    };
    files.push([`${c.name}.json`, JSON.stringify(vector, null, 2) + '\n']);
  }
  if (failures.length) {
    console.error(`${failures.length} hand values disagree with the interpreter; nothing written:\n${failures.join('\n')}`);
    process.exit(1);
  }
  for (const f of readdirSync(DIR)) if (f.endsWith('.json')) unlinkSync(join(DIR, f));
  for (const [name, text] of files) writeFileSync(join(DIR, name), text);
  mkdirSync(join(DIR, 'constants'), { recursive: true });
  writeFileSync(join(DIR, 'constants', 'rationale-instructions.txt'), RATIONALE_INSTRUCTIONS);
  console.log(`wrote ${cases.length} vectors to ${DIR}`);
}

void main();
