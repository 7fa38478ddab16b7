// Every reasoning dialect x streaming on/off x simulator/agent/judge, straight from the server and
// behind a proxy that renames fields the way LiteLLM does, all with `reasoning: auto` (the
// default): the rationale (or the judge's verdict) is recovered every time, and an agent never
// says its reasoning aloud. Plus the split itself and the streamed-reply filter.
import { strict as assert } from 'node:assert';
import type { Backend, Workspace } from '../../../core/generated/schema-types';
import { ReplyDeltaFilter, splitReasoning, type Dialect } from '../../../core/backends/chat/reasoning';
import { createChatClient } from '../../../core/backends/chat/index';
import { createTacticJudge, runDialogue } from '../../../core/dialogue/index';
import { createSimulator } from '../../../core/simulate/index';
import { createAgent } from '../../../core/agents/index';
import { createJudge } from '../../../core/rewards/backend-judge';
import { allTactics } from '../../../core/library/tactics';
import { startOpenAIServer, TACTIC_PARAPHRASES, type OpenAIServer } from '../../support/openai-server';
import { startReasoningProxy, type ReasoningProxy } from '../../support/openai-server-proxy';
import { PROFILE, toyScenario } from './helpers';

/** Server dialect → the model name that selects it on the test server. */
const MODELS: Record<Exclude<Dialect, never>, string> = {
  reasoning: 'sim-reasoning', reasoning_content: 'sim-reasoning_content', think_tags: 'sim-think', implicit_think: 'sim-implicit', none: 'sim-plain',
};

/** What the client sees behind the LiteLLM-like proxy. */
function behindProxy(d: Dialect, stream: boolean): Dialect {
  if (d === 'reasoning') return 'reasoning_content';
  if (d === 'think_tags' && !stream) return 'reasoning_content';
  return d;
}

describe('engine: reasoning dialects', function () {
  this.timeout(20000);

  describe('splitReasoning', () => {
    const cases: [string, string, Record<string, string>, Dialect, string, string | undefined][] = [
      ['a reasoning field', 'Hi there.', { reasoning: 'Think.' }, 'reasoning', 'Hi there.', 'Think.'],
      ['a reasoning_content field', 'Hi there.', { reasoning_content: 'Think.' }, 'reasoning_content', 'Hi there.', 'Think.'],
      ['<think> tags', '<think>\nThink.\n</think>\nHi there.', {}, 'think_tags', 'Hi there.', 'Think.'],
      ['an implicit think', 'Think.\n</think>\n\nHi there.', {}, 'implicit_think', 'Hi there.', 'Think.'],
      ['no reasoning', 'Hi there.', {}, 'none', 'Hi there.', undefined],
      ['an unclosed think (cut at max_tokens)', '<think>Think and think', {}, 'think_tags', '', 'Think and think'],
      ['a field and stray think tags', '<think>old</think>Hi there.', { reasoning_content: 'Think.' }, 'reasoning_content', 'Hi there.', 'Think.'],
      ['an empty reasoning field', 'Hi there.', { reasoning: '  ' }, 'none', 'Hi there.', undefined],
    ];
    for (const [name, content, fields, dialect, reply, reasoning] of cases) {
      it(`reads ${name}`, () => {
        const s = splitReasoning(content, fields);
        assert.equal(s.dialect, dialect);
        assert.equal(s.content, reply);
        assert.equal(s.reasoning, reasoning);
      });
    }

    it('prefers the field the setting names when both arrive', () => {
      assert.equal(splitReasoning('x', { reasoning: 'a', reasoning_content: 'b' }, 'reasoning_content').reasoning, 'b');
      assert.equal(splitReasoning('x', { reasoning: 'a', reasoning_content: 'b' }, 'auto').reasoning, 'a');
    });
  });

  describe('ReplyDeltaFilter', () => {
    const run = (deltas: string[], cautious: boolean) => {
      const out: string[] = [];
      const f = new ReplyDeltaFilter((t) => out.push(t), cautious);
      for (const d of deltas) f.push(d);
      f.end();
      return out;
    };
    const chop = (s: string, n: number) => s.match(new RegExp(`[\\s\\S]{1,${n}}`, 'g'))!;

    for (const n of [1, 2, 3, 7, 50]) {
      it(`streams only the reply, tags split every ${n} characters`, () => {
        const text = '<think>\nPlan: refuse.\n</think>\n<answer>No, thank you.</answer>';
        assert.equal(run(chop(text, n), false).join(''), '<answer>No, thank you.</answer>');
        assert.equal(run(chop(text, n), true).join(''), '<answer>No, thank you.</answer>');
        assert.equal(run(chop('Plan: refuse.\n</think>\nNo, thank you.', n), true).join(''), 'No, thank you.');
        assert.equal(run(chop('No <thin> here, thank you.', n), false).join(''), 'No <thin> here, thank you.');
      });
    }

    it('a cautious filter holds a reply without tags until the end, then gives all of it; a known backend streams at once', () => {
      assert.deepEqual(run(['No, ', 'thank ', 'you.'], true), ['No, thank you.']);
      assert.deepEqual(run(['No, ', 'thank ', 'you.'], false), ['No, ', 'thank ', 'you.']);
    });
  });

  for (const via of ['server', 'LiteLLM-like proxy'] as const) {
    describe(`every dialect through the ${via}`, () => {
      let server: OpenAIServer;
      let proxy: ReasoningProxy | undefined;
      let n = 0;
      before(async () => {
        server = await startOpenAIServer();
        if (via !== 'server') proxy = await startReasoningProxy(server.url);
      });
      after(async () => {
        await proxy?.close();
        await server.close();
      });
      const backend = (dialect: Dialect, stream: boolean, over: Partial<Backend> = {}): Backend =>
        ({ id: `dialect-${++n}`, type: 'openai-compatible', base_url: proxy?.url ?? server.url, model: MODELS[dialect], stream, max_retries: 0, ...over });
      const expected = (d: Dialect, stream: boolean) => (proxy ? behindProxy(d, stream) : d);

      for (const dialect of Object.keys(MODELS) as Dialect[]) {
        for (const stream of [true, false]) {
          const tag = `${dialect}, ${stream ? 'streamed' : 'not streamed'}`;

          it(`simulator (${tag}): the rationale is recovered on every turn`, async () => {
            const b = backend(dialect, stream);
            const config: Workspace = { kind: 'workspace', backends: [b] };
            const env = { config, secret: () => undefined };
            const t = await runDialogue({ scenario: toyScenario(), profile: PROFILE, config, seed: 3, maxTurns: 2, simulator: createSimulator(b.id, env), agent: createAgent('scripted', env) });
            assert.equal(t.error, undefined, t.error);
            const users = t.turns.filter((x) => x.speaker === 'user');
            assert.equal(users.length, 2);
            for (const u of users) {
              assert.ok(!/<\/?think>|Agent intent/.test(u.text), `the reply holds no reasoning: ${u.text}`);
              if (dialect === 'none') {
                assert.ok(u.rationale!.missing.includes('think_tags'));
                continue;
              }
              assert.deepEqual(u.rationale!.missing, [], JSON.stringify(u.rationale));
              assert.match(u.rationale!.sections.plan ?? '', /keep asking about the price/);
              assert.match(u.output!, /^<think>\nAgent intent: [\s\S]*\n<\/think>\n<answer>/);
            }
            if (proxy && (dialect === 'reasoning' || (dialect === 'think_tags' && !stream))) assert.ok(proxy.rewrites > 0);
          });

          it(`agent (${tag}): speaks only its reply, never its reasoning`, async () => {
            const b = backend(dialect, stream);
            const config: Workspace = { kind: 'workspace', backends: [b] };
            const env = { config, secret: () => undefined };
            const deltas: string[] = [];
            const t = await runDialogue({
              scenario: toyScenario(), profile: PROFILE, config, seed: 3, maxTurns: 3, simulator: createSimulator('agenda', env), agent: createAgent(b.id, env),
              onEvent: (e) => { if (e.type === 'delta' && e.speaker === 'agent') deltas.push(e.text); },
            });
            assert.equal(t.error, undefined, t.error);
            const said = t.turns.filter((x) => x.speaker === 'agent').slice(1); // the first is the scenario's opening
            assert.ok(said.length >= 2);
            assert.equal(said[0].text, 'It comes to a total of $42 a month, including taxes and fees.'); // the server's second agent line
            for (const a of said) assert.ok(!/Private plan|<\/?think>/.test(a.text), a.text);
            if (stream) assert.ok(!deltas.join('').includes('Private plan'), 'no reasoning in the streamed deltas');
            else assert.equal(deltas.length, 0);
          });

          it(`judge (${tag}): the verdict comes from the reply, not the reasoning`, async () => {
            const b = backend(dialect, stream);
            const client = createChatClient(b, undefined);
            const r = await client.complete({ messages: [{ role: 'system', content: 'You are a strict, consistent evaluator of simulated users.' }, { role: 'user', content: 'Score it.' }] });
            assert.equal(r.dialect, dialect === 'none' ? 'none' : expected(dialect, stream));
            const judge = createJudge(b, undefined);
            const score = await judge.score('role', 'Score the user.');
            assert.equal(score.score, 7 / 9); // {"score": 8}; the reasoning's "2" is never read
            const tactics = allTactics();
            const verdict = await createTacticJudge(createChatClient(b, undefined))(TACTIC_PARAPHRASES.false_urgency, tactics);
            assert.equal(verdict, 'false_urgency'); // the reasoning names sunk_cost first
          });
        }
      }

      if (via !== 'server') it('a backend set as the sample advises for vLLM (reasoning: reasoning) still gets its rationale when the proxy renames the field, and warns once', async () => {
        const warnings: string[] = [];
        const b = backend('reasoning', false, { reasoning: 'reasoning' });
        const client = createChatClient(b, undefined, { warn: (m) => warnings.push(m) });
        for (let i = 0; i < 2; i++) {
          const r = await client.complete({ messages: [{ role: 'system', content: 'You are playing a user, Pat. <think> <answer>' }, { role: 'user', content: 'Hello?' }] });
          assert.equal(r.dialect, 'reasoning_content');
          assert.match(r.reasoning ?? '', /^Agent intent/);
        }
        assert.equal(warnings.length, 1);
      });
    });
  }
});
