// Entry point of the language server (bundled to dist/server.js). Transport from argv:
// `--stdio` (any LSP editor), `--node-ipc` (the VS Code client), `--socket=N`.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

process.on('uncaughtException', (e) => { process.stderr.write(`userlm language server: uncaught ${e?.stack ?? e}\n`); });
startServer(createConnection(ProposedFeatures.all));
