// Full dialogues with model backends: the `llm` simulator and the `llm` agent against the local server.
import { strict as assert } from 'node:assert';
import type { Workspace } from '../../../core/generated/schema-types';
import { createTacticJudge, parseTacticVerdict, runDialogue, type DialogueEvent } from '../../../core/dialogue/index';
import { createChatClient } from '../../../core/backends/chat/index';
import { createSimulator } from '../../../core/simulate/index';
import { createAgent } from '../../../core/agents/index';
import { startOpenAIServer, type OpenAIServer } from '../../support/openai-server';
import { PROFILE, toyScenario } from './helpers';

describe('engine: dialogues with model backends', function () {
  this.timeout(20000);
  let server: OpenAIServer;
  let config: Workspace;
  const secret = (ref: string) => (ref === 'env:SIM_KEY' ? 'sk-sim-key-000111' : undefined);
  beforeEach(async () => {
    server = await startOpenAIServer();
    config = {
      kind: 'workspace',
      backends: [
        { id: 'sim-think', type: 'openai-compatible', base_url: server.url, model: 'sim-think', api_key: 'env:SIM_KEY' },
        { id: 'sim-reasoning', type: 'openai-compatible', base_url: server.url, model: 'sim-reasoning', reasoning: 'reasoning', stream: false },
        { id: 'agent-llm', type: 'openai-compatible', base_url: server.url, model: 'agent-model' },
        { id: 'down', type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', model: 'x', max_retries: 0 },
      ],
    };
  });
  afterEach(async () => { await server.close(); });

  for (const sim of ['sim-think', 'sim-reasoning']) {
    it(`runs a full dialogue with the llm simulator (${sim}) and the scripted agent`, async () => {
      const events: DialogueEvent[] = [];
      const env = { config, secret };
      const t = await runDialogue({
        scenario: toyScenario({ termination: { max_turns: 8 } }), profile: PROFILE, config, seed: 5,
        simulator: createSimulator(sim, env), agent: createAgent('scripted', env), onEvent: (e) => events.push(e),
      });
      assert.equal(t.error, undefined);
      assert.equal(t.end.reason, 'stop');
      assert.equal(t.simulator, sim);
      const users = t.turns.filter((x) => x.speaker === 'user');
      assert.equal(users.length, 4); // the server's user ends on its 4th turn
      for (const u of users) {
        assert.deepEqual(u.rationale!.missing, []);
        assert.match(u.output!, /^<think>\n[\s\S]*\n<\/think>\n<answer>[\s\S]*<\/answer>$/);
        assert.ok(u.usage && u.usage.completion_tokens! > 0);
        assert.ok(u.latency_ms! >= 0);
      }
      // The state comes from the rationale's State line.
      assert.deepEqual(users.map((u) => u.state!.trust), [0.45, 0.4, 0.35, 0.3]);
      assert.match(users[3].text, /###STOP###$/);
      assert.ok(t.usage!.prompt_tokens! > 0);
      // The model plays the user: the agent's lines are its `user` messages, its own earlier answers `assistant`.
      const last = server.requests[server.requests.length - 1].body.messages;
      assert.equal(last[0].role, 'system');
      assert.match(last[0].content, /You are playing a user, Pat Doe/);
      assert.equal(last[1].role, 'user');
      assert.equal(last[1].content, toyScenario().agent!.opening);
      assert.equal(last[2].role, 'assistant');
      assert.equal(last[2].content, users[0].text);
      const first = server.requests[0].body.messages;
      assert.deepEqual(first.slice(1).map((m: { role: string }) => m.role), ['user']);
      if (sim === 'sim-think') {
        assert.equal(server.requests[0].headers.authorization, 'Bearer sk-sim-key-000111');
        assert.ok(events.some((e) => e.type === 'delta' && e.speaker === 'user'));
      }
      assert.equal(events.filter((e) => e.type === 'turn').length, t.turns.length);
      assert.deepEqual(events[events.length - 1], { type: 'end', end: t.end });
    });
  }

  it('runs the llm agent (SOP as system prompt) against the agenda simulator', async () => {
    const env = { config, secret };
    const t = await runDialogue({ scenario: toyScenario(), profile: PROFILE, config, seed: 2, simulator: createSimulator('agenda', env), agent: createAgent('agent-llm', env) });
    assert.equal(t.error, undefined, t.error);
    const agentTurns = t.turns.filter((x) => x.speaker === 'agent');
    assert.equal(agentTurns[0].text, toyScenario().agent!.opening);
    assert.equal(agentTurns[1].text, 'It comes to a total of $42 a month, including taxes and fees.'); // the server's second agent line
    const body = server.requests[0].body;
    assert.match(body.messages[0].content, /^You are a support agent at Acme Mobile[\s\S]*Offer the Basic plan at \$30 a month/);
    assert.deepEqual(body.messages.slice(1).map((m: { role: string }) => m.role), ['user', 'assistant', 'user']);
    assert.equal(body.messages[1].content, '(The customer is on the line. You speak first.)');
    assert.equal(body.messages[2].content, toyScenario().agent!.opening);
  });

  it('opens with a stage line when the user speaks first (no agent opening)', async () => {
    const env = { config, secret };
    const s = toyScenario({ agent: { role: 'an agent', sop: 'Help.' } });
    const t = await runDialogue({ scenario: s, profile: PROFILE, config, seed: 1, simulator: createSimulator('sim-reasoning', env), agent: createAgent('agent-llm', env) });
    assert.equal(t.error, undefined, t.error);
    assert.equal(t.turns[0].speaker, 'user');
    const simCall = server.requests.find((r) => r.body.model === 'sim-reasoning' && r.body.messages.length > 3)!.body.messages;
    assert.deepEqual(simCall.slice(1, 4).map((m: { role: string; content: string }) => [m.role, m.content.slice(0, 16)]), [['user', '(The call connec'], ['assistant', t.turns[0].text.slice(0, 16)], ['user', t.turns[1].text.slice(0, 16)]]);
    const agentCall = server.requests.find((r) => r.body.model === 'agent-model')!.body.messages;
    assert.deepEqual(agentCall.slice(1).map((m: { role: string }) => m.role), ['user']);
  });

  it('ends with reason error naming the backend when it fails, without throwing', async () => {
    const env = { config, secret };
    const t = await runDialogue({ scenario: toyScenario(), profile: PROFILE, config, seed: 1, simulator: createSimulator('down', env), agent: createAgent('scripted', env) });
    assert.equal(t.end.reason, 'error');
    assert.match(t.error!, /^simulator 'down': backend 'down' \(model x at http:\/\/127\.0\.0\.1:9\/v1\): connection refused \(ECONNREFUSED\)/);
    assert.equal(t.turns.length, 1); // the opening
  });

  it('is cancelled mid-stream through the AbortSignal', async () => {
    server.faults.push('ok', 'slow');
    const ac = new AbortController();
    const env = { config, secret };
    let deltas = 0;
    const t = await runDialogue({
      scenario: toyScenario(), profile: PROFILE, config, seed: 1, signal: ac.signal, simulator: createSimulator('sim-think', env), agent: createAgent('scripted', env),
      onEvent: (e) => { if (e.type === 'delta' && server.requests.length === 2 && ++deltas === 1) ac.abort(); },
    });
    assert.equal(t.end.reason, 'cancelled');
    assert.equal(t.turns.filter((x) => x.speaker === 'user').length, 1);
  });

  it('explains unknown ids and missing keys', () => {
    const env = { config, secret: () => undefined };
    assert.throws(() => createSimulator('nope', env), /unknown simulator 'nope': not a built-in and not a backend in userlm.yaml \(backends: sim-think, sim-reasoning, agent-llm, down\)/);
    assert.throws(() => createAgent('nope', { secret: () => undefined }), /unknown agent 'nope'.*no backends defined/);
    assert.throws(() => createSimulator('sim-think', env), /backend 'sim-think': the API key 'env:SIM_KEY' is not set/);
  });

  it('the human agent asks through askHuman and explains when there is none', async () => {
    const prompts: string[] = [];
    const env = { config, secret, askHuman: async (p: string) => { prompts.push(p); return 'Refund issued for the double charge.'; } };
    const t = await runDialogue({ scenario: toyScenario(), profile: PROFILE, seed: 1, simulator: createSimulator('agenda', env), agent: createAgent('human', env) });
    assert.equal(t.end.reason, 'stop');
    assert.match(prompts[0], /^User: .*charged twice/);
    const none = await runDialogue({ scenario: toyScenario(), profile: PROFILE, seed: 1, simulator: createSimulator('agenda', env), agent: createAgent('human', { secret }) });
    assert.equal(none.end.reason, 'error');
    assert.match(none.error!, /human agent needs an interactive prompt/);
  });
});

describe('engine: optional tactic judge', function () {
  this.timeout(20000);
  let server: OpenAIServer;
  afterEach(async () => { await server.close(); });

  it('asks the judge only about agent turns without a cue match, and records its verdict', async () => {
    server = await startOpenAIServer({ reply: (body) => (String(body.messages[0].content).includes('manipulation tactics') ? (String(body.messages[1].content).includes('mortgage') ? 'Verdict: sunk cost.' : 'none') : undefined) });
    const judge = createTacticJudge(createChatClient({ id: 'judge', type: 'openai-compatible', base_url: server.url, model: 'j' }, undefined));
    const lines = ['Think of the mortgage you took out for this house.', 'This offer ends today, act now!', 'Let me check.'];
    const agent = { id: 'fixed', next: async (ctx: { agentTurns: number }) => ({ text: lines[ctx.agentTurns - 1] ?? 'Let me check.' }) };
    const t = await runDialogue({ scenario: toyScenario({ termination: { max_turns: 4 } }), profile: PROFILE, seed: 1, simulator: createSimulator('agenda', { secret: () => undefined }), agent, tacticJudge: judge });
    const agentTurns = t.turns.filter((x) => x.speaker === 'agent');
    assert.deepEqual(agentTurns.map((x) => x.tactic), [undefined, 'sunk_cost', 'false_urgency', undefined]);
    // The opening, the mortgage line and "Let me check." went to the judge; the cue-matched line did not.
    assert.equal(server.requests.length, 3);
    assert.match(server.requests[0].body.messages[0].content, /- sunk_cost: /);
    assert.equal(server.requests[0].body.temperature, 0);
  });

  it('parses verdicts loosely', () => {
    const tactics = [{ name: 'false_urgency', description: '' }, { name: 'sunk_cost', description: '' }];
    assert.equal(parseTacticVerdict('sunk_cost', tactics), 'sunk_cost');
    assert.equal(parseTacticVerdict('<think>maybe false urgency?</think>The agent uses Sunk Cost.', tactics), 'sunk_cost');
    assert.equal(parseTacticVerdict('None.', tactics), undefined);
  });

  it('a failing judge ends the dialogue with reason error', async () => {
    server = await startOpenAIServer();
    const judge = createTacticJudge(createChatClient({ id: 'judge', type: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', model: 'j', max_retries: 0 }, undefined));
    const t = await runDialogue({ scenario: toyScenario(), profile: PROFILE, seed: 1, simulator: createSimulator('agenda', { secret: () => undefined }), agent: createAgent('scripted', { secret: () => undefined }), tacticJudge: judge });
    assert.equal(t.end.reason, 'error');
    assert.match(t.error!, /^tactic judge: backend 'judge' .*connection refused \(ECONNREFUSED\)/);
  });
});
