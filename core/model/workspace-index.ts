// The workspace index: per-file symbols (ids and references with ranges), kept incrementally.
// Updating a file replaces only that file's entries; lookups by (kind, id) are map reads.
import { relative, dirname, sep } from 'node:path';
import { isWorkspaceFileName } from '../files';
import picomatch from 'picomatch';
import { BUILT_IN_TACTICS } from '../library/tactics';
import { LOCAL_KINDS, type FileSymbols, type IdKind, type SymbolDef, type SymbolRef } from './symbols';


export class WorkspaceIndex {
  private readonly files = new Map<string, FileSymbols>();
  private readonly defsById = new ByKindAndId<SymbolDef>();
  private readonly refsById = new ByKindAndId<SymbolRef>();
  private readonly idsByKind = new Map<IdKind, Map<string, number>>();
  /** Folders holding a `userlm.yaml`: each is its own workspace (ids are unique within one). */
  private readonly wsRoots = new Set<string>();
  private readonly scopeCache = new Map<string, string>();
  /** Bumped on every change, so callers can tell whether cached cross-file results are stale. */
  generation = 0;
  /** Per file, the symbols object last passed to `update` (analyses never change theirs afterwards). */
  private readonly lastUpdate = new Map<string, FileSymbols>();

  constructor(public root?: string) {}

  update(symbols: FileSymbols): void {
    // The same symbols again (an edit that moved no id, reference or glob): nothing changed.
    if (this.lastUpdate.get(symbols.file) === symbols) return;
    const old = this.files.get(symbols.file);
    if (old && sameIds(old.defs, symbols.defs) && sameIds(old.refs, symbols.refs)) {
      // The common edit: same ids, moved text. Refresh ranges in place; the maps stay valid.
      old.defs.forEach((d, i) => Object.assign(d, symbols.defs[i]));
      old.refs.forEach((r, i) => Object.assign(r, symbols.refs[i]));
      old.globs = symbols.globs;
      old.kind = symbols.kind;
      this.lastUpdate.set(symbols.file, symbols);
      this.generation++;
      return;
    }
    this.removeEntries(symbols.file);
    this.files.set(symbols.file, symbols);
    if (isWorkspaceFile(symbols.file) && !this.wsRoots.has(dirname(symbols.file))) { this.wsRoots.add(dirname(symbols.file)); this.scopeCache.clear(); }
    for (const d of symbols.defs) {
      this.defsById.push(d.kind, d.id, d);
      const m = this.idsByKind.get(d.kind) ?? new Map<string, number>();
      m.set(d.id, (m.get(d.id) ?? 0) + 1);
      this.idsByKind.set(d.kind, m);
    }
    for (const r of symbols.refs) this.refsById.push(r.kind, r.id, r);
    this.lastUpdate.set(symbols.file, symbols);
    this.generation++;
  }

  remove(file: string): void {
    if (this.removeEntries(file)) this.generation++;
  }

  private removeEntries(file: string): boolean {
    this.lastUpdate.delete(file);
    const old = this.files.get(file);
    if (!old) return false;
    this.files.delete(file);
    if (isWorkspaceFile(file)) { this.wsRoots.delete(dirname(file)); this.scopeCache.clear(); }
    for (const d of old.defs) {
      this.defsById.pull(d.kind, d.id, (x) => x.file === file);
      const m = this.idsByKind.get(d.kind);
      if (m) { const n = (m.get(d.id) ?? 1) - 1; if (n <= 0) m.delete(d.id); else m.set(d.id, n); }
    }
    for (const r of old.refs) this.refsById.pull(r.kind, r.id, (x) => x.file === file);
    return true;
  }

  has(file: string): boolean { return this.files.has(file); }
  get(file: string): FileSymbols | undefined { return this.files.get(file); }
  filePaths(): string[] { return [...this.files.keys()]; }
  get size(): number { return this.files.size; }

  /** The workspace a file belongs to: the nearest indexed folder with `userlm.yaml` above it, else the root. */
  scopeOf(file: string): string {
    let s = this.scopeCache.get(file);
    if (s === undefined) {
      s = '';
      for (const r of this.wsRoots) if ((file.startsWith(r + sep) || file === r) && r.length > s.length) s = r;
      if (!s) s = this.root ?? '';
      this.scopeCache.set(file, s);
    }
    return s;
  }

  private inScope<T extends { file: string }>(list: T[], kind: IdKind, scopeFile?: string): T[] {
    if (LOCAL_KINDS.has(kind)) return list.filter((d) => d.file === scopeFile);
    if (scopeFile === undefined || this.wsRoots.size === 0) return list;
    const scope = this.scopeOf(scopeFile);
    return list.filter((d) => this.scopeOf(d.file) === scope);
  }

  /** How many definitions of an id the index holds, in every workspace (a map read). */
  defCount(kind: IdKind, id: string): number { return this.defsById.get(kind, id)?.length ?? 0; }

  /** How many of them are in `file`. */
  defCountIn(kind: IdKind, id: string, file: string): number {
    let n = 0;
    for (const d of this.defsById.get(kind, id) ?? []) if (d.file === file) n++;
    return n;
  }

  /** Definitions of an id seen from `scopeFile`'s workspace (targets and policies: that file only). */
  defs(kind: IdKind, id: string, scopeFile?: string): SymbolDef[] {
    return this.inScope(this.defsById.get(kind, id) ?? [], kind, scopeFile);
  }

  refs(kind: IdKind, id: string, scopeFile?: string): SymbolRef[] {
    return this.inScope(this.refsById.get(kind, id) ?? [], kind, scopeFile);
  }

  /** Every id of a kind seen from `scopeFile` (plus built-in tactics for `tactic`). */
  ids(kind: IdKind, scopeFile?: string): string[] {
    // Completion asks for the same list on every keystroke: kept until the index changes.
    const cacheKey = `${kind}\u0000${scopeFile === undefined ? '' : this.scopeOf(scopeFile)}\u0000${LOCAL_KINDS.has(kind) ? scopeFile : ''}`;
    if (this.idsCache.generation !== this.generation) this.idsCache = { generation: this.generation, lists: new Map() };
    const hit = this.idsCache.lists.get(cacheKey);
    if (hit) return hit;
    const list = this.computeIds(kind, scopeFile);
    this.idsCache.lists.set(cacheKey, list);
    return list;
  }
  private idsCache: { generation: number; lists: Map<string, string[]> } = { generation: -1, lists: new Map() };

  private computeIds(kind: IdKind, scopeFile?: string): string[] {
    if (LOCAL_KINDS.has(kind)) return (this.files.get(scopeFile ?? '')?.defs ?? []).filter((d) => d.kind === kind).map((d) => d.id);
    let ids: string[];
    if (scopeFile !== undefined && this.wsRoots.size > 0) {
      // Walk the files of this workspace only: cheaper than a scope check per id.
      const scope = this.scopeOf(scopeFile);
      const seen = new Set<string>();
      for (const [f, sym] of this.files) {
        if (this.scopeOf(f) !== scope) continue;
        for (const d of sym.defs) if (d.kind === kind) seen.add(d.id);
      }
      ids = [...seen];
    } else ids = [...(this.idsByKind.get(kind)?.keys() ?? [])];
    if (kind === 'tactic') for (const t of BUILT_IN_TACTICS) if (!ids.includes(t.name)) ids.push(t.name);
    return ids;
  }

  /** Indexed files matching a glob relative to `scopeFile`'s workspace folder (absolute paths). */
  matchGlob(pattern: string, scopeFile?: string): string[] {
    const root = scopeFile ? this.scopeOf(scopeFile) : this.root ?? '/';
    let isMatch: (p: string) => boolean;
    try {
      isMatch = picomatch(pattern.replace(/^\.\//, ''), { dot: false });
    } catch {
      return []; // not a usable glob (e.g. longer than picomatch accepts): it matches nothing
    }
    return this.filePaths().filter((f) => (f.startsWith(root + sep) || !root) && isMatch(relative(root, f).split('\\').join('/')));
  }
}

function sameIds(a: { kind: IdKind; id: string }[], b: { kind: IdKind; id: string }[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].kind !== b[i].kind || a[i].id !== b[i].id) return false;
  return true;
}

const isWorkspaceFile = isWorkspaceFileName;

/**
 * Lists by kind, then id: nested maps keyed by the id strings themselves (no concatenated keys
 * to build and hash on every lookup, which cost seconds over a 30,000-profile collection).
 */
class ByKindAndId<T> {
  private readonly byKind = new Map<IdKind, Map<string, T[]>>();
  get(kind: IdKind, id: string): T[] | undefined { return this.byKind.get(kind)?.get(id); }
  push(kind: IdKind, id: string, v: T): void {
    let m = this.byKind.get(kind);
    if (!m) this.byKind.set(kind, (m = new Map()));
    const list = m.get(id);
    if (list) list.push(v); else m.set(id, [v]);
  }
  pull(kind: IdKind, id: string, drop: (v: T) => boolean): void {
    const m = this.byKind.get(kind);
    const list = m?.get(id);
    if (!m || !list) return;
    const kept = list.filter((v) => !drop(v));
    if (kept.length) m.set(id, kept); else m.delete(id);
  }
}
