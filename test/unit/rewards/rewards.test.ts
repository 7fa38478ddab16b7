// Targeted tests of the reward primitives, rules, judge parsing/caching and aggregation
// (the shared vectors cover the full algorithm; these pin the pieces with hand-made inputs).
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, RewardSpec, Scenario, Transcript } from '../../../core/generated/schema-types';
import {
  BUILT_IN_RUBRICS, conceded, contentWords, createJudge, declaredSections, DEFAULT_REWARD_SPEC, loadRewardSpec, parseJudgeScore,
  parseOutput, round6, scoreTranscript, stateClaims, statedFacts, tokens, turnPart,
  COMPONENT_DEFINITIONS, METRIC_DEFINITIONS, METRICS, RULE_NAMES, componentDefinition, explainTotal,
} from '../../../core/rewards';
import { startJudgeServer } from './judge-server';

describe('rewards: text primitives', () => {
  it('tokenizes as lowercase [a-z0-9] runs, ASCII only', () => {
    assert.deepEqual(tokens("Don't sign: £30/mo! ÉTÉ naïve"), ['don', 't', 'sign', '30', 'mo', 't', 'na', 've']);
    assert.deepEqual(tokens(''), []);
  });
  it('content words drop stopwords, section labels and short tokens', () => {
    assert.deepEqual([...contentWords('The Plan: my total monthly price, as I said')].sort(), ['monthly', 'price', 'said', 'total']);
  });
  it('round6 rounds half up on float64', () => {
    assert.equal(round6(0.1234565), 0.123457);
    assert.equal(round6(2 / 3), 0.666667);
    assert.equal(round6(1), 1);
  });
  it('parses think/answer tags in any case, a bare </think>, and no tags', () => {
    const a = parseOutput('<THINK>r</think>\n<answer>hi</ANSWER>');
    assert.equal(a.rationale, 'r');
    assert.equal(a.answer, 'hi');
    const b = parseOutput('plan here</think> the reply');
    assert.equal(b.think, undefined);
    assert.equal(b.rationale, 'plan here');
    assert.equal(b.answer, ' the reply');
    const c = parseOutput('just text');
    assert.equal(c.rationale, '');
    assert.equal(c.answer, 'just text');
  });
});

describe('rewards: rules', () => {
  it('finds sections only at line starts and with content', () => {
    assert.deepEqual([...declaredSections('Agent intent: x\nConcerns:\nthe plan: y\n**Tone**: calm')].sort(), ['agent_intent', 'tone']);
  });
  it('reads state claims with ->, => and →', () => {
    assert.deepEqual(stateClaims('State: Trust 0.5 -> 0.3; patience: 0.7 → 0.6; emotion=0.2=>0.25'), {
      trust: { before: 0.5, after: 0.3 }, patience: { before: 0.7, after: 0.6 }, emotion: { before: 0.2, after: 0.25 },
    });
  });
  it('does not count questions or hedges as disclosure', () => {
    const sc = { targets: [{ id: 't', description: 'x' }], unknown: ['the early termination fee amount'] } as unknown as Scenario;
    assert.deepEqual(statedFacts('What is the early termination fee amount?', sc), []);
    assert.deepEqual(statedFacts('I have no idea about the early termination fee amount.', sc), []);
    assert.deepEqual(statedFacts('The early termination fee amount is $200.', sc), ['the early termination fee amount']);
  });
  it('tells a concession from a refusal', () => {
    assert.equal(conceded("Okay, sign me up."), true);
    assert.equal(conceded("No, don't sign me up."), false);
    assert.equal(conceded('Let me think about it.'), false);
  });
});

describe('rewards: judge score parsing', () => {
  const cases: [string, number | undefined][] = [
    ['{"score": 8, "reason": "x"}', 8], ['{"Score":"6"}', 6], ['7/10', 7], ['I give it 7 / 10.', 7], ['7.5/10', 7.5],
    ['Score: 7', 7], ['**Score:** 9', 9], ['score of 4', 4], ['Rating: **8**', 8], ['Decent.\n  6 \n', 6],
    ['12', 10], ['{"score": 0}', 1], ['7/100', undefined], ['no number here', undefined], ['', undefined],
  ];
  for (const [raw, want] of cases) it(JSON.stringify(raw), () => assert.equal(parseJudgeScore(raw), want));
});

describe('rewards: aggregation', () => {
  it('turn part: plain mean, and normalised reward-to-go', () => {
    assert.equal(turnPart([]), undefined);
    assert.equal(turnPart([1, 0]), 0.5);
    // returns 1.32, 0.4, 0.5 over 2.44, 1.8, 1
    assert.ok(Math.abs(turnPart([1, 0, 0.5], 0.8)! - (1.32 / 2.44 + 0.4 / 1.8 + 0.5) / 3) < 1e-12);
    assert.equal(turnPart([0.3, 0.9], 0), 0.6);
  });
});

describe('rewards: specs', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'userlm-spec-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a spec relative to the file that names it', () => {
    writeFileSync(join(dir, 'a.rewards.yaml'), 'kind: rewards\ncomponents:\n  - {name: format, kind: rule}\n');
    const spec = loadRewardSpec('a.rewards.yaml', join(dir, 'x.suite.yaml'));
    assert.equal(spec.components[0].name, 'format');
  });
  it('refuses unknown rules and custom judges without a rubric, saying where', () => {
    writeFileSync(join(dir, 'bad.rewards.yaml'), 'kind: rewards\ncomponents:\n  - {name: formatt, kind: rule}\n  - {name: politeness, kind: judge}\n');
    assert.throws(() => loadRewardSpec(join(dir, 'bad.rewards.yaml')), (e: Error) =>
      e.message.includes('bad.rewards.yaml') && e.message.includes("components[0]: 'formatt' is not a rule") && e.message.includes('components[1]: judge \'politeness\' is not built in'));
  });
  it('the default spec has every built-in component', () => {
    const names = DEFAULT_REWARD_SPEC.components.map((c) => c.name);
    for (const n of ['format', 'sections', 'rationale_length', 'grounding', 'state_validity', 'disclosure', 'termination', 'resistance', ...Object.keys(BUILT_IN_RUBRICS)]) assert.ok(names.includes(n), n);
  });
});

describe('rewards: judge over a local OpenAI-compatible server', () => {
  const scenario: Scenario = { kind: 'scenario', id: 's', profile: 'p', targets: [{ id: 'price', description: 'Find out the monthly price' }] };
  const t: Transcript = {
    run_id: 'r', dialogue_id: 'd', scenario_id: 's', profile_id: 'p', seed: 1, simulator: 'agenda', agent: 'scripted',
    turns: [
      { index: 0, speaker: 'agent', text: 'Hello.' },
      { index: 1, speaker: 'user', text: 'Price?', output: '<think>\nAgent intent: greeting\nConcerns: monthly price\nPlan: ask\nState: trust 0.5 -> 0.5\nTone: curt\n</think>\n<answer>Price?</answer>' },
      { index: 2, speaker: 'agent', text: '40 a month.' },
      { index: 3, speaker: 'user', text: 'Fine. ###STOP###', output: '<think>\nPlan: end\n</think>\n<answer>Fine. ###STOP###</answer>' },
    ],
    end: { reason: 'stop', at_turn: 3 }, targets: [{ id: 'price', met_at: 2 }],
    rewards: { turn_mean: {}, session: {}, total: 0 }, metrics: {},
  };
  const spec: RewardSpec = DEFAULT_REWARD_SPEC;
  let server: Awaited<ReturnType<typeof startJudgeServer>>;
  let cache: string;
  before(async () => { server = await startJudgeServer(); cache = mkdtempSync(join(tmpdir(), 'userlm-judge-')); });
  after(async () => { await server.close(); rmSync(cache, { recursive: true, force: true }); });

  it('scores every judge component, fills the paper metrics, and reports unparseable replies as no value', async () => {
    const backend: Backend = { id: 'judge', type: 'openai-compatible', base_url: server.url, model: 'judge-model', max_retries: 0 };
    const judge = createJudge(backend, undefined, cache);
    const scored = await scoreTranscript(t, { scenario, profile: { id: 'p', name: 'P' }, spec, judge });
    // 5 turn judges x 2 user turns + 3 session judges
    assert.equal(server.calls(), 13);
    assert.equal(scored.turns[1].rewards!.persona_consistency, round6(7 / 9));
    assert.equal(scored.turns[1].rewards!.robotic_tone, round6(1 - 2 / 9));
    const j = (value: number) => ({ value, source: 'judge' });
    assert.deepEqual(scored.metrics, {
      Pers: j(round6(7 / 9)), CoT: j(round6(6 / 9)), Stra: j(round6(5 / 9)), Con: j(round6(8 / 9)), Rob: j(round6(2 / 9)),
      Role: j(1), Int: j(round6(4 / 9)),
      // goal_progress's reply is unparseable: the rule value (every target met) stands in, labelled rule; no tactic turn: no Res.
      Goal: { value: 1, source: 'rule' }, Res: { value: null, source: null },
    });
    assert.ok(!('goal_progress' in scored.rewards.session), 'an unparseable reply is no value, not a number');
    // Cached by content hash: scoring again makes no call (the unparseable reply is not cached).
    const before = server.calls();
    const again = await scoreTranscript(t, { scenario, profile: { id: 'p', name: 'P' }, spec, judge: createJudge(backend, undefined, cache) });
    assert.equal(server.calls() - before, 1);
    assert.deepEqual(again.rewards, scored.rewards);
    assert.equal(readdirSync(cache).filter((f) => f.endsWith('.json')).length, 12);
  });

  it('without a judge: judge components are left out, metrics are null', async () => {
    const scored = await scoreTranscript(t, { scenario, profile: { id: 'p', name: 'P' }, spec });
    for (const m of ['Int', 'Rob', 'CoT', 'Stra', 'Pers', 'Res'] as const) assert.deepEqual(scored.metrics[m], { value: null, source: null }, m);
    assert.deepEqual(scored.metrics.Goal, { value: 1, source: 'rule' });
    assert.equal(scored.metrics.Role?.source, 'rule');
    assert.ok(!('persona_consistency' in scored.rewards.turn_mean));
    assert.deepEqual(Object.keys(scored.rewards.session), ['termination']);
  });
});

describe('rewards: one-line definitions and explained totals', () => {
  it('docs/rewards.md shows the same definitions as the table in core (one source)', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'rewards.md'), 'utf8');
    const block = doc.slice(doc.indexOf('<!-- definitions:start -->'), doc.indexOf('<!-- definitions:end -->'));
    for (const [k, v] of [...Object.entries(COMPONENT_DEFINITIONS), ...Object.entries(METRIC_DEFINITIONS)]) {
      assert.ok(block.includes(`| \`${k}\` | ${v.replace(/\|/g, '\\|')} |`), `docs/rewards.md lacks the definition of ${k}`);
    }
    for (const n of RULE_NAMES) assert.ok(COMPONENT_DEFINITIONS[n], `no definition for rule ${n}`);
    for (const m of METRICS) assert.ok(METRIC_DEFINITIONS[m], `no definition for metric ${m}`);
  });
  it('a spec description overrides the built-in line; a custom judge shows its rubric', () => {
    const spec: RewardSpec = { kind: 'rewards', components: [{ name: 'voice', kind: 'rule', description: 'Mine.' }, { name: 'politeness', kind: 'judge', rubric: 'Is the user polite?' }] };
    assert.equal(componentDefinition('voice', spec), 'Mine.');
    assert.equal(componentDefinition('voice'), COMPONENT_DEFINITIONS.voice);
    assert.equal(componentDefinition('politeness', spec), 'Judge: Is the user polite?');
    assert.equal(componentDefinition('Goal'), METRIC_DEFINITIONS.Goal);
  });
  it('explainTotal reproduces the worked example of docs/rewards.md §5', async () => {
    const scenario: Scenario = { kind: 'scenario', id: 's', profile: 'p', targets: [{ id: 'price', description: 'Find out the monthly price' }] };
    const spec: RewardSpec = { kind: 'rewards', components: [{ name: 'format', kind: 'rule', weight: 1 }, { name: 'voice', kind: 'rule', weight: 1 }, { name: 'no_invention', kind: 'rule', weight: 2 }, { name: 'termination', kind: 'rule', level: 'session', weight: 1 }], aggregate: { discount: 0.5, turn_weight: 2 } };
    const t: Transcript = {
      run_id: 'r', dialogue_id: 'd', scenario_id: 's', profile_id: 'p', seed: 1, simulator: 'agenda', agent: 'scripted',
      turns: [
        { index: 0, speaker: 'agent', text: 'Hello.' },
        { index: 1, speaker: 'user', text: 'Price?', output: '<think>Plan: ask</think><answer>What is the monthly price?</answer>' },
        { index: 2, speaker: 'agent', text: 'Let me check.' },
        { index: 3, speaker: 'user', text: 'x', output: '<think>Plan: ask</think><answer>Happy to help. We have 3 phones.</answer>' },
        { index: 4, speaker: 'agent', text: 'Anything else?' },
        { index: 5, speaker: 'user', text: 'Bye ###STOP###' },
      ],
      end: { reason: 'stop', at_turn: 5 }, targets: [{ id: 'price', met_at: null }], rewards: { turn_mean: {}, session: {} }, metrics: {},
    };
    const s = await scoreTranscript(t, { scenario, profile: { id: 'p', name: 'P' }, spec });
    assert.deepEqual(s.turns.filter((u) => u.speaker === 'user').map((u) => u.score), [1, 0.5, 0]);
    assert.equal(s.rewards.session.termination, 0);
    assert.equal(s.rewards.total, 0.232804);
    const lines = explainTotal(s, spec);
    assert.ok(lines.some((l) => l.startsWith('turn 5: 0 — gate format 0 < 1')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('T = ') && l.includes('0.349206')), lines.join('\n'));
    assert.ok(lines[lines.length - 1].endsWith('= 0.232804'), lines.join('\n'));
    const cancelled = await scoreTranscript({ ...t, end: { reason: 'cancelled', at_turn: 3 } }, { scenario, profile: { id: 'p', name: 'P' }, spec });
    assert.equal(cancelled.rewards.total, undefined);
    assert.ok(!('termination' in cancelled.rewards.session));
    assert.ok(explainTotal(cancelled, spec).some((l) => l.startsWith('no total: the dialogue was cancelled')));
  });
});
