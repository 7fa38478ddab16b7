// Bringing a job's artifacts back (`userlm train pull`): the final model or adapter, the tokenizer,
// metrics.jsonl, resolved_job.json and summary.json — not the intermediate checkpoints. A folder
// reachable from here (shared storage, `file://`) is copied; a storage URI (s3://, gs://, ...) is
// read through the trainer's Python (pyarrow's filesystems, with the credentials of this machine).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Names left out of a pull: intermediate checkpoints (the final model sits at the top level). */
export const CHECKPOINT_DIR = /^checkpoint-\d+$/;

export interface PullResult { out: string; files: string[] }

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        if (d === dir && CHECKPOINT_DIR.test(name)) continue;
        walk(full);
      } else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

/** Copies (or downloads) the artifacts of one job into `out`, which must not hold files yet. */
export function pullArtifacts(artifacts: string, out: string, opts: { python?: string; trainerDir?: string } = {}): PullResult {
  if (existsSync(out) && readdirSync(out).length) throw new Error(`${out} is not empty: pull into a new folder (--out DIR) so nothing there is overwritten`);
  const local = artifacts.startsWith('file://') ? fileURLToPath(artifacts) : /^[a-z][a-z0-9+.-]*:\/\//i.test(artifacts) ? undefined : artifacts;
  if (local !== undefined) {
    if (!existsSync(join(local, 'resolved_job.json'))) {
      throw new Error(existsSync(local)
        ? `${local} holds no finished job files yet (no resolved_job.json): is the job still starting?`
        : `the artifacts are at ${local} on the cluster, which this machine cannot reach: mount that shared folder here, or give the training backend a storage URI (s3://…) as \`artifacts\``);
    }
    const files = listFiles(local);
    mkdirSync(out, { recursive: true });
    for (const f of files) {
      mkdirSync(dirname(join(out, f)), { recursive: true });
      cpSync(join(local, f), join(out, f));
    }
    return { out, files };
  }
  if (!opts.python || !existsSync(opts.python) || !opts.trainerDir) throw new Error(`the artifacts are at ${artifacts}: reading a storage URI needs the trainer's Python (.venv, see scripts/setup-python.sh)`);
  const r = spawnSync(opts.python, ['-m', 'trainer.artifacts', 'pull', artifacts, out], { cwd: dirname(opts.trainerDir), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pulling ${artifacts} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}`);
  return { out, files: listFiles(out) };
}
