// Analysis of very large files off the main thread, so the server keeps answering (completion,
// hover, other files) while a 20,000-profile collection is validated. The same bundle runs as
// the worker: server/main.ts starts `runWorker()` when it is not the main thread.
import { Worker, parentPort } from 'node:worker_threads';
import { analyzeText, type Analysis } from '../core/validate/index';
import { LineIndex } from '../core/model/document';
import type { FileSymbols, SymbolDef, IdKind } from '../core/model/symbols';
import { runStepsYielding, STEP_ITEMS, type Steps } from '../core/model/steps';

interface Job { id: number; text: string; file: string }
/** Definitions packed as columns: a structured clone of 20,000 small objects costs ~100 ms, columns a few. */
interface PackedDefs { kinds: IdKind[]; ids: string[]; nums: Int32Array; summaries: (string | undefined)[] }
type Result = Pick<Analysis, 'kind' | 'local'> & { symbols: Omit<FileSymbols, 'defs'> & { packed: PackedDefs }; errors: Analysis['parsed']['errors']; fast: boolean };

function pack(defs: SymbolDef[]): PackedDefs {
  const nums = new Int32Array(defs.length * 8);
  defs.forEach((d, i) => {
    nums.set([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character,
      d.entryRange.start.line, d.entryRange.start.character, d.entryRange.end.line, d.entryRange.end.character], i * 8);
  });
  return { kinds: defs.map((d) => d.kind), ids: defs.map((d) => d.id), nums, summaries: defs.map((d) => d.summary) };
}

function* unpack(file: string, p: PackedDefs): Steps<SymbolDef[]> {
  const n = p.nums;
  const out: SymbolDef[] = [];
  for (let i = 0; i < p.ids.length; i++) {
    const o = i * 8;
    const def: SymbolDef = { kind: p.kinds[i], id: p.ids[i], file,
      range: { start: { line: n[o], character: n[o + 1] }, end: { line: n[o + 2], character: n[o + 3] } },
      entryRange: { start: { line: n[o + 4], character: n[o + 5] }, end: { line: n[o + 6], character: n[o + 7] } } };
    if (p.summaries[i] !== undefined) def.summary = p.summaries[i];
    out.push(def);
    if (i % STEP_ITEMS === STEP_ITEMS - 1) yield;
  }
  return out;
}

export function runWorker(): void {
  parentPort!.on('message', (job: Job) => {
    try {
      const a = analyzeText(job.text, job.file);
      const { defs, ...rest } = a.symbols;
      const packed = pack(defs);
      const result: Result = { kind: a.kind, symbols: { ...rest, packed }, local: a.local, errors: a.parsed.errors, fast: a.parsed.fast };
      parentPort!.postMessage({ id: job.id, result }, [packed.nums.buffer as ArrayBuffer]);
    } catch (e) {
      parentPort!.postMessage({ id: job.id, error: (e as Error).message });
    }
  });
}

/** The worker's heap limit. */
export const WORKER_HEAP_MB = 1536;
/** The worker stops after this long without jobs (its heap is freed with it). */
export const IDLE_STOP_MS = 5000;
/** A job running longer than this is given up (the thread is stopped and restarted). */
export const JOB_LIMIT_MS = 120000;

/** Rejection of a job whose file got a newer text before the job started. */
export class Superseded extends Error { constructor() { super('superseded by a newer version'); } }

interface Pending { id: number; file: string; text: string; lines?: LineIndex; resolve: (a: Analysis) => void; reject: (e: Error) => void }

/**
 * One worker thread, started on first use. One job runs at a time; of the jobs waiting for a
 * file only the newest is kept (older ones reject with Superseded), so a burst of edits never
 * builds a backlog. A job over JOB_LIMIT_MS stops the thread and rejects.
 */
export class AnalysisWorker {
  private worker?: Worker;
  private nextId = 1;
  private readonly waiting = new Map<string, Pending>();
  private running?: Pending & { timer: NodeJS.Timeout };
  private idle?: NodeJS.Timeout;

  constructor(private readonly script: string) {}

  /** `lines`: the text's line index, when the caller has it already. */
  analyze(text: string, file: string, lines?: LineIndex): Promise<Analysis> {
    return new Promise((resolve, reject) => {
      this.waiting.get(file)?.reject(new Superseded());
      this.waiting.set(file, { id: this.nextId++, file, text, lines, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running) return;
    const next = this.waiting.values().next();
    if (next.done) {
      // Idle for a while: stop the thread, so the memory of a huge file goes back to the system.
      if (this.worker && !this.idle) this.idle = setTimeout(() => { this.idle = undefined; if (!this.running) this.stop(); }, IDLE_STOP_MS).unref();
      return;
    }
    const job = next.value;
    this.waiting.delete(job.file);
    const w = this.start();
    const timer = setTimeout(() => this.crash(new Error(`gave up after ${JOB_LIMIT_MS / 1000} s`)), JOB_LIMIT_MS);
    this.running = { ...job, timer };
    w.postMessage({ id: job.id, text: job.text, file: job.file } satisfies Job);
  }

  private start(): Worker {
    if (this.idle) { clearTimeout(this.idle); this.idle = undefined; }
    if (this.worker) return this.worker;
    // A memory cap: an alias bomb or a runaway parse kills the worker, never the server.
    const w = new Worker(this.script, { argv: ['--analysis-worker'], resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    w.on('message', (m: { id: number; result?: Result; error?: string }) => {
      const p = this.running;
      if (!p || p.id !== m.id) return;
      clearTimeout(p.timer);
      this.running = undefined;
      if (m.error || !m.result) p.reject(new Error(m.error ?? 'no result'));
      else {
        // 33,000 definitions are rebuilt a slice at a time: requests are answered in between.
        const r = m.result;
        const { packed, ...rest } = r.symbols;
        void runStepsYielding(unpack(rest.file, packed)).then((defs) => {
          const symbols: FileSymbols = { ...rest, defs };
          p.resolve({ file: symbols.file, kind: r.kind, symbols, local: r.local, parsed: { text: p.text, lines: p.lines ?? new LineIndex(p.text), root: null, value: undefined, errors: r.errors, fast: r.fast } });
        });
      }
      this.pump();
    });
    w.on('error', (e) => { if (this.worker === w) this.crash(e); });
    w.on('exit', (code) => { if (this.worker === w) this.crash(new Error(`analysis worker exited (${code})`)); });
    w.unref();
    this.worker = w;
    return w;
  }

  /** The running job failed with the thread: reject it, drop the thread, go on with the next. */
  private crash(e: Error): void {
    const p = this.running;
    this.running = undefined;
    if (p) { clearTimeout(p.timer); p.reject(e); }
    this.stop();
    this.pump();
  }

  stop(): void {
    const w = this.worker;
    this.worker = undefined;
    if (this.idle) { clearTimeout(this.idle); this.idle = undefined; }
    if (!w) return;
    w.removeAllListeners();
    void w.terminate();
  }

  /** Stops the thread and rejects every job (server shutdown). */
  dispose(): void {
    for (const p of this.waiting.values()) p.reject(new Superseded());
    this.waiting.clear();
    if (this.running) { clearTimeout(this.running.timer); this.running.reject(new Superseded()); this.running = undefined; }
    this.stop();
  }
}
