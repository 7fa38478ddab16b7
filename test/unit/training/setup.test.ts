// The job set-up shared by the CLI and the editor, multi-turn rows, the metrics view, pulling
// artifacts and the PENDING reading of a waiting job.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataset, readTranscripts, workspaceSource, type RlSample } from '../../../core/datasets';
import { loadWorkspace } from '../../../core/model/load';
import type { TrainingBackend } from '../../../core/generated/schema-types';
import { dialogueRows, formatMetrics, HyperparameterError, measureLengths, parseProgress, pullArtifacts, setUpJob, sparkline, waitingFor } from '../../../core/training';
import { makeWorkspace } from './fixture';

const RAY: TrainingBackend = { id: 'ray', type: 'ray', address: 'http://127.0.0.1:9', artifacts: '/shared/jobs', resources: { gpus: 1, cpus: 4 } };

async function data(format: 'sft' | 'rl') {
  const root = makeWorkspace();
  const ws = await loadWorkspace(root);
  return { root, ws, result: buildDataset(readTranscripts(join(root, '.userlm/runs/run-1')), workspaceSource(ws), { format, split: 1 }) };
}

describe('training job set-up (CLI and editor)', () => {
  it('sets max_length from the data (estimated without a local tokenizer), names the artifacts folder under the job id, passes resources to the trainer', async () => {
    const { result } = await data('sft');
    const s = await setUpJob({ backend: RAY, type: 'sft', baseModel: 'Qwen/Qwen3-0.6B', data: result, hyperparameters: {}, lora: true });
    const longest = Math.max(...measureLengths(result.train, 'Qwen/Qwen3-0.6B').lengths);
    assert.equal(s.lengths.method, 'estimate');
    assert.equal(s.options.hyperparameters!.max_length, Math.ceil((longest * 1.15) / 64) * 64);
    assert.deepEqual(s.options.hyperparameters!.lora, true);
    assert.match(s.jobId, /^userlm-sft-\d{14}-[0-9a-f]{6}$/);
    assert.equal(s.options.outputDir, `/shared/jobs/${s.jobId}`);
    assert.deepEqual(s.options.resources, { gpus: 1, cpus: 4 });
    assert.ok(s.notes.some((n) => /^max_length: \d+ \(the longest sample is \d+ tokens, estimated/.test(n)));
    const other = await setUpJob({ backend: RAY, type: 'sft', baseModel: 'm', data: result, hyperparameters: {} });
    assert.notEqual(other.jobId, s.jobId, 'identical submissions get their own ids (and artifacts folders)');
  });

  it('refuses a max_length no sample fits and bad hyperparameters, and warns about dropped samples', async () => {
    const { result } = await data('sft');
    await assert.rejects(setUpJob({ backend: RAY, type: 'sft', baseModel: 'm', data: result, hyperparameters: { max_length: 16 } }), (e: HyperparameterError) => /no sample fits in 16 tokens/.test(e.message));
    await assert.rejects(setUpJob({ backend: RAY, type: 'sft', baseModel: 'm', data: result, hyperparameters: { learning_rate: 'fast' } }), /learning_rate: must be a number/);
    const lengths = measureLengths(result.train, 'm').lengths.sort((a, b) => a - b);
    const s = await setUpJob({ backend: RAY, type: 'sft', baseModel: 'm', data: result, hyperparameters: { max_length: lengths[0] } });
    assert.ok(s.notes.some((n) => /^warning: \d+ of \d+ samples are longer than max_length/.test(n)));
  });

  it('grpo: the reward spec from defaults.rewards; rollout=dialogue builds one row per scenario × profile with the adversarial agent\'s annotated lines', async () => {
    const { root, ws, result } = await data('rl');
    const s = await setUpJob({ config: ws.config?.value, configFile: join(root, 'userlm.yaml'), backend: RAY, type: 'grpo', baseModel: 'm', data: result, hyperparameters: { rollout: 'dialogue', agent: 'adversarial', max_turns: 3 } });
    assert.equal(s.options.rewardSpec!.components[0].name, 'format');
    assert.equal(s.data.train.length, 1);
    const row = s.data.train[0] as unknown as { id: string; context: { agent: string; agent_lines: { text: string; tactic: string | null; targets: string[] }[]; max_turns: number; turn: { n: number } } };
    assert.equal(row.id, 'dialogue/phone-upgrade/pat');
    assert.equal(row.context.agent, 'adversarial');
    assert.equal(row.context.turn.n, 1);
    assert.equal(row.context.agent_lines.length, 3);
    assert.ok(row.context.agent_lines.some((l) => l.tactic === 'false_urgency' || l.tactic !== null), JSON.stringify(row.context.agent_lines));
    assert.ok(s.notes.some((n) => /multi-turn GRPO: 1 dialogues/.test(n)));
    await assert.rejects(setUpJob({ config: ws.config?.value, configFile: join(root, 'userlm.yaml'), backend: RAY, type: 'grpo', baseModel: 'm', data: result, hyperparameters: { rollout: 'dialogue', agent: 'endpoint' } }), /endpoint needs the agent backend \(--agent BACKEND\)/);
    await assert.rejects(setUpJob({ config: ws.config?.value, configFile: join(root, 'userlm.yaml'), backend: { id: 'oai', type: 'openai-fine-tuning' }, type: 'grpo', baseModel: 'm', data: result, hyperparameters: { rollout: 'dialogue' } }), /dialogue rollouts run in trainer\/ on a Ray backend/);
    // one dialogue, and a generation round of 2 steps × 4 rollouts in groups of 4 takes 2: no step would train
    await assert.rejects(setUpJob({ config: ws.config?.value, configFile: join(root, 'userlm.yaml'), backend: RAY, type: 'grpo', baseModel: 'm', data: result, hyperparameters: { rollout: 'dialogue', per_device_train_batch_size: 4, num_generations: 4, steps_per_generation: 2 } }),
      (e: HyperparameterError) => e.message.includes('datasets.train: 1 row(s), fewer than the 2 distinct prompts a generation round takes (per_device_train_batch_size × num_workers × steps_per_generation / num_generations)'));
    const rows = await dialogueRows(result.train as RlSample[], { agent: 'scripted', maxTurns: 2, seed: 1 });
    assert.equal(rows[0].context.agent_lines.length, 2);
  });

  it('--resume needs the earlier job\'s artifacts', async () => {
    const { result } = await data('sft');
    await assert.rejects(setUpJob({ backend: RAY, type: 'sft', baseModel: 'm', data: result, hyperparameters: {}, resume: { id: 'old' } }), /--resume old: that job did not record where its artifacts are/);
    const s = await setUpJob({ backend: RAY, type: 'sft', baseModel: 'm', data: result, hyperparameters: {}, resume: { id: 'old', artifacts: '/shared/jobs/old' } });
    assert.equal(s.options.resumeFrom, '/shared/jobs/old');
  });
});

describe('training: metrics, pull, waiting', () => {
  it('prints each reward component over the steps with a sparkline and a table', () => {
    const log = [1, 2, 3].map((step) => `(pid=1) {"userlm_progress": 1, "step": ${step}, "loss": ${1 / step}, "reward": ${step / 10}, "reward/turn/format": ${step / 3}, "reward/session/termination": 1}`).join('\n');
    const text = formatMetrics(parseProgress(log));
    assert.match(text, /^metric\s+first\s+last\s+min\s+max\s+over steps 1\.\.3/);
    assert.match(text, /\nreward\/session\/termination\s+1\.0000\s+1\.0000/);
    assert.match(text, /\nreward\/turn\/format\s+0\.3333\s+1\.0000\s+0\.3333\s+1\.0000\s+▁▄█/);
    assert.match(text, /\nreward\s+0\.1000\s+0\.3000\s+0\.1000\s+0\.3000\s+▁▅█/);
    assert.match(text, /\nstep\tloss\treward\treward\/session\/termination\treward\/turn\/format\n1\t1\.0000/);
    assert.equal(sparkline([0, undefined, 1]), '▁ █');
    assert.equal(formatMetrics([]), '');
  });

  it('pulls the final files of a job folder (not the checkpoints) and never into a folder holding files', () => {
    const src = mkdtempSync(join(tmpdir(), 'userlm-art-'));
    for (const f of ['resolved_job.json', 'metrics.jsonl', 'adapter_model.safetensors', 'checkpoint-2/optimizer.pt', 'sub/x.txt']) {
      mkdirSync(join(src, f, '..'), { recursive: true });
      writeFileSync(join(src, f), f);
    }
    const out = join(mkdtempSync(join(tmpdir(), 'userlm-pull-')), 'o');
    const r = pullArtifacts(src, out);
    assert.deepEqual(r.files, ['adapter_model.safetensors', 'metrics.jsonl', 'resolved_job.json', 'sub/x.txt']);
    assert.equal(readFileSync(join(out, 'metrics.jsonl'), 'utf8'), 'metrics.jsonl');
    assert.ok(!existsSync(join(out, 'checkpoint-2')));
    assert.throws(() => pullArtifacts(src, out), /is not empty: pull into a new folder/);
    assert.throws(() => pullArtifacts('/no/such/cluster/path', join(out, 'new')), /which this machine cannot reach: mount that shared folder here/);
    assert.throws(() => pullArtifacts('s3://bucket/jobs/x', join(out, 'new2')), /reading a storage URI needs the trainer's Python/);
  });

  it('reads a job that waits for resources as PENDING until the trainer starts', () => {
    const waiting = '{"userlm_progress": 1, "event": "waiting", "resources": {"cpus": 1, "gpus": 8, "workers": 1}}';
    assert.equal(waitingFor(`ray noise\n${waiting}\n`), 'waiting for resources: {"cpus":1,"gpus":8,"workers":1}');
    assert.equal(waitingFor(`${waiting}\n(pid=3) {"userlm_progress": 1, "event": "started", "type": "sft"}\n`), undefined);
  });
});
