// A proxy on 127.0.0.1 that rewrites responses the way LiteLLM's proxy (1.108) does in front of
// a vLLM-style server (see shared notes, local-models.md): a `reasoning` field becomes
// `reasoning_content` (streamed deltas and whole messages), and in whole (non-streamed) messages
// a `<think>…</think>` block moves out of `content` into `reasoning_content`. Everything else,
// status codes and headers included, passes through; SSE events are rewritten one by one.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReasoningProxy {
  /** Base URL including `/v1`. */
  url: string;
  /** Responses rewritten so far (a field renamed or a think block moved). */
  rewrites: number;
  close(): Promise<void>;
}

/** Renames `reasoning` to `reasoning_content`; with `moveThink`, moves a `<think>` block out of `content`. Returns whether it changed anything. */
function rewrite(obj: Record<string, any> | undefined, moveThink: boolean): boolean {
  if (!obj || typeof obj !== 'object') return false;
  let changed = false;
  if (typeof obj.reasoning === 'string') {
    obj.reasoning_content = (obj.reasoning_content ?? '') + obj.reasoning;
    delete obj.reasoning;
    changed = true;
  }
  if (moveThink && typeof obj.content === 'string') {
    const m = /<think>([\s\S]*?)<\/think>/.exec(obj.content);
    if (m) {
      obj.reasoning_content = m[1].trim();
      obj.content = (obj.content.slice(0, m.index) + obj.content.slice(m.index + m[0].length)).trim();
      changed = true;
    }
  }
  return changed;
}

export async function startReasoningProxy(upstreamBase: string): Promise<ReasoningProxy> {
  const upstream = new URL(upstreamBase.replace(/\/v1\/?$/, ''));
  const state = { rewrites: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
      const up = request({ hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (ur) => relay(ur, res));
      up.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
      up.end(body);
    });
  });

  function relay(ur: IncomingMessage, res: ServerResponse): void {
    const type = String(ur.headers['content-type'] ?? '');
    const headers = { ...ur.headers };
    delete headers['content-length'];
    res.writeHead(ur.statusCode ?? 502, headers);
    if (/text\/event-stream/.test(type)) {
      let buffer = '';
      ur.on('data', (c: Buffer) => {
        buffer += c.toString('utf8');
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          res.write(`${rewriteEvent(event)}\n\n`);
        }
      });
      ur.on('end', () => res.end(buffer));
      ur.on('aborted', () => res.destroy());
      return;
    }
    const parts: Buffer[] = [];
    ur.on('data', (c: Buffer) => parts.push(c));
    ur.on('aborted', () => res.destroy());
    ur.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      if (!/json/.test(type) || (ur.statusCode ?? 0) >= 300) return void res.end(text);
      try {
        const value = JSON.parse(text);
        if (rewrite(value?.choices?.[0]?.message, true)) state.rewrites++;
        res.end(JSON.stringify(value));
      } catch {
        res.end(text);
      }
    });
  }

  function rewriteEvent(event: string): string {
    const m = /^data: (.*)$/s.exec(event);
    if (!m || m[1] === '[DONE]') return event;
    try {
      const value = JSON.parse(m[1]);
      if (rewrite(value?.choices?.[0]?.delta, false)) state.rewrites++;
      return `data: ${JSON.stringify(value)}`;
    } catch {
      return event;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get rewrites() { return state.rewrites; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
