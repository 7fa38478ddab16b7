// Scenarios written without `say` and `cues`: both the agenda user and the scripted/adversarial
// agents speak natural sentences derived from each target's description (never the description
// pasted into a template), and a scripted agent whose lines talk about a target still meets it.
import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { Scenario, Target, Transcript } from '../../../core/generated/schema-types';
import { runDialogue } from '../../../core/dialogue/index';
import { compileScenario, targetsMetBy } from '../../../core/dialogue/rules';
import type { Agent, AgentContext, ResolvedProfile } from '../../../core/dialogue/types';
import { loadWorkspace, resolveProfile } from '../../../core/model/load';
import { AgendaSimulator } from '../../../core/simulate/index';
import { phraseTarget, toQuestion } from '../../../core/simulate/target-phrasing';
import { stripStop } from '../../../core/util/text';
import { ROOT, runAgenda, sampleScenarios } from './helpers';

const PLAN_REVIEW = `
kind: scenario
id: plan-review
split: standard
profile: pat
agent:
  role: a support agent at Acme Mobile
  sop: Greet the customer. Confirm the account. Offer the Flex plan.
  opening: Hello, Acme Mobile, this is Sam. How can I help you today?
memory:
  - He has been a customer since 2019.
targets:
  - id: learn-total-cost
    description: Find out the total monthly cost including fees
  - id: keep-budget
    description: Do not accept a plan over 45 a month
  - id: ask-contract
    description: Ask whether the contract length changes
    priority: secondary
  - id: keep-number
    description: Keep my number
    priority: secondary
  - id: refund
    description: She wants her $129 back
  - id: start-date
    description: Confirm the start date
    done_when: the agent gives the activation day
    reveal: when_asked
    priority: secondary
  - id: fee-waived
    description: Make sure the fee is waived
    reveal: when_asked
  - id: bill-rise
    description: Understand why the bill went up
    priority: secondary
  - id: hidden-limit
    description: Never pay more than $60 a month in total
    reveal: never
termination:
  max_turns: 14
`;

const PROFILES: ResolvedProfile[] = [
  { id: 'pat', name: 'Pat Doe', expression: { verbosity: 'standard', formality: 'formal', patience: 0.7 } },
  { id: 'sam', name: 'Sam Roe', expression: { verbosity: 'terse', formality: 'casual', patience: 0.5, quirks: ['fillers'] } },
  { id: 'lee', name: 'Lee Moe', expression: { verbosity: 'verbose', formality: 'neutral', patience: 0.8, typical_phrases: ['Here is the thing.'] } },
];

/** Imperative or negated description fragments after a preposition: "about do not accept", "On ask whether". */
const FRAGMENT = /\b(?:about|on|regarding)\s+(?:do not|don't|not|never|ask|find out|know|learn|understand|get|keep|confirm|make sure|avoid|have|receive|hear|be sure)\b/i;
const SENTENCE_START = /^[A-Z0-9$€£"'(]/;

/** Every sentence capitalised and the whole line ending in . ? or !. */
function assertSentences(text: string, where: string): void {
  const t = text.replace(/\s*###STOP###\s*/g, ' ').trim();
  assert.match(t, /[.!?]$/, `${where}: no final stop: ${text}`);
  for (const part of t.split(/(?<=[.!?])\s+/)) assert.match(part, SENTENCE_START, `${where}: "${part}" is not capitalised in: ${text}`);
}

/** Descriptions already in the user's own words (first person) may be said as they are. */
const ownWords = (t: Target) => /\b(?:I|my|me)\b/i.test(t.description);

let runsCache: Promise<{ scenario: Scenario; runs: Transcript[] }[]> | undefined;
/** The inline scenario with three profiles and the VS Code fixture's phone-upgrade, seeds 1..20, both agents. */
function allRuns() {
  runsCache ??= (async () => {
    const fixture = await loadWorkspace(resolve(ROOT, 'test/integration/fixture'));
    const phone = fixture.scenarios.get('phone-upgrade')!.value;
    const review = parse(PLAN_REVIEW) as Scenario;
    const cases: { scenario: Scenario; profile: ResolvedProfile }[] = [
      ...PROFILES.map((profile) => ({ scenario: review, profile })),
      { scenario: phone, profile: resolveProfile(fixture, phone) },
    ];
    const out = new Map<Scenario, Transcript[]>();
    for (const { scenario, profile } of cases) {
      const runs = out.get(scenario) ?? [];
      for (const agent of ['scripted', 'adversarial']) for (let seed = 1; seed <= 20; seed++) runs.push(await runAgenda(scenario, profile, seed, agent));
      out.set(scenario, runs);
    }
    return [...out].map(([scenario, runs]) => ({ scenario, runs }));
  })();
  return runsCache;
}

describe('engine: natural lines for targets without say or cues', function () {
  this.timeout(120000);

  it('rewrites the common description shapes into user and agent lines', () => {
    const p = (description: string) => phraseTarget({ id: 'x', description });
    assert.equal(p('Find out the total monthly cost including fees').user, 'What would the total monthly cost be, including fees?');
    assert.equal(p('Find out the total monthly cost including fees').topic, 'the total monthly cost');
    assert.equal(p('Find out the total monthly cost including fees').agent[0], 'Let me go over the total monthly cost with you, including fees.');
    assert.equal(p('Ask whether the contract length changes').user, 'Does the contract length change?');
    const limit = p('Do not accept a plan over 45 a month');
    assert.equal(limit.user, "I won't go over 45 a month.");
    assert.ok(limit.limit);
    for (const l of limit.agent) assert.doesNotMatch(l, /do not accept|on do not|about do not/i, l);
    assert.equal(p('Keep my number').user, 'I want to keep my number.');
    assert.equal(p('Keep my number').agent[0], 'Let me see about your number.');
    assert.equal(p('Keep my number').answer, 'Yes, you can keep your number, no problem.');
    assert.equal(p('Find out the total monthly cost including fees').answer, 'On the total monthly cost: it comes to $48.50 in total, everything included.');
    assert.equal(p('Confirm the start date').answer, 'On the start date: that is Tuesday the 14th, at 10 am.');
    assert.equal(p('She wants her $129 back').user, 'I want my $129 back.');
    assert.equal(p('Confirm the start date').user, 'Could you double-check the start date for me?');
    assert.equal(p('Make sure the fee is waived').user, 'Can you confirm that the fee is waived?');
    assert.equal(p('Learn whether fibre is available at his building').user, 'Is fibre available at my building?');
    assert.equal(p('Return the blender at no cost to her').user, "I'd like to return the blender at no cost to me.");
    assert.equal(p('Avoid paying a cancellation fee').user, "I don't want to end up paying a cancellation fee.");
    assert.equal(p('Any discount for a young driver').user, 'Is there any discount for a young driver?');
    assert.equal(p('The all-in monthly price after the promotion ends').user, 'What would the all-in monthly price be after the promotion ends?');
  });

  it('turns embedded clauses into direct questions, or gives up when it cannot find the verb', () => {
    assert.equal(toQuestion('how much hotspot data the mobile plan allows'), 'How much hotspot data does the mobile plan allow?');
    assert.equal(toQuestion('when the money will arrive'), 'When will the money arrive?');
    assert.equal(toQuestion('what this does to my credit'), 'What does this do to my credit?');
    assert.equal(toQuestion('whether there is a contract and what leaving early costs'), 'Is there a contract? And what does leaving early cost?');
    assert.equal(toQuestion('who is calling'), 'Who is calling?');
    assert.equal(toQuestion('why the bill went up'), undefined);
    assert.equal(toQuestion('whether the fees apply'), undefined);
  });

  it('no line pastes a description or says "about do not ..."; every line is a capitalised sentence', async () => {
    let lines = 0;
    for (const { scenario, runs } of await allRuns()) {
      const pasted = scenario.targets.filter((t) => !ownWords(t)).map((t) => stripStop(t.description).toLowerCase());
      for (const t of runs) {
        for (const turn of t.turns) {
          const where = `${scenario.id} ${t.agent} seed ${t.seed} turn ${turn.index} (${turn.speaker})`;
          const lower = turn.text.toLowerCase();
          for (const d of pasted) assert.ok(!lower.includes(d), `${where}: "${d}" pasted into "${turn.text}"`);
          assert.doesNotMatch(turn.text, FRAGMENT, where);
          assertSentences(turn.text, where);
          lines++;
        }
      }
    }
    assert.ok(lines > 1000, `only ${lines} lines checked`);
  });

  it('never says a `reveal: never` limit aloud', async () => {
    const [review] = await allRuns();
    for (const t of review.runs) for (const u of t.turns.filter((x) => x.speaker === 'user')) assert.doesNotMatch(u.text, /\$60/, `seed ${t.seed}: ${u.text}`);
  });

  it('the agent line that answers a target meets it, and the one that only promises to look does not (no cues)', () => {
    const review = parse(PLAN_REVIEW) as Scenario;
    const compiled = compileScenario(review);
    for (const t of review.targets) {
      const [promise, answer] = phraseTarget(t).agent;
      assert.equal(answer, phraseTarget(t).answer);
      assert.ok(targetsMetBy(compiled, answer).has(t.id), `${t.id}: "${answer}" does not meet it`);
      if (/^(?:Let me|I'll|Sure, I'll)/.test(promise)) assert.ok(!targetsMetBy(compiled, promise).has(t.id), `${t.id}: the echo "${promise}" meets it`);
    }
  });

  it('answer lines derived from the sample targets (say and cues stripped) meet them', async () => {
    let n = 0;
    const missed: string[] = [];
    for (const { scenario } of await sampleScenarios()) {
      const bare = { ...scenario, targets: scenario.targets.map(({ say: _say, cues: _cues, ...t }) => t) } as Scenario;
      const compiled = compileScenario(bare);
      for (const t of bare.targets) {
        n++;
        if (!targetsMetBy(compiled, phraseTarget(t).answer).has(t.id)) missed.push(`${t.id}: ${phraseTarget(t).answer}`);
      }
    }
    assert.deepEqual(missed, [], `${missed.length} of ${n} missed`);
  });

  it('a scripted agent meets the targets the user raises on most seeds', async () => {
    for (const { scenario, runs } of await allRuns()) {
      const scripted = runs.filter((t) => t.agent === 'scripted');
      let met = 0;
      let raised = 0;
      for (const t of scripted) {
        // The targets the user raised (its plan says "raise <id>"), and whether the agent met them.
        const ids = scenario.targets.map((x) => x.id).filter((id) => t.turns.some((u) => u.speaker === 'user' && new RegExp(`raise [^;]*\\b${id}\\b`).test(u.rationale?.sections.plan ?? '')));
        raised += ids.length;
        met += ids.filter((id) => (t.targets ?? []).find((x) => x.id === id)?.met_at != null).length;
      }
      assert.ok(raised > scripted.length, `${scenario.id}: only ${raised} targets raised`);
      assert.ok(met >= raised * 0.8, `${scenario.id}: the scripted agent met only ${met} of ${raised} raised targets`);
      const success = scripted.filter((t) => /goals were met/.test(t.end.detail ?? '')).length;
      // The scripted agent first only promises to look into a target about half the time (an echo, which meets nothing); the user presses and it answers later.
      assert.ok(success >= scripted.length / 3, `${scenario.id}: only ${success} of ${scripted.length} scripted dialogues reached the user's goals`);
    }
  });

  it('raises a `when_asked` target without cues when the agent talks about it (description or done_when words)', async () => {
    const review = parse(PLAN_REVIEW) as Scenario;
    // An upfront target first, so that the `when_asked` ones wait until the agent touches them.
    const scenario = { ...review, targets: review.targets.filter((t) => ['refund', 'start-date', 'fee-waived'].includes(t.id)) } as Scenario;
    const say = (line: string): Agent => ({ id: 'fixed', next: async (ctx: AgentContext) => ({ text: ctx.agentTurns === 1 ? line : 'Let me check that for you.' }) });
    const t = await runDialogue({ scenario, profile: PROFILES[0], seed: 1, simulator: new AgendaSimulator(), agent: say('Before we go on, I can tell you the activation day once your order is in.') });
    const said = t.turns.findIndex((x) => x.text.startsWith('Before we go on'));
    assert.ok(said > 0);
    const reply = t.turns[said + 1];
    assert.match(reply.rationale!.sections.plan!, /raise [^;]*\bstart-date\b/, reply.rationale!.sections.plan);
    assert.doesNotMatch(reply.rationale!.sections.plan!, /fee-waived/);
    assert.match(reply.text, /start date/, reply.text);
  });

  it('samples stripped of say and cues still read as sentences, with no description fragments', async () => {
    let lines = 0;
    for (const { scenario, profile } of await sampleScenarios()) {
      const bare = { ...scenario, targets: scenario.targets.map(({ say: _say, cues: _cues, ...t }) => t) } as Scenario;
      const authored = new Set([scenario.agent?.opening, ...(scenario.agent?.script ?? [])]);
      const plain: ResolvedProfile = { ...profile, expression: { ...profile.expression, quirks: (profile.expression?.quirks ?? []).filter((q) => q !== 'all_lowercase' && q !== 'typos') } };
      for (const agent of ['scripted', 'adversarial']) {
        for (let seed = 1; seed <= 5; seed++) {
          const t = await runAgenda(bare, plain, seed, agent);
          for (const turn of t.turns.filter((x) => !authored.has(x.text) && !x.tactic)) {
            const where = `${scenario.id} ${agent} seed ${seed} turn ${turn.index} (${turn.speaker})`;
            assert.doesNotMatch(turn.text, FRAGMENT, where);
            assert.doesNotMatch(turn.text, /I'm calling about|here's where we are/i, where);
            assertSentences(turn.text, where);
            lines++;
          }
        }
      }
    }
    assert.ok(lines > 300, `only ${lines} lines checked`);
  });
});
