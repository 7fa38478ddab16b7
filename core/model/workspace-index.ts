// The workspace index: per-file symbols (ids and references with ranges), kept incrementally.
// Updating a file replaces only that file's entries; lookups by (kind, id) are map reads.
import { relative } from 'node:path';
import picomatch from 'picomatch';
import { BUILT_IN_TACTICS } from '../library/tactics';
import { LOCAL_KINDS, type FileSymbols, type IdKind, type SymbolDef, type SymbolRef } from './symbols';

const key = (kind: IdKind, id: string) => `${kind}\u0000${id}`;

export class WorkspaceIndex {
  private readonly files = new Map<string, FileSymbols>();
  private readonly defsById = new Map<string, SymbolDef[]>();
  private readonly refsById = new Map<string, SymbolRef[]>();
  private readonly idsByKind = new Map<IdKind, Map<string, number>>();
  /** Bumped on every change, so callers can tell whether cached cross-file results are stale. */
  generation = 0;

  constructor(public root?: string) {}

  update(symbols: FileSymbols): void {
    this.removeEntries(symbols.file);
    this.files.set(symbols.file, symbols);
    for (const d of symbols.defs) {
      push(this.defsById, key(d.kind, d.id), d);
      const m = this.idsByKind.get(d.kind) ?? new Map<string, number>();
      m.set(d.id, (m.get(d.id) ?? 0) + 1);
      this.idsByKind.set(d.kind, m);
    }
    for (const r of symbols.refs) push(this.refsById, key(r.kind, r.id), r);
    this.generation++;
  }

  remove(file: string): void {
    if (this.removeEntries(file)) this.generation++;
  }

  private removeEntries(file: string): boolean {
    const old = this.files.get(file);
    if (!old) return false;
    this.files.delete(file);
    for (const d of old.defs) {
      pull(this.defsById, key(d.kind, d.id), (x) => x.file === file);
      const m = this.idsByKind.get(d.kind);
      if (m) { const n = (m.get(d.id) ?? 1) - 1; if (n <= 0) m.delete(d.id); else m.set(d.id, n); }
    }
    for (const r of old.refs) pull(this.refsById, key(r.kind, r.id), (x) => x.file === file);
    return true;
  }

  has(file: string): boolean { return this.files.has(file); }
  get(file: string): FileSymbols | undefined { return this.files.get(file); }
  filePaths(): string[] { return [...this.files.keys()]; }
  get size(): number { return this.files.size; }

  /** Definitions of an id. Targets and policies are looked up within `scopeFile` only. */
  defs(kind: IdKind, id: string, scopeFile?: string): SymbolDef[] {
    const all = this.defsById.get(key(kind, id)) ?? [];
    return LOCAL_KINDS.has(kind) ? all.filter((d) => d.file === scopeFile) : all;
  }

  refs(kind: IdKind, id: string, scopeFile?: string): SymbolRef[] {
    const all = this.refsById.get(key(kind, id)) ?? [];
    return LOCAL_KINDS.has(kind) ? all.filter((r) => r.file === scopeFile) : all;
  }

  /** Every id of a kind in the workspace (plus built-in tactics for `tactic`). */
  ids(kind: IdKind, scopeFile?: string): string[] {
    if (LOCAL_KINDS.has(kind)) return (this.files.get(scopeFile ?? '')?.defs ?? []).filter((d) => d.kind === kind).map((d) => d.id);
    const ids = [...(this.idsByKind.get(kind)?.keys() ?? [])];
    if (kind === 'tactic') for (const t of BUILT_IN_TACTICS) if (!ids.includes(t.name)) ids.push(t.name);
    return ids;
  }

  /** Workspace-relative paths of indexed files matching a glob. */
  matchGlob(pattern: string): string[] {
    const root = this.root ?? '/';
    const isMatch = picomatch(pattern.replace(/^\.\//, ''), { dot: false });
    return this.filePaths().map((f) => relative(root, f).split('\\').join('/')).filter((rel) => isMatch(rel));
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v); else m.set(k, [v]);
}

function pull<T>(m: Map<string, T[]>, k: string, drop: (v: T) => boolean): void {
  const list = m.get(k);
  if (!list) return;
  const kept = list.filter((v) => !drop(v));
  if (kept.length) m.set(k, kept); else m.delete(k);
}
