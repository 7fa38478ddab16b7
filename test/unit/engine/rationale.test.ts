import { strict as assert } from 'node:assert';
import { buildSimulatorPrompt, formatRationale, formatStateLine, formatUserOutput, parseStateLine, parseUserOutput, RATIONALE_INSTRUCTIONS } from '../../../core/rationale/index';
import { PROFILE, toyScenario } from './helpers';

const FIVE = `Agent intent: pitching an upgrade; none
Concerns: the monthly price (primary)
Plan: ask about the price
State: trust 0.50 -> 0.40; patience 0.70 -> 0.60; emotion 0.50 -> 0.50; engagement 0.60 -> 0.60
Tone: plain, wary`;

describe('engine: rationale format', () => {
  it('parses <think> and <answer> with all five sections', () => {
    const r = parseUserOutput(`<think>\n${FIVE}\n</think>\n<answer>What would it cost?</answer>`);
    assert.equal(r.answer, 'What would it cost?');
    assert.deepEqual(r.rationale.missing, []);
    assert.equal(r.rationale.sections.agent_intent, 'pitching an upgrade; none');
    assert.equal(r.rationale.sections.tone, 'plain, wary');
    assert.equal(r.rationale.raw, FIVE);
  });

  it('takes the rationale from a separate reasoning field (reasoning / reasoning_content dialects)', () => {
    const r = parseUserOutput('<answer>Hi.</answer>', FIVE);
    assert.equal(r.answer, 'Hi.');
    assert.deepEqual(r.rationale.missing, []);
    assert.equal(r.rationale.sections.plan, 'ask about the price');
  });

  it('accepts a reasoning field and a reply without <answer> tags, and reports the missing tags', () => {
    const r = parseUserOutput('Hi there.', FIVE);
    assert.equal(r.answer, 'Hi there.');
    assert.deepEqual(r.rationale.missing, ['answer_tags']);
  });

  it('reads labels in any case, numbered, bulleted or bold', () => {
    const raw = '1. AGENT INTENT: x\n- **concerns**: y\n**Plan:** z\n4) state update: trust 0.2 -> 0.1\n## tone - calm';
    const r = parseUserOutput(`<think>${raw}</think><answer>ok</answer>`);
    assert.deepEqual(r.rationale.missing, []);
    assert.equal(r.rationale.sections.concerns, 'y');
    assert.equal(r.rationale.sections.plan, 'z');
    assert.equal(r.rationale.sections.tone, 'calm');
  });

  it('keeps multi-line sections together', () => {
    const r = parseUserOutput('<think>Agent intent: a\nmore about a\nConcerns: b\nPlan: c\nState: d\nTone: e</think><answer>x</answer>');
    assert.equal(r.rationale.sections.agent_intent, 'a\nmore about a');
  });

  it('reports missing sections instead of failing', () => {
    const r = parseUserOutput('<think>Agent intent: a\nPlan: c</think><answer>x</answer>');
    assert.deepEqual(r.rationale.missing, ['concerns', 'state', 'tone']);
  });

  it('reports missing think tags when there is no reasoning at all', () => {
    const r = parseUserOutput('just a reply');
    assert.equal(r.answer, 'just a reply');
    assert.equal(r.rationale.raw, '');
    assert.deepEqual(r.rationale.missing, ['agent_intent', 'concerns', 'plan', 'state', 'tone', 'think_tags', 'answer_tags']);
  });

  it('handles a dropped opening <think> tag, an unclosed <think> and an unclosed <answer>', () => {
    const dropped = parseUserOutput(`${FIVE}\n</think>\n<answer>yes</answer>`);
    assert.equal(dropped.answer, 'yes');
    assert.deepEqual(dropped.rationale.missing, []);
    const unclosed = parseUserOutput(`<think>${FIVE}`);
    assert.equal(unclosed.answer, '');
    assert.ok(unclosed.rationale.missing.includes('answer_tags'));
    assert.equal(unclosed.rationale.sections.tone, 'plain, wary');
    const open = parseUserOutput(`<think>${FIVE}</think><answer>cut off here`);
    assert.equal(open.answer, 'cut off here');
  });

  it('finds labelled lines written without any tags', () => {
    const r = parseUserOutput(`${FIVE}\nWhat would it cost?`);
    assert.equal(r.answer, 'What would it cost?');
    assert.deepEqual(r.rationale.missing, ['think_tags', 'answer_tags']);
    assert.equal(r.rationale.sections.plan, 'ask about the price');
  });

  it('survives empty and odd input', () => {
    for (const s of ['', '<think></think>', '<answer></answer>', '</think>', '<think><think>x</think>']) {
      const r = parseUserOutput(s);
      assert.equal(typeof r.answer, 'string');
      assert.ok(Array.isArray(r.rationale.missing));
    }
  });

  it('formats and reparses a rationale and the state line', () => {
    const before = { trust: 0.5, emotion: 0.5, patience: 0.7, engagement: 0.6 };
    const after = { trust: 0.3, emotion: 0.45, patience: 0.6, engagement: 0.6 };
    const line = formatStateLine(before, after);
    assert.equal(line, 'trust 0.50 -> 0.30; emotion 0.50 -> 0.45; patience 0.70 -> 0.60; engagement 0.60 -> 0.60');
    assert.deepEqual(parseStateLine(line), after);
    const raw = formatRationale({ agent_intent: 'a', concerns: 'b', plan: 'c', state: line, tone: 'e' });
    const out = formatUserOutput(raw, 'Hello.');
    assert.equal(out, `<think>\n${raw}\n</think>\n<answer>Hello.</answer>`);
    const back = parseUserOutput(out);
    assert.deepEqual(back.rationale.missing, []);
    assert.equal(back.answer, 'Hello.');
  });

  it('reads state values loosely and clamps them', () => {
    assert.deepEqual(parseStateLine('Trust: 0.4 → 1.7, participation 0.2'), { trust: 1, engagement: 0.2 });
    assert.deepEqual(parseStateLine('unchanged'), {});
  });

  it('builds a simulator prompt from profile and scenario', () => {
    const p = buildSimulatorPrompt(PROFILE, toyScenario({ adversarial: { must_resist: true, tactics: ['false_urgency'] } }));
    assert.match(p, /You are playing a user, Pat Doe/);
    assert.ok(p.includes('I was charged twice this month'));
    assert.ok(p.includes('My account number is 5512.'));
    assert.ok(p.includes('never invent it'));
    assert.ok(p.includes('The router model number ZX-9000.'));
    assert.ok(p.includes('never say this outright'));
    assert.ok(p.includes('###STOP###'));
    assert.ok(!/false.urgency/i.test(p), 'the prompt never names a tactic');
    assert.ok(p.includes('may try to manipulate you'));
    assert.ok(p.includes(RATIONALE_INSTRUCTIONS));
  });
});
