// `userlm backend test` and the failure causes `eval` and `report` print, end to end through the
// bundled CLI against local servers (a live one, and a port nothing listens on).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startOpenAIServer, type OpenAIServer } from '../../support/openai-server';
import { startReasoningProxy, type ReasoningProxy } from '../../support/openai-server-proxy';
import { CLI, sampleWorkspace, type TempWorkspace } from '../runs/fixtures';

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', USERLM_TEST_KEY: 'sk-cli-key-11223344' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('cli: backend test, and failure causes in eval and report', function () {
  this.timeout(60000);
  let server: OpenAIServer;
  let proxy: ReasoningProxy;
  let ws: TempWorkspace;
  let deadUrl: string;
  before(async () => {
    server = await startOpenAIServer({ contextSize: 8192 });
    proxy = await startReasoningProxy(server.url);
    const gone = await startOpenAIServer();
    deadUrl = gone.url;
    await gone.close();
    ws = sampleWorkspace();
    ws.write('userlm.yaml', `kind: workspace
backends:
  - { id: vllm-like, type: openai-compatible, base_url: ${server.url}, model: sim-reasoning }
  - { id: behind-litellm, type: openai-compatible, base_url: ${proxy.url}, model: sim-reasoning, reasoning: reasoning, stream: false }
  - { id: implicit, type: openai-compatible, base_url: ${server.url}, model: sim-implicit }
  - { id: down, type: openai-compatible, base_url: ${deadUrl}, model: m, max_retries: 0 }
`);
    ws.write('suites/down.suite.yaml', 'kind: suite\nid: down\nscenarios: [telecom-upgrade]\nprofiles: own\nsamples: 2\nseed: 1\nsimulator: down\n');
  });
  after(async () => {
    await proxy.close();
    await server.close();
    ws.dispose();
  });

  it('backend test reports dialect, streaming, latency and the context size the server tells', async () => {
    const r = await cli(['backend', 'test', 'vllm-like'], ws.root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /reasoning +reasoning: the 'reasoning' field/);
    assert.match(r.stdout, /streaming +yes \(SSE\)/);
    assert.match(r.stdout, /latency +\d+ ms/);
    assert.match(r.stdout, /context +8192 tokens \(\/models max_model_len\)/);
    const j = JSON.parse((await cli(['backend', 'test', 'implicit', '--json'], ws.root)).stdout);
    assert.equal(j.dialect, 'implicit_think');
    assert.equal(j.streamed, true);
    assert.ok(!j.reply.includes('Private plan'), j.reply);
  });

  it('backend test behind a renaming proxy: reads reasoning_content and warns about the explicit setting', async () => {
    const r = await cli(['backend', 'test', 'behind-litellm'], ws.root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /reasoning +reasoning_content: the 'reasoning_content' field/);
    assert.match(r.stdout, /streaming +no/);
    assert.match(r.stderr, /warning: .*'reasoning: reasoning', but the server sent its reasoning as the 'reasoning_content' field/);
  });

  it('backend test on a dead port fails with exit 1 and ECONNREFUSED', async () => {
    const r = await cli(['backend', 'test', 'down'], ws.root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /failed: backend 'down' .*connection refused \(ECONNREFUSED\)/);
  });

  it('eval and report print each failed dialogue\'s cause in one line', async () => {
    const r = await cli(['eval', 'suites/down.suite.yaml'], ws.root);
    assert.equal(r.code, 1, r.stderr);
    const causes = r.stdout.split('\n').filter((l) => l.includes('cause '));
    assert.equal(causes.length, 2, r.stdout);
    for (const l of causes) assert.match(l, /cause telecom-upgrade:.*: simulator 'down': backend 'down' .*connection refused \(ECONNREFUSED\): nothing is listening at/);
    const dir = /run directory: (.+)/.exec(r.stdout)![1].trim();
    const rep = await cli(['report', dir.startsWith('/') ? dir : join(ws.root, dir)], ws.root);
    assert.equal(rep.code, 0, rep.stderr);
    assert.equal(rep.stdout.split('\n').filter((l) => /cause .*ECONNREFUSED/.test(l)).length, 2);
  });
});
