// `userlm train submit|status|logs|metrics|pull|cancel|list`: training jobs on a Ray cluster (Jobs REST API)
// or OpenAI fine-tuning. Submit prints a summary (samples, tokens, cost) and asks before uploading.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { findWorkspaceRoot, loadWorkspace } from '../../core/model/load';
import { readDatasetFile } from '../../core/datasets';
import { cliSecrets, TRUST_FLAG } from '../secrets';
import type { TrainingBackend, Workspace } from '../../core/generated/schema-types';
import {
  cancelJob, estimateSubmission, findTrainingBackend, followJob, formatEstimate, formatMetrics, getJobInfo, getJobLog, HyperparameterError, listJobInfos,
  parseHyperparameters, parseProgress, pullArtifacts, setUpJob, submitTrainingJob, trainingToken, type JobInfo,
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

/** The trainer's Python here (token lengths with the model's tokenizer, storage URIs): $USERLM_PYTHON, else .venv beside trainer/. */
export function trainerPython(trainerDir: string): string | undefined {
  const p = process.env.USERLM_PYTHON ?? join(dirname(trainerDir), '.venv', 'bin', 'python');
  return existsSync(p) ? p : undefined;
}

interface Ctx { root: string; config?: Workspace; configFile?: string }

/** Tokens and keys of this invocation's workspace: handed out only when it is trusted (`userlm trust`). */
let trustedSecret: (ref: string) => string | undefined = () => undefined;

async function workspace(): Promise<Ctx> {
  const root = findWorkspaceRoot(process.cwd(), existsSync);
  const ws = await loadWorkspace(root);
  return { root, config: ws.config?.value, configFile: ws.config?.file };
}

function out(text: string): void { process.stdout.write(text.endsWith('\n') ? text : text + '\n'); }

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

const SUBMIT_VALUES = ['output-dir', 'backend', 'type', 'base-model', 'dataset', 'rewards', 'judge', 'agent', 'hp', 'name', 'min-total', 'split', 'seed', 'price-per-mtok', 'grader-model', 'resume', 'out'];

async function submit(a: ParsedArgs, ctx: Ctx): Promise<number> {
  const backend = findTrainingBackend(ctx.config, a.flags.backend as string | undefined);
  const type = a.flags.type;
  if (type !== 'sft' && type !== 'grpo') throw new UsageError(`--type must be sft or grpo${type === undefined ? '' : `, got '${String(type)}'`}`);
  const baseModel = a.flags['base-model'];
  if (typeof baseModel !== 'string' || !baseModel) throw new UsageError('--base-model MODEL is required (a model id or a path on the cluster)');
  let hp: Record<string, unknown>;
  try {
    hp = parseHyperparameters(a.flags.hp as string | undefined);
  } catch (e) {
    throw new UsageError(`--hp ${(e as Error).message}`);
  }
  const runs = a.positional;
  const datasetFile = a.flags.dataset as string | undefined;
  if (!runs.length === !datasetFile) throw new UsageError('give either runs (--runs RUN... or positional) or --dataset FILE');
  const resumeId = a.flags.resume as string | undefined;
  const token = trainingToken(backend, trustedSecret);
  const resume = resumeId ? { id: resumeId, artifacts: (await getJobInfo(backend, token, resumeId)).artifacts } : undefined;
  const data = datasetFile ? readDatasetFile(resolve(datasetFile), type) : await datasetFromRuns(runs, type === 'sft' ? 'sft' : 'rl', datasetFlags(a.flags), ctx.root);
  if (!data.train.length) throw new UsageError('the dataset has no training samples (check --min-total and the runs)');
  const trainerDir = findTrainerDir();
  let setup;
  try {
    setup = await setUpJob({
      config: ctx.config, configFile: ctx.configFile, backend, type, baseModel, name: a.flags.name as string | undefined, data, hyperparameters: hp,
      lora: a.flags.lora === true, rewardsFile: a.flags.rewards as string | undefined, judge: a.flags.judge as string | undefined, agent: a.flags.agent as string | undefined,
      outputDir: a.flags['output-dir'] as string | undefined, resume, python: trainerPython(trainerDir), trainerDir,
    });
  } catch (e) {
    if (e instanceof HyperparameterError) throw new UsageError(`${e.message}\nnothing was uploaded`);
    throw e;
  }
  const price = numberFlag(a.flags, 'price-per-mtok');
  const estimate = estimateSubmission({ type, data: setup.data, hyperparameters: setup.options.hyperparameters, pricePerMTokens: price });
  out(`training job ${setup.jobId}: ${type} on ${baseModel} via ${backend.type} backend '${backend.id}'`);
  if (!datasetFile) out(formatSummary(data.summary));
  out(formatEstimate(estimate));
  for (const n of setup.notes) out(n);
  if (!a.flags.yes && !(await confirm(`Upload ${setup.data.train.length + setup.data.validation.length} samples and start the job?`))) {
    process.stderr.write(process.stdin.isTTY ? 'cancelled: nothing was uploaded\n' : 'not confirmed: nothing was uploaded (pass --yes to submit without a prompt)\n');
    return 1;
  }
  const id = await submitTrainingJob({
    ...setup.options, jobId: setup.jobId, backend, token, data: setup.data, pricePerMTokens: price,
    trainerDir,
    graderModel: a.flags['grader-model'] as string | undefined,
    secrets: secretValues(),
  }, (note) => out(`note: ${note}`));
  out(`submitted: ${id}`);
  out(`follow it: userlm train logs ${id} --backend ${backend.id} --follow`);
  return 0;
}

/** Values of the environment's variables that look like secrets: never in an upload. */
function secretValues(): string[] {
  return Object.entries(process.env).filter(([k]) => /KEY|TOKEN|SECRET|PASSWORD/i.test(k)).map(([, v]) => v ?? '').filter((v) => v.length >= 8);
}

function requireId(a: ParsedArgs, what: string): string {
  const id = a.positional[0];
  if (!id) throw new UsageError(`give the job id to ${what}`);
  return id;
}

/** The last `n` non-empty lines of a log. */
export function logTail(logs: string, n: number): string {
  return logs.split('\n').filter((l) => l.trim()).slice(-n).map((l) => `  ${l}`).join('\n');
}

function describe(j: JobInfo): string {
  return `${j.id}: ${j.status}${j.result ? ` → ${j.result}` : ''}${j.message ? ` — ${j.message}` : ''}`;
}

async function status(a: ParsedArgs, backend: TrainingBackend): Promise<number> {
  const id = requireId(a, 'show');
  const token = trainingToken(backend, trustedSecret);
  const j = await getJobInfo(backend, token, id);
  out(describe(j));
  if (backend.type === 'ray') out(j.artifacts ? `artifacts: ${j.artifacts}` : 'artifacts: in the job\'s temporary working folder on the cluster (submitted without an artifacts folder)');
  if (j.resumedFrom) out(`resumed from: ${j.resumedFrom}`);
  if (!j.failed) return 0;
  out('last lines of the log:');
  out(logTail(await getJobLog(backend, token, id), 20));
  return 1;
}

async function logs(a: ParsedArgs, backend: TrainingBackend): Promise<number> {
  const id = requireId(a, 'follow');
  const token = trainingToken(backend, trustedSecret);
  if (a.flags.follow !== true) {
    process.stdout.write(await getJobLog(backend, token, id));
    return 0;
  }
  const j = await followJob(backend, token, id, (t) => process.stdout.write(t));
  out(`job ${describe(j)}`);
  return j.succeeded ? 0 : 1;
}

async function metrics(a: ParsedArgs, backend: TrainingBackend): Promise<number> {
  const id = requireId(a, 'show the metrics of');
  const text = formatMetrics(parseProgress(await getJobLog(backend, trainingToken(backend, trustedSecret), id)));
  out(text || `${id}: no progress lines yet (the job logs one per logging step)`);
  return 0;
}

async function pull(a: ParsedArgs, backend: TrainingBackend): Promise<number> {
  const id = requireId(a, 'pull');
  if (backend.type !== 'ray') throw new UsageError(`train pull is for Ray backends; an OpenAI job's result is the model named in \`userlm train status ${id}\``);
  const j = await getJobInfo(backend, trainingToken(backend, trustedSecret), id);
  if (!j.artifacts) throw new Error(`${id} was submitted without an artifacts folder: its outputs stayed in Ray's temporary working folder`);
  if (!j.terminal) out(`note: ${id} is ${j.status}; pulling what is there now`);
  const dest = resolve((a.flags.out as string | undefined) ?? id);
  const trainerDir = findTrainerDir();
  const r = pullArtifacts(j.artifacts, dest, { python: trainerPython(trainerDir), trainerDir });
  out(`pulled ${r.files.length} files from ${j.artifacts} into ${r.out}`);
  for (const f of r.files) out(`  ${f}`);
  return 0;
}

async function cancel(a: ParsedArgs, backend: TrainingBackend): Promise<number> {
  const id = requireId(a, 'cancel');
  out(`${id}: ${await cancelJob(backend, trainingToken(backend, trustedSecret), id)}`);
  return 0;
}

async function list(backend: TrainingBackend): Promise<number> {
  const jobs = await listJobInfos(backend, trainingToken(backend, trustedSecret));
  for (const j of jobs) out(`${j.id}\t${j.status}\t${j.type ?? ''}\t${j.model ?? ''}`);
  if (!jobs.length) out('no jobs');
  return 0;
}

export const trainCommand: Command = {
  usage: 'submit|status|logs|metrics|pull|cancel|list [--backend ID] ...',
  summary: 'Submit and follow training jobs (Ray cluster or OpenAI fine-tuning)',
  async run(args) {
    const [sub, ...rest] = args;
    const help = `usage:
  userlm train submit --backend ID --type sft|grpo --base-model M (--runs RUN... | --dataset FILE)
                      [--rewards FILE] [--judge BACKEND] [--agent BACKEND] [--hp k=v,...] [--lora] [--name N]
                      [--output-dir DIR] [--min-total X]
                      [--split 0.9] [--seed N] [--price-per-mtok P] [--grader-model M] [--yes]
  userlm train submit ... --resume JOB        continue from the last checkpoint of an earlier job
  userlm train status JOB [--backend ID]
  userlm train logs JOB [--backend ID] [--follow]
  userlm train metrics JOB [--backend ID]     reward components over the steps
  userlm train pull JOB [--out DIR] [--backend ID]
  userlm train cancel JOB [--backend ID]
  userlm train list [--backend ID]
`;
    if (!sub || sub === '--help' || sub === 'help') { process.stdout.write(help); return sub ? 0 : 2; }
    // `--runs a b c` is the positional list: rewrite it so the parser sees plain positionals.
    const normalized = rest.map((x) => (x === '--runs' ? '--' : x));
    const cut = normalized.indexOf('--');
    const argv = cut >= 0 ? [...normalized.slice(0, cut), ...moveFlagsBefore(normalized.slice(cut + 1))] : normalized;
    const a = parseArgs(argv, { values: SUBMIT_VALUES, booleans: ['yes', 'follow', 'lora', TRUST_FLAG] });
    if (a.flags.help) { process.stdout.write(help); return 0; }
    const ctx = await workspace();
    trustedSecret = cliSecrets(ctx.root, a.flags);
    switch (sub) {
      case 'submit': return submit(a, ctx);
      case 'status': return status(a, findTrainingBackend(ctx.config, a.flags.backend as string | undefined));
      case 'logs': return logs(a, findTrainingBackend(ctx.config, a.flags.backend as string | undefined));
      case 'metrics': return metrics(a, findTrainingBackend(ctx.config, a.flags.backend as string | undefined));
      case 'pull': return pull(a, findTrainingBackend(ctx.config, a.flags.backend as string | undefined));
      case 'cancel': return cancel(a, findTrainingBackend(ctx.config, a.flags.backend as string | undefined));
      case 'list': return list(findTrainingBackend(ctx.config, a.flags.backend as string | undefined));
      default: throw new UsageError(`unknown subcommand '${sub}' (submit, status, logs, metrics, pull, cancel, list)`);
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
