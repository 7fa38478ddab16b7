// One probe of a backend: a short chat request through the engine's own client (so the same
// dialect split, streaming and errors as a run), and the model's context size when the server
// tells it: vLLM's `/v1/models` (`max_model_len`), llama.cpp's `/props` (`n_ctx`) or `/v1/models`
// (`meta.n_ctx_train`), or a `context_length`-style field other servers use.
import type { Backend } from '../generated/schema-types';
import { createChatClient, describeDialect, type ChatClientOptions, type Dialect } from './chat/index';
import { nodeFetch } from './chat/node-fetch';
import { backendSettings } from '../model/backend-defaults';

export interface ProbeResult {
  backend: string;
  model: string;
  dialect: Dialect;
  /** The dialect in words, e.g. "the 'reasoning_content' field". */
  dialectText: string;
  streamed: boolean;
  latencyMs: number;
  /** The reply, folded to one line and cut at 120 characters. */
  reply: string;
  /** Reasoning characters received. */
  reasoningChars: number;
  /** Tokens of context the server reports for the model, and where it said so; undefined when it does not say. */
  contextSize?: number;
  contextSource?: string;
  /** A `reasoning` setting that does not match what arrived. */
  warnings: string[];
}

export const PROBE_MESSAGES = [
  { role: 'system' as const, content: 'You are being tested. Reply with one short, friendly sentence.' },
  { role: 'user' as const, content: 'Hello! Who am I speaking with?' },
];

export async function probeBackend(backend: Backend, apiKey: string | undefined, options: ChatClientOptions & { signal?: AbortSignal } = {}): Promise<ProbeResult> {
  const warnings: string[] = [];
  const client = createChatClient({ ...backend, max_retries: 0 }, apiKey, { limiter: null, ...options, warn: (m) => warnings.push(m) });
  const maxTokens = Math.min(256, backendSettings(backend).maxTokens);
  const r = await client.complete({ messages: PROBE_MESSAGES, maxTokens, signal: options.signal });
  const ctx = await contextSize(backend, apiKey, options.signal).catch(() => undefined);
  const oneLine = r.content.replace(/\s+/g, ' ').trim();
  return {
    backend: backend.id, model: backend.model, dialect: r.dialect, dialectText: describeDialect(r.dialect), streamed: r.streamed, latencyMs: r.latencyMs,
    reply: oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine, reasoningChars: r.reasoning?.length ?? 0,
    ...(ctx ? { contextSize: ctx.size, contextSource: ctx.source } : {}), warnings,
  };
}

const CONTEXT_FIELDS = ['max_model_len', 'context_length', 'context_window', 'max_context_length', 'n_ctx'];

/** The first positive integer under one of the context fields, looking one level into nested objects (llama.cpp's `meta`). */
function findContext(obj: unknown): { field: string; size: number } | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  for (const f of CONTEXT_FIELDS) if (Number.isInteger(o[f]) && (o[f] as number) > 0) return { field: f, size: o[f] as number };
  for (const v of Object.values(o)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const inner = v as Record<string, unknown>;
      for (const f of [...CONTEXT_FIELDS, 'n_ctx_train']) if (Number.isInteger(inner[f]) && (inner[f] as number) > 0) return { field: f, size: inner[f] as number };
    }
  }
  return undefined;
}

async function getJson(url: string, apiKey: string | undefined, signal?: AbortSignal): Promise<unknown> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 5000);
  signal?.addEventListener('abort', () => ctrl.abort(), { once: true });
  try {
    const res = await nodeFetch(url, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal: ctrl.signal });
    if (!res.ok) return undefined;
    return await res.json();
  } finally {
    clearTimeout(timer);
  }
}

/** The model's context size as the server reports it, or undefined. */
export async function contextSize(backend: Backend, apiKey: string | undefined, signal?: AbortSignal): Promise<{ size: number; source: string } | undefined> {
  const base = backend.base_url.replace(/\/+$/, '');
  const models = (await getJson(`${base}/models`, apiKey, signal).catch(() => undefined)) as { data?: unknown[] } | undefined;
  const list = Array.isArray(models?.data) ? models!.data : [];
  const entry = list.find((m) => (m as { id?: string })?.id === backend.model) ?? (list.length === 1 ? list[0] : undefined);
  const found = findContext(entry);
  if (found) return { size: found.size, source: `/models ${found.field}` };
  const root = base.replace(/\/v1$/, '');
  const props = await getJson(`${root}/props`, apiKey, signal).catch(() => undefined);
  const p = findContext((props as Record<string, unknown> | undefined)?.default_generation_settings) ?? findContext(props);
  if (p) return { size: p.size, source: `/props ${p.field}` };
  return undefined;
}

/** The probe's report as label/value rows (the CLI's `backend test` and the editor's Test Backend show the same). */
export function probeRows(result: ProbeResult, baseUrl: string): [string, string][] {
  return [
    ['backend', `${result.backend} (model ${result.model} at ${baseUrl})`],
    ['reasoning', `${result.dialect}: ${result.dialectText}${result.reasoningChars ? ` (${result.reasoningChars} characters)` : ''}`],
    ['streaming', result.streamed ? 'yes (SSE)' : 'no (one JSON response)'],
    ['latency', `${result.latencyMs} ms`],
    ['context', result.contextSize ? `${result.contextSize} tokens (${result.contextSource})` : 'not reported by the server'],
    ['reply', result.reply || '(empty)'],
  ];
}
