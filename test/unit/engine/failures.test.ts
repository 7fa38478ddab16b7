// Failed dialogues explained in one line, against real failing servers on 127.0.0.1: HTTP 401
// and 429, a cut stream, a refused port, a timeout, multi-line server error pages, a missing key.
// The cause is stored in the transcript's `error` and read back by `failureCause`.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Backend, Transcript, Workspace } from '../../../core/generated/schema-types';
import { failureCause, failureLines, foldLine } from '../../../core/backends/chat/errors';
import { runDialogue } from '../../../core/dialogue/index';
import { createSimulator } from '../../../core/simulate/index';
import { createAgent } from '../../../core/agents/index';
import { startOpenAIServer, type OpenAIServer } from '../../support/openai-server';
import { PROFILE, toyScenario } from './helpers';

/** A server that answers every request with one status and body. */
async function rawServer(status: number, body: string, type: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(status, { 'content-type': type }); res.end(body); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

describe('engine: failed dialogues explained in one line', function () {
  this.timeout(20000);
  let server: OpenAIServer;
  beforeEach(async () => { server = await startOpenAIServer({ requireKey: 'sk-right-key-1234' }); });
  afterEach(async () => { await server.close(); });

  /** One dialogue in which the user speaks first (no opening) with the simulator on `over`. */
  async function fail(over: Partial<Backend>, key = 'sk-right-key-1234'): Promise<Transcript> {
    const b: Backend = { id: 'sim', type: 'openai-compatible', base_url: server.url, model: 'sim-think', api_key: 'env:K', max_retries: 0, ...over };
    const config: Workspace = { kind: 'workspace', backends: [b] };
    const env = { config, secret: () => key };
    const scenario = toyScenario();
    delete scenario.agent!.opening;
    const t = await runDialogue({ scenario, profile: PROFILE, config, seed: 1, simulator: createSimulator('sim', env), agent: createAgent('scripted', env) });
    assert.equal(t.end.reason, 'error');
    assert.equal(t.end.at_turn, 0, 'the user speaks first and fails at turn 0');
    assert.equal(t.turns.length, 0);
    const cause = failureCause(t)!;
    assert.ok(cause && !cause.includes('\n'), cause);
    assert.equal(cause, t.error, 'the cause is the transcript error, already one line');
    assert.ok(!cause.includes(key) || key === 'sk-right-key-1234' && !cause.includes('sk-right'), 'no key in the cause');
    return t;
  }

  it('HTTP 401: status, the server message and a hint', async () => {
    const t = await fail({}, 'sk-wrong-key-5678');
    assert.match(failureCause(t)!, /^simulator 'sim': backend 'sim' \(model sim-think at http:\/\/127\.0\.0\.1:\d+\/v1\): HTTP 401: Incorrect API key provided\. \(check the backend's api_key\)$/);
  });

  it('HTTP 429: rate limited, after the retries', async () => {
    server.faults.push('429', '429');
    const t = await fail({ max_retries: 1 });
    assert.match(failureCause(t)!, /rate limited \(HTTP 429\): injected fault 429; gave up after 2 attempts$/);
  });

  it('a cut stream says so (not "connection failed")', async () => {
    server.faults.push('cut');
    const t = await fail({ stream: true });
    assert.match(failureCause(t)!, /: the stream was cut before the response was complete/);
  });

  it('a cut JSON body says so', async () => {
    server.faults.push('cut');
    const t = await fail({ stream: false });
    assert.match(failureCause(t)!, /: the response was cut off before it was complete/);
  });

  it('a refused connection names ECONNREFUSED and the URL', async () => {
    const gone = await startOpenAIServer();
    const url = gone.url;
    await gone.close();
    const t = await fail({ base_url: url });
    assert.match(failureCause(t)!, new RegExp(`connection refused \\(ECONNREFUSED\\): nothing is listening at ${url.replace(/[./]/g, '\\$&')}; gave up after 1 attempt$`));
  });

  it('a timeout names the limit', async () => {
    server.faults.push('hang');
    const t = await fail({ timeout_ms: 200 });
    assert.match(failureCause(t)!, /timed out after 200 ms \(timeout_ms\) without a complete response; gave up after 1 attempt$/);
  });

  it('a multi-line HTML error page is folded to its title', async () => {
    const html = await rawServer(502, '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n', 'text/html');
    try {
      const t = await fail({ base_url: html.url });
      assert.match(failureCause(t)!, /: HTTP 502: 502 Bad Gateway; gave up after 1 attempt$/);
    } finally { await html.close(); }
  });

  it("vLLM's top-level error message (several lines) is read and folded", async () => {
    const vllm = await rawServer(400, JSON.stringify({ object: 'error', message: "This model's maximum context length is 4096 tokens.\nHowever, you requested 9000 tokens.\n\nPlease reduce the length.", type: 'BadRequestError', code: 400 }), 'application/json');
    try {
      const t = await fail({ base_url: vllm.url });
      assert.match(failureCause(t)!, /: HTTP 400: This model's maximum context length is 4096 tokens\. However, you requested 9000 tokens\. Please reduce the length\.$/);
    } finally { await vllm.close(); }
  });

  it('a missing key is named before anything runs', () => {
    const config: Workspace = { kind: 'workspace', backends: [{ id: 'sim', type: 'openai-compatible', base_url: server.url, model: 'm', api_key: 'env:NOT_SET_ANYWHERE' }] };
    assert.throws(() => createSimulator('sim', { config, secret: () => undefined }), /^Error: backend 'sim': the API key 'env:NOT_SET_ANYWHERE' is not set$/);
  });

  it('failureCause is null for a dialogue that did not fail; failureLines lists the failed ones', () => {
    const ok = { dialogue_id: 'a', end: { reason: 'stop' as const, at_turn: 3 } } as Transcript;
    const bad = { dialogue_id: 'b', end: { reason: 'error' as const, at_turn: 0 }, error: 'agent x: HTTP 500:\n  boom\n' } as Transcript;
    assert.equal(failureCause(ok), null);
    assert.equal(failureCause(bad), 'agent x: HTTP 500: boom');
    assert.deepEqual(failureLines([ok, bad]), ['b: agent x: HTTP 500: boom']);
    assert.equal(foldLine('x'.repeat(600)).length, 500);
  });
});
