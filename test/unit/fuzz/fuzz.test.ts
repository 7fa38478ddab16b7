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
import { ROOT } from '../lsp/lsp-client';
import { fuzzServer } from './server-fuzz';
import { yamlFiles } from '../model/helpers';
import { rng, mutate } from './mutate';

const SEED = Number(process.env.FUZZ_SEED ?? 20260126);
const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);
const SERVER_COUNT = Number(process.env.FUZZ_SERVER_COUNT ?? 200);

describe('fuzz: mutated samples', function () {
  this.timeout(120000);
  const sampleFiles = yamlFiles(join(ROOT, 'samples'));
  const corpus = sampleFiles.map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));
  let index: WorkspaceIndex;

  before(async () => {
    index = new WorkspaceIndex(join(ROOT, 'samples'));
    await indexFiles(index, await findWorkspaceFiles(join(ROOT, 'samples')));
  });

  it(`validation, completion, hover and symbols never crash or hang (seed ${SEED}, ${COUNT} cases)`, function () {
    this.timeout(900000); // 2,000 cases: minutes on a machine shared with many jobs
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
      assert.ok(ms < 30000, `${label}: took ${ms.toFixed(0)} ms (${phases.join(', ')})`);
    }
    assert.equal(byMutator.size, 10, `every mutator ran: ${[...byMutator.keys()]}`);
    assert.ok(fastAgreed > COUNT / 5, `the differential check ran on ${fastAgreed} cases`);
  });

  it(`the real server answers every request on ${SERVER_COUNT} hostile documents and stays up (a small bench:fuzz)`, async function () {
    this.timeout(900000); // a few minutes on a machine shared with many jobs
    const report = await fuzzServer({ seed: SEED + 1, documents: SERVER_COUNT, requestsPerDocument: 3, hugeFiles: 1, hugeLines: 20000, diagnosticsEvery: 10, answerLimitMs: 20000 });
    assert.deepEqual({ crashes: report.crashes, unanswered: report.unanswered, errors: report.errors }, { crashes: 0, unanswered: 0, errors: 0 }, report.notes.join('\n'));
    assert.equal(report.byKind['200k-line file'], 1);
    assert.ok(report.requests >= SERVER_COUNT * 3);
    // A hang, not a slow machine: generous so a loaded CI box does not flake (bench:fuzz holds the 1 s line).
    const slow = report.samples.filter((x) => x.size < 100 * 1024 && x.ms > 10000);
    assert.deepEqual(slow, []);
  });
});
