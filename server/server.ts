// The language server: LSP handlers over core's document model and workspace index.
// Per file, one analysis (parse + schema + local checks + symbols) is kept; cross-file checks
// are recomputed from the index, so an edit re-parses only the edited file.
//
// Every request is bounded: positions are clamped, the features stop at a time budget and
// answer with what they have, waits for the workspace scan are capped and cancellable, and
// files too big to analyze between two keystrokes are analyzed on a worker thread while
// requests are answered from their last analysis.
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, sep } from 'node:path';
import {
  type Connection, TextDocuments, TextDocumentSyncKind, FileChangeType, CompletionTriggerKind,
  type Diagnostic, type InitializeParams, type InitializeResult, type CancellationToken, type ClientCapabilities,
  DidChangeWatchedFilesNotification, ResponseError, ErrorCodes,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { FSWatcher } from 'chokidar';
import { analyzeText, problemsOf, problemSteps, type Analysis, type Problem } from '../core/validate/index';
import { runSteps, runStepsYielding, STEP_ITEMS, type Steps } from '../core/model/steps';
import { WorkspaceIndex } from '../core/model/workspace-index';
import { LineIndex, NeedsSlowPath } from '../core/model/document';
import { findWorkspaceFiles, nearestWorkspace } from '../core/model/load';
import { LANGUAGE_IDS, FILE_GLOB, IGNORED_DIR_NAMES, fileNameFor, kindFromPath, isOwnedFile } from '../core/files';
import * as features from '../core/language/features';
import { Budget } from '../core/language/budget';
import { toDiagnostic, cachedDiagnostic } from './diagnostics';
import { IndexedNotification } from './lsp-ext';
import { AnalysisWorker, Superseded } from './worker';

export { toDiagnostic };

/**
 * Debounce after an edit before re-validating, in ms (measured by the benchmark as part of
 * time-to-diagnostics). Only for files whose last analysis took longer than this: waiting
 * longer than the work it might save would only delay the diagnostics.
 */
export const DEBOUNCE_MS = 10;
/** How long one request may compute before it answers with what it has. */
export const REQUEST_BUDGET_MS = 300;
/** How long a request that needs the workspace index waits for the scan before answering from what is indexed. */
export const INDEX_WAIT_MS = 5000;
/** Texts longer than this (characters) are analyzed on the worker thread. */
export const WORKER_THRESHOLD = 1_000_000;
/**
 * Texts longer than this that the fast parser cannot read go to the worker too: the `yaml`
 * library can take seconds even on a few KB (deep nesting under an alias bomb), so every such
 * text does, and requests never wait on it.
 */
export const SYNC_SLOW_LIMIT = 0;
const TIMING = !!process.env.USERLM_TRACE_TIMING;
/** Files with more ids and references than this get their cross-file problems computed a slice at a time. */
const GRADUAL_ITEMS = STEP_ITEMS * 4;

export function uriToPath(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}
export function pathToUri(path: string): string {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) ? pathToFileURL(path).href : path;
}

interface OpenFile {
  version: number;
  analysis?: Analysis;
  /** Cancels the queued analysis, if any. */
  pending?: () => void;
  /** How long the last analysis of this file took here, in ms. */
  cost?: number;
  problems?: Problem[];
  inWorker?: number;
  /** A version the fast parser could not read and that is too big for the slow path here. */
  slowVersion?: number;
  /** Line index of the current text when the analysis is older (huge files). */
  lines?: { version: number; index: LineIndex };
}

/** What the client said it can do, read once at initialize. */
interface ClientSupport {
  snippets: boolean;
  markdownCompletion: boolean;
  markdownHover: boolean;
  hierarchicalSymbols: boolean;
  relatedInformation: boolean;
  watchRegistration: boolean;
  folderEvents: boolean;
}

function support(c: ClientCapabilities): ClientSupport {
  const td = c.textDocument;
  return {
    snippets: !!td?.completion?.completionItem?.snippetSupport,
    markdownCompletion: !!td?.completion?.completionItem?.documentationFormat?.includes('markdown'),
    markdownHover: !!td?.hover?.contentFormat?.includes('markdown'),
    hierarchicalSymbols: !!td?.documentSymbol?.hierarchicalDocumentSymbolSupport,
    relatedInformation: !!td?.publishDiagnostics?.relatedInformation,
    watchRegistration: !!c.workspace?.didChangeWatchedFiles?.dynamicRegistration,
    folderEvents: !!c.workspace?.workspaceFolders,
  };
}

const under = (file: string, root: string) => file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

export function startServer(connection: Connection, script?: string): void {
  // Two threads: huge files (seconds each) never hold up the quick slow-path jobs of small ones.
  const workers = script ? { huge: new AnalysisWorker(script), other: new AnalysisWorker(script) } : undefined;
  const worker = workers && { analyze: (text: string, file: string, lines?: LineIndex) => (text.length > WORKER_THRESHOLD ? workers.huge : workers.other).analyze(text, file, lines) };
  const documents = new TextDocuments(TextDocument);
  const index = new WorkspaceIndex();
  const open = new Map<string, OpenFile>();
  let client: ClientSupport = support({});
  /** Folders scanned (or being scanned), each with its scan. A folder covers every file below it. */
  const scans = new Map<string, Promise<void>>();
  /** Resolves when the folders the editor started with are scanned. */
  let firstScan: Promise<void> = Promise.resolve();
  const watchers = new Map<string, FSWatcher>();
  let shuttingDown = false;

  const isOurs = (doc: TextDocument): boolean => {
    if (LANGUAGE_IDS.includes(doc.languageId)) return true;
    // Editors send their own names: `yaml`, Neovim's compound `yaml.userlm`, plain text.
    if (doc.languageId !== 'yaml' && !doc.languageId.startsWith('yaml.') && doc.languageId !== 'plaintext') return false;
    if (isOwnedFile(uriToPath(doc.uri))) return true;
    // Any other YAML is ours only when it says so: `kind:` with one of our kinds, or our schema modeline.
    const head = doc.getText().slice(0, 4096);
    return /^kind\s*:\s*["']?(profile|profiles|scenario|suite|rewards|workspace)["']?\s*(#.*)?$/m.test(head) || /yaml-language-server:\s*\$schema=\S*\b(profiles?|scenario|suite|rewards|workspace)\.schema\.json/.test(head);
  };

  /** The scanned folder covering a file, if any. */
  const scanOf = (file: string): string | undefined => {
    let best: string | undefined;
    for (const r of scans.keys()) if (under(file, r) && (!best || r.length > best.length)) best = r;
    return best;
  };

  /** Where new workspace files go: the folder of the nearest indexed userlm.yaml, else the scanned folder, else the file's folder. */
  const rootFor = (file: string): string | undefined => {
    const scope = index.scopeOf(file);
    if (scope && under(file, scope)) return scope;
    return scanOf(file) ?? (file.startsWith('/') ? dirname(file) : undefined);
  };

  /** Whether cross-file checks apply: the file lies in a scanned workspace (else it is checked alone). */
  const inWorkspace = (file: string) => scanOf(file) !== undefined;

  const textLines = (doc: TextDocument, entry: OpenFile): LineIndex => {
    if (entry.analysis && entry.version === doc.version) return entry.analysis.parsed.lines;
    if (entry.lines?.version !== doc.version) entry.lines = { version: doc.version, index: new LineIndex(doc.getText()) };
    return entry.lines.index;
  };

  /** Whether this version of the file is analyzed on the worker thread (huge, or big and beyond the fast parser). */
  const needsWorker = (doc: TextDocument, entry: OpenFile): boolean =>
    !!worker && (doc.getText().length > WORKER_THRESHOLD || entry.slowVersion === doc.version);

  /** The current analysis, or for a huge file whose analysis is running, the last one over the current text. */
  const analyze = (doc: TextDocument): Analysis => {
    const file = uriToPath(doc.uri);
    const entry = open.get(doc.uri) ?? { version: -1 };
    if (entry.analysis && entry.version === doc.version) return entry.analysis;
    const stale = (): Analysis => {
      const text = doc.getText();
      const lines = textLines(doc, entry);
      const last = entry.analysis;
      return last ? { ...last, parsed: { ...last.parsed, text, lines, root: null } } : stubAnalysis(file, text, lines);
    };
    if (needsWorker(doc, entry)) return stale();
    const t0 = performance.now();
    // The previous analysis is handed over (its tree is reused for edits inside one value).
    const previous = entry.analysis && entry.analysis.parsed.root ? entry.analysis : undefined;
    if (previous) entry.analysis = undefined;
    let a: Analysis;
    try {
      // A big text is analyzed here only when the fast parser reads it; else on the worker.
      a = analyzeText(doc.getText(), file, previous, { fastOnly: !!worker && doc.getText().length > SYNC_SLOW_LIMIT && !!doc.getText().trim() });
    } catch (e) {
      if (!(e instanceof NeedsSlowPath)) throw e;
      entry.analysis = previous;
      entry.slowVersion = doc.version;
      entry.cost = undefined;
      open.set(doc.uri, entry);
      return stale();
    }
    const t1 = performance.now();
    entry.cost = t1 - t0;
    adopt(doc, entry, a);
    if (TIMING) process.stderr.write(`timing: analyze ${(t1 - t0).toFixed(1)} ms, index ${(performance.now() - t1).toFixed(1)} ms\n`);
    return a;
  };

  /** Keeps a new analysis of an open file; the returned function, called once the index has its ids, re-checks the files that use them when the ids changed. */
  const keep = (doc: TextDocument, entry: OpenFile, a: Analysis): (() => Analysis) => {
    const before = index.get(a.file);
    entry.analysis = a;
    entry.version = doc.version;
    entry.lines = undefined;
    open.set(doc.uri, entry);
    const generation = index.generation;
    return () => {
      if (index.generation !== generation && !sameDefs(before?.defs, a.symbols.defs)) revalidateOthers(doc.uri);
      return a;
    };
  };

  const adopt = (doc: TextDocument, entry: OpenFile, a: Analysis): Analysis => {
    const t0 = TIMING ? performance.now() : 0;
    const settle = keep(doc, entry, a);
    index.update(a.symbols);
    if (TIMING) process.stderr.write(`timing: index update ${(performance.now() - t0).toFixed(1)} ms (${a.symbols.defs.length} defs)\n`);
    return settle();
  };

  /** The same for a file whose analysis came from the worker: the index takes its ids a slice at a time. */
  const adoptGradually = async (doc: TextDocument, entry: OpenFile, a: Analysis): Promise<Analysis> => {
    const settle = keep(doc, entry, a);
    await runStepsYielding(index.updateSteps(a.symbols));
    return settle();
  };

  /** The index a file is checked against: before its workspace is scanned, none (no false "no profile …"). */
  const indexFor = (file: string): WorkspaceIndex | undefined => {
    const scope = scanOf(file);
    return scope !== undefined && !scanning.has(scope) ? index : undefined;
  };

  /** Publishes a file's problems; those of a file with thousands of ids are computed a slice at a time. */
  const send = (doc: TextDocument, a: Analysis): Promise<void> | undefined => {
    const t0 = TIMING ? performance.now() : 0;
    const steps = problemSteps(a, indexFor(a.file));
    if (a.symbols.defs.length + a.symbols.refs.length > GRADUAL_ITEMS) {
      const version = doc.version;
      return runStepsYielding(steps).then((problems) => {
        const cur = documents.get(doc.uri);
        if (cur && cur.version === version) safely(() => deliver(cur, problems));
      }, logError);
    }
    const problems = runSteps(steps);
    if (TIMING) process.stderr.write(`timing: problemsOf ${(performance.now() - t0).toFixed(1)} ms\n`);
    deliver(doc, problems);
    return undefined;
  };

  const deliver = (doc: TextDocument, problems: Problem[]) => {
    const entry = open.get(doc.uri);
    if (!entry) return;
    entry.problems = problems;
    const diagnostics: Diagnostic[] = problems.map((p) => cachedDiagnostic(p, client.relatedInformation, pathToUri));
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    if (TIMING) process.stderr.write(`timing: sent v${doc.version} at ${Date.now() % 100000}\n`);
  };

  const publish = (doc: TextDocument) => {
    const entry = open.get(doc.uri);
    if (!entry) return;
    // Analyze here when it is cheap enough (this also finds out when the fast parser cannot read a big text).
    const a = analyze(doc);
    if (entry.analysis === a && entry.version === doc.version) { send(doc, a); return; }
    if (worker && needsWorker(doc, entry)) {
      if (entry.inWorker === doc.version) return;
      entry.inWorker = doc.version;
      const version = doc.version;
      worker.analyze(doc.getText(), uriToPath(doc.uri), textLines(doc, entry)).then((a) => {
        const cur = documents.get(doc.uri);
        const e = open.get(doc.uri);
        if (!cur || !e || cur.version !== version) return; // superseded or closed
        return adoptGradually(cur, e, a).then(() => {
          const now = documents.get(doc.uri);
          if (now && now.version === version && open.get(doc.uri) === e) return safely(() => send(now, a));
        }).catch(logError);
      }, (err: Error) => {
        if (err instanceof Superseded) return;
        // Never retried here: what broke the worker (memory, a runaway parse) would block every file.
        connection.console.warn(`userlm: analysis worker failed on ${doc.uri} (${err.message})`);
        const cur = documents.get(doc.uri);
        const e = open.get(doc.uri);
        if (!cur || !e || cur.version !== version) return;
        const stub = stubAnalysis(uriToPath(cur.uri), cur.getText(), new LineIndex(cur.getText()));
        stub.local.push({ file: stub.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'warning', code: 'too-complex',
          message: `this file is too large or complex to check (${err.message}); split it into smaller files` });
        safely(() => send(cur, adopt(cur, e, stub)));
      });
    }
  };

  let othersTimer: NodeJS.Timeout | undefined;
  const revalidateOthers = (except?: string) => {
    if (othersTimer) clearTimeout(othersTimer);
    othersTimer = setTimeout(() => {
      othersTimer = undefined;
      for (const d of documents.all()) if (d.uri !== except && open.has(d.uri)) safely(() => publish(d));
    }, DEBOUNCE_MS);
  };

  /** Queues the analysis of a file: after `delay` ms, or with no delay as soon as the messages already read are handled. */
  const schedule = (doc: TextDocument, delay: number) => {
    const entry = open.get(doc.uri) ?? { version: -1 };
    open.set(doc.uri, entry);
    entry.pending?.();
    const run = () => {
      entry.pending = undefined;
      const cur = documents.get(doc.uri);
      if (cur) safely(() => publish(cur));
    };
    if (delay > 0) {
      const t = setTimeout(run, delay);
      entry.pending = () => clearTimeout(t);
    } else {
      const t = setImmediate(run);
      entry.pending = () => clearImmediate(t);
    }
  };

  const logError = (e: unknown) => connection.console.error(`userlm language server: ${(e as Error)?.stack ?? String(e)}`);
  const safely = <T>(fn: () => T, fallback?: T): T => {
    try { return fn(); } catch (e) {
      logError(e);
      return fallback as T;
    }
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : params.rootPath ? [pathToUri(params.rootPath)] : []);
    startFolders = folders.filter((u) => u.startsWith('file:')).map(uriToPath);
    client = support(params.capabilities);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        // `:` starts a value, `-` a list item, `[`/`{`/`,` a flow item: places where a list helps. No space: prose fields would pop a list on every word.
        completionProvider: { triggerCharacters: [':', '-', '[', '{', ','], resolveProvider: false },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: { label: 'UserLM' },
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'userlm-language-server', version: '0.1.0' },
    };
  });
  let startFolders: string[] = [];

  connection.onInitialized(() => {
    if (client.watchRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: FILE_GLOB }] });
    }
    // A folder inside a workspace (an editor started in `scenarios/`) stands for the whole workspace.
    const roots = [...new Set(startFolders.map((f) => nearestWorkspace(f, existsSync) ?? f))];
    index.root = roots[0];
    firstScan = Promise.all(roots.map((r) => scan(r, true))).then(() => undefined);
    if (client.folderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const f of e.removed.map((x) => uriToPath(x.uri))) {
          scans.delete(f);
          void watchers.get(f)?.close();
          watchers.delete(f);
          for (const p of index.filePaths()) if (under(p, f) && !scanOf(p) && !open.has(pathToUri(p))) index.remove(p);
        }
        for (const u of e.added.map((f) => f.uri).filter((x) => x.startsWith('file:'))) void scan(nearestWorkspace(uriToPath(u), existsSync) ?? uriToPath(u), false);
        if (!index.root) index.root = [...scans.keys()][0];
      });
    }
  });

  const scanning = new Set<string>();

  /** Scans a folder into the index (once), yielding to requests between files, then re-checks the open files. */
  const scan = (root: string, initial: boolean): Promise<void> => {
    const covering = scanOf(root);
    if (covering) return scans.get(covering)!;
    const job = (async () => {
      scanning.add(root);
      const started = Date.now();
      let count = 0;
      let files: string[] = [];
      try { files = await findWorkspaceFiles(root); } catch (e) { connection.console.warn(`userlm: cannot scan ${root}: ${(e as Error).message}`); }
      for (const f of files) {
        if (shuttingDown) return;
        if (open.has(pathToUri(f))) continue;
        await indexFromDisk(f);
        if (++count % 25 === 0) await new Promise((r) => setImmediate(r));
      }
      scanning.delete(root);
      if (!client.watchRegistration) await watch(root);
      connection.console.log(`userlm: indexed ${count} files under ${root} in ${Date.now() - started} ms`);
      // Re-check the open files against the complete index before saying so.
      for (const d of documents.all()) if (open.has(d.uri)) safely(() => publish(d));
      void connection.sendNotification(IndexedNotification, { files: count, ms: Date.now() - started, roots: [root], initial });
      if (initial) void runStepsYielding(warmUp(), 0).catch(logError);
    })();
    scans.set(root, job);
    return job;
  };

  /** Waits (bounded, cancellable) until the folder holding `file` is scanned. */
  const indexReady = async (file: string, token?: CancellationToken): Promise<void> => {
    const pending = [firstScan, ...(scanOf(file) ? [scans.get(scanOf(file)!)!] : [])];
    let cancelled: (() => void) | undefined;
    const onCancel = new Promise<void>((r) => { cancelled = r; });
    const sub = token?.onCancellationRequested(() => cancelled?.());
    try {
      await Promise.race([Promise.all(pending), sleep(INDEX_WAIT_MS), onCancel]);
    } finally { sub?.dispose(); }
  };

  /** A file opened outside the scanned folders: scan the workspace it belongs to (nearest userlm.yaml upward), if any. */
  const discover = (file: string) => {
    if (!file.startsWith('/') || scanOf(file)) return;
    const ws = nearestWorkspace(dirname(file), existsSync);
    if (ws) void scan(ws, false);
  };

  /** Watches a scanned folder on the server's side, for clients that cannot watch files for it. */
  const watch = (root: string): Promise<void> => {
    if (watchers.has(root) || shuttingDown) return Promise.resolve();
    // Loaded on first use: clients that watch files never pay for it.
    const { watch: chokidarWatch } = require('chokidar') as typeof import('chokidar');
    const w = chokidarWatch(root, {
      ignoreInitial: true,
      ignored: (path: string, stats?: { isFile(): boolean }) => path.split(sep).some((seg) => IGNORED_DIR_NAMES.has(seg)) || (!!stats?.isFile() && !isOwnedFile(path)),
    });
    const changed = (path: string, deleted: boolean) => {
      if (!isOwnedFile(path) || open.has(pathToUri(path))) return;
      void (deleted ? Promise.resolve(index.remove(path)) : indexFromDisk(path)).then(() => revalidateOthers());
    };
    w.on('add', (p) => changed(p, false)).on('change', (p) => changed(p, false)).on('unlink', (p) => changed(p, true));
    w.on('error', (e) => connection.console.warn(`userlm: watching ${root}: ${(e as Error).message}`));
    watchers.set(root, w);
    return new Promise<void>((resolve) => w.once('ready', () => resolve()));
  };

  const indexFromDisk = async (file: string) => {
    try {
      const size = (await stat(file)).size;
      const text = await readFile(file, 'utf8');
      // A huge file on disk is analyzed off the main thread like an open one.
      if (worker && size > WORKER_THRESHOLD) {
        const a = await worker.analyze(text, file);
        if (!open.has(pathToUri(file))) await runStepsYielding(index.updateSteps(a.symbols));
        return;
      }
      const a = analyzeText(text, file);
      if (!open.has(pathToUri(file))) index.update(a.symbols);
    } catch {
      if (!open.has(pathToUri(file))) index.remove(file);
    }
  };

  documents.onDidOpen((e) => {
    if (TIMING) process.stderr.write(`timing: open ${e.document.uri.slice(-20)} at ${Date.now() % 100000}\n`);
    if (!isOurs(e.document)) return;
    open.set(e.document.uri, { version: -1 });
    discover(uriToPath(e.document.uri));
    schedule(e.document, 0);
  });
  documents.onDidChangeContent((e) => {
    const entry = open.get(e.document.uri);
    if (!entry) return;
    // TextDocuments also reports the opening text as a change: the open's own analysis is already queued.
    if (entry.version === -1 && entry.pending) return;
    if (TIMING) process.stderr.write(`timing: change v${e.document.version} at ${Date.now() % 100000}\n`);
    schedule(e.document, entry.cost !== undefined && entry.cost < DEBOUNCE_MS ? 0 : DEBOUNCE_MS);
  });
  documents.onDidClose((e) => {
    const entry = open.get(e.document.uri);
    if (!entry) return;
    entry.pending?.();
    // Drop everything held for the file (its analysis, tree and line index) at once.
    entry.analysis = undefined;
    entry.lines = undefined;
    open.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    // What is on disk is the truth again.
    const file = uriToPath(e.document.uri);
    if (e.document.uri.startsWith('file:') && inWorkspace(file)) void indexFromDisk(file).then(() => revalidateOthers());
    else void runStepsYielding(index.removeSteps(file)).then(() => revalidateOthers(), logError);
  });

  connection.onDidChangeWatchedFiles(async (params) => {
    for (const c of params.changes) {
      if (open.has(c.uri)) continue; // the editor's text wins while the file is open
      const file = uriToPath(c.uri);
      if (c.type === FileChangeType.Deleted) index.remove(file);
      else await indexFromDisk(file);
    }
    revalidateOthers();
  });

  const options = (token: CancellationToken, markdown: boolean): features.FeatureOptions =>
    ({ snippets: client.snippets, markdown, budget: new Budget(REQUEST_BUDGET_MS, () => token.isCancellationRequested) });

  /** Runs a feature on the file's analysis; unknown files, errors and cancelled requests answer `fallback`. */
  const withDoc = <T>(uri: string, fallback: T, fn: (a: Analysis, doc: TextDocument) => T): T => {
    const doc = documents.get(uri);
    if (!doc || !open.has(uri)) return fallback;
    return safely(() => fn(analyze(doc), doc), fallback);
  };
  const toUri = (f: string) => pathToUri(f);

  connection.onCompletion(async (p, token) => {
    const none = { isIncomplete: false, items: [] };
    const doc = documents.get(p.textDocument.uri);
    const entry = open.get(p.textDocument.uri);
    if (!doc || !entry) return none;
    const lines = textLines(doc, entry);
    const pos = lines.clamp(p.position);
    if (p.context?.triggerKind === CompletionTriggerKind.TriggerCharacter && !usefulTrigger(lines.lineText(pos.line).slice(0, pos.character), p.context.triggerCharacter)) return none;
    // Ids come from the index: wait (bounded) for the workspace scan.
    await indexReady(uriToPath(doc.uri), token);
    if (token.isCancellationRequested) return none;
    const cur = documents.get(p.textDocument.uri);
    const e = open.get(p.textDocument.uri);
    if (!cur || !e) return none;
    return safely(() => {
      // Completion reads the text around the cursor; it does not wait for a pending re-analysis.
      const a = e.analysis && e.version === cur.version ? e.analysis : e.analysis ? { ...e.analysis, parsed: { ...e.analysis.parsed, lines: textLines(cur, e) } } : analyze(cur);
      return features.complete(a, pos, index, options(token, client.markdownCompletion));
    }, none);
  });
  connection.onHover(async (p, token) => {
    await indexReady(uriToPath(p.textDocument.uri), token);
    return withDoc(p.textDocument.uri, null, (a) => features.hover(a, p.position, index, options(token, client.markdownHover)) ?? null);
  });
  connection.onDefinition(async (p, token) => { await indexReady(uriToPath(p.textDocument.uri), token); return withDoc(p.textDocument.uri, [], (a) => features.definition(a, p.position, index, toUri)); });
  connection.onReferences(async (p, token) => { await indexReady(uriToPath(p.textDocument.uri), token); return withDoc(p.textDocument.uri, [], (a) => features.references(a, p.position, index, toUri, p.context.includeDeclaration)); });
  connection.onPrepareRename((p) => withDoc(p.textDocument.uri, null, (a) => features.prepareRename(a, p.position) ?? null));
  connection.onRenameRequest(async (p, token) => {
    await indexReady(uriToPath(p.textDocument.uri), token);
    const doc = documents.get(p.textDocument.uri);
    if (!doc || !open.has(p.textDocument.uri)) return null;
    try {
      return features.rename(analyze(doc), p.position, p.newName, index, toUri) ?? null;
    } catch (e) {
      throw new ResponseError(ErrorCodes.InvalidParams, (e as Error).message);
    }
  });
  connection.onDocumentSymbol((p, token) => withDoc(p.textDocument.uri, [], (a) => {
    const symbols = features.documentSymbols(a, new Budget(REQUEST_BUDGET_MS, () => token.isCancellationRequested));
    return client.hierarchicalSymbols ? symbols : features.flatSymbols(symbols, p.textDocument.uri);
  }));
  connection.onCodeAction((p) => withDoc(p.textDocument.uri, [], (a, doc) => {
    const entry = open.get(doc.uri)!;
    const problems = entry.problems && entry.version === doc.version ? entry.problems : problemsOf(a, index);
    const wanted = problems.filter((pr) => p.context.diagnostics.some((d) => d.code === pr.code && d.range.start.line === pr.range.start.line && d.range.start.character === pr.range.start.character));
    return features.codeActions(a, wanted, toUri, rootFor(a.file));
  }));

  connection.onShutdown(async () => {
    shuttingDown = true;
    workers?.huge.dispose();
    workers?.other.dispose();
    await Promise.all([...watchers.values()].map((w) => w.close()));
    watchers.clear();
  });

  documents.listen(connection);
  connection.listen();
}

/**
 * Whether a trigger character was typed where a list helps: `:` ending a key, `-` starting a
 * list item, `[`, `{` or `,` in a flow collection. Not in the middle of prose (`well-known`,
 * `Note: …` inside a description).
 */
export function usefulTrigger(before: string, ch: string | undefined): boolean {
  if (ch === '-') return /^\s*(- +)*-$/.test(before);
  if (ch === ':') return /^\s*(- +)*[\w"'-]+:$/.test(before);
  if (ch === '[' || ch === '{') return /:\s*[[{]*[[{]$/.test(before) || /^\s*- +[[{]$/.test(before);
  if (ch === ',') return /[[{][^\]}]*,$/.test(before);
  return true;
}

/**
 * Runs the parser and validators once over generated files at start-up (about 100 ms of idle
 * time, in steps so requests are answered in between), so the first large file a user opens
 * does not pay for just-in-time compilation.
 */
export function* warmUp(): Steps {
  const scenario = ['kind: scenario', 'id: warm-up', 'profile: nobody', 'targets:'];
  for (let i = 0; i < 1000; i++) scenario.push(`  - id: t${i}`, `    description: "warm #${i}"`, `    priority: ${i % 9 ? 'primary' : 'primry'}`, `    cues: [a, 'b']`, `    say: plain text ${i}`);
  const profiles = ['kind: profiles', 'profiles:'];
  for (let i = 0; i < 400; i++) profiles.push(`  - id: p${i}`, `    name: P ${i}`, '    expression: {verbosity: terse, patience: 0.5}');
  const index = new WorkspaceIndex('/warm-up');
  for (let k = 0; k < 5; k++) {
    const a = analyzeText(scenario.join('\n'), `/warm-up/${fileNameFor('scenario', 'w')}`);
    yield;
    index.update(a.symbols);
    problemsOf(a, index);
    yield;
    analyzeText(profiles.join('\n'), `/warm-up/${fileNameFor('profile', 'w')}`);
    yield;
  }
}

function stubAnalysis(file: string, text: string, lines: LineIndex): Analysis {
  const kind = kindFromPath(file);
  return { file, kind, local: [], symbols: { file, kind, defs: [], refs: [], globs: [] }, parsed: { text, lines, root: null, value: undefined, errors: [], fast: false } };
}

function sameDefs(a: { kind: string; id: string }[] | undefined, b: { kind: string; id: string }[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].kind !== b[i].kind || a[i].id !== b[i].id) return false;
  return true;
}
