// Entry point of the language server (bundled to dist/server.js). Transport from argv:
// `--stdio` (any LSP editor; the default), `--node-ipc` (the VS Code client), `--socket=N`, `--pipe=NAME`.
// The same file runs as the analysis worker thread for very large documents.
import { isMainThread } from 'node:worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';
import { runWorker } from './worker';

const USAGE = `userlm-language-server: the UserLM Studio language server (profiles, scenarios, suites, rewards, userlm.yaml)
usage: userlm-language-server [--stdio | --node-ipc | --socket=PORT | --pipe=NAME]   (default: --stdio)
`;

if (!isMainThread) {
  runWorker();
} else if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
} else if (process.argv.includes('--version')) {
  process.stdout.write('0.1.0\n');
} else {
  if (!process.argv.some((a) => /^--(stdio|node-ipc|socket|pipe|clientProcessId)/.test(a))) process.argv.push('--stdio');
  process.on('uncaughtException', (e) => { process.stderr.write(`userlm language server: uncaught ${e?.stack ?? e}\n`); });
  const connection = createConnection(ProposedFeatures.all);
  // Node prints warnings with console.error, which the connection turns into error-level log
  // messages: they are not errors of the user's files, so they go to the log as plain lines.
  process.removeAllListeners('warning');
  process.on('warning', (w) => connection.console.log(`node: ${w.name}: ${w.message}`));
  startServer(connection, __filename);
}
