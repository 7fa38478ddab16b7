// Analysis of very large files off the main thread, so the server keeps answering (completion,
// hover, other files) while a 20,000-profile collection is validated. The same bundle runs as
// the worker: server/main.ts starts `runWorker()` when it is not the main thread.
import { Worker, parentPort } from 'node:worker_threads';
import { analyzeText, type Analysis } from '../core/validate/index';
import { LineIndex } from '../core/model/document';
import type { FileSymbols, SymbolDef, IdKind } from '../core/model/symbols';

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

function unpack(file: string, p: PackedDefs): SymbolDef[] {
  const n = p.nums;
  return p.ids.map((id, i) => {
    const o = i * 8;
    const def: SymbolDef = { kind: p.kinds[i], id, file,
      range: { start: { line: n[o], character: n[o + 1] }, end: { line: n[o + 2], character: n[o + 3] } },
      entryRange: { start: { line: n[o + 4], character: n[o + 5] }, end: { line: n[o + 6], character: n[o + 7] } } };
    if (p.summaries[i] !== undefined) def.summary = p.summaries[i];
    return def;
  });
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
      const { packed, ...rest } = r.symbols;
      const symbols: FileSymbols = { ...rest, defs: unpack(rest.file, packed) };
      p.resolve({ file: symbols.file, kind: r.kind, symbols, local: r.local, parsed: { text: p.text, lines: new LineIndex(p.text), root: null, value: undefined, errors: r.errors, fast: r.fast } });
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
