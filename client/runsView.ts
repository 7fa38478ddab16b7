// The Runs view: past eval runs labelled with suite, simulator, seed and total; open, compare
// (context menu, palette, or two runs selected together), report, export a training dataset,
// resume and delete.
import * as vscode from 'vscode';
import { existsSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { buildDataset, workspaceSource, writeDataset, type DatasetFormat, type ExportSummary } from '../core/datasets';
import { loadWorkspace } from '../core/index';
import { compareRuns, listRuns, readTranscripts, renderReportHtml } from './engine';
import type { EvalOutcome, Evals } from './evals';
import { loadRunResults, readRunJson, type ResultsPanel } from './results';
import { rescoreRun } from '../core/rewards/rescore-run';
import { ensureKeys } from './keysUi';
import type { Keys } from './secrets';
import { requireFiles, requireTrust } from './trust';
import { readWorkspaceConfig, rootFor } from './workspace';

export interface RunEntry { runId: string; runDir: string; label: string; description: string; tooltip: string }

export class RunItem extends vscode.TreeItem {
  constructor(readonly run: RunEntry) {
    super(run.label, vscode.TreeItemCollapsibleState.None);
    this.id = run.runDir;
    this.description = run.description;
    this.tooltip = run.tooltip;
    this.contextValue = 'run';
    this.iconPath = new vscode.ThemeIcon('beaker');
    this.command = { command: 'userlm.runs.open', title: 'Open', arguments: [this] };
  }
}

/** Runs as the engine lists them, newest first: "suite · simulator · seed N · total 0.87", then status, passes and time. */
export async function findRuns(root: string): Promise<RunEntry[]> {
  return listRuns(root).reverse().map((r) => {
    const json = readRunJson(r.dir);
    const when = r.started_at ? r.started_at.replace('T', ' ').slice(0, 19) : '';
    const counts = `${r.passed}/${r.finished}${r.finished < r.dialogues ? ` of ${r.dialogues}` : ''} passed`;
    const seed = json.suite?.seed;
    const label = [r.suite_id || json.suite?.id || r.id, json.simulator, seed !== undefined ? `seed ${seed}` : undefined, r.total === null ? 'no total' : `total ${r.total.toFixed(2)}`].filter(Boolean).join(' · ');
    const tooltip = [`Run ${r.id}`, `suite ${r.suite_id}${json.suite_file ? ` (${json.suite_file})` : ''}`, `simulator ${json.simulator ?? '?'} · agent ${json.agent ?? 'scenario default'} · judge ${json.judge ?? 'none'}`,
      `${r.status}: ${counts}${r.errors ? `, ${r.errors} errors` : ''}`, `started ${when}`, r.dir].join('\n');
    return { runId: r.id, runDir: r.dir, label, description: [r.status, counts, when].filter(Boolean).join(' · '), tooltip };
  });
}

export interface ExportRequest { format?: DatasetFormat; out?: string; minTotal?: number }
/** `rewards`: a reward spec file (default: asked; the run's own spec when none is picked). */
export interface RescoreRequest { rewards?: string }
export interface ExportOutcome { train: string; validation: string; summary: ExportSummary }

export class RunsView implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly results: ResultsPanel, private readonly evals: Evals, private readonly keys: Keys, private readonly log: vscode.LogOutputChannel) {
    this.subs.push(
      vscode.window.createTreeView('userlm.runs', { treeDataProvider: this, showCollapseAll: false, canSelectMany: true }),
      vscode.commands.registerCommand('userlm.runs.refresh', () => this.refresh()),
      vscode.commands.registerCommand('userlm.runs.open', (i?: RunItem | string) => this.open(i)),
      // from the view VS Code passes (clicked item, selected items): two selected runs are compared at once
      vscode.commands.registerCommand('userlm.runs.compare', (i?: RunItem | string, other?: RunItem | string | RunItem[]) => this.compare(i, other)),
      vscode.commands.registerCommand('userlm.compareRuns', (a?: string, b?: string) => this.compare(a, b)),
      vscode.commands.registerCommand('userlm.runs.exportDataset', (i?: RunItem | string, req?: ExportRequest) => this.exportDataset(i, req)),
      vscode.commands.registerCommand('userlm.runs.rescore', (i?: RunItem | string, req?: RescoreRequest) => this.rescore(i, req)),
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
    if (!runs.length) { void vscode.window.showInformationMessage('UserLM: there are no eval runs in this workspace yet.'); return undefined; }
    return this.pick(runs, title);
  }

  async open(i?: RunItem | string): Promise<void> {
    const dir = await this.resolve(i, 'Open which run?');
    if (dir) await this.results.show(await loadRunResults(dir));
  }

  async compare(i?: RunItem | string, other?: RunItem | string | RunItem[]): Promise<void> {
    if (Array.isArray(other)) {
      const selected = other.filter((x) => x instanceof RunItem && x.run.runDir !== (i instanceof RunItem ? i.run.runDir : i));
      other = selected.length === 1 ? selected[0] : undefined;
    }
    const a = await this.resolve(i, 'Compare Runs: the first run (A)');
    if (!a) return;
    const b = other ? await this.resolve(other, '') : await this.pickOther(a);
    if (!b) return;
    await this.results.show(await loadRunResults(a), { run: await loadRunResults(b), comparison: compareRuns(a, b) });
  }

  private async pickOther(a: string): Promise<string | undefined> {
    const root = rootFor();
    const runs = (root ? await findRuns(root) : []).filter((r) => r.runDir !== a);
    if (!runs.length) { void vscode.window.showInformationMessage('UserLM: there is no other run to compare with.'); return undefined; }
    return this.pick(runs, `Compare ${basename(a)} with… (B)`);
  }

  /** A quick pick of runs (the tests answer it as a user would: `picking` says when it is open). */
  private async pick(runs: RunEntry[], title: string): Promise<string | undefined> {
    this.picking = title;
    try {
      return (await vscode.window.showQuickPick(runs.map((r) => ({ label: r.label, description: r.description, detail: r.runId, runDir: r.runDir })), { title, matchOnDetail: true }))?.runDir;
    } finally {
      this.picking = undefined;
    }
  }

  /** The title of the run quick pick that is open, if any. */
  picking: string | undefined;

  /**
   * Re-scores a run's dialogues with another reward spec (core `rescoreRun`, as `userlm score` does)
   * into a new run beside it, then compares the two. The run's judge scores the judge components.
   */
  async rescore(i?: RunItem | string, req: RescoreRequest = {}): Promise<string | undefined> {
    if (!requireFiles('Re-scoring a run')) return undefined;
    const dir = await this.resolve(i, 'Re-score which run?');
    if (!dir) return undefined;
    const json = readRunJson(dir);
    const root = json.root ?? rootFor();
    if (!root) return undefined;
    let rewards = req.rewards;
    if (!rewards) {
      const files = await vscode.workspace.findFiles('**/*.{rewards.yaml,rewards.yml}', '**/{node_modules,.userlm}/**');
      const picked = await vscode.window.showQuickPick([
        { label: "The run's own spec", description: json.rewards_source ?? '', file: '' },
        ...files.map((f) => ({ label: vscode.workspace.asRelativePath(f), description: '', file: f.fsPath })),
      ], { title: `Re-score ${basename(dir)} with which reward spec?` });
      if (!picked) return undefined;
      rewards = picked.file || undefined;
    }
    const judge = json.judge ?? undefined;
    if (judge && !requireTrust(`Re-scoring with the judge ${judge}`)) return undefined;
    const config = readWorkspaceConfig(root);
    if (!(await ensureKeys(this.keys, config, [judge]))) return undefined;
    const secret = await this.keys.lookup(config);
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Re-scoring ${basename(dir)}`, cancellable: true }, (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let shown = 0;
        return rescoreRun({ input: dir, root, rewardsFile: rewards, judgeId: judge, secret, signal: abort.signal, onProgress: (done, total) => {
          const pct = total ? (done / total) * 100 : 0;
          progress.report({ message: `${done}/${total} dialogues`, increment: Math.max(0, pct - shown) });
          shown = Math.max(shown, pct);
        } });
      });
      this.log.info(`re-scored ${basename(dir)} with ${r.specSource} into ${r.runDir}`);
      this.refresh();
      if (r.runDir) await this.compare(dir, r.runDir);
      return r.runDir;
    } catch (e) {
      void vscode.window.showErrorMessage(`UserLM: cannot re-score ${basename(dir)}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** Writes an SFT or RL dataset (train + validation JSONL) from a run, through core/datasets as `userlm export` does. */
  async exportDataset(i?: RunItem | string, req: ExportRequest = {}): Promise<ExportOutcome | undefined> {
    if (!requireFiles('Exporting a training dataset')) return undefined;
    const dir = await this.resolve(i, 'Export a training dataset from which run?');
    if (!dir) return undefined;
    const root = readRunJson(dir).root ?? rootFor();
    if (!root) return undefined;
    const format = req.format ?? (await vscode.window.showQuickPick([
      { label: 'SFT', description: 'chat JSONL: one sample per user turn with its rationale (supervised fine-tuning)', format: 'sft' as const },
      { label: 'RL', description: 'prompts with the reward context (GRPO)', format: 'rl' as const },
    ], { title: `Export ${basename(dir)} as…` }))?.format;
    if (!format) return undefined;
    let out = req.out;
    if (!out) {
      const uri = await vscode.window.showSaveDialog({ title: `Export ${format.toUpperCase()} dataset`, defaultUri: vscode.Uri.file(join(root, 'datasets', `${basename(dir)}.${format}.jsonl`)), filters: { 'JSON Lines': ['jsonl'] } });
      if (!uri) return undefined;
      out = uri.fsPath;
    }
    try {
      const ws = await loadWorkspace(root);
      const result = buildDataset(await readTranscripts(dir), workspaceSource(ws), { format, minTotal: req.minTotal });
      if (!result.summary.samples) throw new Error(`no ${format.toUpperCase()} samples in this run (${result.summary.dialogues} dialogues, ${result.summary.rejected} below the minimum total)`);
      const paths = writeDataset(out, result);
      const s = result.summary;
      this.log.info(`exported ${basename(dir)} as ${format}: ${s.samples} samples (train ${s.train}, validation ${s.validation}) to ${paths.train}`);
      void vscode.window.showInformationMessage(`UserLM: ${s.samples} ${format.toUpperCase()} samples from ${s.dialogues} dialogues (train ${s.train}, validation ${s.validation}, ~${s.estimatedTokens} tokens) written to ${vscode.workspace.asRelativePath(paths.train)}.`, 'Open').then((b) => { if (b) void vscode.window.showTextDocument(vscode.Uri.file(paths.train)); });
      return { ...paths, summary: s };
    } catch (e) {
      void vscode.window.showErrorMessage(`UserLM: cannot export ${basename(dir)}: ${(e as Error).message}`);
      return undefined;
    }
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
