// API keys: stored in SecretStorage, handed to the engine in memory (seen by a real local
// OpenAI-compatible server as the Authorization header), and never written to settings or files.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { api, chatServer, needsUiHarness, ui, useBackendPort, waitFor, wsRoot, wsUri } from './helpers';

const KEY = 'sk-userlm-test-SECRET-' + Math.random().toString(36).slice(2);

function filesContaining(dir: string, needle: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) filesContaining(p, needle, out);
    else if (st.isFile() && st.size < 20_000_000 && readFileSync(p, 'utf8').includes(needle)) out.push(p);
  }
  return out;
}

describe('API keys', () => {
  it('stores a key in secret storage and hands it to the engine in memory only', async () => {
    const a = await api();
    const seen: string[] = [];
    const { server, port } = await chatServer(seen);
    const restore = await useBackendPort(port);
    try {
      await vscode.commands.executeCommand('userlm.setApiKey', 'local-vllm', KEY);
      await a.preview.start({ uri: wsUri('scenarios/phone-upgrade.scenario.yaml'), simulator: 'local-vllm', agent: 'scripted', seed: 5 });
      const t = await a.preview.whenDone();
      assert.ok(t, 'the preview ran');
      assert.equal(t.simulator, 'local-vllm');
      assert.ok(seen.length > 0, `the local server was called (end: ${t.end.reason} ${t.error ?? ''})`);
      assert.ok(seen.every((h) => h === `Bearer ${KEY}`), `auth headers: ${seen.map((h) => h.slice(0, 14)).join(', ')}`);
    } finally {
      server.close();
      await restore();
    }
    // nowhere in settings or files
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration()).includes(KEY), 'not in the settings');
    const userData = process.env.USERLM_IT_USER_DATA;
    const leaks = [...filesContaining(wsRoot(), KEY), ...(userData ? filesContaining(join(userData, 'User'), KEY) : [])];
    assert.deepEqual(leaks, []);
  });

  it('Test Backend… probes a backend with its stored key (dialect, streaming, latency) and says why one fails', async () => {
    const seen: string[] = [];
    const { server, port } = await chatServer(seen);
    const restore = await useBackendPort(port);
    try {
      await vscode.commands.executeCommand('userlm.setApiKey', 'local-vllm', KEY);
      const r = await vscode.commands.executeCommand<{ backend: string; dialect: string; latencyMs: number; reply: string } | { error: string }>('userlm.testBackend', 'local-vllm');
      assert.ok(r && !('error' in r), JSON.stringify(r));
      assert.equal(r.backend, 'local-vllm');
      assert.equal(r.dialect, 'think_tags', 'the test server puts the rationale in <think> tags');
      assert.ok(r.latencyMs >= 0 && r.reply.length > 0, JSON.stringify(r));
      assert.deepEqual([...new Set(seen)], [`Bearer ${KEY}`], 'the stored key, as a Bearer token');
    } finally {
      server.close();
      await restore();
    }
    // userlm.yaml points at port 9 again, where nothing listens
    const failed = await vscode.commands.executeCommand<{ error?: string }>('userlm.testBackend', 'local-vllm');
    assert.match(failed?.error ?? '', /ECONNREFUSED|refused/i, JSON.stringify(failed));
  });

  it('deletes a key: the next preview that needs it asks for a key again and uses the new one', async function () {
    needsUiHarness(this);
    const a = await api();
    await vscode.commands.executeCommand('userlm.deleteApiKey', 'local-vllm');
    const seen: string[] = [];
    const { server, port } = await chatServer(seen);
    const restore = await useBackendPort(port);
    const typed = `${KEY}-typed`;
    try {
      const started = a.preview.start({ uri: wsUri('scenarios/phone-upgrade.scenario.yaml'), simulator: 'local-vllm', agent: 'scripted', seed: 6 });
      // no stored key any more: the input box asks for one (a stored key would have been used without asking)
      await waitFor('the key prompt', () => (a.keys.asking() === 'local-vllm' ? true : undefined));
      assert.equal(seen.length, 0, 'nothing was sent before a key was given');
      await ui({ do: 'type', text: typed });
      await ui({ do: 'keys', keys: ['Enter'] });
      await started;
      const t = await a.preview.whenDone();
      assert.ok(t && seen.length > 0, 'the preview ran with the typed key');
      assert.ok(seen.every((h) => h === `Bearer ${typed}`), `auth headers: ${seen.map((h) => h.slice(0, 14)).join(', ')}`);
    } finally {
      server.close();
      await restore();
      await vscode.commands.executeCommand('userlm.deleteApiKey', 'local-vllm');
    }
  });
});
