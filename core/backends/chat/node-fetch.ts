// A small `fetch` over node:http(s) with keep-alive, handed to the `openai` SDK (its `fetch`
// option). The global fetch (undici) costs about three times the CPU per call, which the eval
// runner feels at high concurrency (most of it is WHATWG stream and Response machinery). Streams
// (text/event-stream) are passed through as they arrive; other bodies are read whole first.
// Errors look like fetch's: TypeError('fetch failed', {cause}) for connection failures, an
// AbortError DOMException on abort.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 512 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 512 });

function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

function headerObject(h: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) h.forEach((v, k) => { out[k] = v; });
  else if (Array.isArray(h)) for (const [k, v] of h) out[k.toLowerCase()] = v;
  else for (const [k, v] of Object.entries(h)) if (v !== undefined && v !== null) out[k.toLowerCase()] = String(v);
  return out;
}

function responseHeaders(res: IncomingMessage): Headers {
  const h = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
  return h;
}

/**
 * The parts of a fetch `Response` the `openai` SDK reads. The body is a Node stream (async
 * iterable, which the SDK's SSE reader takes as is) or a buffer read whole; no WHATWG streams.
 */
class NodeResponse {
  readonly ok: boolean;
  readonly bodyUsed = false;
  readonly type = 'basic';
  readonly redirected = false;
  constructor(readonly status: number, readonly statusText: string, readonly headers: Headers, readonly url: string,
    private readonly stream?: IncomingMessage, private readonly buffer?: Buffer) {
    this.ok = status >= 200 && status < 300;
  }

  get body(): AsyncIterable<Uint8Array> | null {
    if (this.stream) return this.stream;
    const buf = this.buffer;
    if (!buf || !buf.length) return null;
    return { async *[Symbol.asyncIterator]() { yield buf; } };
  }

  async text(): Promise<string> {
    if (this.buffer) return this.buffer.toString('utf8');
    if (!this.stream) return '';
    const chunks: Buffer[] = [];
    for await (const c of this.stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = Buffer.from(await this.text(), 'utf8');
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
}

export function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    return Promise.reject(new TypeError('nodeFetch sends only string or byte bodies'));
  }
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError());
  const headers = headerObject(init.headers);
  if (body !== undefined && body !== null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  const https = url.protocol === 'https:';
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      reject(e);
    };
    const req = (https ? httpsRequest : httpRequest)(url, { method: init.method ?? 'GET', headers, agent: https ? httpsAgent : httpAgent }, (res) => {
      const status = res.statusCode ?? 0;
      const make = (buffer?: Buffer) => new NodeResponse(status, res.statusMessage ?? '', responseHeaders(res), url.href, buffer ? undefined : res, buffer) as unknown as Response;
      if (/text\/event-stream/i.test(String(res.headers['content-type'] ?? ''))) {
        settled = true;
        res.on('aborted', () => res.destroy(new TypeError('terminated')));
        resolve(make());
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => fail(new TypeError('terminated')));
      res.on('error', (e) => fail(new TypeError('terminated', { cause: e })));
      res.on('end', () => {
        if (settled) return;
        if (!res.complete) return fail(new TypeError('terminated'));
        settled = true;
        resolve(make(Buffer.concat(chunks)));
      });
    });
    const onAbort = () => {
      const e = abortError();
      req.destroy(e);
      fail(e);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', onAbort));
    req.on('error', (e) => fail(signal?.aborted ? abortError() : new TypeError('fetch failed', { cause: e })));
    req.end(body ?? undefined);
  });
}
