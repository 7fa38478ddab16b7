// `npm run bench:lsp`: this language server side by side with Red Hat's yaml-language-server
// (given this project's scenario schema) on a generated 10,000-line scenario, plus workspace
// indexing and a 20,000-profile collection; the 10,000-line scenario with ~600 errors (edit ->
// diagnostics) and a 200,000-line collection (completion in another file, outline, hover,
// memory before/with/after). BENCH_ONLY=errors,huge,side-by-side picks sections. Prints every
// figure; not part of `npm test`.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import type { Diagnostic, CompletionList } from 'vscode-languageserver-protocol';
import { LspClient, ROOT, uri } from '../../unit/lsp/lsp-client';
import { schemaFiles } from '../../../core/generated/schemas';
import { DEBOUNCE_MS } from '../../../server/server';

const YLS = join(ROOT, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');
const TARGETS = 2500;

type Json = Record<string, unknown>;

/** One self-contained schema: every cross-file `$ref` copied into `definitions` under a prefixed name. */
export function bundleSchema(name: string): Json {
  const files = schemaFiles as unknown as Record<string, Json>;
  const defs: Record<string, unknown> = {};
  const pending: [string, string][] = [];
  const rewrite = (node: unknown, file: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, file));
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) {
      if (k === '$ref' && typeof v === 'string') {
        const [f, frag = ''] = v.split('#');
        const target = f ? f.replace(/\.schema\.json$/, '') : file;
        if (target === name && !f) { out[k] = v; continue; }
        const defName = `${target}__${frag.replace(/^\/definitions\//, '').replace(/\//g, '_') || 'root'}`;
        if (!(defName in defs)) { defs[defName] = null; pending.push([target, frag]); }
        out[k] = `#/definitions/${defName}`;
      } else out[k] = k === '$id' ? undefined : rewrite(v, file);
    }
    return out;
  };
  const root = rewrite(files[name], name) as Json;
  while (pending.length) {
    const [file, frag] = pending.pop()!;
    let node: unknown = files[file];
    for (const part of frag.split('/').filter(Boolean)) node = (node as Json)[part];
    const defName = `${file}__${frag.replace(/^\/definitions\//, '').replace(/\//g, '_') || 'root'}`;
    const copy = rewrite(node, file) as Json;
    if (!frag) delete copy.definitions;
    defs[defName] = copy;
    // Definitions of a copied file referenced as '#/definitions/x' inside it were rewritten to file__x above.
  }
  root.definitions = { ...(root.definitions as Json), ...defs };
  return JSON.parse(JSON.stringify(root));
}

export function bigScenario(targets = TARGETS, badEvery = 50): { text: string; invalid: number } {
  const lines = ['kind: scenario', 'id: big-scenario', 'profile: bench-person', 'split: standard', 'targets:'];
  let invalid = 0;
  for (let i = 0; i < targets; i++) {
    const bad = i % badEvery === 7 % badEvery;
    if (bad) invalid++;
    lines.push(`  - id: target-${i}`, `    description: The user wants outcome number ${i} settled today`, `    priority: ${bad ? 'primry' : i % 3 ? 'primary' : 'secondary'}`, `    reveal: when_asked`);
  }
  return { text: lines.join('\n') + '\n', invalid };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

interface Side { open: number; opens: number[]; edit: number; edits: number[]; completion: number; diagsOpen: number; diagsEdit: number }

const OPENS = 5;
/** The targets: edit -> diagnostics on the 625-error scenario, completion beside a 200,000-line collection. */
const EDIT_TARGET_MS = 50;
const COMPLETION_TARGET_MS = 200;
const loadAverage = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const EDITS = 9;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One server under measurement; the steps are interleaved with the other server's so both see the same machine load. */
class Subject {
  readonly opens: number[] = [];
  readonly edits: number[] = [];
  readonly completions: number[] = [];
  diagsOpen = 0;
  diagsEdit = 0;
  private file = '';
  private readonly lines: string[];
  private readonly badLines: Set<number>;
  constructor(readonly name: string, readonly c: LspClient, private readonly dir: string, private readonly text: string, private readonly languageId: string, private readonly expected: number) {
    this.lines = text.split('\n');
    this.badLines = new Set(this.lines.map((l, i) => (/primry/.test(l) ? i : -1)).filter((i) => i >= 0));
  }
  private enumErrors(d: Diagnostic[]) { return d.filter((x) => this.badLines.has(x.range.start.line) && x.range.start.line === x.range.end.line).length; }

  async warm(): Promise<void> {
    // Warm the process up with a small file of the same kind (JIT, schema loading), as an editor session would be.
    const small = join(this.dir, 'scenarios', `warm-${this.name}.scenario.yaml`);
    const w = this.c.diagnostics(small, () => true, 120000);
    await this.c.open(small, bigScenario(20).text, this.languageId);
    await w;
  }

  async open(i: number): Promise<void> {
    if (this.file) await this.c.close(this.file);
    this.file = join(this.dir, 'scenarios', `big-${this.name}-${i}.scenario.yaml`);
    const t0 = performance.now();
    const first = this.c.diagnostics(this.file, (p) => this.enumErrors(p.diagnostics) >= this.expected, 120000);
    await this.c.open(this.file, this.text, this.languageId);
    this.diagsOpen = this.enumErrors(await first);
    this.opens.push(performance.now() - t0);
  }

  /** A one-character edit in a description near the end of the file. */
  async edit(i: number): Promise<void> {
    const line = this.lines.length - 4;
    const col = this.lines[line].indexOf('settled');
    const v = this.c.version(this.file) + 1;
    const t0 = performance.now();
    const next = this.c.diagnostics(this.file, (p) => p.version === undefined || p.version === v, 120000);
    await this.c.edit(this.file, { start: { line, character: col }, end: { line, character: col + 1 } }, i % 2 ? 's' : 'S');
    this.diagsEdit = this.enumErrors(await next);
    this.edits.push(performance.now() - t0);
  }

  /** Completion at `priority: ` of the last target. */
  async complete(): Promise<void> {
    const s = performance.now();
    const r = await this.c.request<CompletionList | unknown[]>('textDocument/completion', { textDocument: { uri: uri(this.file) }, position: { line: this.lines.length - 3, character: 14 } });
    this.completions.push(performance.now() - s);
    const items = Array.isArray(r) ? r : (r as CompletionList).items;
    if (!items.some((x) => (x as { label: string }).label === 'secondary')) console.log(`  note: ${this.name} completion did not offer 'secondary'`);
  }

  result(): Side {
    return { open: median(this.opens), opens: this.opens, edit: median(this.edits), edits: this.edits, completion: median(this.completions), diagsOpen: this.diagsOpen, diagsEdit: this.diagsEdit };
  }
}

async function sideBySide(subjects: Subject[]): Promise<Side[]> {
  for (const s of subjects) await s.warm();
  for (let i = 0; i < OPENS; i++) for (const s of subjects) { await s.open(i); await sleep(300); }
  await sleep(500);
  for (let i = 0; i < EDITS; i++) for (const s of subjects) { await s.edit(i); await sleep(300); }
  for (let i = 0; i < 10; i++) for (const s of subjects) await s.complete();
  return subjects.map((s) => s.result());
}

/** VmRSS of a process, in MB. */
function rss(pid: number | undefined): number {
  try { return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024; } catch { return NaN; }
}

/** The 10,000-line scenario with ~600 errors: a one-character edit -> its diagnostics (median of 15). */
async function manyErrors(dir: string): Promise<Record<string, unknown>> {
  const { text, invalid } = bigScenario(TARGETS, 4);
  const c = await LspClient.start({ rootDir: dir, waitIndexed: true });
  const s = new Subject('errors', c, dir, text, 'userlm-scenario', invalid);
  await s.warm();
  await s.open(0);
  for (let i = 0; i < 15; i++) { await s.edit(i); await sleep(100); }
  const r = s.result();
  await c.stop();
  console.log(`10,000-line scenario with ${invalid} errors: 1-char edit -> diagnostics median ${fmt(r.edit)} (all: ${r.edits.map((x) => x.toFixed(0)).join(' ')}); open -> diagnostics ${fmt(r.open)}; errors reported ${r.diagsEdit}/${invalid}`);
  console.log(`  target: edit -> diagnostics median <= ${EDIT_TARGET_MS} ms: ${r.edit <= EDIT_TARGET_MS ? 'met' : 'NOT met'} (load average ${loadAverage()})`);
  return { invalid, editMedian: r.edit, edits: r.edits, open: r.open, reported: r.diagsEdit };
}

/**
 * A 200,000-line profile collection opened next to a small scenario: completion in the scenario
 * while the collection is analyzed and afterwards, outline and hover on the collection, and the
 * server's memory before, with and after the file (closed, worker idle).
 */
async function hugeCollectionOpen(dir: string, write: (rel: string, text: string) => string): Promise<Record<string, unknown>> {
  const lines = ['kind: profiles', 'description: generated', 'profiles:'];
  for (let i = 0; lines.length < 200000; i++) lines.push(`  - id: huge-${i}`, `    name: Member ${i}`, `    demographics: {age: ${18 + (i % 70)}, occupation: clerk}`, '    expression:', `      verbosity: ${i % 1000 === 5 ? 'chatty' : 'standard'}`, `      patience: 0.${i % 10}`);
  const coll = lines.slice(0, 200000).join('\n') + '\n';
  const collFile = join(dir, 'profiles', 'huge-200k.profile.yaml');
  const c = await LspClient.start({ rootDir: dir, waitIndexed: true });
  const smallText = 'kind: scenario\nid: small-huge\nprofile: \ntargets:\n  - id: a\n    description: x\n';
  const small = write('scenarios/small-huge.scenario.yaml', smallText);
  await c.open(small, smallText, 'userlm-scenario');
  await c.diagnostics(small);
  const complete = async () => {
    const t = performance.now();
    await c.request('textDocument/completion', { textDocument: { uri: uri(small) }, position: { line: 2, character: 9 } });
    return performance.now() - t;
  };
  for (let i = 0; i < 5; i++) await complete();
  const rssBefore = rss(c.proc.pid);
  const during: number[] = [];
  const t0 = performance.now();
  let finished = false;
  const done = c.diagnostics(collFile, (p) => p.diagnostics.length > 0, 300000).then((d) => { finished = true; return d; });
  await c.open(collFile, coll, 'userlm-profile');
  while (!finished) { during.push(await complete()); await sleep(20); }
  const diags = await done;
  const analyzed = performance.now() - t0;
  const after: number[] = [];
  for (let i = 0; i < 20; i++) after.push(await complete());
  const rssOpen = rss(c.proc.pid);
  let t = performance.now();
  const syms = await c.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri: uri(collFile) } });
  const symbolsMs = performance.now() - t;
  t = performance.now();
  await c.request('textDocument/hover', { textDocument: { uri: uri(collFile) }, position: { line: 150001, character: 8 } });
  const hoverMs = performance.now() - t;
  await c.close(collFile);
  await sleep(7000); // the worker stops after 5 s idle
  for (let i = 0; i < 3; i++) await complete();
  const rssClosed = rss(c.proc.pid);
  await c.stop();
  const all = [...during, ...after];
  console.log(`\n200,000-line profile collection (${(coll.length / 1e6).toFixed(1)} MB): diagnostics after ${fmt(analyzed)} (${diags.length} problems)`);
  console.log(`  completion in another file: while it was analyzed ${during.length} requests, median ${fmt(median(during))}, max ${fmt(Math.max(...during))}; with it open median ${fmt(median(after))}, max ${fmt(Math.max(...after))}`);
  console.log(`  target: completion in another file always <= ${COMPLETION_TARGET_MS} ms: ${Math.max(...all) <= COMPLETION_TARGET_MS ? 'met' : 'NOT met'} (max ${fmt(Math.max(...all))} over ${all.length} requests; load average ${loadAverage()})`);
  console.log(`  outline of the collection ${fmt(symbolsMs)} (${syms.length} entries, capped), hover ${fmt(hoverMs)}`);
  console.log(`  server RSS: ${rssBefore.toFixed(0)} MB before, ${rssOpen.toFixed(0)} MB with it open, ${rssClosed.toFixed(0)} MB after closing it`);
  return { analyzedMs: analyzed, completionDuring: { n: during.length, median: median(during), max: Math.max(...during) }, completionOpen: { median: median(after), max: Math.max(...after) }, completionMax: Math.max(...all), symbolsMs, hoverMs, rssBefore, rssOpen, rssClosed };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'userlm-bench-'));
  const write = (rel: string, text: string) => { const p = join(dir, rel); mkdirSync(dirname(p), { recursive: true }); writeFileSync(p, text); return p; };
  const results: Record<string, unknown> = {};
  try {
    write('userlm.yaml', 'kind: workspace\n');
    write('profiles/bench.profile.yaml', 'kind: profile\nid: bench-person\nname: Bench Person\n');
    const schemaPath = write('schema/scenario.bundled.schema.json', JSON.stringify(bundleSchema('scenario'), null, 1));
    const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
    const run = (name: string) => only.length === 0 || only.includes(name);
    if (run('errors')) results.errors = await manyErrors(dir);
    if (run('huge')) results.huge = await hugeCollectionOpen(dir, write);
    if (!run('side-by-side')) { console.log('\n' + JSON.stringify(results)); return; }
    const { text, invalid } = bigScenario();
    console.log(`10,000-line scenario: ${text.split('\n').length - 1} lines, ${TARGETS} targets, ${invalid} invalid priority values\n`);

    // --- this server and yaml-language-server 1.19 (given the bundled scenario schema), side by side
    const ours = await LspClient.start({ rootDir: dir, waitIndexed: true });
    const yamlSettings = { validate: true, completion: true, hover: true, format: { enable: false }, schemaStore: { enable: false }, schemas: { [uri(schemaPath)]: ['*.scenario.yaml'] }, maxItemsComputed: 100000 };
    const yls = await LspClient.start({ rootDir: dir, command: [process.execPath, YLS, '--stdio'], settings: { yaml: yamlSettings, '[yaml]': {}, editor: {}, http: {} } });
    await yls.conn.sendNotification('workspace/didChangeConfiguration', { settings: { yaml: yamlSettings } });
    const [a, b] = await sideBySide([new Subject('userlm', ours, dir, text, 'userlm-scenario', invalid), new Subject('yaml-ls', yls, dir, text, 'yaml', invalid)]);
    await ours.stop();
    await yls.stop();

    const row = (label: string, x: number, y: number) => console.log(`${label.padEnd(34)} ${fmt(x).padStart(10)} ${fmt(y).padStart(12)} ${(y / x).toFixed(1).padStart(8)}x`);
    console.log(`${''.padEnd(34)} ${'userlm'.padStart(10)} ${'yaml-ls 1.19'.padStart(12)} ${'ratio'.padStart(9)}`);
    row(`open -> diagnostics (median of ${OPENS})`, a.open, b.open);
    row(`1-char edit -> diagnostics (med. ${EDITS})`, a.edit, b.edit);
    row('completion (median of 10)', a.completion, b.completion);
    console.log(`invalid values reported (open/edit): userlm ${a.diagsOpen}/${a.diagsEdit}, yaml-language-server ${b.diagsOpen}/${b.diagsEdit}, expected ${invalid}`);
    console.log(`all samples (ms): userlm open ${a.opens.map((x) => x.toFixed(0)).join(' ')}, edit ${a.edits.map((x) => x.toFixed(0)).join(' ')}; yaml-ls open ${b.opens.map((x) => x.toFixed(0)).join(' ')}, edit ${b.edits.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(`(the server debounces edits by ${DEBOUNCE_MS} ms on files whose last analysis took longer than that; any such wait is included in the edit figures)`);
    results.big = { userlm: a, yamlLanguageServer: b, ratioOpen: b.open / a.open, ratioEdit: b.edit / a.edit, invalid };

    // --- a workspace of 2,000 scenario + profile files
    const wsDir = mkdtempSync(join(tmpdir(), 'userlm-bench-ws-'));
    try {
      writeFileSync(join(wsDir, 'userlm.yaml'), 'kind: workspace\n');
      mkdirSync(join(wsDir, 'profiles'));
      mkdirSync(join(wsDir, 'scenarios'));
      for (let i = 0; i < 1000; i++) {
        writeFileSync(join(wsDir, 'profiles', `p${i}.profile.yaml`), `kind: profile\nid: person-${i}\nname: Person ${i}\ndemographics:\n  age: ${20 + (i % 60)}\n  occupation: worker\npersonality:\n  mbti: ISTJ\n  traits: [careful, direct]\nexpression:\n  verbosity: terse\n  patience: 0.5\n`);
        writeFileSync(join(wsDir, 'scenarios', `s${i}.scenario.yaml`), `kind: scenario\nid: scenario-${i}\nprofile: person-${i}\nsplit: standard\ntargets:\n  - id: price\n    description: Pay less\n  - id: contract\n    description: No contract\ndecision_policy:\n  - id: p\n    when: {target_unmet: price}\n    then: ask again\nstate:\n  initial: {trust: 0.5}\n  transitions:\n    - on: target_met:price\n      change: {trust: 0.1}\n`);
      }
      const t0 = performance.now();
      const c = await LspClient.start({ rootDir: wsDir, waitIndexed: true });
      const wall = performance.now() - t0;
      console.log(`\nworkspace of 2,000 files (1,000 scenarios + 1,000 profiles): indexed in ${fmt(c.indexed!.ms)} (server), ${fmt(wall)} from spawn to indexed`);
      // A reference across the index resolves.
      const f = join(wsDir, 'scenarios', 'new.scenario.yaml');
      await c.open(f, 'kind: scenario\nid: scenario-999\nprofile: person-998\ntargets:\n  - id: a\n    description: x\n');
      const dd = await c.diagnostics(f);
      const dup = dd.filter((d) => d.code === 'duplicate-id').length;
      console.log(`  cross-file check on an opened file: ${dd.length} diagnostics (expected 1: the scenario id duplicates s999 on disk; found ${dup})`);
      results.workspace = { files: 2001, serverMs: c.indexed!.ms, wallMs: wall };
      await c.stop();
    } finally { rmSync(wsDir, { recursive: true, force: true }); }

    // --- a 20,000-profile collection: the server keeps answering while it validates
    const lines = ['kind: profiles', 'description: generated', 'profiles:'];
    for (let i = 0; i < 20000; i++) lines.push(`  - id: member-${i}`, `    name: Member ${i}`, `    demographics: {age: ${18 + (i % 70)}, occupation: clerk}`, `    expression:`, `      verbosity: ${i % 1000 === 5 ? 'chatty' : 'standard'}`, `      patience: 0.${i % 10}`);
    const coll = lines.join('\n') + '\n';
    const collFile = write('profiles/panel.profile.yaml', coll);
    const c = await LspClient.start({ rootDir: dir, waitIndexed: true });
    const small = write('scenarios/small.scenario.yaml', 'kind: scenario\nid: small\nprofile: \ntargets:\n  - id: a\n    description: x\n');
    await c.open(small, 'kind: scenario\nid: small\nprofile: \ntargets:\n  - id: a\n    description: x\n', 'userlm-scenario');
    await c.diagnostics(small);
    const latencies: number[] = [];
    const t0 = performance.now();
    const done = c.diagnostics(collFile, (p) => p.diagnostics.length > 0, 120000);
    await c.open(collFile, coll, 'userlm-profile');
    let finished = false;
    void done.then(() => { finished = true; });
    while (!finished) {
      const s = performance.now();
      await c.request('textDocument/completion', { textDocument: { uri: uri(small) }, position: { line: 2, character: 9 } });
      latencies.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 5));
    }
    const diags = await done;
    const total = performance.now() - t0;
    console.log(`\n20,000-profile collection (${lines.length} lines): diagnostics after ${fmt(total)} (${diags.length} problems, expected ${20})`);
    console.log(`  completion in another file while it validated: ${latencies.length} requests, median ${fmt(median(latencies))}, max ${fmt(Math.max(...latencies))}`);
    const ids = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(small) }, position: { line: 2, character: 9 } });
    console.log(`  profile ids offered in a scenario afterwards: ${ids.items.length}`);
    results.collection = { lines: lines.length, ms: total, problems: diags.length, completions: latencies.length, completionMedian: median(latencies), completionMax: Math.max(...latencies) };
    await c.stop();
    console.log('\n' + JSON.stringify(results));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
