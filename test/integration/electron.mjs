// The integration suite under @vscode/test-electron: the same suite (test/integration/suite) and
// the same two launches as run.mjs (trusted, restricted), in a desktop VS Code that
// @vscode/test-electron downloads (internet needed: for contributors, not CI, which keeps the
// offline code-server harness). Tests that need the code-server harness's mouse and keyboard
// (helpers.ts `ui()`) are reported pending here; screenshots are not taken.
// Env: USERLM_VSCODE_VERSION (default "stable"), USERLM_VSCODE_EXECUTABLE (an installed VS Code
// instead of a download), and run.mjs's USERLM_IT_ONLY, USERLM_IT_GREP, USERLM_IT_VSIX.
// On Linux without a display, run it under xvfb-run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { MODES, artifacts, bundleTests, prepareLaunch, root, scanForLeaks, suiteEnv } from './launch.mjs';

const log = (msg) => console.log(`[electron] ${msg}`);

async function main() {
  mkdirSync(artifacts, { recursive: true });
  if (!process.env.USERLM_IT_VSIX) {
    const b = spawnSync('node', [join(root, 'scripts/bundle.mjs')], { stdio: 'inherit', cwd: root });
    if (b.status !== 0) throw new Error('bundling the extension failed');
  }
  const index = await bundleTests();
  const only = process.env.USERLM_IT_ONLY;
  let status = 0;
  const leaks = [];
  for (const mode of MODES) {
    if (only && only !== mode) continue;
    const launch = prepareLaunch(mode);
    const started = Date.now();
    try {
      const code = await runTests({
        version: process.env.USERLM_VSCODE_VERSION ?? 'stable',
        vscodeExecutablePath: process.env.USERLM_VSCODE_EXECUTABLE || undefined,
        extensionDevelopmentPath: launch.extensionPath,
        extensionTestsPath: index,
        extensionTestsEnv: suiteEnv(mode, launch, 'electron'),
        launchArgs: [launch.ws, '--user-data-dir', launch.userData, '--extensions-dir', launch.extDir, '--disable-gpu', '--skip-welcome', '--skip-release-notes',
          ...(launch.trusted ? ['--disable-workspace-trust'] : [])],
      });
      log(`${mode}: exit ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (code !== 0) status = 1;
    } catch (e) {
      log(`${mode}: failed: ${e.message ?? e}`);
      status = 1;
    } finally {
      leaks.push(...scanForLeaks([launch.ws, launch.userData, artifacts]));
      rmSync(launch.tmp, { recursive: true, force: true });
    }
  }
  if (leaks.length) { console.error(`[electron] the test API key was written to: ${leaks.join(', ')}`); status = 1; }
  process.exit(status);
}

main().catch((e) => { console.error(`[electron] ${e.stack ?? e}`); process.exit(1); });
