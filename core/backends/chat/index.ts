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

export { Limiter, backendLimiter, sleep, abortError } from './limiter';

export interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }
export interface ChatRequest {
  messages: ChatMessage[];
  signal?: AbortSignal;
  /** Streaming content as it arrives (streamed backends only). */
  onDelta?: (text: string) => void;
  temperature?: number;
  maxTokens?: number;
}
export interface ChatResult { content: string; reasoning?: string; usage?: Usage; latencyMs: number; attempts: number }
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
}

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
    fetch: nodeFetch,
    ...(apiKey ? {} : { defaultHeaders: { Authorization: null } }),
  });
  const { maxRetries, timeoutMs } = settings;
  const baseMs = options.retryBaseMs ?? 500;
  const maxMs = options.retryMaxMs ?? 30_000;
  const limiter = options.limiter === undefined ? backendLimiter(backend) : options.limiter;
  const where = `backend '${backend.id}' (model ${backend.model} at ${backend.base_url})`;
  const scrub = (s: string) => (apiKey && apiKey.length >= 4 ? s.split(apiKey).join('***') : s);

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
      let reasoning = '';
      let usage: Usage | undefined;
      if (stream) {
        const chunks = (await sdk.chat.completions.create(body as never, { signal: ctrl.signal })) as unknown as AsyncIterable<Record<string, any>>;
        let finished = false;
        for await (const chunk of chunks) {
          const choice = chunk.choices?.[0];
          const delta = choice?.delta;
          if (delta) {
            const r = pickReasoning(delta, backend.reasoning);
            if (r) reasoning += r;
            if (typeof delta.content === 'string' && delta.content) {
              content += delta.content;
              req.onDelta?.(delta.content);
            }
          }
          if (choice?.finish_reason) finished = true;
          if (chunk.usage) usage = readUsage(chunk.usage);
        }
        if (!finished) throw new Attempt('the stream ended before the response was complete (no finish_reason)', true);
      } else {
        const res = (await sdk.chat.completions.create(body as never, { signal: ctrl.signal })) as unknown as Record<string, any>;
        const message = res?.choices?.[0]?.message;
        if (!message) throw new Attempt('the response has no choices[0].message', true);
        content = typeof message.content === 'string' ? message.content : '';
        reasoning = pickReasoning(message, backend.reasoning) ?? '';
        if (res.usage) usage = readUsage(res.usage);
      }
      if (!reasoning && backend.reasoning !== 'reasoning' && backend.reasoning !== 'reasoning_content') {
        const m = /<think>([\s\S]*?)<\/think>/i.exec(content);
        if (m) {
          reasoning = m[1].trim();
          content = (content.slice(0, m.index) + content.slice(m.index + m[0].length)).trim();
        }
      }
      return { content, ...(reasoning ? { reasoning } : {}), ...(usage ? { usage } : {}), latencyMs: Math.round(performance.now() - started) };
    } catch (e) {
      if (req.signal?.aborted) throw abortError();
      if (timedOut) throw new Attempt(`timed out after ${timeoutMs} ms`, true);
      throw classify(e);
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

/** The reasoning text of a delta or message, from the field the backend's `reasoning` setting names (`auto`: either). */
function pickReasoning(obj: Record<string, any>, mode: Backend['reasoning']): string | undefined {
  const a = typeof obj.reasoning === 'string' ? obj.reasoning : undefined;
  const b = typeof obj.reasoning_content === 'string' ? obj.reasoning_content : undefined;
  if (mode === 'reasoning') return a;
  if (mode === 'reasoning_content') return b;
  if (mode === 'think_tags') return undefined;
  return a ?? b;
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

/** What went wrong in one attempt, and whether another attempt may help. */
function classify(e: unknown): Attempt {
  if (e instanceof Attempt) return e;
  if (e instanceof APIUserAbortError) return new Attempt('the request was aborted', true);
  if (e instanceof APIConnectionTimeoutError) return new Attempt('timed out', true);
  if (e instanceof APIError && e.status !== undefined) {
    const status = e.status as number;
    const detail = (e.error as { message?: string } | undefined)?.message ?? '';
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const what = status === 429 ? 'rate limited (HTTP 429)' : `HTTP ${status}`;
    return new Attempt(`${what}${detail ? `: ${detail.slice(0, 200)}` : ''}`, retryable, status, status === 429 || status === 503 ? retryAfter(e.headers as Headers) : undefined);
  }
  if (e instanceof APIConnectionError) {
    const cause = (e as { cause?: { message?: string; code?: string } }).cause;
    return new Attempt(`connection failed${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}`, true);
  }
  if (e instanceof SyntaxError) return new Attempt(`invalid JSON in the response (${e.message.slice(0, 120)})`, true);
  const err = e as { message?: string; cause?: { code?: string } };
  return new Attempt(`the response broke off (${err?.cause?.code ?? err?.message ?? String(e)})`, true);
}
