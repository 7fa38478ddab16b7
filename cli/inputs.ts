// Checking what the command line names before using it: files of the right kind (not a folder,
// not empty, not binary, not another kind of file), folders that are folders, numbers in the range
// the schemas allow. Each failure is one clear sentence; nothing is written before it.
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { FileError, loadYamlText, type FileKind, type LoadedFile } from '../core/model/load';
import { schemaAt } from '../core/validate/schemas';
import { intFlag, UsageError, type ParsedArgs } from './args';

/** A bad file or folder named on the command line (exit 2, no usage line). */
export class InputError extends Error {
  constructor(message: string, readonly exitCode = 2) { super(message); }
}

const KIND_WORDS: Record<FileKind, string> = {
  profile: 'a profile', profiles: 'a profile collection', scenario: 'a scenario', suite: 'a suite', rewards: 'a reward spec', workspace: 'a workspace configuration (userlm.yaml)',
};

const shownPath = (p: string) => relative(process.cwd(), resolve(p)) || p;

/** Files of the wanted kind directly in a folder, to suggest when a folder was given. */
function kindFilesIn(dir: string, kinds: FileKind[]): string[] {
  try {
    return readdirSync(dir).filter((n) => kinds.some((k) => new RegExp(`\\.${k === 'profiles' ? 'profile' : k}\\.ya?ml$`).test(n))).sort().slice(0, 5);
  } catch {
    return [];
  }
}

/** The first bytes of a file, to tell text from binary without reading all of it. */
function head(file: string, bytes = 8192): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * A YAML file of one of `kinds` named on the command line, loaded. `what` names it for messages
 * ("suite file"). Throws UsageError when missing, InputError (exit 2) for a path that is not such
 * a file, InputError (exit 1) for a YAML syntax error, with file:line:col.
 */
export function inputFile(path: string | undefined, kinds: FileKind[], what: string): LoadedFile {
  if (!path) throw new UsageError(`missing ${what}`);
  const file = resolve(path);
  const want = kinds.map((k) => `kind: ${k}`).join(' or ');
  if (!existsSync(file)) throw new InputError(`${what} '${path}' does not exist`);
  const st = statSync(file);
  if (st.isDirectory()) {
    const found = kindFilesIn(file, kinds);
    throw new InputError(`'${path}' is a folder, not a ${what}` + (found.length ? `; in it: ${found.map((f) => shownPath(resolve(file, f))).join(', ')}` : ''));
  }
  if (!st.isFile()) throw new InputError(`'${path}' is not a regular file`);
  const bytes = head(file);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new InputError(`'${path}' is not a text file (binary data at byte ${nul}); a ${what} is YAML starting with ${want}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(st.size <= bytes.length ? bytes : readFileSync(file));
  } catch {
    throw new InputError(`'${path}' is not UTF-8 text; a ${what} is YAML starting with ${want}`);
  }
  if (!text.split('\n').some((l) => l.trim() && !l.trim().startsWith('#'))) throw new InputError(`'${path}' is empty; a ${what} is YAML starting with ${want}`);
  let loaded: LoadedFile;
  try {
    loaded = loadYamlText(text, file);
  } catch (e) {
    if (e instanceof FileError) throw new InputError(`${shownPath(e.file)}:${e.line}:${e.col}: ${e.detail}`, 1);
    throw e;
  }
  if (!loaded.value || typeof loaded.value !== 'object' || Array.isArray(loaded.value)) {
    throw new InputError(`'${path}' is not a ${what}: it holds ${Array.isArray(loaded.value) ? 'a list' : 'a single value'}, not fields starting with ${want}`);
  }
  const declared = (loaded.value as { kind?: unknown }).kind;
  if (!loaded.kind || !kinds.includes(loaded.kind)) {
    if (loaded.kind) throw new InputError(`'${path}' is ${KIND_WORDS[loaded.kind]} file (kind: ${loaded.kind}), not a ${what}`);
    throw new InputError(declared === undefined ? `'${path}' has no 'kind:'; a ${what} starts with ${want}` : `'${path}' has kind: ${String(declared)}, not a ${what} (${want})`);
  }
  return loaded;
}

/** A folder named by a flag: may not exist yet (it is created), but may not be a file. */
export function outputFolder(flags: ParsedArgs['flags'], name: string): string | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const dir = resolve(String(v));
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(`--${name} '${String(v)}' is a file, not a folder`);
  return dir;
}

/**
 * A whole-number flag checked against the bounds of the schema field it stands for (one home for
 * each range), e.g. `--turns` against suite.max_turns.
 */
export function schemaIntFlag(flags: ParsedArgs['flags'], name: string, kind: FileKind, path: string[]): number | undefined {
  const n = intFlag(flags, name);
  if (n === undefined) return undefined;
  const s = schemaAt(kind, path)?.s as { minimum?: number; maximum?: number } | undefined;
  if (s?.minimum !== undefined && n < s.minimum) throw new UsageError(`--${name} must be at least ${s.minimum}, got ${n}`);
  if (s?.maximum !== undefined && n > s.maximum) throw new UsageError(`--${name} must be at most ${s.maximum}, got ${n}`);
  return n;
}

/** Refuses positional arguments past the `max` a command takes. */
export function atMostPositional(positional: string[], max: number): void {
  if (positional.length > max) throw new UsageError(`unexpected argument${positional.length - max === 1 ? '' : 's'}: ${positional.slice(max).join(' ')}`);
}
