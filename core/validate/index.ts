// Validation: YAML syntax, schema and semantic checks -> problems with exact ranges.
// `analyzeText` does the per-file work once (parse, schema, local checks, symbols); the
// cross-file part reads the workspace index and is cheap to redo when another file changes.
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { resolve, isAbsolute } from 'node:path';
import { glob } from 'tinyglobby';
import { reparse, type ParsedYaml, type Range } from '../model/document';
import { FILE_KINDS, IGNORED_DIRS, findWorkspaceFiles, isFileKind, kindFromPath, type FileKind } from '../model/load';
import { extractSymbols, type FileSymbols } from '../model/symbols';
import { WorkspaceIndex } from '../model/workspace-index';
import { schemaPathProblems, revalidateItem, type PathProblem } from './schema-check';
import { schemaFor } from './schemas';
import { localProblems, crossFileProblems, crossFileProblemSteps } from './semantic';
import { runSteps, type Steps } from '../model/steps';
import { suggest } from './suggest';
import { tabProblems, indentationProblems, plainSyntaxMessage } from './syntax';
import type { Problem } from './problem';

export type { Problem, Severity, ProblemData } from './problem';
export { formatProblem } from './problem';
export { WorkspaceIndex };

export interface Analysis {
  file: string;
  /** The file's kind (from `kind:`, else from its name); undefined for YAML that is not ours. */
  kind?: FileKind;
  parsed: ParsedYaml;
  symbols: FileSymbols;
  /** Syntax, schema and single-file problems. */
  local: Problem[];
  /** The schema problems among `local`, with the path of the value each is about (for re-validating one item after an edit). */
  schema?: PathProblem[];
}

/** Decides the kind: `kind:` wins; `*.profile.yaml` holding `profiles:` is a collection. */
function detectKind(parsed: ParsedYaml, file: string): { kind?: FileKind; declared?: unknown; ours: boolean } {
  const root = parsed.root;
  const kindPair = root?.type === 'map' ? root.items.find((p) => p.key.value === 'kind') : undefined;
  const declared = kindPair?.value?.type === 'scalar' ? kindPair.value.value : kindPair ? kindPair.value : undefined;
  if (isFileKind(declared)) return { kind: declared, ours: true };
  let kind = kindFromPath(file) ?? kindFromModeline(parsed.text);
  if (kind === 'profile' && root?.type === 'map' && root.items.some((p) => p.key.value === 'profiles')) kind = 'profiles';
  return { kind, declared, ours: kind !== undefined || kindPair !== undefined };
}

const MODELINE = /^#\s*yaml-language-server:\s*\$schema=\S*?\b(profile|profiles|scenario|suite|rewards|workspace)\.schema\.json/m;

/** The kind named by a `# yaml-language-server: $schema=...` modeline in the first lines. */
function kindFromModeline(text: string): FileKind | undefined {
  const m = MODELINE.exec(text.slice(0, 2000));
  return m ? (m[1] as FileKind) : undefined;
}

/**
 * Parses and checks one file. With `previous` (the analysis of this file's previous text) an
 * edit inside a plain value reuses the previous tree; `previous` must not be used afterwards.
 * With `fastOnly`, a text the fast parser cannot read throws NeedsSlowPath (nothing consumed).
 */
export function analyzeText(text: string, file: string, previous?: Analysis, opts: { fastOnly?: boolean } = {}): Analysis {
  if (previous && previous.file === file && previous.parsed.text === text) return previous;
  const parsed = reparse(previous?.file === file ? previous.parsed : undefined, text, opts.fastOnly);
  const { kind, declared, ours } = detectKind(parsed, file);
  const local: Problem[] = [];
  // Syntax: one problem per line, in plain words. Tabs and misindented lines are read from the
  // text (they explain the parser's cascade of errors); else the parser's errors, plainer.
  const hasErrors = parsed.errors.some((e) => e.severity === 'error');
  const explained = hasErrors ? tabProblems(parsed.lines) : [];
  if (hasErrors && explained.length === 0 && parsed.errors.some((e) => STRUCTURE.test(e.message))) explained.push(...indentationProblems(parsed.lines));
  if (explained.length) {
    for (const x of explained.slice(0, MAX_SYNTAX_ERRORS)) local.push({ file, range: x.range, message: x.message, severity: 'error', code: 'syntax' });
    if (explained.length > MAX_SYNTAX_ERRORS) local.push({ ...local[local.length - 1], message: `…and ${explained.length - MAX_SYNTAX_ERRORS} more lines like this after this one` });
  } else {
    let unclosed: { range: Range; message: string } | null | undefined;
    const lines = new Set<number>();
    let more = 0;
    for (const e of parsed.errors) {
      const placed = UNCLOSED.test(e.message) ? (unclosed === undefined ? (unclosed = findUnclosed(parsed, e.span)) : unclosed) : null;
      const p = { file, ...(placed ?? { range: syntaxRange(parsed, e.span), message: plainSyntaxMessage(e.message) }), severity: e.severity, code: 'syntax' };
      // One problem per line: the parser's later errors on a line follow from its first.
      if (lines.has(p.range.start.line)) continue;
      lines.add(p.range.start.line);
      if (local.length < MAX_SYNTAX_ERRORS) local.push(p); else more++;
    }
    if (more > 0) local.push({ ...local[local.length - 1], message: `…and ${more} more syntax errors after this one` });
  }
  const symbols = reusableSymbols(previous, parsed) ?? extractSymbols(file, kind, parsed);
  if (!ours || parsed.errors.some((e) => e.severity === 'error')) return { file, kind, parsed, symbols, local };
  if (declared !== undefined && !isFileKind(declared)) {
    const root = parsed.root as Extract<typeof parsed.root, { type: 'map' }>;
    const pair = root.items.find((p) => p.key.value === 'kind')!;
    const hint = typeof declared === 'string' ? suggest(declared, FILE_KINDS) : undefined;
    local.push({ file, range: parsed.lines.range((pair.value ?? pair.key).span), severity: 'error', code: 'unknown-kind', data: { suggestion: hint },
      message: `\`kind\` must be one of ${FILE_KINDS.map((k) => `\`${k}\``).join(', ')}` + (hint ? `; did you mean \`${hint}\`?` : '') });
    return { file, kind: undefined, parsed, symbols, local };
  }
  if (!kind) return { file, kind, parsed, symbols, local };
  if (parsed.root === null) {
    const required = (schemaFor(kind).s.required as string[] | undefined) ?? ['kind'];
    local.push({ file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', code: 'empty-file',
      data: { missing: required, insertAt: parsed.lines.positionAt(parsed.text.length), indent: 0, schemaPath: [] },
      message: `empty ${kind} file: start with \`kind: ${kind}\`` + (required.length > 1 ? ` and the required fields ${required.filter((r) => r !== 'kind').map((r) => `\`${r}\``).join(', ')}` : '') });
    return { file, kind, parsed, symbols, local };
  }
  let schema: PathProblem[] | undefined;
  try {
    schema = (previous?.schema && previous.kind === kind ? revalidateItem(file, kind, parsed, previous.schema) : undefined) ?? schemaPathProblems(file, kind, parsed);
    for (const p of schema) local.push(p.problem);
    local.push(...localProblems(file, kind, parsed, symbols));
  } catch (e) {
    // A document too deep for the validator's stack: report it instead of failing.
    local.push({ file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: parsed.lines.lineEnd(0) } }, severity: 'error', code: 'internal', message: `cannot validate this file: ${(e as Error).message}` });
    schema = undefined;
  }
  return { file, kind, parsed, symbols, local, schema };
}

/**
 * The previous symbols, when an incremental edit changed one scalar on a line that holds no id,
 * reference or glob and ends no entry: their ranges are all unchanged.
 */
function reusableSymbols(previous: Analysis | undefined, parsed: ParsedYaml): FileSymbols | undefined {
  const edit = parsed.edit;
  if (!edit || !previous) return undefined;
  const s = previous.symbols;
  const line = edit.line;
  if (s.defs.some((d) => d.range.start.line === line || d.entryRange.end.line === line)) return undefined;
  if (s.refs.some((r) => r.range.start.line === line) || s.globs.some((g) => g.range.start.line === line)) return undefined;
  return s;
}

/** Parser errors that come from a misindented line. */
const STRUCTURE = /Nested mappings|Implicit keys|Implicit map keys|block sequence may not|must start at the same column|Sequence item without|bad indentation|indent/i;

const UNCLOSED = /Missing closing "?'?quote|end with a [\]}]/;
const OPENERS: Record<string, string> = { '"': 'double quote', "'": 'single quote', '[': '`]`', '{': '`}`' };

/**
 * Where to show an unclosed quote or bracket. The parser reports an unclosed quote or bracket where it gave
 * up (often the end of the file); point instead at the last value before that which opens one
 * and does not close it on its line.
 */
const MAX_SYNTAX_ERRORS = 20;

function findUnclosed(parsed: ParsedYaml, span: [number, number]): { range: Range; message: string } | null {
  {
    const L = parsed.lines;
    const last = L.lineOf(span[0]);
    for (let l = Math.min(last, L.lineCount - 1); l >= 0; l--) {
      const t = L.lineText(l);
      const m = /^(\s*(?:-\s+)*(?:[^\s#'"[\]{}:][^:#]*:\s+)?)(["'[{])/.exec(t);
      if (!m || /^\s*#/.test(t)) continue;
      const open = m[2];
      const body = t.slice(m[1].length + 1);
      const closed = open === '"' ? /(^|[^\\])"/.test(body) : open === "'" ? body.includes("'") : balanced(open + body);
      if (closed) continue;
      const start = L.starts[l] + m[1].length;
      return { range: { start: L.positionAt(start), end: L.positionAt(L.lineEnd(l)) }, message: `unclosed ${OPENERS[open]}: this value opens one and it is never closed` };
    }
  }
  return null;
}

function balanced(s: string): boolean {
  let depth = 0;
  let quote = '';
  for (const ch of s) {
    if (quote) { if (ch === quote) quote = ''; continue; }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
  }
  return depth <= 0;
}

/** A syntax error's range, kept on the line where it starts (never running to the end of the file). */
function syntaxRange(parsed: ParsedYaml, span: [number, number]): Range {
  const L = parsed.lines;
  const start = L.positionAt(span[0]);
  const lineEnd = L.lineEnd(start.line);
  let end = Math.min(Math.max(span[1], span[0]), lineEnd);
  if (end <= span[0]) end = Math.min(span[0] + 1, lineEnd);
  if (end <= span[0]) {
    // An empty line: point at its start (or the end of the previous line's content).
    return { start, end: start };
  }
  return { start, end: L.positionAt(end) };
}

/** Every problem of one file. With an index, cross-file checks run too (this text stands in for the file's indexed version). */
export function validateText(text: string, path: string, index?: WorkspaceIndex): Problem[] {
  const a = analyzeText(text, path);
  return sortProblems(index && a.kind ? [...a.local, ...crossFileProblems(a.symbols, index)] : a.local);
}

const RANK = { error: 0, warning: 1, info: 2 } as const;

/** In text order, one problem per range (the most severe, first found): an editor shows no two diagnostics on one range. */
export function sortProblems(ps: Problem[]): Problem[] {
  // A stable sort by start (the input is mostly in order already), then within each run of one
  // start (almost always one problem) one problem per end.
  const sorted = [...ps].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const out: Problem[] = [];
  let run = 0;
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (!last || last.range.start.line !== p.range.start.line || last.range.start.character !== p.range.start.character) run = out.length;
    let same = -1;
    for (let i = run; i < out.length; i++) if (out[i].range.end.line === p.range.end.line && out[i].range.end.character === p.range.end.character) { same = i; break; }
    if (same < 0) out.push(p);
    else if (RANK[p.severity] < RANK[out[same].severity]) out[same] = p;
  }
  return out;
}

/** Cross-file problems of a file's symbols, kept until the index changes (an edit that moved no id reuses its symbols). */
const crossFileCache = new WeakMap<FileSymbols, { index: WorkspaceIndex; generation: number; root?: string; problems: Problem[] }>();

function* cachedCrossFileProblems(symbols: FileSymbols, index: WorkspaceIndex): Steps<Problem[]> {
  const hit = crossFileCache.get(symbols);
  if (hit && hit.index === index && hit.generation === index.generation && hit.root === index.root) return hit.problems;
  const generation = index.generation;
  const root = index.root;
  const problems = yield* crossFileProblemSteps(symbols, index);
  // Kept only when the index did not change meanwhile. A missing file is looked for on disk as
  // well: not kept, it may appear without an index change.
  if (index.generation === generation && !problems.some((p) => p.code === 'missing-file')) crossFileCache.set(symbols, { index, generation, root, problems });
  return problems;
}

/** A file's problems; with an index, its cross-file checks too (without one, the file is checked alone). */
export function problemsOf(a: Analysis, index: WorkspaceIndex | undefined): Problem[] {
  return runSteps(problemSteps(a, index));
}

/** `problemsOf` in steps (see core/model/steps.ts). */
export function* problemSteps(a: Analysis, index: WorkspaceIndex | undefined): Steps<Problem[]> {
  if (!index || !a.kind || a.local.some((p) => p.code === 'syntax' && p.severity === 'error')) return sortProblems(a.local);
  return sortProblems([...a.local, ...(yield* cachedCrossFileProblems(a.symbols, index))]);
}

/** Reads and analyzes files, filling the index. Unreadable files become problems. */
export async function indexFiles(index: WorkspaceIndex, files: string[]): Promise<Map<string, Analysis | Problem>> {
  const out = new Map<string, Analysis | Problem>();
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (e) {
      out.set(f, { file: f, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', code: 'unreadable', message: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
      continue;
    }
    const a = analyzeText(text, f);
    index.update(a.symbols);
    out.set(f, a);
  }
  return out;
}

/**
 * Validates the workspace under `root`. `paths` (files, folders or globs, relative to the
 * current directory) limit which files are reported; the whole workspace is always indexed so
 * references resolve. Keys are absolute paths.
 */
export async function validateWorkspace(root: string, paths?: string[]): Promise<Map<string, Problem[]>> {
  const absRoot = resolve(root);
  const index = new WorkspaceIndex(absRoot);
  const all = await findWorkspaceFiles(absRoot);
  const selected = paths?.length ? await expandPaths(paths) : all;
  const extra = selected.filter((f) => !all.includes(f));
  const results = await indexFiles(index, [...all, ...extra]);
  const out = new Map<string, Problem[]>();
  for (const f of selected) {
    const r = results.get(f);
    if (!r) continue;
    out.set(f, 'parsed' in r ? problemsOf(r, index) : [r]);
  }
  return out;
}

/** Files, folders and globs -> absolute file paths (folders: the workspace file patterns inside). */
export async function expandPaths(paths: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const p of paths) {
    const abs = isAbsolute(p) ? p : resolve(p);
    if (existsSync(abs) && statSync(abs).isDirectory()) { for (const f of await findWorkspaceFiles(abs)) out.add(f); continue; }
    if (existsSync(abs)) { out.add(abs); continue; }
    const hits = await glob([p], { absolute: true, ignore: [...IGNORED_DIRS], dot: false });
    if (!hits.length) throw new Error(`no file matches '${p}'`);
    for (const h of hits) out.add(resolve(h));
  }
  return [...out].sort();
}
