// Checks beyond the schema: within one file (local) and across the workspace index.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { nodeAt, type ParsedYaml } from '../model/document';
import type { FileKind } from '../model/load';
import { LOCAL_KINDS, type FileSymbols, type IdKind, type SymbolDef } from '../model/symbols';
import type { WorkspaceIndex } from '../model/workspace-index';
import { BUILT_IN_TACTICS } from '../library/tactics';
import { suggest } from './suggest';
import { runSteps, STEP_ITEMS, type Steps } from '../model/steps';
import type { Problem } from './problem';

const LITERAL_SECRET = /^(sk-|sk_|rk-|pk-|ghp_|gho_|github_pat_|hf_|xox[abp]-|AKIA|AIza|Bearer\s)/;

export function looksLikeLiteralSecret(v: string): boolean {
  if (v.startsWith('env:')) return false;
  return LITERAL_SECRET.test(v) || (v.length >= 32 && /[0-9]/.test(v) && /[A-Za-z]/.test(v) && !/\s/.test(v));
}

const KIND_WORDS: Record<IdKind, string> = {
  profile: 'profile', scenario: 'scenario', suite: 'suite', backend: 'backend', training: 'training backend',
  tactic: 'tactic', target: 'target', policy: 'policy', 'rewards-file': 'rewards file',
};

/** Duplicate target / policy ids of a file's symbols, kept while an edit reuses them. */
const localDuplicates = new WeakMap<FileSymbols, Problem[]>();

function duplicateLocalIds(file: string, symbols: FileSymbols): Problem[] {
  const known = localDuplicates.get(symbols);
  if (known) return known;
  const out: Problem[] = [];
  const seen = new Map<string, SymbolDef>();
  for (const d of symbols.defs) {
    if (!LOCAL_KINDS.has(d.kind)) continue;
    const k = `${d.kind}:${d.id}`;
    const first = seen.get(k);
    if (first) out.push({ file, range: d.range, severity: 'error', code: 'duplicate-id', message: `duplicate ${KIND_WORDS[d.kind]} id \`${d.id}\` (first defined on line ${first.range.start.line + 1})`,
      related: [{ file, range: first.range, message: `first defined here` }] });
    else seen.set(k, d);
  }
  localDuplicates.set(symbols, out);
  return out;
}

export function localProblems(file: string, kind: FileKind, parsed: ParsedYaml, symbols: FileSymbols): Problem[] {
  const out: Problem[] = [...duplicateLocalIds(file, symbols)];
  const L = parsed.lines;
  const v = parsed.value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  if (kind === 'scenario') {
    const term = v.termination as { min_turns?: unknown; max_turns?: unknown } | undefined;
    if (term && typeof term.min_turns === 'number' && typeof term.max_turns === 'number' && term.min_turns > term.max_turns) {
      const { node } = nodeAt(parsed.root, ['termination', 'min_turns']);
      out.push({ file, range: L.range(node!.span), severity: 'error', code: 'min-above-max', message: `\`termination.min_turns\` (${term.min_turns}) is above \`termination.max_turns\` (${term.max_turns})` });
    }
    if (v.adversarial !== undefined && (v.split ?? 'standard') === 'standard') {
      const { pair } = nodeAt(parsed.root, ['adversarial']);
      out.push({ file, range: L.range(pair!.key.span), severity: 'warning', code: 'adversarial-on-standard', message: '`adversarial` has no effect on the `standard` split; set `split: adversarial` or remove it' });
    }
  }
  if (kind === 'workspace') {
    for (const listKey of ['backends', 'training']) {
      const list = v[listKey];
      if (!Array.isArray(list)) continue;
      list.forEach((b, i) => {
        for (const f of ['api_key', 'token']) {
          const val = (b as Record<string, unknown> | null)?.[f];
          if (typeof val === 'string' && looksLikeLiteralSecret(val)) {
            const { node } = nodeAt(parsed.root, [listKey, i, f]);
            out.push({ file, range: L.range(node!.span), severity: 'error', code: 'literal-secret', message: `\`${listKey}[${i}].${f}\` looks like a literal key: never write keys in files; store it as a secret and put its name here (or \`env:VAR\`)` });
          }
        }
      });
    }
  }
  return out;
}

/** Problems that depend on other files: unknown and duplicate ids, missing files, empty globs. */
export function crossFileProblems(symbols: FileSymbols, index: WorkspaceIndex): Problem[] {
  return runSteps(crossFileProblemSteps(symbols, index));
}

/** `crossFileProblems` in steps (a 33,000-profile collection without blocking the server). */
export function* crossFileProblemSteps(symbols: FileSymbols, index: WorkspaceIndex): Steps<Problem[]> {
  const out: Problem[] = [];
  let n = 0;
  const file = symbols.file;
  const root = index.root;
  const rel = (f: string) => (root ? relative(root, f) : f);
  // Lookups see this file's current symbols in place of whatever the index holds for it.
  const own = new Map<IdKind, Map<string, SymbolDef[]>>();
  for (const d of symbols.defs) {
    let m = own.get(d.kind);
    if (!m) own.set(d.kind, (m = new Map()));
    const list = m.get(d.id);
    if (list) list.push(d); else m.set(d.id, [d]);
    if (++n % STEP_ITEMS === 0) yield;
  }
  const defsOf = (kind: IdKind, id: string): SymbolDef[] => {
    const mine = own.get(kind)?.get(id) ?? [];
    if (LOCAL_KINDS.has(kind)) return mine;
    // The common case, cheap for a 30,000-profile collection: nobody else defines this id.
    if (index.defCount(kind, id) === 0 || (mine.length > 0 && index.defCountIn(kind, id, file) === index.defCount(kind, id))) return mine;
    const others = index.defs(kind, id, file);
    if (others.length === 0 || (others.length === mine.length && others.every((d) => d.file === file))) return mine;
    return others.filter((d) => d.file !== file).concat(mine);
  };
  for (const d of symbols.defs) {
    if (++n % STEP_ITEMS === 0) yield;
    if (LOCAL_KINDS.has(d.kind)) continue;
    const others = defsOf(d.kind, d.id).filter((o) => o !== d);
    if (!others.length) continue;
    const o = others[0];
    const where = o.file === file ? `line ${o.range.start.line + 1}` : `${rel(o.file)}:${o.range.start.line + 1}`;
    out.push({ file, range: d.range, severity: 'error', code: 'duplicate-id', message: `duplicate ${KIND_WORDS[d.kind]} id \`${d.id}\` (also defined at ${where})`, data: { id: d.id, idKind: d.kind },
      related: [{ file: o.file, range: o.range, message: `${KIND_WORDS[d.kind]} \`${d.id}\` is also defined here` }] });
  }
  for (const r of symbols.refs) {
    if (++n % STEP_ITEMS === 0) yield;
    if (r.builtins?.includes(r.id)) continue;
    if (r.kind === 'rewards-file') {
      if (!index.has(r.target!) && !existsSync(r.target!)) out.push({ file, range: r.range, severity: 'error', code: 'missing-file', message: `\`${r.field}\`: rewards file \`${r.id}\` does not exist (looked for ${rel(r.target!)})` });
      continue;
    }
    if (r.kind === 'tactic' && BUILT_IN_TACTICS.some((t) => t.name === r.id)) continue;
    if (defsOf(r.kind, r.id).length) continue;
    const candidates = LOCAL_KINDS.has(r.kind) ? symbols.defs.filter((d) => d.kind === r.kind).map((d) => d.id) : index.ids(r.kind, file);
    const hint = suggest(r.id, [...candidates, ...(r.builtins ?? [])]);
    const allowed = r.builtins?.length ? ` (built in: ${r.builtins.join(', ')})` : '';
    const place = LOCAL_KINDS.has(r.kind) ? 'in this scenario' : 'in the workspace';
    out.push({
      file, range: r.range, severity: 'error', code: `unknown-${r.kind}`,
      message: `\`${r.field}\`: no ${KIND_WORDS[r.kind]} \`${r.id}\` ${place}${allowed}` + (hint ? `; did you mean \`${hint}\`?` : ''),
      data: { suggestion: hint, id: r.id, idKind: r.kind },
    });
  }
  for (const g of symbols.globs) {
    yield;
    const hits = index.matchGlob(g.pattern, file).filter((f) => {
      const k = index.get(f)?.kind;
      return k === g.what || (g.what === 'profile' && k === 'profiles');
    });
    if (!hits.length) out.push({ file, range: g.range, severity: 'error', code: 'glob-no-match', message: `\`${g.field}\`: \`${g.pattern}\` matches no ${g.what} file in the workspace (globs are relative to the workspace root)` });
  }
  return out;
}
