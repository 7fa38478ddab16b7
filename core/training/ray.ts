// A client for the Ray Jobs REST API (the dashboard, port 8265 by default), over node:http(s).
// Not fetch: undici always sends `Sec-Fetch-Mode`, and the dashboard refuses non-GET requests
// carrying it as "browser traffic" (405).
// Endpoints: GET /api/version; GET|PUT /api/packages/gcs/<name>; POST /api/jobs/;
// GET /api/jobs/; GET /api/jobs/<id>; GET /api/jobs/<id>/logs; POST /api/jobs/<id>/stop.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { buildZip, rayPackageName, type ZipEntry } from './zip';

export type RayJobStatus = 'PENDING' | 'RUNNING' | 'STOPPED' | 'SUCCEEDED' | 'FAILED';
export const TERMINAL_STATUSES: readonly RayJobStatus[] = ['STOPPED', 'SUCCEEDED', 'FAILED'];

export interface RayJob {
  submission_id: string;
  job_id?: string | null;
  status: RayJobStatus;
  entrypoint: string;
  message?: string | null;
  error_type?: string | null;
  start_time?: number | null;
  end_time?: number | null;
  metadata?: Record<string, string> | null;
  driver_exit_code?: number | null;
}

export interface RaySubmitRequest {
  entrypoint: string;
  submission_id?: string;
  runtime_env?: { working_dir?: string; env_vars?: Record<string, string>; [k: string]: unknown };
  metadata?: Record<string, string>;
  entrypoint_num_gpus?: number;
  entrypoint_num_cpus?: number;
}

/** A failed call to the Ray dashboard, with what to do about it in the message. */
export class RayError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

export interface RayClientOptions {
  /** Dashboard address, e.g. `http://127.0.0.1:8265`. */
  address: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  timeoutMs?: number;
  /** How long a submission waits for a job agent on a head that is still starting (Ray answers 500 "No available
   *  agent to submit job, please try again later"); default 60 s. */
  agentWaitMs?: number;
}

interface HttpResponse { status: number; text: string }

/** One HTTP request with a body; rejects with the socket error (ECONNREFUSED, ...) or on timeout. */
function send(url: string, method: string, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method, headers: body ? { ...headers, 'Content-Length': String(body.length) } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

export class RayJobsClient {
  private readonly base: string;

  constructor(private readonly opts: RayClientOptions) {
    this.base = opts.address.replace(/\/+$/, '');
  }

  async version(): Promise<{ ray_version: string; version: string }> {
    return (await this.call('GET', '/api/version')) as { ray_version: string; version: string };
  }

  /** Uploads the archive unless the cluster already has it; returns the `gcs://` URI for `working_dir`. */
  async uploadPackage(zip: Buffer): Promise<string> {
    const name = rayPackageName(zip);
    const path = `/api/packages/gcs/${name}`;
    const exists = await this.call('GET', path, undefined, { allow404: true });
    if (exists === NOT_FOUND) await this.call('PUT', path, zip);
    return `gcs://${name}`;
  }

  /** Zips the entries and uploads them; returns the `gcs://` URI. */
  async uploadWorkingDir(entries: ZipEntry[]): Promise<string> {
    return this.uploadPackage(buildZip(entries));
  }

  async submitJob(req: RaySubmitRequest): Promise<string> {
    // A head whose dashboard answers before its job agent has registered refuses the job and asks to try again:
    // nothing was created, so the same submission is sent again until an agent takes it.
    const waitMs = this.opts.agentWaitMs ?? 60_000;
    const deadline = Date.now() + waitMs;
    let res: { submission_id?: string; job_id?: string };
    for (;;) {
      try {
        res = (await this.call('POST', '/api/jobs/', req)) as { submission_id?: string; job_id?: string };
        break;
      } catch (e) {
        if (!(e instanceof RayError && e.status === 500 && /No available agent/i.test(e.message))) throw e;
        if (Date.now() > deadline) {
          throw new RayError(`the Ray cluster at ${this.base} has no job agent ready after ${Math.round(waitMs / 1000)} s (is the head still starting?): ${e.message}`, 500);
        }
        await sleep(500);
      }
    }
    const id = res.submission_id ?? res.job_id;
    if (!id) throw new RayError(`Ray at ${this.base} accepted the job but returned no submission_id`);
    return id;
  }

  async getJob(id: string): Promise<RayJob> {
    return (await this.call('GET', `/api/jobs/${encodeURIComponent(id)}`, undefined, { what: `job '${id}'` })) as RayJob;
  }

  async listJobs(): Promise<RayJob[]> {
    const res = await this.call('GET', '/api/jobs/');
    return Array.isArray(res) ? (res as RayJob[]) : Object.values(res as Record<string, RayJob>);
  }

  async getLogs(id: string): Promise<string> {
    const res = (await this.call('GET', `/api/jobs/${encodeURIComponent(id)}/logs`, undefined, { what: `job '${id}'` })) as { logs?: string };
    return res.logs ?? '';
  }

  async stopJob(id: string): Promise<boolean> {
    const res = (await this.call('POST', `/api/jobs/${encodeURIComponent(id)}/stop`, undefined, { what: `job '${id}'` })) as { stopped?: boolean };
    return res.stopped === true;
  }

  /** Polls until the job is in a terminal status (or the timeout passes) and returns it. */
  async waitForJob(id: string, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<RayJob> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
    for (;;) {
      const job = await this.getJob(id);
      if (TERMINAL_STATUSES.includes(job.status)) return job;
      if (Date.now() > deadline) throw new RayError(`job '${id}' is still ${job.status} after ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s`);
      await sleep(opts.intervalMs ?? 1000);
    }
  }

  private async call(method: string, path: string, body?: unknown, o: { allow404?: boolean; what?: string } = {}): Promise<unknown> {
    const url = this.base + path;
    const headers: Record<string, string> = {};
    if (this.opts.token) headers.Authorization = `Bearer ${this.opts.token}`;
    let payload: Buffer | undefined;
    if (Buffer.isBuffer(body)) {
      payload = body;
      headers['Content-Type'] = 'application/zip';
    } else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      headers['Content-Type'] = 'application/json';
    }
    let res: HttpResponse;
    try {
      res = await send(url, method, headers, payload, this.opts.timeoutMs ?? 60_000);
    } catch (e) {
      const cause = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new RayError(`cannot reach the Ray dashboard at ${this.base} (${cause}): is the cluster running and the address right (default port 8265)?`);
    }
    if (res.status === 404 && o.allow404) return NOT_FOUND;
    const text = res.text;
    if (res.status === 401 || res.status === 403) {
      throw new RayError(`the Ray dashboard at ${this.base} refused the request (${res.status}): ${this.opts.token ? 'the token was not accepted' : 'it needs a token; set `token` on the training backend'}`, res.status);
    }
    if (res.status === 404) throw new RayError(`${o.what ?? path} not found on the Ray cluster at ${this.base} (404)${detail(text)}`, 404);
    if (res.status < 200 || res.status >= 300) throw new RayError(`Ray ${method} ${path} failed with ${res.status}${detail(text)}`, res.status);
    if (!text) return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new RayError(`Ray ${method} ${path} returned something that is not JSON (is ${this.base} a Ray dashboard?): ${text.slice(0, 120)}`);
    }
  }
}

const NOT_FOUND = Symbol('not found');

function detail(text: string): string {
  const t = text.trim();
  return t ? `: ${t.slice(0, 500)}` : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
