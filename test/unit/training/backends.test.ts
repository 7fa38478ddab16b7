import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { OpenAIFineTuning, RayJobsClient, RayError, compileGrader, readGraderLibrary, reinforcementRows, assertNoSecrets } from '../../../core/training';
import { buildDataset, readTranscripts, workspaceSource, toJsonl, type RlSample } from '../../../core/datasets';
import { loadWorkspace } from '../../../core/model/load';
import { OpenAIFineTuneServer } from '../../support/openai-finetune-server';
import { makeWorkspace, REWARDS_YAML } from './fixture';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..', '..', '..');
const CLI = join(ROOT, 'out', 'cli', 'main.js');

/** Runs the CLI asynchronously (the servers it talks to live in this process). */
function cli(cwd: string, env: Record<string, string>, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, USERLM_TRUST: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Entries of a zip written by buildZip (stored or deflated). */
function unzip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (buf.readUInt32LE(pos) === 0x04034b50) {
    const method = buf.readUInt16LE(pos + 8);
    const size = buf.readUInt32LE(pos + 18);
    const nameLen = buf.readUInt16LE(pos + 26);
    const extra = buf.readUInt16LE(pos + 28);
    const name = buf.slice(pos + 30, pos + 30 + nameLen).toString();
    const data = buf.slice(pos + 30 + nameLen + extra, pos + 30 + nameLen + extra + size);
    out.set(name, method === 8 ? inflateRawSync(data) : data);
    pos += 30 + nameLen + extra + size;
  }
  return out;
}

async function rlSamples(): Promise<RlSample[]> {
  const root = makeWorkspace();
  const ws = await loadWorkspace(root);
  return buildDataset(readTranscripts(join(root, '.userlm/runs/run-1')), workspaceSource(ws), { format: 'rl', split: 1 }).train as RlSample[];
}

describe('training: OpenAI fine-tuning client against the local server', () => {
  let server: OpenAIFineTuneServer;
  beforeEach(async () => { server = new OpenAIFineTuneServer('sk-test-openai-ft'); await server.start(); });
  afterEach(() => server.stop());

  it('uploads a file (multipart), creates a supervised job, follows status and events, lists, cancels', async () => {
    const ft = new OpenAIFineTuning({ apiKey: 'sk-test-openai-ft', baseURL: server.url, maxRetries: 0 });
    const rows = [{ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }, { role: 'assistant', content: '<think>t</think><answer>a</answer>' }] }];
    const fileId = await ft.uploadFile('train.jsonl', toJsonl(rows));
    assert.equal(server.files.get(fileId)!.content, toJsonl(rows));
    assert.equal(server.files.get(fileId)!.purpose, 'fine-tune');
    const job = await ft.createSupervised({ model: 'gpt-4.1-mini', trainingFile: fileId, suffix: 'userlm', metadata: { userlm: 'train' }, hyperparameters: { n_epochs: 2 } });
    const body = JSON.parse(server.requests.find((r) => r.path === '/v1/fine_tuning/jobs' && r.method === 'POST')!.body.toString());
    assert.deepEqual(body, { model: 'gpt-4.1-mini', training_file: fileId, suffix: 'userlm', metadata: { userlm: 'train' }, method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 2 } } } });
    assert.equal(job.status, 'validating_files');
    assert.equal((await ft.retrieve(job.id)).status, 'queued');
    assert.equal((await ft.retrieve(job.id)).status, 'running');
    const events = await ft.events(job.id);
    assert.deepEqual(events.map((e) => e.message), [`Created fine-tuning job: ${job.id}`, 'Job queued', 'Job running']);
    assert.deepEqual((await ft.list()).map((j) => j.id), [job.id]);
    assert.equal((await ft.cancel(job.id)).status, 'cancelled');
    await assert.rejects(ft.cancel(job.id), /already cancelled/);
    await assert.rejects(ft.retrieve('ftjob-nope'), /No such fine-tuning job/);
    await assert.rejects(new OpenAIFineTuning({ apiKey: 'wrong', baseURL: server.url, maxRetries: 0 }).list(), /Incorrect API key/);
  });

  it('creates a reinforcement job with the compiled multi grader; the server accepts its rows and grader', async () => {
    const ft = new OpenAIFineTuning({ apiKey: 'sk-test-openai-ft', baseURL: server.url, maxRetries: 0 });
    const rows = reinforcementRows(await rlSamples());
    assert.ok(String(rows[0].judge_context).includes('SCENARIO: Phone upgrade call (adversarial)'));
    const fileId = await ft.uploadFile('rl.jsonl', toJsonl(rows));
    const { grader } = compileGrader(parse(REWARDS_YAML), { graderLibrary: readGraderLibrary(join(ROOT, 'trainer')), graderModel: 'gpt-4.1-mini' });
    const job = await ft.createReinforcement({ model: 'o4-mini', trainingFile: fileId, grader });
    const sent = JSON.parse(server.requests.at(-1)!.body.toString());
    assert.equal(sent.method.type, 'reinforcement');
    assert.deepEqual(Object.keys(sent.method.reinforcement.grader.graders), ['format', 'sections', 'persona_consistency', 'robotic_tone', 'termination']);
    assert.equal(job.method?.type, 'reinforcement');
    // a broken formula is refused by the server, as the API would
    await assert.rejects(ft.createReinforcement({ model: 'o4-mini', trainingFile: fileId, grader: { ...grader, calculate_output: 'format + nope' } }), /refers to 'nope'/);
  });
});

describe('training: Ray client errors', () => {
  it('unreachable, 401 and 404 give clear messages', async () => {
    const unreachable = new RayJobsClient({ address: 'http://127.0.0.1:9', timeoutMs: 3000 });
    await assert.rejects(unreachable.version(), (e: RayError) => /cannot reach the Ray dashboard at http:\/\/127\.0\.0\.1:9/.test(e.message));
    const srv: Server = createServer((req, res) => {
      if (req.headers.authorization !== 'Bearer good') { res.writeHead(401); res.end('Unauthorized: Missing authentication token'); return; }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"detail": "Job not found"}');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const address = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      await assert.rejects(new RayJobsClient({ address }).getJob('x'), /refused the request \(401\): it needs a token/);
      await assert.rejects(new RayJobsClient({ address, token: 'bad' }).getJob('x'), /401\): the token was not accepted/);
      await assert.rejects(new RayJobsClient({ address, token: 'good' }).getJob('x'), (e: RayError) => e.status === 404 && /job 'x' not found/.test(e.message));
    } finally {
      srv.close();
    }
  });
});

describe('training: Ray head still starting', () => {
  it('a submission refused for want of a job agent is sent again until an agent takes it; one that never gets one says so', async () => {
    let refusals = 2;
    const ids: string[] = [];
    const srv: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      ids.push(JSON.parse(Buffer.concat(chunks).toString()).submission_id);
      if (refusals-- > 0) {  // what a Ray head answers before its dashboard agent has registered
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('No available agent to submit job, please try again later.');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ job_id: 'raysubmit_1', submission_id: ids[ids.length - 1] }));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const address = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      assert.equal(await new RayJobsClient({ address }).submitJob({ entrypoint: 'true', submission_id: 'userlm-sft-1' }), 'userlm-sft-1');
      assert.deepEqual(ids, ['userlm-sft-1', 'userlm-sft-1', 'userlm-sft-1'], 'the same submission, three times');
      refusals = Infinity;
      await assert.rejects(new RayJobsClient({ address, agentWaitMs: 0 }).submitJob({ entrypoint: 'true', submission_id: 'userlm-sft-2' }),
        (e: RayError) => e.status === 500 && /has no job agent ready after 0 s \(is the head still starting\?\): .*No available agent/.test(e.message));
    } finally {
      srv.close();
    }
  });
});

describe('training: userlm train submit (secrets never leave the machine)', () => {
  const SECRETS = { USERLM_TEST_RAY_TOKEN: 'ray-token-SECRET-1234', USERLM_TEST_OPENAI_KEY: 'sk-test-openai-ft', USERLM_TEST_JUDGE_KEY: 'sk-judge-SECRET-5678' };

  it('ray: summary, no upload without confirmation, then package + job without any secret', async () => {
    const root = makeWorkspace();
    const seen: { method: string; url: string; auth?: string; body: Buffer }[] = [];
    const srv = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body: Buffer.concat(chunks) });
      if (req.method === 'GET' && req.url!.startsWith('/api/packages/')) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(req.method === 'POST' ? JSON.stringify({ job_id: 'raysubmit_1', submission_id: JSON.parse(Buffer.concat(chunks).toString()).submission_id }) : '{}');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    const { writeFileSync } = await import('node:fs');
    const yaml = readFileSync(join(root, 'userlm.yaml'), 'utf8').replace('address: http://127.0.0.1:9\n', `address: http://127.0.0.1:${port}\n`);
    writeFileSync(join(root, 'userlm.yaml'), yaml);
    try {
      const args = ['train', 'submit', '--backend', 'ray', '--type', 'grpo', '--base-model', 'Qwen/Qwen3-0.6B', '--judge', 'judge', '--hp', 'num_generations=2,max_steps=3', '--runs', 'run-1'];
      const unconfirmed = await cli(root, SECRETS, ...args);
      assert.equal(unconfirmed.status, 1);
      assert.match(unconfirmed.stdout, /training job userlm-grpo-\d{14}-[0-9a-f]{6}: grpo on Qwen\/Qwen3-0\.6B via ray backend 'ray'/);
      assert.match(unconfirmed.stdout, /prompts: up to \d+ tokens \(estimated/);
      assert.match(unconfirmed.stdout, /warning: artifacts stay in Ray's temporary working folder/);
      assert.match(unconfirmed.stdout, /samples: \d+[\s\S]*estimated training tokens: \d+[\s\S]*estimated cost:/);
      assert.match(unconfirmed.stderr, /nothing was uploaded \(pass --yes/);
      assert.equal(seen.length, 0);

      const ok = await cli(root, SECRETS, ...args, '--yes');
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /submitted: userlm-grpo-\d{14}-[0-9a-f]{6}/);
      assert.equal(/submitted: (\S+)/.exec(ok.stdout)![1], /training job (\S+):/.exec(ok.stdout)![1], 'the id shown before the confirmation is the job id');
      const put = seen.find((r) => r.method === 'PUT')!;
      assert.match(put.url, /^\/api\/packages\/gcs\/_ray_pkg_[0-9a-f]{40}\.zip$/);
      assert.ok(seen.every((r) => r.auth === `Bearer ${SECRETS.USERLM_TEST_RAY_TOKEN}`));
      const files = unzip(put.body);
      assert.ok(files.has('trainer/__main__.py') && files.has('data/train.jsonl') && files.has('job.json'));
      const job = JSON.parse(files.get('job.json')!.toString());
      assert.equal(job.type, 'grpo');
      assert.deepEqual(job.hyperparameters, { num_generations: 2, max_steps: 3 });
      assert.deepEqual(job.judge, { base_url: 'http://127.0.0.1:9/v1', model: 'judge-model', api_key_env: 'USERLM_TEST_JUDGE_KEY' });
      const post = JSON.parse(seen.find((r) => r.method === 'POST')!.body.toString());
      assert.equal(post.entrypoint, 'python -m trainer --job job.json --ray');
      assert.match(post.runtime_env.working_dir, /^gcs:\/\/_ray_pkg_/);
      // the trainer asks Ray for the backend's resources itself (so a job waiting for them can be stopped)
      assert.equal(post.entrypoint_num_cpus, undefined);
      assert.deepEqual(job.resources, { cpus: 1 });
      assert.ok(files.has('schemas/hyperparameters.schema.json'), 'the trainer checks the hyperparameters against the same schema');
      assert.equal(post.metadata.type, 'grpo');
      for (const secret of Object.values(SECRETS)) {
        assert.ok(!put.body.includes(secret) && ![...files.values()].some((f) => f.includes(secret)), `secret in the package: ${secret}`);
        assert.ok(!JSON.stringify(post).includes(secret), `secret in the job request: ${secret}`);
        assert.ok(!ok.stdout.includes(secret) && !ok.stderr.includes(secret), 'secret printed');
      }
    } finally {
      srv.close();
    }
  });

  it('openai: uploads the sft dataset and creates the job; no key in files or job body', async () => {
    const root = makeWorkspace();
    const server = new OpenAIFineTuneServer(SECRETS.USERLM_TEST_OPENAI_KEY);
    await server.start();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(root, 'userlm.yaml'), readFileSync(join(root, 'userlm.yaml'), 'utf8').replace('address: http://127.0.0.1:9/v1\n    token: env:USERLM_TEST_OPENAI_KEY', `address: ${server.url}\n    token: env:USERLM_TEST_OPENAI_KEY`));
    try {
      const r = await cli(root, SECRETS, 'train', 'submit', '--backend', 'oai', '--type', 'sft', '--base-model', 'gpt-4.1-mini', '--runs', 'run-1', '--yes', '--price-per-mtok', '3');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /estimated cost: about \$0\.\d\d/);
      const id = /submitted: (\S+)/.exec(r.stdout)![1];
      assert.equal(server.jobs.get(id)!.model, 'gpt-4.1-mini');
      for (const f of server.files.values()) for (const s of Object.values(SECRETS)) assert.ok(!f.content.includes(s));
      const status = await cli(root, SECRETS, 'train', 'status', id, '--backend', 'oai');
      assert.match(status.stdout, new RegExp(`${id}: queued`));
      const logs = await cli(root, SECRETS, 'train', 'logs', id, '--backend', 'oai');
      assert.match(logs.stdout, /Created fine-tuning job/);
      const cancel = await cli(root, SECRETS, 'train', 'cancel', id, '--backend', 'oai');
      assert.match(cancel.stdout, /cancelled/);
      const list = await cli(root, SECRETS, 'train', 'list', '--backend', 'oai');
      assert.match(list.stdout, new RegExp(`${id}\\tcancelled\\tsupervised`));
    } finally {
      await server.stop();
    }
  });

  it('assertNoSecrets refuses a package holding a secret', () => {
    assert.throws(() => assertNoSecrets([{ path: 'data/train.jsonl', data: Buffer.from('my key is sk-abc-123456') }], ['sk-abc-123456']), /data\/train\.jsonl contains a secret/);
  });
});
