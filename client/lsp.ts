// The language client for the project's language ids. The server process (dist/server.js
// --stdio) is spawned first, before the client library is even loaded, so it boots while the
// rest of the extension loads; the client then talks to that process.
import * as vscode from 'vscode';
import { fork, type ChildProcess } from 'node:child_process';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

import { LANGUAGE_IDS, FILE_GLOB } from '../core/files';

/** Language ids and the watched-file glob: one home, core/files.ts (package.json is checked against it). */
export { LANGUAGE_IDS };
export const WATCHED_FILES = FILE_GLOB;

/** Starts the server process (stdio transport, as `userlm-language-server --stdio`). */
export function spawnServer(context: vscode.ExtensionContext): ChildProcess {
  return fork(context.asAbsolutePath('dist/server.js'), ['--stdio'], { silent: true, execArgv: [], cwd: context.extensionPath });
}

/** The client over an already spawned server; a restart spawns a fresh process. */
export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, first: ChildProcess): LanguageClient {
  // loaded here, after the server process started (a lazy require keeps it out of the bundle's start-up)
  const { LanguageClient } = require('vscode-languageclient/node') as typeof import('vscode-languageclient/node');
  let pending: ChildProcess | undefined = first;
  const serverOptions: ServerOptions = async () => {
    const child = pending ?? spawnServer(context);
    pending = undefined;
    return child;
  };
  const watcher = vscode.workspace.createFileSystemWatcher(WATCHED_FILES);
  context.subscriptions.push(watcher);
  const clientOptions: LanguageClientOptions = {
    // open files of any scheme get editing features (virtual workspaces: open files only)
    documentSelector: LANGUAGE_IDS.map((language) => ({ language })),
    synchronize: { fileEvents: watcher },
    outputChannel: vscode.window.createOutputChannel('UserLM Language Server'),
    progressOnInitialization: true,
    initializationOptions: { trusted: vscode.workspace.isTrusted },
  };
  log.info(`language server: ${context.asAbsolutePath('dist/server.js')} --stdio (pid ${first.pid})`);
  // the client id `userlm` makes vscode-languageclient read the `userlm.trace.server` setting
  return new LanguageClient('userlm', 'UserLM Language Server', serverOptions, clientOptions);
}
