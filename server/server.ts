// The language server: LSP handlers over core's document model and workspace index.
// Per file, one analysis (parse + schema + local checks + symbols) is kept; cross-file checks
// are recomputed from the index, so an edit re-parses only the edited file.
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname } from 'node:path';
import { existsSync } from 'node:fs';
import {
  type Connection, TextDocuments, TextDocumentSyncKind, DiagnosticSeverity, FileChangeType,
  type Diagnostic, type InitializeParams, type CompletionItem, type DocumentSymbol, type CodeAction, type InitializeResult, DidChangeWatchedFilesNotification, ResponseError, ErrorCodes,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText, problemsOf, type Analysis, type Problem } from '../core/validate/index';
import { WorkspaceIndex } from '../core/model/workspace-index';
import { LineIndex } from '../core/model/document';
import { findWorkspaceFiles, kindFromPath, findWorkspaceRoot } from '../core/model/load';
import * as features from '../core/language/features';
import { parseYaml } from '../core/model/document';
import { AnalysisWorker } from './worker';

export const LANGUAGE_IDS = ['userlm-profile', 'userlm-scenario', 'userlm-suite', 'userlm-rewards', 'userlm-workspace'];

/** Debounce after an edit before re-validating, in ms (measured by the benchmark as part of time-to-diagnostics). */
export const DEBOUNCE_MS = 10;
const TIMING = !!process.env.USERLM_TRACE_TIMING;

export function uriToPath(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}
export function pathToUri(path: string): string {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) ? pathToFileURL(path).href : path;
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toDiagnostic(p: Problem): Diagnostic {
  return { range: p.range, severity: SEVERITY[p.severity], message: p.message, code: p.code, source: 'userlm', data: p.data };
}

interface OpenFile { version: number; analysis?: Analysis; timer?: NodeJS.Timeout; problems?: Problem[]; inWorker?: number }

/** Texts longer than this (characters) are analyzed on the worker thread. */
export const WORKER_THRESHOLD = 1_000_000;

export function startServer(connection: Connection, script?: string): void {
  const worker = script ? new AnalysisWorker(script) : undefined;
  const documents = new TextDocuments(TextDocument);
  const index = new WorkspaceIndex();
  const open = new Map<string, OpenFile>();
  let roots: string[] = [];
  let indexing: Promise<void> = Promise.resolve();
  let watchRegistration = false;
  let folderEvents = false;

  const isOurs = (doc: TextDocument): boolean => {
    if (LANGUAGE_IDS.includes(doc.languageId)) return true;
    if (doc.languageId !== 'yaml' && doc.languageId !== 'plaintext') return false;
    const head = doc.getText().slice(0, 4096);
    return kindFromPath(uriToPath(doc.uri)) !== undefined || /^kind\s*:/m.test(head) || /yaml-language-server:\s*\$schema=\S*\b(profiles?|scenario|suite|rewards|workspace)\.schema\.json/.test(head);
  };

  /** Where new workspace files go: the folder of the nearest indexed userlm.yaml, else the workspace folder, else the nearest userlm.yaml on disk. */
  const rootFor = (file: string): string | undefined => {
    const scope = index.scopeOf(file);
    if (scope && (file.startsWith(scope + '/') || file === scope)) return scope;
    const r = roots.filter((x) => file.startsWith(x + '/') || file === x).sort((a, b) => b.length - a.length)[0];
    return r ?? (file.startsWith('/') ? findWorkspaceRoot(dirname(file), existsSync) : undefined);
  };

  /** Analyzes the document now (if its analysis is stale) and updates the index. */
  const analyze = (doc: TextDocument): Analysis => {
    const file = uriToPath(doc.uri);
    const entry = open.get(doc.uri) ?? { version: -1 };
    // A pending publish stays scheduled: it will reuse this analysis.
    if (entry.analysis && entry.version === doc.version) return entry.analysis;
    if (worker && doc.getText().length > WORKER_THRESHOLD) {
      // Never block on a huge file: answer from its last analysis (or its text alone) while the worker runs.
      const text = doc.getText();
      const last = entry.analysis;
      return last ? { ...last, parsed: { ...last.parsed, text, lines: new LineIndex(text), root: null } } : stubAnalysis(file, text);
    }
    const t0 = TIMING ? performance.now() : 0;
    // The previous analysis is handed over (its tree is reused for edits inside one value).
    const previous = entry.analysis && entry.analysis.parsed.root ? entry.analysis : undefined;
    if (previous) entry.analysis = undefined;
    const a = analyzeText(doc.getText(), file, previous);
    const t1 = TIMING ? performance.now() : 0;
    adopt(doc, entry, a);
    if (TIMING) process.stderr.write(`timing: analyze ${(t1 - t0).toFixed(1)} ms, index ${(performance.now() - t1).toFixed(1)} ms\n`);
    return a;
  };

  const adopt = (doc: TextDocument, entry: OpenFile, a: Analysis): Analysis => {
    const before = index.get(a.file);
    entry.analysis = a;
    entry.version = doc.version;
    open.set(doc.uri, entry);
    index.update(a.symbols);
    if (!sameDefs(before?.defs, a.symbols.defs)) revalidateOthers(doc.uri);
    return a;
  };

  const send = (doc: TextDocument, a: Analysis) => {
    const t0 = TIMING ? performance.now() : 0;
    const problems = problemsOf(a, index);
    if (TIMING) process.stderr.write(`timing: problemsOf ${(performance.now() - t0).toFixed(1)} ms\n`);
    const entry = open.get(doc.uri)!;
    entry.problems = problems;
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: problems.map(toDiagnostic) });
    if (TIMING) process.stderr.write(`timing: sent v${doc.version} at ${Date.now() % 100000}\n`);
  };

  const publish = (doc: TextDocument) => {
    const entry = open.get(doc.uri);
    if (!entry) return;
    if (worker && doc.getText().length > WORKER_THRESHOLD && !(entry.analysis && entry.version === doc.version)) {
      if (entry.inWorker === doc.version) return;
      entry.inWorker = doc.version;
      const version = doc.version;
      worker.analyze(doc.getText(), uriToPath(doc.uri)).then((a) => {
        const cur = documents.get(doc.uri);
        const e = open.get(doc.uri);
        if (!cur || !e || cur.version !== version) return; // superseded; the newer version has its own job
        safely(() => send(cur, adopt(cur, e, a)));
      }, (err: Error) => {
        connection.console.error(`userlm: analysis worker failed (${err.message}); analyzing on the main thread`);
        const cur = documents.get(doc.uri);
        const e = open.get(doc.uri);
        if (cur && e && cur.version === version) safely(() => send(cur, adopt(cur, e, analyzeText(cur.getText(), uriToPath(cur.uri)))));
      });
      return;
    }
    send(doc, analyze(doc));
  };

  let othersTimer: NodeJS.Timeout | undefined;
  const revalidateOthers = (except?: string) => {
    if (othersTimer) clearTimeout(othersTimer);
    othersTimer = setTimeout(() => {
      othersTimer = undefined;
      for (const d of documents.all()) if (d.uri !== except && open.has(d.uri)) publish(d);
    }, DEBOUNCE_MS);
  };

  const schedule = (doc: TextDocument, delay: number) => {
    const entry = open.get(doc.uri) ?? { version: -1 };
    open.set(doc.uri, entry);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      const cur = documents.get(doc.uri);
      if (cur) safely(() => publish(cur));
    }, delay);
  };

  const safely = <T>(fn: () => T, fallback?: T): T => {
    try { return fn(); } catch (e) {
      connection.console.error(`userlm language server: ${(e as Error).stack ?? String(e)}`);
      return fallback as T;
    }
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : params.rootPath ? [pathToUri(params.rootPath)] : []);
    roots = folders.filter((u) => u.startsWith('file:')).map(uriToPath);
    index.root = roots[0];
    watchRegistration = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    folderEvents = !!params.capabilities.workspace?.workspaceFolders;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [':', ' ', '-', '['], resolveProvider: false },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'userlm-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (watchRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/{*.profile.yaml,*.scenario.yaml,*.suite.yaml,*.rewards.yaml,userlm.yaml}' }],
      });
    }
    indexing = buildIndex(roots);
    if (folderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const added = e.added.map((f) => f.uri).filter((u) => u.startsWith('file:')).map(uriToPath);
        for (const f of e.removed.map((x) => uriToPath(x.uri))) {
          roots = roots.filter((r) => r !== f);
          for (const p of index.filePaths()) if (p.startsWith(f + '/') && !open.has(pathToUri(p))) index.remove(p);
        }
        roots.push(...added);
        index.root = roots[0];
        indexing = indexing.then(() => buildIndex(added));
      });
    }
  });

  /** Scans the workspace folders, yielding to requests between files. */
  const buildIndex = async (folders: string[]) => {
    const started = Date.now();
    let count = 0;
    for (const root of folders) {
      let files: string[] = [];
      try { files = await findWorkspaceFiles(root); } catch (e) { connection.console.error(`cannot scan ${root}: ${(e as Error).message}`); }
      for (const f of files) {
        if (open.has(pathToUri(f))) continue;
        await indexFromDisk(f);
        if (++count % 25 === 0) await new Promise((r) => setImmediate(r));
      }
    }
    connection.console.log(`userlm: indexed ${count} files in ${Date.now() - started} ms`);
    void connection.sendNotification('userlm/indexed', { files: count, ms: Date.now() - started });
    setImmediate(warmUp);
    for (const d of documents.all()) if (open.has(d.uri)) safely(() => publish(d));
  };

  const indexFromDisk = async (file: string) => {
    try {
      const text = await readFile(file, 'utf8');
      index.update(analyzeText(text, file).symbols);
    } catch {
      index.remove(file);
    }
  };

  documents.onDidOpen((e) => {
    if (TIMING) process.stderr.write(`timing: open ${e.document.uri.slice(-20)} at ${Date.now() % 100000}\n`);
    if (!isOurs(e.document)) return;
    open.set(e.document.uri, { version: -1 });
    schedule(e.document, 0);
  });
  documents.onDidChangeContent((e) => {
    const entry = open.get(e.document.uri);
    if (!entry) return;
    // TextDocuments also reports the opening text as a change: the open's own analysis is already queued.
    if (entry.version === -1 && entry.timer) return;
    if (TIMING) process.stderr.write(`timing: change v${e.document.version} at ${Date.now() % 100000}\n`);
    schedule(e.document, DEBOUNCE_MS);
  });
  documents.onDidClose((e) => {
    const entry = open.get(e.document.uri);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    open.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    // What is on disk is the truth again.
    const file = uriToPath(e.document.uri);
    if (e.document.uri.startsWith('file:')) void indexFromDisk(file).then(() => revalidateOthers());
    else { index.remove(file); revalidateOthers(); }
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

  const withDoc = <T>(uri: string, fallback: T, fn: (a: Analysis, doc: TextDocument) => T): T => {
    const doc = documents.get(uri);
    if (!doc || !open.has(uri)) return fallback;
    return safely(() => fn(analyze(doc), doc), fallback);
  };
  const toUri = (f: string) => pathToUri(f);

  connection.onCompletion((p) => {
    const doc = documents.get(p.textDocument.uri);
    const entry = open.get(p.textDocument.uri);
    if (!doc || !entry) return { isIncomplete: false, items: [] };
    return safely(() => {
      // Completion reads the text around the cursor; it does not wait for a pending re-analysis.
      const last = entry.analysis && entry.version === doc.version ? entry.analysis : entry.analysis ? { ...entry.analysis, parsed: { ...entry.analysis.parsed, lines: new LineIndex(doc.getText()) } } : analyze(doc);
      const list = features.complete(last, p.position, index);
      return { isIncomplete: list.isIncomplete, items: list.items as unknown as CompletionItem[] };
    }, { isIncomplete: false, items: [] as CompletionItem[] });
  });
  connection.onHover((p) => withDoc(p.textDocument.uri, null, (a) => features.hover(a, p.position, index) ?? null));
  connection.onDefinition(async (p) => { await indexing; return withDoc(p.textDocument.uri, [], (a) => features.definition(a, p.position, index, toUri)); });
  connection.onReferences(async (p) => { await indexing; return withDoc(p.textDocument.uri, [], (a) => features.references(a, p.position, index, toUri, p.context.includeDeclaration)); });
  connection.onPrepareRename((p) => withDoc(p.textDocument.uri, null, (a) => features.prepareRename(a, p.position) ?? null));
  connection.onRenameRequest(async (p) => {
    await indexing;
    const doc = documents.get(p.textDocument.uri);
    if (!doc || !open.has(p.textDocument.uri)) return null;
    try {
      return features.rename(analyze(doc), p.position, p.newName, index, toUri) ?? null;
    } catch (e) {
      throw new ResponseError(ErrorCodes.InvalidParams, (e as Error).message);
    }
  });
  connection.onDocumentSymbol((p) => withDoc(p.textDocument.uri, [] as DocumentSymbol[], (a) => {
    // A worker-analyzed file has no tree on this thread: parse it now (the user asked for it).
    const withTree = a.parsed.root === null && a.parsed.text.trim() ? { ...a, parsed: parseYaml(a.parsed.text) } : a;
    return features.documentSymbols(withTree) as unknown as DocumentSymbol[];
  }));
  connection.onCodeAction((p) => withDoc(p.textDocument.uri, [] as CodeAction[], (a, doc) => {
    const entry = open.get(doc.uri)!;
    const problems = entry.problems && entry.version === doc.version ? entry.problems : problemsOf(a, index);
    const wanted = problems.filter((pr) => p.context.diagnostics.some((d) => d.code === pr.code && d.range.start.line === pr.range.start.line && d.range.start.character === pr.range.start.character));
    return features.codeActions(a, wanted, toUri, rootFor(a.file)) as unknown as CodeAction[];
  }));

  documents.listen(connection);
  connection.listen();
}

/**
 * Runs the parser and validators once over generated files at start-up (about 100 ms of idle
 * time), so the first large file a user opens does not pay for just-in-time compilation.
 */
export function warmUp(): void {
  const scenario = ['kind: scenario', 'id: warm-up', 'profile: nobody', 'targets:'];
  for (let i = 0; i < 1000; i++) scenario.push(`  - id: t${i}`, `    description: "warm #${i}"`, `    priority: ${i % 9 ? 'primary' : 'primry'}`, `    cues: [a, 'b']`, `    say: plain text ${i}`);
  const profiles = ['kind: profiles', 'profiles:'];
  for (let i = 0; i < 400; i++) profiles.push(`  - id: p${i}`, `    name: P ${i}`, '    expression: {verbosity: terse, patience: 0.5}');
  const index = new WorkspaceIndex('/warm-up');
  for (let k = 0; k < 5; k++) {
    const a = analyzeText(scenario.join('\n'), '/warm-up/w.scenario.yaml');
    index.update(a.symbols);
    problemsOf(a, index);
    analyzeText(profiles.join('\n'), '/warm-up/w.profile.yaml');
  }
}

function stubAnalysis(file: string, text: string): Analysis {
  const kind = kindFromPath(file);
  return { file, kind, local: [], symbols: { file, kind, defs: [], refs: [], globs: [] }, parsed: { text, lines: new LineIndex(text), root: null, value: undefined, errors: [], fast: false } };
}

function sameDefs(a: { kind: string; id: string }[] | undefined, b: { kind: string; id: string }[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].kind !== b[i].kind || a[i].id !== b[i].id) return false;
  return true;
}
