// Benchmark (`npm run bench:simulator`): complete 12-turn dialogues per CPU-second, agenda
// simulator plus scripted agent over the sample scenarios, on one core. Target: at least 3,000.
// The same driver (test/bench/simulator-driver.ts) runs on this tree and on a baseline commit
// (BENCH_BASELINE, default `main`, taken with `git archive` and bundled with esbuild), in
// alternating child processes on the same samples, and the figures are printed side by side.
// Each scenario is run with min_turns = max_turns = 12 (no hang-up), so every dialogue has 12 user
// turns; a last figure runs the scenarios as written.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const TARGET = 3000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REPO = resolve(__dirname, '../../..');
const SAMPLES = join(REPO, 'samples');

interface Figures { dialogues: number; userTurns: number; ms: number; cpuMs: number }

/** Bundles the driver of a source tree (this one, or a baseline's extracted copy) into one file. */
function bundle(srcRoot: string, out: string): void {
  buildSync({ entryPoints: [join(srcRoot, 'test/bench/simulator-driver.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: out, logLevel: 'error', define: { 'import.meta.url': '__import_meta_url' }, banner: { js: "var __import_meta_url = require('url').pathToFileURL(__filename).href;" }, nodePaths: [join(REPO, 'node_modules')], absWorkingDir: srcRoot });
}

/** The baseline's sources (`git archive <ref> core`), with this tree's driver; undefined (and why) when git or the ref is missing. */
function baselineTree(ref: string, dir: string): string | undefined {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: REPO, stdio: 'pipe' });
  } catch {
    return `no commit '${ref}' in this clone`;
  }
  const tar = join(dir, 'base.tar');
  execFileSync('git', ['archive', '--format=tar', '-o', tar, ref, 'core', 'schemas'], { cwd: REPO });
  execFileSync('tar', ['-xf', tar, '-C', dir]);
  mkdirSync(join(dir, 'test/bench'), { recursive: true });
  copyFileSync(join(REPO, 'test/bench/simulator-driver.ts'), join(dir, 'test/bench/simulator-driver.ts'));
  return undefined;
}

function measure(script: string, seconds: number, mode = 'fixed'): Figures {
  const r = spawnSync(process.execPath, [script, SAMPLES, String(seconds), mode], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Figures;
}

const perCpu = (f: Figures) => f.dialogues / (f.cpuMs / 1000);

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'userlm-bench-'));
  try {
    const current = join(dir, 'current.js');
    bundle(REPO, current);
    const ref = process.env.BENCH_BASELINE ?? 'main';
    const baseDir = join(dir, 'base');
    mkdirSync(baseDir);
    const why = baselineTree(ref, baseDir);
    const baseline = why ? undefined : join(dir, 'baseline.js');
    if (baseline) bundle(baseDir, baseline);
    const cur: Figures[] = [];
    const base: Figures[] = [];
    // Alternate, so that both see the same load on a shared machine.
    for (let i = 0; i < ROUNDS; i++) {
      cur.push(measure(current, SECONDS));
      if (baseline) base.push(measure(baseline, SECONDS));
    }
    const best = (fs: Figures[]) => fs.reduce((a, b) => (perCpu(b) > perCpu(a) ? b : a));
    const c = best(cur);
    console.log(`agenda + scripted, sample scenarios, 12-turn dialogues, one core, ${ROUNDS} rounds of ${SECONDS} s (best round):`);
    console.log(`  ${'version'.padEnd(22)} ${'per CPU-second'.padStart(15)} ${'per wall second'.padStart(16)} ${'µs CPU per user turn'.padStart(21)}`);
    const row = (name: string, f: Figures) => console.log(`  ${name.padEnd(22)} ${perCpu(f).toFixed(0).padStart(15)} ${(f.dialogues / (f.ms / 1000)).toFixed(0).padStart(16)} ${((f.cpuMs * 1000) / f.userTurns).toFixed(1).padStart(21)}`);
    row('this tree', c);
    if (baseline) {
      const b = best(base);
      row(`baseline (${ref})`, b);
      console.log(`  ratio this tree / baseline: ${(perCpu(c) / perCpu(b)).toFixed(2)}x (per CPU-second)`);
    } else {
      console.log(`  baseline: not measured (${why}); set BENCH_BASELINE to a commit`);
    }
    console.log(`  target >= ${TARGET} 12-turn dialogues per CPU-second: ${perCpu(c) >= TARGET ? 'met' : 'NOT met'}`);
    const n = measure(current, Math.max(1, SECONDS / 3), 'natural');
    console.log(`  scenarios as written: ${perCpu(n).toFixed(0)} dialogues per CPU-second, ${(n.userTurns / n.dialogues).toFixed(2)} user turns per dialogue`);
    if (perCpu(c) < TARGET) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
