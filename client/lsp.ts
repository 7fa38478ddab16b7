// The language client: starts dist/server.js for the project's own language ids.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export const LANGUAGE_IDS = ['userlm-profile', 'userlm-scenario', 'userlm-suite', 'userlm-rewards', 'userlm-workspace'] as const;
export const WATCHED_FILES = '**/{*.profile.yaml,*.profile.yml,*.scenario.yaml,*.scenario.yml,*.suite.yaml,*.suite.yml,*.rewards.yaml,*.rewards.yml,userlm.yaml,userlm.yml}';

export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
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
    middleware: {},
  };
  log.info(`starting the language server ${module}`);
  // the client id `userlm` makes vscode-languageclient read the `userlm.trace.server` setting
  return new LanguageClient('userlm', 'UserLM Language Server', serverOptions, clientOptions);
}
