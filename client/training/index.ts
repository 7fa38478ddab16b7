// Training in the editor (issue 5): "Submit Training Job…", the Jobs view, logs per job in an
// output channel, a live metrics panel and cancel. Part of the feature bundle (client/host.ts →
// dist/features.js), loaded after the language server starts.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { TrainingBackend } from '../../core/generated/schema-types';
import { cancelJob } from '../../core/training';
import { Keys } from '../secrets';
import { lastRefusal, requireTrust } from '../trust';
import { jobKey, MissingTokenError, tokenFor, trainingConfig } from './backends';
import { JobFollower, JobItem, JobsView } from './jobs';
import { METRICS_VIEW_TYPE, MetricsPanel } from './metrics';
import type { MetricsModel, MetricsRenderedState } from './protocol';
import { submitJob, type SubmitArgs, type Submitted } from './submit';

/** A job as commands take it: a Jobs view item, or `{ backend, id }` (tests, other extensions). */
export type JobRef = JobItem | { backend: string; id: string };

/** What `userlm.training.probe` returns: the Jobs view's last listing, each log channel's text, and
 * (when a job is given) what its metrics panel rendered. */
export interface TrainingProbe {
  jobs: Record<string, { id: string; status: string; icon: string; contextValue: string }[]>;
  errors: Record<string, string>;
  /** Backends shown as "not configured" (no key yet), with the reason. */
  notConfigured: Record<string, string>;
  logs: Record<string, string>;
  metrics?: MetricsRenderedState;
  /** The last "disabled in Restricted Mode" explanation this module showed. */
  refusal?: string;
  /** The last error a training command showed. */
  error?: string;
}

const VIEW_POLL_MS = 3000;
const FOLLOW_MS = 1000;

export function registerTraining(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  const keys = new Keys(context.secrets);
  const view = new JobsView(keys, log, () => VIEW_POLL_MS);
  const followers = new Map<string, JobFollower>();
  const channels = new Map<string, { channel: vscode.OutputChannel; text: string }>();
  const panels = new Map<string, MetricsPanel>();
  const trainerDir = join(context.extensionPath, 'trainer');
  let lastError: string | undefined;

  /** The job a command acts on; undefined (with the explanation shown) in Restricted Mode. */
  const resolveJob = (ref: JobRef | undefined, what: string): { backend: TrainingBackend; id: string } | undefined => {
    if (!requireTrust(what)) return undefined;
    if (ref instanceof JobItem) return { backend: ref.backend, id: ref.job.id };
    if (!ref?.backend || !ref.id) throw new Error('choose a job in the Jobs view');
    const backend = trainingConfig()?.backends.find((b) => b.id === ref.backend);
    if (!backend) throw new Error(`no training backend '${ref.backend}' in userlm.yaml`);
    return { backend, id: ref.id };
  };

  /** One follower per job while it runs (and after, holding its whole log); restarted after an error. */
  const follower = async (backend: TrainingBackend, id: string): Promise<JobFollower> => {
    const key = jobKey(backend.id, id);
    const existing = followers.get(key);
    if (existing && existing.error === undefined) return existing;
    existing?.dispose();
    const f = new JobFollower(backend, id, await tokenFor(keys, trainingConfig()?.config, backend), FOLLOW_MS);
    followers.set(key, f);
    void f.done.then(() => view.refresh());
    return f;
  };

  const showLogs = async (ref?: JobRef): Promise<void> => {
    const job = resolveJob(ref, 'Following a training job');
    if (!job) return;
    const { backend, id } = job;
    const key = jobKey(backend.id, id);
    let entry = channels.get(key);
    if (!entry) {
      const f = await follower(backend, id);
      const e = { channel: vscode.window.createOutputChannel(`UserLM Training: ${id}`), text: '' };
      const append = (t: string) => { e.channel.append(t); e.text += t; };
      append(f.text);
      const sub = f.onDidChange((t) => {
        if (t) append(t);
        else if (f.ended) { append(`\n[userlm] job ${id}: ${f.info?.status ?? `error: ${f.error}`}\n`); sub.dispose(); }
      });
      if (f.ended) { append(`\n[userlm] job ${id}: ${f.info?.status ?? `error: ${f.error}`}\n`); sub.dispose(); }
      channels.set(key, entry = e);
    }
    entry.channel.show(true);
  };

  const openMetrics = (backend: TrainingBackend, model: MetricsModel, panel?: vscode.WebviewPanel): MetricsPanel => {
    const key = jobKey(backend.id, model.jobId);
    const p = new MetricsPanel(panel ?? vscode.window.createWebviewPanel(METRICS_VIEW_TYPE, `Metrics: ${model.jobId}`, vscode.ViewColumn.Active, { retainContextWhenHidden: false }), context.extensionUri, model, () => panels.delete(key));
    panels.set(key, p);
    void follower(backend, model.jobId).then((f) => p.follow(f), (e: unknown) => void vscode.window.showErrorMessage(`UserLM: ${(e as Error).message}`));
    return p;
  };

  const showMetrics = async (ref?: JobRef): Promise<void> => {
    const job = resolveJob(ref, 'Following a training job');
    if (!job) return;
    const { backend, id } = job;
    const open = panels.get(jobKey(backend.id, id));
    if (open) { open.panel.reveal(); return; }
    openMetrics(backend, { backendId: backend.id, jobId: id, status: ref instanceof JobItem ? ref.job.status : '…', terminal: false, points: [] });
  };

  const cancel = async (ref?: JobRef, confirmed?: boolean): Promise<string | undefined> => {
    const job = resolveJob(ref, 'Cancelling a training job');
    if (!job) return undefined;
    const { backend, id } = job;
    if (confirmed !== true) {
      const ok = await vscode.window.showWarningMessage(`Cancel training job ${id} on '${backend.id}'? The job stops; its checkpoints so far stay on the cluster.`, { modal: true }, 'Cancel Job');
      if (ok !== 'Cancel Job') return undefined;
    }
    const status = await cancelJob(backend, await tokenFor(keys, trainingConfig()?.config, backend), id);
    log.info(`training job ${id} on '${backend.id}': cancel → ${status}`);
    view.refresh();
    return status;
  };

  const probe = async (ref?: { backend: string; id: string }): Promise<TrainingProbe> => {
    await view.getChildren();
    const jobs: TrainingProbe['jobs'] = {};
    const errors: TrainingProbe['errors'] = {};
    const notConfigured: TrainingProbe['notConfigured'] = {};
    for (const b of trainingConfig()?.backends ?? []) {
      const r = view.last.get(b.id);
      if (r?.error) errors[b.id] = r.error;
      if (r?.notConfigured) notConfigured[b.id] = r.notConfigured;
      jobs[b.id] = (r?.jobs ?? []).map((j) => { const item = new JobItem(b, j); return { id: j.id, status: j.status, icon: (item.iconPath as vscode.ThemeIcon).id, contextValue: String(item.contextValue) }; });
    }
    const panel = ref ? panels.get(jobKey(ref.backend, ref.id)) : undefined;
    return { jobs, errors, notConfigured, logs: Object.fromEntries([...channels].map(([k, v]) => [k, v.text])), metrics: panel ? await panel.probe() : undefined, refusal: lastRefusal, error: lastError };
  };

  const report = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R | undefined> => {
    try {
      return await fn(...a);
    } catch (e) {
      lastError = (e as Error).message;
      log.error(lastError);
      const setKey = e instanceof MissingTokenError && e.secretName ? 'Set API Key' : undefined;
      void vscode.window.showErrorMessage(`UserLM: ${lastError}`, ...(setKey ? [setKey] : [])).then((a) => {
        if (a && e instanceof MissingTokenError) void vscode.commands.executeCommand('userlm.setApiKey', e.backendId);
      });
      return undefined;
    }
  };

  const subs: vscode.Disposable[] = [
    view,
    vscode.commands.registerCommand('userlm.training.submit', report(async (args?: SubmitArgs): Promise<Submitted | undefined> => {
      const done = await submitJob(keys, trainerDir, args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : {});
      if (!done) return undefined;
      log.info(`training job submitted: ${done.jobId} on '${done.backendId}'\n${done.summary}`);
      view.refresh();
      void vscode.window.showInformationMessage(`UserLM: training job ${done.jobId} submitted to '${done.backendId}'.`, 'Show Logs', 'Show Metrics').then((a) => {
        const ref = { backend: done.backendId, id: done.jobId };
        if (a === 'Show Logs') void report(showLogs)(ref);
        else if (a === 'Show Metrics') void report(showMetrics)(ref);
      });
      return done;
    })),
    vscode.commands.registerCommand('userlm.training.refresh', () => view.refresh()),
    // new backends or tokens: list again
    context.secrets.onDidChange(() => view.refresh()),
    ...((w) => [w, w.onDidChange(() => view.refresh()), w.onDidCreate(() => view.refresh()), w.onDidDelete(() => view.refresh())])(vscode.workspace.createFileSystemWatcher('**/userlm.yaml')),
    vscode.commands.registerCommand('userlm.training.showLogs', report(showLogs)),
    vscode.commands.registerCommand('userlm.training.showMetrics', report(showMetrics)),
    vscode.commands.registerCommand('userlm.training.cancel', report(cancel)),
    vscode.commands.registerCommand('userlm.training.probe', probe),
    vscode.window.registerWebviewPanelSerializer(METRICS_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const model = state && typeof state === 'object' && 'jobId' in state ? (state as MetricsModel) : undefined;
        const backend = model && trainingConfig()?.backends.find((b) => b.id === model.backendId);
        if (!model || !backend) { panel.dispose(); return; }
        openMetrics(backend, model, panel);
      },
    }),
    { dispose: () => { for (const f of followers.values()) f.dispose(); for (const c of channels.values()) c.channel.dispose(); for (const p of panels.values()) p.panel.dispose(); } },
  ];
  context.subscriptions.push(...subs);
  return vscode.Disposable.from(...subs);
}
