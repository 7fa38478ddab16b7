// OpenAI's fine-tuning API (secondary backend; it stops taking new jobs in 2027) through the
// `openai` SDK: upload files, supervised jobs, reinforcement jobs with a `multi` grader compiled
// from the reward spec, job status, events and cancel.
import OpenAI, { toFile } from 'openai';
import type { RlSample } from '../datasets';
import type { MultiGrader } from './grader';
import type { ProfileFields, Scenario } from '../generated/schema-types';
import { judgeContextLines } from '../rewards/judge';
import { dialogueOfMessages } from '../simulate/messages';

export interface OpenAIFtOptions {
  /** Base URL including `/v1` (default https://api.openai.com/v1). */
  baseURL?: string;
  apiKey: string;
  maxRetries?: number;
  timeoutMs?: number;
}

export interface FtJob {
  id: string;
  status: string;
  model: string;
  fine_tuned_model?: string | null;
  created_at: number;
  finished_at?: number | null;
  error?: { code?: string; message?: string } | null;
  trained_tokens?: number | null;
  method?: { type?: string };
}

export interface FtEvent { id: string; created_at: number; level: string; message: string; data?: unknown }

export interface FtCreate {
  model: string;
  trainingFile: string;
  validationFile?: string;
  suffix?: string;
  seed?: number;
  metadata?: Record<string, string>;
  hyperparameters?: Record<string, number | 'auto'>;
}

export class OpenAIFineTuning {
  readonly client: OpenAI;

  constructor(opts: OpenAIFtOptions) {
    this.client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, maxRetries: opts.maxRetries ?? 2, timeout: opts.timeoutMs ?? 60_000 });
  }

  /** Uploads a JSONL file with purpose `fine-tune`; returns the file id. */
  async uploadFile(name: string, data: Buffer | string): Promise<string> {
    const file = await this.client.files.create({ file: await toFile(Buffer.from(data), name), purpose: 'fine-tune' });
    return file.id;
  }

  async createSupervised(o: FtCreate): Promise<FtJob> {
    return this.create(o, { type: 'supervised', supervised: { hyperparameters: o.hyperparameters ?? {} } });
  }

  async createReinforcement(o: FtCreate & { grader: MultiGrader }): Promise<FtJob> {
    return this.create(o, { type: 'reinforcement', reinforcement: { grader: o.grader, hyperparameters: o.hyperparameters ?? {} } });
  }

  private async create(o: FtCreate, method: Record<string, unknown>): Promise<FtJob> {
    const body = {
      model: o.model,
      training_file: o.trainingFile,
      ...(o.validationFile ? { validation_file: o.validationFile } : {}),
      ...(o.suffix ? { suffix: o.suffix } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.metadata ? { metadata: o.metadata } : {}),
      method,
    };
    return (await this.client.fineTuning.jobs.create(body as unknown as OpenAI.FineTuning.JobCreateParams)) as unknown as FtJob;
  }

  async retrieve(id: string): Promise<FtJob> {
    return (await this.client.fineTuning.jobs.retrieve(id)) as unknown as FtJob;
  }

  async list(limit = 20): Promise<FtJob[]> {
    const page = await this.client.fineTuning.jobs.list({ limit });
    return page.data as unknown as FtJob[];
  }

  async cancel(id: string): Promise<FtJob> {
    return (await this.client.fineTuning.jobs.cancel(id)) as unknown as FtJob;
  }

  /** The job's events, oldest first. */
  async events(id: string, limit = 100): Promise<FtEvent[]> {
    const page = await this.client.fineTuning.jobs.listEvents(id, { limit });
    return (page.data as unknown as FtEvent[]).slice().reverse().sort((a, b) => a.created_at - b.created_at); // the API lists newest first
  }
}

export const FT_TERMINAL = ['succeeded', 'failed', 'cancelled'];

/** The profile, scenario and dialogue so far as text, for score_model graders (`{{item.judge_context}}`). */
export function judgeContextText(s: RlSample): string {
  const { scenario, profile } = s.context;
  const lines = judgeContextLines(profile as ProfileFields, scenario as Scenario);
  lines.push('', 'DIALOGUE:');
  dialogueOfMessages(s.prompt).forEach((t, i) => lines.push(`[${i}] ${t.speaker.toUpperCase()}: ${t.text}`));
  return lines.join('\n');
}

/** RL samples as reinforcement fine-tuning rows: `messages` plus the fields the graders read. */
export function reinforcementRows(samples: RlSample[]): Record<string, unknown>[] {
  return samples.map((s) => ({ messages: s.prompt, context: s.context, judge_context: judgeContextText(s) }));
}
