// Per-backend request limiter: at most `concurrency` requests in flight and at most
// `requests_per_minute` started per minute (requests are spaced evenly). One limiter per backend
// id, shared by every simulator, agent, judge and eval run in the process.
import type { Backend } from '../../generated/schema-types';
import { BACKEND_DEFAULTS } from '../../model/backend-defaults';

export class Limiter {
  private active = 0;
  private readonly waiting: { start: () => void }[] = [];
  private nextStart = 0;

  constructor(public concurrency = Infinity, public requestsPerMinute?: number) {}

  /** Waits for a slot; returns the function that frees it. Rejects with an AbortError when the signal fires first. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    throwIfAborted(signal);
    if (this.active >= this.concurrency) {
      await new Promise<void>((resolve, reject) => {
        const entry = { start: () => { signal?.removeEventListener('abort', onAbort); resolve(); } };
        const onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(abortError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(entry);
      });
    } else {
      this.active++;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.start(); // the slot passes straight on
      else this.active--;
    };
    if (this.requestsPerMinute && this.requestsPerMinute > 0) {
      const interval = 60000 / this.requestsPerMinute;
      const now = Date.now();
      const at = Math.max(now, this.nextStart);
      this.nextStart = at + interval;
      if (at > now) {
        try {
          await sleep(at - now, signal);
        } catch (e) {
          release();
          throw e;
        }
      }
    }
    return release;
  }

  /** Runs `fn` inside a slot. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  get inFlight(): number {
    return this.active;
  }
}

const limiters = new Map<string, Limiter>();

/** The shared limiter of a backend (by id); its limits follow the backend's current settings. */
export function backendLimiter(backend: Pick<Backend, 'id' | 'concurrency' | 'requests_per_minute'>): Limiter {
  let l = limiters.get(backend.id);
  if (!l) {
    l = new Limiter();
    limiters.set(backend.id, l);
  }
  l.concurrency = backend.concurrency ?? BACKEND_DEFAULTS.concurrency;
  l.requestsPerMinute = backend.requests_per_minute;
  return l;
}

export function abortError(): Error {
  const e = new Error('the request was cancelled');
  e.name = 'AbortError';
  return e;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError();
}

/** Sleeps, waking early with an AbortError when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(abortError()); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
