// Fuzz: thousands of mutated samples (cut, duplicated, re-indented, random bytes, alias bombs,
// huge scalars, deep nesting) through validation and the editor features in-process, and a few
// hundred through the real server. Seeded: FUZZ_SEED=<n> reproduces a run; FUZZ_COUNT scales it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { analyzeText, problemsOf, indexFiles } from '../../../core/validate/index';
import { WorkspaceIndex } from '../../../core/model/workspace-index';
import { findWorkspaceFiles } from '../../../core/model/load';
import * as features from '../../../core/language/features';
import { LspClient, ROOT, uri } from '../lsp/lsp-client';
import { yamlFiles } from '../model/helpers';

const SEED = Number(process.env.FUZZ_SEED ?? 20260126);
const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);
const SERVER_COUNT = Number(process.env.FUZZ_SERVER_COUNT ?? 200);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [':', '-', ' ', '\n', '"', "'", '[', ']', '{', '}', '&', '*', '!', '|', '>', '#', '%', '@', '`', '\t', '\r', '\0', '?', ',', 'é', '\u2028', '\ufeff', 'kind: ', '- id: ', '  '];

export function mutate(text: string, r: () => number): { name: string; text: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const lines = text.split('\n');
  const at = Math.floor(r() * (text.length + 1));
  const li = Math.floor(r() * lines.length);
  switch (Math.floor(r() * 10)) {
    case 0: return { name: 'cut', text: text.slice(0, at) };
    case 1: {
      const n = 1 + Math.floor(r() * 8);
      return { name: 'duplicate lines', text: [...lines.slice(0, li + n), ...lines.slice(li, li + n), ...lines.slice(li + n)].join('\n') };
    }
    case 2: {
      const delta = pick([-4, -2, -1, 1, 2, 3]);
      return { name: 're-indent', text: lines.map((l, i) => (i >= li && i < li + 6 ? (delta > 0 ? ' '.repeat(delta) + l : l.slice(Math.min(-delta, l.length - l.trimStart().length))) : l)).join('\n') };
    }
    case 3: {
      let t = text;
      for (let k = 0, n = 1 + Math.floor(r() * 6); k < n; k++) { const p = Math.floor(r() * (t.length + 1)); t = t.slice(0, p) + pick(NASTY) + t.slice(p); }
      return { name: 'random bytes', text: t };
    }
    case 4: {
      let bomb = 'bomb0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
      for (let i = 1; i < 10; i++) bomb += `bomb${i}: &b${i} [${Array(9).fill(`*b${i - 1}`).join(', ')}]\n`;
      return { name: 'alias bomb', text: r() < 0.5 ? text + '\n' + bomb : bomb + text };
    }
    case 5: return { name: 'huge scalar', text: text.slice(0, at) + 'x'.repeat(50000 + Math.floor(r() * 200000)) + text.slice(at) };
    case 6: {
      const depth = 200 + Math.floor(r() * 3000);
      const nest = r() < 0.5 ? `deep: ${'['.repeat(depth)}${']'.repeat(r() < 0.5 ? depth : 0)}\n` : Array.from({ length: Math.min(depth, 400) }, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n') + ' x\n';
      return { name: 'deep nesting', text: text + '\n' + nest };
    }
    case 7: return { name: 'delete lines', text: [...lines.slice(0, li), ...lines.slice(li + 1 + Math.floor(r() * 5))].join('\n') };
    case 8: {
      const j = Math.floor(r() * lines.length);
      const copy = [...lines];
      [copy[li], copy[j]] = [copy[j], copy[li]];
      return { name: 'swap lines', text: copy.join('\n') };
    }
    default: {
      const bytes = Array.from({ length: 1 + Math.floor(r() * 200) }, () => String.fromCharCode(Math.floor(r() * 256)));
      return { name: 'binary junk', text: text.slice(0, at) + bytes.join('') + text.slice(at) };
    }
  }
}

describe('fuzz: mutated samples', function () {
  this.timeout(120000);
  const sampleFiles = yamlFiles(join(ROOT, 'samples'));
  const corpus = sampleFiles.map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));
  let index: WorkspaceIndex;

  before(async () => {
    index = new WorkspaceIndex(join(ROOT, 'samples'));
    await indexFiles(index, await findWorkspaceFiles(join(ROOT, 'samples')));
  });

  it(`validation, completion, hover and symbols never crash or hang (seed ${SEED}, ${COUNT} cases)`, () => {
    const r = rng(SEED);
    const byMutator = new Map<string, number>();
    let fastAgreed = 0;
    for (let i = 0; i < COUNT; i++) {
      const base = corpus[Math.floor(r() * corpus.length)];
      let m = mutate(base.text, r);
      if (r() < 0.3) { const m2 = mutate(m.text, r); m = { name: `${m.name}+${m2.name}`, text: m2.text }; }
      const label = `case ${i} (seed ${SEED}, ${m.name}, from ${base.file.slice(ROOT.length + 1)})`;
      byMutator.set(m.name.split('+')[0], (byMutator.get(m.name.split('+')[0]) ?? 0) + 1);
      const started = performance.now();
      const phases: string[] = [];
      const mark = (name: string) => phases.push(`${name} ${(performance.now() - started).toFixed(0)}`);
      try {
        const a = analyzeText(m.text, base.file);
        mark('analyze');
        // The incremental path (previous analysis handed over) must give the same problems and value.
        const inc = analyzeText(m.text, base.file, analyzeText(base.text, base.file));
        // (Where yaml runs out of stack on deep nesting depends on the caller's stack depth: not comparable.)
        if (!a.local.some((p) => /nests too deeply/.test(p.message))) assert.deepEqual(inc.local, a.local, `${label}: incremental re-analysis differs`);
        if (a.parsed.fast) assert.deepEqual(inc.parsed.value, a.parsed.value, `${label}: incremental value differs`);
        mark('incremental');
        const problems = problemsOf(a, index);
        mark('problems');
        const L = a.parsed.lines;
        for (const p of problems) {
          assert.ok(p.range.start.line < L.lineCount && p.range.end.line < L.lineCount, `${label}: range outside the text`);
          assert.ok(p.range.start.line < p.range.end.line || (p.range.start.line === p.range.end.line && p.range.start.character <= p.range.end.character), `${label}: inverted range`);
          if (p.code === 'syntax') assert.equal(p.range.start.line, p.range.end.line, `${label}: syntax error spans lines`);
        }
        for (let k = 0; k < 3; k++) {
          const line = Math.floor(r() * L.lineCount);
          const pos = { line, character: Math.floor(r() * (L.lineText(line).length + 1)) };
          features.complete(a, pos, index);
          features.hover(a, pos, index);
          features.definition(a, pos, index, (f) => f);
        }
        mark('features');
        features.documentSymbols(a);
        features.codeActions(a, problems, (f) => f, join(ROOT, 'samples'));
        mark('symbols+actions');
        // Differential: where the fast path parsed it, the value is what yaml gives.
        if (a.parsed.fast && m.text.length < 20000) {
          const doc = parseDocument(m.text, { uniqueKeys: true });
          if (!doc.errors.length) { assert.deepEqual(a.parsed.value, doc.toJS({ maxAliasCount: 100 }), `${label}: fast path disagrees with yaml`); fastAgreed++; }
        }
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        throw new Error(`${label}: threw ${(e as Error).stack}`);
      }
      const ms = performance.now() - started;
      // A hang, not a slow machine: generous so a loaded CI box does not flake.
      assert.ok(ms < 10000, `${label}: took ${ms.toFixed(0)} ms (${phases.join(', ')})`);
    }
    assert.equal(byMutator.size, 10, `every mutator ran: ${[...byMutator.keys()]}`);
    assert.ok(fastAgreed > COUNT / 5, `the differential check ran on ${fastAgreed} cases`);
  });

  it(`the real server answers every request on ${SERVER_COUNT} mutants and stays up`, async () => {
    const r = rng(SEED + 1);
    const c = await LspClient.start({ rootDir: join(ROOT, 'samples'), waitIndexed: true });
    try {
      const files = corpus.map((x) => x.file);
      for (const f of files) await c.open(f, readFileSync(f, 'utf8'));
      for (let i = 0; i < SERVER_COUNT; i++) {
        const k = Math.floor(r() * corpus.length);
        const m = mutate(corpus[k].text, r);
        const f = files[k];
        await c.change(f, m.text);
        const lines = m.text.split('\n');
        const line = Math.floor(r() * lines.length);
        const position = { line, character: Math.floor(r() * (lines[line].length + 1)) };
        const td = { textDocument: { uri: uri(f) }, position };
        const label = `server case ${i} (seed ${SEED + 1}, ${m.name})`;
        const answers = await Promise.race([
          Promise.all([
            c.diagnostics(f),
            c.request('textDocument/completion', td),
            c.request('textDocument/hover', td),
            c.request('textDocument/definition', td),
            c.request('textDocument/documentSymbol', { textDocument: td.textDocument }),
          ]),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${label}: no answer within 10 s`)), 10000)),
        ]);
        assert.equal(answers.length, 5);
        assert.ok(c.alive, `${label}: the server exited: ${c.stderr}`);
      }
      assert.ok(!/uncaught/.test(c.stderr), c.stderr);
    } finally {
      await c.stop();
    }
  });
});
