// The VS Code extension: a thin layer over core/ (everything here can also be done from the CLI).
// Activation starts the language server first; the rest (previews, evals, runs, keys, status
// bar: everything that loads the engine) lives in dist/features.js, loaded right after.
import { loadStarted } from './t0';
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient, spawnServer } from './lsp';
import type { FeaturesApi } from './features';

export interface ExtensionApi extends FeaturesApi {
  /** activationMs: our time before the server process starts, as VS Code counts activation (evaluating
   * this bundle + `activate` until the server start). The rest are wall-clock milliseconds from the bundle
   * starting to evaluate: activateCalledMs when VS Code called `activate` (after setting up the extension
   * context), serverStartMs, clientMs (language client started), featuresMs (every command registered),
   * serverReadyMs (`initialize` answered). */
  stats(): { activationMs: number; activateCalledMs: number; serverStartMs: number; clientMs?: number; featuresMs?: number; serverReadyMs?: number };
  serverReady(): Promise<void>;
}

let client: LanguageClient | undefined;

/** When this bundle finished evaluating (its last top-level statement). */
let moduleEvaluated = 0;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const activateCalled = performance.now() - loadStarted;
  const log = vscode.window.createOutputChannel('UserLM', { log: true });
  context.subscriptions.push(log, vscode.commands.registerCommand('userlm.restartServer', async () => { await client?.restart(); }));
  const server = spawnServer(context);
  const serverStart = performance.now() - loadStarted;
  const stats: ReturnType<ExtensionApi['stats']> = { activationMs: moduleEvaluated + (serverStart - activateCalled), activateCalledMs: activateCalled, serverStartMs: serverStart };
  client = createLanguageClient(context, log, server);
  const ready = client.start().then(
    () => { stats.serverReadyMs = performance.now() - loadStarted; log.info(`language server ready after ${stats.serverReadyMs.toFixed(0)} ms`); },
    (e: unknown) => { log.error(`the language server did not start: ${String(e)}`); throw e; },
  );
  stats.clientMs = performance.now() - loadStarted;
  ready.catch(() => undefined);
  // not bundled into this file: loaded after the server start (a runtime require of the sibling bundle)
  const load = require;
  const host = load(join(__dirname, 'features.js')) as typeof import('./host');
  const { registerFeatures } = host;
  const features = registerFeatures(context, log);
  host.registerTraining(context, log);
  host.registerDrafting(context, log);
  stats.featuresMs = performance.now() - loadStarted;
  log.info(`activated: ${stats.activationMs.toFixed(1)} ms of our code before the server process started (wall clock ${serverStart.toFixed(1)} ms), client after ${stats.clientMs.toFixed(1)} ms, features after ${stats.featuresMs.toFixed(1)} ms`);
  return { ...features, stats: () => ({ ...stats }), serverReady: () => ready };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

moduleEvaluated = performance.now() - loadStarted;
