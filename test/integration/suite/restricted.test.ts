// Restricted Mode (workspace trust enabled, folder not trusted): editing features work; eval
// runs and previews with network backends are refused with an explanation; restricted settings
// (the workspace's `userlm.simulator`) are ignored.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, screenshot, waitFor, wsRoot, wsUri } from './helpers';

describe('restricted mode (untrusted folder)', () => {
  it('runs untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('keeps language features: diagnostics on a broken scenario', async () => {
    const a = await api();
    await a.serverReady();
    const uri = wsUri('scenarios/broken.scenario.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const d = await waitFor('diagnostics', () => { const x = vscode.languages.getDiagnostics(uri); return x.length ? x : undefined; });
    assert.ok(d.some((x) => x.range.start.line === 6));
  });

  it('refuses eval runs with an explanation and writes nothing', async () => {
    const a = await api();
    const r = await vscode.commands.executeCommand('userlm.runSuite', wsUri('suites/smoke.suite.yaml'));
    assert.equal(r, undefined);
    assert.match(a.lastRefusal() ?? '', /Restricted Mode/);
    assert.ok(!existsSync(join(wsRoot(), '.userlm')), 'no run directory');
  });

  it('refuses a preview with a network backend', async () => {
    const a = await api();
    await a.preview.start({ uri: wsUri('scenarios/phone-upgrade.scenario.yaml'), simulator: 'local-vllm' });
    assert.match(a.lastRefusal() ?? '', /network backend local-vllm.*Restricted Mode/);
    await screenshot('restricted');
  });

  it('ignores the workspace\'s restricted settings and previews on the built-in simulator', async () => {
    const a = await api();
    const onDisk = JSON.parse(readFileSync(join(wsRoot(), '.vscode', 'settings.json'), 'utf8'));
    assert.equal(onDisk['userlm.simulator'], 'local-vllm', 'the folder sets a network simulator');
    assert.equal(vscode.workspace.getConfiguration('userlm').get('simulator'), '', 'restricted setting: not applied');
    await vscode.commands.executeCommand('userlm.preview', wsUri('scenarios/phone-upgrade.scenario.yaml'));
    const t = await a.preview.whenDone();
    assert.equal(t?.simulator, 'agenda');
  });
});
