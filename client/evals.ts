// Eval runs: "Run Eval Suite…" (palette, CodeLens, editor title, Test Explorer), a progress
// notification with counts and ETA that cancels cleanly, the results panel, and test items
// (suites → scenarios → dialogues; a failed threshold is a failed test at the scenario).
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { loadWorkspace, loadYamlFile, type Suite, type Transcript } from '../core/index';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { readTranscripts, resolveSuite, type Progress, type ResolvedSuite, type Summary } from './engine';
import type { EvalWorkerData, FromEvalWorker, ToEvalWorker } from './protocol';
import { locateScenarioIds } from './locate';
import { breakdown, loadRunResults, passes, readRunJson, totalText, type ResultsPanel } from './results';
import type { Keys } from './secrets';
import { ensureKeys } from './keysUi';
import { requireFiles, requireTrust } from './trust';
import { readWorkspaceConfig, rootFor, saveUserlmFiles } from './workspace';

export interface EvalOutcome { runDir: string; summary: unknown; cancelled: boolean; transcripts: Transcript[]; suite: Suite; suiteFile: string }

export interface TestOutcome { id: string; state: 'passed' | 'failed' | 'skipped'; message?: string; line?: number; output?: string }

/** Where an eval run was started (every start shows as one test run in the Test Explorer). */
export type RunOrigin = 'palette' | 'editor' | 'testExplorer' | 'runsView';

/** One test run of the Test Explorer, as this extension reported it (for the tests and the API). */
export interface TestRunRecord { name: string; origin: RunOrigin; suiteId: string; runDir?: string; outcomes: TestOutcome[]; ended: boolean }

export function formatProgress(p: Progress): string {
  const eta = p.etaSeconds === null || !Number.isFinite(p.etaSeconds) || p.etaSeconds <= 0 ? '' : p.etaSeconds < 90 ? ` · ETA ${Math.round(p.etaSeconds)} s` : ` · ETA ${Math.round(p.etaSeconds / 60)} min`;
  return `${p.done}/${p.total} dialogues · ${p.failed} failed · ${p.inFlight} running · ${p.ratePerMin.toFixed(0)}/min${eta}`;
}

export class Evals implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('userlm.evals', 'UserLM Evals');
  private readonly subs: vscode.Disposable[] = [];
  private current: AbortController | undefined;
  /** Every progress line shown, for the tests and the log. */
  readonly progressLog: string[] = [];
  last: EvalOutcome | undefined;
  private readonly finished = new vscode.EventEmitter<EvalOutcome>();
  readonly onDidFinish = this.finished.event;

  constructor(private readonly keys: Keys, private readonly results: ResultsPanel, private readonly log: vscode.LogOutputChannel) {
    this.controller.resolveHandler = async (item) => { if (!item) await this.discover(); };
    this.controller.refreshHandler = async () => { await this.discover(); };
    this.controller.createRunProfile('Run eval suite', vscode.TestRunProfileKind.Run, (req, token) => this.runTests(req, token), true);
    const w = vscode.workspace.createFileSystemWatcher('**/*.{suite,scenario}.{yaml,yml}');
    this.subs.push(this.controller, w, w.onDidChange(() => this.discover()), w.onDidCreate(() => this.discover()), w.onDidDelete(() => this.discover()), this.finished);
  }

  // ---------- Test Explorer ----------

  /** Suites → scenarios as test items (dialogues are added as they run). */
  async discover(): Promise<void> {
    const root = rootFor();
    if (!root) return;
    const ws = await loadWorkspace(root);
    const suites: vscode.TestItem[] = [];
    for (const { value: suite, file } of ws.suites.values()) {
      const item = this.controller.items.get(file) ?? this.controller.createTestItem(file, suite.title ?? suite.id, vscode.Uri.file(file));
      item.label = suite.title ?? suite.id;
      item.description = suite.id;
      item.range = new vscode.Range(0, 0, 0, 0);
      const children: vscode.TestItem[] = [];
      let scenarios: ScenarioRef[];
      item.error = undefined;
      try { scenarios = scenariosOf(await resolveSuite(root, file, ws)); } catch (e) { item.error = (e as Error).message; scenarios = []; }
      for (const s of scenarios) {
        const id = `${file}#${s.id}`;
        const child = item.children.get(id) ?? this.controller.createTestItem(id, s.title ?? s.id, vscode.Uri.file(s.file));
        child.description = s.split ?? 'standard';
        child.range = scenarioRange(s.file);
        children.push(child);
      }
      item.children.replace(children);
      suites.push(item);
    }
    this.controller.items.replace(suites);
  }

  /** Runs test items as the Test Explorer would; returns each item's outcome (for tests and the API). */
  async runTestItems(items?: vscode.TestItem[]): Promise<TestOutcome[]> {
    const cts = new vscode.CancellationTokenSource();
    const before = this.testRuns.length;
    try { await this.runTests(new vscode.TestRunRequest(items), cts.token); } finally { cts.dispose(); }
    return this.testRuns.slice(before).flatMap((r) => r.outcomes);
  }

  /** Every test run reported to the Test Explorer in this session, oldest first. */
  readonly testRuns: TestRunRecord[] = [];
  private readonly records = new Map<vscode.TestRun, TestRunRecord>();

  private mark(run: vscode.TestRun, item: vscode.TestItem, state: TestOutcome['state'], message?: vscode.TestMessage | vscode.TestMessage[], ms?: number, output?: string): void {
    const msgs = message ? (Array.isArray(message) ? message : [message]) : [];
    if (output) run.appendOutput(`${output.replace(/\r?\n/g, '\r\n')}\r\n`, item.uri && item.range ? new vscode.Location(item.uri, item.range) : undefined, item);
    this.records.get(run)?.outcomes.push({ id: item.id, state, message: msgs.map((m) => String(m.message)).join('\n') || undefined, line: msgs[0]?.location?.range.start.line, output });
    if (state === 'passed') run.passed(item, ms);
    else if (state === 'failed') run.failed(item, msgs, ms);
    else run.skipped(item);
  }

  /** Opens a test run in the Test Explorer for a suite (one per eval run, wherever it started). */
  private beginTestRun(suiteItem: vscode.TestItem, suiteId: string, origin: RunOrigin, request?: vscode.TestRunRequest): vscode.TestRun {
    const name = `${suiteId} (${ORIGIN_LABEL[origin]})`;
    const run = this.controller.createTestRun(request ?? new vscode.TestRunRequest([suiteItem]), name, true);
    const record: TestRunRecord = { name, origin, suiteId, outcomes: [], ended: false };
    this.records.set(run, record);
    this.testRuns.push(record);
    suiteItem.children.forEach((c) => run.started(c));
    return run;
  }

  private endTestRun(run: vscode.TestRun): void {
    const record = this.records.get(run);
    if (record) record.ended = true;
    this.records.delete(run);
    run.end();
  }

  private async runTests(req: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    await this.discover();
    const suiteItems = new Map<string, vscode.TestItem>();
    const add = (i: vscode.TestItem) => { const s = i.parent?.parent ?? i.parent ?? i; suiteItems.set(s.id, s); };
    if (req.include) req.include.forEach(add); else this.controller.items.forEach(add);
    for (const ex of req.exclude ?? []) suiteItems.delete(ex.id);
    for (const suiteItem of suiteItems.values()) {
      if (token.isCancellationRequested) break;
      const before = this.testRuns.length;
      await this.runSuite(vscode.Uri.file(suiteItem.id), { token, quiet: true, origin: 'testExplorer', request: req });
      if (this.testRuns.length === before) {
        // refused before it started (trust, keys, another run): the request still gets its answer
        const run = this.beginTestRun(suiteItem, suiteItem.description ?? suiteItem.label, 'testExplorer', req);
        suiteItem.children.forEach((c) => this.mark(run, c, 'skipped'));
        this.endTestRun(run);
      }
    }
  }

  /** The suite's test item (discovering the workspace's suites when it is not known yet). */
  private async suiteItem(file: string): Promise<vscode.TestItem | undefined> {
    if (!this.controller.items.get(file)) await this.discover().catch((e: unknown) => this.log.warn(`test discovery failed: ${(e as Error).message}`));
    return this.controller.items.get(file);
  }

  private report(run: vscode.TestRun, suiteItem: vscode.TestItem, o: EvalOutcome): void {
    const thresholds = (o.suite.thresholds ?? {}) as Record<string, number>;
    const spec = readRunJson(o.runDir).rewards;
    const record = this.records.get(run);
    if (record) record.runDir = o.runDir;
    run.appendOutput(`Eval ${o.suite.id}${o.cancelled ? ' (cancelled)' : ''}: ${o.transcripts.length} dialogues in ${o.runDir}\r\n`);
    suiteItem.children.forEach((scenarioItem) => {
      const scenarioId = scenarioItem.id.slice(scenarioItem.id.lastIndexOf('#') + 1);
      const ts = o.transcripts.filter((t) => t.scenario_id === scenarioId);
      if (!ts.length) { this.mark(run, scenarioItem, 'skipped'); return; }
      const dialogueItems = ts.map((t) => {
        const d = scenarioItem.children.get(`${scenarioItem.id}/${t.dialogue_id}`) ?? this.controller.createTestItem(`${scenarioItem.id}/${t.dialogue_id}`, t.dialogue_id, scenarioItem.uri);
        d.range = scenarioItem.range;
        d.description = `${totalText(t)} · seed ${t.seed} · ${t.end.reason}`;
        return d;
      });
      scenarioItem.children.replace(dialogueItems);
      const failures: vscode.TestMessage[] = [];
      ts.forEach((t, k) => {
        const item = dialogueItems[k];
        const output = breakdown(t, thresholds, spec);
        if (passes(t, thresholds)) this.mark(run, item, 'passed', undefined, sumLatency(t), output);
        else {
          const msg = new vscode.TestMessage(output);
          if (scenarioItem.uri && scenarioItem.range) msg.location = new vscode.Location(scenarioItem.uri, scenarioItem.range);
          this.mark(run, item, 'failed', msg, sumLatency(t), output);
          failures.push(msg);
        }
      });
      this.mark(run, scenarioItem, failures.length ? 'failed' : 'passed', failures.length ? failures : undefined, undefined, `${scenarioId}: ${ts.length - failures.length}/${ts.length} dialogues passed`);
    });
  }

  // ---------- running a suite ----------

  /** The suite quick pick is open (the tests answer it as a user would). */
  picking = false;

  async pickSuite(): Promise<vscode.Uri | undefined> {
    const files = await vscode.workspace.findFiles('**/*.{suite.yaml,suite.yml}', '**/{node_modules,.userlm}/**');
    if (!files.length) { void vscode.window.showInformationMessage('UserLM: no *.suite.yaml files in this workspace.'); return undefined; }
    const items = files.map((uri) => {
      let id = '';
      try { id = String((loadYamlFile(uri.fsPath).value as Suite)?.id ?? ''); } catch { /* shown by diagnostics */ }
      return { label: id || vscode.workspace.asRelativePath(uri), description: vscode.workspace.asRelativePath(uri), uri };
    });
    // the suite open in the editor comes first
    const active = vscode.window.activeTextEditor?.document.uri.fsPath;
    items.sort((a, b) => Number(b.uri.fsPath === active) - Number(a.uri.fsPath === active) || a.description.localeCompare(b.description));
    this.picking = true;
    try {
      return (await vscode.window.showQuickPick(items, { title: 'Run Eval Suite', placeHolder: 'Which suite?' }))?.uri;
    } finally {
      this.picking = false;
    }
  }

  /** Runs a suite with a progress notification; `resumeDir` continues a run. Undefined when refused or failed. */
  async runSuite(uri: vscode.Uri | undefined, opts: { token?: vscode.CancellationToken; resumeDir?: string; quiet?: boolean; origin?: RunOrigin; request?: vscode.TestRunRequest } = {}): Promise<EvalOutcome | undefined> {
    if (!requireTrust('Running an eval suite') || !requireFiles('Running an eval suite')) return undefined;
    const suiteUri = uri ?? (await this.pickSuite());
    if (!suiteUri) return undefined;
    const root = rootFor(suiteUri);
    if (!root) return undefined;
    await saveUserlmFiles();
    let suite: Suite;
    try {
      suite = loadYamlFile(suiteUri.fsPath).value as Suite;
      if (!suite?.id) throw new Error('the file has no suite id');
    } catch (e) {
      void vscode.window.showErrorMessage(`UserLM: cannot run ${vscode.workspace.asRelativePath(suiteUri)}: ${(e as Error).message}`);
      return undefined;
    }
    if (this.current) { void vscode.window.showWarningMessage('UserLM: an eval run is already in progress.'); return undefined; }
    const abort = new AbortController();
    this.current = abort;
    const config = readWorkspaceConfig(root);
    if (!(await ensureKeys(this.keys, config, [suite.simulator ?? config?.defaults?.simulator, suite.agent, suite.judge]))) { this.current = undefined; return undefined; }
    const secrets = await this.keys.snapshot(config);
    const concurrency = vscode.workspace.getConfiguration('userlm').get<number>('eval.concurrency', 0) || undefined;
    this.progressLog.length = 0;
    const title = `${opts.resumeDir ? 'Resuming' : 'Eval'} ${suite.id}`;
    const suiteItem = await this.suiteItem(suiteUri.fsPath);
    const testRun = suiteItem ? this.beginTestRun(suiteItem, suite.id, opts.origin ?? (uri ? 'editor' : 'palette'), opts.request) : undefined;
    try {
      const res = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        opts.token?.onCancellationRequested(() => abort.abort());
        let shown = 0;
        progress.report({ message: 'starting…' });
        return runSuiteInWorker({ root, suiteFile: suiteUri.fsPath, concurrency, resumeDir: opts.resumeDir, secrets }, abort.signal, (p: Progress) => {
            const line = formatProgress(p);
            this.progressLog.push(line);
            const pct = p.total ? (p.done / p.total) * 100 : 0;
            progress.report({ message: line, increment: Math.max(0, pct - shown) });
            shown = Math.max(shown, pct);
        });
      });
      const transcripts = await readTranscripts(res.runDir);
      const outcome: EvalOutcome = { ...res, cancelled: abort.signal.aborted, transcripts, suite, suiteFile: suiteUri.fsPath };
      this.last = outcome;
      this.log.info(`eval ${suite.id}: ${outcome.cancelled ? 'cancelled' : 'done'}, ${transcripts.length} dialogues in ${relative(root, res.runDir)}`);
      if (testRun && suiteItem) this.report(testRun, suiteItem, outcome);
      this.finished.fire(outcome);
      if (!opts.quiet || !outcome.cancelled) await this.results.show(await loadRunResults(res.runDir));
      if (outcome.cancelled) void vscode.window.showInformationMessage(`UserLM: eval ${suite.id} cancelled after ${transcripts.length} dialogues; resume it from the Runs view.`);
      return outcome;
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      this.log.error(`eval ${suite.id} failed: ${msg}`);
      void vscode.window.showErrorMessage(`UserLM eval ${suite.id} failed: ${msg}`);
      if (testRun && suiteItem) suiteItem.children.forEach((c) => this.mark(testRun, c, 'failed', new vscode.TestMessage(`the eval run failed: ${msg}`)));
      return undefined;
    } finally {
      this.current = undefined;
      if (testRun) this.endTestRun(testRun);
    }
  }

  /** Cancels the run in progress (what the notification's Cancel button does). */
  cancel(): boolean {
    if (!this.current) return false;
    this.current.abort();
    return true;
  }

  get running(): boolean { return !!this.current; }

  dispose(): void { this.cancel(); for (const s of this.subs) s.dispose(); }
}

/** Runs a suite in a worker thread (client/eval-worker.ts); `signal` cancels it cleanly. */
export function runSuiteInWorker(opts: Omit<EvalWorkerData, 'cancelFlag'>, signal: AbortSignal, onProgress: (p: Progress) => void): Promise<{ runDir: string; summary: Summary }> {
  const cancelFlag = new SharedArrayBuffer(4);
  const worker = new Worker(join(__dirname, 'eval-worker.js'), { workerData: { ...opts, cancelFlag } satisfies EvalWorkerData });
  const cancel = () => { Atomics.store(new Int32Array(cancelFlag), 0, 1); worker.postMessage({ type: 'cancel' } satisfies ToEvalWorker); };
  if (signal.aborted) cancel(); else signal.addEventListener('abort', cancel, { once: true });
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: FromEvalWorker) => {
      if (m.type === 'progress') onProgress(m.progress);
      else if (m.type === 'done') { settled = true; resolve({ runDir: m.runDir, summary: m.summary }); }
      else { settled = true; reject(new Error(m.message)); }
    });
    worker.on('error', (e) => { settled = true; reject(e); });
    worker.on('exit', (code) => { signal.removeEventListener('abort', cancel); if (!settled) reject(new Error(`the eval worker exited (code ${code}) before the run finished`)); });
  });
}

const ORIGIN_LABEL: Record<RunOrigin, string> = { palette: 'command palette', editor: 'CodeLens or editor', testExplorer: 'Test Explorer', runsView: 'Runs view' };

function sumLatency(t: Transcript): number {
  return t.turns.reduce((a, x) => a + (x.latency_ms ?? 0), 0);
}

interface ScenarioRef { id: string; title?: string; split?: string; file: string }

/** The scenarios a suite runs, in order (resolved by the engine, as a run would). */
function scenariosOf(r: ResolvedSuite): ScenarioRef[] {
  const out = new Map<string, ScenarioRef>();
  for (const d of r.dialogues) if (!out.has(d.scenario.id)) out.set(d.scenario.id, { id: d.scenario.id, title: d.scenario.title, split: d.scenario.split, file: d.scenarioFile });
  return [...out.values()];
}

function scenarioRange(file: string): vscode.Range {
  try {
    const text = readFileSync(file, 'utf8');
    const m = /^id:/m.exec(text);
    const line = m ? text.slice(0, m.index).split('\n').length - 1 : locateScenarioIds(text, file).top;
    return new vscode.Range(line, 0, line, 0);
  } catch {
    return new vscode.Range(0, 0, 0, 0);
  }
}
