// The range-aware YAML model: the fast path must agree with the `yaml` library on values and
// key positions, and fall back to it for what it does not handle.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';
import { parseYaml, reparse, LineIndex, type YNode, type ParsedYaml } from '../../../core/model/document';
import { ROOT } from '../lsp/lsp-client';
import { yamlFiles } from './helpers';
import { FILES } from '../lsp/fixture';

/** Key start offsets in document order, from our tree and from yaml's. */
function ourKeys(n: YNode | null, out: number[] = []): number[] {
  if (!n) return out;
  if (n.type === 'map') for (const p of n.items) { out.push(p.key.span[0]); ourKeys(p.value, out); }
  if (n.type === 'seq') for (const i of n.items) ourKeys(i, out);
  return out;
}
function theirKeys(n: unknown, out: number[] = []): number[] {
  if (isMap(n)) for (const p of n.items) { if (isPair(p)) { out.push((p.key as Node).range![0]); theirKeys(p.value, out); } }
  if (isSeq(n)) for (const i of n.items) theirKeys(i, out);
  return out;
}
function scalarSpans(n: YNode | null, text: string, out: string[] = []): string[] {
  if (!n) return out;
  if (n.type === 'scalar') out.push(text.slice(n.span[0], n.span[1]));
  if (n.type === 'map') for (const p of n.items) { out.push(text.slice(p.key.span[0], p.key.span[1])); scalarSpans(p.value, text, out); }
  if (n.type === 'seq') for (const i of n.items) scalarSpans(i, text, out);
  return out;
}
function scalarValueSpans(n: YNode | null, out: [number, number][] = []): [number, number][] {
  if (!n) return out;
  if (n.type === 'scalar') out.push(n.span);
  if (n.type === 'map') for (const p of n.items) scalarValueSpans(p.value, out);
  if (n.type === 'seq') for (const i of n.items) scalarValueSpans(i, out);
  return out;
}
function theirSpans(n: unknown, text: string, out: string[] = []): string[] {
  if (isScalar(n) && n.range![1] > n.range![0]) out.push(text.slice(n.range![0], n.range![1]));
  if (isMap(n)) for (const p of n.items) { if (isPair(p)) { out.push(text.slice((p.key as Node).range![0], (p.key as Node).range![1])); theirSpans(p.value, text, out); } }
  if (isSeq(n)) for (const i of n.items) theirSpans(i, text, out);
  return out;
}

export function agreesWithYaml(text: string): { fast: boolean } {
  const ours = parseYaml(text);
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) {
    assert.ok(ours.errors.length > 0, 'yaml reports an error, so must we');
    return { fast: ours.fast };
  }
  assert.deepEqual(ours.errors, []);
  assert.deepEqual(ours.value, doc.toJS({ maxAliasCount: 100 }));
  if (ours.fast) {
    assert.deepEqual(ourKeys(ours.root), theirKeys(doc.contents));
    const a = scalarSpans(ours.root, text).map((s) => s.trimEnd());
    const b = theirSpans(doc.contents, text).map((s) => s.trimEnd());
    assert.deepEqual(a, b);
  }
  return { fast: ours.fast };
}

const TRICKY = [
  'a: 1\nb: -2\nc: 0.5\nd: .5\ne: 1e3\nf: 0x1F\ng: 0o17\nh: +3\ni: .inf\nj: -.Inf\nk: .nan\nl: ~\nm: null\nn: true\no: False\np: yes\nq: 012\n',
  'a: "x \\"y\\" \\n \\t \\u00e9 \\x41"\nb: \'it\'\'s\'\nc: "# not a comment"\nd: x # a comment\ne: a#b\nf: "trailing" # c\n',
  'list:\n- a\n- b\nnext: 1\n',
  'list:\n  - - a\n    - b\n  - - c\n',
  'items:\n  - id: a\n    tags: [x, "y z", 3]\n    map: {a: 1, b: [1, 2], c: {d: e}}\n  -\n    id: b\n  - \n  - null\n',
  'lit: |\n  line 1\n    indented\n\n  line 3\nnext: 1\n',
  'lit: |-\n  a\n  b\n\n\nnext: 1\n',
  'fold: >\n  a\n  b\n\n  c\nend: |\n  last\n',
  'fold: >-\n  one\n  two\n',
  'empty_lit: |\nx: 1\n',
  '---\nkind: scenario\n# comment\n\n  # indented comment\nid: x\n',
  'key with spaces: 1\n"quoted key": 2\n\'single\': 3\nurl: http://example.com:8080/x\ntime: 12:30\n',
  'a:\n  b:\n    c:\n      d: deep\n  e: f\n',
  'on: tactic:false_urgency\nchange: {trust: -0.2}\nempty_map: {}\nempty_seq: []\n',
  'a: 1\r\nb:\r\n  - x\r\n  - y\r\n',
  'no_newline_at_end: |\n  text',
  '',
  '# only a comment\n',
  'a: [1, 2,]\nb: {x: 1, }\n',
  '- a\n- b: 1\n  c: 2\n',
];
const FALLBACK = [
  'a: &x {k: 1}\nb: *x\n',
  'a: !!str 1\n',
  'a: plain\n  continued\n',
  'a: "multi\n  line"\n',
  'a: [1,\n  2]\n',
  '? complex\n: value\n',
  'a:\tb\n',
  'a: |+\n  keep\n\n',
  'a: >\n  folded\n    more\n  back\n',
  'a: 1\n---\nb: 2\n',
];

describe('document model', function () {
  // Thousands of parses: slow only on a machine shared with many other jobs.
  this.timeout(300000);
  it('the fast path agrees with yaml on every sample file', () => {
    const files = yamlFiles(join(ROOT, 'samples'));
    assert.ok(files.length >= 15);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      assert.equal(agreesWithYaml(text).fast, true, `${f} should take the fast path`);
    }
  });

  it('the fast path agrees with yaml on the test workspace files, written apart from the samples', () => {
    for (const [rel, text] of Object.entries(FILES)) assert.equal(agreesWithYaml(text).fast, true, `${rel} should take the fast path`);
  });

  for (const [i, text] of TRICKY.entries()) {
    it(`fast path case ${i}: ${JSON.stringify(text.slice(0, 30))}`, () => {
      assert.equal(agreesWithYaml(text).fast, true);
    });
  }

  for (const [i, text] of FALLBACK.entries()) {
    it(`falls back to yaml, same value: ${JSON.stringify(text.slice(0, 30))} (${i})`, () => {
      assert.equal(agreesWithYaml(text).fast, false);
    });
  }

  it('keeps alias bombs from exploding and reports them', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const started = Date.now();
    const r = parseYaml(text);
    assert.ok(Date.now() - started < 2000);
    assert.ok(r.errors.some((e) => /alias|resource/i.test(e.message)), JSON.stringify(r.errors));
  });

  it('re-parses edits inside plain values incrementally, with the same result as a full parse', () => {
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
    let reused = 0;
    for (const f of yamlFiles(join(ROOT, 'samples'))) {
      let text = readFileSync(f, 'utf8');
      let prev: ParsedYaml = parseYaml(text);
      for (let k = 0; k < 60; k++) {
        // Edit somewhere inside a plain scalar value (or anywhere, now and then).
        const spans = scalarValueSpans(prev.root);
        const span = spans[Math.floor(rand() * spans.length)];
        const at = span && rand() < 0.9 ? span[0] + Math.floor(rand() * (span[1] - span[0] + 1)) : Math.floor(rand() * text.length);
        const op = rand();
        const ch = 'abcxyz019 .-_:#'[Math.floor(rand() * 15)];
        const next = op < 0.4 ? text.slice(0, at) + ch + text.slice(at) : op < 0.7 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + ch + text.slice(at + 1);
        const full = parseYaml(next);
        const inc = reparse(prev, next);
        if (inc.root === prev.root && inc.fast) reused++;
        assert.deepEqual(inc.value, full.value, `${f} edit ${k} at ${at}`);
        assert.deepEqual(inc.root, full.root, `${f} edit ${k}: same tree and spans`);
        assert.deepEqual(inc.lines.starts, full.lines.starts, `${f} edit ${k}: same line starts`);
        assert.deepEqual(inc.errors.length > 0, full.errors.length > 0);
        text = next;
        prev = inc;
      }
    }
    assert.ok(reused > 100, `the incremental path ran ${reused} times`);
  });

  it('maps offsets and positions both ways, CRLF included', () => {
    const L = new LineIndex('ab\r\ncd\nef');
    assert.deepEqual(L.positionAt(0), { line: 0, character: 0 });
    assert.deepEqual(L.positionAt(4), { line: 1, character: 0 });
    assert.deepEqual(L.positionAt(9), { line: 2, character: 2 });
    assert.equal(L.offsetAt({ line: 1, character: 1 }), 5);
    assert.equal(L.lineText(0), 'ab');
    assert.equal(L.lineEnd(0), 2);
    assert.equal(L.offsetAt({ line: 9, character: 0 }), 9);
  });
});
