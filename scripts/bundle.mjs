// esbuild bundles: the extension (client), the language server, the CLI and the webview scripts.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', absWorkingDir: root };
// ESM dependencies (tinyglobby's fdir) read import.meta.url, which is empty in a CJS bundle.
const importMetaShim = "var __import_meta_url = require('url').pathToFileURL(__filename).href;";
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', define: { 'import.meta.url': '__import_meta_url' }, banner: { js: importMetaShim } };

const jobs = [
  { ...node, entryPoints: ['server/main.ts'], outfile: 'dist/server.js', banner: { js: `#!/usr/bin/env node\n${importMetaShim}` } },
  { ...node, entryPoints: ['cli/main.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${importMetaShim}` } },
  { ...node, entryPoints: ['client/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // previews, evals, runs, training and drafting: one bundle, core in it once (client/host.ts)
  { ...node, entryPoints: ['client/host.ts'], outfile: 'dist/features.js', external: ['vscode'] },
  { ...node, entryPoints: ['client/eval-worker.ts'], outfile: 'dist/eval-worker.js' },
];
const webviewDir = join(root, 'client', 'webview');
if (existsSync(webviewDir)) {
  for (const f of readdirSync(webviewDir).filter((f) => f.endsWith('.main.ts'))) {
    jobs.push({ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: [join('client/webview', f)], outfile: join('dist/webview', f.replace('.main.ts', '.js')) });
  }
}
await Promise.all(jobs.filter((j) => existsSync(join(root, j.entryPoints[0]))).map((j) => build(j)));
