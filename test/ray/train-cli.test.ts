// Real Ray, through `userlm train` as a user runs it (the CLI in a child process, a workspace with a
// Ray training backend that names an artifacts folder): multi-turn GRPO, separate artifacts for
// identical submissions, pull, resume, cancelling a job that waits for resources, metrics, and bad
// hyperparameters refused before anything is uploaded. Run by scripts/test-trainer.sh.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RayJobsClient } from '../../core/training';
import { makeWorkspace } from '../unit/training/fixture';

const ROOT = join(__dirname, '..', '..', '..');
const ADDRESS = process.env.RAY_ADDRESS ?? '';
const TOKEN = process.env.USERLM_TEST_RAY_TOKEN;
const PY = join(ROOT, '.venv', 'bin', 'python');

interface Run { status: number | null; stdout: string; stderr: string }

function cli(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'out', 'cli', 'main.js'), ...args], { cwd, env: { ...process.env, USERLM_TRUST: '1', USERLM_TRAINER_DIR: join(ROOT, 'trainer') } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('userlm train on a real Ray head (CPU)', function () {
  this.timeout(15 * 60_000);
  let client: RayJobsClient;
  let ws: string;
  let artifacts: string;
  let model: string;

  before(() => {
    assert.ok(ADDRESS.startsWith('http'), 'RAY_ADDRESS must be set (run scripts/test-trainer.sh)');
    client = new RayJobsClient({ address: ADDRESS, token: TOKEN });
    const work = mkdtempSync(join(tmpdir(), 'userlm-ray-cli-'));
    model = join(work, 'tiny-model');
    const made = spawnSync(PY, ['-m', 'trainer.tiny', '--out', model, '--texts', join(ROOT, 'samples')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    artifacts = join(work, 'artifacts');
    ws = makeWorkspace();
    // the fixture's workspace, pointed at this Ray head, with an artifacts folder and a backend asking for GPUs this head has not got
    writeFileSync(join(ws, 'userlm.yaml'), readFileSync(join(ws, 'userlm.yaml'), 'utf8')
      .replace('address: http://127.0.0.1:9\n', `address: ${ADDRESS}\n    artifacts: ${artifacts}\n`)
      .replace('training:\n', `training:\n  - id: big\n    type: ray\n    address: ${ADDRESS}\n    token: env:USERLM_TEST_RAY_TOKEN\n    artifacts: ${artifacts}\n    resources: { gpus: 8, cpus: 1 }\n`));
  });

  const submitted = (r: Run) => {
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return /submitted: (\S+)/.exec(r.stdout)![1];
  };
  const waitFor = async (id: string) => {
    // the test's own timeout is the hang guard (a loaded machine trains slowly)
    const job = await client.waitForJob(id, { timeoutMs: Number.MAX_SAFE_INTEGER, intervalMs: 1000 });
    return { job, logs: await client.getLogs(id) };
  };

  it('bad hyperparameters fail before anything is uploaded', async () => {
    const before = (await client.listJobs()).length;
    const r = await cli(ws, 'train', 'submit', '--backend', 'ray', '--type', 'sft', '--base-model', model, '--runs', 'run-1', '--hp', 'learning_rate=-1,dtype=fp8', '--yes');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /hyperparameters\.learning_rate: must be > 0, got -1/);
    assert.match(r.stderr, /hyperparameters\.dtype: must be one of/);
    assert.match(r.stderr, /nothing was uploaded/);
    const tooShort = await cli(ws, 'train', 'submit', '--backend', 'ray', '--type', 'sft', '--base-model', model, '--runs', 'run-1', '--hp', 'max_length=16', '--yes');
    assert.equal(tooShort.status, 2);
    assert.match(tooShort.stderr, /max_length: no sample fits in 16 tokens .*measured with the model's tokenizer/);
    assert.equal((await client.listJobs()).length, before, 'no job reached the cluster');
  });

  let sftIds: string[] = [];
  it('two identical submissions keep separate artifacts; max_length comes from the data; pull brings them back; metrics prints the steps', async () => {
    const args = ['train', 'submit', '--backend', 'ray', '--type', 'sft', '--base-model', model, '--runs', 'run-1', '--lora', '--hp', 'max_steps=2,save_steps=1,per_device_train_batch_size=2,learning_rate=0.001', '--yes'];
    const first = await cli(ws, ...args);
    assert.match(first.stdout, /max_length: \d+ \(the longest sample is \d+ tokens, measured with the model's tokenizer\)/);
    assert.match(first.stdout, new RegExp(`artifacts: ${artifacts}/userlm-sft-`));
    sftIds = [submitted(first), submitted(await cli(ws, ...args))];
    assert.notEqual(sftIds[0], sftIds[1]);
    for (const id of sftIds) {
      const { job, logs } = await waitFor(id);
      assert.equal(job.status, 'SUCCEEDED', logs.slice(-3000));
      const dir = join(artifacts, id);
      assert.ok(existsSync(join(dir, 'adapter_model.safetensors')) && existsSync(join(dir, 'checkpoint-2')), readdirSync(dir).join(', '));
      assert.equal(JSON.parse(readFileSync(join(dir, 'resolved_job.json'), 'utf8')).output_dir, dir);
      assert.deepEqual(lines(join(dir, 'metrics.jsonl')).filter((m) => m.loss !== undefined).map((m) => m.step), [1, 2]);
    }
    const status = await cli(ws, 'train', 'status', sftIds[0], '--backend', 'ray');
    assert.match(status.stdout, new RegExp(`${sftIds[0]}: SUCCEEDED[^\\n]*\\nartifacts: ${artifacts}/${sftIds[0]}\\n`));
    const out = join(mkdtempSync(join(tmpdir(), 'userlm-pull-')), 'pulled');
    const pulled = await cli(ws, 'train', 'pull', sftIds[1], '--backend', 'ray', '--out', out);
    assert.equal(pulled.status, 0, pulled.stderr);
    for (const f of ['adapter_model.safetensors', 'metrics.jsonl', 'resolved_job.json', 'summary.json']) assert.ok(existsSync(join(out, f)), `${f} not pulled`);
    assert.ok(!existsSync(join(out, 'checkpoint-1')), 'intermediate checkpoints stay on the cluster');
    assert.equal(readFileSync(join(out, 'metrics.jsonl'), 'utf8'), readFileSync(join(artifacts, sftIds[1], 'metrics.jsonl'), 'utf8'));
    const again = await cli(ws, 'train', 'pull', sftIds[1], '--backend', 'ray', '--out', out);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /is not empty: pull into a new folder/);
    const metrics = await cli(ws, 'train', 'metrics', sftIds[0], '--backend', 'ray');
    assert.match(metrics.stdout, /^loss\s+\S+\s+\S+/m);
    assert.match(metrics.stdout, /\nstep\tloss/);
  });

  it('--resume continues from the last checkpoint of an earlier job', async () => {
    const r = await cli(ws, 'train', 'submit', '--backend', 'ray', '--type', 'sft', '--base-model', model, '--runs', 'run-1', '--lora', '--resume', sftIds[0],
      '--hp', 'max_steps=4,per_device_train_batch_size=2,learning_rate=0.001', '--yes');
    assert.match(r.stdout, new RegExp(`resumes from the last checkpoint of ${sftIds[0]}`));
    const id = submitted(r);
    const { job, logs } = await waitFor(id);
    assert.equal(job.status, 'SUCCEEDED', logs.slice(-3000));
    const dir = join(artifacts, id);
    assert.equal(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).resumed_from, join(artifacts, sftIds[0], 'checkpoint-2'));
    // steps 1-2 were the earlier job's: this one trains steps 3 and 4 only
    assert.deepEqual(lines(join(dir, 'metrics.jsonl')).filter((m) => m.loss !== undefined).map((m) => m.step), [3, 4]);
    assert.match((await cli(ws, 'train', 'status', id, '--backend', 'ray')).stdout, new RegExp(`resumed from: ${artifacts}/${sftIds[0]}`));
  });

  it('a multi-turn GRPO job (whole dialogues against the adversarial agent) succeeds and logs turn and session components', async () => {
    const r = await cli(ws, 'train', 'submit', '--backend', 'ray', '--type', 'grpo', '--base-model', model, '--runs', 'run-1', '--split', '1',
      '--hp', 'rollout=dialogue,agent=adversarial,max_turns=3,max_steps=2,per_device_train_batch_size=2,num_generations=2,max_completion_length=12,learning_rate=0.0001', '--yes');
    assert.match(r.stdout, /multi-turn GRPO: 1 dialogues \(\d+ for validation\) against the adversarial agent, up to 3 user turns each/);
    const id = submitted(r);
    const { job, logs } = await waitFor(id);
    assert.equal(job.status, 'SUCCEEDED', logs.slice(-3000));
    const steps = lines(join(artifacts, id, 'metrics.jsonl')).filter((m) => m.reward !== undefined);
    assert.equal(steps.length, 2);
    for (const m of steps) {
      for (const c of ['reward/total', 'reward/turn/format', 'reward/turn/sections', 'reward/session/termination']) assert.equal(typeof m[c], 'number', `${c} missing in ${JSON.stringify(m)}`);
      assert.ok((m['dialogue/user_turns'] as number) >= 1);
    }
    assert.ok(existsSync(join(artifacts, id, 'model.safetensors')));
    const metrics = await cli(ws, 'train', 'metrics', id, '--backend', 'ray');
    assert.match(metrics.stdout, /reward\/session\/termination/);
    assert.match(metrics.stdout, /reward\/turn\/format/);
  });

  it('a job waiting for resources the cluster cannot give shows PENDING and cancels', async () => {
    const id = submitted(await cli(ws, 'train', 'submit', '--backend', 'big', '--type', 'sft', '--base-model', model, '--runs', 'run-1', '--hp', 'max_steps=1', '--yes'));
    let status = '';
    for (let i = 0; i < 120 && !/PENDING — waiting for resources/.test(status); i++) {
      status = (await cli(ws, 'train', 'status', id, '--backend', 'big')).stdout;
      if (!/PENDING/.test(status)) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.match(status, new RegExp(`${id}: PENDING — waiting for resources: .*"gpus":8`));
    const cancelled = await cli(ws, 'train', 'cancel', id, '--backend', 'big');
    assert.equal(cancelled.status, 0, cancelled.stderr);
    assert.match(cancelled.stdout, new RegExp(`${id}: STOPPED`));
    assert.equal((await client.getJob(id)).status, 'STOPPED');
  });
});
