// A local server on 127.0.0.1 speaking the OpenAI fine-tuning wire format: multipart file upload,
// fine-tuning jobs (supervised / reinforcement with a grader), retrieve, list, events, cancel.
// It validates request bodies the way the API does (400 with an `error` object) and records
// every request so tests can check what was sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest { method: string; path: string; headers: IncomingMessage['headers']; body: Buffer }
export interface StoredFile { id: string; filename: string; purpose: string; bytes: number; content: string }
export interface StoredJob { [k: string]: unknown; id: string; status: string; events: { id: string; created_at: number; level: string; message: string }[] }

const JOB_STEPS = ['validating_files', 'queued', 'running', 'succeeded'];

export class OpenAIFineTuneServer {
  readonly requests: RecordedRequest[] = [];
  readonly files = new Map<string, StoredFile>();
  readonly jobs = new Map<string, StoredJob>();
  private server?: Server;
  private seq = 0;
  url = '';

  constructor(readonly apiKey = 'sk-test-openai-ft') {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  private nextId(prefix: string): string {
    return `${prefix}-${String(++this.seq).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, body });
    const send = (status: number, obj: unknown) => {
      const data = JSON.stringify(obj);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
      res.end(data);
    };
    const fail = (status: number, message: string, param: string | null = null) =>
      send(status, { error: { message, type: 'invalid_request_error', param, code: null } });
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return fail(401, 'Incorrect API key provided.');
    try {
      const p = url.pathname;
      let m: RegExpExecArray | null;
      if (req.method === 'POST' && p === '/v1/files') return this.upload(req, body, send, fail);
      if (req.method === 'POST' && p === '/v1/fine_tuning/jobs') return this.createJob(body, send, fail);
      if (req.method === 'GET' && p === '/v1/fine_tuning/jobs') {
        const limit = Number(url.searchParams.get('limit') ?? 20);
        const data = [...this.jobs.values()].reverse().slice(0, limit).map(publicJob);
        return send(200, { object: 'list', data, has_more: false });
      }
      if ((m = /^\/v1\/fine_tuning\/jobs\/([^/]+)(\/cancel|\/events)?$/.exec(p))) {
        const job = this.jobs.get(m[1]);
        if (!job) return fail(404, `No such fine-tuning job: ${m[1]}`, 'fine_tuning_job_id');
        if (req.method === 'GET' && !m[2]) {
          const i = JOB_STEPS.indexOf(job.status);
          if (i >= 0 && i < JOB_STEPS.length - 1) this.advance(job, JOB_STEPS[i + 1]);
          return send(200, publicJob(job));
        }
        if (req.method === 'POST' && m[2] === '/cancel') {
          if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return fail(400, `Job ${job.id} has already ${job.status}.`);
          this.advance(job, 'cancelled');
          return send(200, publicJob(job));
        }
        if (req.method === 'GET' && m[2] === '/events') {
          const limit = Number(url.searchParams.get('limit') ?? 20);
          const data = [...job.events].reverse().slice(0, limit).map((e) => ({ object: 'fine_tuning.job.event', type: 'message', ...e }));
          return send(200, { object: 'list', data, has_more: false });
        }
      }
      return fail(404, `Unknown route ${req.method} ${p}`);
    } catch (e) {
      return fail(400, (e as Error).message);
    }
  }

  private advance(job: StoredJob, status: string): void {
    job.status = status;
    job.events.push({ id: this.nextId('ftevent'), created_at: Math.floor(Date.now() / 1000), level: 'info', message: `Job ${status.replace(/_/g, ' ')}` });
    if (status === 'succeeded') job.fine_tuned_model = `ft:${job.model}:userlm::${job.id.slice(-6)}`;
  }

  private upload(req: IncomingMessage, body: Buffer, send: (s: number, o: unknown) => void, fail: (s: number, m: string, p?: string) => void): void {
    const type = req.headers['content-type'] ?? '';
    const b = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
    if (!type.startsWith('multipart/form-data') || !b) return fail(400, 'files.create needs multipart/form-data');
    const parts = parseMultipart(body, b[1] ?? b[2]);
    const purpose = parts.find((x) => x.name === 'purpose')?.data.toString();
    const file = parts.find((x) => x.name === 'file');
    if (purpose !== 'fine-tune') return fail(400, `purpose must be 'fine-tune', got '${purpose}'`, 'purpose');
    if (!file || !file.filename) return fail(400, 'missing file', 'file');
    const content = file.data.toString('utf8');
    const lines = content.split('\n').filter((l) => l.trim());
    if (!lines.length) return fail(400, 'the file has no lines', 'file');
    lines.forEach((l, i) => {
      let row: unknown;
      try { row = JSON.parse(l); } catch { throw new Error(`Invalid file format: line ${i + 1} is not valid JSON`); }
      const msgs = (row as { messages?: unknown }).messages;
      if (!Array.isArray(msgs) || !msgs.length) throw new Error(`Invalid file format: line ${i + 1} has no 'messages'`);
      for (const m of msgs) if (!['system', 'developer', 'user', 'assistant'].includes((m as { role?: string }).role ?? '') || typeof (m as { content?: unknown }).content !== 'string') throw new Error(`Invalid file format: line ${i + 1} has a bad message`);
    });
    const stored: StoredFile = { id: this.nextId('file'), filename: file.filename, purpose, bytes: file.data.length, content };
    this.files.set(stored.id, stored);
    send(200, { object: 'file', id: stored.id, bytes: stored.bytes, created_at: Math.floor(Date.now() / 1000), filename: stored.filename, purpose, status: 'processed' });
  }

  private createJob(body: Buffer, send: (s: number, o: unknown) => void, fail: (s: number, m: string, p?: string) => void): void {
    const b = JSON.parse(body.toString()) as Record<string, any>;
    const known = new Set(['model', 'training_file', 'validation_file', 'suffix', 'seed', 'metadata', 'method', 'hyperparameters', 'integrations']);
    for (const k of Object.keys(b)) if (!known.has(k)) return fail(400, `Unrecognized request argument supplied: ${k}`, k);
    if (typeof b.model !== 'string' || !b.model) return fail(400, "Missing required parameter: 'model'.", 'model');
    const train = this.files.get(b.training_file);
    if (!train) return fail(400, `invalid training_file: ${b.training_file}`, 'training_file');
    if (b.validation_file !== undefined && !this.files.has(b.validation_file)) return fail(400, `invalid validation_file: ${b.validation_file}`, 'validation_file');
    const method = b.method;
    if (!method || !['supervised', 'dpo', 'reinforcement'].includes(method.type)) return fail(400, "method.type must be 'supervised', 'dpo' or 'reinforcement'", 'method.type');
    if (method.type === 'reinforcement') {
      const problem = checkGrader(method.reinforcement?.grader);
      if (problem) return fail(400, problem, 'method.reinforcement.grader');
      const last = JSON.parse(train.content.split('\n')[0]).messages.at(-1);
      if (last.role !== 'user' && last.role !== 'developer') return fail(400, 'reinforcement rows must end with a user or developer message', 'training_file');
    }
    if (method.type === 'supervised') {
      const first = JSON.parse(train.content.split('\n')[0]);
      if (first.messages.at(-1).role !== 'assistant') return fail(400, 'supervised rows must end with an assistant message', 'training_file');
    }
    if (b.metadata !== undefined) {
      for (const [k, v] of Object.entries(b.metadata)) if (typeof v !== 'string' || k.length > 64 || (v as string).length > 512) return fail(400, 'metadata values must be strings', 'metadata');
    }
    const job: StoredJob = {
      object: 'fine_tuning.job', id: this.nextId('ftjob'), model: b.model, created_at: Math.floor(Date.now() / 1000), finished_at: null,
      fine_tuned_model: null, organization_id: 'org-test', result_files: [], status: 'validating_files', training_file: b.training_file,
      validation_file: b.validation_file ?? null, trained_tokens: null, error: null, seed: b.seed ?? 42, suffix: b.suffix ?? null,
      metadata: b.metadata ?? null, method, hyperparameters: null, events: [],
    };
    job.events.push({ id: this.nextId('ftevent'), created_at: job.created_at as number, level: 'info', message: `Created fine-tuning job: ${job.id}` });
    this.jobs.set(job.id, job);
    send(200, publicJob(job));
  }
}

function publicJob(job: StoredJob): Record<string, unknown> {
  const { events: _e, ...rest } = job;
  return rest;
}

/** Why a reinforcement grader is invalid, or undefined. */
export function checkGrader(g: any): string | undefined {
  if (!g || typeof g !== 'object') return 'grader is required';
  if (g.type !== 'multi') return checkSubGrader(g, 'grader');
  if (typeof g.name !== 'string' || !g.graders || typeof g.graders !== 'object') return 'multi grader needs name and graders';
  const names = Object.keys(g.graders);
  if (!names.length) return 'multi grader has no graders';
  for (const n of names) {
    const problem = checkSubGrader(g.graders[n], `graders.${n}`);
    if (problem) return problem;
  }
  if (typeof g.calculate_output !== 'string' || !g.calculate_output) return 'multi grader needs calculate_output';
  for (const ident of g.calculate_output.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    if (!names.includes(ident)) return `calculate_output refers to '${ident}', which is not a grader`;
  }
  if (/[^A-Za-z0-9_ .+\-*/()]/.test(g.calculate_output)) return 'calculate_output has characters outside the formula language';
  return undefined;
}

function checkSubGrader(g: any, where: string): string | undefined {
  switch (g?.type) {
    case 'python':
      return typeof g.source === 'string' && /\ndef grade\(sample, item\)/.test(g.source) ? undefined : `${where}: python grader needs source with def grade(sample, item)`;
    case 'score_model':
      if (typeof g.model !== 'string' || !Array.isArray(g.input) || !g.input.length) return `${where}: score_model needs model and input`;
      if (g.range && !(Array.isArray(g.range) && g.range.length === 2 && g.range[0] < g.range[1])) return `${where}: range must be [min, max]`;
      return undefined;
    case 'string_check':
      return ['eq', 'ne', 'like', 'ilike'].includes(g.operation) && typeof g.input === 'string' && typeof g.reference === 'string' ? undefined : `${where}: bad string_check`;
    default:
      return `${where}: unknown grader type '${g?.type}'`;
  }
}

interface Part { name: string; filename?: string; data: Buffer }

function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body.slice(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    const chunk = body.slice(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headEnd = chunk.indexOf('\r\n\r\n');
    const head = chunk.slice(0, headEnd).toString();
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    parts.push({ name, filename, data: chunk.slice(headEnd + 4) });
    pos = next;
  }
  return parts;
}
