// The VS Code extension: a thin layer over core/ (everything here can also be done from the CLI).
import { loadStarted } from './t0';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './lsp';
import { Keys } from './secrets';
import { RolesStatus, selectBackends } from './status';
import { readWorkspaceConfig, rootFor } from './workspace';
import { registerFeatures, type FeaturesApi } from './features';

const started = loadStarted;

export interface ExtensionApi extends FeaturesApi {
  /** activationMs: from module load to the server start call; serverReadyMs: until the server answered `initialize`. */
  stats(): { activationMs: number; serverStartedMs?: number; serverReadyMs?: number };
  serverReady(): Promise<void>;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = vscode.window.createOutputChannel('UserLM', { log: true });
  const keys = new Keys(context.secrets);
  const status = new RolesStatus();
  context.subscriptions.push(log, status);
  const features = registerFeatures(context, { log, keys });

  context.subscriptions.push(
    vscode.commands.registerCommand('userlm.showOutput', () => log.show()),
    vscode.commands.registerCommand('userlm.selectBackends', selectBackends),
    vscode.commands.registerCommand('userlm.setApiKey', (backendId?: string, key?: string) => setApiKey(keys, backendId, key)),
    vscode.commands.registerCommand('userlm.deleteApiKey', (backendId?: string) => deleteApiKey(keys, backendId)),
    vscode.commands.registerCommand('userlm.restartServer', async () => { await client?.restart(); }),
  );

  const stats: ReturnType<ExtensionApi['stats']> = { activationMs: 0 };
  client = createLanguageClient(context, log);
  stats.activationMs = performance.now() - started;
  stats.serverStartedMs = stats.activationMs;
  const ready = client.start().then(
    () => { stats.serverReadyMs = performance.now() - started; log.info(`language server ready after ${stats.serverReadyMs.toFixed(0)} ms`); },
    (e: unknown) => { log.error(`the language server did not start: ${String(e)}`); throw e; },
  );
  ready.catch(() => undefined);
  log.info(`activated in ${stats.activationMs.toFixed(1)} ms (before the server starts)`);
  return { ...features, stats: () => ({ ...stats }), serverReady: () => ready };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** Stores a backend's key in SecretStorage under the backend's id (never in settings or files). */
async function setApiKey(keys: Keys, backendId?: string, key?: string): Promise<void> {
  const id = backendId ?? (await pickBackend('Set the API key of which backend?'));
  if (!id) return;
  const value = key ?? (await vscode.window.showInputBox({ title: `API key for ${id}`, prompt: 'Stored in VS Code secret storage; never written to settings or files.', password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'The key is empty') }));
  if (!value) return;
  await keys.store(id, value.trim());
  void vscode.window.showInformationMessage(`UserLM: API key for '${id}' stored in secret storage.`);
}

async function deleteApiKey(keys: Keys, backendId?: string): Promise<void> {
  const id = backendId ?? (await pickBackend('Delete the API key of which backend?'));
  if (!id) return;
  await keys.delete(id);
}

async function pickBackend(title: string): Promise<string | undefined> {
  const cfg = readWorkspaceConfig(rootFor());
  const items = [
    ...(cfg?.backends ?? []).map((b) => ({ label: b.id, description: `${b.model} · ${b.base_url}` })),
    ...(cfg?.training ?? []).map((t) => ({ label: t.id, description: `training · ${t.type}` })),
  ];
  if (items.length === 0) {
    return vscode.window.showInputBox({ title, prompt: 'No backends in userlm.yaml; type the backend id or secret name' });
  }
  return (await vscode.window.showQuickPick(items, { title }))?.label;
}
