// Loading workspace files as plain values (no source ranges): what the engine, the CLI and the
// trainer export need. The language server builds its range-aware model on top of the same
// file-kind rules.
import { readFileSync } from 'node:fs';
import { basename, relative, resolve, dirname, isAbsolute } from 'node:path';
import { parseDocument } from 'yaml';
import { glob } from 'tinyglobby';
import { FILE_GLOBS, IGNORED_DIRS, WORKSPACE_FILE_NAMES, kindFromPath, isFileKind, type FileKind } from '../files';
import type { ProfileFields, ProfileCollection, Scenario, Suite, RewardSpec, Workspace } from '../generated/schema-types';

export { FILE_KINDS, FILE_GLOBS, IGNORED_DIRS, kindFromPath, isFileKind, type FileKind } from '../files';

/** An error in a user's file, with a `file:line:col` location. */
export class FileError extends Error {
  constructor(readonly file: string, readonly line: number, readonly col: number, readonly detail: string) {
    super(`${file}:${line}:${col}: ${detail}`);
  }
}

export interface LoadedFile {
  path: string;
  kind: FileKind | undefined;
  value: unknown;
}

/** Parses one YAML file; throws FileError on a syntax error. The `kind:` key wins over the file name. */
export function loadYamlText(text: string, path: string): LoadedFile {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0] ?? { line: 1, col: 1 };
    throw new FileError(path, pos.line, pos.col, err.message.split('\n')[0]);
  }
  const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  const declared = value && typeof value === 'object' ? (value as { kind?: unknown }).kind : undefined;
  return { path, kind: isFileKind(declared) ? declared : kindFromPath(path), value };
}

export function loadYamlFile(path: string): LoadedFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return loadYamlText(text, path);
}

export interface Located<T> { value: T; file: string }

/** Every workspace file as values, by id. Files that fail to parse are listed in `problems`. */
export interface WorkspaceValues {
  root: string;
  config?: Located<Workspace>;
  profiles: Map<string, Located<ProfileFields>>;
  scenarios: Map<string, Located<Scenario>>;
  suites: Map<string, Located<Suite>>;
  rewards: Map<string, Located<RewardSpec>>; // by absolute path
  problems: string[];
}

export async function findWorkspaceFiles(root: string): Promise<string[]> {
  const files = await glob([...FILE_GLOBS], { cwd: root, ignore: [...IGNORED_DIRS], absolute: true, dot: false });
  return files.sort();
}

export async function loadWorkspace(root: string): Promise<WorkspaceValues> {
  const ws: WorkspaceValues = { root: resolve(root), profiles: new Map(), scenarios: new Map(), suites: new Map(), rewards: new Map(), problems: [] };
  for (const file of await findWorkspaceFiles(ws.root)) {
    let loaded: LoadedFile;
    try {
      loaded = loadYamlFile(file);
    } catch (e) {
      ws.problems.push((e as Error).message);
      continue;
    }
    addLoaded(ws, loaded);
  }
  return ws;
}

export function addLoaded(ws: WorkspaceValues, loaded: LoadedFile): void {
  const { value, path: file } = loaded;
  if (!value || typeof value !== 'object') return;
  const v = value as Record<string, unknown>;
  const add = <T>(map: Map<string, Located<T>>, id: unknown, item: T) => {
    if (typeof id !== 'string') return;
    const prev = map.get(id);
    if (prev && prev.file !== file) ws.problems.push(`${relative(ws.root, file)}: duplicate id '${id}' (also in ${relative(ws.root, prev.file)})`);
    else map.set(id, { value: item, file });
  };
  switch (loaded.kind) {
    case 'profile': add(ws.profiles, v.id, v as ProfileFields); break;
    case 'profiles':
      for (const p of ((v as unknown as ProfileCollection).profiles ?? [])) add(ws.profiles, p?.id, p);
      break;
    case 'scenario': add(ws.scenarios, v.id, v as unknown as Scenario); break;
    case 'suite': add(ws.suites, v.id, v as unknown as Suite); break;
    case 'rewards': ws.rewards.set(file, { value: v as unknown as RewardSpec, file }); break;
    case 'workspace': if (!ws.config || WORKSPACE_FILE_NAMES.includes(basename(file))) ws.config = { value: v as unknown as Workspace, file }; break;
  }
}

/** The scenario's profile: the referenced (or inline) profile with `profile_overrides` merged over it. */
export function resolveProfile(ws: WorkspaceValues, scenario: Scenario): ProfileFields & { id: string; name: string } {
  let base: ProfileFields;
  if (typeof scenario.profile === 'string') {
    const found = ws.profiles.get(scenario.profile);
    if (!found) throw new Error(`scenario '${scenario.id}' refers to profile '${scenario.profile}', which is not in the workspace`);
    base = found.value;
  } else {
    base = { id: `${scenario.id}-user`, ...scenario.profile };
  }
  const merged = deepMerge(base, scenario.profile_overrides ?? {}) as ProfileFields;
  return { ...merged, id: merged.id ?? `${scenario.id}-user`, name: merged.name ?? 'User' };
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolves a path written in a file (relative to that file) to an absolute path. */
export function resolveFrom(file: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(file), path);
}

/** The workspace root for a file: the nearest folder above it holding `userlm.yaml` (or `.yml`), else its folder. */
export function findWorkspaceRoot(start: string, exists: (p: string) => boolean): string {
  return nearestWorkspace(start, exists) ?? resolve(start);
}

/** The nearest folder at or above `start` holding `userlm.yaml` or `userlm.yml`; undefined when there is none. */
export function nearestWorkspace(start: string, exists: (p: string) => boolean): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (WORKSPACE_FILE_NAMES.some((n) => exists(resolve(dir, n)))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
