import { strict as assert } from 'node:assert';
import type { Scenario, Transcript } from '../../../core/generated/schema-types';
import { runDialogue } from '../../../core/dialogue/index';
import type { Agent, AgentContext, UserSimulator } from '../../../core/dialogue/types';
import { AgendaSimulator } from '../../../core/simulate/index';
import { createAgent, envSecret } from '../../../core/agents/index';
import { parseUserOutput } from '../../../core/rationale/index';
import { PROFILE, runAgenda, sampleScenarios, stable, toyScenario } from './helpers';

/** An agent that says fixed lines, then repeats a neutral one. */
function fixedAgent(lines: string[], fallback = 'Let me check that for you.'): Agent {
  return { id: 'fixed', next: async (ctx: AgentContext) => ({ text: lines[ctx.agentTurns - (ctx.scenario.agent?.opening ? 1 : 0)] ?? fallback }) };
}

function runFixed(scenario: Scenario, lines: string[], seed = 1, fallback?: string): Promise<Transcript> {
  return runDialogue({ scenario, profile: PROFILE, seed, simulator: new AgendaSimulator(), agent: fixedAgent(lines, fallback) });
}

const users = (t: Transcript) => t.turns.filter((x) => x.speaker === 'user');
const CONCESSION = /\b(i'?ll take it|sign me up|it'?s a deal|okay,? deal|you'?ve convinced me|i agree|let'?s do (it|that)|that works for me|i accept|go ahead and|fine,? (then|go ahead))/i;

describe('engine: agenda simulator', function () {
  this.timeout(60000);

  it('is deterministic for a seed on every sample scenario (identical transcripts)', async () => {
    for (const { scenario, profile } of await sampleScenarios()) {
      for (const agent of ['scripted', 'adversarial']) {
        for (const seed of [1, 7, 123456]) {
          const a = await runAgenda(scenario, profile, seed, agent);
          const b = await runAgenda(scenario, profile, seed, agent);
          assert.deepEqual(stable(a), stable(b), `${scenario.id} / ${agent} / seed ${seed}`);
        }
      }
    }
  });

  it('varies with the seed and does not repeat itself within a dialogue', async () => {
    for (const { scenario, profile } of await sampleScenarios()) {
      const seen = new Set<string>();
      for (let seed = 1; seed <= 10; seed++) {
        const t = await runAgenda(scenario, profile, seed, 'adversarial');
        const texts = users(t).map((u) => u.text);
        seen.add(texts.join('\n'));
        assert.equal(new Set(texts).size, texts.length, `${scenario.id} seed ${seed} repeats a user turn: ${texts.join(' | ')}`);
      }
      assert.ok(seen.size >= 4, `${scenario.id}: only ${seen.size} distinct dialogues over 10 seeds`);
    }
  });

  it('writes the five-section rationale and a well-formed output on every user turn', async () => {
    for (const { scenario, profile } of await sampleScenarios()) {
      const t = await runAgenda(scenario, profile, 3);
      for (const u of users(t)) {
        assert.deepEqual(u.rationale?.missing, [], `${scenario.id} turn ${u.index}`);
        assert.match(u.output ?? '', /^<think>\n[\s\S]+\n<\/think>\n<answer>[\s\S]+<\/answer>$/);
        assert.match(u.rationale!.sections.state!, /^trust \d\.\d\d → \d\.\d\d(?: \([^)]*\))?; emotion .*; patience .*; engagement /);
        assert.ok(u.text.length > 0);
        assert.ok(u.state);
      }
    }
  });

  it('hands over exactly what parsing its own output gives', async () => {
    const sim = new AgendaSimulator();
    const spy: UserSimulator = { id: 'agenda', next: async (ctx) => {
      const out = await sim.next(ctx);
      assert.deepEqual(out.parsed, parseUserOutput(out.content, out.reasoning));
      return out;
    } };
    for (const { scenario, profile, ws } of await sampleScenarios()) {
      for (let seed = 1; seed <= 5; seed++) {
        await runDialogue({ scenario, profile, config: ws.config?.value, seed, simulator: spy, agent: createAgent(seed % 2 ? 'scripted' : 'adversarial', { secret: envSecret }) });
      }
    }
  });

  it('never states anything from `unknown` (all samples, many seeds, both agents)', async () => {
    for (const { scenario, profile } of await sampleScenarios()) {
      const known = [...(scenario.memory ?? []), ...scenario.targets.map((t) => `${t.description} ${t.say ?? ''}`)].join(' ').toLowerCase();
      // Distinctive tokens of each unknown item: numbers, amounts, codes and names not found in what the user knows.
      const secrets = (scenario.unknown ?? []).flatMap((u) => (u.match(/[$€£]?\d[\d,.]*|[A-Z][A-Za-z]*-?\d+[A-Za-z0-9-]*/g) ?? []).filter((tok) => !known.includes(tok.toLowerCase())));
      for (const agent of ['scripted', 'adversarial']) {
        for (let seed = 1; seed <= 25; seed++) {
          const t = await runAgenda(scenario, profile, seed, agent);
          const agentSaid = t.turns.filter((x) => x.speaker === 'agent').map((x) => x.text).join(' ').toLowerCase();
          for (const u of users(t)) {
            for (const item of scenario.unknown ?? []) assert.ok(!u.text.toLowerCase().includes(item.toLowerCase().replace(/\.$/, '')), `${scenario.id}: stated unknown '${item}'`);
            for (const s of secrets) if (!agentSaid.includes(s.toLowerCase())) assert.ok(!u.text.toLowerCase().includes(s.toLowerCase()), `${scenario.id} seed ${seed}: '${s}' from unknown in "${u.text}"`);
          }
        }
      }
    }
  });

  it('says it does not know when asked about an unknown item, and answers from memory', async () => {
    const t = await runFixed(toyScenario(), ['What is the exact early termination fee, do you know?', 'Which router model number do you have?', 'What is your account number?']);
    const [, u1, u2, u3] = users(t);
    for (const u of [u1, u2]) {
      assert.doesNotMatch(u.text, /179|ZX-9000/);
      assert.match(u.rationale!.sections.plan!, /don't know/);
    }
    assert.match(u3.text, /5512/);
  });

  it('raises upfront targets first, when_asked ones when the topic comes up, never ones never', async () => {
    const s = toyScenario({ termination: { max_turns: 6 } });
    const t = await runFixed(s, ['Let me pull up your account.', 'Are you thinking of cancelling early? There are fees for that.', 'Anything else?']);
    const u = users(t);
    assert.match(u[0].text, /charged twice/);
    assert.doesNotMatch(u[0].text, /cancel/i);
    assert.match(u[2].text, /cost me to cancel early/);
    for (const x of u) assert.doesNotMatch(x.text, /switch provider/i);
    assert.match(u[0].rationale!.sections.concerns!, /keeping to myself: switch\b/);
  });

  it('fires structured and text decision policies and acts on them', async () => {
    const s = toyScenario({
      decision_policy: [
        { id: 'no-rush', when: { tactic: 'false_urgency' }, then: 'Refuses to be rushed.', action: 'refuse' },
        { id: 'no-credit', when: 'The agent offers store credit instead of a refund', then: 'Declines the credit.', action: 'refuse' },
        { id: 'supervisor', when: { turn: '>= 4', target_unmet: 'refund' }, then: 'Asks for a supervisor.', action: 'escalate' },
      ],
      termination: { max_turns: 5 },
    });
    const t = await runFixed(s, ['This offer ends today, act now or lose it!', 'I can give you store credit instead of a refund.', 'Let me see.', 'Hmm, one moment.']);
    const u = users(t);
    assert.deepEqual(u[1].policies, ['no-rush']);
    assert.match(u[1].rationale!.sections.plan!, /^refuse/);
    assert.deepEqual(u[2].policies, ['no-credit']);
    assert.deepEqual(u[3].policies, ['supervisor']);
    assert.match(u[3].text, /supervisor|senior|escalate|manager|someone/i);
    assert.deepEqual(t.policies, [{ id: 'no-rush', turns: [u[1].index] }, { id: 'no-credit', turns: [u[2].index] }, { id: 'supervisor', turns: [u[3].index, u[4].index] }]);
  });

  it('applies transitions for each event and clamps the state to 0..1', async () => {
    const s = toyScenario({
      state: {
        initial: { trust: 0.1, emotion: 0.95, patience: 0.8, engagement: 0.5 },
        transitions: [
          { on: 'every_turn', change: { trust: -0.3, emotion: 0.2 } },
          { on: 'tactic:false_urgency', change: { engagement: -0.2 } },
          { on: 'concern_ignored', change: { patience: -0.1 } },
          { on: 'agent_repeats', change: { patience: -0.25 } },
          { on: 'target_met:refund', change: { trust: 0.5 } },
        ],
      },
      termination: { max_turns: 6 },
    });
    const t = await runFixed(s, ['Act now, this offer ends today!', 'Let me check your plan details.', 'Let me check your plan details.', 'Okay, refund issued for the double charge.']);
    const u = users(t);
    assert.deepEqual(u[0].state, { trust: 0, emotion: 1, patience: 0.8, engagement: 0.5 });
    assert.match(u[0].rationale!.sections.state!, /trust 0\.10 → 0\.00 \([^)]*\); emotion 0\.95 → 1\.00/);
    assert.equal(u[1].state!.engagement, 0.3); // the tactic
    assert.equal(u[1].state!.patience, 0.7); // the refund raised before was ignored
    assert.equal(u[2].state!.patience, 0.6); // ignored again
    assert.equal(u[3].state!.patience, 0.25); // ignored again and repeated
    assert.equal(u[4].state!.trust, 0.5); // target met
    assert.equal(u[4].targets_met, undefined);
    assert.deepEqual(t.turns[u[4].index - 1].targets_met, ['refund']);
    assert.deepEqual(t.targets?.find((x) => x.id === 'refund'), { id: 'refund', met_at: u[4].index - 1 });
  });

  it('finds the concerns a model simulator raised from its words, for concern_ignored', async () => {
    const seen: string[][] = [];
    const sim: UserSimulator = { id: 'model-like', next: async (ctx) => {
      seen.push(ctx.events);
      return { content: '<think>Agent intent: x\nConcerns: y\nPlan: z\nState: trust 0.5 -> 0.5\nTone: t</think><answer>I was charged twice and I want a refund for the double charge.</answer>' };
    } };
    await runDialogue({ scenario: toyScenario({ termination: { max_turns: 3 } }), profile: PROFILE, seed: 1, simulator: sim, agent: fixedAgent(['Let me look at your plan.', 'Okay, refund issued.']) });
    assert.deepEqual(seen, [['every_turn'], ['every_turn', 'concern_ignored'], ['every_turn', 'target_met:refund']]);
  });

  it('ends with the stop token when its goals are met (reason stop)', async () => {
    const t = await runFixed(toyScenario(), ['Okay, refund issued for the double charge.']);
    assert.equal(t.end.reason, 'stop');
    assert.match(t.end.detail!, /goals were met/);
    const last = t.turns[t.turns.length - 1];
    assert.equal(last.speaker, 'user');
    assert.match(last.text, /###STOP###$/);
    assert.equal(t.end.at_turn, last.index);
  });

  it('never ends before min_turns', async () => {
    const t = await runFixed(toyScenario({ termination: { min_turns: 3, max_turns: 8, success_when: 'all_primary_targets_met' } }), ['Okay, refund issued for the double charge.']);
    assert.equal(t.end.reason, 'stop');
    assert.equal(users(t).length, 3);
    for (const u of users(t).slice(0, 2)) assert.doesNotMatch(u.text, /###STOP###/);
  });

  it('hangs up when patience falls below hang_up_when (reason hang_up)', async () => {
    const s = toyScenario({ state: { initial: { patience: 0.7 }, transitions: [{ on: 'every_turn', change: { patience: -0.2 } }] }, termination: { max_turns: 8, hang_up_when: { patience_below: 0.35 } } });
    const t = await runFixed(s, []);
    assert.equal(t.end.reason, 'hang_up');
    assert.match(t.end.detail!, /patience 0\.30 below 0\.35/);
    assert.equal(users(t).length, 2);
    assert.match(users(t)[1].rationale!.sections.plan!, /^end: hang up/);
  });

  it('stops at max_turns user turns (reason max_turns)', async () => {
    const t = await runFixed(toyScenario({ termination: { max_turns: 4 } }), []);
    assert.equal(t.end.reason, 'max_turns');
    assert.equal(users(t).length, 4);
    const t2 = await runDialogue({ scenario: toyScenario(), profile: PROFILE, seed: 1, maxTurns: 2, simulator: new AgendaSimulator(), agent: fixedAgent([]) });
    assert.equal(users(t2).length, 2);
  });

  it('ends with reason error (never throws) when a participant fails, and cancelled on abort', async () => {
    const broken: UserSimulator = { id: 'broken', next: async () => { throw new Error('boom'); } };
    const t = await runDialogue({ scenario: toyScenario(), profile: PROFILE, seed: 1, simulator: broken, agent: fixedAgent([]) });
    assert.equal(t.end.reason, 'error');
    assert.equal(t.error, "simulator 'broken': boom");
    const ac = new AbortController();
    const c = await runDialogue({
      scenario: toyScenario(), profile: PROFILE, seed: 1, simulator: new AgendaSimulator(), agent: fixedAgent([]), signal: ac.signal,
      onEvent: (e) => { if (e.type === 'turn' && e.turn.index === 2) ac.abort(); },
    });
    assert.equal(c.end.reason, 'cancelled');
    assert.equal(c.turns.length, 3);
  });

  it('resists tactics on every adversarial sample when must_resist holds (no concession after a tactic)', async () => {
    const adversarial = (await sampleScenarios()).filter((x) => x.scenario.split === 'adversarial' && x.scenario.adversarial?.must_resist);
    assert.ok(adversarial.length >= 1, 'the samples have adversarial scenarios with must_resist');
    let tacticTurns = 0;
    for (const { scenario, profile, ws } of adversarial) {
      for (const agent of ['adversarial', 'scripted']) {
        for (let seed = 1; seed <= 20; seed++) {
          const t = await runAgenda(scenario, profile, seed, agent, { config: ws.config?.value });
          t.turns.forEach((turn, i) => {
            const next = t.turns[i + 1];
            if (turn.speaker !== 'agent' || !turn.tactic || !next) return;
            tacticTurns++;
            assert.match(next.rationale!.sections.plan!, /^(refuse|end)/, `${scenario.id} ${agent} seed ${seed}: plan after ${turn.tactic}: ${next.rationale!.sections.plan}`);
            assert.doesNotMatch(next.text, CONCESSION, `${scenario.id} ${agent} seed ${seed}: concession after ${turn.tactic}: ${next.text}`);
            assert.match(next.rationale!.sections.agent_intent!, new RegExp(turn.tactic.replace(/_/g, ' ')));
          });
        }
      }
    }
    assert.ok(tacticTurns > 50, `only ${tacticTurns} tactic turns were exercised`);
  });

  it('shapes replies by the profile: terse is short, all_lowercase is lowercase, typical phrases appear', async () => {
    const terse = { ...PROFILE, expression: { verbosity: 'terse' as const, formality: 'casual' as const, quirks: ['all_lowercase'], typical_phrases: ['whatever works'] } };
    const verbose = { ...PROFILE, expression: { verbosity: 'verbose' as const, formality: 'formal' as const } };
    let terseWords = 0;
    let verboseWords = 0;
    let phrase = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const a = await runDialogue({ scenario: toyScenario(), profile: terse, seed, simulator: new AgendaSimulator(), agent: fixedAgent([]) });
      const b = await runDialogue({ scenario: toyScenario(), profile: verbose, seed, simulator: new AgendaSimulator(), agent: fixedAgent([]) });
      for (const u of users(a)) {
        assert.equal(u.text.replace('###STOP###', ''), u.text.replace('###STOP###', '').toLowerCase());
        terseWords += u.text.split(/\s+/).length;
        if (u.text.includes('whatever works')) phrase++;
      }
      for (const u of users(b)) verboseWords += u.text.split(/\s+/).length;
    }
    assert.ok(verboseWords > terseWords * 1.3, `verbose ${verboseWords} words vs terse ${terseWords}`);
    assert.ok(phrase >= 5, `typical phrase used ${phrase} times`);
  });

  it('uses the workspace secret resolver only for env: names', () => {
    process.env.USERLM_TEST_SECRET = 'abc';
    assert.equal(envSecret('env:USERLM_TEST_SECRET'), 'abc');
    assert.equal(envSecret('USERLM_TEST_SECRET'), undefined);
    delete process.env.USERLM_TEST_SECRET;
  });
});
