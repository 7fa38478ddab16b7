// The training job as it travels to a backend: job.json for `python -m trainer`, the working
// directory package (trainer sources + datasets + job.json), summaries and cost estimates.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { RewardSpec, TrainingBackend } from '../generated/schema-types';
import { BUILT_IN_RUBRICS } from '../rewards/judge';
import type { ZipEntry } from './zip';
import { HYPERPARAMETER_SCHEMA } from './hyperparameters';

export type JobType = 'sft' | 'grpo';

export interface JudgeRef {
  base_url: string;
  model: string;
  /** Name of the environment variable holding the key on the cluster (never the key). */
  api_key_env?: string;
}

export interface TrainJobOptions {
  type: JobType;
  baseModel: string;
  name?: string;
  /** Checked against schemas/hyperparameters.schema.json (`lora`, `dtype`, `rollout`, ... included). */
  hyperparameters?: Record<string, unknown>;
  rewardSpec?: RewardSpec;
  judge?: JudgeRef;
  /** Multi-turn GRPO with `agent=endpoint`: the OpenAI-compatible agent the policy talks to. */
  agentEndpoint?: JudgeRef;
  /**
   * Where this job's artifacts go: a folder on the cluster or a storage URI (`s3://…`), normally
   * `<backend artifacts>/<job id>` (see `artifactsDir`). Default: `output` in the job's working directory.
   */
  outputDir?: string;
  /** The artifacts of an earlier job whose last checkpoint this one continues from (`--resume`). */
  resumeFrom?: string;
  /** Resources the trainer asks Ray for, per worker (the backend's `resources`). */
  resources?: { cpus?: number; gpus?: number };
}

/** Paths inside the package. */
export const PACKAGE_PATHS = { job: 'job.json', train: 'data/train.jsonl', validation: 'data/validation.jsonl', output: 'output', schema: 'schemas/hyperparameters.schema.json' } as const;
/** Our entrypoint: the trainer asks Ray for the job's resources itself, so a waiting job can always be stopped. */
export const TRAINER_ENTRYPOINT = `python -m trainer --job ${PACKAGE_PATHS.job} --ray`;

/** A job's own artifacts folder under a backend's `artifacts` root (a path or a storage URI). */
export function artifactsDir(root: string, jobId: string): string {
  return `${root.replace(/\/+$/, '')}/${jobId}`;
}

/** The reward spec with each judge component's rubric filled in (the TypeScript rubrics are the one source). */
export function specWithRubrics(spec: RewardSpec): RewardSpec {
  return {
    ...spec,
    components: spec.components.map((c) => (c.kind === 'judge' && !c.rubric && BUILT_IN_RUBRICS[c.name] ? { ...c, rubric: BUILT_IN_RUBRICS[c.name] } : c)) as RewardSpec['components'],
  };
}

/** job.json for `python -m trainer --job job.json` (see trainer/job.py). */
export function buildJobJson(opts: TrainJobOptions, hasValidation: boolean): Record<string, unknown> {
  if (opts.type === 'grpo' && !opts.rewardSpec) throw new Error('a grpo job needs a reward spec');
  const job: Record<string, unknown> = {
    type: opts.type,
    name: opts.name ?? `userlm-${opts.type}`,
    base_model: opts.baseModel,
    datasets: hasValidation ? { train: PACKAGE_PATHS.train, validation: PACKAGE_PATHS.validation } : { train: PACKAGE_PATHS.train },
    output_dir: opts.outputDir ?? PACKAGE_PATHS.output,
    hyperparameters: opts.hyperparameters ?? {},
  };
  if (opts.type === 'grpo') job.reward_spec = specWithRubrics(opts.rewardSpec!);
  if (opts.judge) job.judge = opts.judge;
  if (opts.agentEndpoint) job.agent = opts.agentEndpoint;
  if (opts.resumeFrom) job.resume_from = opts.resumeFrom;
  if (opts.resources && Object.keys(opts.resources).length) job.resources = opts.resources;
  return job;
}

/** Every file of the trainer package (sources and requirements; no tests, caches or bytecode). */
export function trainerEntries(trainerDir: string): ZipEntry[] {
  const out: ZipEntry[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        if (name === '__pycache__' || name === 'tests' || name.startsWith('.')) continue;
        walk(full);
      } else if (/\.(py|txt)$/.test(name)) {
        out.push({ path: `trainer/${relative(trainerDir, full).split(sep).join('/')}`, data: readFileSync(full) });
      }
    }
  };
  walk(trainerDir);
  if (!out.some((e) => e.path === 'trainer/__main__.py')) throw new Error(`${trainerDir} is not the trainer package (no __main__.py)`);
  return out;
}

export interface PackageInput {
  trainerDir?: string;
  /** schemas/hyperparameters.schema.json (the trainer checks the hyperparameters against it). */
  hyperparameterSchema?: string;
  job: Record<string, unknown>;
  train: Buffer | string;
  validation?: Buffer | string;
}

/** The working directory for Ray: trainer/ (when given), data/, job.json. */
export function packageEntries(input: PackageInput): ZipEntry[] {
  const entries: ZipEntry[] = input.trainerDir ? trainerEntries(input.trainerDir) : [];
  if (input.trainerDir) entries.push({ path: PACKAGE_PATHS.schema, data: Buffer.from(input.hyperparameterSchema ?? JSON.stringify(HYPERPARAMETER_SCHEMA, null, 2) + '\n') });
  entries.push({ path: PACKAGE_PATHS.job, data: Buffer.from(JSON.stringify(input.job, null, 2) + '\n') });
  entries.push({ path: PACKAGE_PATHS.train, data: Buffer.from(input.train) });
  if (input.validation !== undefined) entries.push({ path: PACKAGE_PATHS.validation, data: Buffer.from(input.validation) });
  return entries;
}

/** Throws when any secret value occurs in any entry: nothing secret may leave this machine in a package. */
export function assertNoSecrets(entries: ZipEntry[], secrets: (string | undefined)[]): void {
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const e of entries) {
      if (e.data.includes(s)) throw new Error(`refusing to upload: ${e.path} contains a secret value (an API key or token)`);
    }
  }
}

/** The Ray entrypoint of a backend: ours, or the user's own command (verl, custom). */
export function entrypointFor(backend: Pick<TrainingBackend, 'entrypoint' | 'command' | 'id'>): string {
  const kind = backend.entrypoint ?? 'trainer';
  if (kind === 'trainer') return TRAINER_ENTRYPOINT;
  if (!backend.command) throw new Error(`training backend '${backend.id}' has entrypoint '${kind}' but no \`command\` to run`);
  return backend.command;
}

export interface JobEstimate {
  samples: number;
  datasetTokens: number;
  /** Tokens the training processes (all epochs; for GRPO the sampled completions too). */
  trainingTokens: number;
  /** Cost in dollars when a price per million training tokens is known. */
  cost?: number;
}

export function estimateJob(o: { type: JobType; samples: number; datasetTokens: number; epochs?: number; numGenerations?: number; maxCompletionLength?: number; pricePerMTokens?: number }): JobEstimate {
  const epochs = o.epochs ?? 1;
  const trainingTokens = o.type === 'sft'
    ? Math.ceil(o.datasetTokens * epochs)
    : Math.ceil(epochs * (o.numGenerations ?? 4) * (o.datasetTokens + o.samples * (o.maxCompletionLength ?? 256)));
  const est: JobEstimate = { samples: o.samples, datasetTokens: o.datasetTokens, trainingTokens };
  if (o.pricePerMTokens !== undefined) est.cost = Math.round((trainingTokens / 1e6) * o.pricePerMTokens * 100) / 100;
  return est;
}

export function formatEstimate(e: JobEstimate): string {
  const cost = e.cost === undefined ? 'not estimated (no price per million tokens given)' : `about $${e.cost.toFixed(2)}`;
  return `samples: ${e.samples}\nestimated dataset tokens: ${e.datasetTokens}\nestimated training tokens: ${e.trainingTokens}\nestimated cost: ${cost}`;
}
