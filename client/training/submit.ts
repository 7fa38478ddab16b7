// "Submit Training Job…": runs (multi-select) or a dataset file, SFT or GRPO, base model, backend;
// then a summary (samples, estimated tokens and cost) and a modal confirmation before anything is
// uploaded. Arguments can answer every question (tests, other extensions); the confirmation too.
import * as vscode from 'vscode';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TrainingBackend } from '../../core/generated/schema-types';
import { buildDataset, readDatasetFile, readTranscripts, workspaceSource, type ExportResult } from '../../core/datasets';
import { loadWorkspace } from '../../core/model/load';
import { checkHyperparameters, estimateSubmission, formatEstimate, parseHyperparameters, setUpJob, submitTrainingJob, type JobType } from '../../core/training';
import type { Keys } from '../secrets';
import { requireFiles, requireTrust } from '../trust';
import { saveUserlmFiles } from '../workspace';
import { tokenFor, trainingConfig } from './backends';

export interface SubmitArgs {
  /** Run ids under .userlm/runs/ or run folders. */
  runs?: string[];
  /** A dataset file written by `userlm export` (its `.val` sibling is the validation set). */
  dataset?: string;
  type?: JobType;
  baseModel?: string;
  backend?: string;
  hyperparameters?: Record<string, unknown>;
  /** LoRA with the default settings (like the CLI's --lora). */
  lora?: boolean;
  /** Agent backend for multi-turn GRPO with agent=endpoint. */
  agent?: string;
  outputDir?: string;
  name?: string;
  /** Dollars per million training tokens (else the `userlm.training.pricePerMTokens` setting). */
  pricePerMTokens?: number;
  /** true: skip the modal confirmation (the caller has confirmed). */
  confirmed?: boolean;
}

export interface Submitted { backendId: string; jobId: string; summary: string }

/** Runs under `<root>/.userlm/runs/` that hold transcripts, newest first. */
export function runChoices(root: string): { id: string; dir: string }[] {
  const dir = join(root, '.userlm', 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((id) => ({ id, dir: join(dir, id) }))
    .filter((r) => existsSync(join(r.dir, 'transcripts.jsonl')))
    .sort((a, b) => statSync(b.dir).mtimeMs - statSync(a.dir).mtimeMs);
}

async function askHyperparameters(type: JobType): Promise<Record<string, unknown> | undefined> {
  // Checked against the same schema as the CLI and the trainer, while typing: nothing bad reaches the upload.
  const validate = (v: string) => { try { checkHyperparameters(parseHyperparameters(v), type); return undefined; } catch (e) { return (e as Error).message; } };
  const text = await vscode.window.showInputBox({
    title: 'Hyperparameters (optional)', prompt: `key=value, comma separated (e.g. learning_rate=1e-5,num_train_epochs=2,lora=true${type === 'grpo' ? ',rollout=dialogue' : ''}); empty for the trainer defaults`,
    ignoreFocusOut: true, validateInput: validate,
  });
  return text === undefined ? undefined : parseHyperparameters(text);
}

async function pickData(root: string, args: SubmitArgs): Promise<{ runs?: string[]; dataset?: string } | undefined> {
  if (args.runs?.length || args.dataset) return { runs: args.runs, dataset: args.dataset };
  const runs = runChoices(root);
  const fileItem = { label: '$(file) Dataset file…', description: 'a JSONL file written by userlm export', file: true };
  const picked = await vscode.window.showQuickPick([...runs.map((r) => ({ label: r.id, description: vscode.workspace.asRelativePath(r.dir), file: false })), fileItem], { title: 'Train on which runs? (or a dataset file)', canPickMany: true });
  if (!picked?.length) return undefined;
  if (picked.some((p) => p.file)) {
    const uri = await vscode.window.showOpenDialog({ title: 'Training dataset (JSONL)', canSelectMany: false, filters: { 'JSONL dataset': ['jsonl'] }, defaultUri: vscode.Uri.file(root) });
    return uri?.[0] ? { dataset: uri[0].fsPath } : undefined;
  }
  return { runs: picked.map((p) => p.label) };
}

async function pickBackend(backends: TrainingBackend[], id?: string): Promise<TrainingBackend | undefined> {
  if (id) {
    const b = backends.find((x) => x.id === id);
    if (!b) throw new Error(`no training backend '${id}' in userlm.yaml; known: ${backends.map((x) => x.id).join(', ') || 'none'}`);
    return b;
  }
  if (backends.length === 1) return backends[0];
  return (await vscode.window.showQuickPick(backends.map((b) => ({ label: b.id, description: `${b.type}${b.address ? ` · ${b.address}` : ''}`, b })), { title: 'Training backend' }))?.b;
}

async function buildData(root: string, type: JobType, data: { runs?: string[]; dataset?: string }): Promise<ExportResult> {
  if (data.dataset) return readDatasetFile(resolve(root, data.dataset), type);
  const ws = await loadWorkspace(root);
  const transcripts = (data.runs ?? []).flatMap((r) => {
    const dir = existsSync(resolve(root, r)) ? resolve(root, r) : join(root, '.userlm', 'runs', r);
    if (!existsSync(dir)) throw new Error(`no run '${r}' under ${join(root, '.userlm', 'runs')}`);
    return readTranscripts(dir, 'strict');
  });
  return buildDataset(transcripts, workspaceSource(ws), { format: type === 'sft' ? 'sft' : 'rl' });
}

/** The whole flow; undefined when the user stopped at a question or declined the confirmation. */
export async function submitJob(keys: Keys, trainerDir: string, args: SubmitArgs = {}): Promise<Submitted | undefined> {
  const what = 'Submitting a training job';
  if (!requireTrust(what) || !requireFiles(what)) return undefined;
  const cfg = trainingConfig();
  if (!cfg) return undefined;
  if (!cfg.backends.length) { void vscode.window.showErrorMessage('UserLM: no training backend: add one under `training:` in userlm.yaml (type ray or openai-fine-tuning).'); return undefined; }
  await saveUserlmFiles();
  const picked = await pickData(cfg.root, args);
  if (!picked) return undefined;
  const type = args.type ?? (await vscode.window.showQuickPick([
    { label: 'sft', description: 'supervised fine-tuning on rationale traces', type: 'sft' as const },
    { label: 'grpo', description: 'GRPO with one reward function per reward component', type: 'grpo' as const },
  ], { title: 'Training method' }))?.type;
  if (!type) return undefined;
  const baseModel = args.baseModel ?? (await vscode.window.showInputBox({ title: 'Base model', prompt: 'A model id (e.g. Qwen/Qwen3-8B) or a path on the cluster', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Give a model id or path') }))?.trim();
  if (!baseModel) return undefined;
  const backend = await pickBackend(cfg.backends, args.backend);
  if (!backend) return undefined;

  const data = await buildData(cfg.root, type, picked);
  if (!data.train.length) throw new Error('the dataset has no training samples (the runs hold no complete user turns)');
  // Asked only in the interactive flow: a caller that passed the base model passes hyperparameters too.
  const hp = args.hyperparameters ?? (args.baseModel ? {} : await askHyperparameters(type));
  if (!hp) return undefined;
  // The same set-up as the CLI: schema check, reward spec and judge, token lengths and max_length, artifacts folder.
  const python = join(trainerDir, '..', '.venv', 'bin', 'python');
  const setup = await setUpJob({
    config: cfg.config, configFile: join(cfg.root, 'userlm.yaml'), backend, type, baseModel, name: args.name, data, hyperparameters: hp,
    lora: args.lora, agent: args.agent, outputDir: args.outputDir, python: existsSync(python) ? python : undefined, trainerDir,
  });
  const token = await tokenFor(keys, cfg.config, backend);
  const price = args.pricePerMTokens ?? vscode.workspace.getConfiguration('userlm').get<number | null>('training.pricePerMTokens') ?? undefined;
  const summary = [`${type.toUpperCase()} on ${baseModel} via '${backend.id}' (${backend.type}), job ${setup.jobId}`, formatEstimate(estimateSubmission({ type, data: setup.data, hyperparameters: setup.options.hyperparameters, pricePerMTokens: price })), ...setup.notes].join('\n');
  if (args.confirmed !== true) {
    const ok = await vscode.window.showWarningMessage(`Submit this training job? The dataset (${setup.data.train.length + setup.data.validation.length} samples) is uploaded to '${backend.id}'.`, { modal: true, detail: summary }, 'Submit');
    if (ok !== 'Submit') return undefined;
  }
  const snapshot = await keys.snapshot(cfg.config);
  const jobId = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `UserLM: uploading to '${backend.id}'…` }, () => submitTrainingJob({
    ...setup.options, jobId: setup.jobId, backend, token, data: setup.data, pricePerMTokens: price,
    trainerDir,
    secrets: Object.values(snapshot),
  }));
  return { backendId: backend.id, jobId, summary };
}
