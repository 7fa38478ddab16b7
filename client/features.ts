// Commands, panels, views and editor annotations over the engine (previews, evals, runs).
import * as vscode from 'vscode';
import { loadWorkspace, type Transcript } from '../core/index';
import { Evals, type EvalOutcome, type TestOutcome, type TestRunRecord } from './evals';
import { PreviewHints, ScenarioLenses } from './hints';
import { LANGUAGE_IDS } from './lsp';
import { PreviewPanel, registerPreviewSerializer, type PreviewRequest } from './preview';
import type { PreviewInfo, RenderedState, ResultsRenderedState } from './protocol';
import { ResultsPanel, registerResultsSerializer } from './results';
import { findRuns, RunsView, type ExportOutcome, type ExportRequest, type RescoreRequest, type RunEntry } from './runsView';
import { Keys } from './secrets';
import { RolesStatus, selectBackends } from './status';
import { lastRefusal } from './trust';
import { roleChoices, rootFor } from './workspace';
import { SCENARIO_LANGUAGE } from '../core/files';
import * as keysUi from './keysUi';

/** What `activate` returns besides stats: used by the integration tests and other extensions. */
export interface FeaturesApi {
  preview: {
    start(req: PreviewRequest): Promise<void>;
    whenDone(): Promise<Transcript | undefined>;
    probe(): Promise<RenderedState>;
    show(transcript: Transcript, info?: Partial<PreviewInfo>): Promise<void>;
    lastRenderMs(): number | undefined;
    scroll(to: 'top' | 'end'): void;
    click(selector: string): void;
    reply(text: string): void;
    stop(): void;
    hints(doc: vscode.TextDocument): { line: number; label: string; tooltip: string }[];
  };
  results: { probe(): Promise<ResultsRenderedState>; openDialogue(runDir: string, dialogueId: string): Promise<void> };
  evals: { cancel(): boolean; running(): boolean; progressLog(): string[]; last(): EvalOutcome | undefined; discover(): Promise<void>; controller: vscode.TestController; runTests(items?: vscode.TestItem[]): Promise<TestOutcome[]>; testRuns(): TestRunRecord[]; picking(): boolean };
  runs: { entries(): Promise<RunEntry[]>; picking(): string | undefined; exportDataset(run: string, req: ExportRequest): Promise<ExportOutcome | undefined>; rescore(run: string, req: RescoreRequest): Promise<string | undefined> };
  /** The backend whose key an input box is asking for, if one is open. */
  keys: { asking(): string | undefined };
  lastRefusal(): string | undefined;
}

export function registerFeatures(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): FeaturesApi {
  const keys = new Keys(context.secrets);
  const status = new RolesStatus();
  const preview = new PreviewPanel(context, keys, log);
  const hints = new PreviewHints();
  const findScenarioFile = async (id: string) => {
    const root = rootFor();
    return root ? (await loadWorkspace(root)).scenarios.get(id)?.file : undefined;
  };
  const results = new ResultsPanel(context, preview, findScenarioFile);
  const evals = new Evals(keys, results, log);
  const runs = new RunsView(results, evals, keys, log);
  const selector = LANGUAGE_IDS.map((language) => ({ language }));

  context.subscriptions.push(
    status, preview, hints, results, evals, runs,
    vscode.commands.registerCommand('userlm.showOutput', () => log.show()),
    vscode.commands.registerCommand('userlm.selectBackends', selectBackends),
    vscode.commands.registerCommand('userlm.setApiKey', (backendId?: string, key?: string) => keysUi.setApiKey(keys, backendId, key)),
    vscode.commands.registerCommand('userlm.deleteApiKey', (backendId?: string) => keysUi.deleteApiKey(keys, backendId)),
    vscode.commands.registerCommand('userlm.testBackend', (backendId?: string) => keysUi.testBackend(keys, log, backendId)),
    registerPreviewSerializer(preview),
    registerResultsSerializer(results),
    preview.onDidFinish(({ file, transcript }) => hints.set(file, transcript)),
    vscode.languages.registerCodeLensProvider(selector, new ScenarioLenses()),
    vscode.languages.registerInlayHintsProvider({ language: SCENARIO_LANGUAGE }, hints),
    vscode.commands.registerCommand('userlm.preview', async (uri?: vscode.Uri) => { const u = await scenarioUri(uri); if (u) await preview.start({ uri: u }); }),
    vscode.commands.registerCommand('userlm.previewAdversarial', async (uri?: vscode.Uri) => { const u = await scenarioUri(uri); if (u) await preview.start({ uri: u, agent: 'adversarial' }); }),
    vscode.commands.registerCommand('userlm.previewWith', async (uri?: vscode.Uri) => previewWith(preview, uri)),
    vscode.commands.registerCommand('userlm.stopPreview', () => preview.stop()),
    vscode.commands.registerCommand('userlm.runSuite', (uri?: vscode.Uri) => evals.runSuite(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('userlm.cancelEval', () => evals.cancel()),
  );

  return {
    preview: {
      start: (req) => preview.start(req),
      whenDone: () => preview.whenDone(),
      probe: () => preview.probe(),
      show: (t, info) => preview.show(t, info),
      lastRenderMs: () => preview.lastRenderMs(),
      scroll: (to) => preview.scroll(to),
      click: (selector) => preview.click(selector),
      reply: (text) => preview.reply(text),
      stop: () => preview.stop(),
      hints: (doc) => hints.hintsFor(doc),
    },
    results: { probe: () => results.probe(), openDialogue: (runDir, id) => results.openDialogue(runDir, id) },
    evals: { cancel: () => evals.cancel(), running: () => evals.running, progressLog: () => [...evals.progressLog], last: () => evals.last, discover: () => evals.discover(), controller: evals.controller, runTests: (items) => evals.runTestItems(items), testRuns: () => [...evals.testRuns], picking: () => evals.picking },
    runs: { entries: async () => { const root = rootFor(); return root ? findRuns(root) : []; }, picking: () => runs.picking, exportDataset: (run, req) => runs.exportDataset(run, req), rescore: (run, req) => runs.rescore(run, req) },
    keys: { asking: () => keysUi.askingFor },
    lastRefusal: () => lastRefusal,
  };
}

/** The scenario to preview: the argument, the active editor's scenario, or a quick pick. */
async function scenarioUri(uri?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (uri instanceof vscode.Uri) return uri;
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === SCENARIO_LANGUAGE) return active.uri;
  const files = await vscode.workspace.findFiles('**/*.{scenario.yaml,scenario.yml}', '**/{node_modules,.userlm}/**');
  if (!files.length) { void vscode.window.showInformationMessage('UserLM: no *.scenario.yaml files in this workspace.'); return undefined; }
  return (await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { title: 'Preview which scenario?' }))?.uri;
}

/** Quick picks for simulator, agent and seed, then a preview. */
async function previewWith(preview: PreviewPanel, uri?: vscode.Uri): Promise<void> {
  const u = await scenarioUri(uri);
  if (!u) return;
  const root = rootFor(u);
  const simulator = await vscode.window.showQuickPick(roleChoices(root, 'simulator'), { title: 'Preview: simulator' });
  if (!simulator) return;
  const agent = await vscode.window.showQuickPick(['scenario default', ...roleChoices(root, 'agent')], { title: 'Preview: agent' });
  if (!agent) return;
  const seedText = await vscode.window.showInputBox({ title: 'Preview: seed', value: String(vscode.workspace.getConfiguration('userlm').get<number>('preview.seed', 0)), validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'a whole number') });
  if (seedText === undefined) return;
  await preview.start({ uri: u, simulator, agent: agent === 'scenario default' ? undefined : agent, seed: Number(seedText) });
}

