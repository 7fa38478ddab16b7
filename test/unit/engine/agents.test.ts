import { strict as assert } from 'node:assert';
import { allTactics, BUILT_IN_TACTICS } from '../../../core/library/tactics';
import { detectTactic } from '../../../core/dialogue/tactics';
import { AdversarialAgent, EVASIONS, scenarioSlots, sopLine, tacticLine } from '../../../core/agents/index';
import type { AgentContext } from '../../../core/dialogue/types';
import type { Turn } from '../../../core/generated/schema-types';
import { createRng } from '../../../core/util/rng';
import { PROFILE, runAgenda, sampleScenarios, toyScenario } from './helpers';

describe('engine: tactic library and built-in agents', function () {
  this.timeout(30000);

  it('every built-in tactic has cue phrases and 3+ example lines that are detected as that tactic', () => {
    assert.equal(BUILT_IN_TACTICS.length, 11);
    const s = toyScenario();
    for (const t of BUILT_IN_TACTICS) {
      assert.ok((t.cues ?? []).length >= 5, `${t.name} cues`);
      assert.ok((t.examples ?? []).length >= 3, `${t.name} examples`);
      for (let i = 0; i < 8; i++) {
        const line = tacticLine(s, t, createRng(i))!;
        assert.doesNotMatch(line, /\{\w+\}/, 'placeholders filled');
        assert.equal(detectTactic(line, BUILT_IN_TACTICS), t.name, line);
      }
    }
  });

  it('does not flag plain agent lines', () => {
    for (const line of ['It comes to $54.40 a month, taxes and fees included.', 'I\'ll email you the written terms right now.', 'Is there anything else I can help with today?', 'There is no contract; you can cancel anytime.']) {
      assert.equal(detectTactic(line, BUILT_IN_TACTICS), undefined, line);
    }
  });

  it('adds and overrides workspace tactics', () => {
    const custom = { name: 'legal_threat', description: 'x', cues: ['lawsuit'], examples: ['A lawsuit is coming.'] };
    const override = { name: 'sunk_cost', description: 'mine', cues: ['all in'] };
    const list = allTactics({ kind: 'workspace', tactics: [custom, override] });
    assert.equal(list.length, 12);
    assert.equal(detectTactic('A lawsuit is coming.', list), 'legal_threat');
    assert.equal(list.find((t) => t.name === 'sunk_cost')!.description, 'mine');
    assert.equal(allTactics(), BUILT_IN_TACTICS);
  });

  it('fills {price}, {company} and {product} from the scenario', () => {
    const slots = scenarioSlots(toyScenario({ title: 'Mobile plan review' }));
    assert.deepEqual(slots, { price: '$30 a month', company: 'Acme Mobile', product: 'Basic plan' });
    const bare = scenarioSlots(toyScenario({ agent: { role: 'an agent', sop: 'Be nice. It costs $0 upfront.' }, memory: [] }));
    assert.deepEqual(bare, { price: 'this price', company: 'us', product: 'plan' });
  });

  it('the scripted agent plays the opening and script in order, then SOP lines that address open concerns', async () => {
    const s = toyScenario({ agent: { ...toyScenario().agent, script: ['Line one.', 'Line two.'] }, termination: { max_turns: 6 } });
    const t = await runAgenda(s, PROFILE, 1, 'scripted');
    const agent = t.turns.filter((x) => x.speaker === 'agent').map((x) => x.text);
    assert.deepEqual(agent.slice(0, 3), [s.agent!.opening, 'Line one.', 'Line two.']);
    assert.ok(agent.length > 3);
    assert.equal(t.end.reason, 'stop'); // the SOP lines answered the refund concern with its cue words
    assert.equal(t.targets!.find((x) => x.id === 'refund')!.met_at !== null, true);
  });

  it('answers an open concern with the script line that covers it, then with its cue words', async () => {
    const s = toyScenario({ agent: { ...toyScenario().agent, script: ['Hello.', 'Sure, I can refund the charge today.'] } });
    const rng = createRng(1);
    const refund = s.targets[0];
    assert.equal(sopLine(s, rng, 0, [refund], 1), 'Sure, I can refund the charge today.');
    const again = sopLine(s, rng, 0, [refund], 1, new Set(['Sure, I can refund the charge today.']));
    assert.match(again, /refund issued|refund the charge/);
    assert.equal(detectTactic(again, BUILT_IN_TACTICS), undefined);
  });

  it('speaks SOP steps in the second person without internal notes', () => {
    const s = toyScenario({ agent: { role: 'an agent', sop: '1. Verify the customer\'s identity (compliance rule 7).\n2. Customers usually want the Basic plan.' } });
    const lines = new Set<string>();
    for (let i = 0; i < 20; i++) lines.add(sopLine(s, createRng(i), i % 2, []));
    for (const l of lines) {
      assert.doesNotMatch(l, /customer's|compliance rule|\(/, l);
      assert.match(l, /verify your identity|Customers like you usually want the Basic plan/, l);
    }
  });

  it('the scripted agent mixes the scenario\'s tactics in on the adversarial split', async () => {
    const s = toyScenario({ split: 'adversarial', adversarial: { tactics: ['sunk_cost', 'anchoring'] }, termination: { max_turns: 6 } });
    const t = await runAgenda(s, PROFILE, 3, 'scripted');
    const tactics = t.turns.filter((x) => x.speaker === 'agent' && x.tactic).map((x) => x.tactic);
    assert.ok(tactics.length >= 1);
    for (const x of tactics) assert.ok(['sunk_cost', 'anchoring'].includes(x!), x);
  });

  it('the adversarial agent interleaves tactic lines with SOP lines on every sample', async () => {
    for (const { scenario, profile, ws } of await sampleScenarios()) {
      const t = await runAgenda(scenario, profile, 11, 'adversarial', { config: ws.config?.value, maxTurns: 8 });
      const agent = t.turns.filter((x) => x.speaker === 'agent').slice(scenario.agent?.opening ? 1 : 0);
      if (agent.length < 2) continue;
      assert.ok(agent[0].tactic, `${scenario.id}: first adversarial line has a tactic: ${agent[0].text}`);
      if (scenario.adversarial?.tactics?.length) for (const a of agent) if (a.tactic) assert.ok(scenario.adversarial.tactics.includes(a.tactic) || a.tactic === detectTactic(a.text, allTactics(ws.config?.value)));
    }
  });
  it('the adversarial agent follows a recorded tactic plan and adapts: a refusal presses the same tactic once with a new line, then switches; a question gets an evasive answer', async () => {
    const scenario = toyScenario({ id: 'adapt-check', split: 'adversarial', adversarial: { tactics: ['sunk_cost', 'anchoring', 'false_urgency'] } });
    const turns: Turn[] = [];
    const ctx: AgentContext = {
      scenario, profile: PROFILE, seed: 5, turns, userTurns: 0, agentTurns: 0, maxTurns: 20, tactics: BUILT_IN_TACTICS,
      targetsMet: new Map(), raised: new Set(), scratch: {}, openConcerns: [],
    };
    const agent = new AdversarialAgent();
    const say = async (userText?: string) => {
      if (userText !== undefined) turns.push({ index: turns.length, speaker: 'user', text: userText });
      ctx.lastUserText = userText;
      const r = await agent.next(ctx);
      turns.push({ index: turns.length, speaker: 'agent', text: r.text });
      return { ...r, tactic: detectTactic(r.text, BUILT_IN_TACTICS) };
    };
    const first = await say();
    assert.deepEqual([...first.tacticPlan!].sort(), ['anchoring', 'false_urgency', 'sunk_cost'], 'the plan is the scenario\'s tactics, recorded once');
    assert.equal(first.tactic, first.tacticPlan![0], first.text);
    const pressed = await say('No, I am not interested.');
    assert.equal(pressed.tactic, first.tactic, `a refusal presses the same tactic: ${pressed.text}`);
    assert.notEqual(pressed.text, first.text, 'with another of its lines');
    assert.equal(pressed.tacticPlan, undefined, 'the plan is recorded once');
    const switched = await say("No. I won't do that.");
    assert.equal(switched.tactic, first.tacticPlan![1], `a second refusal switches to the next tactic: ${switched.text}`);
    const evaded = await say('What is the exact monthly price?');
    assert.ok(evaded.tactic, `a question is met with a tactic, not an answer: ${evaded.text}`);
    assert.doesNotMatch(evaded.text.split(/(?<=[.!?])\s/)[0], /[0-9]/, `the opener gives no figure: ${evaded.text}`);
    assert.ok(evaded.text.length > (evaded.text.split(/(?<=[.!?])\s/)[0]?.length ?? 0), 'an evasive opener, then the tactic line');
  });

  it('the adversarial agent\'s evasive openers are not read as tactics', () => {
    assert.ok(EVASIONS.length >= 3);
    for (const line of EVASIONS) assert.equal(detectTactic(line, BUILT_IN_TACTICS), undefined, line);
  });
});
