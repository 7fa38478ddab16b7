// The one home of the names that tie files to tools: which file names are workspace files (both
// `.yaml` and `.yml`), their kinds and editor language ids, the built-in ids that need no
// definition, the simulated user's state keys and the paper's metric names. The language
// server, the VS Code client, the CLI and the workspace loader read these; a test checks
// package.json's `contributes.languages` against LANGUAGES.
import { basename } from 'node:path';

export type FileKind = 'profile' | 'profiles' | 'scenario' | 'suite' | 'rewards' | 'workspace';
export const FILE_KINDS: readonly FileKind[] = ['profile', 'profiles', 'scenario', 'suite', 'rewards', 'workspace'];

/** YAML file extensions, preferred first. */
export const YAML_EXTENSIONS = ['yaml', 'yml'] as const;
/** File-name suffixes (before the extension) of the per-kind files: `x.profile.yaml`. */
export const KIND_SUFFIXES = ['profile', 'scenario', 'suite', 'rewards'] as const;
/** The workspace file's names; its folder is one workspace. */
export const WORKSPACE_FILE_NAMES = YAML_EXTENSIONS.map((e) => `userlm.${e}`);
/** The name new workspace files get. */
export const WORKSPACE_FILE = WORKSPACE_FILE_NAMES[0];
/** The workspace file in `folder` (userlm.yaml, else userlm.yml), or undefined when it has none. */
export function workspaceFileIn(folder: string, exists: (path: string) => boolean): string | undefined {
  return WORKSPACE_FILE_NAMES.map((n) => `${folder.replace(/[\\/]+$/, '')}/${n}`).find(exists);
}

export interface LanguageInfo {
  id: string;
  alias: string;
  /** The kinds of files in this language (`*.profile.yaml` holds a profile or a collection). */
  kinds: readonly FileKind[];
  filenamePatterns?: string[];
  filenames?: string[];
}

const patterns = (suffix: string) => YAML_EXTENSIONS.map((e) => `*.${suffix}.${e}`);

/** The editor languages, as package.json declares them. */
export const LANGUAGES: readonly LanguageInfo[] = [
  { id: 'userlm-profile', alias: 'UserLM Profile', kinds: ['profile', 'profiles'], filenamePatterns: patterns('profile') },
  { id: 'userlm-scenario', alias: 'UserLM Scenario', kinds: ['scenario'], filenamePatterns: patterns('scenario') },
  { id: 'userlm-suite', alias: 'UserLM Suite', kinds: ['suite'], filenamePatterns: patterns('suite') },
  { id: 'userlm-rewards', alias: 'UserLM Rewards', kinds: ['rewards'], filenamePatterns: patterns('rewards') },
  { id: 'userlm-workspace', alias: 'UserLM Workspace', kinds: ['workspace'], filenames: [...WORKSPACE_FILE_NAMES] },
];
export const LANGUAGE_IDS: readonly string[] = LANGUAGES.map((l) => l.id);

/** The language id of a kind of file. */
export function languageIdOf(kind: FileKind): string {
  return LANGUAGES.find((l) => l.kinds.includes(kind))!.id;
}
export const SCENARIO_LANGUAGE = languageIdOf('scenario');
export const SUITE_LANGUAGE = languageIdOf('suite');

/** The name a new file of a kind gets: `fileNameFor('scenario', 'x')` → `x.scenario.yaml`, `userlm.yaml` for the workspace. */
export function fileNameFor(kind: Exclude<FileKind, 'profiles'>, stem: string): string {
  return kind === 'workspace' ? WORKSPACE_FILE : `${stem}.${kind}.${YAML_EXTENSIONS[0]}`;
}

/** Every owned file name, as globs below a folder (for tinyglobby and the server's watcher). */
export const FILE_GLOBS: readonly string[] = [...KIND_SUFFIXES.flatMap((s) => YAML_EXTENSIONS.map((e) => `**/*.${s}.${e}`)), ...WORKSPACE_FILE_NAMES.map((n) => `**/${n}`)];
/** The same as one glob (LSP file watchers, VS Code's createFileSystemWatcher). */
export const FILE_GLOB = `**/{${[...KIND_SUFFIXES.flatMap((s) => YAML_EXTENSIONS.map((e) => `*.${s}.${e}`)), ...WORKSPACE_FILE_NAMES].join(',')}}`;
/** Folders never scanned or watched. */
export const IGNORED_DIRS: readonly string[] = ['**/node_modules/**', '**/.userlm/**', '**/out/**', '**/dist/**', '**/.git/**', '**/.tools/**', '**/.venv/**'];
/** The same folder names, for path checks without a glob matcher. */
export const IGNORED_DIR_NAMES: ReadonlySet<string> = new Set(['node_modules', '.userlm', 'out', 'dist', '.git', '.tools', '.venv']);

const KIND_NAME = new RegExp(`\\.(${KIND_SUFFIXES.join('|')})\\.(${YAML_EXTENSIONS.join('|')})$`);

/** Whether a path names the workspace file (`userlm.yaml` or `userlm.yml`). */
export function isWorkspaceFileName(path: string): boolean {
  return WORKSPACE_FILE_NAMES.includes(basename(path));
}

/** The kind a file name suggests (`*.profile.yaml` may also be `profiles`; `kind:` decides). */
export function kindFromPath(path: string): FileKind | undefined {
  if (isWorkspaceFileName(path)) return 'workspace';
  const m = KIND_NAME.exec(basename(path));
  return m ? (m[1] as FileKind) : undefined;
}

/** Whether a path is one of the owned workspace files. */
export function isOwnedFile(path: string): boolean {
  return kindFromPath(path) !== undefined;
}

export function isFileKind(value: unknown): value is FileKind {
  return typeof value === 'string' && (FILE_KINDS as readonly string[]).includes(value);
}

// Built-in ids, state keys and metric names live in ./ids (no imports: the webviews use them too).
export * from './ids';
