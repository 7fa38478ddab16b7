// What both integration harnesses share (run.mjs: code-server + headless Chromium, offline;
// electron.mjs: @vscode/test-electron, a downloaded VS Code): the bundled suite, one fresh
// workspace, user-data and extensions folder per launch mode, the environment the suite reads,
// and the scan for the test API key in every file a launch wrote.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(root, 'test-artifacts');
/** Every API key the tests store starts with this; it must never reach a file. */
export const TEST_SECRET_PREFIX = 'sk-userlm-test-SECRET-';
/** The launches: trusted (workspace trust off, everything enabled) and restricted (the folder untrusted: Restricted Mode). */
export const MODES = ['trusted', 'restricted'];

/** The suite (test/integration/suite) as one CommonJS file for the extension host; returns its path. */
export async function bundleTests() {
  const outfile = join(root, 'out/integration/index.js');
  await build({
    entryPoints: [join(root, 'test/integration/suite/index.ts')], outfile, bundle: true, platform: 'node', target: 'node20',
    format: 'cjs', sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning', absWorkingDir: root,
    // the tests use core (definitions, specs): its ESM dependencies read import.meta.url, as in scripts/bundle.mjs
    define: { 'import.meta.url': '__import_meta_url' }, banner: { js: "var __import_meta_url = require('url').pathToFileURL(__filename).href;" },
  });
  return outfile;
}

/**
 * A fresh launch for `mode`: the fixture workspace copied to a temp folder, user settings for the
 * mode, an empty extensions folder, and the extension under test (the source tree, or with
 * USERLM_IT_VSIX the unpacked .vsix: exactly what users install).
 */
export function prepareLaunch(mode) {
  const tmp = mkdtempSync(join(tmpdir(), `userlm-it-${mode}-`));
  const ws = join(tmp, 'workspace');
  cpSync(join(root, 'test/integration/fixture'), ws, { recursive: true });
  if (mode === 'restricted') {
    // a workspace setting that trusted folders would apply: Restricted Mode must ignore it
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    writeFileSync(join(ws, '.vscode/settings.json'), JSON.stringify({ 'userlm.simulator': 'local-vllm' }, null, 2));
  }
  const userData = join(tmp, 'user-data');
  const extDir = join(tmp, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extDir, { recursive: true });
  const trusted = mode === 'trusted';
  const settings = trusted
    ? { 'security.workspace.trust.enabled': false }
    : { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never', 'security.workspace.trust.emptyWindow': false };
  Object.assign(settings, { 'workbench.startupEditor': 'none', 'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'telemetry.telemetryLevel': 'off', 'workbench.tips.enabled': false, 'update.mode': 'none' });
  writeFileSync(join(userData, 'User/settings.json'), JSON.stringify(settings, null, 2));

  let extensionPath = root;
  const vsix = process.env.USERLM_IT_VSIX ? resolve(root, process.env.USERLM_IT_VSIX) : undefined;
  if (vsix) {
    if (!existsSync(vsix)) throw new Error(`USERLM_IT_VSIX: ${vsix} does not exist (build it with \`npm run package\`)`);
    const r = spawnSync('unzip', ['-q', vsix, 'extension/*', '-d', join(tmp, 'vsix')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`unpacking ${vsix} failed`);
    extensionPath = join(tmp, 'vsix', 'extension');
  }
  return { tmp, ws, userData, extDir, extensionPath, trusted };
}

/** The environment the suite reads (helpers.ts); `harness` says which runner drives it. */
export function suiteEnv(mode, launch, harness) {
  return {
    USERLM_IT_REPO_ROOT: root, USERLM_IT_EXTENSION_PATH: launch.extensionPath, USERLM_IT_ARTIFACTS: artifacts, USERLM_IT_MODE: mode,
    USERLM_IT_USER_DATA: launch.userData, USERLM_IT_GREP: process.env.USERLM_IT_GREP ?? '', USERLM_IT_HARNESS: harness,
  };
}

/** The files under `dirs` holding `secret` (the test API key must never be written anywhere a user could see or share). */
export function scanForLeaks(dirs, secret = TEST_SECRET_PREFIX) {
  const hits = [];
  const walk = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) { for (const e of readdirSync(p)) walk(join(p, e)); return; }
    if (!st.isFile()) return; // sockets, pipes
    if (st.size < 20_000_000 && readFileSync(p).includes(secret)) hits.push(p);
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return hits;
}
