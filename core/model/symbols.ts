// Ids and references in a parsed file: the facts the workspace index keeps per file. One table
// says which fields define ids and which refer to them; completion, validation, go-to-definition,
// references and rename all read that table.
import { dirname, resolve, isAbsolute } from 'node:path';
import type { FileKind } from './load';
import type { ParsedYaml, Range, YNode, YScalar, Span } from './document';

export type IdKind = 'profile' | 'scenario' | 'suite' | 'backend' | 'training' | 'tactic' | 'target' | 'policy' | 'rewards-file';
/** Kinds whose ids are unique within one file only (targets and policies of a scenario). */
export const LOCAL_KINDS: ReadonlySet<IdKind> = new Set(['target', 'policy']);

export { SIMULATOR_BUILTINS, AGENT_BUILTINS } from '../files';
import { SIMULATOR_BUILTINS, AGENT_BUILTINS } from '../files';
export const TRANSITION_EVENTS = ['concern_ignored', 'agent_repeats', 'every_turn'] as const;

type Seg = string; // a key, or '*' for every item of a list
export interface DefField { file: FileKind; path: Seg[]; kind: IdKind }
export interface RefField { file: FileKind; path: Seg[]; kind: IdKind; builtins?: readonly string[]; event?: boolean; globOk?: boolean }

export const DEF_FIELDS: readonly DefField[] = [
  { file: 'profile', path: ['id'], kind: 'profile' },
  { file: 'profiles', path: ['profiles', '*', 'id'], kind: 'profile' },
  { file: 'scenario', path: ['id'], kind: 'scenario' },
  { file: 'scenario', path: ['targets', '*', 'id'], kind: 'target' },
  { file: 'scenario', path: ['decision_policy', '*', 'id'], kind: 'policy' },
  { file: 'suite', path: ['id'], kind: 'suite' },
  { file: 'workspace', path: ['backends', '*', 'id'], kind: 'backend' },
  { file: 'workspace', path: ['training', '*', 'id'], kind: 'training' },
  { file: 'workspace', path: ['tactics', '*', 'name'], kind: 'tactic' },
];

export const REF_FIELDS: readonly RefField[] = [
  { file: 'scenario', path: ['profile'], kind: 'profile' },
  { file: 'scenario', path: ['agent', 'default'], kind: 'backend', builtins: AGENT_BUILTINS },
  { file: 'scenario', path: ['decision_policy', '*', 'when', 'target_unmet'], kind: 'target' },
  { file: 'scenario', path: ['decision_policy', '*', 'when', 'target_met'], kind: 'target' },
  { file: 'scenario', path: ['decision_policy', '*', 'when', 'tactic'], kind: 'tactic' },
  { file: 'scenario', path: ['adversarial', 'tactics', '*'], kind: 'tactic' },
  { file: 'scenario', path: ['state', 'transitions', '*', 'on'], kind: 'tactic', event: true },
  { file: 'suite', path: ['scenarios', '*'], kind: 'scenario', globOk: true },
  { file: 'suite', path: ['profiles', '*'], kind: 'profile' },
  { file: 'suite', path: ['simulator'], kind: 'backend', builtins: SIMULATOR_BUILTINS },
  { file: 'suite', path: ['agent'], kind: 'backend', builtins: AGENT_BUILTINS },
  { file: 'suite', path: ['judge'], kind: 'backend' },
  { file: 'suite', path: ['rewards'], kind: 'rewards-file' },
  { file: 'suite', path: ['rewards', 'components', '*', 'judge'], kind: 'backend' },
  { file: 'rewards', path: ['components', '*', 'judge'], kind: 'backend' },
  { file: 'workspace', path: ['defaults', 'simulator'], kind: 'backend', builtins: SIMULATOR_BUILTINS },
  { file: 'workspace', path: ['defaults', 'agent'], kind: 'backend', builtins: AGENT_BUILTINS },
  { file: 'workspace', path: ['defaults', 'judge'], kind: 'backend' },
  { file: 'workspace', path: ['defaults', 'rewards'], kind: 'rewards-file' },
];

export interface SymbolDef {
  kind: IdKind;
  id: string;
  file: string;
  /** The id's text. */
  range: Range;
  /** The whole entry that the id names (the profile, the target...). */
  entryRange: Range;
  /** Markdown summary for hover (profiles). */
  summary?: string;
}

export interface SymbolRef {
  kind: IdKind;
  id: string;
  file: string;
  range: Range;
  /** Dotted field path for messages, e.g. `decision_policy[2].when.target_unmet`. */
  field: string;
  builtins?: readonly string[];
  /** For `rewards-file`: the absolute path the reference resolves to. */
  target?: string;
}

export interface GlobRef { pattern: string; field: string; range: Range; what: 'scenario' | 'profile' }

export interface FileSymbols {
  file: string;
  kind?: FileKind;
  defs: SymbolDef[];
  refs: SymbolRef[];
  globs: GlobRef[];
}

/** Visits the nodes at a path pattern (`*` = each list item), with their concrete paths. */
export function* nodesAt(root: YNode | null, pattern: readonly Seg[]): Generator<{ node: YNode | null; keyNode?: YScalar; path: (string | number)[] }> {
  type Frame = { node: YNode | null; keyNode?: YScalar; path: (string | number)[]; depth: number };
  const stack: Frame[] = [{ node: root, path: [], depth: 0 }];
  while (stack.length) {
    const f = stack.pop()!;
    if (f.depth === pattern.length) { yield f; continue; }
    const seg = pattern[f.depth];
    const n = f.node;
    if (!n) continue;
    if (seg === '*') {
      if (n.type !== 'seq') continue;
      for (let i = n.items.length - 1; i >= 0; i--) stack.push({ node: n.items[i], path: [...f.path, i], depth: f.depth + 1 });
    } else if (n.type === 'map') {
      const p = n.items.find((it) => it.key.value === seg);
      if (p) stack.push({ node: p.value, keyNode: p.key, path: [...f.path, seg], depth: f.depth + 1 });
    }
  }
}

export function fieldName(path: readonly (string | number)[]): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out || '(document)';
}

const GLOB_CHARS = /[*?{}[\]/\\]|\.ya?ml$/;
export function looksLikeGlob(s: string): boolean { return GLOB_CHARS.test(s); }

export function extractSymbols(file: string, kind: FileKind | undefined, parsed: ParsedYaml): FileSymbols {
  const out: FileSymbols = { file, kind, defs: [], refs: [], globs: [] };
  if (!kind || !parsed.root) return out;
  const L = parsed.lines;
  const range = (span: Span) => L.range(span);
  for (const d of DEF_FIELDS) {
    if (d.file !== kind) continue;
    for (const { node, path } of nodesAt(parsed.root, d.path)) {
      if (!node || node.type !== 'scalar' || typeof node.value !== 'string') continue;
      const entry = entryNode(parsed.root, path);
      const def: SymbolDef = { kind: d.kind, id: node.value, file, range: range(node.span), entryRange: range(entry ? entry.span : node.span) };
      if (d.kind === 'profile' && entry && entry.type === 'map') def.summary = profileSummary(entry);
      out.defs.push(def);
    }
  }
  for (const r of REF_FIELDS) {
    if (r.file !== kind) continue;
    for (const { node, path } of nodesAt(parsed.root, r.path)) {
      if (!node || node.type !== 'scalar' || typeof node.value !== 'string') continue;
      const value = node.value;
      const field = fieldName(path);
      if (r.event) {
        const m = /^(tactic|target_met):(.*)$/.exec(value);
        if (!m) continue;
        const start = node.span[1] - m[2].length; // the id is the scalar's tail (quotes excepted)
        const quoted = parsed.text[node.span[1] - 1] === '"' || parsed.text[node.span[1] - 1] === "'";
        const s = quoted ? start - 1 : start;
        out.refs.push({ kind: m[1] === 'tactic' ? 'tactic' : 'target', id: m[2], file, range: range([s, s + m[2].length]), field });
        continue;
      }
      if (r.globOk && looksLikeGlob(value)) { out.globs.push({ pattern: value, field, range: range(node.span), what: 'scenario' }); continue; }
      const ref: SymbolRef = { kind: r.kind, id: value, file, range: range(node.span), field };
      if (r.builtins) ref.builtins = r.builtins;
      if (r.kind === 'rewards-file') ref.target = isAbsolute(value) ? value : resolve(dirname(file), value);
      out.refs.push(ref);
    }
  }
  if (kind === 'suite' && parsed.root.type === 'map') {
    const p = parsed.root.items.find((it) => it.key.value === 'profiles');
    if (p?.value?.type === 'scalar' && typeof p.value.value === 'string' && p.value.value !== 'own') {
      out.globs.push({ pattern: p.value.value, field: 'profiles', range: range(p.value.span), what: 'profile' });
    }
  }
  return out;
}

/** The list item or document that an id at `path` names (the path minus its last key). */
function entryNode(root: YNode, path: (string | number)[]): YNode | null {
  let node: YNode | null = root;
  for (const seg of path.slice(0, -1)) {
    if (!node) return null;
    if (node.type === 'map') node = node.items.find((it) => it.key.value === seg)?.value ?? null;
    else if (node.type === 'seq' && typeof seg === 'number') node = node.items[seg] ?? null;
    else return null;
  }
  return node;
}

function get(node: YNode | null | undefined, key: string): YNode | null | undefined {
  return node?.type === 'map' ? node.items.find((it) => it.key.value === key)?.value : undefined;
}
function str(node: YNode | null | undefined): string | undefined {
  return node?.type === 'scalar' && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

/** A short markdown description of a profile for hovers. */
export function profileSummary(p: YNode): string {
  const name = str(get(p, 'name')) ?? '(no name)';
  const id = str(get(p, 'id')) ?? '';
  const demo = get(p, 'demographics');
  const facts = ['age', 'occupation', 'location', 'language'].map((k) => str(get(demo, k))).filter(Boolean);
  const pers = get(p, 'personality');
  const expr = get(p, 'expression');
  const lines = [`**${name}** \`${id}\``];
  if (facts.length) lines.push(facts.join(' · '));
  const style = [str(get(pers, 'mbti')), ...['verbosity', 'formality', 'speech_rate'].map((k) => str(get(expr, k)))].filter(Boolean);
  const patience = str(get(expr, 'patience'));
  if (patience) style.push(`patience ${patience}`);
  if (style.length) lines.push(style.join(' · '));
  const bg = str(get(p, 'background'));
  if (bg) lines.push(bg.length > 240 ? bg.slice(0, 240) + '…' : bg);
  return lines.join('\n\n');
}
