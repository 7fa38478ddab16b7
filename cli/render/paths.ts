// Locating the workspace root and run directories from command-line arguments.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { findWorkspaceRoot } from '../../core/model/load';
import { DEFAULT_OUT, RUN_JSON } from '../../core/runs';
import { UsageError } from '../args';
import { InputError } from '../inputs';

/** The workspace of a file: --root, else the nearest folder above it holding userlm.yaml. */
export function rootFor(file: string, rootFlag: unknown): string {
  if (typeof rootFlag === 'string') return rootArg(rootFlag);
  const start = existsSync(file) && statSync(file).isDirectory() ? file : dirname(resolve(file));
  return findWorkspaceRoot(start, existsSync);
}

/** `--root DIR`: an existing folder. */
export function rootArg(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new InputError(`--root '${dir}' does not exist`);
  if (!statSync(abs).isDirectory()) throw new InputError(`--root '${dir}' is a file, not a folder`);
  return abs;
}

/** A run directory: a path, or a run id under `<root>/.userlm/runs`. */
export function runDirArg(arg: string | undefined, rootFlag: unknown): string {
  if (!arg) throw new UsageError('missing run directory');
  if (existsSync(join(arg, RUN_JSON))) return resolve(arg);
  const root = typeof rootFlag === 'string' ? rootArg(rootFlag) : findWorkspaceRoot(process.cwd(), existsSync);
  const byId = join(root, DEFAULT_OUT, arg);
  if (existsSync(join(byId, RUN_JSON))) return byId;
  throw new InputError(`'${arg}' is not a run directory (no ${RUN_JSON}) nor a run id under ${join(root, DEFAULT_OUT)}`);
}

/** A file a flag names for writing (its folder is created when missing): it may not be a folder itself. */
export function outputFile(path: string, flag: string): string {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new InputError(`--${flag} '${path}' is a folder; give a file name`);
  for (let dir = dirname(abs); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new InputError(`--${flag} '${path}': ${dir} is a file, not a folder`);
      break;
    }
    if (dirname(dir) === dir) break;
  }
  return abs;
}

/** A path as the user should see it: relative to the current folder when inside it, else absolute. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : resolve(path);
}
