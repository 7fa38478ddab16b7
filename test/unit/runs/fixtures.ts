// Temporary workspaces for the runs and CLI tests: a copy of samples/ plus files a test adds.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..', '..', '..');
export const SAMPLES = join(REPO, 'samples');
export const CLI = join(REPO, 'dist', 'cli.js');

export interface TempWorkspace { root: string; write(rel: string, text: string): string; dispose(): void }

/** A copy of samples/ in a fresh temp folder (the workspace root holds userlm.yaml). */
export function sampleWorkspace(): TempWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'userlm-ws-'));
  cpSync(SAMPLES, root, { recursive: true });
  return {
    root,
    write(rel, text) { const f = join(root, rel); writeFileSync(f, text); return f; },
    dispose() { rmSync(root, { recursive: true, force: true }); },
  };
}

/** userlm.yaml with one local backend `sim` (key from env:USERLM_TEST_KEY). */
export function localWorkspaceYaml(baseUrl: string, extra = ''): string {
  return `kind: workspace
backends:
  - id: sim
    type: openai-compatible
    base_url: ${baseUrl}
    model: sim-think
    api_key: env:USERLM_TEST_KEY
    concurrency: 64
    max_retries: 0
    timeout_ms: 10000
${extra}`;
}

/** Every file under a folder, recursively. */
export function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out;
}

/** Files under `dir` whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  return allFiles(dir).filter((f) => readFileSync(f).includes(needle));
}
