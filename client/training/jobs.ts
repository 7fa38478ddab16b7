// Training jobs in the editor: one follower per job (its log, streamed until the job ends, shared
// by the log channel and the metrics panel) and the Jobs view (jobs per training backend).
import * as vscode from 'vscode';
import type { TrainingBackend } from '../../core/generated/schema-types';
import { followJob, listJobInfos, type JobInfo } from '../../core/training';
import type { Keys } from '../secrets';
import { jobKey, MissingTokenError, tokenFor, trainingConfig } from './backends';

/** Follows one job's log from its start until it ends; listeners get each new piece of text. */
export class JobFollower implements vscode.Disposable {
  text = '';
  info: JobInfo | undefined;
  error: string | undefined;
  readonly done: Promise<JobInfo | undefined>;
  private readonly abort = new AbortController();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with each new piece of log text, and with '' when the job's status changes or it ends. */
  readonly onDidChange = this.changed.event;

  constructor(readonly backend: TrainingBackend, readonly jobId: string, token: string | undefined, intervalMs: number) {
    this.done = followJob(backend, token, jobId, (t) => { this.text += t; this.changed.fire(t); }, { intervalMs, signal: this.abort.signal })
      .then((info) => { this.info = info; return info; }, (e: unknown) => { this.error = (e as Error).message; return undefined; })
      .finally(() => this.changed.fire(''));
  }

  get ended(): boolean { return !!this.info?.terminal || this.error !== undefined; }

  dispose(): void { this.abort.abort(); this.changed.dispose(); }
}

export class BackendItem extends vscode.TreeItem {
  constructor(readonly backend: TrainingBackend, readonly error?: string, readonly notConfigured?: string) {
    super(backend.id, notConfigured ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Expanded);
    this.id = `backend:${backend.id}`;
    if (notConfigured) {
      // A backend whose key is not set yet is not an error: say so, and clicking it sets the key.
      this.description = `${backend.type} · not configured: Set Key…`;
      this.tooltip = `${notConfigured}\nClick to set the key.`;
      this.contextValue = 'trainingBackend notConfigured';
      this.iconPath = new vscode.ThemeIcon('key');
      this.command = { command: 'userlm.setApiKey', title: 'Set Key', arguments: [backend.id] };
      return;
    }
    this.description = error ? `error: ${error}` : `${backend.type}${backend.address ? ` · ${backend.address}` : ''}`;
    this.tooltip = error ?? `${backend.type} training backend '${backend.id}'`;
    this.contextValue = 'trainingBackend';
    this.iconPath = new vscode.ThemeIcon(error ? 'warning' : 'server');
  }
}

/** Why a backend cannot be listed yet for want of a key (not an error), or undefined. */
export function notConfiguredReason(b: TrainingBackend, e: unknown): string | undefined {
  if (e instanceof MissingTokenError) return e.message;
  if (b.type === 'openai-fine-tuning' && !b.token) return `training backend '${b.id}' has no token: add \`token:\` (e.g. env:OPENAI_API_KEY or a secret name)`;
  return undefined;
}

/** The icon for a job's status on either backend (Ray's words, or OpenAI's). */
export function statusIcon(j: Pick<JobInfo, 'status' | 'terminal' | 'succeeded' | 'failed'>): vscode.ThemeIcon {
  if (j.succeeded) return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  if (j.failed) return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  if (j.terminal) return new vscode.ThemeIcon('debug-stop'); // STOPPED / cancelled
  if (/PENDING|validating|queued/i.test(j.status)) return new vscode.ThemeIcon('clock');
  return new vscode.ThemeIcon('sync~spin');
}

export class JobItem extends vscode.TreeItem {
  constructor(readonly backend: TrainingBackend, readonly job: JobInfo) {
    super(job.id, vscode.TreeItemCollapsibleState.None);
    this.id = `job:${jobKey(backend.id, job.id)}`;
    const when = job.started ? new Date(job.started).toISOString().replace('T', ' ').slice(0, 16) : '';
    this.description = [job.status, job.type, job.model, when].filter(Boolean).join(' · ');
    this.tooltip = [`${job.id} on ${backend.id}: ${job.status}`, job.message, job.result ? `model: ${job.result}` : ''].filter(Boolean).join('\n');
    this.contextValue = job.terminal ? 'trainingJob' : 'trainingJob running';
    this.iconPath = statusIcon(job);
    this.command = { command: 'userlm.training.showLogs', title: 'Show Logs', arguments: [this] };
  }
}

export type JobsNode = BackendItem | JobItem;

/** Jobs per training backend; polls while any job is still running. */
export class JobsView implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private poll: NodeJS.Timeout | undefined;
  readonly view: vscode.TreeView<JobsNode>;
  /** The last listing, by backend id (read by the tests through `userlm.training.probe`). */
  last = new Map<string, { jobs: JobInfo[]; error?: string; notConfigured?: string }>();

  constructor(private readonly keys: Keys, private readonly log: vscode.LogOutputChannel, private readonly pollMs: () => number) {
    this.view = vscode.window.createTreeView('userlm.trainingJobs', { treeDataProvider: this });
  }

  refresh(): void { this.changed.fire(); }

  getTreeItem(n: JobsNode): JobsNode { return n; }

  async getChildren(n?: JobsNode): Promise<JobsNode[]> {
    if (n instanceof JobItem) return [];
    const cfg = trainingConfig();
    if (!cfg || !vscode.workspace.isTrusted) return []; // listing jobs calls the backend: trusted folders only
    if (!n) {
      const listed = await Promise.all(cfg.backends.map(async (b) => [b, await this.list(cfg.config, b)] as const));
      this.last = new Map(listed.map(([b, r]) => [b.id, r]));
      const running = listed.some(([, r]) => r.jobs.some((j) => !j.terminal));
      clearTimeout(this.poll);
      this.poll = running ? setTimeout(() => this.refresh(), this.pollMs()) : undefined;
      return listed.map(([b, r]) => new BackendItem(b, r.error, r.notConfigured));
    }
    if (n instanceof BackendItem) return (this.last.get(n.backend.id)?.jobs ?? []).map((j) => new JobItem(n.backend, j));
    return [];
  }

  private async list(config: Parameters<typeof tokenFor>[1], b: TrainingBackend): Promise<{ jobs: JobInfo[]; error?: string; notConfigured?: string }> {
    try {
      if (b.type === 'openai-fine-tuning' && !b.token) return { jobs: [], notConfigured: notConfiguredReason(b, undefined) };
      return { jobs: await listJobInfos(b, await tokenFor(this.keys, config, b)) };
    } catch (e) {
      const notConfigured = notConfiguredReason(b, e);
      if (notConfigured) return { jobs: [], notConfigured };
      const error = (e as Error).message;
      this.log.warn(`training backend '${b.id}': cannot list jobs: ${error}`);
      return { jobs: [], error };
    }
  }

  dispose(): void { clearTimeout(this.poll); this.view.dispose(); this.changed.dispose(); }
}
