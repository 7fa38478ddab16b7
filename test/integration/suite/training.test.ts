// Training from the editor against a real Ray head (token auth) started by this file: submit through
// the command (every question answered by arguments), the job in the Jobs view, its log in an
// output channel, the metrics panel charting the trainer's progress lines, and cancel. In Restricted
// Mode: submitting is refused with an explanation and nothing is listed.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { EXTENSION_ID, api, screenshot, waitFor, wsRoot, wsUri, repoRoot } from './helpers';

/** `userlm.training.probe` (client/training/index.ts `TrainingProbe`). */
interface Probe {
  jobs: Record<string, { id: string; status: string; icon: string; contextValue: string }[]>;
  errors: Record<string, string>;
  notConfigured: Record<string, string>;
  logs: Record<string, string>;
  metrics?: { jobId: string; status: string; series: Record<string, number>; charts: number; text: string };
  refusal?: string;
  error?: string;
}
const probe = (job?: { backend: string; id: string }) => vscode.commands.executeCommand<Probe>('userlm.training.probe', job);

const BACKEND = 'ray-it';
/** Starts like every secret the suite stores: run.mjs fails the run if it reaches any file. */
const TOKEN = `sk-userlm-test-SECRET-ray-${randomBytes(8).toString('hex')}`;

function freePorts(n: number): Promise<number[]> {
  return Promise.all(Array.from({ length: n }, () => new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as { port: number }; srv.close(() => resolve(port)); });
  })));
}

/** Runs a command without blocking the extension host; resolves with its exit code and stderr. */
function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr!.on('data', (d) => { stderr += d; });
    p.on('error', (e) => resolve({ code: null, stderr: String(e) }));
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Adds the Ray backend to the fixture's userlm.yaml; returns a function that restores the file. */
async function addTrainingBackend(address: string): Promise<() => Promise<void>> {
  const cfg = wsUri('userlm.yaml');
  const original = readFileSync(cfg.fsPath, 'utf8');
  await vscode.workspace.fs.writeFile(cfg, Buffer.from(`${original.trimEnd()}\ntraining:\n  - id: ${BACKEND}\n    type: ray\n    address: ${address}\n    token: ${BACKEND}\n    resources: { cpus: 1 }\n`));
  return async () => { await vscode.workspace.fs.writeFile(cfg, Buffer.from(original)); };
}

if (vscode.workspace.isTrusted) {
  describe('training jobs (real Ray head)', function () {
    this.timeout(5 * 60_000);
    let ray: ChildProcess | undefined;
    let rayLog = '';
    let tmp = '';
    let model = '';
    let restore: (() => Promise<void>) | undefined;
    let runId = '';
    let sftJob = '';

    before(async function () {
      this.timeout(4 * 60_000);
      const root = repoRoot(); // .venv and the samples: the repository (the extension may run from the unpacked .vsix)
      const venv = join(root, '.venv');
      assert.ok(existsSync(join(venv, 'bin', 'ray')), `${venv}/bin/ray is missing: run scripts/setup-python.sh first`);
      tmp = mkdtempSync(join(tmpdir(), 'userlm-it-ray-'));
      const [gcs, dash, client, agent] = await freePorts(4);
      const env = { ...process.env, RAY_AUTH_MODE: 'token', RAY_AUTH_TOKEN: TOKEN, RAY_USAGE_STATS_ENABLED: '0', PATH: `${join(venv, 'bin')}:${process.env.PATH}` };
      // --block: the head lives as long as this process group; after() ends it by its id
      ray = spawn(join(venv, 'bin', 'ray'), ['start', '--head', '--block', '--node-ip-address', '127.0.0.1', '--port', String(gcs),
        '--dashboard-host', '127.0.0.1', '--dashboard-port', String(dash), '--include-dashboard', 'true',
        '--ray-client-server-port', String(client), '--dashboard-agent-listen-port', String(agent),
        '--min-worker-port', '31000', '--max-worker-port', '31999', '--num-cpus', '2', '--temp-dir', join(tmp, 'ray'), '--disable-usage-stats'],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      ray.stdout!.on('data', (d) => { rayLog += d; });
      ray.stderr!.on('data', (d) => { rayLog += d; });
      const address = `http://127.0.0.1:${dash}`;
      // a tiny base model (random weights, a tokenizer trained on the samples) while Ray starts
      const made = run(join(venv, 'bin', 'python'), ['-m', 'trainer.tiny', '--out', model = join(tmp, 'tiny-model'), '--texts', join(root, 'samples')], root);
      const built = await made;
      assert.equal(built.code, 0, built.stderr);
      await waitFor('the Ray dashboard', async () => {
        if (ray!.exitCode !== null) throw new Error(`ray start exited (${ray!.exitCode}): ${rayLog.slice(-2000)}`);
        const r = await fetch(`${address}/api/version`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        return r.ok || undefined;
      }, 120_000, 1000);
      restore = await addTrainingBackend(address);
      // a run to train on: the smoke suite (agenda simulator, scripted agent: no network)
      const outcome: any = await vscode.commands.executeCommand('userlm.runSuite', wsUri('suites/smoke.suite.yaml'));
      assert.ok(outcome?.runDir, 'the smoke suite ran');
      runId = basename(outcome.runDir);
    });

    after(async function () {
      this.timeout(60_000);
      await restore?.();
      await vscode.commands.executeCommand('userlm.deleteApiKey', BACKEND);
      if (ray?.pid && ray.exitCode === null) {
        const gone = new Promise((r) => ray!.once('exit', r));
        try { process.kill(-ray.pid, 'SIGTERM'); } catch { /* gone */ }
        await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000))]);
        try { process.kill(-ray.pid, 'SIGKILL'); } catch { /* gone */ }
      }
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('the Jobs view says when the token is missing', async () => {
      await api();
      const p = await probe();
      assert.deepEqual(p.jobs[BACKEND], []);
      assert.equal(p.errors[BACKEND], undefined, 'a missing key is not an error');
      assert.match(p.notConfigured[BACKEND] ?? '', /token 'ray-it' is not set/);
      const refused: any = await vscode.commands.executeCommand('userlm.training.submit', { runs: [runId], type: 'sft', baseModel: model, backend: BACKEND, confirmed: true });
      assert.equal(refused, undefined, 'no token: nothing submitted');
      assert.match((await probe()).error ?? '', /token 'ray-it' is not set/);
      await vscode.commands.executeCommand('userlm.setApiKey', BACKEND, TOKEN);
    });

    it('submits an SFT job from a run; it shows in the Jobs view, its log streams to a channel, the metrics panel charts its loss', async () => {
      const done: any = await vscode.commands.executeCommand('userlm.training.submit', {
        runs: [runId], type: 'sft', baseModel: model, backend: BACKEND, confirmed: true, pricePerMTokens: 2,
        hyperparameters: { max_steps: 3, per_device_train_batch_size: 2, learning_rate: 0.001, max_length: 4096 },
      });
      assert.ok(done?.jobId, 'submitted');
      sftJob = done.jobId;
      assert.match(done.summary, /^SFT on .* via 'ray-it' \(ray\), job userlm-sft-\S+\nsamples: \d+\nestimated dataset tokens: \d+\nestimated training tokens: \d+\nestimated cost: about \$\d+\.\d\d(\nwarning: artifacts stay in Ray's temporary working folder.*)?$/);
      const listed = await waitFor('the job in the Jobs view', async () => (await probe()).jobs[BACKEND]?.find((j) => j.id === sftJob));
      assert.match(listed.status, /PENDING|RUNNING|SUCCEEDED/);
      const ref = { backend: BACKEND, id: sftJob };
      await vscode.commands.executeCommand('userlm.training.showLogs', ref);
      await vscode.commands.executeCommand('userlm.training.showMetrics', ref);
      const key = `${BACKEND}/${sftJob}`;
      const log = await waitFor('the end of the job in its log channel', async () => {
        const text = (await probe()).logs[key] ?? '';
        return /\[userlm\] job \S+: (SUCCEEDED|FAILED|STOPPED)/.test(text) ? text : undefined;
      }, 4 * 60_000, 1000);
      assert.match(log, /\[userlm\] job \S+: SUCCEEDED/, log.slice(-3000));
      assert.match(log, /"userlm_progress"/);
      const m = await waitFor('three points in the metrics panel', async () => { const s = (await probe(ref)).metrics; return s && s.series.loss === 3 && s.status === 'SUCCEEDED' ? s : undefined; });
      assert.ok(m.charts >= 1);
      assert.match(m.text, /Training job userlm-sft-/);
      await screenshot('training-metrics');
      const after = await waitFor('SUCCEEDED in the Jobs view', async () => (await probe()).jobs[BACKEND]?.find((j) => j.id === sftJob && j.status === 'SUCCEEDED'));
      assert.equal(after.icon, 'pass');
      assert.equal(after.contextValue, 'trainingJob');
      assert.ok(!log.includes(TOKEN), 'the token is not in the log');
    });

    it('a GRPO job from a dataset file: the metrics panel charts the reward and each reward component per step', async () => {
      // an RL dataset file written by `userlm export --format rl`
      const dataset = join(tmp, 'rl.jsonl');
      const cli = join(repoRoot(), 'dist', 'cli.js');
      const exported = await run(process.execPath, [cli, 'export', runId, '--format', 'rl', '--split', '1', '--out', dataset], wsRoot());
      assert.equal(exported.code, 0, exported.stderr);
      const wrongKind: any = await vscode.commands.executeCommand('userlm.training.submit', { dataset, type: 'sft', baseModel: model, backend: BACKEND, confirmed: true });
      assert.equal(wrongKind, undefined, 'an RL file is refused for an SFT job');
      assert.match((await probe()).error ?? '', /rl\.jsonl:1: an SFT job needs rows with 'messages'/);
      const done: any = await vscode.commands.executeCommand('userlm.training.submit', {
        dataset, type: 'grpo', baseModel: model, backend: BACKEND, confirmed: true,
        hyperparameters: { max_steps: 2, per_device_train_batch_size: 2, num_generations: 2, max_completion_length: 12, learning_rate: 0.0001 },
      });
      assert.match(done?.jobId ?? '', /^userlm-grpo-/);
      const ref = { backend: BACKEND, id: done.jobId as string };
      await vscode.commands.executeCommand('userlm.training.showMetrics', ref);
      const m = await waitFor('the GRPO job done in the metrics panel', async () => { const st = (await probe(ref)).metrics; return st && /SUCCEEDED|FAILED|STOPPED/.test(st.status) ? st : undefined; }, 4 * 60_000, 1000);
      assert.equal(m.status, 'SUCCEEDED', m.text);
      assert.equal(m.series.reward, 2, JSON.stringify(m.series));
      for (const c of ['format', 'sections', 'grounding', 'state_validity']) assert.equal(m.series[`reward/${c}`], 2, `reward/${c}: ${JSON.stringify(m.series)}`);
      await screenshot('training-metrics-grpo');
    });

    it('cancels a running job: it ends STOPPED in the view and in its log', async () => {
      const done: any = await vscode.commands.executeCommand('userlm.training.submit', {
        runs: [runId], type: 'sft', baseModel: model, backend: BACKEND, confirmed: true,
        hyperparameters: { max_steps: 5000, per_device_train_batch_size: 1, max_length: 4096 },
      });
      const ref = { backend: BACKEND, id: done.jobId as string };
      const running = await waitFor('the job running', async () => (await probe()).jobs[BACKEND]?.find((j) => j.id === ref.id && j.status === 'RUNNING'), 120_000, 1000);
      assert.equal(running.icon, 'sync~spin');
      assert.equal(running.contextValue, 'trainingJob running');
      await vscode.commands.executeCommand('userlm.training.showLogs', ref);
      const status = await vscode.commands.executeCommand<string>('userlm.training.cancel', ref, true);
      assert.match(status ?? '', /stopping|STOPPED/);
      const stopped = await waitFor('STOPPED in the Jobs view', async () => (await probe()).jobs[BACKEND]?.find((j) => j.id === ref.id && j.status === 'STOPPED'), 60_000, 1000);
      assert.equal(stopped.icon, 'debug-stop');
      await waitFor('STOPPED at the end of its log channel', async () => /\[userlm\] job \S+: STOPPED/.test((await probe()).logs[`${BACKEND}/${ref.id}`] ?? ''), 30_000, 500);
    });
  });
} else {
  describe('training in Restricted Mode', () => {
    it('refuses to submit, with an explanation, and lists no jobs', async () => {
      await api();
      const r = await vscode.commands.executeCommand('userlm.training.submit', { dataset: 'none.jsonl', type: 'sft', baseModel: 'm', confirmed: true });
      assert.equal(r, undefined);
      const p = await probe();
      assert.match(p.refusal ?? '', /Submitting a training job is disabled in Restricted Mode/);
      assert.deepEqual(p.jobs, {});
    });
  });
}
