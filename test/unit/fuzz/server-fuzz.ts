// Drives the real server process with a stream of hostile documents and random requests at
// random and absurd positions, and measures every answer. The CI fuzz test runs it small; the
// fuzz benchmark (`npm run bench:fuzz`) runs it with 20,000+ documents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LspClient, ROOT, uri } from '../lsp/lsp-client';
import { yamlFiles } from '../model/helpers';
import { rng, mutate, aliasBomb, deepNesting, hugeLine, binary, hugeCollection, hostileSample } from './mutate';

export interface FuzzOptions {
  seed: number;
  /** Documents pushed (each followed by `requestsPerDocument` requests). */
  documents: number;
  requestsPerDocument: number;
  /** How many of the documents are 200,000-line collections (spread evenly). */
  hugeFiles: number;
  hugeLines?: number;
  /** A request unanswered after this long counts as unanswered (and the run moves on). */
  answerLimitMs?: number;
  /** Every n-th document also waits for its diagnostics. */
  diagnosticsEvery?: number;
  progress?: (done: number, report: FuzzReport) => void;
}

export interface Sample { kind: string; method: string; ms: number; size: number; doc: number }

export interface FuzzReport {
  documents: number;
  requests: number;
  diagnosticsAwaited: number;
  crashes: number;
  unanswered: number;
  /** Answered with an error response (a bug unless it is the rename refusal). */
  errors: number;
  samples: Sample[];
  /** Peak resident memory of the server process (VmHWM), in MB, over all server processes. */
  peakRssMb: number;
  byKind: Record<string, number>;
  /** Human-readable notes on crashes, unanswered and failed requests (the first few). */
  notes: string[];
}

const FAR = 2147483647;
const METHODS = ['completion', 'hover', 'definition', 'references', 'documentSymbol', 'prepareRename', 'codeAction', 'rename'] as const;

function peakRss(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch { return 0; }
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export async function fuzzServer(o: FuzzOptions): Promise<FuzzReport> {
  const r = rng(o.seed);
  const limit = o.answerLimitMs ?? 30000;
  const corpus = yamlFiles(join(ROOT, 'samples')).map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));
  const report: FuzzReport = { documents: 0, requests: 0, diagnosticsAwaited: 0, crashes: 0, unanswered: 0, errors: 0, samples: [], peakRssMb: 0, byKind: {}, notes: [] };
  const note = (s: string) => { if (report.notes.length < 20) report.notes.push(s); };
  const start = async () => {
    const c = await LspClient.start({ rootDir: join(ROOT, 'samples'), waitIndexed: true });
    for (const x of corpus) await c.open(x.file, x.text);
    return c;
  };
  let c = await start();
  const huge = o.hugeFiles > 0 ? hugeCollection(o.hugeLines ?? 200000) : '';
  const hugeEvery = o.hugeFiles > 0 ? Math.floor(o.documents / o.hugeFiles) : 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

  const timed = async (kind: string, method: string, size: number, doc: number, send: () => Promise<unknown>) => {
    report.requests++;
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      send().then(() => 'ok' as const, (e: Error) => (/not a valid|cannot rename/i.test(e.message) ? 'ok' as const : (note(`doc ${doc} ${kind} ${method}: error ${e.message}`), 'error' as const))),
      new Promise<'late'>((res) => { timer = setTimeout(() => res('late'), limit); }),
    ]);
    clearTimeout(timer);
    const ms = performance.now() - t0;
    if (outcome === 'late') { report.unanswered++; note(`doc ${doc} ${kind} ${method}: no answer in ${limit} ms`); return; }
    if (outcome === 'error') report.errors++;
    report.samples.push({ kind, method, ms, size, doc });
  };

  const position = (text: string): { line: number; character: number } => {
    const x = r();
    if (x < 0.1) return { line: FAR, character: FAR };
    if (x < 0.15) return { line: 0, character: FAR };
    if (x < 0.2) return { line: FAR, character: 0 };
    if (x < 0.25) return { line: Math.floor(r() * 1e6), character: Math.floor(r() * 1e6) };
    let line = 0;
    let count = 1;
    for (let i = text.indexOf('\n'); i >= 0 && count < 1e7; i = text.indexOf('\n', i + 1)) count++;
    line = Math.floor(r() * count);
    return { line, character: Math.floor(r() * 120) };
  };

  for (let i = 0; i < o.documents; i++) {
    const base = pick(corpus);
    let kind: string;
    let text: string;
    const roll = r();
    if (hugeEvery && i % hugeEvery === Math.floor(hugeEvery / 2) && report.byKind['200k-line file'] !== o.hugeFiles) {
      kind = '200k-line file';
      text = r() < 0.5 ? huge : mutate(huge, r).text;
    } else if (roll < 0.62) {
      const m = mutate(base.text, r);
      kind = 'mutated sample';
      text = r() < 0.3 ? mutate(m.text, r).text : m.text;
    } else if (roll < 0.7) { kind = 'issue repro'; text = hostileSample(base.text, r); }
    else if (roll < 0.76) { kind = 'alias bomb'; text = r() < 0.5 ? base.text + '\n' + aliasBomb(8 + Math.floor(r() * 4)) : aliasBomb(8 + Math.floor(r() * 4)) + base.text; }
    else if (roll < 0.82) { kind = 'deep nesting'; text = deepNesting(100 + Math.floor(r() * 5000), r); }
    else if (roll < 0.88) { kind = 'huge line'; text = hugeLine(base.text, 10000 + Math.floor(r() * 300000), r); }
    else if (roll < 0.94) { kind = 'binary'; text = binary(100 + Math.floor(r() * 20000), r); }
    else { kind = 'new file'; text = mutate(base.text, r).text; }
    report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
    report.documents++;
    // Mostly an edit of an open sample; now and then a file opened for this document and closed after.
    const fresh = kind === 'new file' || kind === '200k-line file';
    const file = fresh ? join(ROOT, 'samples', kind === 'new file' ? `profiles/fuzz-${i}.profile.yaml` : 'profiles/fuzz-huge.profile.yaml') : base.file;
    if (fresh) await c.open(file, text); else await c.change(file, text);
    const td = { textDocument: { uri: uri(file) } };
    const size = text.length;
    const jobs: Promise<void>[] = [];
    for (let k = 0; k < o.requestsPerDocument; k++) {
      const method = pick(METHODS);
      const p = { ...td, position: position(text) };
      const send = () => {
        switch (method) {
          case 'completion': return c.request('textDocument/completion', p);
          case 'hover': return c.request('textDocument/hover', p);
          case 'definition': return c.request('textDocument/definition', p);
          case 'references': return c.request('textDocument/references', { ...p, context: { includeDeclaration: true } });
          case 'documentSymbol': return c.request('textDocument/documentSymbol', td);
          case 'prepareRename': return c.request('textDocument/prepareRename', p);
          case 'rename': return c.request('textDocument/rename', { ...p, newName: 'fuzz-name' });
          default: return c.request('textDocument/codeAction', { ...td, range: { start: p.position, end: p.position }, context: { diagnostics: [] } });
        }
      };
      jobs.push(timed(kind, method, size, i, send));
    }
    await Promise.all(jobs);
    if (o.diagnosticsEvery && i % o.diagnosticsEvery === 0) {
      report.diagnosticsAwaited++;
      try { await c.diagnostics(file, undefined, limit); } catch { report.unanswered++; note(`doc ${i} ${kind}: no diagnostics in ${limit} ms`); }
    }
    if (fresh) await c.close(file);
    if (!c.alive) {
      report.crashes++;
      note(`doc ${i} ${kind}: the server exited: ${c.stderr.slice(-500)}`);
      report.peakRssMb = Math.max(report.peakRssMb, peakRss(c.proc.pid));
      c = await start();
    }
    if (i % 200 === 0) report.peakRssMb = Math.max(report.peakRssMb, peakRss(c.proc.pid));
    o.progress?.(i + 1, report);
  }
  report.peakRssMb = Math.max(report.peakRssMb, peakRss(c.proc.pid));
  if (/uncaught/.test(c.stderr)) { report.crashes++; note(`uncaught exception: ${c.stderr.slice(-500)}`); }
  await c.stop();
  return report;
}
