// Editing features from the language server, seen through VS Code's own APIs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, waitFor, wsUri } from './helpers';

describe('language features', () => {
  before(async () => { await (await api()).serverReady(); });

  it('reports a diagnostic on a broken scenario at the right line', async () => {
    const uri = wsUri('scenarios/broken.scenario.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diags = await waitFor('diagnostics on broken.scenario.yaml', () => { const d = vscode.languages.getDiagnostics(uri); return d.length ? d : undefined; });
    const typo = diags.find((d) => /priorty/.test(d.message));
    assert.ok(typo, `no diagnostic about 'priorty': ${diags.map((d) => `${d.range.start.line}: ${d.message}`).join(' | ')}`);
    assert.equal(typo.range.start.line, 6, 'the unknown key is on line 7');
    assert.equal(typo.severity, vscode.DiagnosticSeverity.Error);
  });

  it('has no diagnostics on a valid scenario', async () => {
    const uri = wsUri('scenarios/phone-upgrade.scenario.yaml');
    await vscode.workspace.openTextDocument(uri);
    await waitFor('the broken file to be analysed first', () => vscode.languages.getDiagnostics(wsUri('scenarios/broken.scenario.yaml')).length > 0);
    await new Promise((r) => setTimeout(r, 500));
    const errors = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((d) => d.message), []);
  });

  it('completes profile ids after `profile:`', async () => {
    const uri = wsUri('scenarios/draft.scenario.yaml');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('kind: scenario\nid: draft\nprofile: \ntargets:\n  - id: t\n    description: d\n'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const list = await waitFor('profile completions', async () => {
      const l = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(2, 9));
      const labels = l.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return labels.includes('maria-lopez') ? labels : undefined;
    });
    assert.ok(list.includes('dev-patel'), list.join(', '));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.workspace.fs.delete(uri);
  });

  it('goes to the definition of a profile id', async () => {
    const uri = wsUri('scenarios/phone-upgrade.scenario.yaml');
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = doc.getText().split('\n').findIndex((l) => l.startsWith('profile:'));
    const col = doc.lineAt(line).text.indexOf('maria-lopez') + 2;
    const locs = await waitFor('a definition', async () => {
      const r = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', uri, new vscode.Position(line, col));
      return r?.length ? r : undefined;
    });
    const first = locs[0];
    const target = 'targetUri' in first ? first.targetUri : first.uri;
    const range = 'targetUri' in first ? (first.targetSelectionRange ?? first.targetRange) : first.range;
    assert.match(target.fsPath, /people\.profile\.yaml$/);
    const defDoc = await vscode.workspace.openTextDocument(target);
    assert.match(defDoc.lineAt(range.start.line).text, /maria-lopez/);
  });
});
