// The preview panel (extension side): runs `previewDialogue` from core/runs and streams its
// events to the webview; "Play the agent" answers `askHuman` from the panel; re-run with another
// seed; stop. The panel's state is a PreviewModel, kept here and in the webview (setState), and
// restored by a WebviewPanelSerializer after a reload.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { explainTotal } from '../core/rewards/index';
import type { RewardSpec, Scenario, Transcript } from '../core/index';
import { loadYamlFile } from '../core/index';
import { previewDialogue } from './engine';
import { rewardInfo, workspaceSpec } from './rewardsInfo';
import { locateScenarioIds } from './locate';
import type { FromPreview, PreviewInfo, PreviewModel, RenderedState, ToPreview } from './protocol';
import { DEFAULT_AGENT, DEFAULT_SIMULATOR, isBuiltInRole } from '../core/files';
import type { Keys } from './secrets';
import { ensureKeys } from './keysUi';
import { requireFiles, requireTrust } from './trust';
import { panelOptions, Probes, webviewHtml } from './webviewHtml';
import { activeRoles, readWorkspaceConfig, rootFor, saveUserlmFiles } from './workspace';

export const PREVIEW_VIEW_TYPE = 'userlm.preview';

export interface PreviewRequest { uri: vscode.Uri; simulator?: string; agent?: string; seed?: number }

export class PreviewPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private model: PreviewModel | undefined;
  private run: { abort: AbortController; done: Promise<Transcript | undefined> } | undefined;
  private ask: { id: number; resolve: (s: string) => void; reject: (e: Error) => void } | undefined;
  private askIds = 0;
  /** The panel's model is a live preview that has ended (a new page of the panel shows its totals). */
  private liveEnded = false;
  private readonly probes = new Probes<RenderedState>();
  private lastRender: { ms: number; turns: number } | undefined;
  private readonly renderWaiters: ((r: { ms: number; turns: number }) => void)[] = [];
  private readonly onDidFinishEmitter = new vscode.EventEmitter<{ file: string; transcript: Transcript }>();
  /** Fires when a live preview finishes (not stopped, no error) with a transcript (used for the editor annotations). */
  readonly onDidFinish = this.onDidFinishEmitter.event;

  constructor(private readonly context: vscode.ExtensionContext, private readonly keys: Keys, private readonly log: vscode.LogOutputChannel) {}

  // ---------- panel ----------

  private ensurePanel(): vscode.WebviewPanel {
    if (this.panel) { this.panel.reveal(undefined, true); return this.panel; }
    const panel = vscode.window.createWebviewPanel(PREVIEW_VIEW_TYPE, 'UserLM Preview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, panelOptions(this.context.extensionUri));
    this.adopt(panel);
    return panel;
  }

  /** Takes over a panel (new, or restored by the serializer after a reload). */
  adopt(panel: vscode.WebviewPanel, restored?: PreviewModel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.svg');
    panel.webview.options = panelOptions(this.context.extensionUri);
    if (restored && !this.model) this.model = { ...restored, status: restored.status === 'running' ? 'stopped' : restored.status, ask: undefined };
    panel.webview.onDidReceiveMessage((m: FromPreview) => this.onMessage(m));
    panel.onDidDispose(() => { this.panel = undefined; this.stop(); });
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, 'preview', 'UserLM Preview');
    if (this.model) panel.title = `Preview: ${this.model.info.scenarioId}`;
  }

  private post(m: ToPreview): void {
    void this.panel?.webview.postMessage(m);
  }

  private onMessage(m: FromPreview): void {
    switch (m.type) {
      case 'ready': if (this.model) this.post({ type: 'reset', model: this.model, scroll: this.liveEnded ? 'totals' : undefined }); break;
      case 'stop': this.stop(); break;
      case 'rerun':
        if (this.model) void this.start({ uri: vscode.Uri.file(this.model.info.file), simulator: this.model.info.simulator, agent: m.human ? 'human' : this.model.info.agent === 'human' ? undefined : this.model.info.agent, seed: m.seed });
        break;
      case 'open': void this.openId(m.id); break;
      case 'human':
        if (this.ask?.id === m.id) { this.ask.resolve(m.text); this.ask = undefined; if (this.model) this.model.ask = undefined; }
        break;
      case 'probe': this.probes.answer(m.id, m.state); break;
      case 'rendered':
        this.lastRender = { ms: m.ms, turns: m.turns };
        for (const w of this.renderWaiters.splice(0)) w(this.lastRender);
        break;
    }
  }

  private async openId(id: string): Promise<void> {
    const link = this.model?.info.links[id];
    if (!link) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(link.file));
    const pos = new vscode.Position(link.line, 0);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, doc.lineAt(link.line).range.end) });
  }

  // ---------- runs ----------

  /** Starts a live preview; resolves when it has started (see `whenDone`). */
  async start(req: PreviewRequest): Promise<void> {
    if (!requireFiles('Previewing a scenario')) return;
    const root = rootFor(req.uri);
    if (!root) return;
    const roles = activeRoles(root);

    await saveUserlmFiles();
    let scenario: Scenario;
    let text: string;
    try {
      text = readFileSync(req.uri.fsPath, 'utf8');
      scenario = loadYamlFile(req.uri.fsPath).value as Scenario;
      if (!scenario || typeof scenario !== 'object' || !scenario.id) throw new Error('the file has no scenario id');
    } catch (e) {
      void vscode.window.showErrorMessage(`UserLM: cannot preview ${vscode.workspace.asRelativePath(req.uri)}: ${(e as Error).message}`);
      return;
    }
    const simulator = req.simulator ?? roles.simulator ?? DEFAULT_SIMULATOR;
    const agent = req.agent ?? roles.agent ?? scenario.agent?.default ?? DEFAULT_AGENT;
    const network = [simulator, agent, roles.judge].filter((r): r is string => !!r && !isBuiltInRole(r));
    if (network.length && !requireTrust(`A preview with the network backend${network.length > 1 ? 's' : ''} ${network.join(', ')}`)) return;
    const config = readWorkspaceConfig(root);
    if (!(await ensureKeys(this.keys, config, network))) return;
    this.stop();
    const seed = req.seed ?? vscode.workspace.getConfiguration('userlm').get<number>('preview.seed', 0);
    const spec = await workspaceSpec(root);
    const info: PreviewInfo = {
      scenarioId: scenario.id, title: scenario.title, split: scenario.split, file: req.uri.fsPath,
      simulator, agent, judge: roles.judge, seed,
      rewards: rewardInfo(spec), links: locateScenarioIds(text, req.uri.fsPath).ids,
    };
    const model: PreviewModel = { info, status: 'running', turns: [] };
    this.model = model;
    this.liveEnded = false;
    const panel = this.ensurePanel();
    panel.title = `Preview: ${scenario.id}`;
    this.post({ type: 'reset', model: this.model });
    void vscode.commands.executeCommand('setContext', 'userlm.previewRunning', true);

    const abort = new AbortController();
    const secret = await this.keys.lookup(config);
    this.log.info(`preview ${scenario.id}: simulator ${info.simulator}, agent ${info.agent}, seed ${seed}`);
    const done = previewDialogue({
      root, scenarioFile: req.uri.fsPath, simulator, agent: info.agent, judge: roles.judge, seed, secret, signal: abort.signal,
      askHuman: (prompt, signal) => this.askHuman(prompt, signal),
      onEvent: (e) => {
        if (this.model !== model) return;
        switch (e.type) {
          case 'turn': model.turns.push(e.turn); model.streaming = undefined; this.post({ type: 'turn', turn: e.turn }); break;
          case 'delta': this.post({ type: 'delta', speaker: e.speaker, text: e.text }); break;
          case 'rewards': {
            const t = model.turns.find((x) => x.index === e.turnIndex);
            if (t) { t.rewards = e.rewards; t.score = e.score; }
            this.post({ type: 'rewards', turnIndex: e.turnIndex, rewards: e.rewards, score: e.score });
            break;
          }
          default: break;
        }
      },
    }).then((transcript) => {
      if (this.model === model) {
        model.transcript = transcript;
        model.turns = transcript.turns;
        model.status = transcript.end.reason === 'cancelled' ? 'stopped' : transcript.end.reason === 'error' ? 'error' : 'done';
        model.error = transcript.error;
        model.explain = explainLines(transcript, spec);
        model.info.rewards = rewardInfo(spec, componentNames(transcript));
        this.liveEnded = true;
        this.post({ type: 'end', transcript, explain: model.explain, rewards: model.info.rewards });
        this.post({ type: 'status', status: model.status, error: model.error });
      }
      // a stopped or failed run says nothing about the scenario: the last finished preview's hints stay
      if (transcript.end.reason !== 'cancelled' && transcript.end.reason !== 'error') this.onDidFinishEmitter.fire({ file: req.uri.fsPath, transcript });
      this.log.info(`preview ${scenario.id} ended: ${transcript.end.reason} at turn ${transcript.end.at_turn}, total ${transcript.rewards.total ?? 'none'}`);
      return transcript;
    }, (e: unknown) => {
      const msg = (e as Error).message ?? String(e);
      this.log.error(`preview ${scenario.id} failed: ${msg}`);
      if (this.model === model) { model.status = abort.signal.aborted ? 'stopped' : 'error'; model.error = abort.signal.aborted ? undefined : msg; this.post({ type: 'status', status: model.status, error: model.error }); }
      if (!abort.signal.aborted) void vscode.window.showErrorMessage(`UserLM preview failed: ${msg}`);
      return undefined;
    }).finally(() => {
      if (this.run?.abort === abort) { this.run = undefined; void vscode.commands.executeCommand('setContext', 'userlm.previewRunning', false); }
    });
    this.run = { abort, done };
  }

  private askHuman(prompt: string, signal?: AbortSignal): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const id = ++this.askIds;
      const onAbort = () => { if (this.ask?.id === id) this.ask = undefined; reject(Object.assign(new Error('cancelled'), { name: 'AbortError' })); };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.ask = { id, resolve: (s) => { signal?.removeEventListener('abort', onAbort); resolve(s); }, reject };
      if (this.model) this.model.ask = { id, prompt };
      this.panel?.reveal(undefined, false); // the author types next: give the panel the keyboard
      this.post({ type: 'ask', id, prompt });
    });
  }

  stop(): void {
    this.run?.abort.abort();
    this.ask?.reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
    this.ask = undefined;
  }

  /** Shows a finished transcript (from a run: `spec` is the run's reward spec) in the panel. */
  async show(transcript: Transcript, info: Partial<PreviewInfo> & { file?: string } = {}, runSpec?: RewardSpec): Promise<void> {
    this.stop();
    let links: PreviewInfo['links'] = {};
    if (info.file) { try { links = locateScenarioIds(readFileSync(info.file, 'utf8'), info.file).ids; } catch { /* file gone */ } }
    const root = info.file ? rootFor(vscode.Uri.file(info.file)) : rootFor();
    const spec = runSpec ?? (root ? await workspaceSpec(root) : undefined);
    this.model = {
      info: { scenarioId: transcript.scenario_id, simulator: transcript.simulator, agent: transcript.agent, seed: transcript.seed, split: transcript.split, file: info.file ?? '', rewards: rewardInfo(spec, componentNames(transcript)), links, ...info },
      status: transcript.end.reason === 'error' ? 'error' : transcript.end.reason === 'cancelled' ? 'stopped' : 'done', turns: transcript.turns, transcript, error: transcript.error,
      explain: spec ? explainLines(transcript, spec) : undefined,
    };
    this.liveEnded = false;
    const rendered = new Promise<{ ms: number; turns: number }>((r) => this.renderWaiters.push(r));
    const panel = this.ensurePanel();
    panel.title = `Dialogue: ${transcript.dialogue_id}`;
    this.post({ type: 'reset', model: this.model });
    await Promise.race([rendered, new Promise((r) => setTimeout(r, 15_000))]);
  }

  // ---------- for tests and the API ----------

  whenDone(): Promise<Transcript | undefined> { return this.run?.done ?? Promise.resolve(this.model?.transcript); }
  probe(): Promise<RenderedState> {
    if (!this.panel) return Promise.reject(new Error('no preview panel'));
    return this.probes.ask((id) => this.post({ type: 'probe', id }));
  }
  lastRenderMs(): number | undefined { return this.lastRender?.ms; }
  scroll(to: 'top' | 'end'): void { this.post({ type: 'scroll', to }); }
  click(selector: string): void { this.post({ type: 'click', selector }); }
  reply(text: string): void { if (this.ask) this.onMessage({ type: 'human', id: this.ask.id, text }); }
  get current(): PreviewModel | undefined { return this.model; }

  dispose(): void { this.stop(); this.panel?.dispose(); this.onDidFinishEmitter.dispose(); }
}

/** The reward components a transcript has values for (turns and session). */
function componentNames(t: Transcript): string[] {
  return [...new Set([...Object.keys(t.rewards.turn_mean), ...Object.keys(t.rewards.session), ...t.turns.flatMap((x) => Object.keys(x.rewards ?? {}))])];
}

/** "How this total is computed", or nothing when core cannot explain this transcript with this spec. */
function explainLines(t: Transcript, spec: RewardSpec): string[] | undefined {
  try { return explainTotal(t, spec); } catch { return undefined; }
}

export function registerPreviewSerializer(preview: PreviewPanel): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      preview.adopt(panel, state && typeof state === 'object' && 'info' in state ? (state as PreviewModel) : undefined);
    },
  });
}
