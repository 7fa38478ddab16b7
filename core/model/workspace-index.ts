// The workspace index: per-file symbols (ids and references with ranges), kept incrementally.
// Updating a file replaces only that file's entries; lookups by (kind, id) are map reads.
import { relative, dirname, sep } from 'node:path';
import { isWorkspaceFileName } from '../files';
import picomatch from 'picomatch';
import { BUILT_IN_TACTICS } from '../library/tactics';
import { LOCAL_KINDS, type FileSymbols, type IdKind, type SymbolDef, type SymbolRef } from './symbols';
import { runSteps, STEP_ITEMS, type Steps } from './steps';


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

  update(symbols: FileSymbols): void { runSteps(this.updateSteps(symbols)); }

  remove(file: string): void { runSteps(this.removeSteps(file)); }

  /**
   * `update` in steps (a 33,000-id collection without blocking the server). Until the last step
   * a lookup may find the file's new entries next to its old ones, never neither; the generation
   * changes at the end. Another update or removal of the same file finishes this one first.
   */
  updateSteps(symbols: FileSymbols): Steps {
    this.finish(symbols.file);
    return this.track(symbols.file, this.updating(symbols));
  }

  /** `remove` in steps (see `updateSteps`). */
  removeSteps(file: string): Steps {
    this.finish(file);
    return this.track(file, this.removing(file));
  }

  /** Files being updated in steps, each with the rest of its update. */
  private readonly inFlight = new Map<string, Steps>();

  private finish(file: string): void {
    const steps = this.inFlight.get(file);
    if (steps) runSteps(steps);
  }

  /** Registers steps as the file's update in flight until they end. */
  private track(file: string, steps: Steps): Steps {
    const inFlight = this.inFlight;
    const box: { tracked?: Steps } = {};
    const tracked = (function* (): Steps {
      try { yield* steps; } finally { if (inFlight.get(file) === box.tracked) inFlight.delete(file); }
    })();
    box.tracked = tracked;
    inFlight.set(file, tracked);
    return tracked;
  }

  private *updating(symbols: FileSymbols): Steps {
    const file = symbols.file;
    // The same symbols again (an edit that moved no id, reference or glob): nothing changed.
    if (this.lastUpdate.get(file) === symbols) return;
    const old = this.files.get(file);
    if (old && sameIds(old.defs, symbols.defs) && sameIds(old.refs, symbols.refs)) {
      // The common edit: same ids, moved text. Refresh ranges in place; the maps stay valid.
      for (let i = 0; i < old.defs.length; i++) { Object.assign(old.defs[i], symbols.defs[i]); if (i % STEP_ITEMS === STEP_ITEMS - 1) yield; }
      for (let i = 0; i < old.refs.length; i++) { Object.assign(old.refs[i], symbols.refs[i]); if (i % STEP_ITEMS === STEP_ITEMS - 1) yield; }
      old.globs = symbols.globs;
      old.kind = symbols.kind;
      this.lastUpdate.set(file, symbols);
      this.generation++;
      return;
    }
    // The new entries first, then the old ones go.
    if (isWorkspaceFile(file) && !this.wsRoots.has(dirname(file))) { this.wsRoots.add(dirname(file)); this.scopeCache.clear(); }
    let n = 0;
    for (const d of symbols.defs) {
      this.defsById.push(d.kind, d.id, d);
      let m = this.idsByKind.get(d.kind);
      if (!m) this.idsByKind.set(d.kind, (m = new Map<string, number>()));
      m.set(d.id, (m.get(d.id) ?? 0) + 1);
      if (++n % STEP_ITEMS === 0) yield;
    }
    for (const r of symbols.refs) { this.refsById.push(r.kind, r.id, r); if (++n % STEP_ITEMS === 0) yield; }
    this.files.set(file, symbols);
    this.lastUpdate.set(file, symbols);
    if (old) yield* this.dropEntries(old);
    this.generation++;
  }

  private *removing(file: string): Steps {
    this.lastUpdate.delete(file);
    const old = this.files.get(file);
    if (!old) return;
    this.files.delete(file);
    if (isWorkspaceFile(file)) { this.wsRoots.delete(dirname(file)); this.scopeCache.clear(); }
    yield* this.dropEntries(old);
    this.generation++;
  }

  /** Takes a file's entries (these objects, not others of the same file) out of the lookups. */
  private *dropEntries(old: FileSymbols): Steps {
    let n = 0;
    for (const d of old.defs) {
      this.defsById.drop(d.kind, d.id, d);
      const m = this.idsByKind.get(d.kind);
      if (m) { const c = (m.get(d.id) ?? 1) - 1; if (c <= 0) m.delete(d.id); else m.set(d.id, c); }
      if (++n % STEP_ITEMS === 0) yield;
    }
    for (const r of old.refs) { this.refsById.drop(r.kind, r.id, r); if (++n % STEP_ITEMS === 0) yield; }
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
    // One workspace (a single `userlm.yaml`, at the root): every file is in scope.
    const oneScope = this.wsRoots.size === 0 || (this.wsRoots.size === 1 && this.root !== undefined && this.wsRoots.has(this.root));
    if (scopeFile !== undefined && !oneScope) {
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
  /** Takes one entry (this very object) out. */
  drop(kind: IdKind, id: string, v: T): void {
    const m = this.byKind.get(kind);
    const list = m?.get(id);
    const i = list ? list.indexOf(v) : -1;
    if (!m || !list || i < 0) return;
    // A new list: one handed out earlier stays as it was.
    if (list.length === 1) m.delete(id); else m.set(id, list.filter((_, j) => j !== i));
  }
}
