// One API for the CLI and the editor: estimate, submit, and follow training jobs on either backend.
import type { RewardSpec, TrainingBackend } from '../generated/schema-types';
import { toJsonl, type ExportResult, type RlSample, type SftSample } from '../datasets';
import { RayJobsClient, TERMINAL_STATUSES } from './ray';
import { OpenAIFineTuning, FT_TERMINAL, reinforcementRows } from './openai-ft';
import { buildZip } from './zip';
import { assertNoSecrets, buildJobJson, entrypointFor, estimateJob, packageEntries, type JobEstimate, type TrainJobOptions } from './job';
import { compileGrader, readGraderLibrary } from './grader';
import { newJobId } from './setup';

export interface SubmitRequest extends TrainJobOptions {
  /** The job id to use (Ray submission id), e.g. from `setUpJob`; default: a new one. */
  jobId?: string;
  backend: TrainingBackend;
  /** The backend's token, already resolved from its `token` reference. */
  token?: string;
  data: ExportResult;
  /** trainer/ folder: the package of a Ray job with `entrypoint: trainer`; its reward modules are an OpenAI GRPO job's python graders. */
  trainerDir?: string;
  /** Score model for judge components in OpenAI graders. Default gpt-4.1-mini. */
  graderModel?: string;
  /** More values that must never be uploaded (e.g. every secret the caller knows). */
  secrets?: string[];
  pricePerMTokens?: number;
}

export function estimateSubmission(req: Pick<SubmitRequest, 'type' | 'data' | 'hyperparameters' | 'pricePerMTokens'>): JobEstimate {
  const hp = req.hyperparameters ?? {};
  const num = (k: string) => (typeof hp[k] === 'number' ? (hp[k] as number) : undefined);
  return estimateJob({
    type: req.type, samples: req.data.train.length, datasetTokens: req.data.summary.estimatedTokens,
    epochs: num('num_train_epochs'), numGenerations: num('num_generations'), maxCompletionLength: num('max_completion_length'),
    pricePerMTokens: req.pricePerMTokens,
  });
}

/** Uploads the data and starts the job; returns the job id (Ray submission id or OpenAI job id). */
export async function submitTrainingJob(req: SubmitRequest, note: (text: string) => void = () => {}): Promise<string> {
  if (!req.data.train.length) throw new Error('the dataset has no training samples');
  return req.backend.type === 'ray' ? submitRay(req) : submitOpenAI(req, note);
}

async function submitRay(req: SubmitRequest): Promise<string> {
  const { backend, data, type } = req;
  if (!backend.address) throw new Error(`training backend '${backend.id}' needs an address (the Ray dashboard, e.g. http://127.0.0.1:8265)`);
  const ours = (backend.entrypoint ?? 'trainer') === 'trainer';
  if (ours && !req.trainerDir) throw new Error('the trainer package folder is needed to submit a `trainer` job');
  const entries = packageEntries({
    trainerDir: ours ? req.trainerDir : undefined,
    job: buildJobJson(ours ? req : { ...req, resources: undefined }, data.validation.length > 0),
    train: toJsonl(data.train),
    validation: data.validation.length ? toJsonl(data.validation) : undefined,
  });
  assertNoSecrets(entries, [req.token, ...(req.secrets ?? [])]);
  const client = new RayJobsClient({ address: backend.address, token: req.token });
  const workingDir = await client.uploadPackage(buildZip(entries));
  return client.submitJob({
    entrypoint: entrypointFor(backend),
    submission_id: req.jobId ?? newJobId(type),
    runtime_env: { working_dir: workingDir },
    metadata: { userlm: 'train', type, base_model: req.baseModel, samples: String(data.train.length), backend: backend.id, ...(req.outputDir ? { artifacts: req.outputDir } : {}), ...(req.resumeFrom ? { resumed_from: req.resumeFrom } : {}) },
    // Our trainer asks Ray for the resources itself (so a waiting job can be stopped); other entrypoints reserve them here.
    ...(!ours && backend.resources?.gpus !== undefined ? { entrypoint_num_gpus: backend.resources.gpus } : {}),
    ...(!ours && backend.resources?.cpus !== undefined ? { entrypoint_num_cpus: backend.resources.cpus } : {}),
  });
}

async function submitOpenAI(req: SubmitRequest, note: (text: string) => void): Promise<string> {
  const { backend, data, type } = req;
  const ft = openaiClient(backend, req.token);
  const rows = (s: (SftSample | RlSample)[]) => (type === 'sft' ? s : reinforcementRows(s as RlSample[]));
  const secrets = [req.token, ...(req.secrets ?? [])];
  const upload = async (name: string, samples: (SftSample | RlSample)[]) => {
    const text = toJsonl(rows(samples));
    assertNoSecrets([{ path: name, data: Buffer.from(text) }], secrets);
    return ft.uploadFile(name, text);
  };
  const trainingFile = await upload('train.jsonl', data.train);
  const validationFile = data.validation.length ? await upload('validation.jsonl', data.validation) : undefined;
  const hyperparameters = Object.fromEntries(Object.entries(req.hyperparameters ?? {}).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
  const common = { model: req.baseModel, trainingFile, validationFile, suffix: req.name, metadata: { userlm: 'train', type }, hyperparameters };
  if (type === 'sft') return (await ft.createSupervised(common)).id;
  if (!req.rewardSpec) throw new Error('a grpo job needs a reward spec');
  if (!req.trainerDir) throw new Error("the trainer package folder is needed to compile the grader (its reward modules run as python graders)");
  const { grader, skipped } = compileGrader(req.rewardSpec as RewardSpec, { graderLibrary: readGraderLibrary(req.trainerDir), graderModel: req.graderModel ?? 'gpt-4.1-mini' });
  for (const s of skipped) note(`${s.name} left out of the grader: ${s.reason}`);
  return (await ft.createReinforcement({ ...common, grader })).id;
}

function openaiClient(backend: TrainingBackend, token: string | undefined): OpenAIFineTuning {
  if (!token) throw new Error(`training backend '${backend.id}' needs a token (the OpenAI API key, e.g. token: env:OPENAI_API_KEY)`);
  return new OpenAIFineTuning({ apiKey: token, baseURL: backend.address });
}

function rayClient(backend: TrainingBackend, token: string | undefined): RayJobsClient {
  if (!backend.address) throw new Error(`training backend '${backend.id}' needs an address`);
  return new RayJobsClient({ address: backend.address, token });
}

/** A job on either backend, in one shape. */
export interface JobInfo {
  id: string;
  /** The backend's own status word (Ray: PENDING…FAILED; OpenAI: validating_files…cancelled). */
  status: string;
  terminal: boolean;
  succeeded: boolean;
  failed: boolean;
  type?: string;
  model?: string;
  message?: string;
  /** Fine-tuned model name (OpenAI) when done. */
  result?: string;
  started?: number;
  /** Where the job writes its artifacts (Ray jobs submitted with an artifacts folder). */
  artifacts?: string;
  /** The job this one resumed from (its artifacts folder). */
  resumedFrom?: string;
}

/** The trainer's `{"event": "waiting", ...}` line without a later `started`: the job waits for resources. */
export function waitingFor(log: string): string | undefined {
  let waiting: string | undefined;
  for (const line of log.split('\n')) {
    if (!line.includes('"userlm_progress"') || !line.includes('"event"')) continue;
    try {
      const v = JSON.parse(line.slice(line.indexOf('{'))) as { event?: string; resources?: unknown };
      if (v.event === 'waiting') waiting = `waiting for resources: ${JSON.stringify(v.resources)}`;
      else if (v.event === 'started' || v.event === 'finished' || v.event === 'error') waiting = undefined;
    } catch { /* not a progress line */ }
  }
  return waiting;
}

export async function getJobInfo(backend: TrainingBackend, token: string | undefined, id: string): Promise<JobInfo> {
  if (backend.type === 'ray') {
    const client = rayClient(backend, token);
    const j = await client.getJob(id);
    const info: JobInfo = { id: j.submission_id, status: j.status, terminal: TERMINAL_STATUSES.includes(j.status), succeeded: j.status === 'SUCCEEDED', failed: j.status === 'FAILED', type: j.metadata?.type, model: j.metadata?.base_model, message: j.message ?? undefined, started: j.start_time ?? undefined, artifacts: j.metadata?.artifacts, resumedFrom: j.metadata?.resumed_from };
    if (j.status === 'RUNNING' && j.metadata?.userlm) {
      // Our trainer runs as soon as the job starts and then waits for its resources: to the user that is PENDING.
      const waiting = waitingFor(await client.getLogs(id));
      if (waiting) return { ...info, status: 'PENDING', message: waiting };
    }
    return info;
  }
  const j = await openaiClient(backend, token).retrieve(id);
  return { id: j.id, status: j.status, terminal: FT_TERMINAL.includes(j.status), succeeded: j.status === 'succeeded', failed: j.status === 'failed', type: j.method?.type, model: j.model, message: j.error?.message, result: j.fine_tuned_model ?? undefined, started: j.created_at * 1000 };
}

export async function listJobInfos(backend: TrainingBackend, token: string | undefined): Promise<JobInfo[]> {
  if (backend.type === 'ray') {
    const jobs = (await rayClient(backend, token).listJobs()).sort((x, y) => (y.start_time ?? 0) - (x.start_time ?? 0));
    return jobs.map((j) => ({ id: j.submission_id, status: j.status, terminal: TERMINAL_STATUSES.includes(j.status), succeeded: j.status === 'SUCCEEDED', failed: j.status === 'FAILED', type: j.metadata?.type, model: j.metadata?.base_model ?? j.entrypoint, message: j.message ?? undefined, started: j.start_time ?? undefined }));
  }
  return (await openaiClient(backend, token).list()).map((j) => ({ id: j.id, status: j.status, terminal: FT_TERMINAL.includes(j.status), succeeded: j.status === 'succeeded', failed: j.status === 'failed', type: j.method?.type, model: j.model, result: j.fine_tuned_model ?? undefined, started: j.created_at * 1000 }));
}

/** The whole log so far: Ray's driver log, or OpenAI's events as lines (oldest first). */
export async function getJobLog(backend: TrainingBackend, token: string | undefined, id: string): Promise<string> {
  if (backend.type === 'ray') return rayClient(backend, token).getLogs(id);
  const events = await openaiClient(backend, token).events(id);
  return events.map((e) => `${new Date(e.created_at * 1000).toISOString()} ${e.level} ${e.message}\n`).join('');
}

/**
 * Follows a job: calls `onText` with each new piece of its log until it ends (or `signal` aborts);
 * returns the final info. Progress lines (`"userlm_progress"`) can be read out with `parseProgress`.
 */
export async function followJob(backend: TrainingBackend, token: string | undefined, id: string, onText: (text: string) => void, opts: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<JobInfo> {
  let seen = 0;
  for (;;) {
    const info = await getJobInfo(backend, token, id);
    const log = await getJobLog(backend, token, id);
    if (log.length > seen) { onText(log.slice(seen)); seen = log.length; }
    if (info.terminal || opts.signal?.aborted) return info;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? (backend.type === 'ray' ? 1000 : 5000)));
  }
}

/**
 * Stops a Ray job or cancels an OpenAI job; waits (up to `waitMs`) until it has ended and returns
 * the status afterwards. Our trainer's jobs stop in every state, waiting for resources included;
 * a job Ray itself holds PENDING (another entrypoint with reserved resources) stops once Ray schedules it.
 */
export async function cancelJob(backend: TrainingBackend, token: string | undefined, id: string, opts: { waitMs?: number; intervalMs?: number } = {}): Promise<string> {
  if (backend.type === 'ray') {
    const client = rayClient(backend, token);
    const before = await client.getJob(id);
    if (TERMINAL_STATUSES.includes(before.status)) return `${before.status} (it had already ended)`;
    await client.stopJob(id);
    const deadline = Date.now() + (opts.waitMs ?? 30_000);
    for (;;) {
      const j = await client.getJob(id);
      if (TERMINAL_STATUSES.includes(j.status)) return j.status;
      if (Date.now() > deadline) {
        return j.status === 'PENDING'
          ? 'PENDING: Ray has not scheduled the job yet; the stop takes effect when it does (or Ray fails it after RAY_JOB_START_TIMEOUT_SECONDS)'
          : `${j.status}: stop requested; it has not ended yet`;
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
    }
  }
  return (await openaiClient(backend, token).cancel(id)).status;
}

export interface ProgressPoint { step: number; loss?: number; reward?: number; learning_rate?: number; tokens_per_s?: number; [metric: string]: number | undefined }

/** The trainer's progress lines in a piece of log (`{"userlm_progress": 1, "step", "loss", "reward/<component>", ...}`). */
export function parseProgress(text: string): ProgressPoint[] {
  const out: ProgressPoint[] = [];
  for (const line of text.split('\n')) {
    const at = line.indexOf('{"');
    if (at < 0 || !line.includes('"userlm_progress"')) continue;
    try {
      const v = JSON.parse(line.slice(at)) as Record<string, unknown>;
      if (typeof v.step !== 'number') continue;
      const p: ProgressPoint = { step: v.step };
      for (const [k, x] of Object.entries(v)) if (typeof x === 'number' && k !== 'userlm_progress') p[k] = x;
      out.push(p);
    } catch { /* not a progress line */ }
  }
  return out;
}
