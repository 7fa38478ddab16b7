// API keys in the UI: "Set API Key" / "Delete API Key", and asking for a missing key before a
// run that needs it. Keys go to SecretStorage under the backend's id, never to settings or files.
import * as vscode from 'vscode';
import type { Workspace } from '../core/index';
import { isBuiltInRole } from '../core/files';
import { findBackend, backendKey } from '../core/dialogue/types';
import { probeBackend, probeRows, type ProbeResult } from '../core/backends/probe';
import { foldLine } from '../core/backends/chat/errors';
import { lookupFrom, type Keys } from './secrets';
import { readWorkspaceConfig, rootFor } from './workspace';

export async function setApiKey(keys: Keys, backendId?: string, key?: string): Promise<boolean> {
  const id = backendId ?? (await pickBackend('Set the API key of which backend?'));
  if (!id) return false;
  const value = key ?? (await vscode.window.showInputBox({ title: `API key for ${id}`, prompt: 'Stored in VS Code secret storage; never written to settings or files.', password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'The key is empty') }));
  if (!value) return false;
  await keys.store(id, value.trim());
  void vscode.window.showInformationMessage(`UserLM: API key for '${id}' stored in secret storage.`);
  return true;
}

export async function deleteApiKey(keys: Keys, backendId?: string): Promise<void> {
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

/** The backend whose key the input box is asking for right now (the tests answer it as a user would). */
export let askingFor: string | undefined;

/** Before a run: asks for the key of every used backend whose key is neither stored nor in the environment.
 * False when the user dismissed a prompt. */
export async function ensureKeys(keys: Keys, config: Workspace | undefined, ids: (string | undefined)[]): Promise<boolean> {
  const lookup = lookupFrom(await keys.snapshot(config));
  for (const id of new Set(ids.filter((x): x is string => !!x && !isBuiltInRole(x)))) {
    const b = config?.backends?.find((x) => x.id === id);
    if (!b?.api_key || lookup(b.api_key)) continue;
    const where = b.api_key.startsWith('env:') ? `the environment variable ${b.api_key.slice(4)} is not set` : 'no key is stored';
    askingFor = id;
    let typed: string | undefined;
    try {
      typed = await vscode.window.showInputBox({ title: `API key for ${id}`, prompt: `${where}. The key is kept in VS Code secret storage.`, password: true, ignoreFocusOut: true });
    } finally {
      askingFor = undefined;
    }
    const ok = await setApiKey(keys, id, typed);
    if (!ok) return false;
  }
  return true;
}

/**
 * "UserLM: Test Backend…": one probe of a backend of userlm.yaml (the CLI's `userlm backend test`):
 * reasoning dialect, streaming, latency, context size. Asks for a missing key first; the report goes
 * to the UserLM output and a one-line summary to a notification. Returns the result or the failure.
 */
export async function testBackend(keys: Keys, log: vscode.LogOutputChannel, backendId?: string): Promise<ProbeResult | { error: string } | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('UserLM: testing a backend sends a request (and its key) to the server; trust this workspace first.');
    return undefined;
  }
  const cfg = readWorkspaceConfig(rootFor());
  const id = backendId ?? (await vscode.window.showQuickPick((cfg?.backends ?? []).map((b) => ({ label: b.id, description: `${b.model} · ${b.base_url}` })), { title: 'Test which backend?' }))?.label;
  if (!id) return undefined;
  try {
    const backend = findBackend(id, cfg, 'backend');
    if (!(await ensureKeys(keys, cfg, [id]))) return undefined;
    const secret = lookupFrom(await keys.snapshot(cfg));
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `UserLM: testing '${id}'…`, cancellable: true }, (_p, token) => {
      const ctrl = new AbortController();
      token.onCancellationRequested(() => ctrl.abort());
      return probeBackend(backend, backendKey(backend, { config: cfg, secret }), { signal: ctrl.signal });
    });
    log.info(`backend test '${id}':\n${probeRows(result, backend.base_url).map(([k, v]) => `  ${k.padEnd(10)} ${v}`).join('\n')}`);
    for (const w of result.warnings) log.warn(`backend test '${id}': ${w}`);
    void vscode.window.showInformationMessage(`UserLM: '${id}' answered in ${result.latencyMs} ms: reasoning ${result.dialect}, ${result.streamed ? 'streamed' : 'not streamed'}, context ${result.contextSize ? `${result.contextSize} tokens` : 'not reported'}.${result.warnings.length ? ` ${result.warnings[0]}` : ''}`);
    return result;
  } catch (e) {
    const error = foldLine((e as Error).message);
    log.error(`backend test '${id}' failed: ${error}`);
    void vscode.window.showErrorMessage(`UserLM: backend '${id}' failed: ${error}`);
    return { error };
  }
}
