// The results panel (extension side): one run, or two runs compared; opens a run's dialogue in
// the preview panel.
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RewardSpec, Transcript } from '../core/index';
import { failureCause } from '../core/backends/chat/errors';
import { explainTotal } from '../core/rewards/index';
import { missedThresholds, readTranscripts, RUN_JSON, summarizeGroup, type Comparison, type RunJson } from './engine';
import type { FromResults, ResultsRenderedState, ResultsRow, RunResults, ToResults } from './protocol';
import type { PreviewPanel } from './preview';
import { rewardInfo } from './rewardsInfo';
import { panelOptions, Probes, webviewHtml } from './webviewHtml';

export const RESULTS_VIEW_TYPE = 'userlm.results';

/** A dialogue passes when it misses no threshold (the engine's rule, as in summary.json). */
export function passes(t: Transcript, thresholds: Record<string, number>): boolean {
  return missedThresholds(t, thresholds).length === 0;
}

/** A dialogue's total reward; none for a cancelled or errored dialogue. */
export function totalOf(t: Transcript): number | undefined {
  if (t.end.reason === 'error' || t.end.reason === 'cancelled') return undefined;
  const total = (t.rewards as { total?: number }).total;
  return typeof total === 'number' ? total : undefined;
}

export function totalText(t: Transcript): string {
  const total = totalOf(t);
  return total === undefined ? `no total (${t.end.reason})` : `total ${total.toFixed(2)}`;
}

/** Why a dialogue failed, in one line (core `failureCause`: HTTP status and message, timeout, cut stream, refused connection, missing key), or undefined. */
export function failureText(t: Transcript): string | undefined {
  return failureCause(t) ?? undefined;
}

/** The reward breakdown of a dialogue, in words (Test Explorer output and messages, tooltips). */
export function breakdown(t: Transcript, thresholds: Record<string, number>, spec?: RewardSpec): string {
  const comps = [...Object.entries(t.rewards.turn_mean).map(([k, v]) => `${k} ${v.toFixed(2)} (turn mean)`), ...Object.entries(t.rewards.session).map(([k, v]) => `${k} ${v.toFixed(2)} (session)`)];
  const missed = missedThresholds(t, thresholds);
  const cause = failureText(t);
  const metrics = Object.entries(t.metrics ?? {}).filter(([, v]) => v !== null && v !== undefined && !(typeof v === 'object' && (v as { value: unknown }).value === null)).map(([k, v]) => `${k} ${fmtMetric(v)}`);
  return [
    `${t.dialogue_id}: ${totalText(t)}${missed.length ? ` — below threshold: ${missed.join(', ')}` : ' — passed'}`,
    `scenario ${t.scenario_id} · profile ${t.profile_id} · seed ${t.seed} · simulator ${t.simulator} · agent ${t.agent}`,
    `ended: ${t.end.reason} at turn ${t.end.at_turn}${t.end.detail ? ` (${t.end.detail})` : ''}`,
    cause ? `error: ${cause}` : null,
    comps.length ? `components: ${comps.join(', ')}` : 'components: none',
    metrics.length ? `metrics: ${metrics.join(', ')}` : null,
    ...(spec ? explained(t, spec) : []),
  ].filter((l): l is string => l !== null).join('\n');
}

/** "How the total is computed" (core/rewards `explainTotal`), indented under a heading. */
function explained(t: Transcript, spec: RewardSpec): string[] {
  try { return ['how the total is computed:', ...explainTotal(t, spec).map((l) => `  ${l}`)]; } catch { return []; }
}

function fmtMetric(v: unknown): string {
  if (typeof v === 'number') return v.toFixed(2);
  if (v && typeof v === 'object' && 'value' in v) { const x = (v as { value: number | null; source?: string | null }); return x.value === null ? 'n/a' : `${x.value.toFixed(2)}${x.source ? ` (${x.source})` : ''}`; }
  return String(v);
}

/** Per scenario and split, summarised by the engine (as summary.json does per scenario and per split). */
export function resultsRows(transcripts: Transcript[], thresholds: Record<string, number>): ResultsRow[] {
  const groups = new Map<string, Transcript[]>();
  for (const t of transcripts) {
    const k = `${t.scenario_id}\u0000${t.split ?? 'standard'}`;
    groups.set(k, [...(groups.get(k) ?? []), t]);
  }
  return [...groups.values()].map((ts) => {
    const g = summarizeGroup(ts, thresholds);
    return { scenarioId: ts[0].scenario_id, split: ts[0].split ?? 'standard', dialogues: g.dialogues, passed: g.passed, errors: g.errors, meanTotal: g.total, metrics: g.metrics };
  }).sort((a, b) => a.split.localeCompare(b.split) || a.scenarioId.localeCompare(b.scenarioId));
}

export function readRunJson(runDir: string): Partial<RunJson> {
  const f = join(runDir, RUN_JSON);
  if (!existsSync(f)) return {};
  try { return JSON.parse(readFileSync(f, 'utf8')) as RunJson; } catch { return {}; }
}

/** Why a dialogue failed, in one line: its error's cause, or the thresholds it missed; undefined when it passed. */
export function causeOf(t: Transcript, thresholds: Record<string, number>): string | undefined {
  const cause = failureText(t);
  if (cause) return cause;
  if (t.end.reason === 'cancelled') return 'cancelled';
  const missed = missedThresholds(t, thresholds);
  return missed.length ? `below threshold: ${missed.join(', ')}` : undefined;
}

export async function loadRunResults(runDir: string): Promise<RunResults> {
  const run = readRunJson(runDir);
  const thresholds = (run.suite?.thresholds ?? {}) as Record<string, number>;
  const transcripts = await readTranscripts(runDir);
  const all = summarizeGroup(transcripts, thresholds);
  const rewards = rewardInfo(run.rewards, Object.keys(all.components));
  const names = [...new Set([...Object.keys(rewards.weights), ...Object.keys(all.components)])];
  return {
    runId: run.run_id ?? basename(runDir), runDir, suiteId: run.suite?.id, startedAt: run.started_at, status: run.status,
    simulator: run.simulator, agent: run.agent, judge: run.judge, seed: run.suite?.seed, thresholds,
    rows: resultsRows(transcripts, thresholds),
    metrics: all.metrics,
    components: names.map((name) => ({ name, level: rewards.levels[name] ?? '', weight: rewards.weights[name] ?? null, mean: all.components[name] ?? null })),
    rewards,
    dialogues: transcripts.map((t) => ({
      dialogueId: t.dialogue_id, scenarioId: t.scenario_id, profileId: t.profile_id, seed: t.seed,
      total: totalOf(t) ?? null, passed: passes(t, thresholds), end: t.end.reason, cause: causeOf(t, thresholds),
    })),
  };
}

export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private shown: Extract<ToResults, { type: 'show' }> | undefined;
  private readonly probes = new Probes<ResultsRenderedState>();
  private rendered: (() => void)[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly preview: PreviewPanel, private readonly findScenarioFile: (id: string) => Promise<string | undefined>) {}

  adopt(panel: vscode.WebviewPanel, restored?: Extract<ToResults, { type: 'show' }>): void {
    this.panel = panel;
    if (restored && !this.shown) this.shown = restored;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.svg');
    panel.webview.options = panelOptions(this.context.extensionUri);
    panel.webview.onDidReceiveMessage((m: FromResults) => this.onMessage(m));
    panel.onDidDispose(() => { this.panel = undefined; });
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, 'results', 'UserLM Results');
  }

  private onMessage(m: FromResults): void {
    if (m.type === 'ready') { if (this.shown) void this.panel?.webview.postMessage(this.shown); for (const r of this.rendered.splice(0)) r(); }
    else if (m.type === 'probe') this.probes.answer(m.id, m.state);
    else if (m.type === 'openDialogue') void this.openDialogue(m.runDir, m.dialogueId);
  }

  async openDialogue(runDir: string, dialogueId: string): Promise<void> {
    const t = (await readTranscripts(runDir)).find((x) => x.dialogue_id === dialogueId);
    if (!t) { void vscode.window.showErrorMessage(`UserLM: dialogue ${dialogueId} is not in ${runDir}`); return; }
    await this.preview.show(t, { file: await this.findScenarioFile(t.scenario_id), source: `run ${basename(runDir)} · ${dialogueId}` }, readRunJson(runDir).rewards);
  }

  async show(a: RunResults, b?: { run: RunResults; comparison: Comparison }): Promise<void> {
    this.shown = b ? { type: 'show', mode: 'compare', a, b: b.run, comparison: b.comparison } : { type: 'show', mode: 'single', a };
    const title = b ? `Compare ${a.runId} → ${b.run.runId}` : `Results: ${a.runId}`;
    if (!this.panel) {
      const ready = new Promise<void>((r) => this.rendered.push(r));
      this.adopt(vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.One, preserveFocus: false }, panelOptions(this.context.extensionUri)));
      await Promise.race([ready, new Promise((r) => setTimeout(r, 15_000))]);
    } else {
      this.panel.reveal();
      await this.panel.webview.postMessage(this.shown);
    }
    this.panel!.title = title;
  }

  probe(): Promise<ResultsRenderedState> {
    if (!this.panel) return Promise.reject(new Error('no results panel'));
    return this.probes.ask((id) => void this.panel?.webview.postMessage({ type: 'probe', id } satisfies ToResults));
  }

  dispose(): void { this.panel?.dispose(); }
}

export function registerResultsSerializer(results: ResultsPanel): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      results.adopt(panel, state && typeof state === 'object' && 'mode' in state ? (state as Extract<ToResults, { type: 'show' }>) : undefined);
    },
  });
}
