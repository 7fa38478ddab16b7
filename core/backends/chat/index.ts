// OpenAI-compatible chat client over the `openai` SDK (6.x). Our own retries (the SDK's are off):
// exponential backoff with jitter, honouring Retry-After, on 429, 5xx, timeouts, broken or cut
// streams and invalid JSON; a per-request timeout that covers the whole streamed response;
// cancellation through an AbortSignal (never retried); the per-backend limiter; token usage.
// The API key lives only in the SDK client's memory and is scrubbed from every error message.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { Backend, Usage } from '../../generated/schema-types';
import { abortError, backendLimiter, Limiter, sleep } from './limiter';
import { nodeFetch } from './node-fetch';
import { BACKEND_DEFAULTS, backendSettings } from '../../model/backend-defaults';
import { foldLine } from './errors';
import { dialectMismatch, ReplyDeltaFilter, splitReasoning, type Dialect } from './reasoning';

export { Limiter, backendLimiter, sleep, abortError } from './limiter';
export { splitReasoning, ReplyDeltaFilter, type Dialect } from './reasoning';
export { failureCause, failureLines, foldLine } from './errors';

export interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }
export interface ChatRequest {
  messages: ChatMessage[];
  signal?: AbortSignal;
  /** Streaming reply text as it arrives (streamed backends only); reasoning is never passed here. */
  onDelta?: (text: string) => void;
  temperature?: number;
  maxTokens?: number;
}
export interface ChatResult {
  /** The reply, every think block removed. */
  content: string;
  reasoning?: string;
  /** Where this response carried its reasoning. */
  dialect: Dialect;
  /** Whether the response was streamed (SSE). */
  streamed: boolean;
  usage?: Usage;
  latencyMs: number;
  attempts: number;
}
export interface ChatClient {
  readonly backend: Backend;
  complete(req: ChatRequest): Promise<ChatResult>;
}

/** Tuning for tests; production code leaves these alone. */
export interface ChatClientOptions {
  /** First backoff delay (doubles per retry, with jitter). Default 500 ms. */
  retryBaseMs?: number;
  /** Longest wait between attempts, Retry-After included. Default 30 s. */
  retryMaxMs?: number;
  /** Limiter to use instead of the backend's shared one; null for none. */
  limiter?: Limiter | null;
  /** Where warnings go (an explicit `reasoning` setting that does not match the server). Default: console.warn. */
  warn?: (message: string) => void;
}

/** Backends already warned about a reasoning mismatch (once per backend id and process). */
const warnedReasoning = new Set<string>();
/** Backends seen to send no implicit think: their streamed replies pass through as they come (others are held until `</think>` or the end). */
const explicitThink = new Set<string>();

export const DEFAULT_TIMEOUT_MS = BACKEND_DEFAULTS.timeoutMs;
export const DEFAULT_MAX_RETRIES = BACKEND_DEFAULTS.maxRetries;

/** A failed chat request, after retries. The message names the backend and says why; never holds the key. */
export class ChatError extends Error {
  constructor(message: string, readonly status?: number, readonly attempts = 1) {
    super(message);
    this.name = 'ChatError';
  }
}

class Attempt extends Error {
  constructor(message: string, readonly retryable: boolean, readonly status?: number, readonly retryAfterMs?: number) {
    super(message);
  }
}

export function createChatClient(backend: Backend, apiKey: string | undefined, options: ChatClientOptions = {}): ChatClient {
  const settings = backendSettings(backend);
  const sdk = new OpenAI({
    apiKey: apiKey ?? 'unused',
    baseURL: backend.base_url,
    maxRetries: 0,
    timeout: settings.timeoutMs,
    logLevel: 'off',
    fetch: fetchWithErrorBodies,
    ...(apiKey ? {} : { defaultHeaders: { Authorization: null } }),
  });
  const { maxRetries, timeoutMs } = settings;
  const baseMs = options.retryBaseMs ?? 500;
  const maxMs = options.retryMaxMs ?? 30_000;
  const limiter = options.limiter === undefined ? backendLimiter(backend) : options.limiter;
  const where = `backend '${backend.id}' (model ${backend.model} at ${backend.base_url})`;
  const scrub = (s: string) => (apiKey && apiKey.length >= 4 ? s.split(apiKey).join('***') : s);
  const warn = options.warn ?? ((m: string) => console.warn(`userlm: warning: ${m}`));

  async function once(req: ChatRequest): Promise<Omit<ChatResult, 'attempts'>> {
    const ctrl = new AbortController();
    let timedOut = false;
    const onAbort = () => ctrl.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => { timedOut = true; ctrl.abort(); }, timeoutMs);
    const started = performance.now();
    const stream = settings.stream;
    const body: Record<string, unknown> = { model: backend.model, messages: req.messages };
    const temperature = req.temperature ?? backend.temperature;
    if (temperature !== undefined) body.temperature = temperature;
    if (backend.top_p !== undefined) body.top_p = backend.top_p;
    body[settings.maxTokensField] = req.maxTokens ?? settings.maxTokens;
    if (stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    try {
      let content = '';
      const fields: { reasoning?: string; reasoning_content?: string } = {};
      let usage: Usage | undefined;
      if (stream) {
        const chunks = (await sdk.chat.completions.create(body as never, { signal: ctrl.signal })) as unknown as AsyncIterable<Record<string, any>>;
        const filter = req.onDelta ? new ReplyDeltaFilter(req.onDelta, !explicitThink.has(backend.id)) : undefined;
        let finished = false;
        for await (const chunk of chunks) {
          const choice = chunk.choices?.[0];
          const delta = choice?.delta;
          if (delta) {
            for (const f of ['reasoning', 'reasoning_content'] as const) if (typeof delta[f] === 'string') fields[f] = (fields[f] ?? '') + delta[f];
            if (typeof delta.content === 'string' && delta.content) {
              content += delta.content;
              filter?.push(delta.content);
            }
          }
          if (choice?.finish_reason) finished = true;
          if (chunk.usage) usage = readUsage(chunk.usage);
        }
        if (!finished) throw new Attempt('the stream was cut before the response was complete (no finish_reason)', true);
        filter?.end();
      } else {
        const res = (await sdk.chat.completions.create(body as never, { signal: ctrl.signal })) as unknown as Record<string, any>;
        const message = res?.choices?.[0]?.message;
        if (!message) throw new Attempt('the response has no choices[0].message', true);
        content = typeof message.content === 'string' ? message.content : '';
        for (const f of ['reasoning', 'reasoning_content'] as const) if (typeof message[f] === 'string') fields[f] = message[f];
        if (res.usage) usage = readUsage(res.usage);
      }
      const split = splitReasoning(content, fields, backend.reasoning);
      if (split.dialect === 'implicit_think') explicitThink.delete(backend.id);
      else explicitThink.add(backend.id);
      if (dialectMismatch(backend.reasoning, split.dialect) && !warnedReasoning.has(backend.id)) {
        warnedReasoning.add(backend.id);
        warn(`${where} is set to 'reasoning: ${backend.reasoning}', but the server sent its reasoning as ${describeDialect(split.dialect)}; reading that instead (set 'reasoning: auto' to read whatever arrives)`);
      }
      return {
        content: split.content, ...(split.reasoning ? { reasoning: split.reasoning } : {}), dialect: split.dialect, streamed: stream,
        ...(usage ? { usage } : {}), latencyMs: Math.round(performance.now() - started),
      };
    } catch (e) {
      if (req.signal?.aborted) throw abortError();
      if (timedOut) throw new Attempt(`timed out after ${timeoutMs} ms (timeout_ms) without a complete response`, true);
      throw classify(e, backend.base_url, stream);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    backend,
    async complete(req) {
      let last: Attempt | undefined;
      for (let attempt = 0; attempt <= maxRetries; attempt++) {
        const release = limiter ? await limiter.acquire(req.signal) : () => {};
        try {
          const r = await once(req);
          return { ...r, attempts: attempt + 1 };
        } catch (e) {
          if (!(e instanceof Attempt)) throw e; // an abort
          last = e;
        } finally {
          release();
        }
        if (!last.retryable || attempt === maxRetries) break;
        const backoff = Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + Math.random() * 0.5);
        await sleep(last.retryAfterMs !== undefined ? Math.min(maxMs, last.retryAfterMs) : backoff, req.signal);
      }
      const attempts = maxRetries + 1;
      const tries = last?.retryable ? `; gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
      throw new ChatError(scrub(`${where}: ${last?.message ?? 'failed'}${tries}`), last?.status, attempts);
    },
  };
}

/** How a dialect reads in a warning. */
export function describeDialect(d: Dialect): string {
  return d === 'think_tags' ? '<think> tags in the content' : d === 'implicit_think' ? 'an implicit think (only </think> in the content)' : d === 'none' ? 'no reasoning' : `the '${d}' field`;
}

function readUsage(u: Record<string, any>): Usage {
  const out: Usage = {};
  if (typeof u.prompt_tokens === 'number') out.prompt_tokens = u.prompt_tokens;
  if (typeof u.completion_tokens === 'number') out.completion_tokens = u.completion_tokens;
  const r = u.completion_tokens_details?.reasoning_tokens ?? u.reasoning_tokens;
  if (typeof r === 'number') out.reasoning_tokens = r;
  return out;
}

function retryAfter(headers: Headers | undefined): number | undefined {
  if (!headers || typeof headers.get !== 'function') return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const s = Number.parseFloat(raw);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** The first `code` (ECONNREFUSED, ECONNRESET…) and the innermost message along an error's `cause` chain. */
function rootCause(e: unknown): { code?: string; message?: string } {
  let code: string | undefined;
  let message: string | undefined;
  for (let x = e as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; x && depth < 6; x = x.cause as typeof x, depth++) {
    if (!code && typeof x.code === 'string') code = x.code;
    if (typeof x.message === 'string' && x.message) message = x.message;
  }
  return { code, message };
}

const CUT_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

/** What went wrong in one attempt, and whether another attempt may help. */
function classify(e: unknown, baseUrl: string, streamed: boolean): Attempt {
  if (e instanceof Attempt) return e;
  if (e instanceof APIUserAbortError) return new Attempt('the request was aborted', true);
  if (e instanceof APIConnectionTimeoutError) return new Attempt('timed out', true);
  if (e instanceof APIError && e.status !== undefined) {
    const status = e.status as number;
    const given = (e.error as { message?: unknown } | undefined)?.message;
    const detail = foldLine(typeof given === 'string' ? given : e.message.replace(/^\d{3}\s*/, '').replace(/^status code \(no body\)$/, ''), 200);
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const what = status === 429 ? 'rate limited (HTTP 429)' : `HTTP ${status}`;
    const hint = status === 401 || status === 403 ? ' (check the backend\'s api_key)' : status === 404 ? ` (check base_url ${baseUrl} and the model name)` : '';
    return new Attempt(`${what}${detail ? `: ${detail}` : ''}${hint}`, retryable, status, status === 429 || status === 503 ? retryAfter(e.headers as Headers) : undefined);
  }
  const { code, message } = rootCause(e);
  if (code === 'ECONNREFUSED') return new Attempt(`connection refused (ECONNREFUSED): nothing is listening at ${baseUrl}`, true);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new Attempt(`host not found (${code}) for ${baseUrl}`, true);
  if (e instanceof SyntaxError) return new Attempt(`invalid JSON in the response (${foldLine(e.message, 120)})`, true);
  const what = streamed ? 'the stream was cut before the response was complete' : 'the response was cut off before it was complete';
  if ((code && CUT_CODES.has(code)) || /terminated|socket hang up|premature close|aborted/i.test(message ?? '')) return new Attempt(`${what} (${code ?? foldLine(message ?? '', 80)})`, true);
  if (e instanceof APIConnectionError) return new Attempt(`connection failed (${code ?? foldLine(message ?? 'unknown cause', 120)}) to ${baseUrl}`, true);
  return new Attempt(`${what} (${code ?? foldLine(message ?? String(e), 120)})`, true);
}

/**
 * nodeFetch, with error bodies the SDK cannot read made readable: vLLM's top-level `message`,
 * FastAPI's `detail` and Ollama's `{"error": "text"}` become `{"error": {"message": …}}`.
 */
async function fetchWithErrorBodies(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await nodeFetch(input, init);
  if (res.status < 400) return res;
  const text = await res.text();
  let body = text;
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    if (j && typeof j === 'object') {
      const err = j.error;
      const message = typeof err === 'string' ? err : !err ? (j.message ?? j.detail ?? j.msg) : undefined;
      if (message !== undefined) body = JSON.stringify({ error: { ...(typeof err === 'object' && err ? err : {}), message: typeof message === 'string' ? message : JSON.stringify(message) } });
    }
  } catch { /* not JSON: the SDK reports the text itself */ }
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
