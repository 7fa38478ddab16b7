// The real language server process (dist/server.js --stdio), driven over LSP.
import assert from 'node:assert/strict';
import { writeFileSync, unlinkSync } from 'node:fs';
import type { Diagnostic, CompletionList, Hover, Location, WorkspaceEdit, DocumentSymbol, CodeAction, TextEdit } from 'vscode-languageserver-protocol';
import { LspClient, uri, SERVER } from './lsp-client';
import { makeWorkspace, FILES } from './fixture';

type Pos = { line: number; character: number };

/** Applies LSP text edits to a string. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: Pos) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

function find(diags: Diagnostic[], code: string): Diagnostic {
  const d = diags.find((x) => x.code === code);
  assert.ok(d, `expected a '${code}' diagnostic, got: ${JSON.stringify(diags.map((x) => `${x.code} ${x.message}`))}`);
  return d!;
}
const at = (line: number, character: number): Pos => ({ line, character });

describe('language server over stdio', function () {
  this.timeout(30000);
  let ws: ReturnType<typeof makeWorkspace>;
  let c: LspClient;
  let n = 0;
  /** A fresh scenario file name, so tests do not share documents. */
  const opened: string[] = [];
  const scenarioPath = () => { const f = ws.path(`scenarios/t${++n}.scenario.yaml`); opened.push(f); return f; };
  afterEach(async () => { for (const f of opened.splice(0)) await c.close(f); });

  before(async () => {
    ws = makeWorkspace();
    c = await LspClient.start({ rootDir: ws.dir, waitIndexed: true });
  });
  after(async () => { await c.stop(); ws.cleanup(); });

  it('indexes the workspace at start-up and finds the sample fixture valid', async () => {
    assert.equal(c.indexed?.files, Object.keys(FILES).length);
    for (const [rel, text] of Object.entries(FILES)) {
      await c.open(ws.path(rel), text);
      assert.deepEqual(await c.diagnostics(ws.path(rel)), [], rel);
    }
  });

  it('reports a syntax error on its own line, not at the end of the file', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: s1\nprofile: margaret-chen\ntargets:\n  - id: a\n    description: "unclosed\n  - id: b\n    description: x\nmemory:\n  - one\n');
    const d = find(await c.diagnostics(f), 'syntax');
    assert.equal(d.severity, 1);
    assert.equal(d.range.start.line, d.range.end.line, 'ends on its own line');
    assert.deepEqual(d.range, { start: at(5, 17), end: at(5, 26) });
    assert.match(d.message, /unclosed double quote/);
  });

  it('flags an unknown key on the key, with "did you mean"', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: s2\nprofile: margaret-chen\ntittle: Hello\ntargets:\n  - id: a\n    description: x\n');
    const d = find(await c.diagnostics(f), 'unknown-key');
    assert.deepEqual(d.range, { start: at(3, 0), end: at(3, 6) });
    assert.match(d.message, /unknown field `tittle`; did you mean `title`\?/);
  });

  it('flags a wrong enum value on the value and names the allowed values', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: s3\nprofile: margaret-chen\ntargets:\n  - id: a\n    description: x\n    priority: primry\n');
    const d = find(await c.diagnostics(f), 'invalid-value');
    assert.deepEqual(d.range, { start: at(6, 14), end: at(6, 20) });
    assert.match(d.message, /`targets\[0\]\.priority` must be one of `primary`, `secondary`.*did you mean `primary`/);
  });

  it('flags missing required fields on the object that lacks them', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: s4\nprofile: margaret-chen\ntargets:\n  - id: a\n');
    const d = find(await c.diagnostics(f), 'missing-required');
    assert.deepEqual(d.range, { start: at(4, 4), end: at(4, 6) });
    assert.match(d.message, /missing required field `description` in `targets\[0\]`/);
  });

  it('flags a reference to a missing profile, with a suggestion', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: s5\nprofile: margret-chen\ntargets:\n  - id: a\n    description: x\n');
    const d = find(await c.diagnostics(f), 'unknown-profile');
    assert.deepEqual(d.range, { start: at(2, 9), end: at(2, 21) });
    assert.match(d.message, /no profile `margret-chen` in the workspace; did you mean `margaret-chen`\?/);
  });

  it('flags duplicate ids across files and inside a scenario', async () => {
    const f = ws.path('profiles/dup.profile.yaml');
    await c.open(f, 'kind: profile\nid: margaret-chen\nname: Another Margaret\n');
    const d = find(await c.diagnostics(f), 'duplicate-id');
    assert.deepEqual(d.range, { start: at(1, 4), end: at(1, 17) });
    assert.match(d.message, /duplicate profile id `margaret-chen` \(also defined at profiles\/margaret\.profile\.yaml:2\)/);
    await c.close(f);
    const s = scenarioPath();
    await c.open(s, 'kind: scenario\nid: s6\nprofile: margaret-chen\ntargets:\n  - id: a\n    description: x\n  - id: a\n    description: y\n');
    const d2 = find(await c.diagnostics(s), 'duplicate-id');
    assert.deepEqual(d2.range, { start: at(6, 8), end: at(6, 9) });
  });

  it('flags state values out of range and min_turns above max_turns', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: s7\nprofile: margaret-chen\ntargets:\n  - id: a\n    description: x\nstate:\n  initial: {trust: 1.4, emotion: 0.5}\ntermination:\n  min_turns: 9\n  max_turns: 4\n');
    const diags = await c.diagnostics(f);
    const range = find(diags, 'out-of-range');
    assert.deepEqual(range.range, { start: at(7, 19), end: at(7, 22) });
    assert.match(range.message, /`state\.initial\.trust` must be between 0 and 1, not 1\.4/);
    const mm = find(diags, 'min-above-max');
    assert.deepEqual(mm.range, { start: at(9, 13), end: at(9, 14) });
  });

  it('checks targets, tactics and backends referenced in a scenario', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: s8\nprofile: margaret-chen\nsplit: adversarial\nagent:\n  default: lcoal\ntargets:\n  - id: price\n    description: x\nstate:\n  transitions:\n    - on: target_met:pric\n      change: {trust: 0.1}\nadversarial:\n  tactics: [false_urgncy, fake_discount]\n');
    const diags = await c.diagnostics(f);
    assert.deepEqual(find(diags, 'unknown-target').range, { start: at(11, 21), end: at(11, 25) });
    assert.match(find(diags, 'unknown-tactic').message, /did you mean `false_urgency`/);
    assert.match(find(diags, 'unknown-backend').message, /no backend `lcoal`.*did you mean `local`/);
    assert.equal(diags.length, 3, JSON.stringify(diags));
  });

  it('completes keys with required ones first and snippets', async () => {
    const f = scenarioPath();
    const text = 'kind: scenario\n\n';
    await c.open(f, text);
    const list = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(1, 0) });
    const labels = [...list.items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label)).map((i) => i.label);
    assert.ok(!labels.includes('kind'), 'present keys are not offered again');
    assert.deepEqual(labels.slice(0, 3).sort(), ['id', 'profile', 'targets']);
    const targets = list.items.find((i) => i.label === 'targets')!;
    assert.equal(targets.insertTextFormat, 2);
    assert.match((targets.textEdit as TextEdit).newText, /^targets:\n {2}- id: \$1\n {4}description: /);
    assert.match(String((targets.documentation as { value: string }).value), /What the user wants/);
    const split = list.items.find((i) => i.label === 'split')!;
    assert.equal((split.textEdit as TextEdit).newText, 'split: ${1|standard,adversarial|}');
  });

  it('completes enum values and ids from the whole workspace', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: s9\nprofile: \ntargets:\n  - id: price\n    description: x\n    priority: \ndecision_policy:\n  - id: p\n    when:\n      target_unmet: \n    then: x\n');
    const comp = (line: number, character: number) => c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(line, character) }).then((l) => l.items.map((i) => i.label));
    assert.deepEqual((await comp(6, 14)).sort(), ['primary', 'secondary']);
    const profiles = await comp(2, 9);
    for (const id of ['margaret-chen', 'panel-a', 'panel-b']) assert.ok(profiles.includes(id), `${id} in ${profiles}`);
    assert.deepEqual(await comp(10, 20), ['price']);
  });

  it('completes tactic names and transition events', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: s10\nprofile: margaret-chen\ntargets:\n  - id: price\n    description: x\nstate:\n  transitions:\n    - on: \nadversarial:\n  tactics:\n    - \n');
    const comp = (line: number, character: number) => c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(line, character) }).then((l) => l.items.map((i) => i.label));
    const events = await comp(8, 10);
    for (const e of ['every_turn', 'tactic:false_urgency', 'tactic:fake_discount', 'target_met:price']) assert.ok(events.includes(e), e);
    const tactics = await comp(11, 6);
    assert.ok(tactics.includes('sunk_cost') && tactics.includes('fake_discount'), tactics.join());
  });

  it('hovers field docs and a referenced profile', async () => {
    const f = ws.path('scenarios/upgrade.scenario.yaml');
    const h1 = await c.request<Hover>('textDocument/hover', { textDocument: { uri: uri(f) }, position: at(3, 2) });
    assert.match((h1.contents as { value: string }).value, /\*\*split\*\*[\s\S]*adversarial/);
    const h2 = await c.request<Hover>('textDocument/hover', { textDocument: { uri: uri(f) }, position: at(2, 12) });
    const v = (h2.contents as { value: string }).value;
    assert.match(v, /\*\*Margaret Chen\*\* `margaret-chen`/);
    assert.match(v, /retired teacher/);
    assert.match(v, /ISTJ/);
  });

  it('goes to the definition of a profile, a target and a tactic', async () => {
    const f = ws.path('scenarios/upgrade.scenario.yaml');
    const def = (line: number, character: number) => c.request<Location[]>('textDocument/definition', { textDocument: { uri: uri(f) }, position: at(line, character) });
    assert.deepEqual(await def(2, 10), [{ uri: uri(ws.path('profiles/margaret.profile.yaml')), range: { start: at(1, 4), end: at(1, 17) } }]);
    assert.deepEqual(await def(13, 22), [{ uri: uri(f), range: { start: at(5, 8), end: at(5, 13) } }]);
    assert.deepEqual(await def(20, 20), [{ uri: uri(ws.path('userlm.yaml')), range: { start: at(8, 10), end: at(8, 23) } }]);
  });

  it('finds references across files', async () => {
    const f = ws.path('profiles/margaret.profile.yaml');
    const refs = await c.request<Location[]>('textDocument/references', { textDocument: { uri: uri(f) }, position: at(1, 6), context: { includeDeclaration: true } });
    const where = refs.map((r) => `${r.uri.split('/').slice(-2).join('/')}:${r.range.start.line}:${r.range.start.character}`).sort();
    assert.deepEqual(where, ['profiles/margaret.profile.yaml:1:4', 'scenarios/upgrade.scenario.yaml:2:9', 'suites/std.suite.yaml:5:20']);
  });

  it('renames a profile id across files and rejects an invalid name', async () => {
    const f = ws.path('scenarios/upgrade.scenario.yaml');
    const prep = await c.request<{ range: unknown; placeholder: string }>('textDocument/prepareRename', { textDocument: { uri: uri(f) }, position: at(2, 10) });
    assert.equal(prep.placeholder, 'margaret-chen');
    const edit = await c.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: uri(f) }, position: at(2, 10), newName: 'maggie' });
    const changes = (edit.documentChanges ?? []) as { textDocument: { uri: string }; edits: TextEdit[] }[];
    const byFile = Object.fromEntries(changes.map((ch) => [ch.textDocument.uri.split('/').slice(-2).join('/'), ch.edits]));
    assert.deepEqual(Object.keys(byFile).sort(), ['profiles/margaret.profile.yaml', 'scenarios/upgrade.scenario.yaml', 'suites/std.suite.yaml']);
    assert.equal(applyEdits(FILES['suites/std.suite.yaml'], byFile['suites/std.suite.yaml']).includes('profiles: [panel-a, maggie]'), true);
    await assert.rejects(c.request('textDocument/rename', { textDocument: { uri: uri(f) }, position: at(2, 10), newName: 'Not An Id' }), /not a valid profile id/);
    // A target id: its definition, a policy condition and the id part of `target_met:price`.
    const t = await c.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: uri(f) }, position: at(18, 23), newName: 'cost' });
    const tEdits = (t.documentChanges as { edits: TextEdit[] }[])[0].edits;
    assert.deepEqual(tEdits.map((e) => [e.range.start.line, e.range.start.character, e.range.end.character]).sort(), [[13, 20, 25], [18, 21, 26], [5, 8, 13]].sort());
  });

  it('lists document symbols', async () => {
    const f = ws.path('scenarios/upgrade.scenario.yaml');
    const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uri(f) } });
    assert.deepEqual(syms.map((s) => s.name), ['kind', 'id', 'profile', 'split', 'targets', 'decision_policy', 'state', 'adversarial']);
    const targets = syms.find((s) => s.name === 'targets')!;
    assert.deepEqual(targets.children!.map((s) => s.name), ['price', 'no-contract']);
    assert.deepEqual(targets.children![0].selectionRange, { start: at(5, 8), end: at(5, 13) });
  });

  async function actionsFor(f: string, d: Diagnostic): Promise<CodeAction[]> {
    return c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri(f) }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } });
  }
  function editOf(a: CodeAction, f: string): TextEdit[] {
    const ch = (a.edit!.documentChanges as { textDocument: { uri: string }; edits: TextEdit[] }[]).find((x) => x.textDocument?.uri === uri(f));
    return ch!.edits;
  }

  it('quick fix: replaces a near-miss value, and the fixed text validates', async () => {
    const f = scenarioPath();
    const text = 'kind: scenario\nid: q1\nprofile: margaret-chen\nsplit: adversrial\ntargets:\n  - id: a\n    description: x\nadversarial:\n  tactics: [sunk_cost]\n';
    await c.open(f, text);
    const d = find(await c.diagnostics(f), 'invalid-value');
    const fix = (await actionsFor(f, d)).find((a) => a.title === "Change to 'adversarial'")!;
    assert.ok(fix.isPreferred);
    const fixed = applyEdits(text, editOf(fix, f));
    await c.change(f, fixed);
    assert.deepEqual(await c.diagnostics(f), []);
  });

  it('quick fix: renames or removes an unknown key', async () => {
    const f = scenarioPath();
    const text = 'kind: scenario\nid: q2\nprofile: margaret-chen\ntargets:\n  - id: a\n    descripton: x\n    zzz_junk: 1\n';
    await c.open(f, text);
    const diags = await c.diagnostics(f);
    const typo = diags.find((d) => d.message.includes('descripton'))!;
    const change = (await actionsFor(f, typo)).find((a) => a.title === "Change to 'description'")!;
    const junk = diags.find((d) => d.message.includes('zzz_junk'))!;
    const remove = (await actionsFor(f, junk)).find((a) => a.title === "Remove unknown field 'zzz_junk'")!;
    const fixed = applyEdits(text, [...editOf(change, f), ...editOf(remove, f)]);
    assert.equal(fixed, 'kind: scenario\nid: q2\nprofile: margaret-chen\ntargets:\n  - id: a\n    description: x\n');
    await c.change(f, fixed);
    assert.deepEqual(await c.diagnostics(f), []);
  });

  it('quick fix: adds missing required fields', async () => {
    const f = scenarioPath();
    const text = 'kind: scenario\nprofile: margaret-chen\n';
    await c.open(f, text);
    const d = find(await c.diagnostics(f), 'missing-required');
    assert.match(d.message, /`id`, `targets`/);
    const fix = (await actionsFor(f, d)).find((a) => a.title.startsWith('Add missing fields'))!;
    const fixed = applyEdits(text, editOf(fix, f));
    assert.equal(fixed, 'kind: scenario\nprofile: margaret-chen\nid: budget-conscious-retiree\ntargets:\n  - id: budget-conscious-retiree\n    description: todo\n');
    await c.change(f, fixed);
    assert.deepEqual((await c.diagnostics(f)).filter((x) => x.code === 'missing-required'), []);
  });

  it('quick fix: fills an empty file with its required fields', async () => {
    const f = ws.path('profiles/blank.profile.yaml');
    await c.open(f, '# a new profile\n');
    const d = find(await c.diagnostics(f), 'empty-file');
    const fix = (await actionsFor(f, d)).find((a) => a.title.startsWith('Add missing fields'))!;
    const fixed = applyEdits('# a new profile\n', editOf(fix, f));
    assert.equal(fixed, '# a new profile\nkind: profile\nid: budget-conscious-retiree\nname: Margaret Chen\n');
    await c.change(f, fixed);
    assert.deepEqual(await c.diagnostics(f), []);
    await c.close(f);
  });

  it('quick fix: creates a missing profile from a template in a new file', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: q4\nprofile: new-person\ntargets:\n  - id: a\n    description: x\n');
    const d = find(await c.diagnostics(f), 'unknown-profile');
    const fix = (await actionsFor(f, d)).find((a) => a.title.startsWith("Create profile 'new-person'"))!;
    const [create, insert] = fix.edit!.documentChanges as [{ kind: string; uri: string }, { textDocument: { uri: string }; edits: TextEdit[] }];
    assert.equal(create.kind, 'create');
    assert.equal(create.uri, uri(ws.path('profiles/new-person.profile.yaml')));
    const text = applyEdits('', insert.edits);
    // Apply it as an editor would: write the file, tell the server, and the reference resolves.
    writeFileSync(ws.path('profiles/new-person.profile.yaml'), text);
    // Waits for the publish that resolves the reference (on a busy machine a late publish of the
    // earlier analysis can come first).
    const resolved = c.diagnostics(f, (d) => d.diagnostics.length === 0);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: create.uri, type: 1 }] });
    assert.deepEqual(await resolved, []);
    const p = ws.path('profiles/new-person.profile.yaml');
    await c.open(p, text);
    assert.deepEqual(await c.diagnostics(p), [], 'the template itself is valid');
    await c.close(p);
  });

  it('keeps the index current when files change on disk', async () => {
    // Waits for the diagnostics each change must lead to (not for "the next publish", which an
    // unrelated re-check on a busy machine can send first).
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\nid: d1\nprofile: disk-person\ntargets:\n  - id: a\n    description: x\n');
    find(await c.diagnostics(f), 'unknown-profile');
    const p = ws.write('profiles/disk.profile.yaml', 'kind: profile\nid: disk-person\nname: Disk Person\n');
    const resolved = c.diagnostics(f, (d) => d.diagnostics.length === 0);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(p), type: 1 }] });
    assert.deepEqual(await resolved, []);
    unlinkSync(p);
    const unknown = c.diagnostics(f, (d) => d.diagnostics.some((x) => x.code === 'unknown-profile'));
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(p), type: 3 }] });
    find(await unknown, 'unknown-profile');
  });

  it('accepts a plain yaml document that has a kind key, and ignores other yaml', async () => {
    const f = ws.path('misc/anything.yaml');
    await c.open(f, 'kind: profile\nid: plain-yaml\nname: Plain\nnmae: x\n');
    assert.match(find(await c.diagnostics(f), 'unknown-key').message, /did you mean `name`/);
    const other = ws.path('misc/other.yaml');
    await c.open(other, 'foo: [1, 2\n');
    const probe = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(other) }, position: at(0, 0) });
    assert.deepEqual(probe.items, []);
  });

  it('takes the kind from a yaml-language-server $schema modeline', async () => {
    const f = ws.path('misc/modeline.yaml');
    await c.open(f, '# yaml-language-server: $schema=../schemas/profile.schema.json\nid: by-modeline\nname: M\nage: 3\n');
    const diags = await c.diagnostics(f);
    assert.deepEqual(diags.map((d) => d.code).sort(), ['missing-required', 'unknown-key']);
  });

  it('validates a huge collection on a worker thread and keeps answering meanwhile', async function () {
    this.timeout(300000); // seconds of analysis on a machine shared with many jobs
    const lines = ['kind: profiles', 'profiles:'];
    for (let i = 0; i < 9000; i++) lines.push(`  - id: big-${i}`, `    name: Member ${i}`, `    expression: {verbosity: ${i === 8765 ? 'chatty' : 'terse'}, patience: 0.5}`, '    tags: [generated, panel]');
    const text = lines.join('\n') + '\n';
    assert.ok(text.length > 1_000_000, 'above the worker threshold');
    const f = ws.path('profiles/huge.profile.yaml');
    const small = scenarioPath();
    await c.open(small, 'kind: scenario\nid: w1\nprofile: \ntargets:\n  - id: a\n    description: x\n');
    await c.diagnostics(small);
    let done = false;
    const diags = c.diagnostics(f).then((d) => { done = true; return d; });
    await c.open(f, text, 'userlm-profile');
    let answered = 0;
    while (!done) {
      await c.request('textDocument/completion', { textDocument: { uri: uri(small) }, position: at(2, 9) });
      answered++;
      await new Promise((r) => setTimeout(r, 5));
    }
    const d = await diags;
    assert.equal(d.length, 1, JSON.stringify(d));
    assert.equal(d[0].range.start.line, 2 + 8765 * 4 + 2);
    assert.ok(answered >= 2, `completion answered ${answered} times while it validated`);
    const ids = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(small) }, position: at(2, 9) });
    assert.equal(ids.isIncomplete, true, 'over 2,000 ids: the list narrows as the user types');
    await c.change(small, 'kind: scenario\nid: w1\nprofile: big-899\ntargets:\n  - id: a\n    description: x\n');
    const narrowed = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(small) }, position: at(2, 16) });
    assert.deepEqual(narrowed.items.map((i) => i.label).filter((l) => l.startsWith('big-899')).sort(), ['big-899', ...Array.from({ length: 10 }, (_, i) => `big-899${i}`)].sort());
    await c.close(f);
  });

  it('survives garbage and answers every request', async () => {
    const f = scenarioPath();
    await c.open(f, 'kind: scenario\n\u0000\u0001: [[[{{{\n  - - - :\n&a [*a, *a]\n');
    await c.diagnostics(f);
    const list = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(2, 3) });
    assert.ok(Array.isArray(list.items));
    assert.ok(c.alive);
  });
});

describe('language server start-up and workspace folders', function () {
  this.timeout(30000);

  it('speaks stdio without a transport flag and indexes a folder added later', async () => {
    const a = makeWorkspace();
    // b has no userlm.yaml: its files belong to no workspace until the editor adds the folder.
    const b = makeWorkspace({ 'profiles/late.profile.yaml': 'kind: profile\nid: late-person\nname: Late\n' });
    unlinkSync(b.path('userlm.yaml'));
    const c = await LspClient.start({ rootDir: a.dir, command: [process.execPath, SERVER], waitIndexed: true });
    try {
      const f = b.path('scenarios/x.scenario.yaml');
      await c.open(f, 'kind: scenario\nid: x\nprofile: \ntargets:\n  - id: t\n    description: d\n');
      const ids = async () => (await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(2, 9) })).items.map((i) => i.label);
      assert.ok(!(await ids()).includes('late-person'));
      const scanned = c.scanned((p) => p.roots.includes(b.dir));
      await c.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: uri(b.dir), name: 'b' }], removed: [] } });
      await scanned;
      assert.ok((await ids()).includes('late-person'));
    } finally {
      await c.stop();
      a.cleanup();
      b.cleanup();
    }
  });

  it('completes backend ids and hovers a tactic', async () => {
    const ws = makeWorkspace();
    const c = await LspClient.start({ rootDir: ws.dir, waitIndexed: true });
    try {
      const f = ws.path('suites/new.suite.yaml');
      await c.open(f, 'kind: suite\nid: new\nscenarios: [upgrade]\njudge: \nagent: \n');
      const judge = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(3, 7) });
      assert.deepEqual(judge.items.map((i) => i.label), ['local']);
      const agent = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(4, 7) });
      assert.deepEqual(agent.items.map((i) => i.label), ['scripted', 'adversarial', 'llm', 'human', 'local']);
      const s = ws.path('scenarios/upgrade.scenario.yaml');
      await c.open(s, FILES['scenarios/upgrade.scenario.yaml']);
      const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri: uri(s) }, position: at(23, 14) });
      assert.match((h.contents as { value: string }).value, /\*\*false_urgency\*\* \(tactic\)\n\nInvents a deadline/);
    } finally {
      await c.stop();
      ws.cleanup();
    }
  });
});
