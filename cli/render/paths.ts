// Locating the workspace root and run directories from command-line arguments.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { findWorkspaceRoot } from '../../core/model/load';
import { DEFAULT_OUT, RUN_JSON } from '../../core/runs';
import { UsageError } from '../args';

/** The workspace of a file: --root, else the nearest folder above it holding userlm.yaml. */
export function rootFor(file: string, rootFlag: unknown): string {
  if (typeof rootFlag === 'string') return resolve(rootFlag);
  const start = existsSync(file) && statSync(file).isDirectory() ? file : dirname(resolve(file));
  return findWorkspaceRoot(start, existsSync);
}

export function requireFile(path: string | undefined, what: string): string {
  if (!path) throw new UsageError(`missing ${what}`);
  if (!existsSync(path)) throw new UsageError(`${what} '${path}' does not exist`);
  return resolve(path);
}

/** A run directory: a path, or a run id under `<root>/.userlm/runs`. */
export function runDirArg(arg: string | undefined, rootFlag: unknown): string {
  if (!arg) throw new UsageError('missing run directory');
  if (existsSync(join(arg, RUN_JSON))) return resolve(arg);
  const root = typeof rootFlag === 'string' ? resolve(rootFlag) : findWorkspaceRoot(process.cwd(), existsSync);
  const byId = join(root, DEFAULT_OUT, arg);
  if (existsSync(join(byId, RUN_JSON))) return byId;
  throw new UsageError(`'${arg}' is not a run directory (no ${RUN_JSON}) nor a run id under ${join(root, DEFAULT_OUT)}`);
}

/** Secrets in the CLI: only environment variables named `env:NAME` in userlm.yaml. */
export function envSecret(ref: string): string | undefined {
  return ref.startsWith('env:') ? process.env[ref.slice(4)] : undefined;
}

/** A path as the user should see it: relative to the current folder when inside it, else absolute. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : resolve(path);
}
