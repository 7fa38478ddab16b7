// `npm test`: every test of the project, in order. Each step's own runner prints its results;
// this script echoes them, adds up the counts the runners report (mocha's "N passing/failing/
// pending", pytest's "N passed/failed/skipped"), stops at the first failing step and ends with
// one line over all steps: "tests: N passed, N failed, N skipped".
import { spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const steps = [
  ['types are fresh (schemas → core/generated)', 'node scripts/gen-types.mjs --check'],
  ['build', 'npm run build --silent'],
  ['unit, language server, engine and CLI tests', 'npx mocha --config .mocharc.json'],
  ['real local model (Gemma 3 270M GGUF served over node-llama-cpp, installed from PyPI and npm)', 'npm run test:local-model --silent'],
  ['Neovim end to end (headless Neovim with the docs/editors.md configuration)', 'bash scripts/setup-neovim.sh && npx mocha --no-config --exit --timeout 180000 out/test/editors/neovim.test.js'],
  ['trainer and Ray tests (Python)', 'bash scripts/test-trainer.sh'],
  ['VS Code integration tests (code-server) against the packaged .vsix', 'npm run package --silent && USERLM_IT_VSIX=userlm-studio.vsix node test/integration/run.mjs'],
];

const totals = { passed: 0, failed: 0, skipped: 0 };
const COUNTS = [
  [/^\s*(\d+) passing \(/, 'passed'], [/^\s*(\d+) failing$/, 'failed'], [/^\s*(\d+) pending$/, 'skipped'], // mocha
];
const PYTEST_SUMMARY = /^=*\s*(?:\d+ (?:passed|failed|skipped|errors?|warnings?|deselected)(?:, )?)+ in [\d.]+s/;

function count(line) {
  for (const [re, key] of COUNTS) { const m = re.exec(line); if (m) totals[key] += Number(m[1]); }
  if (PYTEST_SUMMARY.test(line)) {
    for (const [, n, word] of line.matchAll(/(\d+) (passed|failed|skipped|errors?)/g)) totals[word === 'passed' || word === 'skipped' ? word : 'failed'] += Number(n);
  }
}

function runStep(cmd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, { cwd: root, shell: true, stdio: ['inherit', 'pipe', 'pipe'] });
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      let rest = '';
      from.on('data', (chunk) => {
        to.write(chunk);
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop();
        lines.forEach(count);
      });
      from.on('end', () => { if (rest) count(rest); });
    }
    child.on('close', (code) => resolve(code ?? 1));
  });
}

let status = 0;
for (const [name, cmd] of steps) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  const started = Date.now();
  console.log(`\n=== ${name}: ${cmd}`);
  const code = await runStep(cmd);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (code !== 0) {
    console.error(`=== FAILED: ${name} (exit ${code}, ${secs} s)`);
    status = code;
    break;
  }
  console.log(`=== ok: ${name} (${secs} s)`);
}
if (status !== 0 && totals.failed === 0) totals.failed = 1; // a step that failed without a test count still fails the total
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status);
