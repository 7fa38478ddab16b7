// Editor features over core's document model: completion, hover, definition, references,
// rename, document symbols and quick fixes, as LSP data (`vscode-languageserver-types`), so the
// server passes the results through. What the client can show (snippets, markdown) and a time
// budget come in as `FeatureOptions`; every entry point clamps its position first.
import { basename, dirname, join } from 'node:path';
import {
  CompletionItemKind, InsertTextFormat, InsertTextMode, MarkupKind, SymbolKind, CodeActionKind, DiagnosticSeverity,
  type CompletionItem, type Location, type Hover, type DocumentSymbol, type WorkspaceEdit, type CodeAction,
  type TextEdit, type MarkupContent, type Diagnostic, type SymbolInformation,
} from 'vscode-languageserver-types';
import type { Analysis } from '../validate/index';
import type { Problem } from '../validate/problem';
import type { Position, Range, YNode } from '../model/document';
import { REF_FIELDS, TRANSITION_EVENTS, LOCAL_KINDS, type IdKind, type SymbolDef, type SymbolRef } from '../model/symbols';
import type { WorkspaceIndex } from '../model/workspace-index';
import type { FileKind } from '../model/load';
import { BUILT_IN_TACTICS } from '../library/tactics';
import { schemaAt, objectKeys, pickBranch, flatten, type Located, type Schema } from '../validate/schemas';
import { cursorContext, type CursorContext } from './context';
import { UNLIMITED, type Budget } from './budget';
import { fileNameFor } from '../files';

export type { CompletionItem, Location, Hover, DocumentSymbol, WorkspaceEdit, CodeAction, TextEdit };

/** What the client can show, and how long the request may take. */
export interface FeatureOptions {
  /** Completion items may be snippets (`\${1:…}` placeholders). */
  snippets: boolean;
  /** Documentation may be markdown (else plain text). */
  markdown: boolean;
  budget: Budget;
}
export const FULL_OPTIONS: FeatureOptions = { snippets: true, markdown: true, budget: UNLIMITED };

export type ToUri = (file: string) => string;

const KIND_ICON: Record<IdKind, CompletionItemKind> = {
  profile: CompletionItemKind.Reference, scenario: CompletionItemKind.Reference, suite: CompletionItemKind.Reference,
  backend: CompletionItemKind.Variable, training: CompletionItemKind.Variable, tactic: CompletionItemKind.EnumMember,
  target: CompletionItemKind.Reference, policy: CompletionItemKind.Reference, 'rewards-file': CompletionItemKind.File,
};

/** Markdown, or the same text without markdown's marks for clients that show plain text. */
function doc(value: string, o: Pick<FeatureOptions, 'markdown'>): MarkupContent {
  return o.markdown ? { kind: MarkupKind.Markdown, value } : { kind: MarkupKind.PlainText, value: value.replace(/\*\*|`/g, '') };
}

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

/** A key and a starting value without placeholders, for clients without snippet support. */
function keyPlain(name: string, loc: Located, col: number): string {
  const s = pickBranch(loc, 'object').s;
  const type = Array.isArray(s.type) ? s.type[0] : s.type ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
  const pad = ' '.repeat(col + 2);
  if (type === 'object' && s.properties) return `${name}:\n${pad}`;
  if (type === 'array') return `${name}:\n${pad}- `;
  if (s.const !== undefined) return `${name}: ${String(s.const)}`;
  return `${name}: `;
}

export interface CompletionList { isIncomplete: boolean; items: CompletionItem[] }

/** Completion at a position. `isIncomplete` is set when ids were cut to those matching the typed prefix. */
export function complete(a: Analysis, at: Position, index: WorkspaceIndex, o: FeatureOptions = FULL_OPTIONS): CompletionList {
  const none = { isIncomplete: false, items: [] };
  if (!a.kind) return none;
  const lines = a.parsed.lines;
  const pos = lines.clamp(at);
  const ctx = cursorContext(lines, pos, o.budget);
  if (ctx.inText) return none;
  const range: Range = { start: { line: pos.line, character: ctx.prefixStart }, end: pos };
  // Right after `key:` (no space typed yet) a value needs its space.
  const lead = ctx.lead || (ctx.position !== 'key' && !ctx.flow && lines.lineText(pos.line)[ctx.prefixStart - 1] === ':' ? ' ' : '');
  if (ctx.position === 'key') return { isIncomplete: false, items: keyItems(a.kind, ctx, ctx.path, range, o) };
  if (ctx.position === 'value') return valueItems(a, index, [...ctx.path, ctx.key!], range, ctx.prefix, lead, o);
  // After `- ` (or inside `[...]`): a new item's first key, or a scalar item.
  const itemPath = ctx.key ? [...ctx.path, ctx.key, '*'] : ctx.path;
  const item = schemaAt(a.kind, itemPath);
  if (!ctx.key && !ctx.flow && item && pickBranch(item, 'object').s.properties && !refFieldAt(a.kind, itemPath)) return { isIncomplete: false, items: keyItems(a.kind, ctx, itemPath, range, o) };
  return valueItems(a, index, itemPath, range, ctx.prefix, lead, o);
}

function keyItems(kind: FileKind, ctx: CursorContext, path: string[], range: Range, o: FeatureOptions): CompletionItem[] {
  const loc = schemaAt(kind, path);
  if (!loc) return [];
  const { properties, required } = objectKeys(loc);
  const out: CompletionItem[] = [];
  for (const [name, p] of Object.entries(properties)) {
    if (ctx.siblings.includes(name)) continue;
    const isReq = required.includes(name);
    // Inside `{…}` a key is one line: `name: `.
    const newText = (ctx.lead ?? '') + (ctx.flow ? `${name}: ` : o.snippets ? keySnippet(name, p, ctx.column) : keyPlain(name, p, ctx.column));
    out.push({
      label: name, kind: CompletionItemKind.Property, detail: isReq ? 'required' : undefined,
      documentation: doc(schemaDoc(name, p), o),
      sortText: `${isReq ? '0' : '1'}${name === 'kind' ? '0' : '1'}${name}`,
      filterText: name,
      textEdit: { range, newText },
      insertTextFormat: o.snippets && !ctx.flow ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      insertTextMode: InsertTextMode.asIs,
    });
  }
  return out;
}

/** Most ids offered at once; with more, only those starting with what is typed (at most MAX_CUT_ITEMS). */
export const MAX_ID_ITEMS = 2000;
export const MAX_CUT_ITEMS = 300;

function valueItems(a: Analysis, index: WorkspaceIndex, valuePath: string[], range: Range, prefix: string, lead: string, o: FeatureOptions): CompletionList {
  const kind = a.kind!;
  const out: CompletionItem[] = [];
  let isIncomplete = false;
  const seen = new Set<string>();
  const add = (label: string, k: CompletionItemKind, text?: string, detail?: string) => {
    if (seen.has(label)) return;
    seen.add(label);
    out.push({ label, kind: k, detail, documentation: text ? doc(text, o) : undefined, sortText: `${out.length}`.padStart(6, '0'), filterText: label, textEdit: { range, newText: lead + label } });
  };
  const ref = refFieldAt(kind, valuePath);
  if (ref) {
    if (ref.event) {
      for (const e of TRANSITION_EVENTS) add(e, CompletionItemKind.Value);
      for (const t of tactics(index, a.file)) add(`tactic:${t.name}`, CompletionItemKind.EnumMember, t.description);
      for (const id of a.symbols.defs.filter((d) => d.kind === 'target').map((d) => d.id)) add(`target_met:${id}`, CompletionItemKind.Reference);
      return { isIncomplete, items: out };
    }
    for (const b of ref.builtins ?? []) add(b, CompletionItemKind.Value, undefined, 'built in');
    if (ref.kind === 'tactic') for (const t of tactics(index, a.file)) add(t.name, CompletionItemKind.EnumMember, t.description);
    else if (ref.kind !== 'rewards-file') {
      const ids = LOCAL_KINDS.has(ref.kind) ? a.symbols.defs.filter((d) => d.kind === ref.kind).map((d) => d.id) : index.ids(ref.kind, a.file);
      let cap = ids;
      if (ids.length > MAX_ID_ITEMS) {
        // Too many to send: those starting with what is typed, a few hundred at most; the client asks again as the user types.
        cap = [];
        for (const id of ids) if (id.startsWith(prefix) && cap.push(id) >= MAX_CUT_ITEMS) break;
        isIncomplete = true;
      }
      // Profile summaries as docs while the list is short; a long list stays light to send.
      const withDocs = cap.length <= 200;
      for (const id of cap) {
        if (o.budget.spent()) { isIncomplete = true; break; }
        const def = LOCAL_KINDS.has(ref.kind) || !withDocs ? undefined : index.defs(ref.kind, id, a.file)[0];
        add(id, KIND_ICON[ref.kind], def?.summary, def ? basename(def.file) : undefined);
      }
    }
  }
  const loc = schemaAt(kind, valuePath);
  if (loc) {
    for (const t of ['string', 'object', 'array', 'number', 'boolean']) {
      const s = pickBranch(loc, t).s;
      if (Array.isArray(s.enum)) for (const e of s.enum) add(String(e), CompletionItemKind.EnumMember, loc.s.description);
      if (s.const !== undefined) add(String(s.const), CompletionItemKind.EnumMember, loc.s.description);
      if (s.type === 'boolean') { add('true', CompletionItemKind.Value); add('false', CompletionItemKind.Value); }
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

export function symbolAt(a: Analysis, at: Position): { kind: IdKind; id: string; def?: SymbolDef; ref?: SymbolRef } | undefined {
  const pos = a.parsed.lines.clamp(at);
  for (const d of a.symbols.defs) if (contains(d.range, pos)) return { kind: d.kind, id: d.id, def: d };
  for (const r of a.symbols.refs) if (contains(r.range, pos)) return { kind: r.kind, id: r.id, ref: r };
  return undefined;
}

export function definition(a: Analysis, pos: Position, index: WorkspaceIndex, toUri: ToUri): Location[] {
  const s = symbolAt(a, pos);
  if (!s) return [];
  if (s.kind === 'rewards-file' && s.ref?.target) return [{ uri: toUri(s.ref.target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }];
  const defs = LOCAL_KINDS.has(s.kind) ? a.symbols.defs.filter((d) => d.kind === s.kind && d.id === s.id) : index.defs(s.kind, s.id, a.file);
  return defs.slice(0, MAX_LOCATIONS).map((d) => ({ uri: toUri(d.file), range: d.range }));
}

/** Most locations one request returns (a hostile file can reference one id 100,000 times). */
export const MAX_LOCATIONS = 10000;

export function references(a: Analysis, pos: Position, index: WorkspaceIndex, toUri: ToUri, includeDeclaration: boolean): Location[] {
  const s = symbolAt(a, pos);
  if (!s || s.kind === 'rewards-file') return [];
  const local = LOCAL_KINDS.has(s.kind);
  const refs = local ? a.symbols.refs.filter((r) => r.kind === s.kind && r.id === s.id) : index.refs(s.kind, s.id, a.file);
  const defs = includeDeclaration ? (local ? a.symbols.defs.filter((d) => d.kind === s.kind && d.id === s.id) : index.defs(s.kind, s.id, a.file)) : [];
  return [...defs, ...refs].slice(0, MAX_LOCATIONS).map((x) => ({ uri: toUri(x.file), range: x.range }));
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

export function hover(a: Analysis, at: Position, index: WorkspaceIndex, o: FeatureOptions = FULL_OPTIONS): Hover | undefined {
  if (!a.kind) return undefined;
  const md = (value: string) => doc(value, o);
  const pos = a.parsed.lines.clamp(at);
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
  const ctx = cursorContext(lines, { line: pos.line, character: wordEnd }, o.budget);
  const colon = text.indexOf(':', ctx.column);
  const onKey = ctx.position === 'value' && !ctx.flow && colon >= 0 && pos.character <= colon;
  const name = ctx.position === 'key' ? ctx.prefix : ctx.key;
  if (!name) return undefined;
  const path = ctx.position === 'key' || onKey || ctx.position === 'value' ? [...ctx.path, name] : ctx.path;
  const loc = schemaAt(a.kind, path);
  if (!loc) return undefined;
  const start = ctx.position === 'key' ? ctx.prefixStart : ctx.flow ? text.lastIndexOf(name, pos.character) : text.indexOf(name, ctx.column);
  return { contents: md(schemaDoc(name, loc)), range: start >= 0 ? { start: { line: pos.line, character: start }, end: { line: pos.line, character: start + name.length } } : undefined };
}

// ---------------------------------------------------------------- document symbols

/** Most outline entries for one file: a 200,000-line collection shows its first ones. */
export const MAX_SYMBOLS = 5000;

/**
 * The outline: top-level keys, and list items named by their `id` or `name` (nested lists of
 * named items under them), not every key. Files analyzed off the main thread have no tree
 * here; their outline comes from the ids the analysis found.
 */
export function documentSymbols(a: Analysis, budget: Budget = UNLIMITED): DocumentSymbol[] {
  const root = a.parsed.root;
  const L = a.parsed.lines;
  let left = MAX_SYMBOLS;
  if (!root) return outlineFromDefs(a, budget);
  if (root.type !== 'map') return [];
  const named = (node: YNode | null, depth: number): DocumentSymbol[] | undefined => {
    // Lists of named items, directly or one key down (`when:` → no; `profiles:` → yes).
    if (!node || depth > 4) return undefined;
    const out: DocumentSymbol[] = [];
    if (node.type === 'seq') {
      for (const item of node.items) {
        if (left <= 0 || budget.spent()) break;
        if (!item || item.type !== 'map') continue;
        const idPair = item.items.find((p) => p.key.value === 'id' || p.key.value === 'name');
        if (!idPair || idPair.value?.type !== 'scalar') continue;
        const namePair = idPair.key.value === 'id' ? item.items.find((p) => p.key.value === 'name' || p.key.value === 'title') : undefined;
        left--;
        const children = item.items.flatMap((p) => (p.value?.type === 'seq' ? listSymbol(p, depth + 1) : []));
        out.push({ name: String(idPair.value.value), detail: namePair?.value?.type === 'scalar' ? short(namePair.value.value) : undefined, kind: SymbolKind.Object,
          range: L.range(item.span), selectionRange: L.range(idPair.value.span), children: children.length ? children : undefined });
      }
    }
    return out.length ? out : undefined;
  };
  const listSymbol = (p: { key: { value: unknown; span: [number, number] }; value: YNode | null; span: [number, number] }, depth: number): DocumentSymbol[] => {
    const children = named(p.value, depth);
    if (!children) return [];
    left--;
    return [{ name: String(p.key.value), kind: SymbolKind.Array, range: L.range(p.span), selectionRange: L.range(p.key.span), children }];
  };
  const out: DocumentSymbol[] = [];
  for (const p of root.items) {
    if (left-- <= 0 || budget.spent()) break;
    const v = p.value;
    out.push({
      name: String(p.key.value), kind: symKind(v), range: L.range(p.span), selectionRange: L.range(p.key.span),
      detail: v?.type === 'scalar' ? short(v.value) : undefined, children: named(v, 1),
    });
  }
  return out;
}

/** An outline from the analysis's ids (a huge file analyzed on the worker thread). */
function outlineFromDefs(a: Analysis, budget: Budget): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const d of a.symbols.defs) {
    if (out.length >= MAX_SYMBOLS || budget.spent()) break;
    out.push({ name: d.id, detail: d.kind, kind: SymbolKind.Object, range: d.entryRange, selectionRange: d.range });
  }
  return out;
}

/** The flat form for clients without hierarchical symbols. */
export function flatSymbols(symbols: DocumentSymbol[], uri: string): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  const walk = (list: DocumentSymbol[], container?: string) => {
    for (const s of list) {
      out.push({ name: s.name, kind: s.kind, location: { uri, range: s.range }, containerName: container });
      if (s.children) walk(s.children, s.name);
    }
  };
  walk(symbols);
  return out;
}

function short(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v);
  return s.length > 60 ? s.slice(0, 57) + '…' : s;
}

function symKind(n: YNode | null): SymbolKind {
  if (!n) return SymbolKind.Key;
  if (n.type === 'map') return SymbolKind.Object;
  if (n.type === 'seq') return SymbolKind.Array;
  if (n.type === 'scalar') return typeof n.value === 'number' ? SymbolKind.Number : typeof n.value === 'boolean' ? SymbolKind.Boolean : SymbolKind.String;
  return SymbolKind.Key;
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

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function codeActions(a: Analysis, problems: Problem[], toUri: ToUri, workspaceRoot: string | undefined): CodeAction[] {
  const uri = toUri(a.file);
  const out: CodeAction[] = [];
  const edit = (edits: TextEdit[]): WorkspaceEdit => ({ documentChanges: [{ textDocument: { uri, version: null }, edits }] });
  for (const p of problems) {
    const d = p.data ?? {};
    const diag: Diagnostic[] = [{ range: p.range, message: p.message, code: p.code, severity: SEVERITY[p.severity], source: 'userlm' }];
    if (d.suggestion && p.code !== 'duplicate-id') {
      out.push({ title: `Change to '${d.suggestion}'`, kind: CodeActionKind.QuickFix, diagnostics: diag, isPreferred: true, edit: edit([{ range: p.range, newText: d.suggestion }]) });
    }
    if (p.code === 'unknown-key' && d.removeRange) {
      const keyName = /`([^`]+)`/.exec(p.message)?.[1] ?? 'field';
      out.push({ title: `Remove unknown field '${keyName}'`, kind: CodeActionKind.QuickFix, diagnostics: diag, edit: edit([{ range: d.removeRange, newText: '' }]) });
    }
    if ((p.code === 'missing-required' || p.code === 'empty-file') && d.missing && d.insertAt && a.kind) {
      const parent = schemaAt(a.kind, (d.schemaPath ?? []) as string[]);
      const props = parent ? objectKeys(parent).properties : {};
      let text = d.missing.map((m) => skeleton(m, props[m], d.indent ?? 0)).join('');
      const L = a.parsed.lines;
      const atEnd = L.offsetAt(d.insertAt) === a.parsed.text.length;
      if (atEnd && a.parsed.text.length > 0 && !a.parsed.text.endsWith('\n')) text = '\n' + text;
      out.push({ title: `Add missing field${d.missing.length > 1 ? 's' : ''} ${d.missing.join(', ')}`, kind: CodeActionKind.QuickFix, diagnostics: diag, isPreferred: !d.suggestion, edit: edit([{ range: { start: d.insertAt, end: d.insertAt }, newText: text }]) });
    }
    if (p.code === 'unknown-profile' && d.id && ID_RE.test(d.id)) {
      const root = workspaceRoot ?? dirname(a.file);
      const target = join(root, 'profiles', fileNameFor('profile', d.id));
      const turi = toUri(target);
      out.push({
        title: `Create profile '${d.id}' in profiles/${fileNameFor('profile', d.id)}`, kind: CodeActionKind.QuickFix, diagnostics: diag,
        edit: { documentChanges: [{ kind: 'create', uri: turi, options: { ignoreIfExists: true } }, { textDocument: { uri: turi, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: profileTemplate(d.id) }] }] },
      });
    }
  }
  return out;
}
