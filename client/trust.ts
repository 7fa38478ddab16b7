// Workspace trust: editing features work in Restricted Mode; anything that calls a model
// backend, runs evals or trains is refused with an explanation until the folder is trusted.
import * as vscode from 'vscode';

export const TRUST_ACTION = 'Manage Workspace Trust';

/** True when allowed; otherwise tells the user why `what` is disabled and returns false. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const msg = `${what} is disabled in Restricted Mode: it would call model backends or run code configured by this folder. Trust the folder to enable it.`;
  void vscode.window.showWarningMessage(msg, TRUST_ACTION).then((a) => {
    if (a === TRUST_ACTION) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  lastRefusal = msg;
  return false;
}

/** The last explanation shown (read by the integration tests). */
export let lastRefusal: string | undefined;

/** Requires a file: workspace (virtual workspaces have no files on disk for the engine). */
export function requireFiles(what: string): boolean {
  if ((vscode.workspace.workspaceFolders ?? []).some((f) => f.uri.scheme === 'file')) return true;
  const msg = `${what} needs the workspace files on disk; it is not available in a virtual workspace.`;
  void vscode.window.showWarningMessage(msg);
  lastRefusal = msg;
  return false;
}
