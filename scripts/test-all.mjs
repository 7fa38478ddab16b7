// `npm test`: every test of the project, in order. Each step's own runner prints its results;
// this script stops at the first failing step and exits with its status.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const steps = [
  ['types are fresh (schemas → core/generated)', 'node scripts/gen-types.mjs --check'],
  ['build', 'npm run build --silent'],
  ['unit, language server, engine and CLI tests', 'npx mocha --config .mocharc.json'],
  ['trainer and Ray tests (Python)', 'bash scripts/test-trainer.sh'],
  ['VS Code integration tests (code-server)', 'node test/integration/run.mjs'],
];
for (const [name, cmd] of steps) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  const started = Date.now();
  console.log(`\n=== ${name}: ${cmd}`);
  const r = spawnSync(cmd, { cwd: root, stdio: 'inherit', shell: true });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`=== FAILED: ${name} (exit ${r.status}, ${secs} s)`);
    process.exit(r.status || 1);
  }
  console.log(`=== ok: ${name} (${secs} s)`);
}
