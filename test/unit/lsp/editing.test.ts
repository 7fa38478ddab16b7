// Editing features through the real server: flow-style mappings and sequences, what the client
// says it can show (snippets, markdown, hierarchical symbols, related information), completion
// triggers, the outline, and the log levels the server uses.
import assert from 'node:assert/strict';
import type { CompletionList, CompletionItem, Hover, Location, DocumentSymbol, SymbolInformation, InitializeResult } from 'vscode-languageserver-protocol';
import { LspClient, uri, FULL_CAPABILITIES } from './lsp-client';
import { makeWorkspace } from './fixture';

const at = (line: number, character: number) => ({ line, character });
const FLOW = `kind: scenario
id: flow1
profile: margaret-chen
targets:
  - id: price
    description: Pay less
decision_policy:
  - id: p1
    when: {tactic: }
    then: x
  - id: p2
    when: {target_unmet: price}
    then: y
state:
  initial: {trust: 0.5, }
adversarial:
  tactics: [false_urgency, ]
`;

describe('language server editing features', function () {
  this.timeout(60000);
  let ws: ReturnType<typeof makeWorkspace>;
  let c: LspClient;
  before(async () => {
    ws = makeWorkspace();
    c = await LspClient.start({ rootDir: ws.dir, waitIndexed: true });
  });
  after(async () => { await c.stop(); ws.cleanup(); });
  const labels = async (f: string, line: number, character: number) =>
    (await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(line, character) })).items.map((i) => i.label);

  it('completes, hovers and goes to definition inside flow mappings and sequences', async () => {
    const f = ws.path('scenarios/flow.scenario.yaml');
    await c.open(f, FLOW);
    await c.diagnostics(f);
    // `{tactic: │}`: tactics, built in and from userlm.yaml.
    const tactics = await labels(f, 8, 18);
    assert.ok(tactics.includes('false_urgency') && tactics.includes('fake_discount'), JSON.stringify(tactics));
    // `{target_unmet: │price}`: this scenario's targets.
    assert.deepEqual(await labels(f, 11, 25), ['price']);
    // `{trust: 0.5, │}`: the other state keys, not the one already there.
    const keys = await labels(f, 14, 24);
    assert.ok(keys.includes('patience') && keys.includes('emotion') && !keys.includes('trust'), JSON.stringify(keys));
    // `[false_urgency, │]`: tactics again.
    assert.ok((await labels(f, 16, 27)).includes('fake_discount'));
    // Hover on `trust` inside `{…}` describes trust, not its parent.
    const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri: uri(f) }, position: at(14, 13) });
    assert.match((h.contents as { value: string }).value, /^\*\*trust\*\*/);
    assert.deepEqual(h.range, { start: at(14, 12), end: at(14, 17) });
    // Definition from inside `{target_unmet: price}`.
    const def = await c.request<Location[]>('textDocument/definition', { textDocument: { uri: uri(f) }, position: at(11, 26) });
    assert.deepEqual(def, [{ uri: uri(f), range: { start: at(4, 8), end: at(4, 13) } }]);
  });

  it('a value completed right after `key:` gets its space', async () => {
    const f = ws.path('scenarios/colon.scenario.yaml');
    await c.open(f, 'kind: scenario\nid: colon\nprofile:\ntargets:\n  - id: a\n    description: x\n');
    const list = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(2, 8), context: { triggerKind: 2, triggerCharacter: ':' } });
    const item = list.items.find((i) => i.label === 'margaret-chen')!;
    assert.equal((item.textEdit as { newText: string }).newText, ' margaret-chen');
  });

  it('completion triggers only where a list helps: not on a space, not on a `-` inside prose', async () => {
    const init = c.initializeResult as InitializeResult;
    assert.deepEqual(init.capabilities.completionProvider?.triggerCharacters?.includes(' '), false);
    const f = ws.path('scenarios/prose.scenario.yaml');
    await c.open(f, 'kind: scenario\nid: prose\nprofile: margaret-chen\ntargets:\n  - id: a\n    description: a well-\n  -\n');
    const prose = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(5, 24), context: { triggerKind: 2, triggerCharacter: '-' } });
    assert.deepEqual(prose.items, []);
    const dash = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(6, 3), context: { triggerKind: 2, triggerCharacter: '-' } });
    assert.ok(dash.items.some((i) => i.label === 'description'), 'a new target item offers its keys');
  });

  it('the outline lists ids and names, not every key', async () => {
    const f = ws.path('profiles/panel.profile.yaml');
    await c.open(f, 'kind: profiles\nprofiles:\n  - id: panel-a\n    name: Ann Panel\n    demographics:\n      age: 40\n  - id: panel-b\n    name: Bob Panel\n');
    const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uri(f) } });
    assert.deepEqual(syms.map((s) => s.name), ['kind', 'profiles']);
    const people = syms[1].children!;
    assert.deepEqual(people.map((s) => [s.name, s.detail]), [['panel-a', 'Ann Panel'], ['panel-b', 'Bob Panel']]);
    assert.equal(people[0].children, undefined, 'no demographics/age entries');
  });

  it('duplicate ids carry related information pointing at the other definition', async () => {
    const f = ws.path('profiles/dup2.profile.yaml');
    await c.open(f, 'kind: profile\nid: margaret-chen\nname: Twin\n');
    const d = (await c.diagnostics(f)).find((x) => x.code === 'duplicate-id')!;
    assert.deepEqual(d.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]), [[uri(ws.path('profiles/margaret.profile.yaml')), 1]]);
    await c.close(f);
  });

  it('never logs at error level for what is not a server error (Node warnings, odd YAML)', async () => {
    const f = ws.path('scenarios/odd.scenario.yaml');
    await c.open(f, 'kind: scenario\na: &x [1, 2]\n? *x\n: v\n? [a, b]\n: c\n');
    await c.diagnostics(f);
    assert.deepEqual(c.logs.filter((l) => l.type === 1), []);
  });
});

describe('language server with a minimal client (no snippets, plain text, flat symbols)', function () {
  this.timeout(60000);
  let ws: ReturnType<typeof makeWorkspace>;
  let c: LspClient;
  before(async () => {
    ws = makeWorkspace();
    c = await LspClient.start({ rootDir: ws.dir, waitIndexed: true, capabilities: { workspace: FULL_CAPABILITIES.workspace, textDocument: { synchronization: {} } } });
  });
  after(async () => { await c.stop(); ws.cleanup(); });

  it('sends plain completions, plain-text docs and flat symbols, and no related information', async () => {
    const f = ws.path('scenarios/plain.scenario.yaml');
    await c.open(f, 'kind: scenario\nid: plain\nprofile: margaret-chen\ntargets:\n  - id: a\n    description: x\n\n');
    const list = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(6, 0) });
    assert.ok(list.items.length > 3);
    for (const i of list.items as CompletionItem[]) {
      assert.notEqual(i.insertTextFormat, 2, `${i.label} is a snippet`);
      assert.ok(!/\$\{?\d/.test((i.textEdit as { newText: string }).newText), `${i.label}: ${(i.textEdit as { newText: string }).newText}`);
      if (i.documentation) assert.equal((i.documentation as { kind: string }).kind, 'plaintext');
    }
    const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri: uri(f) }, position: at(2, 12) });
    assert.equal((h.contents as { kind: string }).kind, 'plaintext');
    assert.ok(!/\*\*/.test((h.contents as { value: string }).value));
    const syms = await c.request<SymbolInformation[]>('textDocument/documentSymbol', { textDocument: { uri: uri(f) } });
    assert.ok(syms.every((s) => s.location && s.location.uri === uri(f)));
    assert.deepEqual(syms.filter((s) => s.containerName === 'targets').map((s) => s.name), ['a']);
    const dup = ws.path('profiles/dup3.profile.yaml');
    await c.open(dup, 'kind: profile\nid: margaret-chen\nname: Twin\n');
    const d = (await c.diagnostics(dup)).find((x) => x.code === 'duplicate-id')!;
    assert.equal(d.relatedInformation, undefined);
  });
});
