// Workspaces through the real server: the start-up race, discovery of the workspace of each
// file (nearest userlm.yaml upward), several workspaces at once, files with no workspace,
// `.yml` files, the server's own file watching, and YAML that is not ours.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionList, Location } from 'vscode-languageserver-protocol';
import { LspClient, uri, FULL_CAPABILITIES } from './lsp-client';
import { makeWorkspace, FILES } from './fixture';

const at = (line: number, character: number) => ({ line, character });
const scenario = (id: string, profile: string) => `kind: scenario\nid: ${id}\nprofile: ${profile}\ntargets:\n  - id: t\n    description: d\n`;

describe('language server workspaces', function () {
  this.timeout(60000);
  const cleanups: (() => void)[] = [];
  const clients: LspClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
    for (const f of cleanups.splice(0)) f();
  });
  const start = async (opts: Parameters<typeof LspClient.start>[0]) => { const c = await LspClient.start(opts); clients.push(c); return c; };
  const workspace = (extra: Record<string, string> = {}) => { const w = makeWorkspace(extra); cleanups.push(w.cleanup); return w; };

  it('start-up race: a file opened before the scan ends never gets false "no profile" errors, and completion waits for the index', async () => {
    const extra: Record<string, string> = {};
    for (let i = 0; i < 1500; i++) extra[`profiles/many/p${i}.profile.yaml`] = `kind: profile\nid: person-${i}\nname: Person ${i}\n`;
    const ws = workspace(extra);
    const c = await start({ rootDir: ws.dir });
    const f = ws.path('scenarios/early.scenario.yaml');
    await c.open(f, scenario('early', 'person-1499'));
    const racing = c.scans.length === 0;
    const list = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(f) }, position: at(2, 9) });
    assert.ok(racing, 'the requests went out while the workspace was being scanned');
    assert.ok(list.items.some((i) => i.label === 'person-1499'), 'completion answered from the full index');
    await c.scanned((p) => p.initial);
    assert.deepEqual(await c.diagnostics(f), []);
    const publishes = c.published.filter((p) => p.uri === uri(f));
    assert.ok(publishes.length >= 1);
    for (const p of publishes) assert.ok(!p.diagnostics.some((d) => d.code === 'unknown-profile'), `no false error: ${JSON.stringify(p.diagnostics)}`);
  });

  it('an editor that starts the server in a sub-folder still gets the whole workspace (nearest userlm.yaml upward)', async () => {
    const ws = workspace();
    const c = await start({ rootDir: ws.path('scenarios'), waitIndexed: true });
    assert.deepEqual(c.indexed!.roots, [ws.dir]);
    const f = ws.path('scenarios/upgrade.scenario.yaml');
    await c.open(f, FILES['scenarios/upgrade.scenario.yaml']);
    assert.deepEqual(await c.diagnostics(f), []);
    const def = await c.request<Location[]>('textDocument/definition', { textDocument: { uri: uri(f) }, position: at(2, 10) });
    assert.deepEqual(def.map((d) => d.uri), [uri(ws.path('profiles/margaret.profile.yaml'))]);
  });

  it('a file opened outside the editor\'s folders finds its own workspace; several workspaces keep their ids apart', async () => {
    const a = workspace();
    const b = workspace({ 'profiles/only-b.profile.yaml': 'kind: profile\nid: only-in-b\nname: B\n' });
    const c = await start({ rootDir: a.dir, waitIndexed: true });
    const inB = b.path('scenarios/b.scenario.yaml');
    const scannedB = c.scanned((p) => p.roots.includes(b.dir));
    await c.open(inB, scenario('b1', 'only-in-b'));
    await scannedB;
    assert.deepEqual(await c.diagnostics(inB), []);
    const def = await c.request<Location[]>('textDocument/definition', { textDocument: { uri: uri(inB) }, position: at(2, 10) });
    assert.deepEqual(def.map((d) => d.uri), [uri(b.path('profiles/only-b.profile.yaml'))]);
    // B's files are checked against B's index.
    await c.change(inB, scenario('b1', 'nobody-in-b'));
    assert.ok((await c.diagnostics(inB)).some((d) => d.code === 'unknown-profile'));
    // A's scenario cannot see B's profile.
    const inA = a.path('scenarios/a.scenario.yaml');
    await c.open(inA, scenario('a1', 'only-in-b'));
    assert.ok((await c.diagnostics(inA)).some((d) => d.code === 'unknown-profile'));
  });

  it('a file with no workspace is checked alone: its own mistakes, no cross-file errors', async () => {
    const ws = workspace();
    const lone = mkdtempSync(join(tmpdir(), 'userlm-lone-'));
    cleanups.push(() => rmSync(lone, { recursive: true, force: true }));
    const c = await start({ rootDir: ws.dir, waitIndexed: true });
    const f = join(lone, 'alone.scenario.yaml');
    await c.open(f, scenario('alone', 'somebody-elsewhere') + 'tittle: x\n');
    const d = await c.diagnostics(f);
    assert.deepEqual(d.map((x) => x.code), ['unknown-key']);
  });

  it('.yml works everywhere: indexed, completed, defined and watched', async () => {
    const ws = workspace({ 'profiles/yml-person.profile.yml': 'kind: profile\nid: yml-person\nname: Y\n' });
    const c = await start({ rootDir: ws.dir, waitIndexed: true });
    const f = ws.path('scenarios/y.scenario.yml');
    await c.open(f, scenario('y1', 'yml-person'));
    assert.deepEqual(await c.diagnostics(f), []);
    const def = await c.request<Location[]>('textDocument/definition', { textDocument: { uri: uri(f) }, position: at(2, 10) });
    assert.deepEqual(def.map((d) => d.uri), [uri(ws.path('profiles/yml-person.profile.yml'))]);
  });

  it('watches the workspace itself when the client cannot (Neovim 0.7): files created and deleted on disk', async () => {
    const ws = workspace();
    const caps = { ...FULL_CAPABILITIES, workspace: { ...FULL_CAPABILITIES.workspace, didChangeWatchedFiles: undefined } };
    const c = await start({ rootDir: ws.dir, waitIndexed: true, capabilities: caps });
    const f = ws.path('scenarios/w.scenario.yaml');
    await c.open(f, scenario('w1', 'watched-person'));
    assert.ok((await c.diagnostics(f)).some((d) => d.code === 'unknown-profile'));
    const resolved = c.diagnostics(f, (p) => p.diagnostics.length === 0);
    ws.write('profiles/watched.profile.yml', 'kind: profile\nid: watched-person\nname: W\n');
    assert.deepEqual(await resolved, []);
    const unknown = c.diagnostics(f, (p) => p.diagnostics.some((d) => d.code === 'unknown-profile'));
    rmSync(ws.path('profiles/watched.profile.yml'));
    await unknown;
  });

  it('never touches YAML that is not ours: a Kubernetes Deployment gets no diagnostics', async () => {
    const ws = workspace();
    const c = await start({ rootDir: ws.dir, waitIndexed: true });
    const k8s = ws.path('deploy/app.yaml');
    await c.open(k8s, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template: {}\n');
    // Opened after it and answered in order: once this file's diagnostics arrive, the Deployment had its turn.
    const f = ws.path('scenarios/after.scenario.yaml');
    await c.open(f, scenario('after', 'margaret-chen'));
    await c.diagnostics(f);
    assert.ok(!c.published.some((p) => p.uri === uri(k8s)), 'no diagnostics for the Deployment');
    const comp = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(k8s) }, position: at(1, 6) });
    assert.deepEqual(comp.items, []);
  });

  it('releases a closed file: its diagnostics are cleared and what is on disk is indexed again', async () => {
    const ws = workspace();
    const c = await start({ rootDir: ws.dir, waitIndexed: true });
    const p = ws.path('profiles/margaret.profile.yaml');
    const s = ws.path('scenarios/upgrade.scenario.yaml');
    await c.open(s, FILES['scenarios/upgrade.scenario.yaml']);
    assert.deepEqual(await c.diagnostics(s), []);
    await c.open(p, FILES['profiles/margaret.profile.yaml'].replace('id: margaret-chen', 'id: renamed-in-editor'));
    await c.diagnostics(s, (x) => x.diagnostics.some((d) => d.code === 'unknown-profile'));
    const back = c.diagnostics(s, (x) => x.diagnostics.length === 0);
    await c.close(p);
    assert.deepEqual(await back, []);
  });
});

