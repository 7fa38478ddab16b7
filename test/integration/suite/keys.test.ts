// API keys: stored in SecretStorage, handed to the engine in memory (seen by a real local
// OpenAI-compatible server as the Authorization header), and never written to settings or files.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { api, wsRoot, wsUri } from './helpers';

const KEY = 'sk-userlm-test-SECRET-' + Math.random().toString(36).slice(2);

/** A minimal OpenAI chat-completions server (plain and streaming) that records the auth header. */
function chatServer(seen: string[]): Promise<{ server: Server; port: number }> {
  const reply = '<think>\nAgent intent: greeting.\nConcerns: the total monthly cost.\nPlan: ask the price.\nState: trust 0.50 -> 0.50; patience 0.70 -> 0.70\nTone: polite.\n</think>\n<answer>What is the total per month? ###STOP###</answer>';
  const server = createServer((req, res) => {
    seen.push(String(req.headers.authorization ?? ''));
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const stream = (() => { try { return !!JSON.parse(body).stream; } catch { return false; } })();
      const base = { id: 'c1', created: 0, model: 'm' };
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply } }], usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: reply }, finish_reason: null }] })}\n\n`);
      res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as { port: number }).port })));
}

function filesContaining(dir: string, needle: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) filesContaining(p, needle, out);
    else if (st.size < 20_000_000 && readFileSync(p, 'utf8').includes(needle)) out.push(p);
  }
  return out;
}

describe('API keys', () => {
  it('stores a key in secret storage and hands it to the engine in memory only', async () => {
    const a = await api();
    const seen: string[] = [];
    const { server, port } = await chatServer(seen);
    const cfgUri = wsUri('userlm.yaml');
    const original = readFileSync(cfgUri.fsPath, 'utf8');
    try {
      await vscode.workspace.fs.writeFile(cfgUri, Buffer.from(original.replace('http://127.0.0.1:9/v1', `http://127.0.0.1:${port}/v1`)));
      await vscode.commands.executeCommand('userlm.setApiKey', 'local-vllm', KEY);
      await a.preview.start({ uri: wsUri('scenarios/phone-upgrade.scenario.yaml'), simulator: 'local-vllm', agent: 'scripted', seed: 5 });
      const t = await a.preview.whenDone();
      assert.ok(t, 'the preview ran');
      assert.equal(t.simulator, 'local-vllm');
      assert.ok(seen.length > 0, `the local server was called (end: ${t.end.reason} ${t.error ?? ''})`);
      assert.ok(seen.every((h) => h === `Bearer ${KEY}`), `auth headers: ${seen.map((h) => h.slice(0, 14)).join(', ')}`);
    } finally {
      server.close();
      await vscode.workspace.fs.writeFile(cfgUri, Buffer.from(original));
    }
    // nowhere in settings or files
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration()).includes(KEY), 'not in the settings');
    const userData = process.env.USERLM_IT_USER_DATA;
    const leaks = [...filesContaining(wsRoot(), KEY), ...(userData ? filesContaining(join(userData, 'User'), KEY) : [])];
    assert.deepEqual(leaks, []);
  });

  it('deletes a key', async () => {
    await vscode.commands.executeCommand('userlm.deleteApiKey', 'local-vllm');
  });
});
