// The integration suite's entry, loaded by VS Code's extension host (the `extensionTestsPath`
// contract of @vscode/test-electron): runs mocha and rejects when a test fails. The tests for
// the mode the workspace is in (trusted or Restricted Mode) are loaded.
import * as vscode from 'vscode';
import Mocha = require('mocha');

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false, reporter: 'spec', grep: process.env.USERLM_IT_GREP || undefined });
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  // required here, after `pre-require`, so that `describe`/`it` exist when they load
  if (vscode.workspace.isTrusted) {
    require('./activation.test');
    require('./language.test');
    require('./preview.test');
    require('./evals.test');
    require('./layout.test');
    require('./keys.test');
  } else {
    require('./restricted.test');
  }
  require('./training.test'); // both modes: it picks its tests by the workspace's trust
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
