// Editor features over core's document model: completion, hover, definition, references,
// rename, document symbols and quick fixes. Plain data shaped like LSP's, so the server passes
// it through; no LSP imports here.
import { basename, dirname, join } from 'node:path';
import type { Analysis } from '../validate/index';
import type { Problem } from '../validate/problem';
import type { Position, Range, YNode } from '../model/document';
import { REF_FIELDS, TRANSITION_EVENTS, LOCAL_KINDS, type IdKind, type SymbolDef, type SymbolRef } from '../model/symbols';
import type { WorkspaceIndex } from '../model/workspace-index';
import type { FileKind } from '../model/load';
import { BUILT_IN_TACTICS } from '../library/tactics';
import { schemaAt, objectKeys, pickBranch, flatten, type Located, type Schema } from '../validate/schemas';
import { cursorContext, type CursorContext } from './context';

export interface TextEdit { range: Range; newText: string }
export interface CompletionItem {
  label: string;
  /** LSP CompletionItemKind: 10 Property, 12 Value, 18 Reference, 13 Enum member, 6 Variable. */
  kind: number;
  detail?: string;
  documentation?: { kind: 'markdown'; value: string };
  sortText?: string;
  filterText?: string;
  textEdit: TextEdit;
  /** 2 = snippet. */
  insertTextFormat?: 1 | 2;
  /** 1 = as is (the text carries its own indentation). */
  insertTextMode?: 1 | 2;
}
export interface Location { uri: string; range: Range }
export interface Hover { contents: { kind: 'markdown'; value: string }; range?: Range }
export interface DocumentSymbol { name: string; detail?: string; kind: number; range: Range; selectionRange: Range; children?: DocumentSymbol[] }
export interface WorkspaceEdit {
  documentChanges: ({ kind: 'create'; uri: string; options?: { ignoreIfExists?: boolean } } | { textDocument: { uri: string; version: null }; edits: TextEdit[] })[];
}
export interface CodeAction { title: string; kind: 'quickfix'; diagnostics?: unknown[]; isPreferred?: boolean; edit: WorkspaceEdit }

export type ToUri = (file: string) => string;

const KIND_ICON: Record<IdKind, number> = { profile: 18, scenario: 18, suite: 18, backend: 6, training: 6, tactic: 13, target: 18, policy: 18, 'rewards-file': 17 };

function md(value: string): { kind: 'markdown'; value: string } { return { kind: 'markdown', value }; }

/** Markdown docs for a schema node: description, allowed values, default. */
export function schemaDoc(name: string, loc: Located | undefined): string {
  if (!loc) return `\`${name}\``;
  const s = pickBranch(loc, 'object').s;
  const parts = [`**${name}**` + (s.type ? ` · ${Array.isArray(s.type) ? s.type.join(' | ') : s.type}` : '')];
  const desc = loc.s.description ?? s.description;
  if (desc) parts.push(desc);
  if (Array.isArray(s.enum)) parts.push(`Allowed: ${s.enum.map((e: unknown) => `\`${String(e)}\``).join(', ')}`);
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`Range: ${s.minimum ?? '−∞'} .. ${s.maximum ?? '∞'}`);
  const def = loc.s.default ?? s.default;
  if (def !== undefined) parts.push(`Default: \`${JSON.stringify(def)}\``);
  return parts.join('\n\n');
}

function refFieldAt(kind: FileKind, valuePath: string[]) {
  return REF_FIELDS.find((r) => r.file === kind && r.path.length === valuePath.length && r.path.every((seg, i) => seg === valuePath[i] || (seg === '*' && valuePath[i] === '*')));
}

function scalarSnippet(s: Schema): string {
  if (Array.isArray(s.enum)) return `\${1|${s.enum.map((e: unknown) => String(e).replace(/[,|]/g, '')).join(',')}|}`;
  if (s.const !== undefined) return String(s.const);
  if (s.default !== undefined && typeof s.default !== 'object') return `\${1:${String(s.default)}}`;
  if (s.type === 'boolean') return '${1|true,false|}';
  return '$1';
}

/** A snippet for `key:` and a starting value, indented for column `col`. */
function keySnippet(name: string, loc: Located, col: number): string {
  const f = pickBranch(loc, 'object');
  const s = f.s;
  const pad = ' '.repeat(col + 2);
  const type = Array.isArray(s.type) ? s.type[0] : s.type ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
  if (type === 'object' && s.properties) {
    const req = (s.required ?? []) as string[];
    if (req.length) return `${name}:\n` + req.map((r, i) => `${pad}${r}: ${i === 0 ? '$1' : ''}`).join('\n') + '$0';
    return `${name}:\n${pad}$0`;
  }
  if (type === 'array') {
    const item = s.items ? flatten({ s: s.items, file: f.file }) : undefined;
    const req = (item?.s.required ?? []) as string[];
    if (item && req.length) return `${name}:\n${pad}- ` + req.map((r, i) => (i === 0 ? `${r}: $1` : `${pad}  ${r}: `)).join('\n') + '$0';
    return `${name}:\n${pad}- $0`;
  }
  return `${name}: ${scalarSnippet(s)}`;
}

export interface CompletionList { isIncomplete: boolean; items: CompletionItem[] }

/** Completion at a position. `isIncomplete` is set when ids were cut to those matching the typed prefix. */
export function complete(a: Analysis, pos: Position, index: WorkspaceIndex): CompletionList {
  const none = { isIncomplete: false, items: [] };
  if (!a.kind) return none;
  const lines = a.parsed.lines;
  const ctx = cursorContext(lines, pos);
  if (ctx.inText) return none;
  const range: Range = { start: { line: pos.line, character: ctx.prefixStart }, end: pos };
  if (ctx.position === 'key') return { isIncomplete: false, items: keyItems(a.kind, ctx, ctx.path, range) };
  if (ctx.position === 'value') return valueItems(a, index, [...ctx.path, ctx.key!], range, ctx.prefix);
  // After `- `: a new item's first key, or a scalar item.
  const itemPath = ctx.key ? [...ctx.path, ctx.key, '*'] : ctx.path;
  const item = schemaAt(a.kind, itemPath);
  if (!ctx.key && item && pickBranch(item, 'object').s.properties && !refFieldAt(a.kind, itemPath)) return { isIncomplete: false, items: keyItems(a.kind, ctx, itemPath, range) };
  return valueItems(a, index, itemPath, range, ctx.prefix);
}

function keyItems(kind: FileKind, ctx: CursorContext, path: string[], range: Range): CompletionItem[] {
  const loc = schemaAt(kind, path);
  if (!loc) return [];
  const { properties, required } = objectKeys(loc);
  const out: CompletionItem[] = [];
  for (const [name, p] of Object.entries(properties)) {
    if (ctx.siblings.includes(name)) continue;
    const isReq = required.includes(name);
    out.push({
      label: name, kind: 10, detail: isReq ? 'required' : undefined,
      documentation: md(schemaDoc(name, p)),
      sortText: `${isReq ? '0' : '1'}${name === 'kind' ? '0' : '1'}${name}`,
      filterText: name,
      textEdit: { range, newText: keySnippet(name, p, ctx.column) },
      insertTextFormat: 2, insertTextMode: 1,
    });
  }
  return out;
}

/** Most ids offered at once; with more, only those starting with what is typed. */
export const MAX_ID_ITEMS = 2000;

function valueItems(a: Analysis, index: WorkspaceIndex, valuePath: string[], range: Range, prefix: string): CompletionList {
  const kind = a.kind!;
  const out: CompletionItem[] = [];
  let isIncomplete = false;
  const seen = new Set<string>();
  const add = (label: string, k: number, doc?: string, detail?: string) => {
    if (seen.has(label)) return;
    seen.add(label);
    out.push({ label, kind: k, detail, documentation: doc ? md(doc) : undefined, sortText: `${out.length}`.padStart(6, '0'), textEdit: { range, newText: label } });
  };
  const ref = refFieldAt(kind, valuePath);
  if (ref) {
    if (ref.event) {
      for (const e of TRANSITION_EVENTS) add(e, 12);
      for (const t of tactics(index, a.file)) add(`tactic:${t.name}`, 13, t.description);
      for (const id of a.symbols.defs.filter((d) => d.kind === 'target').map((d) => d.id)) add(`target_met:${id}`, 18);
      return { isIncomplete, items: out };
    }
    for (const b of ref.builtins ?? []) add(b, 12, undefined, 'built in');
    if (ref.kind === 'tactic') for (const t of tactics(index, a.file)) add(t.name, 13, t.description);
    else if (ref.kind !== 'rewards-file') {
      const ids = LOCAL_KINDS.has(ref.kind) ? a.symbols.defs.filter((d) => d.kind === ref.kind).map((d) => d.id) : index.ids(ref.kind, a.file);
      let cap = ids;
      if (ids.length > MAX_ID_ITEMS) {
        const matching = ids.filter((id) => id.startsWith(prefix));
        cap = matching.slice(0, MAX_ID_ITEMS);
        isIncomplete = true;
      }
      // Profile summaries as docs while the list is short; a long list stays light to send.
      const withDocs = cap.length <= 200;
      for (const id of cap) {
        const def = LOCAL_KINDS.has(ref.kind) || !withDocs ? undefined : index.defs(ref.kind, id, a.file)[0];
        add(id, KIND_ICON[ref.kind], def?.summary, def ? basename(def.file) : undefined);
      }
    }
  }
  const loc = schemaAt(kind, valuePath);
  if (loc) {
    for (const t of ['string', 'object', 'array', 'number', 'boolean']) {
      const s = pickBranch(loc, t).s;
      if (Array.isArray(s.enum)) for (const e of s.enum) add(String(e), 13, loc.s.description);
      if (s.const !== undefined) add(String(s.const), 13, loc.s.description);
      if (s.type === 'boolean') { add('true', 12); add('false', 12); }
    }
  }
  return { isIncomplete, items: out };
}

function tactics(index: WorkspaceIndex, file: string): { name: string; description?: string }[] {
  const out: { name: string; description?: string }[] = BUILT_IN_TACTICS.map((t) => ({ name: t.name, description: t.description }));
  for (const id of index.ids('tactic', file)) if (!out.some((t) => t.name === id)) out.push({ name: id, description: 'Defined in `userlm.yaml`.' });
  return out;
}

// ---------------------------------------------------------------- symbols under the cursor

function contains(r: Range, p: Position): boolean {
  const afterStart = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const beforeEnd = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return afterStart && beforeEnd;
}

export function symbolAt(a: Analysis, pos: Position): { kind: IdKind; id: string; def?: SymbolDef; ref?: SymbolRef } | undefined {
  for (const d of a.symbols.defs) if (contains(d.range, pos)) return { kind: d.kind, id: d.id, def: d };
  for (const r of a.symbols.refs) if (contains(r.range, pos)) return { kind: r.kind, id: r.id, ref: r };
  return undefined;
}

export function definition(a: Analysis, pos: Position, index: WorkspaceIndex, toUri: ToUri): Location[] {
  const s = symbolAt(a, pos);
  if (!s) return [];
  if (s.kind === 'rewards-file' && s.ref?.target) return [{ uri: toUri(s.ref.target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }];
  const defs = LOCAL_KINDS.has(s.kind) ? a.symbols.defs.filter((d) => d.kind === s.kind && d.id === s.id) : index.defs(s.kind, s.id, a.file);
  return defs.map((d) => ({ uri: toUri(d.file), range: d.range }));
}

export function references(a: Analysis, pos: Position, index: WorkspaceIndex, toUri: ToUri, includeDeclaration: boolean): Location[] {
  const s = symbolAt(a, pos);
  if (!s || s.kind === 'rewards-file') return [];
  const local = LOCAL_KINDS.has(s.kind);
  const refs = local ? a.symbols.refs.filter((r) => r.kind === s.kind && r.id === s.id) : index.refs(s.kind, s.id, a.file);
  const defs = includeDeclaration ? (local ? a.symbols.defs.filter((d) => d.kind === s.kind && d.id === s.id) : index.defs(s.kind, s.id, a.file)) : [];
  return [...defs, ...refs].map((x) => ({ uri: toUri(x.file), range: x.range }));
}

const ID_RE = /^[a-z0-9][a-z0-9_-]*$/;
const TACTIC_RE = /^[a-z][a-z0-9_]*$/;

export function prepareRename(a: Analysis, pos: Position): { range: Range; placeholder: string } | undefined {
  const s = symbolAt(a, pos);
  if (!s || s.kind === 'rewards-file') return undefined;
  if (s.kind === 'tactic' && BUILT_IN_TACTICS.some((t) => t.name === s.id)) return undefined;
  if (s.ref?.builtins?.includes(s.id)) return undefined;
  return { range: (s.def ?? s.ref)!.range, placeholder: s.id };
}

/** Rename an id everywhere it is defined and referenced. Throws with a message when the new name is not a valid id. */
export function rename(a: Analysis, pos: Position, newName: string, index: WorkspaceIndex, toUri: ToUri): WorkspaceEdit | undefined {
  const s = symbolAt(a, pos);
  if (!s || !prepareRename(a, pos)) return undefined;
  const re = s.kind === 'tactic' ? TACTIC_RE : ID_RE;
  if (!re.test(newName)) throw new Error(`'${newName}' is not a valid ${s.kind} id: use lowercase letters, digits${s.kind === 'tactic' ? ' and _' : ', - and _'}`);
  const locs = references(a, pos, index, toUri, true);
  const byUri = new Map<string, TextEdit[]>();
  for (const l of locs) {
    const list = byUri.get(l.uri) ?? [];
    if (!list.some((e) => e.range.start.line === l.range.start.line && e.range.start.character === l.range.start.character)) list.push({ range: l.range, newText: newName });
    byUri.set(l.uri, list);
  }
  return { documentChanges: [...byUri].map(([uri, edits]) => ({ textDocument: { uri, version: null }, edits })) };
}

// ---------------------------------------------------------------- hover

export function hover(a: Analysis, pos: Position, index: WorkspaceIndex): Hover | undefined {
  if (!a.kind) return undefined;
  const s = symbolAt(a, pos);
  if (s?.ref) {
    const r = s.ref;
    if (r.builtins?.includes(r.id)) return { contents: md(`\`${r.id}\`: built in`), range: r.range };
    if (s.kind === 'tactic') {
      const t = tactics(index, a.file).find((x) => x.name === s.id);
      return { contents: md(t ? `**${t.name}** (tactic)\n\n${t.description ?? ''}` : `unknown tactic \`${s.id}\``), range: r.range };
    }
    const defs = LOCAL_KINDS.has(s.kind) ? a.symbols.defs.filter((d) => d.kind === s.kind && d.id === s.id) : index.defs(s.kind, s.id, a.file);
    const d = defs[0];
    const text = d ? (d.summary ?? `${s.kind} \`${s.id}\``) + `\n\nDefined in \`${basename(d.file)}\` line ${d.range.start.line + 1}` : `no ${s.kind} \`${s.id}\` in the workspace`;
    return { contents: md(text), range: r.range };
  }
  // A key or value: the field's docs from the schema.
  const lines = a.parsed.lines;
  const text = lines.lineText(pos.line);
  const wordEnd = (() => { let i = pos.character; while (i < text.length && /[\w-]/.test(text[i])) i++; return i; })();
  const ctx = cursorContext(lines, { line: pos.line, character: wordEnd });
  const colon = text.indexOf(':', ctx.column);
  const onKey = ctx.position === 'value' && colon >= 0 && pos.character <= colon;
  const name = ctx.position === 'key' ? ctx.prefix : ctx.key;
  if (!name) return undefined;
  const path = ctx.position === 'key' || onKey || ctx.position === 'value' ? [...ctx.path, name] : ctx.path;
  const loc = schemaAt(a.kind, path);
  if (!loc) return undefined;
  const start = text.indexOf(name, ctx.column);
  return { contents: md(schemaDoc(name, loc)), range: start >= 0 ? { start: { line: pos.line, character: start }, end: { line: pos.line, character: start + name.length } } : undefined };
}

// ---------------------------------------------------------------- document symbols

const SYM = { file: 1, module: 2, namespace: 3, class: 5, field: 8, array: 18, object: 19, key: 20, string: 15, number: 16, boolean: 17 };

export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const root = a.parsed.root;
  if (!root || root.type !== 'map') return [];
  const L = a.parsed.lines;
  const build = (node: YNode | null, depth: number): DocumentSymbol[] | undefined => {
    if (!node || depth > 3) return undefined;
    if (node.type === 'map') return node.items.map((p) => ({
      name: String(p.key.value), kind: symKind(p.value), range: L.range(p.span), selectionRange: L.range(p.key.span),
      detail: p.value?.type === 'scalar' ? short(p.value.value) : undefined, children: build(p.value, depth + 1),
    }));
    if (node.type === 'seq') return node.items.flatMap((item, i) => {
      if (!item) return [];
      const name = item.type === 'map' ? item.items.find((p) => p.key.value === 'id' || p.key.value === 'name')?.value : undefined;
      const label = name?.type === 'scalar' ? String(name.value) : item.type === 'scalar' ? short(item.value) ?? `[${i}]` : `[${i}]`;
      return [{ name: label, kind: item.type === 'map' ? SYM.object : symKind(item), range: L.range(item.span), selectionRange: L.range(name ? name.span : item.span), children: item.type === 'map' ? build(item, depth + 1) : undefined }];
    });
    return undefined;
  };
  return build(root, 0) ?? [];
}

function short(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v);
  return s.length > 60 ? s.slice(0, 57) + '…' : s;
}

function symKind(n: YNode | null): number {
  if (!n) return SYM.key;
  if (n.type === 'map') return SYM.object;
  if (n.type === 'seq') return SYM.array;
  if (n.type === 'scalar') return typeof n.value === 'number' ? SYM.number : typeof n.value === 'boolean' ? SYM.boolean : SYM.string;
  return SYM.key;
}

// ---------------------------------------------------------------- quick fixes

/** A skeleton value for a required field (its default, example, or a placeholder). */
function skeleton(name: string, loc: Located | undefined, indent: number): string {
  const pad = ' '.repeat(indent);
  if (!loc) return `${pad}${name}: todo\n`;
  const s = pickBranch(loc, 'object').s;
  const type = Array.isArray(s.type) ? s.type[0] : s.type ?? (s.properties ? 'object' : s.items ? 'array' : 'string');
  if (type === 'object') {
    const { properties, required } = objectKeys(loc);
    return `${pad}${name}:\n` + required.map((r) => skeleton(r, properties[r], indent + 2)).join('');
  }
  if (type === 'array') {
    const item = s.items ? flatten({ s: s.items, file: loc.file }) : undefined;
    const req = item ? objectKeys(item) : undefined;
    if (req && req.required.length) {
      const inner = req.required.map((r) => skeleton(r, req.properties[r], indent + 4)).join('');
      return `${pad}${name}:\n${pad}  - ${inner.trimStart()}`;
    }
    return `${pad}${name}:\n${pad}  - todo\n`;
  }
  const value = s.const ?? s.default ?? (Array.isArray(s.examples) ? s.examples[0] : undefined) ?? (Array.isArray(s.enum) ? s.enum[0] : undefined) ?? (type === 'number' || type === 'integer' ? 0 : type === 'boolean' ? false : 'todo');
  return `${pad}${name}: ${typeof value === 'string' && /[:#]|^\s|\s$/.test(value) ? JSON.stringify(value) : String(value)}\n`;
}

export function profileTemplate(id: string): string {
  const name = id.split(/[-_]/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(' ') || 'New Person';
  return [
    'kind: profile', `id: ${id}`, `name: ${name}`, 'demographics:', '  age: 40', '  occupation: ""', '  language: en',
    'background: >-', '  Who this person is and what matters to them.', 'personality:', '  traits: []', 'expression:',
    '  verbosity: standard', '  formality: neutral', '  patience: 0.6', '',
  ].join('\n');
}

export function codeActions(a: Analysis, problems: Problem[], toUri: ToUri, workspaceRoot: string | undefined): CodeAction[] {
  const uri = toUri(a.file);
  const out: CodeAction[] = [];
  const edit = (edits: TextEdit[]): WorkspaceEdit => ({ documentChanges: [{ textDocument: { uri, version: null }, edits }] });
  for (const p of problems) {
    const d = p.data ?? {};
    const diag = [{ range: p.range, message: p.message, code: p.code, severity: p.severity === 'error' ? 1 : p.severity === 'warning' ? 2 : 3, source: 'userlm' }];
    if (d.suggestion && p.code !== 'duplicate-id') {
      out.push({ title: `Change to '${d.suggestion}'`, kind: 'quickfix', diagnostics: diag, isPreferred: true, edit: edit([{ range: p.range, newText: d.suggestion }]) });
    }
    if (p.code === 'unknown-key' && d.removeRange) {
      const keyName = /`([^`]+)`/.exec(p.message)?.[1] ?? 'field';
      out.push({ title: `Remove unknown field '${keyName}'`, kind: 'quickfix', diagnostics: diag, edit: edit([{ range: d.removeRange, newText: '' }]) });
    }
    if ((p.code === 'missing-required' || p.code === 'empty-file') && d.missing && d.insertAt && a.kind) {
      const parent = schemaAt(a.kind, (d.schemaPath ?? []) as string[]);
      const props = parent ? objectKeys(parent).properties : {};
      let text = d.missing.map((m) => skeleton(m, props[m], d.indent ?? 0)).join('');
      const L = a.parsed.lines;
      const atEnd = L.offsetAt(d.insertAt) === a.parsed.text.length;
      if (atEnd && a.parsed.text.length > 0 && !a.parsed.text.endsWith('\n')) text = '\n' + text;
      out.push({ title: `Add missing field${d.missing.length > 1 ? 's' : ''} ${d.missing.join(', ')}`, kind: 'quickfix', diagnostics: diag, isPreferred: !d.suggestion, edit: edit([{ range: { start: d.insertAt, end: d.insertAt }, newText: text }]) });
    }
    if (p.code === 'unknown-profile' && d.id && ID_RE.test(d.id)) {
      const root = workspaceRoot ?? dirname(a.file);
      const target = join(root, 'profiles', `${d.id}.profile.yaml`);
      const turi = toUri(target);
      out.push({
        title: `Create profile '${d.id}' in profiles/${d.id}.profile.yaml`, kind: 'quickfix', diagnostics: diag,
        edit: { documentChanges: [{ kind: 'create', uri: turi, options: { ignoreIfExists: true } }, { textDocument: { uri: turi, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: profileTemplate(d.id) }] }] },
      });
    }
  }
  return out;
}
