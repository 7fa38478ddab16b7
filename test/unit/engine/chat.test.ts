// The chat client through the real `openai` SDK against the local server (real HTTP, real SSE).
import { strict as assert } from 'node:assert';
import type { Backend } from '../../../core/generated/schema-types';
import { backendLimiter, ChatError, createChatClient, Limiter } from '../../../core/backends/chat/index';
import { schemaFiles } from '../../../core/generated/schemas';
import { nodeFetch } from '../../../core/backends/chat/node-fetch';
import { parseUserOutput } from '../../../core/rationale/index';
import { startOpenAIServer, type OpenAIServer } from '../../support/openai-server';

const SIM_SYSTEM = 'You are playing a user, Pat. When you are done, end your answer with ###STOP###.';
const MESSAGES = [{ role: 'system' as const, content: SIM_SYSTEM }, { role: 'user' as const, content: 'Hello, how can I help?' }];
let n = 0;

describe('engine: OpenAI-compatible chat client', function () {
  this.timeout(20000);
  let server: OpenAIServer;
  beforeEach(async () => { server = await startOpenAIServer(); });
  afterEach(async () => { await server.close(); });

  /** A backend with a fresh id (each has its own shared limiter). */
  const backend = (over: Partial<Backend> = {}): Backend => ({ id: `test-${++n}`, type: 'openai-compatible', base_url: server.url, model: 'sim-think', ...over });
  const fast = { retryBaseMs: 20, retryMaxMs: 3000 };

  for (const stream of [true, false]) {
    for (const [model, reasoning] of [['sim-reasoning', 'reasoning'], ['sim-reasoning_content', 'reasoning_content'], ['sim-think', 'think_tags'], ['sim-reasoning', 'auto'], ['sim-reasoning_content', 'auto'], ['sim-think', 'auto']] as const) {
      it(`reads reasoning from ${model} with reasoning: ${reasoning} (${stream ? 'streamed' : 'JSON'})`, async () => {
        const deltas: string[] = [];
        const r = await createChatClient(backend({ model, reasoning, stream }), undefined).complete({ messages: MESSAGES, onDelta: (d) => deltas.push(d) });
        assert.match(r.reasoning ?? '', /^Agent intent: .*\nConcerns: .*\nPlan: .*\nState: trust .*\nTone: /);
        assert.equal(r.content, '<answer>Hi. I got your message about my account, what is this about?</answer>');
        const parsed = parseUserOutput(r.content, r.reasoning);
        assert.deepEqual(parsed.rationale.missing, []);
        assert.equal(parsed.answer, 'Hi. I got your message about my account, what is this about?');
        if (stream) assert.equal(deltas.join(''), r.content, 'the reply (never the reasoning) arrives in deltas');
        else assert.equal(deltas.length, 0);
        assert.equal(r.streamed, stream);
        assert.equal(server.requests[0].body.stream ?? false, stream);
        assert.ok(r.usage && r.usage.prompt_tokens! > 0 && r.usage.completion_tokens! > 0 && r.usage.reasoning_tokens !== undefined, JSON.stringify(r.usage));
      });
    }
  }

  it('streams the reply as it comes once the backend is known to open its thinks explicitly', async () => {
    const client = createChatClient(backend({ model: 'sim-reasoning_content' }), undefined);
    const first: string[] = [];
    const second: string[] = [];
    await client.complete({ messages: MESSAGES, onDelta: (d) => first.push(d) });
    const r = await client.complete({ messages: MESSAGES, onDelta: (d) => second.push(d) });
    assert.equal(first.join(''), r.content);
    assert.equal(second.join(''), r.content);
    assert.ok(second.length >= 2, `streamed in ${second.length} deltas`);
    assert.equal(first.length, 1, 'the first reply of an unknown backend is held until it is known not to open an implicit think');
    assert.ok(!second.join('').includes('Agent intent'), 'no reasoning in the deltas');
  });

  it('an explicit reasoning setting that does not match the server warns once per backend and reads what arrived', async () => {
    const warnings: string[] = [];
    const b = backend({ model: 'sim-reasoning_content', reasoning: 'reasoning' });
    const client = createChatClient(b, undefined, { warn: (m) => warnings.push(m) });
    for (let i = 0; i < 3; i++) {
      const r = await client.complete({ messages: MESSAGES });
      assert.equal(r.dialect, 'reasoning_content');
      assert.match(r.reasoning ?? '', /^Agent intent/);
    }
    await createChatClient(b, undefined, { warn: (m) => warnings.push(m) }).complete({ messages: MESSAGES });
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], new RegExp(`backend '${b.id}'.*'reasoning: reasoning'.*'reasoning_content' field`));
  });

  it('a server with no reasoning at all gives the answer and the parser reports the missing rationale', async () => {
    const r = await createChatClient(backend({ model: 'sim-plain' }), undefined).complete({ messages: MESSAGES });
    assert.equal(r.reasoning, undefined);
    const parsed = parseUserOutput(r.content, r.reasoning);
    assert.ok(parsed.rationale.missing.includes('think_tags'));
    assert.equal(parsed.answer, 'Hi. I got your message about my account, what is this about?');
  });

  it('sends max_tokens or max_completion_tokens per backend, temperature and stream_options', async () => {
    await createChatClient(backend({ max_tokens: 300, temperature: 0.6, top_p: 0.9 }), undefined).complete({ messages: MESSAGES });
    await createChatClient(backend({ max_tokens: 300, max_tokens_field: 'max_completion_tokens', stream: false }), undefined).complete({ messages: MESSAGES, maxTokens: 77 });
    const [a, b] = server.requests.map((r) => r.body);
    assert.equal(a.max_tokens, 300);
    assert.equal(a.max_completion_tokens, undefined);
    assert.equal(a.temperature, 0.6);
    assert.equal(a.top_p, 0.9);
    assert.deepEqual(a.stream_options, { include_usage: true });
    assert.equal(b.max_completion_tokens, 77);
    assert.equal(b.max_tokens, undefined);
    assert.equal(b.stream, undefined);
    assert.deepEqual(a.messages, MESSAGES);
  });

  it('applies the schema defaults a backend leaves out: max_tokens, streaming, concurrency', async () => {
    const props = schemaFiles.workspace.definitions.backend.properties;
    const plain = backend();
    await createChatClient(plain, undefined).complete({ messages: MESSAGES });
    const body = server.requests[0].body;
    assert.equal(body.max_tokens, props.max_tokens.default);
    assert.equal(body.stream, props.stream.default);
    assert.equal(backendLimiter(plain).concurrency, props.concurrency.default);
  });

  it('sends the key as a Bearer token, and no Authorization header without a key', async () => {
    await createChatClient(backend(), 'sk-test-123456').complete({ messages: MESSAGES });
    await createChatClient(backend(), undefined).complete({ messages: MESSAGES });
    assert.equal(server.requests[0].headers.authorization, 'Bearer sk-test-123456');
    assert.equal(server.requests[1].headers.authorization, undefined);
  });

  it('retries on 429 honouring Retry-After', async () => {
    server.faults.push('429:1');
    const started = Date.now();
    const r = await createChatClient(backend(), undefined, { retryBaseMs: 10, retryMaxMs: 5000 }).complete({ messages: MESSAGES });
    const took = Date.now() - started;
    assert.equal(r.attempts, 2);
    assert.equal(server.requests.length, 2);
    assert.ok(took >= 950, `waited only ${took} ms`);
  });

  it('retries on 500 and 503 with backoff', async () => {
    server.faults.push('500', '503');
    const r = await createChatClient(backend(), undefined, fast).complete({ messages: MESSAGES });
    assert.equal(r.attempts, 3);
    assert.match(r.content, /<answer>/);
  });

  for (const fault of ['cut', 'cut_clean', 'broken_json']) {
    for (const stream of [true, false]) {
      if (fault === 'cut_clean' && !stream) continue;
      it(`retries after ${fault} (${stream ? 'streamed' : 'JSON'})`, async () => {
        server.faults.push(fault);
        const r = await createChatClient(backend({ stream }), undefined, fast).complete({ messages: MESSAGES });
        assert.equal(r.attempts, 2);
        assert.match(r.content, /^<think>|^<answer>|<answer>/);
        assert.match(r.reasoning ?? '', /Agent intent/);
      });
    }
  }

  it('times out a hanging request and retries', async () => {
    server.faults.push('hang');
    const started = Date.now();
    const r = await createChatClient(backend({ timeout_ms: 300 }), undefined, fast).complete({ messages: MESSAGES });
    assert.equal(r.attempts, 2);
    assert.ok(Date.now() - started >= 290);
  });

  it('gives up after max_retries with a clear error that never holds the key', async () => {
    const key = 'sk-secret-abcdef123456';
    server.faults.push('500', '500', '500', '500');
    await assert.rejects(
      createChatClient(backend({ id: 'flaky', max_retries: 2 }), key, fast).complete({ messages: MESSAGES }),
      (e: Error) => {
        assert.ok(e instanceof ChatError);
        assert.match(e.message, /^backend 'flaky' \(model sim-think at http:\/\/127\.0\.0\.1:\d+\/v1\): HTTP 500: injected fault 500; gave up after 3 attempts$/);
        assert.ok(!e.message.includes(key) && !String(e.stack).includes(key));
        return true;
      },
    );
    assert.equal(server.requests.length, 3);
  });

  it('does not retry a 401 and does not echo the key', async () => {
    await server.close();
    server = await startOpenAIServer({ requireKey: 'right-key' });
    const key = 'wrong-key-987654';
    await assert.rejects(createChatClient(backend(), key, fast).complete({ messages: MESSAGES }), (e: Error) => {
      assert.match(e.message, /HTTP 401: Incorrect API key provided\. \(check the backend.s api_key\)$/);
      assert.ok(!e.message.includes(key));
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('reports a server that is not there', async () => {
    await assert.rejects(createChatClient(backend({ base_url: 'http://127.0.0.1:9/v1', max_retries: 1 }), undefined, fast).complete({ messages: MESSAGES }), /connection refused \(ECONNREFUSED\): nothing is listening at http:\/\/127\.0\.0\.1:9\/v1; gave up after 2 attempts/);
  });

  it('aborts mid-stream without retrying', async () => {
    const client = createChatClient(backend({ model: 'sim-reasoning', stream: true }), undefined, fast);
    await client.complete({ messages: MESSAGES }); // the backend is now known to stream its reply as it comes
    server.faults.push('slow');
    const ac = new AbortController();
    const deltas: string[] = [];
    await assert.rejects(
      client.complete({
        messages: MESSAGES, signal: ac.signal, onDelta: (d) => { deltas.push(d); ac.abort(); },
      }),
      (e: Error) => e.name === 'AbortError',
    );
    assert.equal(deltas.length, 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.requests.length, 2);
  });

  it('an aborted signal stops a retry wait', async () => {
    server.faults.push('429:30');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const started = Date.now();
    await assert.rejects(createChatClient(backend(), undefined, { retryMaxMs: 60000 }).complete({ messages: MESSAGES, signal: ac.signal }), (e: Error) => e.name === 'AbortError');
    assert.ok(Date.now() - started < 2000);
  });

  it('holds a backend to its concurrency through the shared limiter', async () => {
    await server.close();
    server = await startOpenAIServer({ latencyMs: 80 });
    const b = backend({ concurrency: 2 });
    const clients = [createChatClient(b, undefined), createChatClient(b, undefined)];
    await Promise.all(Array.from({ length: 6 }, (_, i) => clients[i % 2].complete({ messages: MESSAGES })));
    assert.equal(server.stats.maxInFlight, 2);
  });

  it('spaces requests by requests_per_minute', async () => {
    const b = backend({ requests_per_minute: 600 }); // one per 100 ms
    const c = createChatClient(b, undefined);
    const started = Date.now();
    await Promise.all(Array.from({ length: 4 }, () => c.complete({ messages: MESSAGES })));
    assert.ok(Date.now() - started >= 290, `took ${Date.now() - started} ms`);
  });

  it('Limiter: queued waiters can be aborted', async () => {
    const l = new Limiter(1);
    const release = await l.acquire();
    const ac = new AbortController();
    const waiting = l.acquire(ac.signal);
    ac.abort();
    await assert.rejects(waiting, /cancelled/);
    release();
    const again = await l.acquire();
    assert.equal(l.inFlight, 1);
    again();
    assert.equal(l.inFlight, 0);
  });

  it('serves /v1/models', async () => {
    const res = await fetch(`${server.url}/models`);
    const body = (await res.json()) as { data: { id: string }[] };
    assert.ok(body.data.some((m) => m.id === 'sim-think'));
  });
});

describe('engine: nodeFetch (the SDK\'s transport)', function () {
  this.timeout(10000);
  let server: OpenAIServer;
  before(async () => { server = await startOpenAIServer(); });
  after(async () => { await server.close(); });

  it('returns status, headers and a body readable as JSON or text', async () => {
    const r = await nodeFetch(`${server.url}/models`, { headers: new Headers({ 'x-test': 'yes' }) });
    assert.equal(r.status, 200);
    assert.equal(r.ok, true);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.ok(((await r.json()) as { data: unknown[] }).data.length > 0);
    assert.equal(server.requests[server.requests.length - 1].headers['x-test'], 'yes');
    const missing = await nodeFetch(`${server.url}/nope`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.ok, false);
    assert.match(await missing.text(), /no route for POST \/v1\/nope/);
  });

  it('fails like fetch: TypeError with a cause when nobody listens, AbortError when aborted', async () => {
    await assert.rejects(nodeFetch('http://127.0.0.1:9/v1/models'), (e: Error & { cause?: { code?: string } }) => e instanceof TypeError && e.cause?.code === 'ECONNREFUSED');
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(nodeFetch(`${server.url}/models`, { signal: ac.signal }), (e: Error) => e.name === 'AbortError');
    server.faults.push('hang');
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 50);
    await assert.rejects(nodeFetch(`${server.url}/chat/completions`, { method: 'POST', body: '{}', signal: ac2.signal }), (e: Error) => e.name === 'AbortError');
  });
});
