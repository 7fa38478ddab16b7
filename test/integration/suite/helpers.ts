// Helpers shared by the integration tests (they run inside the real extension host).
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../client/extension';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export const EXTENSION_ID = 'userlm-studio.userlm-studio';

/** The API the extension returns from `activate`. */
export type Api = ExtensionApi;

export async function api(): Promise<Api> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  return (await ext.activate()) as Api;
}

/** The repository the tests run from (its .venv, dist/cli.js): with USERLM_IT_VSIX the extension itself runs from the unpacked package. */
export function repoRoot(): string {
  return process.env.USERLM_IT_REPO_ROOT ?? vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
}

export function wsRoot(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder');
  return f.uri.fsPath;
}

export function wsUri(rel: string): vscode.Uri {
  return vscode.Uri.file(join(wsRoot(), rel));
}

export async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 30_000, every = 100): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Asks the harness (test/integration/run.mjs) for a screenshot of the page and waits for it. */
export async function screenshot(name: string): Promise<void> {
  const dir = process.env.USERLM_IT_ARTIFACTS;
  if (!dir || !hasUiHarness()) return;
  const file = join(dir, `${name}.png`);
  const before = existsSync(file) ? require('node:fs').statSync(file).mtimeMs : 0;
  console.log(`[[screenshot:${name}]]`);
  await waitFor(`screenshot ${name}`, () => existsSync(file) && require('node:fs').statSync(file).mtimeMs > before, 20_000, 200);
}

/** A minimal OpenAI chat-completions server (plain and streaming) that records the auth header. */
export function chatServer(seen: string[], latencyMs = 0): Promise<{ server: Server; port: number }> {
  const reply = '<think>\nAgent intent: greeting.\nConcerns: the total monthly cost.\nPlan: ask the price.\nState: trust 0.50 -> 0.50; patience 0.70 -> 0.70\nTone: polite.\n</think>\n<answer>What is the total per month? ###STOP###</answer>';
  const server = createServer((req, res) => {
    seen.push(String(req.headers.authorization ?? ''));
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => setTimeout(() => {
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
    }, latencyMs));
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as { port: number }).port })));
}


/** Points the fixture's `local-vllm` backend at a local port; returns a function that restores userlm.yaml. */
export async function useBackendPort(port: number): Promise<() => Promise<void>> {
  const cfgUri = wsUri('userlm.yaml');
  const original = readFileSync(cfgUri.fsPath, 'utf8');
  await vscode.workspace.fs.writeFile(cfgUri, Buffer.from(original.replace('http://127.0.0.1:9/v1', `http://127.0.0.1:${port}/v1`)));
  return async () => { await vscode.workspace.fs.writeFile(cfgUri, Buffer.from(original)); };
}

/** Whether the runner can see and drive the workbench (run.mjs: code-server in headless Chromium; not electron.mjs). */
export function hasUiHarness(): boolean {
  return process.env.USERLM_IT_HARNESS === 'code-server';
}

/** For a test that acts with mouse and keyboard (`ui()`): pending where the runner cannot do that. */
export function needsUiHarness(test: Mocha.Context): void {
  if (!hasUiHarness()) test.skip();
}

let uiActions = 0;
/** Asks the harness to act in the workbench as a user would (mouse, keyboard; see run.mjs `uiAction`). */
export async function ui(action: { do: 'contextmenu'; treeitem: string; menu: string } | { do: 'keys'; keys: string[] } | { do: 'type'; text: string }): Promise<void> {
  const dir = process.env.USERLM_IT_ARTIFACTS;
  if (!dir) throw new Error('ui actions need the harness (USERLM_IT_ARTIFACTS)');
  const id = ++uiActions;
  const file = join(dir, `.ui-${process.env.USERLM_IT_MODE}-${id}.json`);
  if (existsSync(file)) require('node:fs').rmSync(file);
  console.log(`[[ui:${id}:${JSON.stringify(action)}]]`);
  const r = await waitFor(`the workbench to do ${JSON.stringify(action)}`, () => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as { ok: boolean; error?: string } : undefined), 40_000, 100);
  if (!r.ok) throw new Error(`ui action ${JSON.stringify(action)} failed: ${r.error}`);
}

/** An OpenAI-compatible server that answers every request with an HTTP error (status and JSON body as OpenAI sends them). */
export function failingServer(status: number, message: string): Promise<{ server: Server; port: number; requests: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    n++;
    req.resume();
    req.on('end', () => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', code: null } })); });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as { port: number }).port, requests: () => n })));
}
