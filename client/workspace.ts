// Where the UserLM workspace is and what its userlm.yaml says (backends, defaults).
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findWorkspaceRoot, loadYamlFile, type Workspace } from '../core/index';
import { AGENT_BUILTINS, DEFAULT_SIMULATOR, SIMULATOR_BUILTINS, isBuiltInRole } from '../core/files';

/** The workspace root for a file (nearest folder with userlm.yaml), else the first workspace folder. */
export function rootFor(uri?: vscode.Uri): string | undefined {
  if (uri?.scheme === 'file') {
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
    const root = findWorkspaceRoot(dirname(uri.fsPath), existsSync);
    return folder && !root.startsWith(folder) ? folder : existsSync(join(root, 'userlm.yaml')) ? root : folder ?? root;
  }
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder ? findWorkspaceRoot(folder.uri.fsPath, existsSync) : undefined;
}

/** userlm.yaml as a value, or undefined when there is none or it does not parse. */
export function readWorkspaceConfig(root: string | undefined): Workspace | undefined {
  if (!root) return undefined;
  const file = join(root, 'userlm.yaml');
  if (!existsSync(file)) return undefined;
  try {
    const v = loadYamlFile(file).value;
    return v && typeof v === 'object' ? (v as Workspace) : undefined;
  } catch {
    return undefined;
  }
}

export type Role = 'simulator' | 'agent' | 'judge';

/** The active simulator / agent / judge: the user's setting, else the workspace default. */
export function activeRoles(root: string | undefined): Record<Role, string | undefined> {
  const cfg = vscode.workspace.getConfiguration('userlm');
  const defaults = readWorkspaceConfig(root)?.defaults ?? {};
  const pick = (role: Role) => cfg.get<string>(role) || (defaults as Record<string, string | undefined>)[role] || undefined;
  return { simulator: pick('simulator') ?? DEFAULT_SIMULATOR, agent: pick('agent'), judge: pick('judge') };
}

/** Ids that can fill a role: the built-ins plus the backends of userlm.yaml. */
export function roleChoices(root: string | undefined, role: Role): string[] {
  const backends = (readWorkspaceConfig(root)?.backends ?? []).map((b) => b.id);
  const builtIns: string[] = role === 'simulator' ? [...SIMULATOR_BUILTINS] : role === 'agent' ? AGENT_BUILTINS.filter((a) => isBuiltInRole(a)) : [];
  return [...builtIns, ...backends];
}

export function isFileWorkspace(): boolean {
  return (vscode.workspace.workspaceFolders ?? []).some((f) => f.uri.scheme === 'file');
}

/** Saves the workspace's unsaved UserLM files: the engine reads files from disk. */
export async function saveUserlmFiles(): Promise<void> {
  const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file' && d.languageId.startsWith('userlm-'));
  await Promise.all(dirty.map((d) => d.save()));
}
