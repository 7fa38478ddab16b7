// Status bar item with the active simulator / agent / judge; a click changes them.
import * as vscode from 'vscode';
import { activeRoles, roleChoices, rootFor, type Role } from './workspace';

export class RolesStatus implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('userlm.roles', vscode.StatusBarAlignment.Left, 10);
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    this.item.name = 'UserLM simulator / agent / judge';
    this.item.command = 'userlm.selectBackends';
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('userlm')) this.update(); }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
    );
    const w = vscode.workspace.createFileSystemWatcher('**/userlm.yaml');
    this.subs.push(w, w.onDidChange(() => this.update()), w.onDidCreate(() => this.update()), w.onDidDelete(() => this.update()));
    this.update();
    this.item.show();
  }

  update(): void {
    const r = activeRoles(rootFor());
    this.item.text = `$(account) ${r.simulator} · $(hubot) ${r.agent ?? 'scenario default'} · $(law) ${r.judge ?? 'no judge'}`;
    this.item.tooltip = new vscode.MarkdownString(`**UserLM** — simulator \`${r.simulator}\`, agent \`${r.agent ?? "scenario's default"}\`, judge \`${r.judge ?? 'none'}\`\n\nClick to change.`);
  }

  dispose(): void { this.item.dispose(); for (const s of this.subs) s.dispose(); }
}

/** Quick picks: which role, then which backend; saved in the workspace settings (ids only). */
export async function selectBackends(): Promise<void> {
  const root = rootFor();
  const current = activeRoles(root);
  const role = await vscode.window.showQuickPick(
    (['simulator', 'agent', 'judge'] as Role[]).map((r) => ({ label: r, description: current[r] ?? (r === 'judge' ? 'none' : "scenario's default"), role: r })),
    { title: 'UserLM: change which role?' },
  );
  if (!role) return;
  const choices = roleChoices(root, role.role);
  const items: (vscode.QuickPickItem & { value: string })[] = [
    { label: role.role === 'judge' ? 'none' : 'workspace default', value: '', description: 'clear the setting' },
    ...choices.map((c) => ({ label: c, value: c, description: c === current[role.role] ? 'active' : undefined })),
  ];
  const pick = await vscode.window.showQuickPick(items, { title: `UserLM ${role.role}` });
  if (!pick) return;
  await vscode.workspace.getConfiguration('userlm').update(role.role, pick.value, vscode.ConfigurationTarget.Workspace);
}
