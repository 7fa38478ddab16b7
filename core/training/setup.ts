// Setting up a training job before anything is uploaded, one way for the CLI and the editor:
// hyperparameters checked against the shared schema, the reward spec, judge and agent resolved,
// token lengths measured (the model's tokenizer when the base model is a local folder and the
// trainer's Python is here, else an estimate) with `max_length` set from the data, multi-turn
// rows built, the job id and its artifacts folder chosen.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { RewardSpec, TrainingBackend, Workspace } from '../generated/schema-types';
import { estimateTokens, toJsonl, type ExportResult, type RlSample, type SftSample } from '../datasets';
import { loadYamlFile, resolveFrom } from '../model/load';
import { artifactsDir, type JobType, type TrainJobOptions } from './job';
import { checkHyperparameters, hpValue, HyperparameterError, roundProblem } from './hyperparameters';
import { dialogueRows, type DialogueAgent } from './dialogue';
import { judgeRefFor } from './index';

export interface JobSetupInput {
  config?: Workspace;
  /** userlm.yaml (resolves `defaults.rewards`). */
  configFile?: string;
  backend: TrainingBackend;
  type: JobType;
  baseModel: string;
  name?: string;
  data: ExportResult;
  hyperparameters: Record<string, unknown>;
  /** `--lora`: LoRA with the default settings unless `lora` is among the hyperparameters. */
  lora?: boolean;
  /** A reward spec file (else `defaults.rewards`). */
  rewardsFile?: string;
  /** Judge backend id (else `defaults.judge`). */
  judge?: string;
  /** Agent backend id for multi-turn GRPO with `agent=endpoint`. */
  agent?: string;
  /** Artifacts root for this submission (else the backend's `artifacts`). */
  outputDir?: string;
  /** An earlier job of this backend to continue from, with its artifacts folder. */
  resume?: { id: string; artifacts?: string };
  /** The trainer's Python (with transformers) to measure token lengths with the model's tokenizer. */
  python?: string;
  /** trainer/ (its parent is the working folder for `python -m trainer.lengths`). */
  trainerDir?: string;
}

export interface LengthReport {
  /** `tokenizer` (measured) or `estimate` (4 characters a token plus the chat markup). */
  method: 'tokenizer' | 'estimate';
  longest: number;
  shortest: number;
  /** Samples longer than max_length (SFT drops them). */
  tooLong: number;
}

export interface JobSetup {
  jobId: string;
  options: TrainJobOptions;
  data: ExportResult;
  lengths: LengthReport;
  /** Lines to show before the confirmation (where artifacts go, max_length chosen, warnings). */
  notes: string[];
}

/** Reads a reward spec: the given file, else `defaults.rewards`. */
export function loadRewardSpec(config: Workspace | undefined, configFile: string | undefined, file?: string): RewardSpec {
  const path = file ? resolve(file) : config?.defaults?.rewards && configFile ? resolveFrom(configFile, config.defaults.rewards) : undefined;
  if (!path) throw new Error('a grpo job needs a reward spec: --rewards FILE, or defaults.rewards in userlm.yaml');
  const loaded = loadYamlFile(path);
  if (loaded.kind !== 'rewards') throw new Error(`${path} is not a reward spec (kind: rewards)`);
  return loaded.value as RewardSpec;
}

export function newJobId(type: JobType): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `userlm-${type}-${stamp}-${randomBytes(3).toString('hex')}`;
}

const CHAT_MARKUP_TOKENS = 4; // per message: role markers and separators

function sampleMessages(s: SftSample | RlSample): { role: string; content: string }[] {
  return 'messages' in s ? s.messages : s.prompt;
}

/** Token lengths of the samples (SFT: the whole chat; GRPO: the prompt), measured or estimated. */
export function measureLengths(samples: readonly (SftSample | RlSample)[], baseModel: string, python?: string, trainerDir?: string): { method: LengthReport['method']; lengths: number[]; why?: string } {
  const local = isAbsolute(baseModel) || baseModel.startsWith('.') ? resolve(baseModel) : undefined;
  if (local && python && trainerDir && existsSync(python) && (existsSync(join(local, 'tokenizer.json')) || existsSync(join(local, 'tokenizer_config.json')))) {
    const r = spawnSync(python, ['-m', 'trainer.lengths', '--tokenizer', local], { cwd: dirname(trainerDir), input: toJsonl(samples.map((s) => ({ messages: sampleMessages(s) }))), encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status === 0) {
      const lengths = JSON.parse(r.stdout) as number[];
      if (lengths.length === samples.length) return { method: 'tokenizer', lengths };
    }
    return { method: 'estimate', lengths: estimated(samples), why: `the tokenizer in ${local} could not be used (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})` };
  }
  return { method: 'estimate', lengths: estimated(samples) };
}

function estimated(samples: readonly (SftSample | RlSample)[]): number[] {
  return samples.map((s) => sampleMessages(s).reduce((n, m) => n + estimateTokens(m.content) + CHAT_MARKUP_TOKENS, 0));
}

/** Everything checked and decided before the confirmation; throws (HyperparameterError, Error) on what cannot run. */
export async function setUpJob(input: JobSetupInput): Promise<JobSetup> {
  const { backend, type } = input;
  const notes: string[] = [];
  const hp: Record<string, unknown> = { ...input.hyperparameters };
  if (input.lora && hp.lora === undefined) hp.lora = true;
  checkHyperparameters(hp, type);
  const opts: TrainJobOptions = { type, baseModel: input.baseModel, name: input.name, hyperparameters: hp };

  let data = input.data;
  if (!data.train.length) throw new Error('the dataset has no training samples (check --min-total and the runs)');
  if (type === 'grpo') {
    opts.rewardSpec = loadRewardSpec(input.config, input.configFile, input.rewardsFile);
    const judgeId = input.judge ?? input.config?.defaults?.judge;
    if (judgeId && backend.type === 'ray') {
      const jb = (input.config?.backends ?? []).find((b) => b.id === judgeId);
      if (!jb) throw new Error(`judge '${judgeId}': no such backend in userlm.yaml`);
      opts.judge = judgeRefFor(jb);
    }
    if (hp.rollout === 'dialogue') {
      if (backend.type !== 'ray') throw new HyperparameterError([`hyperparameters.rollout: dialogue rollouts run in trainer/ on a Ray backend; '${backend.id}' is ${backend.type}`]);
      const agent = hpValue(hp, 'agent') as DialogueAgent;
      if (agent === 'endpoint') {
        if (!input.agent) throw new HyperparameterError(['hyperparameters.agent: endpoint needs the agent backend (--agent BACKEND)']);
        const ab = (input.config?.backends ?? []).find((b) => b.id === input.agent);
        if (!ab) throw new Error(`agent '${input.agent}': no such backend in userlm.yaml`);
        opts.agentEndpoint = judgeRefFor(ab);
      }
      const build = (rows: readonly (SftSample | RlSample)[]) => dialogueRows(rows as RlSample[], { agent, maxTurns: hpValue(hp, 'max_turns')!, seed: hpValue(hp, 'seed')!, config: input.config });
      const train = await build(data.train);
      if (!train.length) throw new Error('rollout=dialogue: no dialogue starts in the dataset (no first user turn); export the runs again with --format rl');
      const validation = await build(data.validation);
      data = { ...data, train, validation } as unknown as ExportResult;
      notes.push(`multi-turn GRPO: ${train.length} dialogues (${validation.length} for validation) against the ${agent} agent, up to ${hpValue(hp, 'max_turns')} user turns each`);
    }
    const tooFew = backend.type === 'ray' ? roundProblem(hp, data.train.length) : undefined;
    if (tooFew) throw new HyperparameterError([tooFew]);
  }

  const measured = measureLengths([...data.train, ...data.validation], input.baseModel, input.python, input.trainerDir);
  const lengths: LengthReport = { method: measured.method, longest: Math.max(...measured.lengths), shortest: Math.min(...measured.lengths), tooLong: 0 };
  const how = measured.method === 'tokenizer' ? 'measured with the model\'s tokenizer' : `estimated${measured.why ? `: ${measured.why}` : ' (the base model is not a local folder with a tokenizer here)'}`;
  if (type === 'sft') {
    if (hp.max_length === undefined) {
      const chosen = Math.ceil((lengths.longest * (measured.method === 'estimate' ? 1.15 : 1)) / 64) * 64;
      hp.max_length = chosen;
      notes.push(`max_length: ${chosen} (the longest sample is ${lengths.longest} tokens, ${how})`);
    } else {
      const max = hp.max_length as number;
      lengths.tooLong = measured.lengths.filter((n) => n > max).length;
      if (lengths.tooLong === measured.lengths.length) {
        throw new HyperparameterError([`hyperparameters.max_length: no sample fits in ${max} tokens (the shortest is ${lengths.shortest}, the longest ${lengths.longest}, ${how}); raise max_length or leave it out to set it from the data`]);
      }
      if (lengths.tooLong) notes.push(`warning: ${lengths.tooLong} of ${measured.lengths.length} samples are longer than max_length ${max} and will be dropped (longest ${lengths.longest} tokens, ${how})`);
    }
  } else {
    notes.push(`prompts: up to ${lengths.longest} tokens (${how})`);
  }

  const jobId = newJobId(type);
  const root = input.outputDir ?? backend.artifacts;
  if (backend.type === 'ray') {
    if (root) {
      opts.outputDir = artifactsDir(root, jobId);
      notes.push(`artifacts: ${opts.outputDir}`);
    } else {
      notes.push('warning: artifacts stay in Ray\'s temporary working folder of the job; set `artifacts:` on the training backend (a shared path or a storage URI) or pass --output-dir to keep them');
    }
    if (backend.resources && Object.keys(backend.resources).length) opts.resources = { ...backend.resources };
  }
  if (input.resume) {
    if (!input.resume.artifacts) throw new Error(`--resume ${input.resume.id}: that job did not record where its artifacts are (it was not submitted with an artifacts folder), so there is no checkpoint to continue from`);
    opts.resumeFrom = input.resume.artifacts;
    notes.push(`resumes from the last checkpoint of ${input.resume.id} (${input.resume.artifacts})`);
  }
  return { jobId, options: opts, data, lengths, notes };
}
