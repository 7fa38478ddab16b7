// Analysis of very large files off the main thread, so the server keeps answering (completion,
// hover, other files) while a 20,000-profile collection is validated. The same bundle runs as
// the worker: server/main.ts starts `runWorker()` when it is not the main thread.
import { Worker, parentPort } from 'node:worker_threads';
import { analyzeText, type Analysis } from '../core/validate/index';
import { LineIndex } from '../core/model/document';

interface Job { id: number; text: string; file: string }
type Result = Pick<Analysis, 'kind' | 'symbols' | 'local'> & { errors: Analysis['parsed']['errors']; fast: boolean };

export function runWorker(): void {
  parentPort!.on('message', (job: Job) => {
    try {
      const a = analyzeText(job.text, job.file);
      const result: Result = { kind: a.kind, symbols: a.symbols, local: a.local, errors: a.parsed.errors, fast: a.parsed.fast };
      parentPort!.postMessage({ id: job.id, result });
    } catch (e) {
      parentPort!.postMessage({ id: job.id, error: (e as Error).message });
    }
  });
}

/** One worker thread, started on first use; jobs run in order. */
export class AnalysisWorker {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { text: string; resolve: (a: Analysis) => void; reject: (e: Error) => void }>();

  constructor(private readonly script: string) {}

  analyze(text: string, file: string): Promise<Analysis> {
    const w = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { text, resolve, reject });
      w.postMessage({ id, text, file } satisfies Job);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.script, { argv: ['--analysis-worker'] });
    w.on('message', (m: { id: number; result?: Result; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error || !m.result) { p.reject(new Error(m.error ?? 'no result')); return; }
      const r = m.result;
      p.resolve({ file: r.symbols.file, kind: r.kind, symbols: r.symbols, local: r.local, parsed: { text: p.text, lines: new LineIndex(p.text), root: null, value: undefined, errors: r.errors, fast: r.fast } });
    });
    const fail = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.worker = undefined;
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`analysis worker exited (${code})`)));
    w.unref();
    this.worker = w;
    return w;
  }

  stop(): void { void this.worker?.terminate(); this.worker = undefined; }
}
