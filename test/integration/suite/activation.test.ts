import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { api, EXTENSION_ID, wsUri } from './helpers';

describe('activation', () => {
  it('activates on a scenario file and starts the language server', async () => {
    const doc = await vscode.workspace.openTextDocument(wsUri('scenarios/phone-upgrade.scenario.yaml'));
    assert.equal(doc.languageId, 'userlm-scenario');
    await vscode.window.showTextDocument(doc);
    const a = await api();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
    await a.serverReady();
    const s = a.stats();
    console.log(`    activation: ${s.activationMs.toFixed(1)} ms before the server starts (bundle evaluation + activate until the server process starts); wall clock from bundle load: activate() called at ${s.activateCalledMs.toFixed(0)} ms, server process at ${s.serverStartMs.toFixed(0)} ms, client at ${s.clientMs?.toFixed(0)} ms, all commands at ${s.featuresMs?.toFixed(0)} ms, server ready at ${s.serverReadyMs?.toFixed(0)} ms`);
    assert.ok(s.activationMs < 100, `activation took ${s.activationMs} ms`);
  });

  it('registers the language ids for every file kind', async () => {
    for (const [file, id] of [['profiles/people.profile.yaml', 'userlm-profile'], ['suites/smoke.suite.yaml', 'userlm-suite'], ['rewards/default.rewards.yaml', 'userlm-rewards'], ['userlm.yaml', 'userlm-workspace']]) {
      const doc = await vscode.workspace.openTextDocument(wsUri(file));
      assert.equal(doc.languageId, id, file);
    }
  });

  it('contributes its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['userlm.preview', 'userlm.previewAdversarial', 'userlm.runSuite', 'userlm.setApiKey', 'userlm.selectBackends', 'userlm.runs.compare']) assert.ok(all.includes(c), c);
  });

  it('runs from the folder the harness installed (the unpacked .vsix when USERLM_IT_VSIX is set)', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const expected = process.env.USERLM_IT_EXTENSION_PATH;
    assert.ok(expected, 'the harness names the extension folder');
    assert.equal(ext.extensionPath, expected);
    assert.ok(existsSync(join(ext.extensionPath, 'dist', 'extension.js')));
    // the package holds bundles only: no sources, no node_modules, no CLI bundle
    if (process.env.USERLM_IT_VSIX) for (const p of ['client', 'core', 'node_modules', 'dist/cli.js']) assert.ok(!existsSync(join(ext.extensionPath, p)), `${p} is not in the .vsix`);
  });
});
