// Drafting and importing in a real VS Code: "UserLM: Draft Scenario from SOP…" on an SOP file opens
// the draft in an untitled scenario editor where the language server's diagnostics appear; the
// "Draft variants" CodeLens on `agent.sop` opens three goal variants; "UserLM: Import τ²-bench
// Tasks…" imports the mock domain into a folder that validates.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { api, repoRoot, screenshot, waitFor, wsRoot } from './helpers';

const repo = repoRoot; // test fixtures: the repository (the extension may run from the unpacked .vsix)

if (vscode.workspace.isTrusted) {
  describe('drafting scenarios from SOPs and importing τ²-bench', function () {
    this.timeout(180_000);
    let tmp: string;
    before(async () => {
      await api();
      tmp = mkdtempSync(join(wsRoot(), 'draft-it-'));
    });
    after(() => rmSync(tmp, { recursive: true, force: true }));

    it('drafts from an SOP file into an untitled scenario editor with live diagnostics', async () => {
      const sop = join(tmp, 'dental-clinic.md');
      copyFileSync(join(repo(), 'test', 'fixtures', 'sops', 'dental-clinic.md'), sop);
      const drafts = await vscode.commands.executeCommand<{ scenario: { id: string; targets: unknown[] } }[]>('userlm.draftFromSop', vscode.Uri.file(sop), { split: 'standard' });
      assert.equal(drafts?.length, 1);
      assert.ok(drafts![0].scenario.targets.length >= 3);
      const editor = await waitFor('the draft editor', () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.isUntitled && e.document.languageId === 'userlm-scenario' ? e : undefined;
      });
      assert.match(editor.document.getText(), new RegExp(`id: ${drafts![0].scenario.id}`));
      // Diagnostics are live: a wrong key is reported, and removing it leaves no error.
      await editor.edit((b) => b.insert(new vscode.Position(editor.document.lineCount, 0), 'mood: calm\n'));
      await waitFor('a diagnostic on the wrong key', () => vscode.languages.getDiagnostics(editor.document.uri).find((d) => /mood/.test(d.message)));
      await vscode.commands.executeCommand('undo');
      await waitFor('no errors once it is removed', () => (vscode.languages.getDiagnostics(editor.document.uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error) ? undefined : true));
      await screenshot('drafting-untitled-draft');
    });

    it('offers "Draft variants" on agent.sop and opens three variants', async () => {
      const scenario = vscode.Uri.file(join(tmp, 'pharmacy.scenario.yaml'));
      const sop = '1. State the copay for the refill before processing payment.\n2. Tell the caller when the refill will be ready for pickup.\n3. Check whether the generic version is in stock.';
      await vscode.workspace.fs.writeFile(scenario, Buffer.from(`kind: scenario\nid: pharmacy-it\nprofile: { name: Pat Doe }\nagent:\n  sop: |\n${sop.split('\n').map((l) => `    ${l}`).join('\n')}\ntargets:\n  - { id: copay, description: Find out the copay }\n`));
      await vscode.window.showTextDocument(scenario);
      const lenses = await waitFor('the Draft variants lens', async () => {
        const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', scenario);
        return all?.find((l) => l.command?.title === 'Draft variants');
      });
      assert.equal(lenses.range.start.line, 4);
      const drafts = await vscode.commands.executeCommand<{ scenario: { id: string } }[]>(lenses.command!.command, ...(lenses.command!.arguments ?? []));
      assert.equal(drafts?.length, 3);
      assert.equal(new Set(drafts!.map((d) => d.scenario.id)).size, 3);
      const untitled = vscode.workspace.textDocuments.filter((d) => d.isUntitled && d.languageId === 'userlm-scenario');
      for (const d of drafts!) assert.ok(untitled.some((u) => u.getText().includes(`id: ${d.scenario.id}`)), d.scenario.id);
    });

    it('imports the τ²-bench mock domain into a folder that validates', async () => {
      const src = join(tmp, 'tau2', 'mock');
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(src));
      for (const f of ['tasks.json', 'policy.md']) copyFileSync(join(repo(), 'test', 'fixtures', 'tau2-bench', 'mock', f), join(src, f));
      const out = join(tmp, 'imported');
      const r = await vscode.commands.executeCommand<{ scenarios: number; errors: number }>('userlm.importTau2', vscode.Uri.file(join(src, 'tasks.json')), vscode.Uri.file(out));
      assert.equal(r?.scenarios, 10);
      assert.equal(r?.errors, 0);
      assert.equal(readdirSync(join(out, 'scenarios')).length, 10);
      assert.ok(existsSync(join(out, 'suites', 'tau2-mock.suite.yaml')));
      await waitFor('the suite opened', () => (vscode.window.activeTextEditor?.document.uri.fsPath.endsWith('tau2-mock.suite.yaml') ? true : undefined));
    });
  });
}
