// A small LSP client for tests and the benchmark: spawns a server process over stdio and speaks
// JSON-RPC with vscode-languageserver-protocol.
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection,
  type Diagnostic, type PublishDiagnosticsParams, type ClientCapabilities, type LogMessageParams,
} from 'vscode-languageserver-protocol/node';
import { IndexedNotification, type IndexedParams } from '../../../server/lsp-ext';

export const ROOT = join(__dirname, '..', '..', '..', '..');
/** The server under test: the bundle, or USERLM_SERVER (a frozen copy for a long benchmark run). */
export const SERVER = process.env.USERLM_SERVER ?? join(ROOT, 'dist', 'server.js');
export const uri = (file: string) => pathToFileURL(file).href;

export interface StartOptions {
  command?: string[];
  rootDir: string;
  /** Answers to workspace/configuration requests (by section). */
  settings?: Record<string, unknown>;
  initializationOptions?: unknown;
  /** Wait for the server's first `userlm/indexed` notification. */
  waitIndexed?: boolean;
  /** Client capabilities (default: what VS Code declares for the features the server offers). */
  capabilities?: ClientCapabilities;
}

/** Roughly what VS Code declares. */
export const FULL_CAPABILITIES: ClientCapabilities = {
  workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: false }, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } },
  textDocument: {
    publishDiagnostics: { relatedInformation: true, versionSupport: true },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    synchronization: { didSave: true },
  },
};

export class LspClient {
  readonly conn: ProtocolConnection;
  private readonly versions = new Map<string, number>();
  private readonly latest = new Map<string, PublishDiagnosticsParams & { at: number }>();
  private waiters: { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  stderr = '';
  indexed?: IndexedParams;
  /** Every `userlm/indexed` notification, in order. */
  readonly scans: IndexedParams[] = [];
  private scanWaiters: { pred: (p: IndexedParams) => boolean; resolve: (p: IndexedParams) => void }[] = [];
  /** Every textDocument/publishDiagnostics the server sent, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** The server's answer to `initialize`. */
  initializeResult?: unknown;
  /** Every window/logMessage the server sent. */
  readonly logs: LogMessageParams[] = [];
  private exited = false;

  private constructor(readonly proc: ChildProcess, private readonly settings: Record<string, unknown>) {
    this.conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    proc.stderr!.on('data', (d) => { this.stderr += String(d); });
    proc.on('exit', () => { this.exited = true; });
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      this.latest.set(p.uri, { ...p, at: performance.now() });
      this.waiters = this.waiters.filter((w) => {
        if (w.uri === p.uri && w.pred(p)) { w.resolve(p); return false; }
        return true;
      });
    });
    this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => (i.section ? this.settings[i.section] ?? null : this.settings)));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onNotification('window/logMessage', (p: LogMessageParams) => { this.logs.push(p); });
    this.conn.onNotification(IndexedNotification, (p) => {
      this.scans.push(p);
      this.scanWaiters = this.scanWaiters.filter((w) => { if (w.pred(p)) { w.resolve(p); return false; } return true; });
    });
    this.conn.listen();
  }

  get alive(): boolean { return !this.exited; }

  static async start(opts: StartOptions): Promise<LspClient> {
    const cmd = opts.command ?? [process.execPath, SERVER, '--stdio'];
    const proc = spawn(cmd[0], cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const c = new LspClient(proc, opts.settings ?? {});
    const indexed = c.scanned((p) => p.initial).then((p) => { c.indexed = p; });
    c.initializeResult = await c.conn.sendRequest('initialize', {
      processId: process.pid, rootUri: uri(opts.rootDir), workspaceFolders: [{ uri: uri(opts.rootDir), name: 'ws' }],
      initializationOptions: opts.initializationOptions,
      capabilities: opts.capabilities ?? FULL_CAPABILITIES,
    });
    await c.conn.sendNotification('initialized', {});
    if (opts.waitIndexed) await indexed;
    return c;
  }

  /** The next (or an earlier) `userlm/indexed` notification that satisfies `pred`. */
  scanned(pred: (p: IndexedParams) => boolean = () => true): Promise<IndexedParams> {
    const seen = this.scans.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.scanWaiters.push({ pred, resolve }));
  }

  version(file: string): number { return this.versions.get(uri(file)) ?? 0; }

  async open(file: string, text: string, languageId = 'yaml'): Promise<void> {
    this.versions.set(uri(file), 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file), languageId, version: 1, text } });
  }

  async change(file: string, text: string): Promise<void> {
    const v = this.version(file) + 1;
    this.versions.set(uri(file), v);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version: v }, contentChanges: [{ text }] });
  }

  /** Sends an incremental edit (replace a range). */
  async edit(file: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<void> {
    const v = this.version(file) + 1;
    this.versions.set(uri(file), v);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version: v }, contentChanges: [{ range, text }] });
  }

  async close(file: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri: uri(file) } });
  }

  /** The next diagnostics for a file that satisfy `pred` (default: for the current version, when the server sends versions). */
  diagnostics(file: string, pred?: (p: PublishDiagnosticsParams) => boolean, timeoutMs = 15000): Promise<Diagnostic[]> {
    const u = uri(file);
    const want = pred ?? ((p: PublishDiagnosticsParams) => p.version === undefined || p.version === this.version(file));
    const last = this.latest.get(u);
    if (last && want(last) && !pred) return Promise.resolve(last.diagnostics);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no diagnostics for ${file} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ uri: u, pred: want, resolve: (p) => { clearTimeout(t); resolve(p.diagnostics); } });
    });
  }

  request<T>(method: string, params: unknown): Promise<T> { return this.conn.sendRequest(method, params) as Promise<T>; }

  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification('exit');
    } catch { /* already gone */ }
    await new Promise((r) => setTimeout(r, 50));
    if (!this.exited) this.proc.kill();
    this.conn.dispose();
  }
}
