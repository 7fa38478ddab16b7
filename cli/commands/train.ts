// `userlm train submit|status|logs|cancel|list`: training jobs on a Ray cluster (Jobs REST API)
// or OpenAI fine-tuning. Submit prints a summary (samples, tokens, cost) and asks before uploading.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { findWorkspaceRoot, loadWorkspace, loadYamlFile, resolveFrom } from '../../core/model/load';
import { toJsonl, validationPath, estimateTokens, type ExportResult, type RlSample, type SftSample } from '../../core/datasets';
import { envSecret } from '../../core/agents';
import type { RewardSpec, TrainingBackend, Workspace } from '../../core/generated/schema-types';
import {
  RayJobsClient, OpenAIFineTuning, FT_TERMINAL, TERMINAL_STATUSES, assertNoSecrets, buildJobJson, buildZip, compileGrader,
  entrypointFor, estimateJob, findTrainingBackend, formatEstimate, judgeRefFor, packageEntries, reinforcementRows, trainingToken,
  type JobType, type TrainJobOptions,
} from '../../core/training';
import { parseArgs, UsageError, type ParsedArgs } from '../args';
import { datasetFlags, datasetFromRuns, formatSummary, numberFlag } from './export';
import type { Command } from './index';

/** Where trainer/ is: $USERLM_TRAINER_DIR, else the first folder above this file holding trainer/__main__.py. */
export function findTrainerDir(start = __dirname): string {
  const env = process.env.USERLM_TRAINER_DIR;
  if (env) return resolve(env);
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'trainer', '__main__.py'))) return join(dir, 'trainer');
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the trainer package (trainer/__main__.py); set USERLM_TRAINER_DIR');
    dir = up;
  }
}

interface Ctx { root: string; config?: Workspace; configFile?: string }

async function workspace(): Promise<Ctx> {
  const root = findWorkspaceRoot(process.cwd(), existsSync);
  const ws = await loadWorkspace(root);
  return { root, config: ws.config?.value, configFile: ws.config?.file };
}

function out(text: string): void { process.stdout.write(text.endsWith('\n') ? text : text + '\n'); }

/** `--hp key=value` (repeatable as a comma list): numbers and booleans. */
export function parseHyperparameters(spec: string | undefined): Record<string, number | boolean> {
  const hp: Record<string, number | boolean> = {};
  if (!spec) return hp;
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--hp expects key=value[,key=value...], got '${part}'`);
    const key = part.slice(0, eq);
    const raw = part.slice(eq + 1);
    if (raw === 'true' || raw === 'false') hp[key] = raw === 'true';
    else if (raw !== '' && Number.isFinite(Number(raw))) hp[key] = Number(raw);
    else throw new UsageError(`--hp ${key}: '${raw}' is not a number or true/false`);
  }
  return hp;
}

function loadRewardSpec(ctx: Ctx, flag: string | undefined): RewardSpec {
  const path = flag ? resolve(flag) : ctx.config?.defaults?.rewards && ctx.configFile ? resolveFrom(ctx.configFile, ctx.config.defaults.rewards) : undefined;
  if (!path) throw new UsageError('a grpo job needs a reward spec: --rewards FILE, or defaults.rewards in userlm.yaml');
  const loaded = loadYamlFile(path);
  if (loaded.kind !== 'rewards') throw new UsageError(`${path} is not a reward spec (kind: rewards)`);
  return loaded.value as RewardSpec;
}

function readDatasetFile(file: string, type: JobType): ExportResult {
  const path = resolve(file);
  const parse = (p: string) => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
    try { return JSON.parse(l) as SftSample | RlSample; } catch (e) { throw new UsageError(`${p}:${i + 1}: not valid JSON (${(e as Error).message})`); }
  });
  if (!existsSync(path)) throw new UsageError(`--dataset ${file}: no such file`);
  const train = parse(path);
  const valFile = validationPath(path);
  const validation = existsSync(valFile) ? parse(valFile) : [];
  const wantKey = type === 'sft' ? 'messages' : 'prompt';
  if (train.length && !(wantKey in train[0])) throw new UsageError(`--dataset ${file}: a ${type} job needs ${type === 'sft' ? 'an sft' : 'an rl'} dataset (rows with '${wantKey}'); export with --format ${type === 'sft' ? 'sft' : 'rl'}`);
  const all = [...train, ...validation];
  const tokens = all.reduce((n, s) => n + estimateTokens(JSON.stringify(s)), 0);
  return { train, validation, summary: { format: type === 'sft' ? 'sft' : 'rl', dialogues: 0, rejected: 0, incomplete: 0, duplicates: 0, samples: all.length, train: train.length, validation: validation.length, estimatedTokens: tokens } };
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

const SUBMIT_VALUES = ['output-dir', 'backend', 'type', 'base-model', 'dataset', 'rewards', 'judge', 'hp', 'name', 'min-total', 'split', 'seed', 'price-per-mtok', 'grader-model'];

async function submit(a: ParsedArgs, ctx: Ctx): Promise<number> {
  const backend = findTrainingBackend(ctx.config, a.flags.backend as string | undefined);
  const type = a.flags.type;
  if (type !== 'sft' && type !== 'grpo') throw new UsageError(`--type must be sft or grpo${type === undefined ? '' : `, got '${String(type)}'`}`);
  const baseModel = a.flags['base-model'];
  if (typeof baseModel !== 'string' || !baseModel) throw new UsageError('--base-model MODEL is required (a model id or a path on the cluster)');
  const runs = a.positional;
  const datasetFile = a.flags.dataset as string | undefined;
  if (!runs.length === !datasetFile) throw new UsageError('give either runs (--runs RUN... or positional) or --dataset FILE');
  const data = datasetFile ? readDatasetFile(datasetFile, type) : await datasetFromRuns(runs, type === 'sft' ? 'sft' : 'rl', datasetFlags(a.flags), ctx.root);
  if (!data.train.length) throw new UsageError('the dataset has no training samples (check --min-total and the runs)');
  const hp = parseHyperparameters(a.flags.hp as string | undefined);
  const opts: TrainJobOptions = { type, baseModel, name: a.flags.name as string | undefined, hyperparameters: hp, outputDir: a.flags['output-dir'] as string | undefined };
  if (type === 'grpo') opts.rewardSpec = loadRewardSpec(ctx, a.flags.rewards as string | undefined);
  const judgeId = (a.flags.judge as string | undefined) ?? ctx.config?.defaults?.judge;
  if (type === 'grpo' && judgeId) {
    const jb = (ctx.config?.backends ?? []).find((b) => b.id === judgeId);
    if (!jb) throw new UsageError(`--judge ${judgeId}: no such backend in userlm.yaml`);
    opts.judge = judgeRefFor(jb);
  }
  const estimate = estimateJob({
    type, samples: data.train.length, datasetTokens: data.summary.estimatedTokens,
    epochs: typeof hp.num_train_epochs === 'number' ? hp.num_train_epochs : 1,
    numGenerations: typeof hp.num_generations === 'number' ? hp.num_generations : undefined,
    maxCompletionLength: typeof hp.max_completion_length === 'number' ? hp.max_completion_length : undefined,
    pricePerMTokens: numberFlag(a.flags, 'price-per-mtok'),
  });
  out(`training job: ${type} on ${baseModel} via ${backend.type} backend '${backend.id}'`);
  if (!datasetFile) out(formatSummary(data.summary));
  out(formatEstimate(estimate));
  if (!a.flags.yes && !(await confirm(`Upload ${data.train.length + data.validation.length} samples and start the job?`))) {
    process.stderr.write(process.stdin.isTTY ? 'cancelled: nothing was uploaded\n' : 'not confirmed: nothing was uploaded (pass --yes to submit without a prompt)\n');
    return 1;
  }
  const token = trainingToken(backend, envSecret);
  const id = backend.type === 'ray'
    ? await submitRay(backend, token, opts, data, type)
    : await submitOpenAI(backend, token, opts, data, type, (a.flags['grader-model'] as string | undefined) ?? 'gpt-4.1-mini');
  out(`submitted: ${id}`);
  out(`follow it: userlm train logs ${id} --backend ${backend.id} --follow`);
  return 0;
}

async function submitRay(backend: TrainingBackend, token: string | undefined, opts: TrainJobOptions, data: ExportResult, type: JobType): Promise<string> {
  if (!backend.address) throw new Error(`training backend '${backend.id}' needs an address (the Ray dashboard, e.g. http://127.0.0.1:8265)`);
  const ours = (backend.entrypoint ?? 'trainer') === 'trainer';
  const job = buildJobJson(opts, data.validation.length > 0);
  const entries = packageEntries({
    trainerDir: ours ? findTrainerDir() : undefined,
    job,
    train: toJsonl(data.train),
    validation: data.validation.length ? toJsonl(data.validation) : undefined,
  });
  assertNoSecrets(entries, [token, ...secretValues()]);
  const client = new RayJobsClient({ address: backend.address, token });
  const workingDir = await client.uploadPackage(buildZip(entries));
  const submissionId = `userlm-${type}-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  return client.submitJob({
    entrypoint: entrypointFor(backend),
    submission_id: submissionId,
    runtime_env: { working_dir: workingDir },
    metadata: { userlm: 'train', type, base_model: opts.baseModel, samples: String(data.train.length), backend: backend.id },
    ...(backend.resources?.gpus !== undefined ? { entrypoint_num_gpus: backend.resources.gpus } : {}),
    ...(backend.resources?.cpus !== undefined ? { entrypoint_num_cpus: backend.resources.cpus } : {}),
  });
}

/** Values of the environment's variables that look like secrets: never in an upload. */
function secretValues(): string[] {
  return Object.entries(process.env).filter(([k]) => /KEY|TOKEN|SECRET|PASSWORD/i.test(k)).map(([, v]) => v ?? '').filter((v) => v.length >= 8);
}

async function submitOpenAI(backend: TrainingBackend, token: string | undefined, opts: TrainJobOptions, data: ExportResult, type: JobType, graderModel: string): Promise<string> {
  if (!token) throw new Error(`training backend '${backend.id}' needs a token (the OpenAI API key, e.g. token: env:OPENAI_API_KEY)`);
  const ft = new OpenAIFineTuning({ apiKey: token, baseURL: backend.address });
  const rows = (s: (SftSample | RlSample)[]) => (type === 'sft' ? s : reinforcementRows(s as RlSample[]));
  const trainFile = await ft.uploadFile('train.jsonl', toJsonl(rows(data.train)));
  const validationFile = data.validation.length ? await ft.uploadFile('validation.jsonl', toJsonl(rows(data.validation))) : undefined;
  const hp = Object.fromEntries(Object.entries(opts.hyperparameters ?? {}).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
  const common = { model: opts.baseModel, trainingFile: trainFile, validationFile, suffix: opts.name, metadata: { userlm: 'train', type }, hyperparameters: hp };
  if (type === 'sft') return (await ft.createSupervised(common)).id;
  const rewardsPy = readFileSync(join(findTrainerDir(), 'rewards.py'), 'utf8');
  const { grader, skipped } = compileGrader(opts.rewardSpec!, { rewardsPy, graderModel });
  for (const s of skipped) out(`note: ${s.name} left out of the grader: ${s.reason}`);
  return (await ft.createReinforcement({ ...common, grader })).id;
}

function requireId(a: ParsedArgs, what: string): string {
  const id = a.positional[0];
  if (!id) throw new UsageError(`give the job id to ${what}`);
  return id;
}

function rayClient(backend: TrainingBackend): RayJobsClient {
  if (!backend.address) throw new Error(`training backend '${backend.id}' needs an address`);
  return new RayJobsClient({ address: backend.address, token: trainingToken(backend, envSecret) });
}

function ftClient(backend: TrainingBackend): OpenAIFineTuning {
  const token = trainingToken(backend, envSecret);
  if (!token) throw new Error(`training backend '${backend.id}' needs a token`);
  return new OpenAIFineTuning({ apiKey: token, baseURL: backend.address });
}

/** The last `n` non-empty lines of a log. */
export function logTail(logs: string, n: number): string {
  return logs.split('\n').filter((l) => l.trim()).slice(-n).map((l) => `  ${l}`).join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function status(a: ParsedArgs, backend: TrainingBackend): Promise<number> {
  const id = requireId(a, 'show');
  if (backend.type === 'ray') {
    const client = rayClient(backend);
    const j = await client.getJob(id);
    out(`${j.submission_id}: ${j.status}${j.message ? ` — ${j.message}` : ''}`);
    if (j.status === 'FAILED') {
      out('last lines of the log:');
      out(logTail(await client.getLogs(id), 20));
      return 1;
    }
    return 0;
  }
  const j = await ftClient(backend).retrieve(id);
  out(`${j.id}: ${j.status}${j.fine_tuned_model ? ` → ${j.fine_tuned_model}` : ''}${j.error?.message ? ` — ${j.error.message}` : ''}`);
  return j.status === 'failed' ? 1 : 0;
}

async function logs(a: ParsedArgs, backend: TrainingBackend): Promise<number> {
  const id = requireId(a, 'follow');
  const follow = a.flags.follow === true;
  if (backend.type === 'ray') {
    const client = rayClient(backend);
    if (!follow) { process.stdout.write(await client.getLogs(id)); return 0; }
    const job = await client.followLogs(id, (t) => process.stdout.write(t));
    out(`job ${id}: ${job.status}${job.message ? ` — ${job.message}` : ''}`);
    return job.status === 'SUCCEEDED' ? 0 : 1;
  }
  const ft = ftClient(backend);
  const seen = new Set<string>();
  for (;;) {
    for (const e of await ft.events(id)) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      out(`${new Date(e.created_at * 1000).toISOString()} ${e.level} ${e.message}`);
    }
    if (!follow) return 0;
    const j = await ft.retrieve(id);
    if (FT_TERMINAL.includes(j.status)) { out(`job ${id}: ${j.status}`); return j.status === 'succeeded' ? 0 : 1; }
    await sleep(5000);
  }
}

async function cancel(a: ParsedArgs, backend: TrainingBackend): Promise<number> {
  const id = requireId(a, 'cancel');
  if (backend.type === 'ray') {
    const stopped = await rayClient(backend).stopJob(id);
    out(stopped ? `stopping ${id}` : `${id} was not running`);
    return 0;
  }
  const j = await ftClient(backend).cancel(id);
  out(`${j.id}: ${j.status}`);
  return 0;
}

async function list(backend: TrainingBackend): Promise<number> {
  if (backend.type === 'ray') {
    const jobs = (await rayClient(backend).listJobs()).sort((x, y) => (y.start_time ?? 0) - (x.start_time ?? 0));
    for (const j of jobs) out(`${j.submission_id}\t${j.status}\t${j.metadata?.type ?? ''}\t${j.metadata?.base_model ?? j.entrypoint}`);
    if (!jobs.length) out('no jobs');
    return 0;
  }
  const jobs = await ftClient(backend).list();
  for (const j of jobs) out(`${j.id}\t${j.status}\t${j.method?.type ?? ''}\t${j.model}`);
  if (!jobs.length) out('no jobs');
  return 0;
}

export const trainCommand: Command = {
  usage: 'submit|status|logs|cancel|list [--backend ID] ...',
  summary: 'Submit and follow training jobs (Ray cluster or OpenAI fine-tuning)',
  async run(args) {
    const [sub, ...rest] = args;
    const help = `usage:
  userlm train submit --backend ID --type sft|grpo --base-model M (--runs RUN... | --dataset FILE)
                      [--rewards FILE] [--judge BACKEND] [--hp k=v,...] [--name N] [--output-dir DIR] [--min-total X]
                      [--split 0.9] [--seed N] [--price-per-mtok P] [--grader-model M] [--yes]
  userlm train status JOB [--backend ID]
  userlm train logs JOB [--backend ID] [--follow]
  userlm train cancel JOB [--backend ID]
  userlm train list [--backend ID]
`;
    if (!sub || sub === '--help' || sub === 'help') { process.stdout.write(help); return sub ? 0 : 2; }
    // `--runs a b c` is the positional list: rewrite it so the parser sees plain positionals.
    const normalized = rest.map((x) => (x === '--runs' ? '--' : x));
    const cut = normalized.indexOf('--');
    const argv = cut >= 0 ? [...normalized.slice(0, cut), ...moveFlagsBefore(normalized.slice(cut + 1))] : normalized;
    const a = parseArgs(argv, { values: SUBMIT_VALUES, booleans: ['yes', 'follow'] });
    if (a.flags.help) { process.stdout.write(help); return 0; }
    const ctx = await workspace();
    switch (sub) {
      case 'submit': return submit(a, ctx);
      case 'status': return status(a, findTrainingBackend(ctx.config, a.flags.backend as string | undefined));
      case 'logs': return logs(a, findTrainingBackend(ctx.config, a.flags.backend as string | undefined));
      case 'cancel': return cancel(a, findTrainingBackend(ctx.config, a.flags.backend as string | undefined));
      case 'list': return list(findTrainingBackend(ctx.config, a.flags.backend as string | undefined));
      default: throw new UsageError(`unknown subcommand '${sub}' (submit, status, logs, cancel, list)`);
    }
  },
};

/** After `--runs`, run names come first; later `--flags` still parse as flags. */
function moveFlagsBefore(items: string[]): string[] {
  const runs: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < items.length; i++) {
    if (items[i].startsWith('--')) { flags.push(...items.slice(i)); break; }
    runs.push(items[i]);
  }
  return [...flags, '--', ...runs];
}
