// The range-aware document model: YAML text -> a small tree of nodes with source offsets, plus
// the plain value. Common block-style YAML (what these files use) goes through the fast
// line-based parser (fast-parser.ts); anything it does not handle falls back to the `yaml`
// library (fallback.ts). Offsets <-> positions: line-index.ts; edits: reparse.ts.
import { LineIndex, type Span } from './line-index';
import { fastParse } from './fast-parser';
import { slowParse } from './fallback';

export { LineIndex, type Position, type Range, type Span } from './line-index';
export { resolvePlain } from './fast-parser';
export { reparse } from './reparse';

export interface YScalar { type: 'scalar'; value: unknown; span: Span }
export interface YPair { key: YScalar; value: YNode | null; span: Span }
export interface YMap { type: 'map'; items: YPair[]; span: Span }
export interface YSeq { type: 'seq'; items: (YNode | null)[]; span: Span }
export interface YAlias { type: 'alias'; span: Span }
export type YNode = YScalar | YMap | YSeq | YAlias;

export interface SyntaxIssue { message: string; span: Span; severity: 'error' | 'warning' }

export interface ParsedYaml {
  text: string;
  lines: LineIndex;
  root: YNode | null;
  /** The plain value (undefined when it could not be built, e.g. an alias bomb). */
  value: unknown;
  errors: SyntaxIssue[];
  /** True when the fast parser handled the text. */
  fast: boolean;
}

/**
 * Thrown by `parseYaml(text, true)` when the text needs the slow path: the language server
 * hands such big texts to its worker thread instead of blocking on them.
 */
export class NeedsSlowPath extends Error {}

export function parseYaml(text: string, fastOnly = false): ParsedYaml {
  const lines = new LineIndex(text);
  const fast = fastParse(text, lines);
  if (fast !== undefined) return { text, lines, root: fast, value: toValue(fast), errors: [], fast: true };
  if (fastOnly) throw new NeedsSlowPath();
  return slowParse(text, lines);
}

/** The plain JS value of a node (aliases, which only the slow path produces, become undefined). */
export function toValue(node: YNode | null): unknown {
  if (!node) return null;
  switch (node.type) {
    case 'scalar': return node.value;
    case 'seq': return node.items.map(toValue);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const p of node.items) {
        const k = String(p.key.value ?? '');
        const v = toValue(p.value);
        if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
        else out[k] = v;
      }
      return out;
    }
    default: return undefined;
  }
}

/** The node at a JSON-pointer-like path (`['targets', 3, 'id']`), with the pair that holds it. */
export function nodeAt(root: YNode | null, path: readonly (string | number)[]): { node: YNode | null; pair?: YPair; parent: YNode | null; depth: number } {
  let node: YNode | null = root;
  let pair: YPair | undefined;
  let parent: YNode | null = null;
  let depth = 0;
  for (const seg of path) {
    if (!node) break;
    if (node.type === 'map') {
      const p: YPair | undefined = node.items.find((it) => String(it.key.value) === String(seg));
      if (!p) break;
      parent = node; pair = p; node = p.value;
    } else if (node.type === 'seq' && /^\d+$/.test(String(seg))) {
      const idx = Number(seg);
      if (idx >= node.items.length) break;
      parent = node; pair = undefined; node = node.items[idx];
    } else break;
    depth++;
  }
  return { node, pair, parent, depth };
}

