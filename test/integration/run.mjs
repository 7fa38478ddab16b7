// Runs the extension's mocha suite inside a real VS Code (code-server) driven by headless
// Chromium, with no internet. Two launches:
//   1. trusted: the fixture workspace with workspace trust disabled (everything enabled);
//   2. restricted: workspace trust enabled and the folder untrusted (Restricted Mode).
// The suite's index picks the tests for the mode it finds. Screenshots go to test-artifacts/.
// Exits with the tests' status; stops every process it started.
// Env: USERLM_IT_ONLY=trusted|restricted runs one launch; USERLM_IT_GREP filters tests;
// USERLM_IT_VSIX=<file.vsix> tests the packaged extension (unpacked) instead of the source tree.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { format } from 'node:util';
import { MODES, TEST_SECRET_PREFIX, artifacts, bundleTests, prepareLaunch, root, scanForLeaks, suiteEnv } from './launch.mjs';

const codeServer = join(root, '.tools/code-server/node_modules/code-server/out/node/entry.js');
const LAUNCH_TIMEOUT_MS = 15 * 60_000; // a hang guard, not a speed target: the trusted launch takes 2-10 min with the machine's load
const leaks = [];
let current;

function log(msg) { console.log(`[integration] ${msg}`); }

function setup() {
  const r = spawnSync('bash', [join(root, 'scripts/setup-vscode.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`scripts/setup-vscode.sh failed (exit ${r.status})`);
  if (!process.env.USERLM_IT_VSIX && (!existsSync(join(root, 'dist/extension.js')) || !existsSync(join(root, 'dist/server.js')))) {
    const b = spawnSync('node', [join(root, 'scripts/bundle.mjs')], { stdio: 'inherit', cwd: root });
    if (b.status !== 0) throw new Error('bundling the extension failed');
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function waitForHttp(url, proc, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`code-server exited early (code ${proc.exitCode})`);
    try { const r = await fetch(url); if (r.status < 500) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${ms} ms`);
}

function stop(proc) {
  if (!proc || proc.exitCode !== null) return;
  try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* gone */ }
}

/** Kills the process group after a grace period if SIGTERM was not enough. */
async function stopAndWait(proc) {
  if (!proc || proc.exitCode !== null) return;
  stop(proc);
  const end = Date.now() + 5000;
  while (proc.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  if (proc.exitCode === null) { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } }
}

async function launch(mode, testsIndex) {
  const { chromium } = await import('playwright-core');
  const { tmp, ws, userData, extDir, extensionPath, trusted } = prepareLaunch(mode);
  const port = await freePort();
  const args = [codeServer, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--user-data-dir', userData, '--extensions-dir', extDir];
  if (trusted) args.push('--disable-workspace-trust');
  args.push(ws);
  const serverLog = join(artifacts, `code-server-${mode}.log`);
  const env = { ...process.env, ...suiteEnv(mode, { extensionPath, userData }, 'code-server') };
  delete env.VSCODE_IPC_HOOK_CLI;
  const started = Date.now();
  const proc = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  current = proc;
  const logChunks = [];
  proc.stdout.on('data', (d) => logChunks.push(d));
  proc.stderr.on('data', (d) => logChunks.push(d));
  let browser;
  const screenshots = [];
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, proc, 60_000);
    log(`${mode}: code-server up on 127.0.0.1:${port} in ${Date.now() - started} ms (pid ${proc.pid})`);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const browserLog = [];
    // harness commands ([[ui:…]]: what a test types, keys included) stay out of the logs
    page.on('console', (m) => { if (!m.text().includes('[[ui:')) browserLog.push(`[${m.type()}] ${m.text()}`); });
    let resolveExit;
    const exited = new Promise((r) => { resolveExit = r; });
    const pending = [];
    const hostLog = [];
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = Array.isArray(args) ? format(...args) : String(args ?? '');
      if (!text.includes('[[ui:')) hostLog.push(`[${type}] ${text}`);
      if (type !== 'log' && type !== 'info') return; // workbench warnings and errors go to the log file only
      for (const line of text.split('\n')) {
        const ui = /\[\[ui:(\d+):(.*)\]\]$/.exec(line);
        if (ui) { pending.push(uiAction(page, ui[2]).then((r) => writeFileSync(join(artifacts, `.ui-${mode}-${ui[1]}.json`), JSON.stringify(r)))); continue; }
        const shot = /\[\[screenshot:([a-z0-9-]+)\]\]/.exec(line);
        if (shot) {
          const file = join(artifacts, `${shot[1]}.png`);
          pending.push(page.waitForTimeout(400).then(() => page.screenshot({ path: file + '.tmp.png' })).then(() => {
            // the test waits for the final name: rename only once the file is complete
            cpSync(file + '.tmp.png', file); rmSync(file + '.tmp.png'); screenshots.push(relative(root, file));
          }).catch((e) => log(`screenshot ${shot[1]} failed: ${e.message}`)));
          continue;
        }
        console.log(line);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extensionPath)],
      ['extensionTestsPath', remote(testsIndex.replace(/\.js$/, ''))],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timeout = new Promise((r) => setTimeout(() => r('timeout'), LAUNCH_TIMEOUT_MS));
    const code = await Promise.race([exited, timeout]);
    await Promise.all(pending);
    if (code === 'timeout') {
      await page.screenshot({ path: join(artifacts, `timeout-${mode}.png`) }).catch(() => {});
      log(`${mode}: no result within ${LAUNCH_TIMEOUT_MS / 1000} s`);
    }
    writeFileSync(join(artifacts, `browser-console-${mode}.log`), browserLog.join('\n'));
    writeFileSync(join(artifacts, `extension-host-${mode}.log`), hostLog.join('\n'));
    log(`${mode}: finished with code ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots: ${screenshots.join(', ') || 'none'}`);
    return code === 0 ? 0 : 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopAndWait(proc);
    current = undefined;
    writeFileSync(serverLog, Buffer.concat(logChunks));
    leaks.push(...scanForLeaks([ws, userData, artifacts], TEST_SECRET_PREFIX));
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * What a user does with mouse and keyboard in the workbench, asked for by a test (helpers.ts `ui()`):
 * { do: 'contextmenu', treeitem, menu } right-clicks a tree item whose label contains `treeitem` and
 * picks the menu entry `menu`; { do: 'keys', keys: [...] } presses keys; { do: 'type', text } types.
 * Answers { ok } or { ok: false, error }.
 */
async function uiAction(page, json) {
  try {
    const a = JSON.parse(json);
    if (a.do === 'contextmenu') {
      const item = page.locator('.monaco-list-row[role=treeitem]').filter({ hasText: a.treeitem }).first();
      await item.click({ button: 'right', timeout: 15_000 });
      // Points at the entry, then presses Enter, as a keyboard user would. A click right after the menu
      // opens can be taken for the end of the right-click and dropped (the menu stays open, nothing runs).
      await page.locator('.monaco-menu .action-item[role=presentation] a.action-menu-item, .monaco-menu [role=menuitem]').filter({ hasText: a.menu }).first().hover({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.locator('.monaco-menu').first().waitFor({ state: 'hidden', timeout: 15_000 });
    } else if (a.do === 'keys') {
      for (const k of a.keys) await page.keyboard.press(k);
    } else if (a.do === 'type') {
      await page.keyboard.type(a.text, { delay: 10 });
    } else throw new Error(`unknown ui action ${a.do}`);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
}

async function main() {
  const started = Date.now();
  mkdirSync(artifacts, { recursive: true });
  setup();
  const index = await bundleTests();
  const only = process.env.USERLM_IT_ONLY;
  let status = 0;
  for (const mode of MODES) {
    if (only && only !== mode) continue;
    const code = await launch(mode, index);
    if (code !== 0) status = 1;
  }
  if (leaks.length) { console.error(`[integration] the test API key was written to: ${leaks.join(', ')}`); status = 1; }
  log(`all done in ${((Date.now() - started) / 1000).toFixed(1)} s, status ${status}`);
  process.exit(status);
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stop(current); process.exit(130); });
main().catch((e) => { console.error(`[integration] ${e.stack ?? e}`); process.exit(1); });
