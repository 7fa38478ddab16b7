// Real Ray: submits tiny SFT and GRPO jobs on CPU through the project's own client, stops a running
// job, and reports a failing one with its log tail. Run by scripts/test-trainer.sh, which starts a
// Ray head (token auth) and sets RAY_ADDRESS, USERLM_TEST_RAY_TOKEN and USERLM_TEST_JUDGE_KEY.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RayJobsClient, buildJobJson, buildZip, packageEntries, followJob, parseProgress, TRAINER_ENTRYPOINT, type RayJob, type TrainJobOptions } from '../../core/training';
import { buildDataset, readTranscripts, toJsonl, workspaceSource } from '../../core/datasets';
import { loadWorkspace } from '../../core/model/load';
import { makeWorkspace, REWARDS_YAML } from '../unit/training/fixture';

const ROOT = join(__dirname, '..', '..', '..');
const ADDRESS = process.env.RAY_ADDRESS ?? '';
const TOKEN = process.env.USERLM_TEST_RAY_TOKEN;
const JUDGE_KEY = process.env.USERLM_TEST_JUDGE_KEY ?? '';
const PY = join(ROOT, '.venv', 'bin', 'python');

interface Progress { step?: number; loss?: number; reward?: number; event?: string; [k: string]: unknown }

function progressLines(logs: string): Progress[] {
  return logs.split('\n').filter((l) => l.includes('"userlm_progress"')).map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Progress);
}

describe('Ray jobs (real Ray head, CPU)', function () {
  this.timeout(10 * 60_000);
  let client: RayJobsClient;
  let work: string;
  let model: string;
  let sft: { train: string; validation: string };
  let rl: string;
  let judge: Server;
  let judgeUrl: string;
  const judgeAuth: string[] = [];

  before(async () => {
    assert.ok(ADDRESS.startsWith('http'), 'RAY_ADDRESS must be set (run scripts/test-trainer.sh)');
    client = new RayJobsClient({ address: ADDRESS, token: TOKEN });
    work = mkdtempSync(join(tmpdir(), 'userlm-ray-test-'));
    model = join(work, 'tiny-model');
    const made = spawnSync(PY, ['-m', 'trainer.tiny', '--out', model, '--texts', join(ROOT, 'samples')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const root = makeWorkspace();
    const ws = await loadWorkspace(root);
    const ts = readTranscripts(join(root, '.userlm/runs/run-1'));
    const s = buildDataset(ts, workspaceSource(ws), { format: 'sft', split: 0.5, seed: 1 });
    sft = { train: toJsonl(s.train), validation: toJsonl(s.validation) };
    rl = toJsonl(buildDataset(ts, workspaceSource(ws), { format: 'rl', split: 1 }).train);
    judge = createServer((req, res) => {
      judgeAuth.push(String(req.headers.authorization));
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: '{"score": 8, "reason": "fine"}' }, finish_reason: 'stop' }] }));
      });
    });
    await new Promise<void>((r) => judge.listen(0, '127.0.0.1', r));
    judgeUrl = `http://127.0.0.1:${(judge.address() as AddressInfo).port}/v1`;
  });

  after(() => judge?.close());

  async function submit(opts: TrainJobOptions, train: string, validation?: string): Promise<string> {
    const job = buildJobJson(opts, validation !== undefined);
    const workingDir = await client.uploadPackage(buildZip(packageEntries({ trainerDir: join(ROOT, 'trainer'), job, train, validation })));
    return client.submitJob({ entrypoint: TRAINER_ENTRYPOINT, runtime_env: { working_dir: workingDir }, metadata: { userlm: 'test', type: opts.type } });
  }

  async function finished(id: string): Promise<{ job: RayJob; logs: string }> {
    // the test's own timeout is the hang guard: a loaded machine may take minutes to import torch and train
    const job = await client.waitForJob(id, { timeoutMs: Number.MAX_SAFE_INTEGER, intervalMs: 1000 });
    return { job, logs: await client.getLogs(id) };
  }

  it('the dashboard needs the token', async () => {
    assert.match((await client.version()).ray_version, /^\d+\.\d+/);
    await assert.rejects(new RayJobsClient({ address: ADDRESS }).listJobs(), /refused the request \(401\)/);
  });

  it('a tiny SFT job with LoRA succeeds: progress lines with loss, adapter and resolved job written', async () => {
    const out = join(work, 'sft-out');
    const id = await submit({ type: 'sft', baseModel: model, outputDir: out, hyperparameters: { max_steps: 3, per_device_train_batch_size: 2, learning_rate: 0.001, max_length: 4096, lora: { r: 4, alpha: 8 } } }, sft.train, sft.validation);
    let streamed = '';
    const info = await followJob({ id: 'ray', type: 'ray', address: ADDRESS }, TOKEN, id, (t) => { streamed += t; }, { intervalMs: 500 });
    assert.ok(info.succeeded, streamed.slice(-3000));
    assert.equal(info.status, 'SUCCEEDED');
    const steps = parseProgress(streamed).filter((p) => p.loss !== undefined);
    assert.deepEqual(steps.map((p) => p.step), [1, 2, 3]);
    assert.ok(steps.every((p) => typeof p.learning_rate === 'number' && (p.loss as number) > 0));
    assert.ok(existsSync(join(out, 'adapter_model.safetensors')));
    assert.ok(existsSync(join(out, 'metrics.jsonl')));
    assert.equal(JSON.parse(readFileSync(join(out, 'resolved_job.json'), 'utf8')).type, 'sft');
    assert.ok((await client.listJobs()).some((j) => j.submission_id === id && j.metadata?.type === 'sft'));
  });

  it('a tiny GRPO job succeeds with a metrics line per step holding every reward component; the judge got the key from the cluster', async () => {
    const out = join(work, 'grpo-out');
    // No gates: the tiny model's random text fails `format`, and a failed gate zeroes every component
    // (judges included); this test is about each component reaching the metrics.
    const spec = { ...parse(REWARDS_YAML), aggregate: { ...(parse(REWARDS_YAML).aggregate ?? {}), gates: [] } };
    const id = await submit({
      type: 'grpo', baseModel: model, outputDir: out, rewardSpec: spec,
      judge: { base_url: judgeUrl, model: 'judge-model', api_key_env: 'USERLM_TEST_JUDGE_KEY' },
      hyperparameters: { max_steps: 2, per_device_train_batch_size: 2, num_generations: 2, max_completion_length: 12, learning_rate: 0.0001 },
    }, rl);
    const { job, logs } = await finished(id);
    assert.equal(job.status, 'SUCCEEDED', logs.slice(-3000));
    const components = ['format', 'sections', 'persona_consistency', 'robotic_tone', 'termination']; // goal_progress: a session judge, skipped
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Progress).filter((m) => m.reward !== undefined);
    assert.equal(metrics.length, 2);
    for (const m of metrics) for (const c of components) assert.equal(typeof m[`reward/${c}`], 'number', `reward/${c} missing in ${JSON.stringify(m)}`);
    assert.ok(Math.abs((metrics[0]['reward/persona_consistency'] as number) - 7 / 9) < 1e-6);
    assert.deepEqual(progressLines(logs).filter((p) => p.reward !== undefined).map((p) => p.step), [1, 2]);
    assert.ok(existsSync(join(out, 'model.safetensors')));
    assert.ok(judgeAuth.length > 0 && judgeAuth.every((a) => a === `Bearer ${JUDGE_KEY}`));
    assert.ok(!logs.includes(JUDGE_KEY), 'the judge key must not be in the logs');
    assert.ok(!JSON.stringify(await client.getJob(id)).includes(JUDGE_KEY), 'nor in the job info');
  });

  it('stopping a running job ends STOPPED', async () => {
    const id = await submit({ type: 'sft', baseModel: model, outputDir: join(work, 'stop-out'), hyperparameters: { max_steps: 100000, per_device_train_batch_size: 1, max_length: 4096 } }, sft.train);
    // waits for the trainer's `started` line (the test's timeout is the hang guard: under load, starting takes minutes)
    for (;;) {
      const j = await client.getJob(id);
      assert.ok(j.status === 'PENDING' || j.status === 'RUNNING', `unexpected ${j.status}: ${await client.getLogs(id)}`);
      if (j.status === 'RUNNING' && progressLines(await client.getLogs(id)).some((p) => p.event === 'started')) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(await client.stopJob(id), true);
    const { job } = await finished(id);
    assert.equal(job.status, 'STOPPED');
  });

  it('a job with a bad base model path FAILS, and `userlm train status` shows the log tail with the reason', async () => {
    const id = await submit({ type: 'sft', baseModel: './no-such-model' }, sft.train);
    const { job, logs } = await finished(id);
    assert.equal(job.status, 'FAILED');
    assert.match(logs, /base_model: no such model folder/);
    const ws = mkdtempSync(join(tmpdir(), 'userlm-ray-cli-'));
    writeFileSync(join(ws, 'userlm.yaml'), `kind: workspace\ntraining:\n  - id: ray\n    type: ray\n    address: ${ADDRESS}\n    token: env:USERLM_TEST_RAY_TOKEN\n`);
    const r = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const p = spawn(process.execPath, [join(ROOT, 'out', 'cli', 'main.js'), 'train', 'status', id], { cwd: ws, env: { ...process.env, USERLM_TRUST: '1' } });
      let stdout = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.on('close', (status) => resolve({ status, stdout }));
    });
    assert.equal(r.status, 1);
    assert.match(r.stdout, new RegExp(`${id}: FAILED`));
    assert.match(r.stdout, /last lines of the log:[\s\S]*base_model: no such model folder/);
  });
});
