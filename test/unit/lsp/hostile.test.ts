// Hostile input through the real server process: the hang (a damaged sample plus
// requests at absurd positions) and requests that must stay answered while other files are bad.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompletionList, DocumentSymbol } from 'vscode-languageserver-protocol';
import { LspClient, ROOT, uri } from './lsp-client';
import { makeWorkspace } from './fixture';

/** The repro: a sample scenario with a path-like id, an alias in a flow list and indentation damage. */
export function hangDocument(): string {
  let text = readFileSync(join(ROOT, 'samples', 'scenarios', 'telecom-upgrade.scenario.yaml'), 'utf8');
  text = text.replace('id: telecom-upgrade', 'id: ../../../etc/passwd').replace(/^profile: .*$/m, 'profile: [a, b, *c]');
  const lines = text.split('\n');
  lines[0] = '  ' + lines[0];
  for (let i = 20; i < 26; i++) lines[i] = ' ' + lines[i];
  for (let i = 60; i < 64; i++) lines[i] = lines[i].slice(2);
  return lines.join('\n');
}

const FAR = 2147483647;

describe('language server under hostile input', function () {
  this.timeout(60000);
  let ws: ReturnType<typeof makeWorkspace>;
  let c: LspClient;
  before(async () => {
    ws = makeWorkspace();
    c = await LspClient.start({ rootDir: ws.dir, waitIndexed: true });
  });
  after(async () => { await c.stop(); ws.cleanup(); });

  it('answers every request at line/character 2147483647 on the issue\'s damaged scenario, and keeps serving other files', async () => {
    const f = ws.path('scenarios/passwd.scenario.yaml');
    const text = hangDocument();
    await c.open(f, text);
    await c.diagnostics(f);
    const td = { textDocument: { uri: uri(f) } };
    for (const position of [{ line: FAR, character: FAR }, { line: 0, character: FAR }, { line: FAR, character: 0 }, { line: -5, character: -5 }]) {
      const p = { ...td, position };
      const hover = await c.request('textDocument/hover', p);
      assert.ok(hover === null || typeof hover === 'object');
      const list = await c.request<CompletionList>('textDocument/completion', p);
      assert.ok(Array.isArray(list.items));
      await c.request('textDocument/definition', p);
      await c.request('textDocument/references', { ...p, context: { includeDeclaration: true } });
      await c.request('textDocument/prepareRename', p);
    }
    const syms = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', td);
    assert.ok(Array.isArray(syms));
    // Another file still gets answers: the server is not stuck.
    const other = ws.path('scenarios/upgrade.scenario.yaml');
    await c.open(other, readFileSync(other, 'utf8'));
    assert.deepEqual(await c.diagnostics(other), []);
    const ids = await c.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(other) }, position: { line: 2, character: 9 } });
    assert.ok(ids.items.some((i) => i.label === 'margaret-chen'));
    assert.ok(c.alive);
  });

  it('clamps positions: a hover past the end of a line answers for that line', async () => {
    const f = ws.path('scenarios/upgrade.scenario.yaml');
    const h = await c.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: uri(f) }, position: { line: 3, character: FAR } });
    assert.ok(h, 'a hover for `split: adversarial`');
    assert.match(h!.contents.value, /split/);
  });
});
