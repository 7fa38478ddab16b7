// The Runs view: past eval runs with open, compare (side by side with deltas), report, resume
// and delete.
import * as vscode from 'vscode';
import { existsSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { compareRuns, listRuns, renderReportHtml } from './engine';
import type { EvalOutcome, Evals } from './evals';
import { loadRunResults, readRunJson, type ResultsPanel } from './results';
import { rootFor } from './workspace';

export interface RunEntry { runId: string; runDir: string; label: string; description: string }

export class RunItem extends vscode.TreeItem {
  constructor(readonly run: RunEntry) {
    super(run.label, vscode.TreeItemCollapsibleState.None);
    this.id = run.runDir;
    this.description = run.description;
    this.tooltip = `${run.runDir}`;
    this.contextValue = 'run';
    this.iconPath = new vscode.ThemeIcon('beaker');
    this.command = { command: 'userlm.runs.open', title: 'Open', arguments: [this] };
  }
}

/** Runs as the engine lists them, newest first, with their status and pass counts. */
export async function findRuns(root: string): Promise<RunEntry[]> {
  return listRuns(root).reverse().map((r) => {
    const when = r.started_at ? r.started_at.replace('T', ' ').slice(0, 16) : '';
    const counts = `${r.passed}/${r.finished}${r.finished < r.dialogues ? ` of ${r.dialogues}` : ''} passed`;
    return { runId: r.id, runDir: r.dir, label: r.id, description: [r.status, counts, when].filter(Boolean).join(' · ') };
  });
}

export class RunsView implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly results: ResultsPanel, private readonly evals: Evals, private readonly log: vscode.LogOutputChannel, private readonly extensionUri: vscode.Uri) {
    this.subs.push(
      vscode.window.createTreeView('userlm.runs', { treeDataProvider: this, showCollapseAll: false }),
      vscode.commands.registerCommand('userlm.runs.refresh', () => this.refresh()),
      vscode.commands.registerCommand('userlm.runs.open', (i?: RunItem | string) => this.open(i)),
      vscode.commands.registerCommand('userlm.runs.compare', (i?: RunItem | string, other?: RunItem | string) => this.compare(i, other)),
      vscode.commands.registerCommand('userlm.runs.report', (i?: RunItem | string) => this.report(i)),
      vscode.commands.registerCommand('userlm.runs.resume', (i?: RunItem | string) => this.resume(i)),
      vscode.commands.registerCommand('userlm.runs.delete', (i?: RunItem | string, confirmed?: boolean) => this.delete(i, confirmed === true)),
      evals.onDidFinish(() => this.refresh()),
      this.changed,
    );
    const w = vscode.workspace.createFileSystemWatcher('**/.userlm/runs/*/summary.json');
    this.subs.push(w, w.onDidCreate(() => this.refresh()), w.onDidDelete(() => this.refresh()));
  }

  refresh(): void { this.changed.fire(); }

  async getChildren(): Promise<RunItem[]> {
    const root = rootFor();
    if (!root) return [];
    try { return (await findRuns(root)).map((r) => new RunItem(r)); } catch (e) { this.log.warn(`cannot list runs: ${(e as Error).message}`); return []; }
  }

  getTreeItem(i: RunItem): RunItem { return i; }

  private async resolve(i: RunItem | string | undefined, title: string): Promise<string | undefined> {
    if (typeof i === 'string' && i) return i;
    if (i instanceof RunItem) return i.run.runDir;
    const root = rootFor();
    const runs = root ? await findRuns(root) : [];
    return (await vscode.window.showQuickPick(runs.map((r) => ({ label: r.label, description: r.description, runDir: r.runDir })), { title }))?.runDir;
  }

  async open(i?: RunItem | string): Promise<void> {
    const dir = await this.resolve(i, 'Open which run?');
    if (dir) await this.results.show(await loadRunResults(dir));
  }

  async compare(i?: RunItem | string, other?: RunItem | string): Promise<void> {
    const a = await this.resolve(i, 'Compare which run?');
    if (!a) return;
    const b = other ? await this.resolve(other, '') : await this.pickOther(a);
    if (!b) return;
    await this.results.show(await loadRunResults(a), { run: await loadRunResults(b), comparison: compareRuns(a, b) });
  }

  private async pickOther(a: string): Promise<string | undefined> {
    const root = rootFor();
    const runs = (root ? await findRuns(root) : []).filter((r) => r.runDir !== a);
    if (!runs.length) { void vscode.window.showInformationMessage('UserLM: there is no other run to compare with.'); return undefined; }
    return (await vscode.window.showQuickPick(runs.map((r) => ({ label: r.label, description: r.description, runDir: r.runDir })), { title: `Compare ${basename(a)} with…` }))?.runDir;
  }

  /** The engine's HTML report, shown in a panel that runs no scripts. */
  async report(i?: RunItem | string): Promise<vscode.WebviewPanel | undefined> {
    const dir = await this.resolve(i, 'Report of which run?');
    if (!dir) return undefined;
    const html = renderReportHtml(dir);
    const panel = vscode.window.createWebviewPanel('userlm.report', `Report: ${basename(dir)}`, vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
    const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;">`;
    panel.webview.html = /<head[^>]*>/i.test(html) ? html.replace(/<head([^>]*)>/i, `<head$1>${csp}`) : `<!DOCTYPE html><html><head>${csp}</head><body>${html}</body></html>`;
    return panel;
  }

  async resume(i?: RunItem | string): Promise<EvalOutcome | undefined> {
    const dir = await this.resolve(i, 'Resume which run?');
    if (!dir) return;
    const json = readRunJson(dir);
    const root = json.root ?? rootFor();
    const file = json.suite_file && root ? (existsSync(json.suite_file) ? json.suite_file : join(root, json.suite_file)) : undefined;
    if (!file || !existsSync(file)) { void vscode.window.showErrorMessage(`UserLM: cannot resume ${basename(dir)}: its suite file is not recorded in run.json or no longer exists.`); return; }
    return this.evals.runSuite(vscode.Uri.file(file), { resumeDir: dir, origin: 'runsView' });
  }

  async delete(i?: RunItem | string, confirmed = false): Promise<boolean> {
    const dir = await this.resolve(i, 'Delete which run?');
    if (!dir) return false;
    const root = rootFor();
    if (!confirmed) {
      const ok = await vscode.window.showWarningMessage(`Delete run ${basename(dir)}${root ? ` (${relative(root, dir)})` : ''}? Its transcripts are removed from disk.`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return false;
    }
    rmSync(dir, { recursive: true, force: true });
    this.refresh();
    return true;
  }

  dispose(): void { for (const s of this.subs) s.dispose(); }
}
