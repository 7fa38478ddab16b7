// The training metrics panel (extension side): loss, reward and each reward component over steps,
// parsed from the job's log, updated live while the job runs. One panel per job.
import * as vscode from 'vscode';
import { parseProgress } from '../../core/training';
import { panelOptions, Probes, webviewHtml } from '../webviewHtml';
import type { JobFollower } from './jobs';
import type { FromMetrics, MetricsModel, MetricsRenderedState, ToMetrics } from './protocol';

export const METRICS_VIEW_TYPE = 'userlm.trainingMetrics';

export class MetricsPanel implements vscode.Disposable {
  private readonly probes = new Probes<MetricsRenderedState>();
  private readonly subs: vscode.Disposable[] = [];
  private ready = false;
  private model: MetricsModel;

  constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, model: MetricsModel, onDispose: () => void) {
    this.model = model;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    panel.title = `Metrics: ${model.jobId}`;
    panel.webview.options = panelOptions(extensionUri);
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: FromMetrics) => {
        if (m.type === 'ready') { this.ready = true; this.post(); } else if (m.type === 'probe') this.probes.answer(m.id, m.state);
      }),
      panel.onDidDispose(() => { this.dispose(); onDispose(); }),
    );
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'metrics', 'UserLM Training Metrics');
  }

  /** Follows a job: re-parses the log on each new piece (cheap: one pass over the text) and redraws. */
  follow(f: JobFollower): void {
    const update = () => {
      this.model = { ...this.model, points: parseProgress(f.text), status: f.info?.status ?? (f.error ? 'error' : this.model.status), terminal: f.ended, error: f.error };
      this.post();
    };
    update();
    this.subs.push(f.onDidChange(update));
  }

  private post(): void {
    if (this.ready) void this.panel.webview.postMessage({ type: 'show', model: this.model } satisfies ToMetrics);
  }

  probe(): Promise<MetricsRenderedState> {
    return this.probes.ask((id) => void this.panel.webview.postMessage({ type: 'probe', id } satisfies ToMetrics));
  }

  dispose(): void { for (const s of this.subs.splice(0)) s.dispose(); }
}
