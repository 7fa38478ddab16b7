// Entry point of the language server (bundled to dist/server.js). Transport from argv:
// `--stdio` (any LSP editor), `--node-ipc` (the VS Code client), `--socket=N`.
// The same file runs as the analysis worker thread for very large documents.
import { isMainThread } from 'node:worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';
import { runWorker } from './worker';

if (isMainThread) {
  process.on('uncaughtException', (e) => { process.stderr.write(`userlm language server: uncaught ${e?.stack ?? e}\n`); });
  startServer(createConnection(ProposedFeatures.all), __filename);
} else {
  runWorker();
}
