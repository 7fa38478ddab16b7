// Helpers shared by the integration tests (they run inside the real extension host).
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const EXTENSION_ID = 'userlm-studio.userlm-studio';

/** The API the extension returns from `activate` (client/extension.ts `ExtensionApi`; kept loose
 * here because the test project does not compile the client). */
export interface Api {
  stats(): { activationMs: number; serverStartedMs?: number; serverReadyMs?: number };
  serverReady(): Promise<void>;
  preview: {
    start(req: { uri: vscode.Uri; simulator?: string; agent?: string; seed?: number }): Promise<void>;
    whenDone(): Promise<any>;
    probe(): Promise<Record<string, any>>;
    show(transcript: any, info?: any): Promise<void>;
    lastRenderMs(): number | undefined;
    reply(text: string): void;
    stop(): void;
    hints(doc: vscode.TextDocument): { line: number; label: string; tooltip: string }[];
  };
  results: { probe(): Promise<Record<string, any>> };
  evals: { cancel(): boolean; running(): boolean; progressLog(): string[]; last(): any; discover(): Promise<void>; controller: vscode.TestController; runTests(items?: vscode.TestItem[]): Promise<{ id: string; state: string; message?: string; line?: number }[]> };
  lastRefusal(): string | undefined;
}

export async function api(): Promise<Api> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  return (await ext.activate()) as Api;
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
  if (!dir) return;
  const file = join(dir, `${name}.png`);
  const before = existsSync(file) ? require('node:fs').statSync(file).mtimeMs : 0;
  console.log(`[[screenshot:${name}]]`);
  await waitFor(`screenshot ${name}`, () => existsSync(file) && require('node:fs').statSync(file).mtimeMs > before, 20_000, 200);
}
